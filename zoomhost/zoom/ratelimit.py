"""Staying inside Zoom's limits: a per-category allowance per second, and when (and whether) to retry.

Zoom labels every operation LIGHT, MEDIUM or HEAVY and limits each label per second per
account (Pro: 30/20/10). Pacing ourselves costs a few milliseconds; a 429 in the middle of
an assembly costs the teacher a retry, so the client waits for a token before each call.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    """Zoom's rate-limit label for an operation (printed in each operation's documentation)."""

    LIGHT = "light"
    MEDIUM = "medium"
    HEAVY = "heavy"


PRO_PLAN_PER_SECOND: Mapping[Category, float] = {Category.LIGHT: 30, Category.MEDIUM: 20, Category.HEAVY: 10}


class Call:
    """One call counted against a per-second limit: counted from when its answer came (``done``)."""

    __slots__ = ("answered", "at")

    def __init__(self) -> None:
        self.at: float | None = None  # when its answer came (None: still on its way)
        self.answered = asyncio.Event()

    def done(self, at: float) -> None:
        if self.at is None:
            self.at = at
            self.answered.set()


class PerSecond:
    """At most ``limit`` calls in any second, however Zoom counts its per-second limits: over any second (as
    the rehearsal Zoom does), or per calendar second. A call counts from when its answer came, and a call
    still on its way counts until its answer comes: Zoom handled a call before its answer left, and the
    next call arrives after it is sent, so a second measured here from an answer to the next call is at
    least a second at Zoom, whatever the network's delays. Callers wait for their turn in arrival order;
    each calls ``done()`` on what ``acquire`` gives once the answer (or the failure) is in."""

    def __init__(
        self,
        *,
        limit: int,
        window: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit, self.window = limit, window
        self._clock = clock
        self._sleep = sleep
        self._calls: collections.deque[Call] = collections.deque()
        self._turn = asyncio.Lock()

    async def acquire(self) -> Call:
        """Wait until a call may go without passing the limit; the call to mark ``done`` when answered."""
        async with self._turn:
            while True:
                now = self._clock()
                while self._calls and self._calls[0].at is not None and now - self._calls[0].at >= self.window:
                    self._calls.popleft()
                if len(self._calls) < self.limit:
                    call = Call()
                    self._calls.append(call)
                    return call
                oldest = self._calls[0]
                if oldest.at is None:
                    await oldest.answered.wait()
                else:
                    await self._sleep(self.window - (now - oldest.at))

    def done(self, call: Call) -> None:
        """``call``'s answer (or its failure) has come: its second counts from now."""
        call.done(self._clock())


class RateLimiter:
    """One allowance per category, shared by every call a client makes."""

    def __init__(self, *, per_second: Mapping[Category, float] = PRO_PLAN_PER_SECOND) -> None:
        self._per_second = dict(per_second)
        self._allowances: dict[tuple[int, Category], PerSecond] = {}

    @contextlib.asynccontextmanager
    async def calling(self, category: Category) -> AsyncIterator[None]:
        """Around one call of ``category``: waits for its turn, and counts it from when its answer came."""
        # An allowance holds an asyncio.Lock, which belongs to one event loop: keep one set per loop.
        key = (id(asyncio.get_running_loop()), category)
        allowance = self._allowances.get(key)
        if allowance is None:
            allowance = self._allowances[key] = PerSecond(limit=int(self._per_second[category]))
        call = await allowance.acquire()
        try:
            yield
        finally:
            allowance.done(call)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try again after a 429, a 5xx, a timeout or a dropped connection.

    Idempotent calls (GET; PUT status "end", which ends an ended meeting no further; PATCH,
    which sets the same values again) are retried on any of those. A POST is retried only
    when Zoom cannot have acted on it: a 429, or a connection that never opened.
    ``Retry-After`` is obeyed up to ``max_retry_after``; beyond that, or after
    ``max_attempts`` tries or ``give_up_after`` seconds in all, the client gives up and says so.
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    give_up_after: float = 90.0

    def backoff(self, attempt: int, *, rng: Callable[[], float] = random.random) -> float:
        """Exponential backoff for retry number ``attempt`` (1-based), jittered between half and all of it."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return ceiling * (0.5 + rng() / 2)


IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"})
