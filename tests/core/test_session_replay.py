"""Properties of the live session over random meetings: replay rebuilds the exact state, repeats change nothing,
and nobody unchecked is ever offered for admission."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.live_helpers import CONSENTED, MEETING, T0, Clock, classify, journals
from zoomhost.core.events import EventKind as K
from zoomhost.core.events import MeetingEvent
from zoomhost.core.journal import SessionJournal
from zoomhost.core.session import AlarmKind, LiveSession

PIDS = ("a", "b", "c", "d")
NAMES = ("Amy B", "Amy", "Zoë L", "Oliver S", "Mrs Hughes", "iPad", "Amy B\u200b", "Mo K", "Chloé D")
KINDS = (
    K.WAITING_JOINED,
    K.WAITING_JOINED,
    K.WAITING_RENAMED,
    K.WAITING_LEFT,
    K.ADMITTED,
    K.JOINED,
    K.PUT_BACK,
    K.LEFT,
    K.STARTED,
    K.ENDED,
    K.MAY_HAVE_MISSED,
)
ACTORS = ("teacher", "autopilot", "assistant")
COMMANDS = ("remove", "mute_all", "lock", "unlock", "end_for_all", "admit", "chat_off", "lock_share")

operations = st.lists(
    st.one_of(
        st.tuples(st.just("event"), st.sampled_from(KINDS), st.sampled_from(PIDS), st.sampled_from(NAMES), st.integers(-3, 20)),
        st.tuples(st.just("lock"), st.sampled_from(ACTORS)),
        st.tuples(st.just("unlock"), st.sampled_from(ACTORS)),
        st.tuples(st.just("hold"), st.sampled_from(PIDS)),
        st.tuples(st.just("command"), st.sampled_from(COMMANDS), st.sampled_from((*PIDS, None)), st.integers(0, 3)),
        st.tuples(st.just("result"), st.integers(0, 3), st.booleans()),
        st.tuples(st.just("confirm"), st.sampled_from(("Alt+M mute all", "Security ▸ Lock Meeting"))),
        st.tuples(st.just("replay"), st.integers(0, 40)),
    ),
    max_size=35,
)

RANDOM_MEETINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _play(ops: list[tuple]) -> tuple[LiveSession, SessionJournal, list[MeetingEvent]]:
    journal = journals().create(meeting_id=MEETING, topic="Random", planned_minutes=30, started_at=T0, rehearsal=True)
    clock = Clock()
    session = LiveSession(journal=journal, classify=classify, expected_pupils=CONSENTED, clock=clock)
    heard: list[MeetingEvent] = []
    commands: set[str] = set()
    seconds = 0
    for op in ops:
        clock.advance(1)
        if op[0] == "event":
            _, kind, pid, name, step = op
            seconds += step
            item = MeetingEvent(
                kind=kind,
                meeting_id=MEETING,
                at=T0 + timedelta(seconds=seconds),
                event_id=f"e{len(heard)}",
                participant_id=None if kind in (K.STARTED, K.ENDED, K.MAY_HAVE_MISSED) else pid,
                display_name=name,
            )
            heard.append(item)
            session.apply(item)
        elif op[0] == "lock":
            session.lock(op[1])
        elif op[0] == "unlock":
            session.unlock(op[1])
        elif op[0] == "hold":
            session.hold(op[1], actor="teacher")
        elif op[0] == "command":
            _, name, pid, n = op
            session.record_command(name, actor="teacher", participant_id=pid, command_id=f"c{n}")
            commands.add(f"c{n}")
        elif op[0] == "result" and f"c{op[1]}" in commands:
            session.record_result(f"c{op[1]}", op[2], "" if op[2] else "no answer")
        elif op[0] == "confirm":
            session.record_manual_confirmation(op[1], actor="teacher")
        elif op[0] == "replay" and heard:
            session.apply(heard[op[1] % len(heard)])
    return session, journal, heard


@RANDOM_MEETINGS
@given(operations)
def test_replaying_the_journal_rebuilds_exactly_the_state_on_screen(ops: list[tuple]) -> None:
    session, journal, _ = _play(ops)
    before = session.snapshot()
    with journals().open(journal.session_id) as reopened:
        resumed = LiveSession.resume(journal=reopened, classify=classify, expected_pupils=CONSENTED)
        assert resumed.snapshot() == before
        assert resumed.counts() == session.counts()
        assert resumed.admissible_waiting() == session.admissible_waiting()
    journal.close()


@RANDOM_MEETINGS
@given(operations)
def test_hearing_everything_again_changes_nothing(ops: list[tuple]) -> None:
    session, journal, heard = _play(ops)
    before = session.snapshot()
    entries = len(journal.entries())
    for item in heard:
        assert session.apply(item) == []
    assert session.snapshot() == before and len(journal.entries()) == entries
    journal.close()


@RANDOM_MEETINGS
@given(operations)
def test_an_event_heard_from_a_second_source_is_not_a_second_happening(ops: list[tuple]) -> None:
    journal = journals().create(meeting_id=MEETING, topic="Random", planned_minutes=30, started_at=T0, rehearsal=True)
    session = LiveSession(journal=journal, classify=classify, expected_pupils=CONSENTED, clock=Clock())
    _, _, heard = _play(ops)
    for item in heard:
        session.apply(item)
        if item.kind is K.MAY_HAVE_MISSED:
            continue  # two gap reports are two gaps
        copy = replace(item, event_id=f"assistant-{item.event_id}", source="assistant")
        assert session.apply(copy) == []
    journal.close()


@RANDOM_MEETINGS
@given(operations)
def test_nobody_unchecked_is_offered_for_admission_and_every_wrong_admission_is_an_alarm(ops: list[tuple]) -> None:
    session, journal, _ = _play(ops)
    offered = session.admissible_waiting()
    for row in offered:
        assert row.verdict.admissible and not row.held and not row.after_lock
    pupils = [row.pupil_id for row in offered if row.pupil_id is not None]
    assert len(pupils) == len(set(pupils))
    inside = {row.pupil_id for row in session.in_meeting()}
    assert not inside.intersection(pupils)
    alarmed = {a.participant_id for a in session.alarms() if a.kind is AlarmKind.NOT_ALLOWED_IN}
    for row in session.in_meeting():
        if not row.verdict.admissible:
            assert row.participant_id in alarmed
    journal.close()
