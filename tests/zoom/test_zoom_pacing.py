"""Pacing and retrying: inside Zoom's per-second limits, retrying only what is safe, giving up in words."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from zoomhost.system.config import Settings
from zoomhost.zoom import errors
from zoomhost.zoom.auth import AccessToken, ZoomAuth
from zoomhost.zoom.client import Registrant, ZoomClient
from zoomhost.zoom.ratelimit import Category, PerSecond, RateLimiter, RetryPolicy

FAST = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05, max_retry_after=5, give_up_after=30)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_no_second_ever_holds_more_calls_than_the_limit_counted_from_their_answers() -> None:
    """A second's allowance goes at once; the next call waits until the first call's answer is a second old
    (Zoom handled it before that), so no second at Zoom sees more, whatever the network's delays."""
    clock = FakeClock()
    pacer = PerSecond(limit=30, clock=clock, sleep=clock.sleep)
    sent: list[float] = []
    answered: list[float] = []

    async def take(n: int) -> None:
        for _ in range(n):
            call = await pacer.acquire()
            sent.append(clock.now)
            clock.now += 0.01  # the answer takes a moment
            pacer.done(call)
            answered.append(clock.now)

    asyncio.run(take(75))
    assert sent[29] - sent[0] == pytest.approx(0.29)  # a full second's allowance is there at once
    assert sent[30] == pytest.approx(answered[0] + 1.0)  # the 31st waits for the 1st's answer to be a second old
    assert all(sent[n] >= answered[n - 30] + 1.0 - 1e-9 for n in range(30, 75))


def test_a_call_still_on_its_way_counts_until_its_answer_comes() -> None:
    async def run() -> list[str]:
        pacer = PerSecond(limit=2)
        first, second = await pacer.acquire(), await pacer.acquire()
        happened: list[str] = []

        async def third() -> None:
            await pacer.acquire()
            happened.append("third went")

        waiting = asyncio.create_task(third())
        await asyncio.sleep(0.05)
        happened.append("two unanswered")
        pacer.done(first)
        pacer.done(second)
        await asyncio.sleep(0.05)
        happened.append("answered 50 ms ago")
        await asyncio.wait_for(waiting, 2)
        return happened

    assert asyncio.run(run()) == ["two unanswered", "answered 50 ms ago", "third went"]


def test_backoff_grows_and_is_capped_and_jittered() -> None:
    policy = RetryPolicy(base_delay=1, max_delay=8)
    assert [policy.backoff(n, rng=lambda: 1.0) for n in (1, 2, 3, 4, 5, 6)] == [1, 2, 4, 8, 8, 8]
    assert policy.backoff(3, rng=lambda: 0.0) == 2  # jitter never drops below half


class StaticToken:
    def __init__(self) -> None:
        self.fetches = 0

    async def fetch(self) -> AccessToken:
        self.fetches += 1
        return AccessToken(value=f"token-number-{self.fetches}", expires_at=time.time() + 3600)


def _client(handler, *, retry: RetryPolicy = FAST, source=None) -> ZoomClient:  # noqa: ANN001
    return ZoomClient(
        settings=Settings(api_base="https://api.example.test/v2"),
        auth=ZoomAuth(source or StaticToken()),
        transport=httpx.MockTransport(handler),
        retry=retry,
        limiter=RateLimiter(per_second={c: 1000 for c in Category}),
    )


MEETING = {"id": 81234567890, "host_id": "h1", "topic": "Assembly", "settings": {"waiting_room": True}}


def test_a_get_is_retried_after_server_errors_and_then_succeeds() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        return httpx.Response(503) if len(calls) < 3 else httpx.Response(200, json=MEETING)

    async def run() -> dict:
        async with _client(handler) as client:
            return await client.get_meeting("812 3456 7890")

    assert asyncio.run(run())["topic"] == "Assembly"
    assert calls == ["GET", "GET", "GET"]


def test_retrying_stops_at_the_cap_and_says_so() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(500, json={"code": 500, "message": "oops"})

    async def run() -> None:
        async with _client(handler) as client:
            await client.get_meeting(81234567890)

    with pytest.raises(errors.ServerError) as caught:
        asyncio.run(run())
    assert len(calls) == FAST.max_attempts
    assert f"tried {FAST.max_attempts} times" in str(caught.value)


def test_a_post_that_zoom_may_have_acted_on_is_not_retried() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        return httpx.Response(502)

    async def run() -> None:
        async with _client(handler) as client:
            await client.batch_register(81234567890, [Registrant(email="a@example.org", first_name="Ava")])

    with pytest.raises(errors.ServerError):
        asyncio.run(run())
    assert calls == ["POST"]


