"""Test connection's line about the host assistant's own Zoom user: Zoom must hand zoomhost that user's access
key (ZAK), and the user must be licensed, or the line fails with what to do. Against the rehearsal Zoom."""

from __future__ import annotations

import asyncio

from tests.live.rig import settings_for
from tests.rehearsal.fixtures import rehearsal_server  # noqa: F401 - pytest fixture
from zoomhost.app.assistant_checks import assistant_sign_in_check
from zoomhost.core.preflight import RuleStatus
from zoomhost.rehearsal.server import RehearsalServer
from zoomhost.zoom.auth import ServerToServerSignIn, ZoomAuth
from zoomhost.zoom.checkup import CheckLine
from zoomhost.zoom.client import ZoomClient
from zoomhost.zoom.credentials import ServerToServerCredentials


def _check(server: RehearsalServer, user: str) -> CheckLine:
    creds = server.credentials
    auth = ZoomAuth(
        ServerToServerSignIn(
            credentials=ServerToServerCredentials(creds.account_id, creds.client_id, creds.client_secret), oauth_base=server.oauth_base
        )
    )

    async def run() -> CheckLine:
        async with ZoomClient(settings=settings_for(server), auth=auth) as zoom:
            return await assistant_sign_in_check(zoom, user)

    return asyncio.run(run())


def test_the_assistants_zoom_user_passes_only_when_zoom_hands_over_its_access_key(rehearsal_server: RehearsalServer) -> None:  # noqa: F811
    state = rehearsal_server.state
    email = state.users[state.assistant_user_id].email
    line = _check(rehearsal_server, email)
    assert line.status is RuleStatus.PASS and email in line.text
    assert [(e.method, e.query.get("type")) for e in rehearsal_server.exchanges if e.path.endswith("/token")] == [("GET", "zak")]
    assert all(e.status == 200 for e in rehearsal_server.exchanges)

    unknown = _check(rehearsal_server, "nobody.here@sch.im")
    assert unknown.status is RuleStatus.FAIL and "Assistant's Zoom user" in unknown.text and "nobody.here@sch.im" in unknown.text

    not_set = _check(rehearsal_server, "  ")
    assert not_set.status is RuleStatus.UNKNOWN and "Not tried" in not_set.text


def test_an_unlicensed_assistant_user_fails_because_it_cannot_be_an_alternative_host(rehearsal_server: RehearsalServer) -> None:  # noqa: F811
    state = rehearsal_server.state
    user = state.users[state.assistant_user_id]
    user.type = 1  # the school's administrator took its licence away
    line = _check(rehearsal_server, user.email)
    assert line.status is RuleStatus.FAIL and "Basic (free)" in line.text and "alternative host" in line.text
