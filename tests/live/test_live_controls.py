"""The controller's commands with the autopilot off, as the live panel calls them, against the rehearsal Zoom."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from tests.live.helpers import notes, until
from tests.live.rig import live_rig
from tests.rehearsal.fixtures import rehearsal_server  # noqa: F401 - pytest fixture
from zoomhost.core.control import Capability
from zoomhost.core.incidents import IncidentReport
from zoomhost.core.journal import JournalKind
from zoomhost.core.session import ParticipantState
from zoomhost.core.summary import SessionSummary, safeguarding_headline
from zoomhost.live.notes import LiveNote, note_of
from zoomhost.rehearsal.scenarios import assembly, class_meeting, play
from zoomhost.rehearsal.server import RehearsalServer


def test_assembly_with_the_autopilot_off_admit_all_mute_lock_late_arrival_remove_end(rehearsal_server: RehearsalServer) -> None:
    asyncio.run(_assembly(rehearsal_server))


async def _assembly(server: RehearsalServer) -> None:
    scenario = assembly()
    async with live_rig(server, scenario) as r:
        c, session, state = r.controller, r.controller.session, r.state
        assert not c.autopilot and not notes(session.journal, LiveNote.AUTOPILOT)
        await c.listening()
        run = play(state, scenario, speed=5000)
        assert await c.wait_for_assistant(timeout=20)
        await asyncio.to_thread(run.wait, 30)
        await until(
            lambda: {(row.participant_id, row.display_name) for row in session.waiting()}
            == {(str(p.user_id), p.display_name) for p in state.waiting_room(r.meeting)},
            what="the panel to see the whole waiting room, renames included (only the assistant hears those)",
        )
        assert not session.in_meeting() or all(row.verdict.value == "staff" for row in session.in_meeting())  # only the host

        # One click admits exactly the consented pupils and staff waiting; everyone else stays out.
        wanted = {row.participant_id for row in session.admissible_waiting()}
        others = {row.participant_id for row in session.waiting()} - wanted
        assert len(wanted) > 150 and others
        outcome = await c.admit_all_consented()
        assert (outcome.asked, outcome.admitted, outcome.failed, outcome.manual) == (len(wanted), len(wanted), 0, 0)
        await until(lambda: not session.admissible_waiting(), what="every consented pupil to be in")
        assert {str(p.user_id) for p in state.waiting_room(r.meeting)} == others
        again = await c.admit_all_consented()
        assert again.asked == 0  # a second click admits nobody twice

        # Mute all, without self-unmute.
        muted = await c.mute_all()
        assert muted.ok and state.live[r.meeting].muted_all and not state.live[r.meeting].allow_self_unmute

        # Lock by the teacher, then a consented pupil arrives late: held, flagged, never in admit-all.
        assert c.seconds_until_lock() is not None
        locked = await c.lock()
        assert locked.ok and session.locked and c.lock_deadline is None and c.seconds_until_lock() is None
        absent = next(a for a in scenario.arrivals if a.key == "host")  # a real name: the host's own second device
        late = state.arrive(r.meeting, absent.display_name, identity="late-device")
        late_id = str(late.user_id)
        await until(lambda: session.participant(late_id) is not None, what="the late arrival")
        row = session.participant(late_id)
        assert row.after_lock and row.held and late_id not in {x.participant_id for x in session.admissible_waiting()}
        assert (await c.admit_all_consented()).asked == 0 and r.where(late_id) == "waiting"

        # The teacher presses Seen on the late arrival's alarm: journaled once, with who and when.
        alarm = next(a for a in session.alarms() if a.participant_id == late_id and a.kind.value == "arrival_after_lock")
        await c.alarm_seen(alarm.event_key)
        await c.alarm_seen(alarm.event_key)  # a second press of the same alarm adds nothing
        seen = [n for n in notes(session.journal, LiveNote.ALARM_SEEN) if n.detail["alarm_key"] == alarm.event_key]
        assert [(n.actor, n.participant_id, n.detail["alarm"]) for n in seen] == [("teacher", late_id, "arrival_after_lock")]

        # Hold someone waiting; put someone back from the meeting; remove someone (a retry removes nobody else).
        waiting_other = next(iter(others - {late_id}))
        assert (await c.hold(waiting_other)).ok and session.participant(waiting_other).held
        target = next(row.participant_id for row in session.in_meeting() if row.verdict.value == "consented")
        removed = await c.remove(target)
        assert removed.ok and r.where(target) == "left"
        retried = await c._commands.send(Capability.REMOVE, lambda ch, cid: ch.remove(target, command_id=cid), actor="teacher", command_id=removed.command_id)
        assert retried.replayed and retried.ok

        # End for all, through Zoom's API; Zoom's own report of the end follows.
        ended = await c.end_for_all()
        assert ended.ok and ended.how == "rest" and not state.is_live(r.meeting)
        await until(lambda: any(e.kind is JournalKind.SESSION_ENDED for e in session.journal.entries()), what="Zoom's end")

        entries = session.journal.entries()
        names = [e.detail["name"] for e in entries if e.kind is JournalKind.COMMAND]
        assert names.count("admit_all") == len(wanted)
        for name in ("mute_all", "lock", "remove", "end_for_all"):
            assert names.count(name) == 1, name
        kinds = [e.kind for e in entries]
        for kind in (JournalKind.MUTE_ALL, JournalKind.LOCK, JournalKind.HELD, JournalKind.END):
            assert kind in kinds, kind
        removal = [e for e in entries if e.kind is JournalKind.COMMAND_RESULT and e.detail["name"] == "remove"]
        assert [(e.participant_id, e.detail["ok"]) for e in removal] == [(target, True)]
        assert session.participant(target).state in (ParticipantState.REMOVED, ParticipantState.LEFT)
        assert sum(1 for e in entries if e.kind is JournalKind.ADMITTED and e.participant_id == target) == 1
        heard = [change.entry.event_key for batch in r.heard for change in batch]
        assert len(heard) == len(set(heard)) and set(heard) <= {e.event_key for e in entries}  # the panel heard each once

        # The record says what happened: one lock (with Zoom's answer), a plain End for all, the alarm seen.
        summary = SessionSummary.from_journal(session.journal)
        actions = [(row.action, row.actor, row.outcome) for row in summary.timeline]
        assert [a for a in actions if a[0] == "lock"] == [("lock", "teacher", "done")], actions
        assert [a for a in actions if a[0] in ("end_for_all", "panic")] == [("end_for_all", "teacher", "done")]
        assert summary.panics == () and summary.locked_by == "teacher"
        late_incident = next(i for i in summary.incidents if i.kind == "arrival_after_lock" and i.seen_at is not None)
        assert late_incident.seen_by == "teacher" and late_incident.seen_at == seen[0].at
        assert late_incident.outcome == "still in the waiting room when the session ended"


def test_panic_ends_at_once_and_the_clocks_warn(rehearsal_server: RehearsalServer) -> None:
    asyncio.run(_panic(rehearsal_server))


async def _panic(server: RehearsalServer) -> None:
    scenario = class_meeting()
    options = dict(auto_lock_after=timedelta(minutes=5), planned_length=timedelta(minutes=2), time_scale=200.0)
    async with live_rig(server, scenario, **options) as r:
        c, session, state = r.controller, r.controller.session, r.state
        await c.listening()
        play(state, scenario, speed=200)
        c.count_from(session.journal.info.started_at)
        deadline = c.lock_deadline
        assert deadline is not None and 0 < c.seconds_until_lock() <= 300
        # Auto-lock: five minutes of session time (1.5 s here) after the start, by the system.
        await until(lambda: session.locked, timeout=10, what="the auto-lock")
        assert [e.actor for e in session.journal.entries() if e.kind is JournalKind.LOCK] == ["system"]
        # The planned length is reached, and later exceeded: one warning each.
        await until(lambda: len(notes(session.journal, LiveNote.TIMER)) == 2, timeout=10, what="both timer warnings")
        assert [n.detail["stage"] for n in notes(session.journal, LiveNote.TIMER)] == ["planned_length_reached", "planned_length_exceeded"]
        assert any(note_of(change) is LiveNote.TIMER for batch in r.heard for change in batch)

        result = await c.panic()
        assert result.ok and not state.is_live(r.meeting)
        entries = session.journal.entries()
        panic = notes(session.journal, LiveNote.PANIC)
        assert len(panic) == 1 and panic[0].actor == "teacher"
        command = [e for e in entries if e.kind is JournalKind.COMMAND and e.detail["command_id"] == panic[0].detail["command_id"]]
        assert command and command[0].detail["name"] == "end_for_all"
        assert JournalKind.END in [e.kind for e in entries] and session.ended

        # The record tells the panic key from a plain End for all, and the auto-lock shows once.
        summary = SessionSummary.from_journal(session.journal)
        actions = [(row.action, row.actor, row.outcome) for row in summary.timeline]
        assert ("panic", "teacher", "done") in actions and not [a for a in actions if a[0] == "end_for_all"], actions
        assert [row.words for row in summary.timeline if row.action == "panic"] == ["Panic: end the meeting for everyone"]
        assert [a for a in actions if a[0] == "lock"] == [("lock", "system", "done")]
        assert [(p.kind, p.acted_by, p.outcome) for p in summary.panics] == [("panic", "teacher", "the meeting ended for everyone")]
        assert summary.counts["panic"] == 1
        assert any(line.startswith("Panic key pressed at ") for line in safeguarding_headline(summary))
        # The incident report, for the safeguarding lead, says the same: the panic key, never a plain End for all.
        report = IncidentReport.from_journal(session.journal)
        assert report.incidents, "the class meeting has an intruder to report"
        for incident in report.incidents:
            words = [step.words for step in incident.steps]
            assert "Panic: end the meeting for everyone" in words and "End meeting for all" not in words, words
