"""Pre-flight in one round trip when the host is known beforehand, checked against the meeting afterwards."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import httpx

from tests.zoom.rehearsal_zoom import ASSEMBLY, QUICK_RETRY, RehearsalZoom, rehearsal_zoom  # noqa: F401
from zoomhost.core.preflight import RuleStatus
from zoomhost.zoom.client import ZoomClient
from zoomhost.zoom.preflight import PreflightContext, run_preflight

CONTEXT = PreflightContext(consented_pupils=250, staff=12, school_email_domain="sch.im")
OUTSIDERS_MEETING = 81234509876


class Timed(httpx.AsyncBaseTransport):
    """The real loopback transport, noting when each request left and when its answer came back."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.trips: list[tuple[str, float, float]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        sent = time.monotonic()
        response = await self._inner.handle_async_request(request)
        await response.aread()
        self.trips.append((request.url.path, sent, time.monotonic()))
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def _check(zoom: RehearsalZoom, meeting: int, *, settings=None, host_id: str | None = None) -> tuple:
    transport = Timed()

    async def run():
        client = ZoomClient(settings=settings or zoom.settings, auth=zoom.auth(), retry=QUICK_RETRY, transport=transport)
        async with client:
            await client.auth.warm()
            zoom.server.faults.set_latency(60)
            try:
                return await run_preflight(client, meeting, context=CONTEXT, host_id=host_id)
            finally:
                zoom.server.faults.set_latency(0)

    return asyncio.run(run()), transport.trips


def _rounds(trips: list[tuple[str, float, float]]) -> int:
    """How many waits one after another: a request sent once every earlier one was answered starts a new round."""
    rounds, answered = 0, float("-inf")
    for _, sent, back in sorted(trips, key=lambda t: t[1]):
        if sent >= answered:
            rounds += 1
        answered = max(answered, back)
    return rounds


def test_with_the_host_known_everything_is_read_at_once_and_says_the_same(rehearsal_zoom: RehearsalZoom) -> None:
    host = rehearsal_zoom.server.state.host_id
    unknown, slow = _check(rehearsal_zoom, ASSEMBLY)
    known, fast = _check(rehearsal_zoom, ASSEMBLY, host_id=host)
    assert [r.as_dict() for r in known.results] == [r.as_dict() for r in unknown.results]
    assert known.host_id == unknown.host_id == host and known.unreadable == unknown.unreadable == ()
    assert {path.split("/v2", 1)[-1] for path, _, _ in fast} == {
        f"/meetings/{ASSEMBLY}", f"/users/{host}", f"/users/{host}/settings", "/accounts/me/settings",
        "/accounts/me/lock_settings",  # what the admin has locked, read in the same round
    }
    assert (_rounds(slow), _rounds(fast)) == (2, 1)


def test_a_server_to_server_apps_host_email_is_tried_first_and_the_real_host_read_when_it_differs(
    rehearsal_zoom: RehearsalZoom,
) -> None:
    state = rehearsal_zoom.server.state
    settings = replace(rehearsal_zoom.settings, auth_mode="server_to_server", host_email=state.users[state.host_id].email)
    same, trips = _check(rehearsal_zoom, ASSEMBLY, settings=settings)
    assert same.host_id == state.host_id and same.unreadable == () and _rounds(trips) == 1
    other, trips = _check(rehearsal_zoom, OUTSIDERS_MEETING, settings=settings)
    assert other.host_id == state.outsider_id and other.unreadable == ()
    assert any(path.endswith(f"/users/{state.outsider_id}/settings") for path, _, _ in trips)
    assert _rounds(trips) == 2, "the right host's settings are read once the meeting names them"
    host_rule = next(r for r in other.results if r.rule_id == "host_account")
    assert host_rule.status is RuleStatus.FAIL  # judged on the real host (a personal account), not the expected one
