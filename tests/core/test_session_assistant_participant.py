"""The host assistant's own participant: known by the id it reports for itself, never by its name."""

from __future__ import annotations

import pytest

from tests.core.live_helpers import CONSENTED, MEETING, T0, Clock, classify, event, journals
from zoomhost.core.events import EventKind as K
from zoomhost.core.events import MeetingEvent
from zoomhost.core.journal import JournalKind, SessionJournal
from zoomhost.core.events import ASSISTANT_SELF
from zoomhost.core.session import AlarmKind, LiveSession
from zoomhost.core.summary import SessionSummary

NAME = "Safeguarding assistant"
MINE = "16777216"


@pytest.fixture
def journal() -> SessionJournal:
    return journals().create(meeting_id=MEETING, topic="Assembly", planned_minutes=30, started_at=T0, rehearsal=False)


def _session(journal: SessionJournal, **options: object) -> LiveSession:
    return LiveSession(journal=journal, classify=classify, expected_pupils=CONSENTED, clock=Clock(), **options)


def _myself(kind: K, *, seconds: float, pid: str = MINE, source: str = "assistant") -> MeetingEvent:
    return MeetingEvent(
        kind, MEETING, event(kind, seconds=seconds).at, f"self-{kind.value}-{pid}-{source}", participant_id=pid,
        display_name=NAME, source=source, extra={ASSISTANT_SELF: "true"},
    )


def test_the_assistant_known_by_its_id_is_journaled_but_never_classified_alarmed_or_counted(journal: SessionJournal) -> None:
    session = _session(journal, assistant_ids=[MINE])
    session.apply(event(K.STARTED, seconds=0))
    changes = session.apply(event(K.WAITING_JOINED, MINE, NAME, seconds=2))
    changes += session.apply(event(K.ADMITTED, MINE, seconds=20))
    assert [c.kind for c in changes] == [JournalKind.NOTE, JournalKind.NOTE]
    assert all(c.participant is None and c.alarm is None for c in changes)
    assert [c.entry.detail["event"] for c in changes] == ["waiting_joined", "admitted"]
    assert session.arrivals() == [] and session.alarms() == []
    counts = session.counts()
    assert (counts.waiting, counts.admitted, counts.left) == (0, 0, 0)
    session.apply(event(K.ENDED, seconds=600))
    summary = SessionSummary.from_journal(journal)
    assert summary.counts["arrivals"] == 0 and summary.counts["admitted"] == 0 and summary.incidents == ()


def test_a_zoombomber_calling_themselves_the_assistant_is_checked_like_anyone(journal: SessionJournal) -> None:
    session = _session(journal, assistant_ids=[MINE])
    # From Zoom's event stream, and from the assistant's own eyes (without its "this is me" flag).
    for pid, source in (("16779264", "websocket"), ("16780288", "assistant")):
        session.apply(event(K.WAITING_JOINED, pid, NAME, seconds=5, source=source))
        session.apply(event(K.ADMITTED, pid, seconds=9, source=source))
        assert session.participant(pid).verdict.value == "not_on_register"
    # Nor does a flag from anywhere but the assistant's own connection make anyone the assistant.
    forged = _myself(K.JOINED, seconds=10, pid="16781312", source="websocket")
    session.apply(forged)
    assert session.participant("16781312") is not None and session.assistant_ids == {MINE}
    alarmed = {a.participant_id for a in session.alarms() if a.kind is AlarmKind.NOT_ALLOWED_IN}
    assert alarmed == {"16779264", "16780288", "16781312"}
    assert session.counts().admitted == 3


def test_the_assistant_saying_it_is_itself_after_zoom_showed_it_takes_back_its_row_and_alarm(journal: SessionJournal) -> None:
    session = _session(journal)
    session.apply(event(K.WAITING_JOINED, MINE, NAME, seconds=2))
    session.apply(event(K.ADMITTED, MINE, seconds=20))  # admitted in Zoom before the assistant could say who it is
    assert [a.kind for a in session.alarms()] == [AlarmKind.NOT_ALLOWED_IN]
    changes = session.apply(_myself(K.JOINED, seconds=20.4))
    assert [c.entry.detail["note"] for c in changes] == ["assistant", "assistant_seen"]
    assert session.participant(MINE) is None and session.alarms() == [] and session.counts().admitted == 0
    assert session.apply(event(K.LEFT, MINE, seconds=500)) and session.participant(MINE) is None
    summary = SessionSummary.from_journal(journal)
    assert summary.counts["arrivals"] == 0 and summary.incidents == () and summary.not_admitted == ()
    # A restart rebuilds the same picture from the journal.
    resumed = LiveSession.resume(journal=journal, classify=classify, expected_pupils=CONSENTED, clock=Clock())
    assert resumed.snapshot() == session.snapshot() and resumed.assistant_ids == {MINE}
    assert resumed.apply(event(K.JOINED, MINE, NAME, seconds=600)) and resumed.arrivals() == []


def test_the_assistant_waiting_and_then_given_a_new_id_by_zoom_is_still_nobody_s_row(journal: SessionJournal) -> None:
    """The assistant says which participant it is while it waits, with its participant_uuid; when Zoom's event
    stream gives it a new user id on admission, the same participant_uuid says it is still the assistant."""
    from dataclasses import replace

    from zoomhost.core.events import PARTICIPANT_UUID

    session = _session(journal)
    session.apply(event(K.STARTED, seconds=0))
    waiting = _myself(K.WAITING_JOINED, seconds=1)
    session.apply(replace(waiting, extra={**waiting.extra, PARTICIPANT_UUID: "assistant-uuid-1"}))
    stream = [
        event(K.WAITING_JOINED, MINE, NAME, seconds=2),  # Zoom's own word of it, waiting
        event(K.ADMITTED, "16999424", NAME, seconds=30),  # the teacher admitted it: a new id in Zoom's events
        event(K.JOINED, "16999424", NAME, seconds=30),
    ]
    for item in stream:
        session.apply(replace(item, extra={PARTICIPANT_UUID: "assistant-uuid-1"}))
    assert session.arrivals() == [] and session.alarms() == []
    assert session.assistant_ids == {MINE}
    # A stranger under its name, and a participant_uuid of its own, is checked like anyone.
    session.apply(replace(event(K.JOINED, "17000448", NAME, seconds=40), extra={PARTICIPANT_UUID: "someone-else"}))
    assert [a.kind for a in session.alarms()] == [AlarmKind.NOT_ALLOWED_IN]
