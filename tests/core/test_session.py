"""The live session as the teacher sees it: each arrival classified once, the lock, alarms, host actions."""

from __future__ import annotations

from collections.abc import Collection

import pytest

from tests.core.live_helpers import CONSENTED, HUGHES, MEETING, NO_IDENTITY, T0, Clock, classify, event, journals
from zoomhost.core.events import EventKind as K
from zoomhost.core.journal import JournalKind
from zoomhost.core.models import Classification, Verdict
from zoomhost.core.session import AlarmKind, LiveSession, ParticipantState


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def session(clock: Clock) -> LiveSession:
    journal = journals().create(meeting_id=MEETING, topic="Assembly", planned_minutes=30, started_at=T0, rehearsal=True)
    return LiveSession(journal=journal, classify=classify, expected_pupils=CONSENTED, clock=clock)


def _kinds(changes: list) -> list[str]:
    return [change.kind.value for change in changes]


def test_an_arrival_is_classified_and_waits(session: LiveSession) -> None:
    changes = session.apply(event(K.WAITING_JOINED, "16778240", "Amy B", seconds=3))
    assert _kinds(changes) == ["arrival"]
    row = changes[0].participant
    assert row.verdict is Verdict.CONSENTED and row.pupil_label == "Amy B. (Year 3)"
    assert row.reasons == ("one consented pupil matches",) and row.state is ParticipantState.WAITING
    assert [r.participant_id for r in session.waiting()] == ["16778240"]
    assert [r.participant_id for r in session.admissible_waiting()] == ["16778240"]
    counts = session.counts()
    assert (counts.waiting, counts.held, counts.admitted, counts.consented_not_arrived) == (1, 0, 0, CONSENTED - 1)
    assert session.journal.has(changes[0].entry.event_key), "journaled before it is shown"


def test_the_same_arrival_heard_from_two_sources_is_one_arrival(session: LiveSession) -> None:
    assert session.apply(event(K.WAITING_JOINED, "p1", "Amy B", seconds=1, source="websocket"))
    assert session.apply(event(K.WAITING_JOINED, "p1", "Amy B", seconds=1.2, source="assistant")) == []
    assert [e.kind for e in session.journal.entries()] == [JournalKind.ARRIVAL]
    assert len(session.arrivals()) == 1


def test_a_replayed_event_changes_nothing_even_after_the_participant_moved_on(session: LiveSession) -> None:
    arrival = event(K.WAITING_JOINED, "p1", "Amy B", seconds=1)
    session.apply(arrival)
    session.apply(event(K.ADMITTED, "p1", seconds=5))
    assert session.apply(arrival) == []  # replayed after a reconnect
    late_copy = event(K.WAITING_JOINED, "p1", "Amy B", seconds=1.5, source="assistant")
    assert session.apply(late_copy) == []  # older than the admission: not a new arrival
    assert session.participant("p1").state is ParticipantState.IN_MEETING


def test_a_rename_while_waiting_is_classified_again(session: LiveSession) -> None:
    session.apply(event(K.WAITING_JOINED, "p1", "iPad", seconds=1))
    assert session.participant("p1").verdict is Verdict.NOT_ON_REGISTER
    changes = session.apply(event(K.WAITING_RENAMED, "p1", "Zoë L", seconds=4))
    assert _kinds(changes) == ["renamed"]
    assert changes[0].participant.verdict is Verdict.CONSENTED
    assert session.participant("p1").arrived_at == T0.replace(second=1), "the arrival time stays the first one"

    changes = session.apply(event(K.WAITING_RENAMED, "p1", "Zо\u0435 L", seconds=6))  # Cyrillic о and е
    assert _kinds(changes) == ["renamed", "alarm"]
    assert changes[1].alarm.kind is AlarmKind.SUSPICIOUS
    assert session.admissible_waiting() == []


