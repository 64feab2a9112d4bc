"""The teacher's day by keyboard alone, beside Zoom: Tab to each control, Return or Space to press it, the keys.

Import the practice register, check the assembly, start it, admit everyone consented, mute, lock
(a second Ctrl+L asks before unlocking), end it, export the summary: no mouse click anywhere.
Only the operating system's own Save dialog is answered for the test (it is not zoomhost's).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QPushButton, QWidget

from tests.ui.app_helpers import WAIT_MS, button_named, open_dialog, wait_for_dialog
from tests.ui.live_rig import SCENARIO_WAIT_MS, journal_kinds, rehearsal_server, services  # noqa: F401 - fixtures
from zoomhost.core.journal import JournalKind
from zoomhost.ui.main import build_main_window
from zoomhost.ui.register_page import ImportPreviewDialog

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def focused() -> QWidget:
    """Where a key goes: the focused control, or the active window itself when no control has the focus."""
    widget = QApplication.focusWidget() or QApplication.activeWindow()
    assert widget is not None, "nothing has the keyboard"
    return widget


def key(qtbot, which: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:  # noqa: ANN001
    qtbot.keyClick(focused(), which, modifiers)


def back_to(qtbot, window: QWidget) -> None:  # noqa: ANN001
    """A dialog closed: the window manager gives the window back the keyboard (the offscreen platform does not)."""
    if not window.isActiveWindow():
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)


def tab_to(qtbot, target: QWidget, *, limit: int = 80) -> int:  # noqa: ANN001 - pytest-qt's qtbot
    """Press Tab until ``target`` has the keyboard; returns how many presses it took."""
    seen = []
    for presses in range(limit):
        if focused() is target:
            return presses
        seen.append(focused().accessibleName() or type(focused()).__name__)
        key(qtbot, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {target.accessibleName() or target}; it went round {seen}")


def test_the_teachers_day_by_keyboard_alone(qtbot, services, monkeypatch, tmp_path: Path) -> None:  # noqa: F811
    window = build_main_window(services)
    qtbot.addWidget(window)
    window.resize(560, 640)  # beside Zoom
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)

    # Register: the practice register and staff list, through one preview.
    key(qtbot, Qt.Key.Key_1, CTRL)
    register = window.page("register")
    qtbot.waitUntil(lambda: not register.practice_button.isHidden(), timeout=WAIT_MS)
    tab_to(qtbot, register.practice_button)
    key(qtbot, Qt.Key.Key_Return)  # Return presses a focused button, as Space does
    qtbot.waitUntil(lambda: open_dialog(ImportPreviewDialog) is not None and focused().window() is open_dialog(ImportPreviewDialog), timeout=WAIT_MS)
    preview = open_dialog(ImportPreviewDialog)
    tab_to(qtbot, preview.import_button)
    key(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda p=preview: not p.isVisible(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: register.pupils_model.rowCount() > 0 and register.staff_model.rowCount() > 0, timeout=WAIT_MS)
    back_to(qtbot, window)

    # Checklist: choose the assembly with the arrow keys, then Check.
    key(qtbot, Qt.Key.Key_2, CTRL)
    checklist = window.page("checklist")
    qtbot.waitUntil(lambda: checklist.meetings.count() > 0, timeout=WAIT_MS)
    assembly = str(services.rehearsal.state.assembly_meeting_id)
    tab_to(qtbot, checklist.meetings)
    key(qtbot, Qt.Key.Key_Home)
    for _ in range(checklist.meetings.count()):
        if checklist.meetings.currentData() == assembly:
            break
        key(qtbot, Qt.Key.Key_Down)
    assert checklist.meetings.currentData() == assembly
    tab_to(qtbot, checklist.check_button)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: checklist.model.rowCount() > 0 and not checklist.busy.busy, timeout=WAIT_MS)

    # A look at the Summary page first: no session kept yet.
    key(qtbot, Qt.Key.Key_4, CTRL)
    summary = window.page("summary")
    qtbot.waitUntil(lambda: summary.sessions.placeholderText() and not summary.busy.busy, timeout=WAIT_MS)

    # Live: the speed typed, Start session pressed with Return.
    key(qtbot, Qt.Key.Key_3, CTRL)
    live = window.page("live")
    qtbot.waitUntil(lambda: live.meetings.count() > 0 and live.scenarios.isVisible(), timeout=WAIT_MS)
    assert live.scenarios.currentData() == "assembly"
    tab_to(qtbot, live.speed.lineEdit() if focused() is live.speed.lineEdit() else live.speed)
    key(qtbot, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(focused(), "40")
    tab_to(qtbot, live.start_button)
    with qtbot.waitSignal(live.session_started, timeout=SCENARIO_WAIT_MS):
        key(qtbot, Qt.Key.Key_Return)
    assert live.speed.value() == 40

    # The host assistant waits in the waiting room: the teacher's one step for it, by keyboard too.
    strip = live.assistant_strip
    qtbot.waitUntil(lambda: strip.isVisible() and strip.rehearsal_button.isVisible(), timeout=SCENARIO_WAIT_MS)
    tab_to(qtbot, strip.rehearsal_button)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: live.state is not None and live.state.channel == "assistant", timeout=SCENARIO_WAIT_MS)

    # The table is one Tab stop: in with Tab, the arrow keys inside, out with the next Tab.
    qtbot.waitUntil(lambda: live.proxy.rowCount() > 2, timeout=SCENARIO_WAIT_MS)
    tab_to(qtbot, live.table)
    # Up then Down: wherever the current row is (new rows arrive on top and push it down), one of them moves.
    key(qtbot, Qt.Key.Key_Up)
    key(qtbot, Qt.Key.Key_Down)
    assert live.selected() is not None  # the arrow keys choose a row
    key(qtbot, Qt.Key.Key_Tab)
    assert focused() is not live.table

    # Every filter button is a stop of its own, and Space presses it.
    tab_to(qtbot, live.filter_buttons["check"])
    key(qtbot, Qt.Key.Key_Space)
    assert live.filter_buttons["check"].isChecked() and not live.filter_buttons["all"].isChecked()
    tab_to(qtbot, live.filter_buttons["all"])
    key(qtbot, Qt.Key.Key_Return)  # pressed as a click is, the button seen going down and up
    qtbot.waitUntil(lambda: live.filter_buttons["all"].isChecked() and not live.filter_buttons["check"].isChecked(), timeout=WAIT_MS)

    # Admit all consented, reached with Tab past the table.
    qtbot.waitUntil(lambda: live.buttons["admit_all"].isEnabled(), timeout=SCENARIO_WAIT_MS)
    tab_to(qtbot, live.buttons["admit_all"])
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Admitted" in live.messages.text.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: JournalKind.ADMITTED in journal_kinds(live), timeout=WAIT_MS)  # as Zoom confirms them

    # Mute all, then lock; a second Ctrl+L asks before unlocking, and Escape keeps the meeting locked.
    key(qtbot, Qt.Key.Key_M, CTRL)
    qtbot.waitUntil(lambda: JournalKind.MUTE_ALL in journal_kinds(live), timeout=WAIT_MS)
    key(qtbot, Qt.Key.Key_L, CTRL)
    qtbot.waitUntil(lambda: live.state is not None and live.state.locked, timeout=WAIT_MS)
    key(qtbot, Qt.Key.Key_L, CTRL)
    box = wait_for_dialog(qtbot, QMessageBox, object_name="confirmation")
    assert "Unlock" in box.text()
    qtbot.waitUntil(lambda: focused().window() is box, timeout=WAIT_MS)
    key(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: open_dialog(QMessageBox, object_name="confirmation") is None, timeout=WAIT_MS)
    back_to(qtbot, window)
    qtbot.wait(300)
    assert live.state.locked and JournalKind.UNLOCK not in journal_kinds(live)

    # End for all: it asks; Tab to its button and Return.
    key(qtbot, Qt.Key.Key_End, CTRL | SHIFT)
    box = wait_for_dialog(qtbot, QMessageBox, object_name="confirmation")
    qtbot.waitUntil(lambda: focused().window() is box, timeout=WAIT_MS)
    end = button_named(box, "End for all")
    assert isinstance(end, QPushButton)
    tab_to(qtbot, end)
    with qtbot.waitSignal(live.session_ended, timeout=WAIT_MS):
        key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.current_key() == "summary", timeout=WAIT_MS)
    back_to(qtbot, window)

    # The summary opens by itself; Export CSV is reached with Tab and pressed with Return.
    qtbot.waitUntil(lambda: summary.summary is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: summary.sessions.currentData() == live.session_id, timeout=WAIT_MS)  # the list is current
    saved = tmp_path / "assembly.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(saved), "")))
    tab_to(qtbot, summary.csv_button)
    key(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Saved the summary" in summary.messages.text.text(), timeout=WAIT_MS)
    assert saved.exists()
