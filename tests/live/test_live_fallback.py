"""The assistant process killed mid-session: the panel falls back to Zoom's own buttons, loses no arrival,
and takes the assistant back when it returns."""

from __future__ import annotations

import asyncio
import os
import signal

from tests.live.helpers import notes, until
from tests.live.rig import live_rig
from tests.rehearsal.fixtures import rehearsal_server  # noqa: F401 - pytest fixture
from zoomhost.assistant.client import AssistantChannel
from zoomhost.core.control import Capability
from zoomhost.core.journal import JournalKind
from zoomhost.core.session import ParticipantState
from zoomhost.live.notes import LiveNote, note_of
from zoomhost.rehearsal.scenarios import class_meeting, play
from zoomhost.rehearsal.server import RehearsalServer

_WHERE = {"waiting": ParticipantState.WAITING, "meeting": ParticipantState.IN_MEETING}


def test_killed_assistant_falls_back_loses_nothing_and_comes_back(rehearsal_server: RehearsalServer) -> None:
    asyncio.run(_killed(rehearsal_server))


async def _killed(server: RehearsalServer) -> None:
    scenario = class_meeting()
    relaunch = asyncio.Event()
    async with live_rig(server, scenario, process=True, relaunch=relaunch, autopilot=True) as r:
        c, session, state = r.controller, r.controller.session, r.state
        await c.listening()
        run = play(state, scenario, speed=5000)
        assert await c.wait_for_assistant(timeout=30)
        first = c.channel
        await asyncio.to_thread(run.wait, 30)
        await until(lambda: not session.admissible_waiting() and session.in_meeting(), what="the autopilot to admit the class")
        register = [row for row in scenario.register if row.consent]
        here = {row.pupil_label for row in session.arrivals()}
        absent = [row for row in register if f"{row.known_as} {row.surname[0]}. ({row.reg_group})" not in here]

        pid = r.launcher.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)  # the Meeting SDK process dies mid-session
        during = state.arrive(r.meeting, f"{absent[0].known_as} {absent[0].surname}")
        await until(lambda: c.fallen_back, what="the panel to fall back")
        fell = notes(session.journal, LiveNote.CHANNEL)[-1]
        assert fell.detail["state"] == "fallen_back" and "assistant" in fell.detail["message"]
        assert any(note_of(ch) is LiveNote.CHANNEL and ch.entry.detail["state"] == "fallen_back" for b in r.heard for ch in b)
        after = state.arrive(r.meeting, "Galaxy S21")
        for person in (during, after):
            await until(lambda p=person: session.participant(str(p.user_id)) is not None, what=person.display_name)

        # The buttons are the teacher's now, with the exact Zoom step; the autopilot waits.
        caps = c.capabilities()
        assert caps[Capability.ADMIT].how == "manual" and caps[Capability.END_FOR_ALL].how == "rest"
        assert session.participant(str(during.user_id)).state is ParticipantState.WAITING
        result = await c.admit(str(after.user_id))  # the teacher decides to let this one in, by hand
        assert not result.ok and result.manual_step == "In Zoom: Participants ▸ Admit"
        shown = notes(session.journal, LiveNote.MANUAL_STEP)[-1]
        assert shown.detail["command_id"] == result.command_id and shown.detail["step"] == result.manual_step
        state.admit(r.meeting, after.user_id)  # the click in Zoom
        await c.confirm_manual_step(result.manual_step, command_id=result.command_id)
        assert session.command_done(result.command_id)
        assert JournalKind.MANUAL_STEP_CONFIRMED in [e.kind for e in session.journal.entries()]
        # Zoom's own events show an unchecked person inside: the alarm is raised without the assistant.
        await until(lambda: any(a.kind.value == "not_allowed_in" for a in session.alarms()), what="the alarm")

        # The assistant comes back: commands go to it again and the autopilot admits who waited meanwhile.
        relaunch.set()
        await until(lambda: not c.fallen_back, timeout=30, what="the assistant to come back")
        assert isinstance(c.channel, AssistantChannel) and c.channel is not first and r.launcher.launches == 2
        assert notes(session.journal, LiveNote.CHANNEL)[-1].detail["state"] == "connected"
        await until(lambda: session.participant(str(during.user_id)).state is ParticipantState.IN_MEETING, what="the late pupil admitted")

        # Nothing lost: everyone Zoom has is where the session says, each arrival journaled once. The two
        # assistants are in Zoom's lists too; each said which participant it is, and is nobody's row.
        assert len(session.assistant_ids) == 2 and set(session.assistant_ids) >= {str(p) for p in state.live[r.meeting].sdk_roles}
        await until(
            lambda: all(
                session.participant(str(p.user_id)) is not None and session.participant(str(p.user_id)).state is _WHERE[p.where]
                for p in state.waiting_room(r.meeting) + state.in_meeting(r.meeting)
                if str(p.user_id) not in session.assistant_ids
            ),
            what="the session to match Zoom",
        )
        arrivals = [
            e.participant_id for e in session.journal.entries() if e.kind is JournalKind.ARRIVAL and e.participant_id not in session.assistant_ids
        ]
        assert len(arrivals) == len(set(arrivals)) == len(scenario.arrivals) + 2
        admits = [e for e in session.journal.entries() if e.kind is JournalKind.COMMAND and e.actor == "autopilot"]
        assert str(after.user_id) not in {e.participant_id for e in admits}  # never the unchecked one
