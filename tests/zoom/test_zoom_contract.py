"""The client honours Zoom's documents beyond the bodies it sends: each call is paced under the
operation's documented rate-limit label, and meeting UUIDs reach the server as Zoom requires."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.contract.spec import ZoomSpec
from tests.zoom.rehearsal_zoom import CLASS, RehearsalZoom, rehearsal_zoom  # noqa: F401
from zoomhost.system import redact
from zoomhost.system.config import Settings
from zoomhost.zoom.auth import AccessToken, ZoomAuth
from zoomhost.zoom.client import Registrant, UpdateBudget, ZoomClient, meeting_uuid_path
from zoomhost.zoom.ratelimit import Category, RateLimiter

class RecordingLimiter(RateLimiter):
    """Paces nothing; remembers the category each call asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[Category] = []

    @contextlib.asynccontextmanager
    async def calling(self, category: Category) -> AsyncIterator[None]:
        self.asked.append(category)
        yield


def test_each_call_is_paced_under_its_documented_rate_limit_label() -> None:
    spec = ZoomSpec.load()
    limiter = RecordingLimiter()
    seen: list[tuple[str, str, Category | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked = limiter.asked.pop() if limiter.asked else None
        seen.append((request.method, request.url.raw_path.decode().split("?")[0], asked))
        if request.method == "GET" and request.url.path.endswith("/token"):
            return httpx.Response(200, json={"token": "a-zak-for-the-assistant"})
        if request.method == "GET":
            return httpx.Response(200, json={"id": 81234567890, "host_id": "h1"})
        return httpx.Response(201 if request.method == "POST" else 204, json={} if request.method == "POST" else None)

    async def run() -> None:
        async with ZoomClient(
            settings=Settings(api_base="https://api.example.test/v2"),
            auth=ZoomAuth(FixedToken()),
            transport=httpx.MockTransport(handler),
            limiter=limiter,
            budget=UpdateBudget(path=None),
        ) as client:
            await client.get_user("h1")
            assert await client.user_zak("assistant@example.org") == "a-zak-for-the-assistant"
            await client.get_user_settings("h1")
            await client.update_user_settings("h1", {"in_meeting": {"chat": False}})
            await client.list_upcoming_meetings(user_id="h1")
            await client.get_account_settings()
            await client.get_meeting(81234567890)
            await client.update_meeting(81234567890, {"settings": {"mute_upon_entry": True}})
            await client.end_meeting(81234567890)
            await client.batch_register(81234567890, [Registrant(email="a@example.org", first_name="Ava")])
            await client.live_participants(81234567890)
            await client.past_participants("4444AAAiAAAAAiAiAiiAii==")

    asyncio.run(run())
    assert len(seen) == 12
    for method, path, asked in seen:
        template = spec.match(method, path)
        description = spec.operation(method, template).get("description", "")
        label = re.search(r"Rate Limit Label[^`]*`([A-Z]+)`", description)
        assert label, f"{method} {template} documents no rate-limit label"
        if template == "/meetings/{meetingId}/status":
            assert asked is None  # the panic path skips client-side pacing (retries still apply)
        else:
            assert asked == Category(label.group(1).lower()), (method, template)


class FixedToken:
    async def fetch(self) -> AccessToken:
        return AccessToken(value="fixed-token-value", expires_at=time.time() + 3600)


@pytest.mark.parametrize(
    ("uuid", "segment"),
    [
        ("4444AAAiAAAAAiAiAiiAii==", "4444AAAiAAAAAiAiAiiAii%3D%3D"),
        ("ab/cd+ef==", "ab%2Fcd%2Bef%3D%3D"),
        ("/ajXp112QmuoKj4854875==", "%252FajXp112QmuoKj4854875%253D%253D"),
        ("ajX//p112Qmu==", "ajX%252F%252Fp112Qmu%253D%253D"),
    ],
)
def test_meeting_uuids_are_encoded_once_or_twice_as_zoom_requires(uuid: str, segment: str) -> None:
    assert meeting_uuid_path(uuid) == segment


def test_attendance_after_the_meeting_by_its_uuid(rehearsal_zoom: RehearsalZoom) -> None:
    state = rehearsal_zoom.server.state
    live = state.start_meeting(CLASS)
    for name in ("Ava B", "Ben C"):
        state.arrive(CLASS, name)
    for person in list(state.waiting_room(CLASS)):
        state.admit(CLASS, person.user_id)
    state.end_meeting(CLASS)

    async def run():
        async with rehearsal_zoom.client() as client:
            return await client.past_participants(live.uuid)

    names = sorted(p.display_name for p in asyncio.run(run()))
    assert names == ["Ava B", "Ben C"]


def test_a_token_is_renewed_in_the_background_before_it_expires() -> None:
    class Source:
        fetches = 0

        async def fetch(self) -> AccessToken:
            Source.fetches += 1
            return AccessToken(value=f"background-token-{Source.fetches}", expires_at=time.time() + 3600)

    async def run() -> int:
        auth = ZoomAuth(Source(), renew_before=3599.5)  # due for renewal a second from now
        await auth.warm()
        await asyncio.sleep(1.6)  # no call is made meanwhile
        count = auth.fetch_count
        await auth.aclose()
        return count

    assert asyncio.run(run()) >= 2


def test_tokens_from_zoom_are_masked_in_every_log_line(rehearsal_zoom: RehearsalZoom) -> None:
    async def run() -> str:
        async with rehearsal_zoom.client() as client:
            return await client.auth.token()  # type: ignore[attr-defined]

    token = asyncio.run(run())
    assert redact.redact(f"using {token} now") == "using [redacted] now"
