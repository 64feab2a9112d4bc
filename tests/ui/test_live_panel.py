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
