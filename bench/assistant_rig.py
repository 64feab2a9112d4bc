"""The assembly in a waiting room with a real host assistant in charge: what benchmarks of host controls stand on.

The rehearsal Zoom runs in this process; the assistant is its own process (``zoomhost assistant
--rehearsal``) driving the rehearsal binding through a ``RehearsalBridge``, exactly as in a
rehearsal; the panel side is the real ``AssistantChannel``, ``HostControls`` and ``LiveSession``
with its SQLite journal.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

from zoomhost.app.services import session_journals
from zoomhost.assistant.client import AssistantChannel
from zoomhost.assistant.process import RunningAssistant, start_assistant
from zoomhost.rehearsal.binding import RehearsalBridge
from zoomhost.assistant.sdk_adapter import make_sdk_jwt
from zoomhost.core.classifier import AdmissionClassifier
from zoomhost.core.control import HostControls
from zoomhost.core.models import Pupil, StaffMember
from zoomhost.core.session import LiveSession
from zoomhost.rehearsal.scenarios import Scenario
from zoomhost.rehearsal.server import RehearsalServer

SDK_KEY = "benchSdkKey000001"
SDK_SECRET = "bench-sdk-secret-not-a-real-one-0123"


def scenario_register(scenario: Scenario) -> tuple[list[Pupil], list[StaffMember]]:
    """The scenario's register and staff as the importer keeps them (first name, initial, class, consent)."""
    pupils = [
        Pupil(n, row.forename, row.preferred_name or None, row.surname[:1], row.reg_group, row.consent, row.consent_date)
        for n, row in enumerate(scenario.register, start=1)
    ]
    staff = [StaffMember(n, row.name, row.email) for n, row in enumerate(scenario.staff, start=1)]
    return pupils, staff


def live_session(scenario: Scenario, *, meeting_id: int) -> LiveSession:
    pupils, staff = scenario_register(scenario)
    classifier = AdmissionClassifier(pupils=pupils, staff=staff)
    journal = session_journals().create(
        meeting_id=str(meeting_id), topic=scenario.title, planned_minutes=30, started_at=datetime.now(UTC), rehearsal=True
    )
    return LiveSession(
        journal=journal,
        classify=lambda name, present: classifier.classify(name, present=present),
        expected_pupils=sum(p.consent for p in pupils),
    )


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
    controls: HostControls
    session: LiveSession
    meeting: int


@contextlib.asynccontextmanager
async def assistant_rig(server: RehearsalServer, scenario: Scenario) -> AsyncIterator[AssistantRig]:
    """Everyone in the scenario waiting, the assistant co-host, the panel seeing the whole waiting room."""
    from zoomhost.rehearsal.scenarios import play

    state = server.state
    meeting = scenario.meeting_id(state)
    session = live_session(scenario, meeting_id=meeting)
    bridge = RehearsalBridge(state=state)
    await bridge.start()
    assistant = await start_assistant(rehearsal_url=bridge.url)
    channel = AssistantChannel(url=assistant.url, token=assistant.token)
    controls: HostControls | None = None
    try:
        await channel.connect()
        controls = HostControls(channel=channel, session=session, actor="teacher")
        run = play(state, scenario, speed=100_000)
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
        yield AssistantRig(server, bridge, assistant, channel, controls, session, meeting)
    finally:
        if controls is not None:
            await controls.close()
        else:
            await channel.close()
        await assistant.stop()
        await bridge.close()
        session.journal.close()
