"""The assembly in a waiting room with a real host assistant in charge: what benchmarks of host controls stand on.

The rehearsal Zoom runs in this process; the assistant is its own process (``zoomhost assistant
--rehearsal``) driving the rehearsal binding through a ``RehearsalBridge``, exactly as in a
rehearsal. The panel side is the app's own engine: a ``LiveController`` on the session the app
would open (the scenario's register read through the importer, a fresh SQLite journal), carrying
its commands over a real ``AssistantChannel`` and journaling each command and result itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from zoomhost.app.rehearse import ScenarioRegister
from zoomhost.app.services import session_journals
from zoomhost.assistant.client import AssistantChannel
from zoomhost.assistant.fallback import ManualChannel
from zoomhost.assistant.process import RunningAssistant, start_assistant
from zoomhost.assistant.sdk_adapter import make_sdk_jwt
from zoomhost.core.session import LiveSession
from zoomhost.live.engine import LiveController
from zoomhost.live.opening import open_session
from zoomhost.rehearsal.binding import RehearsalBridge
from zoomhost.rehearsal.scenarios import Scenario, play
from zoomhost.rehearsal.server import RehearsalServer

SDK_KEY = "benchSdkKey000001"
SDK_SECRET = "bench-sdk-secret-not-a-real-one-0123"


async def until(predicate: object, *, timeout: float = 60.0, what: str = "the rehearsal") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


@dataclass
class AssistantRig:
    server: RehearsalServer
    bridge: RehearsalBridge
    assistant: RunningAssistant
    channel: AssistantChannel
    controller: LiveController
    session: LiveSession
    meeting: int


@contextlib.asynccontextmanager
async def assistant_rig(server: RehearsalServer, scenario: Scenario) -> AsyncIterator[AssistantRig]:
    """Everyone in the scenario waiting, the assistant co-host, the panel's engine seeing the whole waiting room."""
    state = server.state
    meeting = scenario.meeting_id(state)
    session = open_session(
        meeting_id=str(meeting),
        topic=scenario.title,
        planned_minutes=30,
        rehearsal=True,
        register=ScenarioRegister.of(scenario),
        journals=session_journals(),
        resume=False,
    )
    bridge = RehearsalBridge(state=state)
    await bridge.start()
    assistant = await start_assistant(rehearsal_url=bridge.url)
    channel = AssistantChannel(url=assistant.url, token=assistant.token)
    # No clocks: an auto-lock falling mid-measurement would hold everyone still waiting.
    controller = LiveController(
        session=session, fallback=ManualChannel(end_meeting=None), channel=channel, auto_lock_after=None, planned_length=None
    )
    try:
        await channel.connect()
        await controller.start()  # the engine hears the assistant's events from the join on
        run = play(state, scenario, speed=100_000)
        state.register_sdk_app(SDK_KEY, SDK_SECRET)  # the rehearsal checks the assistant's JWT against its SDK app
        state.host_admits_assistant(meeting)  # the teacher's one action, done as it arrives: admitted and co-host
        await channel.join(
            meeting_number=meeting,
            passcode=state.meetings[meeting].password,
            sdk_jwt=make_sdk_jwt(sdk_key=SDK_KEY, sdk_secret=SDK_SECRET),
        )
        await channel.wait_for_status(lambda status: status.can_host)
        await asyncio.to_thread(run.wait, 60)
        await until(
            lambda: {row.participant_id for row in session.waiting()} == {str(p.user_id) for p in state.waiting_room(meeting)},
            what="the panel to see the whole waiting room",
        )
        yield AssistantRig(server, bridge, assistant, channel, controller, session, meeting)
    finally:
        await controller.close()  # closes the assistant's channel too
        await assistant.stop()
        await bridge.close()
        session.journal.close()
