"""Late copies: Zoom stamps to the whole second, the host assistant to the microsecond, and neither
source's late report of a step may bring someone back or admit them twice."""

from __future__ import annotations

import pytest

from tests.core.live_helpers import CONSENTED, MEETING, T0, Clock, classify, event, journals
from zoomhost.core.events import EventKind as K
from zoomhost.core.journal import JournalKind, SessionJournal
from zoomhost.core.session import LATE_COPY_SLACK, LiveSession, ParticipantState
from zoomhost.core.summary import SessionSummary


@pytest.fixture
def journal() -> SessionJournal:
    return journals().create(meeting_id=MEETING, topic="Class 4", planned_minutes=30, started_at=T0, rehearsal=True)


@pytest.fixture
def session(journal: SessionJournal) -> LiveSession:
    return LiveSession(journal=journal, classify=classify, expected_pupils=CONSENTED, clock=Clock())


def _count(session: LiveSession, *kinds: JournalKind) -> int:
    return sum(1 for entry in session.journal.entries() if entry.kind in kinds)


def test_the_assistants_late_wait_after_zooms_admission_in_the_same_second_is_not_a_second_arrival(session: LiveSession) -> None:
    # Zoom heard Amy wait and be admitted within 10:30:05 and stamped both 10:30:05; the assistant's
    # reports of the same two steps come later, stamped by its own clock within that second.
    session.apply(event(K.WAITING_JOINED, "p1", "Amy B", seconds=5, source="websocket"))
    session.apply(event(K.ADMITTED, "p1", seconds=5, source="websocket"))
    assert session.apply(event(K.WAITING_JOINED, "p1", "Amy B", seconds=5.15, source="assistant")) == []
    assert session.apply(event(K.ADMITTED, "p1", "Amy B", seconds=5.6, source="assistant")) == []
    row = session.participant("p1")
    assert row.state is ParticipantState.IN_MEETING and row.times_admitted == 1
    assert _count(session, JournalKind.ARRIVAL) == 1 and _count(session, JournalKind.ADMITTED, JournalKind.JOINED) == 1
    assert session.counts().admitted == 1 and session.counts().waiting == 0


def test_a_late_admission_after_the_other_source_saw_them_leave_does_not_bring_them_back(session: LiveSession) -> None:
    session.apply(event(K.WAITING_JOINED, "p1", "Amy B", seconds=5, source="websocket"))
    session.apply(event(K.ADMITTED, "p1", seconds=6, source="websocket"))
    session.apply(event(K.LEFT, "p1", seconds=6, source="websocket"))  # Zoom: in and out within 10:30:06
    assert session.apply(event(K.ADMITTED, "p1", "Amy B", seconds=6.4, source="assistant")) == []
    assert session.apply(event(K.JOINED, "p1", "Amy B", seconds=6.4, source="assistant")) == []
    assert session.participant("p1").state is ParticipantState.LEFT
    assert session.participant("p1").times_admitted == 1
    summary = SessionSummary.from_journal(session.journal)
    assert summary.counts["admitted"] == 1 and summary.counts["arrivals"] == 1


def test_the_same_source_moving_someone_back_is_news_and_a_put_back_it_hears_is_held(session: LiveSession) -> None:
    # The Meeting SDK hears a put-back as a leave and, at once, a new wait.
    session.apply(event(K.WAITING_JOINED, "p1", "Amy B", seconds=5, source="assistant"))
    session.apply(event(K.ADMITTED, "p1", seconds=6, source="assistant"))
    session.apply(event(K.LEFT, "p1", seconds=40.1, source="assistant"))
    changes = session.apply(event(K.WAITING_JOINED, "p1", "Amy B", seconds=40.102, source="assistant"))
    assert [c.kind for c in changes] == [JournalKind.PUT_BACK]
    row = session.participant("p1")
    assert row.state is ParticipantState.WAITING and row.held
    assert session.admissible_waiting() == [], "admit-all must not undo the teacher's put-back"
    # Zoom's own put-back event, a moment later, is the same happening.
    assert session.apply(event(K.PUT_BACK, "p1", seconds=40, source="websocket")) == []


def test_the_assistants_late_leave_after_zooms_put_back_is_part_of_the_put_back(session: LiveSession) -> None:
    session.apply(event(K.WAITING_JOINED, "p1", "Amy B", seconds=5, source="websocket"))
    session.apply(event(K.ADMITTED, "p1", seconds=6, source="websocket"))
    session.apply(event(K.PUT_BACK, "p1", seconds=40, source="websocket"))
    assert session.apply(event(K.LEFT, "p1", seconds=40.3, source="assistant")) == []
    assert session.apply(event(K.WAITING_JOINED, "p1", "Amy B", seconds=40.3, source="assistant")) == []
    row = session.participant("p1")
    assert row.state is ParticipantState.WAITING and row.held


def test_a_move_back_beyond_the_slack_is_believed_from_any_source(session: LiveSession) -> None:
    session.apply(event(K.WAITING_JOINED, "p1", "Amy B", seconds=5, source="websocket"))
    session.apply(event(K.ADMITTED, "p1", seconds=6, source="websocket"))
    session.apply(event(K.LEFT, "p1", seconds=60, source="websocket"))
    later = 60 + LATE_COPY_SLACK.total_seconds() + 1
    assert [c.kind for c in session.apply(event(K.WAITING_JOINED, "p1", "Amy B", seconds=later, source="assistant"))] == [
        JournalKind.ARRIVAL
    ]
    assert session.participant("p1").state is ParticipantState.WAITING


def test_the_rule_holds_after_a_restart(journal: SessionJournal, session: LiveSession) -> None:
    session.apply(event(K.WAITING_JOINED, "p1", "Amy B", seconds=5, source="websocket"))
    session.apply(event(K.ADMITTED, "p1", seconds=5, source="websocket"))
    resumed = LiveSession.resume(journal=journal, classify=classify, expected_pupils=CONSENTED, clock=Clock())
    assert resumed.snapshot() == session.snapshot()
    assert resumed.apply(event(K.WAITING_JOINED, "p1", "Amy B", seconds=5.2, source="assistant")) == []
    assert resumed.participant("p1").times_admitted == 1
