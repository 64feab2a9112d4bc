"""Fault switches for the rehearsal Zoom: what a real network and a busy Zoom do to a client.

Switched at run time, from the same process (``server.faults``) or from another one
(``POST /_rehearsal/faults`` with the JSON ``Faults.apply`` reads). The server consults
them on every API request and keeps the WebSocket drops on its own loop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from enum import StrEnum
from typing import Any

PER_SECOND_MESSAGE = "You have reached the maximum per-second rate limit for this API. Try again later."


class RetryAfter(StrEnum):
    """The forms of ``Retry-After`` Zoom has been seen to send (or not send) with a 429."""

    SECONDS = "seconds"
    HTTP_DATE = "http_date"
    ISO_DATE = "iso_date"
    ABSENT = "absent"

    def header(self, seconds: float, *, now: datetime | None = None) -> str | None:
        when = (now or datetime.now(UTC)) + timedelta(seconds=seconds)
        if self is RetryAfter.SECONDS:
            return str(max(0, round(seconds)))
        if self is RetryAfter.HTTP_DATE:
            return format_datetime(when.astimezone(UTC).replace(microsecond=0), usegmt=True)
        if self is RetryAfter.ISO_DATE:
            return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return None


@dataclass(frozen=True)
class InjectedFailure:
    """What the server answers instead of the real response."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str]


class Faults:
    """Thread-safe switches. Counting faults (429s, 5xx) apply to the next N requests under the API
    base, then switch off; sign-in is left alone so a storm always meets a client that has a token."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rate_limited = 0
        self._retry_after = RetryAfter.SECONDS
        self._retry_seconds = 1.0
        self._server_errors = 0
        self._server_error_status = 503
        self.latency_ms = 0.0
        self.drop_every_s: float | None = None
        self.injected = {"rate_limited": 0, "server_errors": 0, "websocket_drops": 0, "token_expiries": 0}
        # The server fills these in: faults that act at once rather than on the next request.
        self._drop_websockets: Callable[[], int] = lambda: 0
        self._expire_tokens: Callable[[], int] = lambda: 0
        self._drop_schedule_changed: Callable[[], None] = lambda: None

    def bind(
        self,
        *,
        drop_websockets: Callable[[], int],
        expire_tokens: Callable[[], int],
        drop_schedule_changed: Callable[[], None],
    ) -> None:
        self._drop_websockets = drop_websockets
        self._expire_tokens = expire_tokens
        self._drop_schedule_changed = drop_schedule_changed

    # -- switches --------------------------------------------------------------------------------
    def rate_limit_next(self, count: int, *, retry_after: RetryAfter | str = RetryAfter.SECONDS, seconds: float = 1.0) -> None:
        """Answer the next ``count`` API requests with 429 and the chosen ``Retry-After`` form."""
        with self._lock:
            self._rate_limited = max(0, int(count))
            self._retry_after = RetryAfter(retry_after)
            self._retry_seconds = float(seconds)

    def server_errors_next(self, count: int, *, status: int = 503) -> None:
        """Answer the next ``count`` API requests with a 5xx (a burst of Zoom having a bad minute)."""
        if not 500 <= status <= 599:
            raise ValueError(f"a server error is a 5xx status, not {status}")
        with self._lock:
            self._server_errors = max(0, int(count))
            self._server_error_status = status

    def set_latency(self, milliseconds: float) -> None:
        with self._lock:
            self.latency_ms = max(0.0, float(milliseconds))

    def drop_websockets(self) -> int:
        """Cut every event connection now, without a close frame; returns how many were cut."""
        dropped = self._drop_websockets()
        with self._lock:
            self.injected["websocket_drops"] += dropped
        return dropped

    def drop_websockets_every(self, seconds: float | None) -> None:
        """Cut every event connection every ``seconds`` (None stops it)."""
        with self._lock:
            self.drop_every_s = float(seconds) if seconds else None
        self._drop_schedule_changed()

    def expire_tokens(self) -> int:
        """Every access token issued so far stops working now (and their event connections close)."""
        expired = self._expire_tokens()
        with self._lock:
            self.injected["token_expiries"] += 1
        return expired

    def reset(self) -> None:
        with self._lock:
            self._rate_limited = 0
            self._server_errors = 0
            self.latency_ms = 0.0
            self.drop_every_s = None
        self._drop_schedule_changed()

    # -- consulted by the server -------------------------------------------------------------------
    def next_failure(self) -> InjectedFailure | None:
        with self._lock:
            if self._rate_limited > 0:
                self._rate_limited -= 1
                self.injected["rate_limited"] += 1
                headers = {"X-RateLimit-Category": "Light", "X-RateLimit-Type": "QPS"}
                value = self._retry_after.header(self._retry_seconds)
                if value is not None:
                    headers["Retry-After"] = value
                return InjectedFailure(429, {"code": 429, "message": PER_SECOND_MESSAGE}, headers)
            if self._server_errors > 0:
                self._server_errors -= 1
                self.injected["server_errors"] += 1
                return InjectedFailure(
                    self._server_error_status,
                    {"code": self._server_error_status, "message": "Internal server error. Please try again later."},
                    {},
                )
            return None

    def status(self) -> dict[str, Any]:
        with self._lock:
            return {
                "rate_limited_pending": self._rate_limited,
                "retry_after": self._retry_after.value,
                "server_errors_pending": self._server_errors,
                "latency_ms": self.latency_ms,
                "drop_websockets_every": self.drop_every_s,
                "injected": dict(self.injected),
            }

    def apply(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """Switch faults from a JSON object (the admin route); unknown keys are an error, not ignored.

        Keys: ``reset``, ``latency_ms``, ``rate_limit`` {count, retry_after, seconds},
        ``server_errors`` {count, status}, ``expire_tokens``, ``drop_websockets``,
        ``drop_websockets_every`` (seconds or null).
        """
        known = {"reset", "latency_ms", "rate_limit", "server_errors", "expire_tokens", "drop_websockets", "drop_websockets_every"}
        unknown = set(request) - known
        if unknown:
            raise ValueError(f"unknown fault switches {sorted(unknown)}; known: {sorted(known)}")
        if request.get("reset"):
            self.reset()
        if "latency_ms" in request:
            self.set_latency(float(request["latency_ms"]))
        if "rate_limit" in request:
            spec = request["rate_limit"]
            self.rate_limit_next(
                int(spec.get("count", 1)),
                retry_after=spec.get("retry_after", "seconds"),
                seconds=float(spec.get("seconds", 1.0)),
            )
        if "server_errors" in request:
            spec = request["server_errors"]
            self.server_errors_next(int(spec.get("count", 1)), status=int(spec.get("status", 503)))
        if "drop_websockets_every" in request:
            self.drop_websockets_every(request["drop_websockets_every"])
        if request.get("expire_tokens"):
            self.expire_tokens()
        if request.get("drop_websockets"):
            self.drop_websockets()
        return self.status()
