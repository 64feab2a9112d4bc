"""Admitting someone: Zoom's report of the admission and the admit command's answer may come in either
order, and the host assistant may go away before it answers. The record says the same thing every way,
and never sends the teacher to check in Zoom what Zoom has already said."""

from __future__ import annotations

from datetime import timedelta

from tests.core.live_helpers import CONSENTED, MEETING, T0, Clock, classify, event, journals
from zoomhost.core.events import EventKind as K
from zoomhost.core.journal import JournalKind
from zoomhost.core.session import ADMISSION_SEEN_IN_ZOOM, LiveSession, ParticipantState
from zoomhost.core.summary import SessionSummary

WENT_AWAY = "The host assistant went away before confirming this; check it in Zoom."


def _amy_waiting_and_the_autopilot_admitting() -> tuple[LiveSession, Clock]:
    clock = Clock()
    journal = journals().create(meeting_id=MEETING, topic="Assembly", planned_minutes=30, started_at=T0, rehearsal=True)
    session = LiveSession(journal=journal, classify=classify, expected_pupils=CONSENTED, clock=clock)
    session.apply(event(K.STARTED, seconds=0))
    session.apply(event(K.WAITING_JOINED, "p1", "Amy B", seconds=5))
    clock.now = T0 + timedelta(seconds=5, milliseconds=200)
    session.record_commands("admit", actor="autopilot", commands=[("p1", "admit-1")])
    return session, clock


def _summary(session: LiveSession, clock: Clock) -> SessionSummary:
    clock.now = T0 + timedelta(minutes=20)
    session.apply(event(K.ENDED, seconds=1200))
    return SessionSummary.from_journal(session.journal)


def _results(session: LiveSession) -> list[tuple[bool, str]]:
    return [(e.detail["ok"], e.detail["message"]) for e in session.journal.entries() if e.kind is JournalKind.COMMAND_RESULT]


def test_zoom_reporting_the_admission_before_the_assistant_went_away_makes_the_admit_done() -> None:
    answered, clock = _amy_waiting_and_the_autopilot_admitting()
    answered.apply(event(K.ADMITTED, "p1", seconds=6))
    clock.now += timedelta(milliseconds=300)
    answered.record_result("admit-1", True, "Admitted.")

    went_away, clock2 = _amy_waiting_and_the_autopilot_admitting()
    changes = went_away.apply(event(K.ADMITTED, "p1", seconds=6))
    assert [c.kind for c in changes] == [JournalKind.ADMITTED, JournalKind.COMMAND_RESULT]
    clock2.now += timedelta(milliseconds=300)
    assert went_away.record_result("admit-1", False, WENT_AWAY) == []  # Zoom has already answered
    assert went_away.command_done("admit-1")
    assert _results(went_away) == [(True, ADMISSION_SEEN_IN_ZOOM)]

    one, other = _summary(answered, clock), _summary(went_away, clock2)
    assert one.comparable() == other.comparable()
    assert ("admit", "autopilot", "Amy B. (Year 3)") in {tuple(a) for a in other.comparable()["host_actions"]}
    assert not [row for row in other.timeline if "check it in Zoom" in row.outcome]


def test_an_admission_zoom_reports_after_the_assistant_went_away_is_that_admits_doing() -> None:
    session, clock = _amy_waiting_and_the_autopilot_admitting()
    clock.now += timedelta(milliseconds=300)
    session.record_result("admit-1", False, WENT_AWAY)
    session.apply(event(K.ADMITTED, "p1", seconds=6))
    assert session.participant("p1").state is ParticipantState.IN_MEETING
    assert session.command_done("admit-1")
    assert _results(session) == [(False, WENT_AWAY), (True, ADMISSION_SEEN_IN_ZOOM)]
    assert ("admit", "autopilot", "Amy B. (Year 3)") in {tuple(a) for a in _summary(session, clock).comparable()["host_actions"]}


def test_a_channels_own_success_is_kept_and_an_admission_nobody_asked_for_confirms_nothing() -> None:
    session, clock = _amy_waiting_and_the_autopilot_admitting()
    clock.now += timedelta(milliseconds=300)
    session.record_result("admit-1", True, "Admitted.")
    session.apply(event(K.ADMITTED, "p1", seconds=6))
    assert _results(session) == [(True, "Admitted.")]

    session.apply(event(K.WAITING_JOINED, "p2", "Zoë L", seconds=8))
    changes = session.apply(event(K.ADMITTED, "p2", seconds=9))  # let in by hand in the Zoom client
    assert [c.kind for c in changes] == [JournalKind.ADMITTED]
    assert _results(session) == [(True, "Admitted.")]
