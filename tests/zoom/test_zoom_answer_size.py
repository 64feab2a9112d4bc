"""An answer far larger than any Zoom sends is stopped as it streams in, with a sentence, over a real loopback server.

Whatever answers at the API or sign-in address (a misconfigured test server, something in the
way) cannot make zoomhost read without end: the declared size is refused before reading, and a
body with no declared size is cut off once it passes the cap.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from zoomhost.system.config import Settings
from zoomhost.zoom.auth import ServerToServerSignIn, ZoomAuth
from zoomhost.zoom.client import MAX_ANSWER_BYTES, ZoomClient
from zoomhost.zoom.credentials import ServerToServerCredentials
from zoomhost.zoom.errors import AnswerTooLarge

CHUNK = b"x" * 65536


@dataclass
class Endless:
    """A loopback server whose answers never end, counting what it managed to send."""

    sent: dict[str, int] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)

    async def token(self, request: web.Request) -> web.Response:
        return web.json_response({"access_token": "a-loopback-access-token", "expires_in": 3600, "token_type": "bearer"})

    async def user(self, request: web.Request) -> web.Response:
        return web.json_response({"id": "u1", "email": "head@school.example"})

    async def declared(self, request: web.Request) -> web.StreamResponse:
        self.requests["declared"] = self.requests.get("declared", 0) + 1
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.content_length = 1 << 30  # says a gigabyte is coming
        await response.prepare(request)
        return await self._pour(request, response, "declared")

    async def endless(self, request: web.Request) -> web.StreamResponse:
        self.requests[request.path] = self.requests.get(request.path, 0) + 1
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        await response.write(b'{"meetings": [')
        return await self._pour(request, response, request.path)

    async def _pour(self, request: web.Request, response: web.StreamResponse, key: str) -> web.StreamResponse:
        self.sent[key] = 0
        try:
            while self.sent[key] < (256 << 20):  # a bound for the test's sake: far past any cap
                await response.write(CHUNK)
                self.sent[key] += len(CHUNK)
        except (ConnectionError, asyncio.CancelledError):
            pass
        return response


@asynccontextmanager
async def endless_zoom() -> AsyncIterator[tuple[Endless, str]]:
    server = Endless()
    app = web.Application()
    app.router.add_post("/oauth/token", server.token)
    app.router.add_post("/endless/oauth/token", server.endless)
    app.router.add_get("/v2/users/me", server.user)
    app.router.add_get("/v2/users/declared", server.declared)
    app.router.add_get("/v2/users/endless/meetings", server.endless)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield server, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def _client(base: str, *, oauth_base: str | None = None) -> ZoomClient:
    sign_in = ServerToServerSignIn(
        credentials=ServerToServerCredentials("account", "client", "a-client-secret-for-tests"), oauth_base=oauth_base or base
    )
    return ZoomClient(settings=Settings(api_base=f"{base}/v2", oauth_base=oauth_base or base), auth=ZoomAuth(sign_in))


def test_an_ordinary_answer_is_read_and_an_endless_one_is_stopped_with_a_sentence() -> None:
    async def scenario() -> None:
        async with endless_zoom() as (server, base):
            async with _client(base) as zoom:
                assert (await zoom.me())["email"] == "head@school.example"
                with pytest.raises(AnswerTooLarge) as endless:
                    await zoom.list_upcoming_meetings(user_id="endless")
                with pytest.raises(AnswerTooLarge) as declared:
                    await zoom.get_user("declared")
            await asyncio.sleep(0.2)  # the server notices the closed connection
            for err in (endless.value, declared.value):
                assert f"larger than {MAX_ANSWER_BYTES >> 20} MB" in str(err) and err.hint
            # It stopped soon after the cap, and asked only once: a too-large answer is not worth asking for again.
            assert server.sent["/v2/users/endless/meetings"] < MAX_ANSWER_BYTES + (32 << 20)
            assert server.requests["/v2/users/endless/meetings"] == 1 and server.requests["declared"] == 1

    asyncio.run(scenario())


def test_an_endless_sign_in_answer_is_stopped_too() -> None:
    async def scenario() -> None:
        async with endless_zoom() as (server, base):
            async with _client(base, oauth_base=f"{base}/endless") as zoom:
                with pytest.raises(AnswerTooLarge):
                    await zoom.me()
            await asyncio.sleep(0.2)
            assert server.sent["/endless/oauth/token"] < MAX_ANSWER_BYTES + (32 << 20)

    asyncio.run(scenario())


def test_the_cap_leaves_every_answer_zoom_documents_well_inside_it() -> None:
    # The largest list page zoomhost asks for: 300 participants, each with every documented field.
    row = {"id": "x" * 24, "user_id": "16778240", "user_name": "n" * 200, "device": "Windows", "ip_address": "192.0.2.1",
           "location": "London (GB)", "network_type": "Wired", "join_time": "2024-01-01T09:00:00Z",
           "leave_time": "2024-01-01T09:30:00Z", "status": "in_meeting", "email": "e" * 64 + "@school.example"}  # fmt: skip
    page = json.dumps({"page_size": 300, "total_records": 300, "next_page_token": "t" * 32, "participants": [row] * 300})
    assert len(page.encode()) * 20 < MAX_ANSWER_BYTES
