"""Staying inside Zoom's limits: a per-category token bucket, and when (and whether) to retry.

Zoom labels every operation LIGHT, MEDIUM or HEAVY and limits each label per second per
account (Pro: 30/20/10). Pacing ourselves costs a few milliseconds; a 429 in the middle of
an assembly costs the teacher a retry, so the client waits for a token before each call.
"""

from __future__ import annotations

import asyncio
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


class TokenBucket:
    """``rate`` calls per second, bursts up to ``capacity``; callers wait for their turn in order."""

    def __init__(
        self,
        *,
        rate: float,
        capacity: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = capacity if capacity is not None else rate
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.capacity
        self._stamp = clock()
        self._lock = asyncio.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    async def acquire(self) -> float:
        """Take one token, sleeping until it is due; returns the seconds waited.

        The balance may go below zero while a caller sleeps off its debt; holding the lock
        while sleeping keeps callers in arrival order.
        """
        async with self._lock:
            self._refill()
            self._tokens -= 1
            if self._tokens >= 0:
                return 0.0
            pause = -self._tokens / self.rate
            await self._sleep(pause)
            return pause


class RateLimiter:
    """One bucket per category, shared by every call a client makes."""

    def __init__(self, *, per_second: Mapping[Category, float] = PRO_PLAN_PER_SECOND) -> None:
        self._per_second = dict(per_second)
        self._buckets: dict[tuple[int, Category], TokenBucket] = {}

    async def acquire(self, category: Category) -> float:
        # A bucket holds an asyncio.Lock, which belongs to one event loop: keep one set per loop.
        key = (id(asyncio.get_running_loop()), category)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(rate=self._per_second[category])
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
