"""The done-when of the host assistant, against the rehearsal Zoom over real sockets.

The assistant runs as its own process (``zoomhost assistant --rehearsal …``) on the rehearsal
binding, whose meeting is the rehearsal REST server's state; the panel side is the app's own
engine, a ``LiveController`` started the way the app starts a session, with its SQLite journal.
(The assistant killed mid-session, and the panel falling back to Zoom's own buttons, is proven
through the same engine in ``tests/live/test_live_fallback.py``.)
"""

from __future__ import annotations

import asyncio

from tests.assistant.helpers import absent_consented_name
from tests.live.helpers import until
from tests.live.rig import live_rig
from tests.rehearsal.fixtures import rehearsal_server  # noqa: F401 - pytest fixture
from zoomhost.app.rehearse import ScenarioRegister
from zoomhost.core.classifier import AdmissionClassifier
from zoomhost.core.control import Capability
from zoomhost.core.journal import JournalKind
from zoomhost.rehearsal.scenarios import assembly, play
from zoomhost.rehearsal.server import RehearsalServer


def test_assembly_of_272_admit_mute_lock_remove_and_end_each_journaled(rehearsal_server: RehearsalServer) -> None:
    asyncio.run(_assembly(rehearsal_server))


async def _assembly(server: RehearsalServer) -> None:
    scenario = assembly()
    register = ScenarioRegister.of(scenario)  # the register the session classifies against
    classifier = AdmissionClassifier(pupils=register.pupils(), staff=register.staff())
    async with live_rig(server, scenario, process=True) as r:
        c, session, state = r.controller, r.controller.session, r.state
        assert len(scenario.register) == 272
        await c.listening()
        run = play(state, scenario, speed=5000)
        assert await c.wait_for_assistant(timeout=30)
        await asyncio.to_thread(run.wait, 30)
        await until(
            lambda: {row.participant_id for row in session.waiting()} == {str(p.user_id) for p in state.waiting_room(r.meeting)},
            what="the panel to see the whole waiting room",
        )

        # Admit one consented pupil.
        first = session.admissible_waiting()[0].participant_id
        result = await c.admit(first)
        assert result.ok, result.message
        await until(lambda: session.participant(first).state.value == "in_meeting", what="the admission event")
        assert r.where(first) == "meeting"

        # Admit all consented: the panel chooses, the assistant admits each; nobody else gets in.
        wanted = [row.participant_id for row in session.admissible_waiting()]
        chosen = set(wanted)
        held_back = {row.participant_id for row in session.waiting()} - chosen
        assert len(chosen) > 150 and held_back  # the assembly has unconsented, unknown and suspicious arrivals
        outcome = await c.admit_all_consented()
        assert [res.participant_id for res in outcome.results] == wanted  # results in the order the panel chose
        assert all(res.ok for res in outcome.results), [res.message for res in outcome.results if not res.ok]
        await until(lambda: not session.admissible_waiting(), what="every consented pupil to be in")
        assert {str(p.user_id) for p in state.waiting_room(r.meeting)} == held_back
        assert not session.alarms() or all(alarm.kind.value != "not_allowed_in" for alarm in session.alarms())

        # Mute all, with self-unmute off.
        result = await c.mute_all()
        assert result.ok and "cannot unmute" in result.message
        live = state.live[r.meeting]
        assert live.muted_all and not live.allow_self_unmute

        # Lock: this binding has no LockMeeting, so every later arrival is held and flagged.
        assert c.capabilities()[Capability.LOCK].label == "Lock (hold every later arrival)"
        result = await c.lock()
        assert result.ok and "held" in result.message
        late_name = absent_consented_name(scenario, session, classifier)
        late = state.arrive(r.meeting, late_name)
        assert late is not None  # the waiting room catches them: Zoom's own lock is not bound in 0.0.27
        late_id = str(late.user_id)
        await until(lambda: session.participant(late_id) is not None, what="the late arrival")
        row = session.participant(late_id)
        assert row.verdict.value == "consented" and row.after_lock
        assert late_id not in {x.participant_id for x in session.admissible_waiting()}
        refused = await c.channel.admit_many([late_id])  # even if asked, the assistant never takes a late arrival
        assert not refused[0].ok and "locked" in refused[0].message
        assert r.where(late_id) == "waiting"

        # Remove a pupil from the meeting.
        target = next(row.participant_id for row in session.in_meeting() if row.participant_id != first and row.verdict.value == "consented")
        result = await c.remove(target)
        assert result.ok, result.message
        assert r.where(target) == "left"

        # End for all: through Zoom's API (a co-host cannot end a meeting).
        result = await c.end_for_all()
        assert result.ok and result.how == "rest"
        assert not state.is_live(r.meeting)

        entries = session.journal.entries()
        kinds = [entry.kind for entry in entries]
        for kind in (JournalKind.ADMITTED, JournalKind.MUTE_ALL, JournalKind.LOCK, JournalKind.END):
            assert kind in kinds, kind
        removal = [
            e for e in entries
            if e.kind is JournalKind.COMMAND_RESULT and e.detail["name"] == "remove" and e.participant_id == target
        ]  # fmt: skip
        assert removal and removal[0].detail["ok"]
        assert session.participant(target).state.value in ("left", "removed")
        commands = [e for e in entries if e.kind is JournalKind.COMMAND]
        names = [e.detail["name"] for e in commands]
        assert names.count("admit_all") == len(chosen) and names.count("admit") == 1
        results_ok = [e for e in entries if e.kind is JournalKind.COMMAND_RESULT and e.detail["ok"]]
        assert len(results_ok) >= len(chosen) + 5
