"""The done-when of the host assistant, against the rehearsal Zoom over real sockets.

The assistant runs as its own process (``zoomhost assistant --rehearsal …``) on the rehearsal
binding, whose meeting is the rehearsal REST server's state; the panel side is the real
AssistantChannel, HostControls and LiveSession with its SQLite journal.
"""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from tests.assistant.helpers import (
    SDK_KEY,
    SDK_SECRET,
    RestEventStream,
    absent_consented_name,
    live_session,
    until,
    zoom_client,
)
from tests.rehearsal.fixtures import rehearsal_server  # noqa: F401 - pytest fixture
from zoomhost.assistant.client import AssistantChannel
from zoomhost.assistant.fallback import ManualChannel
from zoomhost.assistant.process import RunningAssistant, start_assistant
from zoomhost.rehearsal.binding import RehearsalBridge
from zoomhost.assistant.sdk_adapter import make_sdk_jwt
from zoomhost.core.classifier import AdmissionClassifier
from zoomhost.core.control import Capability, ConnectionChange, ConnectionState, FailoverChannel, HostControls
from zoomhost.core.journal import JournalKind
from zoomhost.core.session import LiveSession
from zoomhost.rehearsal.scenarios import Scenario, assembly, class_meeting, play
from zoomhost.rehearsal.server import RehearsalServer


@dataclass
class Rig:
    server: RehearsalServer
    scenario: Scenario
    meeting: int
    session: LiveSession
    classifier: AdmissionClassifier
    assistant: RunningAssistant
    channel: AssistantChannel
    controls: HostControls

    def journal_kinds(self) -> list[JournalKind]:
        return [entry.kind for entry in self.session.journal.entries()]

    def where(self, participant_id: str) -> str:
        found = self.server.state.participant(self.meeting, int(participant_id))
        return found.where if found else "unknown"


@asynccontextmanager
async def rig(server: RehearsalServer, scenario: Scenario, *, failover: bool = False) -> AsyncIterator[Rig]:
    state = server.state
    meeting = scenario.meeting_id(state)
    session, classifier = live_session(scenario, meeting_id=meeting)
    bridge = RehearsalBridge(state=state)
    await bridge.start()
    assistant = await start_assistant(rehearsal_url=bridge.url)
    zoom = zoom_client(server)
    rest = RestEventStream(server)
    try:
        channel = AssistantChannel(url=assistant.url, token=assistant.token, end_meeting=lambda: zoom.end_meeting(meeting))
        await channel.connect()
        panel_channel = channel
        if failover:
            await rest.start()
            manual = ManualChannel(end_meeting=lambda: zoom.end_meeting(meeting), events=rest.subscribe)
            panel_channel = FailoverChannel(primary=channel, fallback=manual)
        controls = HostControls(channel=panel_channel, session=session, actor="teacher")
        run = play(state, scenario, speed=5000)
        await channel.join(
            meeting_number=meeting,
            passcode=state.meetings[meeting].password,
            sdk_jwt=make_sdk_jwt(sdk_key=SDK_KEY, sdk_secret=SDK_SECRET),
        )
        await channel.wait_for_status(lambda status: status.can_host)
        await asyncio.to_thread(run.wait, 30)
        await until(
            lambda: {row.participant_id for row in session.waiting()}
            == {str(p.user_id) for p in state.waiting_room(meeting)},
            what="the panel to see the whole waiting room",
        )
        yield Rig(server, scenario, meeting, session, classifier, assistant, channel, controls)
    finally:
        await rest.close()
        await controls.close() if "controls" in locals() else None
        await assistant.stop()
        await bridge.close()
        await zoom.aclose()


def test_assembly_of_272_admit_mute_lock_remove_and_end_each_journaled(rehearsal_server: RehearsalServer) -> None:
    asyncio.run(_assembly(rehearsal_server))


