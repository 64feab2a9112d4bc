"""Staying inside Zoom's limits: a per-category allowance per second, and when (and whether) to retry.

Zoom labels every operation LIGHT, MEDIUM or HEAVY and limits each label per second per
account (Pro: 30/20/10). Pacing ourselves costs a few milliseconds; a 429 in the middle of
an assembly costs the teacher a retry, so the client waits for a token before each call.
"""

from __future__ import annotations

import asyncio
import collections
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    """Zoom's rate-limit label for an operation (printed in each operation's documentation)."""

    LIGHT = "light"
    MEDIUM = "medium"
    HEAVY = "heavy"


PRO_PLAN_PER_SECOND: Mapping[Category, float] = {Category.LIGHT: 30, Category.MEDIUM: 20, Category.HEAVY: 10}


class PerSecond:
    """At most ``limit`` calls in any ``window`` (a little over a second): Zoom's per-second limits counted
    over any second, as the strictest reading of them (and the rehearsal Zoom) counts, never per calendar
    second, so no burst at the end of one second and the start of the next can pass twice the limit.
    The window's extra 50 ms keeps the network's jitter from making two seconds' calls look like one.
    Callers wait for their turn in arrival order."""

    def __init__(
        self,
        *,
        limit: int,
        window: float = 1.05,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit, self.window = limit, window
        self._clock = clock
        self._sleep = sleep
        self._sent: collections.deque[float] = collections.deque()
        self._lock = asyncio.Lock()

    async def acquire(self) -> float:
        """Wait until a call may go without passing the limit; returns the seconds waited. Holding the lock
        while sleeping keeps callers in arrival order."""
        waited = 0.0
        async with self._lock:
            while True:
                now = self._clock()
                while self._sent and now - self._sent[0] >= self.window:
                    self._sent.popleft()
                if len(self._sent) < self.limit:
                    self._sent.append(now)
                    return waited
                pause = self.window - (now - self._sent[0])
                await self._sleep(pause)
                waited += pause


class RateLimiter:
    """One allowance per category, shared by every call a client makes."""

    def __init__(self, *, per_second: Mapping[Category, float] = PRO_PLAN_PER_SECOND) -> None:
        self._per_second = dict(per_second)
        self._buckets: dict[tuple[int, Category], PerSecond] = {}

    async def acquire(self, category: Category) -> float:
        # A bucket holds an asyncio.Lock, which belongs to one event loop: keep one set per loop.
        key = (id(asyncio.get_running_loop()), category)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = PerSecond(limit=int(self._per_second[category]))
        return await bucket.acquire()


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
