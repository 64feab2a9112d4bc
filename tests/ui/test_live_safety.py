"""The Live panel's safety: the panic key ends at once, alarms cannot be missed, Zoom steps are journaled when confirmed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from tests.ui.app_helpers import WAIT_MS, open_dialog
from tests.ui.live_rig import (  # noqa: F401 - fixtures
    SCENARIO_WAIT_MS,
    journal_entries,
    journal_kinds,
    live_page,
    rehearsal_server,
    services,
    start,
    wait_for_row,
    waiting,
)
from zoomhost.core.journal import JournalKind
from zoomhost.core.models import Verdict
from zoomhost.app import session as session_use_cases
from zoomhost.ui.summary_page import SummaryPage


def test_the_panic_key_ends_the_meeting_without_a_question_from_any_page(qtbot, live_page, rehearsal_server) -> None:  # noqa: F811
    page = live_page
    start(qtbot, page, scenario="assembly", speed=20)
    qtbot.waitUntil(lambda: len(page.model.arrivals()) >= 20, timeout=SCENARIO_WAIT_MS)
    # The teacher is looking at something else in the same window: the key still works.
    other = QWidget(page)
    other.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    other.show()
    page.window().activateWindow()
    other.setFocus()
    with qtbot.waitSignal(page.session_ended, timeout=WAIT_MS):
        qtbot.keyClick(other, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        assert open_dialog(QMessageBox) is None  # no question asked
    state = rehearsal_server.state
    assert not state.is_live(state.assembly_meeting_id)
    entries = journal_entries(page)
    panic = [e for e in entries if e.kind is JournalKind.NOTE and e.detail.get("note") == "panic"]
    assert len(panic) == 1
    command_id = panic[0].detail["command_id"]

    def answered() -> None:
        results = [e for e in journal_entries(page) if e.kind is JournalKind.COMMAND_RESULT and e.detail["command_id"] == command_id]
        assert results and results[0].detail["ok"]

    qtbot.waitUntil(answered, timeout=WAIT_MS)
    assert not page.panic_button.isEnabled()


def test_f12_is_the_panic_key_too(qtbot, live_page, rehearsal_server) -> None:  # noqa: F811
    page = live_page
    start(qtbot, page, scenario="assembly", speed=20)
    with qtbot.waitSignal(page.session_ended, timeout=WAIT_MS):
        qtbot.keyClick(page.table, Qt.Key.Key_F12)
    assert JournalKind.END in journal_kinds(page) or JournalKind.SESSION_ENDED in journal_kinds(page)


def test_a_rest_only_channel_shows_the_zoom_step_and_journals_the_confirmation(qtbot, live_page, monkeypatch) -> None:  # noqa: F811
    async def no_assistant(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - as on a computer without the Meeting SDK
        return None

    monkeypatch.setattr(session_use_cases, "assistant_for_meeting", no_assistant)
    page = live_page
    start(qtbot, page, scenario="assembly", speed=20)
    assert page.channel_label.text() == "Control: Rehearsal — REST only"
    mute = page.buttons["mute_all"]
    assert mute.text().replace("&", "") == "Mute all (in Zoom)"
    assert "Alt+M" in mute.toolTip() and "Alt+M" in mute.accessibleDescription()
    assert page.buttons["end_for_all"].text().replace("&", "") == "End for all…"  # Zoom's API ends meetings
    mute.click()
    qtbot.waitUntil(lambda: page.steps.isVisible(), timeout=WAIT_MS)
    assert page.steps.text.text().startswith("In Zoom: press Alt+M")
    step = page.steps.steps[0]
    page.steps.done_button.click()
    def result_of_the_step() -> bool:  # the step's command done: its failed "do it in Zoom" result comes first
        return any(
            e.kind is JournalKind.COMMAND_RESULT and e.detail.get("command_id") == step.command_id and e.detail.get("ok")
            for e in journal_entries(page)
        )

    qtbot.waitUntil(lambda: JournalKind.MANUAL_STEP_CONFIRMED in journal_kinds(page) and result_of_the_step(), timeout=WAIT_MS)
    entries = journal_entries(page)
    confirmed = [e for e in entries if e.kind is JournalKind.MANUAL_STEP_CONFIRMED]
    assert confirmed[0].detail["step"] == step.step and confirmed[0].actor == "teacher"
    # The command itself now counts as done, and muting is recorded.
    assert any(e.kind is JournalKind.COMMAND_RESULT and e.detail["command_id"] == step.command_id and e.detail["ok"] for e in entries)
    assert JournalKind.MUTE_ALL in journal_kinds(page)
    assert not page.steps.isVisible()

    # Admitting someone by hand: the step names who, without acting in Zoom.
    pupil = wait_for_row(qtbot, page, lambda r: r.verdict is Verdict.CONSENTED and waiting(r))
    page.select_participant(pupil.participant_id)
    page.buttons["admit"].click()
    qtbot.waitUntil(lambda: page.steps.isVisible(), timeout=WAIT_MS)
    assert "Participants ▸ Admit" in page.steps.text.text() and pupil.display_name in page.steps.text.text()
    page.steps.skip_button.click()
    assert not page.steps.isVisible()


def test_alarms_are_shown_sounded_and_never_take_the_focus(qtbot, live_page, monkeypatch) -> None:  # noqa: F811
    beeps: list[int] = []
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: beeps.append(1)))
    page = live_page
    raised = []
    page.alarm_raised.connect(raised.append)
    start(qtbot, page, scenario="assembly", speed=40)
    page.table.setFocus()
    focused = QApplication.focusWidget()
    qtbot.waitUntil(lambda: any(a.kind.value == "duplicate" for a in raised), timeout=SCENARIO_WAIT_MS)
    assert page.banner.isVisible()
    assert QApplication.focusWidget() is focused  # the banner never steals the keyboard
    assert len(beeps) >= len(raised) >= 1
    first = page.banner.items[0]
    assert page.banner.text.text().startswith(first.title.upper())
    assert page.banner.text.textFormat() is Qt.TextFormat.PlainText
    assert page.banner.icon.pixmap() is not None and not page.banner.icon.pixmap().isNull()
    # "Show who" selects the person the alarm is about, widening the filters if needed.
    page.set_verdict_filter("consented")
    if first.participant_id:
        page.banner.show_button.click()
        assert page.selected() is not None and page.selected().participant_id == first.participant_id
    before = len(page.banner.items)
    page.banner.seen_button.click()
    assert len(page.banner.items) == before - 1
    # Seen is kept in the session's record: which alarm, by the teacher, when.
    qtbot.waitUntil(
        lambda: [
            (e.actor, e.detail["alarm"])
            for e in journal_entries(page)
            if e.kind is JournalKind.NOTE and e.detail.get("note") == "alarm_seen" and e.detail.get("alarm_key") == first.key
        ]
        == [("teacher", first.kind)],
        timeout=WAIT_MS,
    )
    # The suspicious look-alike name is raised with its hidden character spelled out.
    qtbot.waitUntil(lambda: any(a.kind.value == "suspicious" for a in raised), timeout=SCENARIO_WAIT_MS)
    suspicious = [item for item in page.banner.items if item.title == "Suspicious name"]
    assert suspicious and "Cregeen" in suspicious[0].message


def test_the_panel_hands_the_ended_session_to_the_summary(qtbot, live_page, services) -> None:  # noqa: F811
    page = live_page
    summary = SummaryPage(runner=services.runner)
    qtbot.addWidget(summary)
    page.session_ended.connect(summary.show_session)
    start(qtbot, page, scenario="assembly", speed=20)
    qtbot.waitUntil(lambda: len(page.model.arrivals()) >= 30, timeout=SCENARIO_WAIT_MS)
    page.buttons["admit_all"].click()
    qtbot.waitUntil(lambda: page.state.counts.admitted >= 10, timeout=WAIT_MS)
    with qtbot.waitSignal(summary.summary_shown, timeout=SCENARIO_WAIT_MS):
        page.panic()
    assert summary.summary is not None and summary.summary.session_id == page.session_id
    assert summary.summary.counts["admitted"] >= 10
    text = summary.view.toPlainText()
    # Safeguarding first: the panic key and the incidents, then who was held, the host's actions, attendance.
    headings = ["Safeguarding summary", "Incidents", "Held, removed or not let in", "The host's actions", "Attendance"]
    places = [text.find(heading) for heading in headings]
    assert -1 not in places and places == sorted(places), places
    assert "Panic key pressed at " in text and "Panic key: the meeting was ended for everyone" in text
    assert "End meeting for all" not in text  # the panic key is not a plain End meeting for all
