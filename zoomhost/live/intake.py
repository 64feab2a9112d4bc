"""Event intake: every source's meeting events queued, applied to the session in batches, and published.

Arrivals heard from Zoom's event stream and from the host assistant go into the ``LiveSession``,
which journals each happening once whichever source heard it first (late copies included).

Group commit. Events are queued as they are heard and applied in batches of at most
``EVENT_BATCH``, each batch journaled in one fully synced transaction and only then handed to
the listener; between batches the loop gets a turn, so a 272-arrival burst never holds up the
auto-lock, the panic key or a teacher's click for more than one batch. A batch is taken
``EVENT_GATHER`` after its first event (at once when it is full), so events that trickle in, as
an admit-all's admissions do, share a sync to disk instead of paying one each.

Publishing. Every change the session journals, whoever made it (an event, a command, a note),
reaches the listener through :meth:`Intake.publish`, once the watchers (the clocks, the
autopilot) have seen it; the live panel turns that into a Qt signal.

The event stream's own news (lost after working, back after a gap) is not about anyone in the
meeting: it goes to the handler set with :meth:`Intake.on_stream_change` (the pick-up, which
reconciles after a gap), one at a time in the stream's order, beside the stream: the events that
follow are heard meanwhile, so a slow read of Zoom's participant list never holds up who Zoom says
new arrivals are (the session takes a reconciled report older than what it has heard as the late
copy it is).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterable, Awaitable, Callable, Sequence

from zoomhost.core.errors import ZoomhostError
from zoomhost.core.events import EventKind, MeetingEvent
from zoomhost.core.journal import JournalError
from zoomhost.core.session import LiveSession, SessionChange
from zoomhost.live.lifetime import Lifetime
from zoomhost.live.notes import LiveNote, NoteWriter

log = logging.getLogger(__name__)

Listener = Callable[[Sequence[SessionChange]], None]
#: Events applied and journaled in one transaction before the loop gets a turn (a few ms of work).
EVENT_BATCH = 32
#: How long the first event of a batch waits for others to share its transaction (seconds).
EVENT_GATHER = 0.003
#: What an event stream says about itself rather than about the meeting.
STREAM_CHANGES = frozenset({EventKind.STREAM_LOST, EventKind.STREAM_BACK})
StreamChange = Callable[[MeetingEvent], Awaitable[None]]


class Intake:
    """The session's inbox (events heard, not yet journaled) and its one way out to the listener."""

    def __init__(
        self,
        *,
        session: LiveSession,
        streams: Sequence[AsyncIterable[MeetingEvent]],
        listener: Listener | None,
        note: NoteWriter,
        lifetime: Lifetime,
    ) -> None:
        self._session = session
        self._meeting_id = session.journal.info.meeting_id
        self._streams = list(streams)
        self._listener = listener
        self._note = note
        self._lifetime = lifetime
        self._watchers: list[Callable[[Sequence[SessionChange]], None]] = []
        self._inbox: deque[MeetingEvent] = deque()  # heard, not yet journaled
        self._drain_handle: asyncio.Handle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stream_change: StreamChange | None = None
        self._stream_changes = asyncio.Lock()

    def on_stream_change(self, handler: StreamChange) -> None:
        """``handler`` hears an event stream's ``STREAM_LOST`` / ``STREAM_BACK`` (awaited before the next event)."""
        self._stream_change = handler

    def watch(self, watcher: Callable[[Sequence[SessionChange]], None]) -> None:
        """``watcher`` sees every published batch of changes, just before the listener hears it."""
        self._watchers.append(watcher)

    # -- life ---------------------------------------------------------------------------------
    def start(self) -> None:
        """Batch on the running loop from now on (until then each event is applied as it is heard)."""
        self._loop = asyncio.get_running_loop()

    def listen(self) -> None:
        """Read every event stream in the background."""
        for stream in self._streams:
            self._lifetime.spawn(self._consume(stream))

    def note_if_deaf(self) -> None:
        """With no Zoom event stream, tell the teacher arrivals are heard only through the assistant."""
        if not self._streams:
            self.publish(
                self._note(
                    LiveNote.CHANNEL,
                    state="events_lost",
                    channel="zoom-events",
                    message="No Zoom event subscription is set: arrivals are heard only through the host assistant.",
                )
            )

    async def listening(self, *, timeout: float) -> None:
        """Wait until every event stream is connected: Zoom replays nothing that happened before."""
        async with asyncio.timeout(timeout):
            while not all(getattr(stream, "connections", 1) >= 1 for stream in self._streams):
                await asyncio.sleep(0.01)

    async def close(self) -> None:
        """Journal what was heard before closing (never drop it), then close the event streams."""
        self.drain_all()
        for stream in self._streams:
            closer = getattr(stream, "aclose", None)
            if closer is not None:
                with contextlib.suppress(Exception):
                    await closer()

    # -- events ---------------------------------------------------------------------------------
    def hear(self, event: MeetingEvent) -> None:
        """Every source's events are queued for the session, which journals each happening once
        (late copies included); a burst is applied a batch at a time, soon after, in order."""
        if self._lifetime.closed or event.meeting_id != self._meeting_id:
            return  # another meeting's people (an account-wide stream carries them) go no further
        self._inbox.append(event)
        loop = self._loop
        if loop is None or loop.is_closed():
            self.drain_all()
        elif self._drain_handle is None:
            self._drain_handle = loop.call_later(EVENT_GATHER, self._drain)
        elif len(self._inbox) >= EVENT_BATCH and isinstance(self._drain_handle, asyncio.TimerHandle):
            self._drain_handle.cancel()  # a full batch goes at once
            self._drain_handle = loop.call_soon(self._drain)

    def apply_now(self, event: MeetingEvent) -> None:
        """Apply ``event`` at once, after everything heard before it (the pick-up reads the state next)."""
        self.drain_all()
        self._apply_events([event])

    def drain_all(self) -> None:
        """Apply everything queued now (before a lock or a pick-up's own events, and when closing)."""
        if self._drain_handle is not None:
            self._drain_handle.cancel()
            self._drain_handle = None
        while self._inbox:
            self._apply_events([self._inbox.popleft() for _ in range(min(EVENT_BATCH, len(self._inbox)))])

    def _drain(self) -> None:
        """Apply one batch of the queued events; the loop gets a turn before the next batch."""
        self._drain_handle = None
        batch = [self._inbox.popleft() for _ in range(min(EVENT_BATCH, len(self._inbox)))]
        self._apply_events(batch)
        if self._inbox and self._loop is not None and not self._loop.is_closed():
            self._drain_handle = self._loop.call_soon(self._drain)

    def _apply_events(self, events: Sequence[MeetingEvent]) -> None:
        if not events:
            return
        try:
            changes = self._session.apply_many(events)
        except JournalError:
            log.exception("%d meeting events could not be journaled", len(events))
            return
        except Exception:  # noqa: BLE001 - one bad event must not cost the others in its batch
            log.exception("a batch of meeting events failed; applying them one at a time")
            changes = []
            for event in events:
                try:
                    changes += self._session.apply(event)
                except Exception:  # noqa: BLE001 - a live meeting must go on
                    log.exception("a meeting event could not be applied")
        self.publish(changes)

    async def _consume(self, stream: AsyncIterable[MeetingEvent]) -> None:
        try:
            async for event in stream:
                if event.kind in STREAM_CHANGES:
                    # Handled in order, beside the stream: while the pick-up reads Zoom's participant list for
                    # what a gap hid (a storm of 429s can make that take a while), the stream's own events,
                    # which say who each new arrival is, are heard at once.
                    self._lifetime.spawn(self._stream_changed(event))
                else:
                    self.hear(event)
        except asyncio.CancelledError:
            raise
        except ZoomhostError as err:
            self.publish(self._note(LiveNote.CHANNEL, state="events_lost", channel="zoom-events", message=err.user_text()))

    async def _stream_changed(self, event: MeetingEvent) -> None:
        async with self._stream_changes:  # one at a time, in the order the stream said them (the lock is FIFO)
            if self._lifetime.closed or self._stream_change is None:
                return
            await self._handle_stream_change(event)

    async def _handle_stream_change(self, event: MeetingEvent) -> None:
        assert self._stream_change is not None
        try:
            await self._stream_change(event)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a failed reconciliation must not stop the events that follow
            log.exception("handling the event stream's %s failed", event.kind.value)

    # -- publishing -----------------------------------------------------------------------------
    def publish(self, changes: Sequence[SessionChange]) -> None:
        """Hand journaled changes to the watchers, then to the listener (whose failure never stops the session)."""
        if not changes:
            return
        for watcher in self._watchers:
            watcher(changes)
        if self._listener is not None:
            try:
                self._listener(changes)
            except Exception:  # noqa: BLE001 - a broken panel must not stop the session being journaled
                log.exception("the live session's listener failed")
