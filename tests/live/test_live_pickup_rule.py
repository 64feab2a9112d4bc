"""The pick-up's one judgement about time: a row changed a moment before Zoom's roster was taken is left to the
live events about it, unless the run that stopped changed it last, when no live event about it will ever come."""

from __future__ import annotations

from datetime import timedelta

from tests.core.live_helpers import MEETING, T0, Clock, classify, event, journals
from zoomhost.core.events import EventKind as K
from zoomhost.core.session import LiveSession, ParticipantState
from zoomhost.live.pickup import reconcile_events
from zoomhost.zoom.client import LiveParticipant


def _on_roster(pid: str, name: str, *, waiting: bool) -> LiveParticipant:
    return LiveParticipant(participant_id=pid, display_name=name, in_waiting_room=waiting, join_time=None, leave_time=None)


def test_an_admission_the_stopped_run_asked_for_a_moment_before_it_stopped_is_taken_from_the_roster() -> None:
    journal = journals().create(meeting_id=MEETING, topic="Assembly", planned_minutes=30, started_at=T0, rehearsal=True)
    session = LiveSession(journal=journal, classify=classify, expected_pupils=4, clock=Clock())
    session.apply(event(K.WAITING_JOINED, "p1", "Amy B", seconds=1))
    session.apply(event(K.WAITING_JOINED, "p2", "Zoë L", seconds=1.5))
    as_found = {row.participant_id: row.last_change for row in session.arrivals()}  # as the restart finds the journal
    roster = [_on_roster("p1", "Amy B", waiting=False)]  # Zoom let Amy in; Zoë gave up waiting
    taken = T0 + timedelta(seconds=2)  # a moment after both arrived

    # Heard by this run: the live events about them are newer than the roster, so it changes nothing.
    assert reconcile_events(session, roster, meeting_id=MEETING, taken=taken) == []

    # Changed last by the run that stopped: Zoom's roster is all there will ever be.
    events = reconcile_events(session, roster, meeting_id=MEETING, taken=taken, as_found=as_found)
    assert sorted((e.kind, e.participant_id) for e in events) == [(K.ADMITTED, "p1"), (K.LEFT, "p2")]
    session.apply_many(events)
    assert session.participant("p1").state is ParticipantState.IN_MEETING
    assert session.participant("p2").state is ParticipantState.LEFT_WAITING_ROOM

    # Once this run has heard something newer about a row, that row is fresh again.
    session.apply(event(K.PUT_BACK, "p1", seconds=2.5))
    roster = [_on_roster("p1", "Amy B", waiting=False)]
    assert reconcile_events(session, roster, meeting_id=MEETING, taken=T0 + timedelta(seconds=3), as_found=as_found) == []
