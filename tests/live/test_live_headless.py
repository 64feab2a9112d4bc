"""The headless rehearsal: the 272-pupil assembly played end to end under the automatic host policy."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter


from tests.live.helpers import ADMISSIBLE, check_journal, expected_verdicts, notes
from zoomhost.app.services import session_journals
from zoomhost.core.events import ZoomIdentity
from zoomhost.core.journal import JournalKind
from zoomhost.core.models import Verdict
from zoomhost.live.notes import LiveNote
from zoomhost.app.rehearse import ScenarioRegister, rehearse
from zoomhost.rehearsal.scenarios import Behaviour, Scenario, assembly
from zoomhost.system.runtime import AsyncRunner


def _register_verdicts(scenario) -> dict[str, int]:  # noqa: ANN001
    """What the register, as zoomhost keeps it, says of each scripted name (after renames, once per join),
    with the identity Zoom gives: a family's own link where the school registered the family, a sign-in for staff."""
    from zoomhost.core.classifier import AdmissionClassifier

    register = ScenarioRegister.of(scenario)
    links = {f"reg-{row}": register.pupils()[row].id for row in scenario.families}
    classifier = AdmissionClassifier(pupils=register.pupils(), staff=register.staff(), links=links, links_in_use=True)
    counts = Counter({v.value: 0 for v in Verdict})
    for arrival in scenario.arrivals:
        name = arrival.rename_to if arrival.behaviour is Behaviour.RENAMES and arrival.rename_to else arrival.display_name
        row = Scenario.row_of(arrival.link) if arrival.link else None
        identity = ZoomIdentity(
            user_id=f"user-{arrival.key}" if arrival.email else "",
            email=arrival.email,
            registrant_id=f"reg-{row}" if row in scenario.families else "",
        )
        verdict = classifier.classify(name, identity=identity).verdict
        if arrival.key in ("duplicate", "intruder", "forwarded"):
            verdict = Verdict.DUPLICATE  # the same name, staff name or family link as someone already in
        counts[verdict.value] += 2 if arrival.behaviour is Behaviour.REJOINS else 1
    return dict(counts)


def test_headless_assembly_at_high_speed_admits_only_the_consented_once_each() -> None:
    scenario = assembly()
    with AsyncRunner(name="test-rehearse") as runner:
        result = runner.run(rehearse(scenario="assembly", speed=50, autopilot=True), timeout=120)
    out = result.as_dict()
    journal = session_journals().open(out["session_id"])
    entries = check_journal(journal, scenario)

    # Every scripted arrival (273, one rejoining) is a journaled arrival, classified as the register says.
    assert out["arrivals"] == sum(2 if a.behaviour is Behaviour.REJOINS else 1 for a in scenario.arrivals) == 274
    assert out["by_verdict"] == _register_verdicts(scenario) == expected_verdicts(scenario)
    classified = [e for e in entries if e.kind in (JournalKind.ARRIVAL, JournalKind.RENAMED, JournalKind.IDENTIFIED)]
    verdicts = {e.participant_id: e.verdict for e in classified}
    may_admit = {e.participant_id: bool(e.detail["admit"]) for e in classified}

    # The autopilot admitted each pupil through their own link and each signed-in member of staff
    # waiting before the lock, nobody else: not a pupil by name alone, not a typed staff name.
    admits = [e for e in entries if e.kind is JournalKind.COMMAND and e.detail["name"] == "admit"]
    assert admits and all(e.actor == "autopilot" for e in admits)
    assert all(verdicts[e.participant_id] in ADMISSIBLE and may_admit[e.participant_id] for e in admits)
    inside = {e.participant_id for e in entries if e.kind in (JournalKind.ADMITTED, JournalKind.JOINED)}
    waiting_admissible = {pid for pid, ok in may_admit.items() if ok} - {
        e.participant_id for e in entries if e.kind is JournalKind.ARRIVAL and e.detail.get("after_lock")
    }
    assert waiting_admissible <= inside
    assert out["admitted"] == len(inside) == out["by_verdict"]["consented"] + out["by_verdict"]["staff"]
    evidence = Counter((verdicts[pid], e.detail["evidence"]) for pid, e in {e.participant_id: e for e in classified}.items())
    assert evidence[("consented", "link")] == out["by_verdict"]["consented"] and evidence[("staff", "signed_in")] == 6

    # Locked by the system after five minutes of scenario time: only the zoombomber came later, held and flagged.
    locks = [e for e in entries if e.kind is JournalKind.LOCK]
    assert [e.actor for e in locks] == ["system"]
    late = [e for e in entries if e.kind is JournalKind.ARRIVAL and e.detail.get("after_lock")]
    assert [e.display_name for e in late] == ["xX_RaidLord_Xx"]
    # the duplicates: a pupil's name on a second device, a teacher's name typed by someone not signed in,
    # and a pupil's link forwarded to someone else
    assert out["alarms_by_kind"] == {"arrival_after_lock": 1, "duplicate": 3, "suspicious": 1}
    # How each was let in: pupils by their own link, staff signed in, the host straight in; nobody by name alone.
    assert out["admitted_by"] == {"link": out["by_verdict"]["consented"], "sign_in": 5, "name": 0, "teacher": 0, "zoom": 1}
    assert out["forwarded_links"] == 1

    # Ended for all by the policy, and Zoom said so; the autopilot's switching on is on record.
    kinds = [e.kind for e in entries]
    assert JournalKind.END in kinds and JournalKind.SESSION_ENDED in kinds
    assert [e.detail["on"] for e in notes(journal, LiveNote.AUTOPILOT)] == [True]
    ending = next(n for n, e in enumerate(entries) if e.kind is JournalKind.NOTE and e.detail.get("stage") == "ending")
    gave_up = {e.participant_id for e in entries[:ending] if e.kind is JournalKind.LEFT_WAITING_ROOM} - inside
    assert out["held"] == out["not_admitted"] - len(gave_up) - out["removed"] >= 1 + out["by_verdict"]["no_consent"]
    assert out["journal"] == str(journal.path) and not out["resumed"]
    check_assistant_took_over_after_one_step(entries, out)
    journal.close()


