"""The whole school account from the Checklist page, against the rehearsal Zoom over loopback: every host
and meeting worst first, Fix all behind a plain-words question, the report saved as PDF or web page."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from tests.conftest import require_executable
from tests.ui.app_helpers import WAIT_MS, answer_confirmation, rehearsal_server, services, wait_for_dialog  # noqa: F401 - fixtures
from zoomhost.core.preflight import RuleStatus
from zoomhost.ui.audit_dialog import AuditDialog, MeetingsModel
from zoomhost.ui.checklist_page import ChecklistPage


@pytest.fixture
def page(qtbot, services):  # noqa: F811 - fixtures
    shown = ChecklistPage(services=services)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitUntil(lambda: shown.meetings.count() > 0, timeout=WAIT_MS)
    return shown


def opened(qtbot, page: ChecklistPage) -> AuditDialog:
    qtbot.mouseClick(page.audit_button, Qt.MouseButton.LeftButton)
    dialog = wait_for_dialog(qtbot, AuditDialog, object_name="audit")
    assert isinstance(dialog, AuditDialog)
    qtbot.waitUntil(lambda: dialog.meetings_model.rowCount() > 0, timeout=WAIT_MS)  # it reads Zoom as it opens
    return dialog


def cells(dialog: AuditDialog, column: int) -> list[str]:
    model = dialog.meetings_model
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_the_whole_account_opens_from_the_checklist_worst_first_in_the_checklists_words(qtbot, page, rehearsal_server) -> None:  # noqa: F811
    state = rehearsal_server.state
    assert page.audit_button.isVisible() and page.audit_button.isEnabled()
    dialog = opened(qtbot, page)
    topics = cells(dialog, MeetingsModel.TOPIC)
    assert "Whole-school assembly" in topics[0]  # the worst meeting on top
    failing = [int(text.split()[0]) if "failing" in text else 0 for text in cells(dialog, MeetingsModel.STATUS)]
    assert failing == sorted(failing, reverse=True) and failing[0] > failing[-1]
    assert cells(dialog, MeetingsModel.STATUS)[0].startswith(f"{failing[0]} failing")
    first_checks = cells(dialog, MeetingsModel.CHECKS)[0]
    assert "Not routed through China" in first_checks and "Everyone is muted on arrival" in first_checks
    assert "data_centers" not in first_checks  # the teacher's words, never a rule id
    assert "every host in the school's Zoom account" in dialog.summary.text()
    # the selected meeting in full: each failing check with what Zoom says and its fix
    assert str(state.assembly_meeting_id) in dialog.details.toPlainText() and "Fix:" in dialog.details.toPlainText()
    assert "Not routed through China" in dialog.details.toPlainText()
    # the hosts, each with the checks their own settings decide
    qtbot.keyClick(dialog.tabs, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: dialog.tabs.currentWidget() is dialog.hosts_table, timeout=WAIT_MS)
    hosts = [dialog.hosts_model.index(r, 1).data() for r in range(dialog.hosts_model.rowCount())]
    assert {"k.christian@sch.im", "m.kelly@sch.im", "mr.quirk.teaching@gmail.com"} <= set(hosts)
    dialog.hosts_table.selectRow(0)
    qtbot.waitUntil(lambda: "their own Zoom settings" in dialog.details.toPlainText(), timeout=WAIT_MS)
    assert dialog.save_button.isEnabled() and dialog.fix_button.isEnabled()


def test_zoom_text_is_only_text_in_the_rows_and_the_details(qtbot, page, rehearsal_server) -> None:  # noqa: F811
    state = rehearsal_server.state
    state.meeting(state.class_meeting_id).topic = "<b>Year 4</b> &amp; <i>friends</i>\u202e"
    dialog = opened(qtbot, page)
    row = next(r for r in range(dialog.meetings_model.rowCount()) if dialog.meetings_model.meeting(r).report.meeting_id == str(state.class_meeting_id))
    shown = dialog.meetings_model.index(row, MeetingsModel.TOPIC).data()
    assert shown.startswith("<b>Year 4</b> &amp; <i>friends</i>") and "\u202e" not in shown  # written out, never obeyed
    dialog.meetings_table.selectRow(row)
    qtbot.waitUntil(lambda: "Year 4" in dialog.details.toPlainText(), timeout=WAIT_MS)
    seen = dialog.details.toPlainText()  # a plain-text view: what it holds is what a reader sees
    assert "<b>Year 4</b> &amp; <i>friends</i>" in seen and "\u202e" not in seen


def test_fix_all_says_what_it_will_change_then_keeps_to_each_hosts_daily_updates(qtbot, page, rehearsal_server) -> None:  # noqa: F811
    state = rehearsal_server.state
    dialog = opened(qtbot, page)
    assembly_before = next(m for m in dialog.audit.meetings if m.report.meeting_id == str(state.assembly_meeting_id))
    assert "recording" in assembly_before.ids(RuleStatus.FAIL)

    dialog.fix_button.click()
    wording = answer_confirmation(qtbot, "Cancel")
    assert "In the Zoom settings of k.christian@sch.im" in wording and "• Everyone is muted on arrival." in wording
    assert "100 meeting updates a day" in wording and "Nothing else changes." in wording
    assert "mute_upon_entry" not in wording and "data_centers" not in wording  # what will be true, never Zoom's fields
    qtbot.wait(200)
    assert state.updates_used(state.host_id) == 0  # cancelled: nothing sent

    dialog.fix_button.click()
    answer_confirmation(qtbot, "Apply these changes")
    qtbot.waitUntil(lambda: dialog.last_fix is not None, timeout=WAIT_MS)
    assert "updated" in dialog.messages.text.text(), dialog.messages.text.text()
    qtbot.waitUntil(
        lambda: dialog.audit is not None and "recording" not in next(
            m for m in dialog.audit.meetings if m.report.meeting_id == str(state.assembly_meeting_id)
        ).ids(RuleStatus.FAIL),
        timeout=WAIT_MS,
    )  # audited again by itself
    assert str(state.assembly_meeting_id) in dialog.last_fix.meetings_updated
    assert state.meeting_payload(state.assembly_meeting_id)["settings"]["mute_upon_entry"] is True
    assert state.updates_used(state.host_id) == sum(
        1 for m in dialog.last_fix.meetings_updated if state.meeting_payload(int(m))["host_id"] == state.host_id
    )  # one meeting update per meeting


def save_as(qtbot, dialog: AuditDialog, monkeypatch, path: Path, chosen_filter: str) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), chosen_filter))
    dialog.messages.clear()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.messages.kind in ("pass", "fail"), timeout=WAIT_MS)
    assert dialog.messages.kind == "pass", dialog.messages.text.text()


def test_save_report_writes_the_pdf_and_the_web_page_the_command_writes(qtbot, page, rehearsal_server, tmp_path, monkeypatch) -> None:  # noqa: F811
    pdftotext = require_executable("pdftotext")
    state = rehearsal_server.state
    state.meeting(state.class_meeting_id).topic = "<script>alert(1)</script> Year 4"
    dialog = opened(qtbot, page)
    save_as(qtbot, dialog, monkeypatch, tmp_path / "audit.pdf", "PDF document (*.pdf)")
    text = subprocess.run([pdftotext, "-layout", str(tmp_path / "audit.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert "Zoom account audit" in text and "Whole-school assembly" in text and "Not routed through China" in text
    assert f"{len(dialog.audit.meetings)} meetings" in text and "Fix:" in text

    save_as(qtbot, dialog, monkeypatch, tmp_path / "for the head", "Web page (*.html)")  # no suffix typed: the filter's
    page_html = (tmp_path / "for the head.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Year 4" in page_html and "<script>" not in page_html
    assert f"Saved the audit report: {tmp_path / 'for the head.html'}" in dialog.messages.text.text()


def test_a_report_never_goes_into_zoomhosts_own_folders(qtbot, page, monkeypatch) -> None:
    from zoomhost.system import paths

    dialog = opened(qtbot, page)
    target = paths.log_dir() / "audit.html"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "Web page (*.html)"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.messages.kind == "fail", timeout=WAIT_MS)
    assert "cannot be written inside zoomhost's" in dialog.messages.text.text() and not target.exists()


def test_usable_beside_zoom_and_by_keyboard(qtbot, page) -> None:
    dialog = opened(qtbot, page)
    dialog.resize(560, 640)
    qtbot.waitUntil(lambda: dialog.width() == 560 and dialog.height() == 640, timeout=WAIT_MS)  # nothing forces it larger
    QApplication.processEvents()
    inside = dialog.rect()
    for widget in (dialog.run_button, dialog.days, dialog.meetings_table, dialog.fix_button, dialog.save_button, dialog.close_button):
        where = widget.geometry()
        where.moveTopLeft(widget.mapTo(dialog, widget.rect().topLeft()))
        assert widget.isVisible() and inside.contains(where), (widget.accessibleName(), where, inside)
    assert dialog.meetings_table.viewport().height() > 3 * dialog.meetings_table.verticalHeader().defaultSectionSize()
    # the keyboard: the arrow keys move through the meetings and the selected one is shown in full
    dialog.meetings_table.setFocus()
    qtbot.waitUntil(dialog.meetings_table.hasFocus, timeout=WAIT_MS)
    first = dialog.details.toPlainText()
    qtbot.keyClick(dialog.meetings_table, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: dialog.details.toPlainText() != first, timeout=WAIT_MS)
    # and Tab reaches Fix all and Save report from the table
    reached = []
    for _ in range(8):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    assert dialog.fix_button in reached and dialog.save_button in reached
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)


def test_the_checklists_keyboard_order_reaches_the_whole_account(qtbot, page) -> None:
    page.fix_button.setEnabled(True)
    page.fix_button.setFocus()
    qtbot.waitUntil(page.fix_button.hasFocus, timeout=WAIT_MS)
    qtbot.keyClick(page.fix_button, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.audit_button
