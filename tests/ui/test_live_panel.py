"""The Live panel against the rehearsal Zoom over loopback: arrivals, every control through its button, the journal."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from tests.ui.app_helpers import WAIT_MS, answer_confirmation, open_dialog
from tests.ui.live_rig import (  # noqa: F401 - fixtures
    SCENARIO_WAIT_MS,
    journal_entries,
    journal_kinds,
    live_page,
    rehearsal_server,
    rows,
    select,
    services,
    start,
    state_of,
    wait_for_row,
    waiting,
)
from zoomhost.core.journal import JournalKind
from zoomhost.core.models import Verdict
from zoomhost.core.session import ParticipantState


def test_the_assembly_is_hosted_through_the_buttons(qtbot, live_page, rehearsal_server) -> None:  # noqa: F811
    page = live_page
    assert page.scenarios.isVisible() and not page.meetings.isEnabled()  # rehearsal: the scenario picks its meeting
    start(qtbot, page, scenario="assembly", speed=10)
    assert page.channel_label.text() == "Control: Rehearsal — host assistant"
    assert "Mute all" in page.buttons["mute_all"].text() and "(in Zoom)" not in page.buttons["mute_all"].text()
    assert "Ctrl+M" in page.buttons["mute_all"].toolTip()
    assert page.buttons["mute_all"].accessibleDescription() == page.buttons["mute_all"].toolTip()
    assert "auto in" in page.buttons["lock"].text()

    # Admit one consented pupil.
    pupil = wait_for_row(qtbot, page, lambda r: r.verdict is Verdict.CONSENTED and waiting(r))
    select(page, pupil.participant_id)
    page.buttons["admit"].click()
    qtbot.waitUntil(lambda: state_of(page, pupil.participant_id).state is ParticipantState.IN_MEETING, timeout=WAIT_MS)

    # Hold the pupil without consent: admit-all passes them by.
    refused = wait_for_row(qtbot, page, lambda r: r.verdict is Verdict.NO_CONSENT and waiting(r))
    select(page, refused.participant_id)
    page.buttons["hold"].click()
    qtbot.waitUntil(lambda: state_of(page, refused.participant_id).held, timeout=WAIT_MS)
    assert page.count_labels["held"].text() == "Held: 1"

    # Admit all consented: the button says how many; afterwards nobody admissible is left waiting.
    qtbot.waitUntil(lambda: page.buttons["admit_all"].isEnabled(), timeout=SCENARIO_WAIT_MS)
    shown = int(page.buttons["admit_all"].text().rsplit("(", 1)[1].rstrip(")"))
    assert shown == page.state.admissible_waiting > 0  # the engine's own count after the newest batch
    page.buttons["admit_all"].click()
    qtbot.waitUntil(lambda: "Admitted" in page.messages.text.text(), timeout=WAIT_MS)
    assert state_of(page, refused.participant_id).state is ParticipantState.WAITING

    # Mute all goes to the assistant and into the journal.
    page.buttons["mute_all"].click()
    qtbot.waitUntil(lambda: JournalKind.MUTE_ALL in journal_kinds(page), timeout=WAIT_MS)

    # Remove asks first; Cancel does nothing, Remove removes.
    select(page, pupil.participant_id)
    page.buttons["remove"].click()
    assert "Remove" in answer_confirmation(qtbot, "Cancel")
    qtbot.wait(100)
    assert state_of(page, pupil.participant_id).state is ParticipantState.IN_MEETING
    page.buttons["remove"].click()
    answer_confirmation(qtbot, "Remove")
    page.state_filter.setCurrentIndex(page.state_filter.findData("everyone"))
    # Zoom reports the removal as the pupil leaving, sometimes before the assistant's answer:
    # either way the row ends as removed, and the panel says so once the answer is in.
    qtbot.waitUntil(lambda: state_of(page, pupil.participant_id).state is ParticipantState.REMOVED, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Removed" in page.messages.text.text(), timeout=WAIT_MS)

    # Lock by hand: the button becomes Unlock and later arrivals are held.
    page.buttons["lock"].click()
    qtbot.waitUntil(lambda: page.buttons["lock"].text().replace("&", "") == "Unlock", timeout=WAIT_MS)
    assert JournalKind.LOCK in journal_kinds(page)

    # End for all asks first, then ends the meeting; the page says so and hands over the session.
    page.buttons["end_for_all"].click()
    with qtbot.waitSignal(page.session_ended, timeout=WAIT_MS) as ended:
        answer_confirmation(qtbot, "End for all")
    assert ended.args[0] == page.session_id
    assert not page.buttons["admit_all"].isEnabled() and not page.panic_button.isEnabled()
    entries = journal_entries(page)
    names = [e.detail.get("name") for e in entries if e.kind is JournalKind.COMMAND]
    assert {"admit", "admit_all", "mute_all", "remove", "lock", "end_for_all"} <= set(names)
    assert any(e.kind is JournalKind.HELD and e.participant_id == refused.participant_id for e in entries)
    assert any(
        e.kind is JournalKind.COMMAND_RESULT and e.detail["name"] == "remove" and e.detail["ok"] for e in entries
    )
    # Every command is the teacher's click, but renaming off, which zoomhost sends itself as the assistant takes over.
    assert all(e.actor == "teacher" for e in entries if e.kind is JournalKind.COMMAND and e.detail["name"] != "rename_off")
    assert [e.actor for e in entries if e.kind is JournalKind.COMMAND and e.detail["name"] == "rename_off"] == ["system"]
    state = rehearsal_server.state
    assert not state.is_live(state.assembly_meeting_id)


def test_the_counts_match_the_session(qtbot, live_page) -> None:  # noqa: F811
    page = live_page
    start(qtbot, page, scenario="assembly", speed=40)
    qtbot.waitUntil(lambda: page.session is not None and page.session.run.done, timeout=SCENARIO_WAIT_MS)
    qtbot.wait(1000)  # the last events are still on the wire when the script ends
    expected = page._services.runner.run(_counts(page.controller.session))
    shown = {key: int(label.text().rsplit(":", 1)[1]) for key, label in page.count_labels.items()}
    assert shown == {
        "waiting": expected.waiting,
        "admitted": expected.admitted,
        "held": expected.held,
        "consented_not_arrived": expected.consented_not_arrived,
    }
    assert len(rows(page)) >= 272 and expected.admitted >= 1  # everyone came; the host joined signed in


async def _counts(session):  # noqa: ANN001, ANN202 - read on the I/O loop, where the session lives
    return session.counts()


def test_nothing_starts_twice_and_dialogs_are_not_left_open(qtbot, live_page) -> None:  # noqa: F811
    page = live_page
    start(qtbot, page, scenario="assembly", speed=40)
    page.start_session()
    assert "already running" in page.messages.text.text()
    assert open_dialog(QMessageBox) is None


def test_the_assistant_waiting_in_the_waiting_room_is_recognised_asks_for_one_step_then_takes_over(
    qtbot, live_page, rehearsal_server  # noqa: F811 - fixtures
) -> None:
    from collections import Counter

    page = live_page
    state = rehearsal_server.state
    meeting = state.assembly_meeting_id
    start(qtbot, page, scenario="assembly", speed=40, admit_assistant=False)
    page.autopilot_button.click()  # the autopilot is on throughout: it must never take the assistant for a pupil
    strip = page.assistant_strip
    qtbot.waitUntil(
        lambda: strip.isVisible() and page.state.assistant_wait is not None and page.state.assistant_wait.waiting_for == "waiting_room",
        timeout=SCENARIO_WAIT_MS,
    )
    # One clear instruction; the controls are the Zoom steps meanwhile.
    assert "admit Safeguarding assistant from the waiting room" in strip.instruction and "Make co-host" in strip.instruction
    assert page.channel_label.text() == "Control: Rehearsal — REST only, host assistant waiting"
    assert page.buttons["mute_all"].text().replace("&", "") == "Mute all (in Zoom)"
    # Recognised by the id it reported for itself: Zoom has it waiting, the panel shows no row for it.
    (assistant,) = state.live[meeting].sdk_roles
    assert state.live[meeting].participants[assistant].where == "waiting"
    qtbot.waitUntil(
        lambda: any(e.kind is JournalKind.NOTE and e.detail.get("note") == "assistant" and e.participant_id == str(assistant) for e in journal_entries(page)),
        timeout=WAIT_MS,
    )
    # The panel takes the engine's news once a frame: the journal can hold the note a frame before the table.
    qtbot.waitUntil(lambda: page.model.row_of(str(assistant)) is None, timeout=WAIT_MS)
    assert not any(item.participant_id == str(assistant) for item in page.banner.items)
    qtbot.wait(500)
    assert page.state.assistant_wait is not None and page.session.launcher.launches == 1  # it waits; it is not started again

    # The teacher's one action: admit it, make it co-host (here, the rehearsal Zoom's host does it).
    strip.rehearsal_button.click()
    qtbot.waitUntil(lambda: page.channel_label.text() == "Control: Rehearsal — host assistant", timeout=SCENARIO_WAIT_MS)
    assert not strip.isVisible() and state.sdk_role(meeting, assistant) == "cohost"
    qtbot.waitUntil(lambda: page.status.renaming_label.isVisible(), timeout=WAIT_MS)
    assert page.status.renaming_label.text() == "Renaming: off" and not state.live[meeting].rename_allowed
    assert "(in Zoom)" not in page.buttons["mute_all"].text()

    # Stop share says what it cannot stop: a pupil's share needs Zoom's own button.
    qtbot.waitUntil(lambda: any(r.state is ParticipantState.IN_MEETING and r.verdict is Verdict.CONSENTED for r in rows(page)), timeout=SCENARIO_WAIT_MS)
    sharer = next(r for r in rows(page) if r.state is ParticipantState.IN_MEETING and r.verdict is Verdict.CONSENTED)
    assert state.start_share(meeting, int(sharer.participant_id))
    assert page.buttons["stop_share"].text().replace("&", "") == "Stop share (in Zoom)"
    assert "never a pupil's" in page.buttons["stop_share"].toolTip()
    page.buttons["stop_share"].click()
    qtbot.waitUntil(lambda: page.steps.isVisible(), timeout=WAIT_MS)
    assert page.steps.text.text().startswith("In Zoom: Security ▸ untick Share Screen")
    assert "Nobody is sharing" not in page.messages.text.text() and state.sharing_user(meeting) == int(sharer.participant_id)

    # The rest of the assembly: one assistant all along, nobody admitted twice or without a consented/staff verdict.
    qtbot.waitUntil(lambda: page.session is not None and page.session.run.done, timeout=SCENARIO_WAIT_MS)
    qtbot.wait(1000)
    entries = journal_entries(page)
    admissions = Counter(e.participant_id for e in entries if e.kind in (JournalKind.ADMITTED, JournalKind.JOINED))
    assert admissions and max(admissions.values()) == 1 and str(assistant) not in admissions
    admitted_verdicts = {e.verdict for e in entries if e.kind is JournalKind.ADMITTED}
    assert admitted_verdicts <= {Verdict.CONSENTED.value, Verdict.STAFF.value}
    assert not [e for e in entries if e.kind is JournalKind.ALARM and e.detail["alarm"] == "not_allowed_in"]
    assert page.session.launcher.launches == 1 and page.controller.assistant_attempts == 1