def test_duplicate_and_suspicious_arrivals_raise_alarms_and_are_never_admissible(session: LiveSession) -> None:
    session.apply(event(K.WAITING_JOINED, "p1", "Amy B", seconds=1))
    session.apply(event(K.ADMITTED, "p1", seconds=2))
    dup = session.apply(event(K.WAITING_JOINED, "p2", "Amy B.", seconds=3))
    sus = session.apply(event(K.WAITING_JOINED, "p3", "Mrs Hu\u200bghes", seconds=4))
    assert [c.alarm.kind for c in dup + sus if c.alarm] == [AlarmKind.DUPLICATE, AlarmKind.SUSPICIOUS]
    assert "Amy B. (Year 3)" in dup[1].alarm.message
    assert session.admissible_waiting() == []
    assert [a.kind for a in session.alarms()] == [AlarmKind.DUPLICATE, AlarmKind.SUSPICIOUS]


def test_someone_not_allowed_who_gets_in_raises_an_alarm_however_they_got_in(session: LiveSession) -> None:
    session.apply(event(K.WAITING_JOINED, "p1", "Oliver S", seconds=1))
    admitted = session.apply(event(K.ADMITTED, "p1", seconds=2))  # admitted by hand in the Zoom client
    assert _kinds(admitted) == ["admitted", "alarm"]
    assert admitted[1].alarm.kind is AlarmKind.NOT_ALLOWED_IN and "no consent" in admitted[1].alarm.message
    assert session.apply(event(K.JOINED, "p1", "Oliver S", seconds=2.1)) == []

    # Straight in without a waiting room (or its arrival was missed): classified on the spot.
    direct = session.apply(event(K.JOINED, "p2", "xX_b0mb3r_Xx", seconds=3))
    assert _kinds(direct) == ["arrival", "joined", "alarm"]
    assert direct[0].entry.detail["direct"] is True
    assert session.participant("p2").state is ParticipantState.IN_MEETING

    staff = session.apply(event(K.JOINED, "p3", "Mrs Hughes", seconds=4))
    assert _kinds(staff) == ["arrival", "joined"]
    assert [a.display_name for a in session.alarms() if a.kind is AlarmKind.NOT_ALLOWED_IN] == [
        "Oliver S",
        "xX_b0mb3r_Xx",
    ]


def test_after_the_lock_every_arrival_is_held_and_flagged(session: LiveSession, clock: Clock) -> None:
    session.apply(event(K.WAITING_JOINED, "p1", "Amy B", seconds=1))
    clock.advance(300)
    assert _kinds(session.lock("autopilot")) == ["lock"]
    assert session.lock("teacher") == []
    assert session.locked

    late = session.apply(event(K.WAITING_JOINED, "p2", "Zoë L", seconds=301))
    assert _kinds(late) == ["arrival", "alarm"]
    assert late[1].alarm.kind is AlarmKind.ARRIVAL_AFTER_LOCK
    row = session.participant("p2")
    assert row.verdict is Verdict.CONSENTED and row.after_lock and row.held
    assert [r.participant_id for r in session.admissible_waiting()] == ["p1"], "consented, but arrived after the lock"
    counts = session.counts()
    assert (counts.waiting, counts.held) == (1, 1)

    session.apply(event(K.WAITING_RENAMED, "p2", "Amy T", seconds=302))
    assert session.participant("p2").after_lock, "a rename does not wash away the lock"

    session.unlock("teacher")
    session.apply(event(K.WAITING_JOINED, "p3", "Chloé D", seconds=400))
    assert not session.participant("p3").after_lock
    assert [r.participant_id for r in session.admissible_waiting()] == ["p1", "p3"]


def test_admit_all_passes_by_held_put_back_and_second_copies_of_a_pupil(session: LiveSession) -> None:
    for i, name in enumerate(["Amy B", "Zoë L", "Mo K", "Oliver S", "Mrs Hughes", "Chloé D"]):
        signed_in = HUGHES if name == "Mrs Hughes" else NO_IDENTITY  # staff are admitted signed in only
        session.apply(event(K.WAITING_JOINED, f"p{i}", name, seconds=i, identity=signed_in))
    assert _kinds(session.hold("p1", actor="teacher")) == ["held"]
    assert session.hold("p1", actor="teacher") == []
    session.apply(event(K.ADMITTED, "p5", seconds=10))
    session.apply(event(K.PUT_BACK, "p5", seconds=20))
    assert session.participant("p5").state is ParticipantState.WAITING and session.participant("p5").held
    assert [r.participant_id for r in session.admissible_waiting()] == ["p0", "p2", "p4"]


