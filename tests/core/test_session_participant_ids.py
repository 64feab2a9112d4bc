"""One person, several ids: Zoom's events and Dashboard may give a participant a new ``user_id`` when they
are admitted or put back, while ``participant_uuid`` stays the same for the meeting. The session keeps
one row per stay, matched by ``participant_uuid`` while the person is here, and a restart keeps the match."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.core.live_helpers import CONSENTED, MEETING, T0, Clock, classify, event, journals
from zoomhost.core.events import PARTICIPANT_UUID
from zoomhost.core.events import EventKind as K
from zoomhost.core.journal import JournalKind, SessionJournal
from zoomhost.core.session import LiveSession, ParticipantState
from zoomhost.core.summary import SessionSummary


def said(kind: K, pid: str, uuid: str | None, name: str | None = None, **kwargs: object):  # noqa: ANN201
    found = event(kind, pid, name, **kwargs)  # type: ignore[arg-type]
    return replace(found, extra={PARTICIPANT_UUID: uuid}) if uuid else found


@pytest.fixture
def journal() -> SessionJournal:
    return journals().create(meeting_id=MEETING, topic="Class 4", planned_minutes=30, started_at=T0, rehearsal=True)


@pytest.fixture
def session(journal: SessionJournal) -> LiveSession:
    return LiveSession(journal=journal, classify=classify, expected_pupils=CONSENTED, clock=Clock())


def test_a_new_user_id_on_admission_is_the_same_row_when_the_participant_uuid_says_so(session: LiveSession) -> None:
    session.apply(said(K.WAITING_JOINED, "16778240", "uuid-amy", "Amy B", seconds=1))
    session.apply(said(K.ADMITTED, "16780288", "uuid-amy", "Amy B", seconds=3))  # the meeting gave her a new id
    session.apply(said(K.JOINED, "16780288", "uuid-amy", "Amy B", seconds=3))
    assert [row.participant_id for row in session.arrivals()] == ["16778240"]
    amy = session.participant("16778240")
    assert amy.state is ParticipantState.IN_MEETING and amy.times_admitted == 1
    assert session.match("16780288") == "16778240"  # later reports under the new id, even without the uuid
    session.apply(said(K.PUT_BACK, "16782336", "uuid-amy", seconds=5))  # and another on the way back
    assert session.participant("16778240").state is ParticipantState.WAITING
    session.apply(event(K.LEFT, "16782336", seconds=6))
    assert session.participant("16778240").state is ParticipantState.LEFT_WAITING_ROOM
    entries = session.journal.entries()
    assert sum(e.kind is JournalKind.ARRIVAL for e in entries) == 1
    assert {e.participant_id for e in entries if e.participant_id} == {"16778240"}
    assert not any(e.kind is JournalKind.ALARM for e in entries), "no duplicate, no 'not allowed in'"
    assert "uuid-amy" not in repr([e.detail for e in entries]), "the journal keeps a digest, not Zoom's id"


def test_the_match_survives_a_restart(session: LiveSession, journal: SessionJournal) -> None:
    session.apply(said(K.WAITING_JOINED, "100", "uuid-mo", "Mo K", seconds=1))
    session.apply(said(K.ADMITTED, "200", "uuid-mo", seconds=2))
    again = LiveSession.resume(journal=journal, classify=classify, expected_pupils=CONSENTED, clock=Clock())
    assert again.match("200") == "100" and again.match("300", "uuid-mo") == "100"
    again.apply(event(K.LEFT, "200", seconds=9))
    assert again.participant("100").state is ParticipantState.LEFT
    assert again.snapshot()["people"] == [row.as_dict() for row in again.arrivals()]


def test_someone_who_left_and_comes_back_is_a_new_arrival_even_with_the_same_participant_uuid(session: LiveSession) -> None:
    session.apply(said(K.WAITING_JOINED, "100", "uuid-zoe", "Zoë L", seconds=1))
    session.apply(said(K.ADMITTED, "200", "uuid-zoe", seconds=2))
    session.apply(said(K.LEFT, "200", "uuid-zoe", seconds=3))
    session.apply(said(K.WAITING_JOINED, "300", "uuid-zoe", "Zoë L", seconds=20))  # Zoom makes a rejoin a new join
    assert [(r.participant_id, r.state) for r in session.arrivals()] == [
        ("100", ParticipantState.LEFT),
        ("300", ParticipantState.WAITING),
    ]
    session.apply(said(K.ADMITTED, "400", "uuid-zoe", seconds=21))
    assert session.participant("300").state is ParticipantState.IN_MEETING
    assert session.participant("100").times_admitted == 1


def test_other_people_with_other_participant_uuids_are_never_merged(session: LiveSession) -> None:
    # Two children at one family device signed in to one Zoom account: one account id, two participants.
    session.apply(said(K.WAITING_JOINED, "100", "uuid-1", "Amy B", seconds=1))
    session.apply(said(K.WAITING_JOINED, "101", "uuid-2", "Amy T", seconds=1))
    session.apply(said(K.ADMITTED, "200", "uuid-2", seconds=2))
    assert session.participant("100").state is ParticipantState.WAITING
    assert session.participant("101").state is ParticipantState.IN_MEETING
    # An unknown id with no uuid is someone new, as before.
    session.apply(event(K.JOINED, "999", "Mrs Hughes", seconds=3))
    assert len(session.arrivals()) == 3
    summary = SessionSummary.from_journal(session.journal)
    assert summary.counts["arrivals"] == 3
