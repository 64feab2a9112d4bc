"""A live controller on the rehearsal Zoom, built the way the app builds it, for the engine's tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from zoomhost.app.rehearse import ScenarioRegister
from zoomhost.app.services import session_journals
from zoomhost.app.session import assistant_zak, start_session
from zoomhost.assistant.launcher import AssistantLauncher
from zoomhost.assistant.sdk_adapter import make_sdk_jwt
from zoomhost.core.session import SessionChange
from zoomhost.live.engine import LiveController
from zoomhost.rehearsal.binding import RehearsalBridge
from zoomhost.rehearsal.scenarios import Scenario
from zoomhost.rehearsal.server import RehearsalServer
from zoomhost.system.config import Settings
from zoomhost.zoom.auth import ServerToServerSignIn, ZoomAuth
from zoomhost.zoom.client import ZoomClient
from zoomhost.zoom.credentials import ServerToServerCredentials


@dataclass
class Rig:
    server: RehearsalServer
    meeting: int
    controller: LiveController
    launcher: AssistantLauncher
    zoom: ZoomClient
    heard: list[Sequence[SessionChange]] = field(default_factory=list)

    @property
    def state(self) -> Any:
        return self.server.state

    def where(self, participant_id: str) -> str:
        found = self.state.participant(self.meeting, int(participant_id))
        return found.where if found else "unknown"


def settings_for(server: RehearsalServer) -> Settings:
    return replace(
        Settings(),
        api_base=server.api_base,
        oauth_base=server.oauth_base,
        ws_base=server.ws_base,
        subscription_id=server.subscription_id,
        host_email=server.state.users[server.state.host_id].email,
    )


@asynccontextmanager
async def live_rig(
    server: RehearsalServer,
    scenario: Scenario,
    *,
    process: bool = False,
    relaunch: asyncio.Event | None = None,
    teacher_admits_assistant: bool = True,
    zak_user: str | None = None,
    **options: Any,
) -> AsyncIterator[Rig]:
    """A started controller for ``scenario``'s meeting, with its assistant (in this process, or as a child).

    The assistant arrives as Zoom's rules say (in the waiting room, as a participant); with
    ``teacher_admits_assistant`` the teacher does the one thing it asks at once, for each assistant
    started (admit it, make it co-host), so tests about something else find it co-host. With
    ``relaunch``, an assistant that dropped is brought back only once the event is set. With ``zak_user``
    (an email), the assistant joins as that Zoom user, with a ZAK fetched over Zoom's API, as the app does.
    """
    meeting = scenario.meeting_id(server.state)
    creds = server.credentials
    auth = ZoomAuth(
        ServerToServerSignIn(
            credentials=ServerToServerCredentials(creds.account_id, creds.client_id, creds.client_secret),
            oauth_base=server.oauth_base,
        )
    )
    zoom = ZoomClient(settings=settings_for(server), auth=auth)
    bridge = RehearsalBridge(state=server.state) if process else None
    bridge_url = await bridge.start() if bridge else None
    sdk_key, sdk_secret = server.state.sdk_app

    async def end_meeting() -> None:
        await zoom.end_meeting(meeting)

    launcher = AssistantLauncher(
        meeting_number=meeting,
        passcode=server.state.meetings[meeting].password,
        sdk_jwt=lambda: make_sdk_jwt(sdk_key=sdk_key, sdk_secret=sdk_secret),
        end_meeting=end_meeting,
        rehearsal_url=bridge_url,
        rehearsal_state=None if process else server.state,
        zak=assistant_zak(zoom, zak_user) if zak_user else None,
    )
    async def connect(on_event: Any) -> Any:
        if relaunch is not None and launcher.launches:
            await relaunch.wait()
        channel = await launcher(on_event)
        if teacher_admits_assistant:  # the teacher's one action, done as soon as the panel asks for it
            await asyncio.to_thread(server.state.host_admits_assistant, meeting)
        return channel

    heard: list[Sequence[SessionChange]] = []
    options.setdefault("auto_lock_after", timedelta(hours=1))
    controller = await start_session(
        settings=settings_for(server),
        zoom=zoom,
        auth=auth,
        register=ScenarioRegister.of(scenario),
        journals=session_journals(),
        meeting_id=str(meeting),
        rehearsal=True,
        connect_assistant=connect,
        listener=heard.append,
        **options,
    )
    try:
        yield Rig(server, meeting, controller, launcher, zoom, heard)
    finally:
        await controller.close()
        await launcher.close()
        await zoom.aclose()
        if bridge is not None:
            await bridge.close()