def test_a_post_refused_with_429_is_retried_because_zoom_did_nothing() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(json.loads(request.content))
        if len(calls) == 1:
            return httpx.Response(429, json={"code": 429, "message": "slow down"}, headers={"Retry-After": "0"})
        return httpx.Response(201, json={"registrants": [{"email": "a@example.org", "registrant_id": "r1", "join_url": "https://example.org/j/1"}]})

    async def run():
        async with _client(handler) as client:
            return await client.batch_register(81234567890, [Registrant(email="a@example.org", first_name="Ava")])

    links = asyncio.run(run())
    assert [r.registrant_id for r in links] == ["r1"] and len(calls) == 2


def test_a_wait_longer_than_the_cap_is_not_waited_for() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, json={"code": 429, "message": "later"}, headers={"Retry-After": "3600"})

    async def run() -> None:
        async with _client(handler) as client:
            await client.get_meeting(81234567890)

    started = time.monotonic()
    with pytest.raises(errors.RateLimited) as caught:
        asyncio.run(run())
    assert caught.value.retry_after == 3600
    assert "wait 3600 seconds" in str(caught.value)
    assert time.monotonic() - started < 30  # it did not sit out the hour


def test_a_rejected_token_is_renewed_once_and_the_call_repeated() -> None:
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        if request.headers["Authorization"] == "Bearer token-number-1":
            return httpx.Response(401, json={"code": 124, "message": "Invalid access token."})
        return httpx.Response(200, json=MEETING)

    source = StaticToken()

    async def run() -> dict:
        async with _client(handler, source=source) as client:
            return await client.get_meeting(81234567890)

    assert asyncio.run(run())["id"] == 81234567890
    assert seen == ["Bearer token-number-1", "Bearer token-number-2"]


def test_a_token_zoom_keeps_rejecting_ends_in_an_auth_error_not_a_loop() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(401, json={"code": 124, "message": "Invalid access token."})

    async def run() -> None:
        async with _client(handler) as client:
            await client.get_meeting(81234567890)

    with pytest.raises(errors.AuthError):
        asyncio.run(run())
    assert len(calls) == 2


def test_ending_a_meeting_never_waits_for_a_token_renewal_while_a_warm_token_exists() -> None:
    class SlowSecondFetch:
        def __init__(self) -> None:
            self.fetches = 0
            self.release = asyncio.Event()

        async def fetch(self) -> AccessToken:
            self.fetches += 1
            if self.fetches > 1:
                await self.release.wait()  # the token endpoint hangs
            # expires in 200 s: inside the 300 s renewal window, but still good to use
            return AccessToken(value=f"warm-token-{self.fetches}", expires_at=time.time() + 200)

    sent = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append((request.url.path, request.headers["Authorization"], request.content))
        return httpx.Response(204)

    source = SlowSecondFetch()

    async def run() -> None:
        async with _client(handler, source=source) as client:
            await client.auth.warm()  # type: ignore[attr-defined]
            await asyncio.wait_for(client.end_meeting(81234567890), timeout=5)
            assert source.fetches == 2  # a renewal was started in the background...
            source.release.set()

    asyncio.run(run())
    assert sent == [("/v2/meetings/81234567890/status", "Bearer warm-token-1", b'{"action":"end"}')]


def test_a_meeting_id_that_is_not_one_is_refused_before_anything_is_sent() -> None:
    def handler(request: httpx.Request) -> httpx.Response:  # pragma: no cover - must not be reached
        raise AssertionError("nothing should be sent")

    async def run() -> None:
        async with _client(handler) as client:
            await client.end_meeting("not-a-meeting")

    with pytest.raises(errors.BadRequest, match="not a Zoom meeting ID"):
        asyncio.run(run())


def test_a_list_answer_of_the_wrong_shape_is_read_as_no_rows_not_a_crash() -> None:
    """Zoom documents ``meetings`` as a list; a number or an object there must not stop the checklist."""
    answers = iter([{"meetings": 5}, {"meetings": {"id": 1}}, {"meetings": [{"id": 81234567890, "topic": "Assembly"}]}])

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=next(answers))

    async def run() -> list[list]:
        async with _client(handler) as client:
            return [await client.list_upcoming_meetings(user_id="h@school.example") for _ in range(3)]

    first, second, third = asyncio.run(run())
    assert first == [] and second == [] and [m.topic for m in third] == ["Assembly"]
