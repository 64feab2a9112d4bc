"""Events that arrive together, and an admit-all's commands and results, are journaled in one transaction:
the same record as one at a time, and nothing shown or kept when the write fails."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from tests.core.live_helpers import MEETING, T0, Clock, assembly_classify, assembly_stream, classify, event, journals
from zoomhost.core.events import EventKind as K
from zoomhost.core.journal import JournalEntry, JournalError, SessionJournal, SessionJournals
from zoomhost.core.session import CommandOutcome, LiveSession, ParticipantState


class CountingJournal(SessionJournal):
    """A real journal that counts its transactions (each ``record`` is one) and can be made to fail."""

    transactions = 0
    fail = False

    def record(self, entries: Iterable[JournalEntry]) -> list[JournalEntry | None]:
        entries = list(entries)
        if entries:
            type(self).transactions += 1
        if self.fail:
            raise JournalError("the disk is full (simulated).")
        return super().record(entries)


class CountingJournals(SessionJournals):
    journal_type = CountingJournal


@pytest.fixture(autouse=True)
def _reset() -> None:
    CountingJournal.transactions = 0
    CountingJournal.fail = False


def _session(*, classify_with=assembly_classify) -> LiveSession:
    journal = CountingJournals(journals().folder).create(meeting_id=MEETING, topic="Assembly", planned_minutes=30, started_at=T0, rehearsal=True)
    return LiveSession(journal=journal, classify=classify_with, expected_pupils=108, clock=Clock())


def _record(session: LiveSession) -> list[tuple[object, ...]]:
    return [(e.kind, e.event_key, e.participant_id, e.verdict, e.pupil_id, dict(e.detail)) for e in session.journal.entries()]


@pytest.mark.parametrize("size", [2, 7, 32, 1000])
def test_a_burst_applied_together_keeps_the_same_record_as_one_at_a_time(size: int) -> None:
    one_by_one, together = _session(), _session()
    stream = assembly_stream()
    for item in stream:
        one_by_one.apply(item)
    CountingJournal.transactions = 0
    heard = []
    for start in range(0, len(stream), size):
        heard += together.apply_many(stream[start : start + size])
    assert _record(together) == _record(one_by_one)
    assert together.snapshot() == one_by_one.snapshot()
    assert CountingJournal.transactions == -(-len(stream) // size), "one transaction per burst"
    assert [c.entry.event_key for c in heard] == [e.event_key for e in together.journal.entries()]
    assert all(c.entry.seq > 0 for c in heard), "what is shown has been stored"


def test_within_one_burst_each_event_sees_the_ones_before_it() -> None:
    session = _session(classify_with=classify)
    burst = [
        event(K.WAITING_JOINED, "p1", "Amy B", seconds=1, event_id="a"),
        event(K.WAITING_JOINED, "p1", "Amy B", seconds=1.1, event_id="a", source="assistant"),  # the same event twice
        event(K.WAITING_JOINED, "x1", "Amy B", seconds=2),  # an impostor while Amy waits: a duplicate
        event(K.ADMITTED, "p1", seconds=3),
        event(K.JOINED, "p1", "Amy B", seconds=3),  # follows the admission: nothing new
        event(K.LEFT, "p1", seconds=4),
    ]
    changes = session.apply_many(burst)
    assert [c.kind.value for c in changes] == ["arrival", "arrival", "alarm", "admitted", "left"]
    assert changes[2].alarm is not None and changes[2].alarm.kind.value == "duplicate"
    assert session.participant("p1").state is ParticipantState.LEFT
    assert session.participant("p1").times_admitted == 1


def test_a_burst_that_cannot_be_written_leaves_nothing_shown_or_kept() -> None:
    session = _session(classify_with=classify)
    session.apply(event(K.WAITING_JOINED, "p1", "Amy B", seconds=1))
    before, entries = session.snapshot(), session.journal.entries()
    CountingJournal.fail = True
    with pytest.raises(JournalError):
        session.apply_many([event(K.ADMITTED, "p1", seconds=2), event(K.WAITING_JOINED, "p2", "Mo K", seconds=3)])
    assert session.snapshot() == before and session.journal.entries() == entries
    CountingJournal.fail = False
    late = session.apply_many([event(K.ADMITTED, "p1", seconds=2, event_id="retry-1"), event(K.WAITING_JOINED, "p2", "Mo K", seconds=3)])
    assert [c.kind.value for c in late] == ["admitted", "arrival"], "the same events go in once the disk has room"


def test_admit_all_journals_its_commands_and_then_their_results_one_transaction_each() -> None:
    session = _session(classify_with=classify)
    for n, name in enumerate(["Amy B", "Mo K", "Chloé D"]):
        session.apply(event(K.WAITING_JOINED, f"p{n}", name, seconds=n))
    CountingJournal.transactions = 0
    pairs = [(row.participant_id, f"admit-{row.participant_id}") for row in session.admissible_waiting()]
    commands = session.record_commands("admit_all", actor="teacher", commands=[*pairs, pairs[0]])
    assert [c.entry.detail["command_id"] for c in commands] == [cid for _, cid in pairs], "a command id once only"
    assert session.record_commands("admit_all", actor="teacher", commands=pairs) == [], "a retry journals nothing"
    results = session.record_results(
        [CommandOutcome("admit-p0", True, "Admitted."), CommandOutcome("admit-p1", False, "Zoom refused"), CommandOutcome("admit-p1", True, "")]
    )
    assert [(c.kind.value, c.entry.detail.get("ok")) for c in results] == [
        ("command_result", True),
        ("command_result", False),
        ("command_result", True),
    ]
    assert CountingJournal.transactions == 2
    assert session.command_done("admit-p0") and session.command_done("admit-p1") and not session.command_done("admit-p2")
    failures = session.snapshot()["commands"]["admit-p1"]["failures"]
    assert failures == 1
    with pytest.raises(ValueError):
        session.record_results([CommandOutcome("admit-p2", True), CommandOutcome("never-sent", True)])
    assert not session.command_done("admit-p2"), "a batch with an unknown command records none of it"
