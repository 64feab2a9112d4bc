"""Removing someone: Zoom's "left" and the remove command's result may come in either order,
and the record must say the same thing either way."""

from __future__ import annotations

from datetime import timedelta

from tests.core.live_helpers import CONSENTED, MEETING, T0, Clock, classify, event, journals
from zoomhost.core.events import EventKind as K
from zoomhost.core.journal import JournalKind
from zoomhost.core.session import LiveSession, ParticipantState
from zoomhost.core.summary import SessionSummary


def _meeting_with_a_zoombomber() -> tuple[LiveSession, Clock]:
    clock = Clock()
    journal = journals().create(meeting_id=MEETING, topic="Assembly", planned_minutes=30, started_at=T0, rehearsal=True)
    session = LiveSession(journal=journal, classify=classify, expected_pupils=CONSENTED, clock=clock)
    session.apply(event(K.STARTED, seconds=0))
    session.apply(event(K.WAITING_JOINED, "p1", "Amy B", seconds=5))
    session.apply(event(K.ADMITTED, "p1", seconds=6))
    session.apply(event(K.WAITING_JOINED, "x1", "xX_b0mb3r_Xx", seconds=10))
    session.apply(event(K.ADMITTED, "x1", seconds=12))  # let in by hand in the Zoom client
    clock.now = T0 + timedelta(seconds=30)
    session.record_command("remove", actor="teacher", participant_id="x1", command_id="remove-1")
    return session, clock


def _end(session: LiveSession, clock: Clock) -> SessionSummary:
    clock.now = T0 + timedelta(minutes=20)
    session.apply(event(K.ENDED, seconds=1200))
    return SessionSummary.from_journal(session.journal)


def test_the_result_first_or_zooms_left_first_give_the_same_summary() -> None:
    result_first, clock = _meeting_with_a_zoombomber()
    clock.now += timedelta(milliseconds=300)
    result_first.record_result("remove-1", True, "")
    result_first.apply(event(K.LEFT, "x1", seconds=30))

    left_first, clock2 = _meeting_with_a_zoombomber()
    changes = left_first.apply(event(K.LEFT, "x1", seconds=30))
    assert [c.kind for c in changes] == [JournalKind.LEFT, JournalKind.REMOVED]
    clock2.now += timedelta(milliseconds=300)
    assert [c.kind for c in left_first.record_result("remove-1", True, "")] == [JournalKind.COMMAND_RESULT]

    for session in (result_first, left_first):
        assert session.participant("x1").state is ParticipantState.REMOVED
        assert sum(1 for e in session.journal.entries() if e.kind is JournalKind.REMOVED) == 1
    one, other = _end(result_first, clock), _end(left_first, clock2)
    assert one.counts["removed"] == other.counts["removed"] == 1
    assert one.comparable() == other.comparable()
    assert ("remove", "teacher", "xX_b0mb3r_Xx") in {tuple(a) for a in other.comparable()["host_actions"]}


def test_a_leave_while_the_remove_has_no_answer_yet_is_the_removes_doing() -> None:
    session, clock = _meeting_with_a_zoombomber()
    session.apply(event(K.LEFT, "x1", seconds=31))
    assert session.participant("x1").state is ParticipantState.REMOVED
    assert _end(session, clock).counts["removed"] == 1


def test_someone_leaving_on_their_own_is_not_counted_as_removed() -> None:
    session, clock = _meeting_with_a_zoombomber()
    session.record_result("remove-1", False, "the assistant is not co-host")
    session.apply(event(K.LEFT, "x1", seconds=31))  # the remove failed: they left of their own accord
    session.apply(event(K.LEFT, "p1", seconds=32))  # nobody tried to remove Amy
    assert session.participant("x1").state is ParticipantState.LEFT
    assert session.participant("p1").state is ParticipantState.LEFT
    assert _end(session, clock).counts["removed"] == 0


def test_a_remove_sent_long_after_someone_left_does_not_remove_them_afterwards() -> None:
    session, clock = _meeting_with_a_zoombomber()
    session.apply(event(K.LEFT, "p1", seconds=8))
    clock.now = T0 + timedelta(minutes=5)
    session.record_command("remove", actor="teacher", participant_id="p1", command_id="remove-2")
    session.record_result("remove-2", True, "")
    assert session.participant("p1").state is ParticipantState.LEFT
