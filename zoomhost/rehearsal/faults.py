"""Fault and strictness switches for the rehearsal Zoom: what a real network, a busy Zoom and
Zoom's own documented behaviour do to a client.

Switched at run time, from the same process (``server.faults``) or from another one
(``POST /_rehearsal/faults`` with the JSON ``Faults.apply`` reads). The server consults
them on every API request and keeps the WebSocket drops on its own loop.

Strictness switches, each as strict as the Zoom document named (off until a test turns it on,
except the plan, which is Pro as a school's cheapest paid account is):

- ``plan`` ("pro" | "business" | "education"): the Dashboard (``GET /metrics/meetings/{meetingId}/
  participants``) answers only on Business and Education plans ("Prerequisites: A Business or
  higher plan" in Zoom's Accounts API document); Pro gets Zoom's plan error, and per-second limits
  follow the plan (Zoom's rate-limit table).
- ``event_disorder`` {seed, late_rate, late_ms, duplicate_rate}: events on the event socket come
  late, twice, and so out of order, reproducibly from the seed. No Zoom document promises an
  order or a single delivery: each event carries its own ``event_ts``, and Zoom sends an event
  again when it thinks a delivery failed ("Resolving webhook delays": three retries, minutes apart).
- ``participant_ids`` ("stable" | "new_on_admission"): the ``user_id`` Zoom's events and the
  Dashboard give a participant is "assigned when they join a meeting" (webhook documents), and
  the waiting room and the meeting are joined separately: with "new_on_admission" it changes on
  admission and on a put-back, while ``participant_uuid`` ("for this specific meeting") stays.
- ``refuse_event_tokens`` {seconds}: the event socket refuses every token for a while, as Zoom
  does with a bad or revoked one: the handshake is accepted and a ``build_connection`` failure
  follows (the WebSocket protocol in the design notes, §2 "Event stream facts").

Always on, as Zoom: each token carries its app type's scopes and a call outside them gets
Zoom's 4711 (the documents' ``security`` scopes per operation); the event socket reports a bad
token or subscription as a ``build_connection`` message and answers heartbeats as Zoom does.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from enum import StrEnum
from typing import Any

from zoomhost.core.zoom_times import zoom_text

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
            return zoom_text(when)
        return None


@dataclass(frozen=True)
class InjectedFailure:
    """What the server answers instead of the real response."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str]


#: The rehearsal's plans and whether each has Zoom's Dashboard.
PLANS = ("pro", "business", "education")
#: How a participant's ``user_id`` in Zoom's events and Dashboard behaves (see the module docstring).
PARTICIPANT_ID_MODES = ("stable", "new_on_admission")


@dataclass(frozen=True)
class EventDisorder:
    """Late, duplicated and so reordered events on the event socket, the same for the same seed.

    Each event is late with probability ``late_rate`` by up to ``late_ms``; with probability
    ``duplicate_rate`` a second copy follows, itself up to ``late_ms`` late.
    """

    seed: int = 0
    late_rate: float = 0.3
    late_ms: float = 400.0
    duplicate_rate: float = 0.15

    def __post_init__(self) -> None:
        for name in ("late_rate", "duplicate_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} is a probability between 0 and 1, not {getattr(self, name)!r}")
        if not 0.0 <= self.late_ms <= 60_000:
            raise ValueError(f"late_ms must be between 0 and 60000, not {self.late_ms!r}")

    @classmethod
    def from_json(cls, spec: Mapping[str, Any]) -> EventDisorder:
        known = {"seed", "late_rate", "late_ms", "duplicate_rate"}
        unknown = set(spec) - known
        if unknown:
            raise ValueError(f"unknown event_disorder settings {sorted(unknown)}; known: {sorted(known)}")
        return cls(
            seed=int(spec.get("seed", 0)),
            late_rate=float(spec.get("late_rate", 0.3)),
            late_ms=float(spec.get("late_ms", 400.0)),
            duplicate_rate=float(spec.get("duplicate_rate", 0.15)),
        )

    def as_dict(self) -> dict[str, Any]:
        return {"seed": self.seed, "late_rate": self.late_rate, "late_ms": self.late_ms, "duplicate_rate": self.duplicate_rate}


