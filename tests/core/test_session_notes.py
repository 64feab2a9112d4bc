"""Notes the session journals: the engine's (through ``record_note``) and host changes Zoom reports."""

from __future__ import annotations

import pytest

from tests.core.live_helpers import CONSENTED, MEETING, T0, Clock, classify, event, journals
from zoomhost.core.events import EventKind as K
from zoomhost.core.events import MeetingEvent
from zoomhost.core.journal import JournalKind
from zoomhost.core.session import LiveSession, SessionNote
from zoomhost.core.summary import SessionSummary


@pytest.fixture
def session() -> LiveSession:
    journal = journals().create(meeting_id=MEETING, topic="Class 4", planned_minutes=30, started_at=T0, rehearsal=True)
    return LiveSession(journal=journal, classify=classify, expected_pupils=CONSENTED, clock=Clock())


def test_a_note_is_journaled_with_its_detail_and_a_keyed_note_only_once(session: LiveSession) -> None:
    changes = session.record_note("timer", actor="system", key="timer:planned_length_reached", detail={"stage": "reached"})
    assert [c.kind for c in changes] == [JournalKind.NOTE]
    stored = session.journal.entries()[-1]
    assert stored.event_key == "note:timer:planned_length_reached" and stored.actor == "system"
    assert dict(stored.detail) == {"note": "timer", "stage": "reached"} and stored.at == T0
    assert session.record_note("timer", key="timer:planned_length_reached", detail={"stage": "reached"}) == []
    assert len(session.record_note("channel", actor="teacher", detail={"state": "fallen_back"})) == 1
    assert session.arrivals() == [] and session.alarms() == []


def test_the_engine_cannot_forge_the_sessions_own_notes(session: LiveSession) -> None:
    with pytest.raises(ValueError):
        session.record_note(SessionNote.ASSISTANT.value, detail={"participant_id": "x1"})
    assert session.journal.entries() == []


def test_a_host_change_is_a_quiet_note_not_an_arrival(session: LiveSession) -> None:
    cohost = MeetingEvent(
        K.HOST_CHANGED, MEETING, T0, "assistant-1-host_changed-16778240-1", participant_id="16778240",
        display_name="Mr Quayle", source="assistant", extra={"role": "co-host"},
    )
    changes = session.apply(cohost)
    assert [c.kind for c in changes] == [JournalKind.NOTE] and changes[0].participant is None and changes[0].alarm is None
    note = session.journal.entries()[-1]
    assert note.detail["note"] == "host_changed" and note.detail["role"] == "co-host"
    assert (note.participant_id, note.display_name) == ("16778240", "Mr Quayle")
    assert session.apply(cohost) == []  # heard again after a reconnect
    assert session.arrivals() == [] and session.alarms() == [] and session.counts().admitted == 0
    # The same person's real arrival is still classified as usual.
    session.apply(event(K.JOINED, "16778240", "Mrs Hughes", seconds=2))
    assert session.participant("16778240").verdict.value == "staff"
    summary = SessionSummary.from_journal(session.journal)
    assert summary.counts["arrivals"] == 1 and summary.counts["incidents"] == 0
