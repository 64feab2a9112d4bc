"""The assembly in a waiting room with a real host assistant in charge: what benchmarks of host controls stand on.

The rehearsal Zoom runs in a process of its own (``RehearsalZoomProcess``, as the app starts it),
so none of Zoom's side shares the panel's process; the assistant is its own process (``zoomhost
assistant --rehearsal``) driving the rehearsal binding through the rehearsal's bridge, exactly as
in a rehearsal. The panel side is the app's own engine: a ``LiveController`` on the session the app
would open (the scenario's register read through the importer, a fresh SQLite journal), carrying
its commands over a real ``AssistantChannel`` and journaling each command and result itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from zoomhost.app.rehearsal_zoom import RehearsalZoomProcess
from zoomhost.app.rehearse import ScenarioRegister
from zoomhost.app.services import session_journals
from zoomhost.assistant.client import AssistantChannel
from zoomhost.assistant.fallback import ManualChannel
from zoomhost.assistant.process import RunningAssistant, start_assistant
from zoomhost.assistant.sdk_adapter import make_sdk_jwt
from zoomhost.core.session import LiveSession
from zoomhost.live.engine import LiveController
from zoomhost.live.opening import open_session
from zoomhost.rehearsal.binding import RemoteZoomState
from zoomhost.rehearsal.scenarios import Scenario


async def until(predicate: object, *, timeout: float = 60.0, what: str = "the rehearsal") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


@dataclass
class AssistantRig:
    zoom: RehearsalZoomProcess
    bridge_url: str
    assistant: RunningAssistant
    channel: AssistantChannel
    controller: LiveController
    session: LiveSession
    meeting: int


async def _all_waiting_seen(session: LiveSession, remote: RemoteZoomState, meeting: int, *, timeout: float = 60.0) -> None:
    """Until the panel sees the whole waiting room, and it has stopped changing (the script is over)."""
    deadline, last = time.monotonic() + timeout, None
    while True:
        there = {str(p.user_id) for p in await asyncio.to_thread(remote.waiting_room, meeting)}
        if there and there == {row.participant_id for row in session.waiting()} and there == last:
            return
        if time.monotonic() > deadline:
            raise TimeoutError("timed out waiting for the panel to see the whole waiting room")
        last = there
        await asyncio.sleep(0.3)


@contextlib.asynccontextmanager
async def assistant_rig(zoom: RehearsalZoomProcess, scenario: Scenario) -> AsyncIterator[AssistantRig]:
    """Everyone in the scenario waiting, the assistant co-host, the panel's engine seeing the whole waiting room."""
    meeting = zoom.meetings[scenario.meeting]
    assert zoom.bridge_url is not None
    remote = await asyncio.to_thread(RemoteZoomState, zoom.bridge_url)
    session = open_session(
        meeting_id=str(meeting),
        topic=scenario.title,
        planned_minutes=30,
        rehearsal=True,
        register=ScenarioRegister.of(scenario),
        journals=session_journals(),
        resume=False,
    )
    assistant = await start_assistant(rehearsal_url=zoom.bridge_url)
    channel = AssistantChannel(url=assistant.url, token=assistant.token)
    # No clocks: an auto-lock falling mid-measurement would hold everyone still waiting.
    controller = LiveController(
        session=session, fallback=ManualChannel(end_meeting=None), channel=channel, auto_lock_after=None, planned_length=None
    )
    try:
        await channel.connect()
        await controller.start()  # the engine hears the assistant's events from the join on
        await asyncio.to_thread(zoom.play, scenario.name, speed=100_000)
        # The teacher's one action, done as it arrives: admitted and co-host (with none there yet, for the next to arrive).
        await asyncio.to_thread(zoom.host_admits_assistant, meeting)
        key, secret = zoom.sdk_app  # the rehearsal checks the assistant's JWT against its own SDK app
        passcode = (await asyncio.to_thread(remote.meeting, meeting)).password
        await channel.join(meeting_number=meeting, passcode=passcode, sdk_jwt=make_sdk_jwt(sdk_key=key, sdk_secret=secret))
        await channel.wait_for_status(lambda status: status.can_host)
        await _all_waiting_seen(session, remote, meeting)
        remote.close()  # only the assistant listens on the bridge from here, as in a teacher's rehearsal
        yield AssistantRig(zoom, zoom.bridge_url, assistant, channel, controller, session, meeting)
    finally:
        await controller.close()  # closes the assistant's channel too
        await assistant.stop()
        remote.close()
        session.journal.close()