class DisorderPlan:
    """The seeded draws of one ``EventDisorder``: for each event in turn, the delays of its copies."""

    def __init__(self, disorder: EventDisorder) -> None:
        self.disorder = disorder
        self._rng = random.Random(disorder.seed)

    def delays(self) -> list[float]:
        """Seconds until each copy of the next event is sent (one copy, or two when it is duplicated)."""
        d, rng = self.disorder, self._rng
        late, extra, again, second = rng.random(), rng.random(), rng.random(), rng.random()
        first = extra * d.late_ms / 1000 if late < d.late_rate else 0.0
        copies = [first]
        if again < d.duplicate_rate:
            copies.append(first + second * d.late_ms / 1000)
        return copies


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
        self.disorder: DisorderPlan | None = None
        self._refuse_event_tokens_until = 0.0
        self.injected = {
            "rate_limited": 0,
            "server_errors": 0,
            "websocket_drops": 0,
            "token_expiries": 0,
            "event_token_refusals": 0,
            "late_events": 0,
            "duplicate_events": 0,
        }
        # The server fills these in: faults that act at once rather than on the next request.
        self._drop_websockets: Callable[[], int] = lambda: 0
        self._expire_tokens: Callable[[], int] = lambda: 0
        self._drop_schedule_changed: Callable[[], None] = lambda: None
        self._set_plan: Callable[[str], None] = lambda plan: None
        self._get_plan: Callable[[], str] = lambda: "pro"
        self._set_participant_ids: Callable[[str], None] = lambda mode: None
        self._get_participant_ids: Callable[[], str] = lambda: "stable"

    def bind(
        self,
        *,
        drop_websockets: Callable[[], int],
        expire_tokens: Callable[[], int],
        drop_schedule_changed: Callable[[], None],
        plan: tuple[Callable[[], str], Callable[[str], None]] | None = None,
        participant_ids: tuple[Callable[[], str], Callable[[str], None]] | None = None,
    ) -> None:
        """The server's own levers; ``plan`` and ``participant_ids`` are (read, set) pairs on its state."""
        self._drop_websockets = drop_websockets
        self._expire_tokens = expire_tokens
        self._drop_schedule_changed = drop_schedule_changed
        if plan is not None:
            self._get_plan, self._set_plan = plan
        if participant_ids is not None:
            self._get_participant_ids, self._set_participant_ids = participant_ids

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

    # -- strictness switches ------------------------------------------------------------------------
    def set_plan(self, plan: str) -> None:
        """The account's plan: "pro" (no Dashboard), "business" or "education"."""
        if plan not in PLANS:
            raise ValueError(f"unknown plan {plan!r}; known: {list(PLANS)}")
        self._set_plan(plan)

    def set_participant_ids(self, mode: str) -> None:
        """"stable", or "new_on_admission": Zoom's ``user_id`` for a participant changes when they change rooms."""
        if mode not in PARTICIPANT_ID_MODES:
            raise ValueError(f"unknown participant_ids {mode!r}; known: {list(PARTICIPANT_ID_MODES)}")
        self._set_participant_ids(mode)

    def set_event_disorder(self, disorder: EventDisorder | None) -> None:
        """Late, duplicated and reordered events from now on (None: each event once, at once, in order)."""
        with self._lock:
            self.disorder = DisorderPlan(disorder) if disorder is not None else None

    def event_delays(self) -> list[float]:
        """Seconds until each copy of the next event goes out (``[0.0]`` without disorder); counts what it injects."""
        with self._lock:
            if self.disorder is None:
                return [0.0]
            delays = self.disorder.delays()
            self.injected["late_events"] += sum(1 for d in delays[:1] if d > 0)
            self.injected["duplicate_events"] += len(delays) - 1
            return delays

    def refuse_event_tokens(self, seconds: float) -> None:
        """For ``seconds`` from now the event socket refuses every token, fresh ones too (0 stops it)."""
        with self._lock:
            self._refuse_event_tokens_until = time.monotonic() + max(0.0, float(seconds)) if seconds else 0.0

    def event_token_refused(self) -> bool:
        """Whether the event socket refuses this connection's token now (and counts it)."""
        with self._lock:
            if time.monotonic() >= self._refuse_event_tokens_until:
                return False
            self.injected["event_token_refusals"] += 1
            return True

    def reset(self) -> None:
        with self._lock:
            self._rate_limited = 0
            self._server_errors = 0
            self.latency_ms = 0.0
            self.drop_every_s = None
            self.disorder = None
            self._refuse_event_tokens_until = 0.0
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
                "plan": self._get_plan(),
                "participant_ids": self._get_participant_ids(),
                "event_disorder": self.disorder.disorder.as_dict() if self.disorder is not None else None,
                "refusing_event_tokens_for": round(max(0.0, self._refuse_event_tokens_until - time.monotonic()), 3),
                "injected": dict(self.injected),
            }

    def apply(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """Switch faults from a JSON object (the admin route); unknown keys are an error, not ignored.

        Keys: ``reset``, ``latency_ms``, ``rate_limit`` {count, retry_after, seconds},
        ``server_errors`` {count, status}, ``expire_tokens``, ``drop_websockets``,
        ``drop_websockets_every`` (seconds or null); strictness: ``plan``, ``participant_ids``,
        ``event_disorder`` ({seed, late_rate, late_ms, duplicate_rate} or null),
        ``refuse_event_tokens`` ({seconds}).
        """
        known = {
            "reset",
            "latency_ms",
            "rate_limit",
            "server_errors",
            "expire_tokens",
            "drop_websockets",
            "drop_websockets_every",
            "plan",
            "participant_ids",
            "event_disorder",
            "refuse_event_tokens",
        }
        unknown = set(request) - known
        if unknown:
            raise ValueError(f"unknown fault switches {sorted(unknown)}; known: {sorted(known)}")
        if request.get("reset"):
            self.reset()
        if "plan" in request:
            self.set_plan(str(request["plan"]))
        if "participant_ids" in request:
            self.set_participant_ids(str(request["participant_ids"]))
        if "event_disorder" in request:
            spec = request["event_disorder"]
            self.set_event_disorder(EventDisorder.from_json(spec) if spec is not None else None)
        if "refuse_event_tokens" in request:
            self.refuse_event_tokens(float(request["refuse_event_tokens"].get("seconds", 0)))
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