async def _assembly(server: RehearsalServer) -> None:
    async with rig(server, assembly()) as r:
        state, session = server.state, r.session
        assert len(r.scenario.register) == 272

        # Admit one consented pupil.
        first = session.admissible_waiting()[0].participant_id
        result = await r.controls.admit(first)
        assert result.ok, result.message
        await until(lambda: session.participant(first).state.value == "in_meeting", what="the admission event")
        assert r.where(first) == "meeting"

        # Admit all consented: the panel chooses, the assistant admits each; nobody else gets in.
        wanted = [row.participant_id for row in session.admissible_waiting()]
        chosen = set(wanted)
        held_back = {row.participant_id for row in session.waiting()} - chosen
        assert len(chosen) > 150 and held_back  # the assembly has unconsented, unknown and suspicious arrivals
        results = await r.controls.admit_all_consented()
        assert [res.participant_id for res in results] == wanted  # results in the order the panel chose
        assert all(res.ok for res in results), [res.message for res in results if not res.ok]
        await until(lambda: not session.admissible_waiting(), what="every consented pupil to be in")
        assert {str(p.user_id) for p in state.waiting_room(r.meeting)} == held_back
        assert not session.alarms() or all(alarm.kind.value != "not_allowed_in" for alarm in session.alarms())

        # Mute all, with self-unmute off.
        result = await r.controls.mute_all()
        assert result.ok and "cannot unmute" in result.message
        live = state.live[r.meeting]
        assert live.muted_all and not live.allow_self_unmute

        # Lock: this binding has no LockMeeting, so every later arrival is held and flagged.
        assert r.controls.capabilities()[Capability.LOCK].label == "Lock (hold every later arrival)"
        result = await r.controls.lock()
        assert result.ok and "held" in result.message
        late_name = absent_consented_name(r.scenario, session, r.classifier)
        late = state.arrive(r.meeting, late_name)
        assert late is not None  # the waiting room catches them: Zoom's own lock is not bound in 0.0.27
        late_id = str(late.user_id)
        await until(lambda: session.participant(late_id) is not None, what="the late arrival")
        row = session.participant(late_id)
        assert row.verdict.value == "consented" and row.after_lock
        assert late_id not in {x.participant_id for x in session.admissible_waiting()}
        refused = await r.channel.admit_many([late_id])  # even if asked, admit-all never takes a late arrival
        assert not refused[0].ok and "locked" in refused[0].message
        assert r.where(late_id) == "waiting"

        # Remove someone from the meeting.
        target = next(row.participant_id for row in session.in_meeting() if row.participant_id != first)
        result = await r.controls.remove(target)
        assert result.ok, result.message
        assert r.where(target) == "left"

        # End for all: through Zoom's API (a co-host cannot end a meeting).
        result = await r.controls.end_for_all()
        assert result.ok and result.how == "rest"
        assert not state.is_live(r.meeting)

        kinds = r.journal_kinds()
        for kind in (JournalKind.ADMITTED, JournalKind.MUTE_ALL, JournalKind.LOCK, JournalKind.END):
            assert kind in kinds, kind
        removal = [
            e for e in session.journal.entries()
            if e.kind is JournalKind.COMMAND_RESULT and e.detail["name"] == "remove" and e.participant_id == target
        ]  # fmt: skip
        assert removal and removal[0].detail["ok"]
        assert session.participant(target).state.value in ("left", "removed")
        commands = [e for e in session.journal.entries() if e.kind is JournalKind.COMMAND]
        names = [e.detail["name"] for e in commands]
        assert names.count("admit_all") == len(chosen) and names.count("admit") == 1
        results_ok = [e for e in session.journal.entries() if e.kind is JournalKind.COMMAND_RESULT and e.detail["ok"]]
        assert len(results_ok) >= len(chosen) + 5


def test_killed_assistant_panel_falls_back_and_keeps_hearing_arrivals(rehearsal_server: RehearsalServer) -> None:
    asyncio.run(_killed(rehearsal_server))


async def _killed(server: RehearsalServer) -> None:
    async with rig(server, class_meeting(), failover=True) as r:
        state, session = server.state, r.session
        changes: list[ConnectionChange] = []
        failover = r.controls.channel
        assert isinstance(failover, FailoverChannel)
        failover.on_connection(changes.append)

        pid = session.admissible_waiting()[0].participant_id
        assert (await r.controls.admit(pid)).ok

        os.kill(r.assistant.pid, signal.SIGKILL)  # the SDK process dies mid-session
        just_before = state.arrive(r.meeting, "Arrival During The Crash")
        await until(lambda: failover.fallen_back, what="the panel to fall back")
        assert [c.state for c in changes] == [ConnectionState.DROPPED, ConnectionState.FALLEN_BACK]
        assert "assistant" in changes[0].message

        after = state.arrive(r.meeting, "Arrival After The Crash")
        for person in (just_before, after):
            await until(lambda p=person: session.participant(str(p.user_id)) is not None, what=f"{person.display_name}")

        # Controls are now the teacher's, with the exact Zoom step; the confirmation is journaled.
        caps = r.controls.capabilities()
        assert caps[Capability.LOCK].how == "manual" and caps[Capability.LOCK].manual_step == "In Zoom: Security ▸ Lock Meeting"
        waiting = session.admissible_waiting()[0].participant_id
        result = await r.controls.admit(waiting)
        assert not result.ok and result.manual_step == "In Zoom: Participants ▸ Admit"
        state.admit(r.meeting, int(waiting))  # the teacher clicks Admit in Zoom
        r.controls.confirm_manual_step(result.manual_step)
        await until(lambda: session.participant(waiting).state.value == "in_meeting", what="the manual admission")
        assert JournalKind.MANUAL_STEP_CONFIRMED in r.journal_kinds()

        # Someone unconsented let in by hand is caught from Zoom's own events.
        state.admit(r.meeting, after.user_id)
        await until(lambda: any(a.kind.value == "not_allowed_in" for a in session.alarms()), what="the alarm")

        result = await r.controls.end_for_all()
        assert result.ok and result.how == "rest" and not state.is_live(r.meeting)
