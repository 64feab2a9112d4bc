"""The protocol's clocks: auto-lock N minutes after the start, and the planned length's two warnings.

Both count from ``clocks_from`` (the meeting's start, or the moment the teacher said to count
from) in session time (``time_scale`` plays a rehearsal faster). Each clock sleeps until its
moment and reads it again whenever the clocks change: counted from elsewhere, the meeting
locked by anyone, started or ended. The auto-lock is the teacher's Lock done by the system; each
planned-length warning is a ``TIMER`` note, journaled once even across a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from zoomhost.core.journal import JournalEntry, JournalKind
from zoomhost.core.session import LiveSession, SessionChange
from zoomhost.live.intake import Intake
from zoomhost.live.lifetime import Lifetime
from zoomhost.live.notes import LiveNote, NoteWriter

#: Changes that move a clock: the start it counts from, the lock it waits for, the end that stops it.
_MOVES_CLOCKS = (JournalKind.SESSION_STARTED, JournalKind.LOCK, JournalKind.SESSION_ENDED, JournalKind.END)


class Clocks:
    """When the meeting locks itself and when it has run its planned length, for the loops and the panel's countdown."""

    def __init__(
        self,
        *,
        session: LiveSession,
        clock: Callable[[], datetime],
        auto_lock_after: timedelta | None,
        planned_length: timedelta | None,
        overrun_warning: timedelta,
        time_scale: float,
        clocks_from: datetime | None,
        journaled: Sequence[JournalEntry],
        lock: Callable[[], Awaitable[object]],
        intake: Intake,
        note: NoteWriter,
        lifetime: Lifetime,
    ) -> None:
        """``journaled``: the session's journal so far (a lock in it means auto-lock is done); ``lock`` locks as the system."""
        if time_scale <= 0:
            raise ValueError("time_scale must be above zero")
        self._session = session
        self._clock = clock
        self._auto_lock_after = auto_lock_after
        self._planned_length = planned_length
        self._overrun = overrun_warning
        self._scale = time_scale
        self._origin = clocks_from
        self._lock_done = any(entry.kind is JournalKind.LOCK for entry in journaled)
        self._lock = lock
        self._intake = intake
        self._note = note
        self._lifetime = lifetime
        self._changed = asyncio.Event()

    # -- what the panel reads ----------------------------------------------------------------
    @property
    def clocks_from(self) -> datetime:
        """Where the session's clocks count from: ``count_from``, else the meeting's start."""
        return self._origin or self._session.started_at

    @property
    def lock_deadline(self) -> datetime | None:
        """When auto-lock will lock the meeting; None once locked (by anyone) or when auto-lock is off."""
        if self._auto_lock_after is None or self._lock_done or self._session.locked or self._session.ended:
            return None
        return self.clocks_from + self._auto_lock_after / self._scale

    def seconds_until_lock(self) -> float | None:
        """For the panel's countdown: seconds of session time left (0 when due), None when there is no countdown."""
        deadline = self.lock_deadline
        if deadline is None:
            return None
        return max(0.0, (deadline - self._clock()).total_seconds() * self._scale)

    @property
    def planned_end(self) -> datetime | None:
        if self._planned_length is None:
            return None
        return self.clocks_from + self._planned_length / self._scale

    # -- what moves them ------------------------------------------------------------------------
    def count_from(self, moment: datetime) -> None:
        """Count the session's clocks (auto-lock, planned length) from ``moment`` instead of the meeting's start."""
        self._origin = moment
        self._changed.set()

    def locked(self) -> None:
        """The teacher (or the system) locked the meeting: the auto-lock has nothing left to do."""
        self._lock_done = True
        self._changed.set()

    def saw(self, changes: Sequence[SessionChange]) -> None:
        """Watches every published change: a lock by anyone, the start or the end moves the clocks."""
        for change in changes:
            if change.kind is JournalKind.LOCK:
                self._lock_done = True
            if change.kind in _MOVES_CLOCKS:
                self._changed.set()

    # -- the loops ------------------------------------------------------------------------------
    async def run_auto_lock(self) -> None:
        while await self._sleep_until(lambda: self.lock_deadline):
            if self.lock_deadline is not None:
                await self._lock()

    async def run_planned_length(self) -> None:
        stages = (
            ("planned_length_reached", timedelta(0), "The planned length of the session has been reached."),
            ("planned_length_exceeded", self._overrun, "The session has run well over its planned length."),
        )
        for stage, after, message in stages:
            if not await self._sleep_until(lambda a=after: None if self.planned_end is None or self._session.ended else self.planned_end + a / self._scale):
                return
            key = f"timer:{stage}"
            if not self._session.journal.has(f"note:{key}"):
                self._intake.publish(self._note(LiveNote.TIMER, key=key, stage=stage, message=message))

    async def _sleep_until(self, when: Callable[[], datetime | None]) -> bool:
        """Sleep until ``when()`` (re-read whenever the clocks change); False when there is nothing to wait for."""
        while not self._lifetime.closed:
            self._changed.clear()
            moment = when()
            if moment is None:
                await self._changed.wait()
                continue
            delay = (moment - self._clock()).total_seconds()
            if delay <= 0:
                return True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), delay)
        return False