def test_leaving_and_coming_back_is_a_new_arrival(session: LiveSession) -> None:
    session.apply(event(K.WAITING_JOINED, "p1", "Amy B", seconds=1))
    session.apply(event(K.WAITING_LEFT, "p1", seconds=2))
    assert session.participant("p1").state is ParticipantState.LEFT_WAITING_ROOM
    assert _kinds(session.apply(event(K.WAITING_JOINED, "p1", "Amy B", seconds=30))) == ["arrival"]
    session.apply(event(K.ADMITTED, "p1", seconds=31))
    session.apply(event(K.LEFT, "p1", seconds=90))
    assert session.participant("p1").state is ParticipantState.LEFT
    assert session.counts().left == 1
    assert _kinds(session.apply(event(K.WAITING_JOINED, "p1", "Amy B", seconds=95))) == ["arrival"]
    assert session.participant("p1").times_admitted == 1


def test_commands_are_journaled_once_and_retries_know_when_to_stop(session: LiveSession, clock: Clock) -> None:
    session.apply(event(K.WAITING_JOINED, "p1", "xX_b0mb3r_Xx", seconds=1))
    session.apply(event(K.ADMITTED, "p1", seconds=2))
    assert _kinds(session.record_command("remove", actor="teacher", participant_id="p1", command_id="c-1")) == ["command"]
    assert session.record_command("remove", actor="teacher", participant_id="p1", command_id="c-1") == []
    assert not session.command_done("c-1")

    clock.advance(2)
    failed = session.record_result("c-1", False, "the assistant is not co-host")
    assert _kinds(failed) == ["command_result"] and not session.command_done("c-1")
    done = session.record_result("c-1", True, "")
    assert _kinds(done) == ["command_result", "removed"]
    assert session.command_done("c-1")
    assert session.record_result("c-1", True, "") == [], "a duplicate success changes nothing"
    assert session.participant("p1").state is ParticipantState.REMOVED
    assert session.apply(event(K.LEFT, "p1", seconds=5)) == []

    with pytest.raises(ValueError):
        session.record_result("never-sent", True, "")


def test_meeting_wide_controls_and_manual_steps_are_recorded_with_who_did_them(session: LiveSession) -> None:
    session.record_command("mute_all", actor="autopilot", command_id="m1")
    assert _kinds(session.record_result("m1", True, "")) == ["command_result", "mute_all"]
    confirmed = session.record_manual_confirmation("Security ▸ Lock Meeting", actor="teacher")
    assert confirmed[0].entry.actor == "teacher" and confirmed[0].entry.detail["step"] == "Security ▸ Lock Meeting"
    session.record_command("end_for_all", actor="teacher", command_id="e1")
    assert not session.ended
    session.record_result("e1", True, "")
    assert session.ended
    assert _kinds(session.apply(event(K.ENDED, seconds=1500))) == ["session_ended"]
    assert session.apply(event(K.ENDED, seconds=1501, source="assistant")) == []


def test_a_gap_in_the_event_stream_is_an_alarm(session: LiveSession) -> None:
    changes = session.apply(event(K.MAY_HAVE_MISSED, seconds=60))
    assert _kinds(changes) == ["stream_gap", "alarm"]
    assert changes[1].alarm.kind is AlarmKind.MAY_HAVE_MISSED and "Participants" in changes[1].alarm.message


def test_started_at_is_zooms_start_when_it_says_so(session: LiveSession) -> None:
    assert session.started_at == T0
    session.apply(event(K.STARTED, seconds=42))
    assert session.started_at == T0.replace(second=42)


def test_a_failing_check_never_lets_anyone_through(clock: Clock) -> None:
    def broken(name: str, present: Collection[int], identity: object) -> Classification:
        raise RuntimeError("register unreadable")

    journal = journals().create(meeting_id=MEETING, topic="Class", planned_minutes=30, started_at=T0, rehearsal=False)
    session = LiveSession(journal=journal, classify=broken, clock=clock)
    changes = session.apply(event(K.WAITING_JOINED, "p1", "Amy B", seconds=1))
    assert session.participant("p1").verdict is Verdict.SUSPICIOUS
    assert session.admissible_waiting() == [] and changes[-1].alarm is not None