def check_assistant_took_over_after_one_step(entries: list, out: dict) -> None:  # noqa: ANN001
    """The host assistant waited in the waiting room as Zoom put it there, was recognised by its own id meanwhile,
    asked for one thing once, took over after the one step, and was started only once."""
    assert out["assistant"] == {"launches": 1, "teacher_steps": 1}
    seq = {id(e): n for n, e in enumerate(entries)}
    channel = [e for e in entries if e.kind is JournalKind.NOTE and e.detail.get("note") == LiveNote.CHANNEL.value]
    waits = [e for e in channel if e.detail["state"] == "assistant_waiting"]
    # Waiting for the host (when it was quicker than the meeting's start), then in the waiting room; between
    # the step's two clicks (admit, make co-host) it may say what is left. Each is said once.
    said = [e.detail["waiting_for"] for e in waits]
    assert "waiting_room" in said and set(said) <= {"waiting_for_host", "waiting_room", "in_meeting"}
    assert len({(e.detail["waiting_for"], e.detail["instruction"]) for e in waits}) == len(waits)
    admit = next(e.detail["instruction"] for e in waits if e.detail["waiting_for"] == "waiting_room")
    assert "admit Safeguarding assistant from the waiting room" in admit and "Make co-host" in admit
    own = [e for e in entries if e.kind is JournalKind.NOTE and e.detail.get("note") == LiveNote.ASSISTANT.value]
    step = next(e for e in entries if e.kind is JournalKind.NOTE and e.detail.get("stage") == "assistant_admitted")
    took_over = next(e for e in channel if e.detail["state"] == "connected")
    assert own and seq[id(own[0])] < seq[id(step)] < seq[id(took_over)]  # recognised while it waited, then the step
    assert not [e for e in channel if e.detail["state"] == "fallen_back"]
    assistant = {e.participant_id for e in own}
    assert not [e for e in entries if e.participant_id in assistant and e.kind in (JournalKind.ADMITTED, JournalKind.JOINED, JournalKind.ALARM)]
    renaming = [e for e in entries if e.kind is JournalKind.COMMAND_RESULT and e.detail["name"] == "rename_off"]
    assert [e.detail["ok"] for e in renaming] == [True]


def test_the_scripted_verdicts_are_what_the_register_says() -> None:
    scenario = assembly()
    assert _register_verdicts(scenario) == expected_verdicts(scenario)


def test_rehearse_command_refuses_a_window_and_bad_input_in_words() -> None:
    run = [sys.executable, "-m", "zoomhost", "rehearse", "--scenario", "class"]
    windowed = subprocess.run(run, capture_output=True, text=True, timeout=60)
    assert windowed.returncode == 1 and "--headless" in windowed.stderr and "Traceback" not in windowed.stderr
    slow = subprocess.run([*run, "--headless", "--speed", "0"], capture_output=True, text=True, timeout=60)
    assert slow.returncode == 1 and "speed must be above zero" in slow.stderr
    remote = subprocess.run([*run, "--headless", "--server", "https://api.zoom.us/v2"], capture_output=True, text=True, timeout=60)
    assert remote.returncode == 1 and "not a rehearsal Zoom on this computer" in remote.stderr
    gone = subprocess.run([*run, "--headless", "--json", "--server", "http://127.0.0.1:9/v2"], capture_output=True, text=True, timeout=60)
    assert gone.returncode == 1 and "did not answer" in gone.stderr and not gone.stdout
