"""A burst of arrivals on the event stream is journaled a batch at a time, each batch before the panel hears it,
and the loop gets a turn between batches (the auto-lock and the panic key are never held up by a whole burst)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

from tests.core.live_helpers import MEETING, T0, Clock, assembly_classify, assembly_stream, event, journals
from tests.core.test_session_group_commit import CountingJournal, CountingJournals
from tests.live.helpers import until
from zoomhost.assistant.fallback import ManualChannel
from zoomhost.core.events import EventKind
from zoomhost.core.journal import JournalKind
from zoomhost.core.session import LiveSession, SessionChange
from zoomhost.live.engine import LiveController
from zoomhost.live.intake import EVENT_BATCH


async def _burst(events: Sequence[object]) -> AsyncIterator[object]:
    for item in events:  # all at once, as a socket full of frames is read
        yield item


def test_a_burst_is_journaled_in_batches_each_before_the_panel_hears_it() -> None:
    asyncio.run(_burst_run())


async def _burst_run() -> None:
    stream = [e for e in assembly_stream() if e.kind is not EventKind.ENDED]
    journal = CountingJournals(journals().folder).create(meeting_id=MEETING, topic="Assembly", planned_minutes=30, started_at=T0, rehearsal=True)
    session = LiveSession(journal=journal, classify=assembly_classify, expected_pupils=108, clock=Clock())
    loop = asyncio.get_running_loop()
    heard: list[Sequence[SessionChange]] = []
    unjournaled: list[str] = []
    turns: list[int] = []  # how many arrivals were journaled when a callback queued during the burst ran

    def listener(changes: Sequence[SessionChange]) -> None:
        unjournaled.extend(c.entry.event_key for c in changes if not journal.has(c.entry.event_key))
        if not heard:
            loop.call_soon(lambda: turns.append(len(session.arrivals())))
        heard.append(changes)

    CountingJournal.transactions = 0
    controller = LiveController(
        session=session,
        fallback=ManualChannel(end_meeting=None),
        streams=[_burst(stream)],
        listener=listener,
        auto_lock_after=None,
        planned_length=None,
    )
    await controller.start()
    try:
        arrivals = sum(1 for e in stream if e.kind is EventKind.WAITING_JOINED)
        await until(lambda: len(session.arrivals()) == arrivals, what="every arrival to be journaled")
    finally:
        await controller.close()
    assert not unjournaled, "the panel heard of something before it was journaled"
    assert turns and turns[0] < arrivals, "the loop had no turn until the whole burst was journaled"
    assert CountingJournal.transactions <= -(-len(stream) // EVENT_BATCH), "more than one transaction per batch"
    shown = [c.entry.event_key for batch in heard for c in batch]
    assert shown == [e.event_key for e in journal.entries()], "each change heard once, in journal order"
    assert sum(1 for e in journal.entries() if e.kind is JournalKind.ARRIVAL) == arrivals


def test_what_was_heard_before_closing_is_journaled_not_dropped() -> None:
    asyncio.run(_close_run())


async def _close_run() -> None:
    stream = [e for e in assembly_stream() if e.kind is EventKind.WAITING_JOINED][:100]
    journal = journals().create(meeting_id=MEETING, topic="Assembly", planned_minutes=30, started_at=T0, rehearsal=True)
    session = LiveSession(journal=journal, classify=assembly_classify, expected_pupils=108, clock=Clock())
    hear: list = []  # the channel's way in: what it hears goes to the controller
    channel = ManualChannel(end_meeting=None, events=lambda callback: hear.append(callback) or (lambda: None))
    controller = LiveController(session=session, fallback=channel, auto_lock_after=None, planned_length=None)
    await controller.start()
    for item in stream:  # heard, and the panel closes straight after
        hear[0](item)
    await controller.close()
    assert len(session.arrivals()) == len(stream)
    hear[0](event(EventKind.WAITING_JOINED, "late", "Pupil001 B", seconds=999))  # after closing: not taken in
    kept = [e for e in journal.entries() if e.kind is JournalKind.ARRIVAL]
    assert len(kept) == len(stream)
