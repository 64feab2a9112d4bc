"""The checklist against the rehearsal Zoom over loopback: pick a meeting, Check, Fix all, tick what is left."""

from __future__ import annotations

import csv
import json
import logging
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QWidget

from tests.conftest import DATA
from tests.ui.app_helpers import WAIT_MS, answer_confirmation, rehearsal_server, services, wait_for_dialog  # noqa: F401 - fixtures
from zoomhost import cli
from zoomhost.system import paths
from zoomhost.core.invitations import WARNING
from zoomhost.core.register import read_register_file
from zoomhost.ui.checklist_page import ChecklistPage, InvitationsDialog, StatusRole


@pytest.fixture
def page(qtbot, services, rehearsal_server):  # noqa: F811 - fixtures
    services.register.replace_pupils(read_register_file(DATA / "registers" / "arbor-utf8-comma.csv"))
    shown = ChecklistPage(services=services)
    qtbot.addWidget(shown)
    shown.show()  # the meetings are read from Zoom in the background as the page first shows
    qtbot.waitUntil(lambda: shown.meetings.count() > 0, timeout=WAIT_MS)
    assembly = shown.meetings.findData(str(rehearsal_server.state.assembly_meeting_id))
    assert assembly >= 0, [shown.meetings.itemText(i) for i in range(shown.meetings.count())]
    shown.meetings.setCurrentIndex(assembly)
    return shown


def statuses(page: ChecklistPage) -> dict[str, str]:
    model = page.model
    return {model.result(row).rule_id: model.index(row, 0).data(StatusRole) for row in range(model.rowCount())}


def check(qtbot, page: ChecklistPage) -> None:
    page.report = None
    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.report is not None, timeout=WAIT_MS)


def test_meetings_are_listed_by_topic(page, rehearsal_server) -> None:  # noqa: F811
    labels = [page.meetings.itemText(i) for i in range(page.meetings.count())]
    assert any("Whole-school assembly" in label and "857 4606 5432" in label for label in labels)
    assert not any("Personal Meeting Room" in label for label in labels)


def test_check_shows_each_rule_with_status_word_icon_and_protocol_line(qtbot, page) -> None:
    check(qtbot, page)
    found = statuses(page)
    assert found["mute_on_entry"] == "fail" and found["join_before_host"] == "fail"
    assert found["waiting_room"] == "pass"
    # the rehearsal answers as Zoom does: the account's settings (renaming) and the host's browser settings
    assert found["rename_off"] == "fail" and found["browser_join"] == "pass"
    assert "could not" not in page.summary.text() and "404" not in page.summary.text()
    model = page.model
    row = next(r for r in range(model.rowCount()) if model.result(r).rule_id == "mute_on_entry")
    assert model.index(row, model.STATUS).data() == "Fail"  # a word, not only a colour
    assert model.index(row, model.STATUS).data(Qt.ItemDataRole.DecorationRole) is not None
    assert "muted on entry" in model.index(row, model.PROTOCOL).data()
    assert "muted on entry" in model.index(row, model.TITLE).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(row, model.FIX).data()  # what fixes it
    assert f"{sum(status == 'fail' for status in found.values())} fail" in page.summary.text()
    assert page.fix_button.isEnabled()


def test_fix_all_says_what_it_will_change_then_applies_it_in_one_update(qtbot, page, rehearsal_server) -> None:  # noqa: F811
    state = rehearsal_server.state
    check(qtbot, page)
    failing = {rule for rule, status in statuses(page).items() if status == "fail"}
    assert {"mute_on_entry", "join_before_host", "private_chat_off"} <= failing

    page.fix_button.click()
    wording = answer_confirmation(qtbot, "Cancel")
    assert "Mute participants when they join." in wording
    assert "settings › mute upon entry: on" in wording
    assert "host's Zoom settings" in wording and "private chat: off" in wording
    qtbot.wait(300)
    assert state.updates_used(state.host_id) == 0  # cancelled: nothing sent

    page.fix_button.click()
    answer_confirmation(qtbot, "Apply these changes")
    qtbot.waitUntil(lambda: page.messages.kind == "fail" or page.messages.text.text().startswith("Changed"), timeout=WAIT_MS)
    assert page.messages.text.text().startswith("Changed the meeting and the host's settings"), page.messages.text.text()
    after = statuses(page)  # checked again by itself
    # what is left is the account admin's: renaming, which no API call of the host can change
    assert {rule for rule in failing if after[rule] == "fail"} == {"rename_off"}
    assert any("rename themselves" in box.property("step") for box in page.step_boxes)
    assert state.updates_used(state.host_id) == 1  # every meeting fix in ONE update
    meeting = state.meeting_payload(state.assembly_meeting_id)["settings"]
    assert meeting["mute_upon_entry"] is True and meeting["join_before_host"] is False


def test_manual_steps_have_tick_boxes_that_stay_ticked_for_the_session(qtbot, page) -> None:
    check(qtbot, page)
    assert page.step_boxes, "the rehearsal account leaves steps only a person can take"
    step = page.step_boxes[0]
    assert step.accessibleName().startswith("Done: ")
    text = step.property("step")
    step.click()
    check(qtbot, page)
    again = next(box for box in page.step_boxes if box.property("step") == text)
    assert again.isChecked()


def test_the_capacity_check_counts_the_same_pupils_as_the_preflight_command(
    qtbot, services, rehearsal_server, tmp_path, monkeypatch, capsys  # noqa: F811
) -> None:
    """Pupils who have left are not expected, even with consent: the window and `zoomhost preflight`
    need room for the same number, so a meeting with room for those still on roll passes both."""
    left = (date.today() - timedelta(days=3)).strftime("%d/%m/%Y")
    register = tmp_path / "register.csv"
    register.write_text(
        "First name,Surname,Class,Zoom consent,Leaving date\n"
        "Amy,Bloggs,Year 5,Yes,\nBen,Corlett,Year 5,Yes,\nCara,Quayle,Year 5,Yes,\nDev,Kermode,Year 5,Yes,\n"
        f"Ed,Moore,Year 6,Yes,{left}\nFay,Kinrade,Year 6,Yes,{left}\nGus,Kneale,Year 6,Yes,{left}\n"
        "Hal,Cain,Year 6,No,\n",
        encoding="utf-8",
    )
    services.register.replace_pupils(read_register_file(register))  # stored as it is: the leavers are still there
    state = rehearsal_server.state
    meeting = state.assembly_meeting_id
    state.user_settings[state.meeting(meeting).host_id]["feature"]["meeting_capacity"] = 5  # 4 expected, 7 consented

    shown = ChecklistPage(services=services)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitUntil(lambda: shown.meetings.findData(str(meeting)) >= 0, timeout=WAIT_MS)
    shown.meetings.setCurrentIndex(shown.meetings.findData(str(meeting)))
    check(qtbot, shown)
    window = next(r for r in shown.report.results if r.rule_id == "capacity")

    server = rehearsal_server
    monkeypatch.setenv("ZOOMHOST_API_BASE", server.api_base)
    monkeypatch.setenv("ZOOMHOST_OAUTH_BASE", server.oauth_base)
    monkeypatch.setenv("ZOOMHOST_ACCOUNT_ID", server.credentials.account_id)
    monkeypatch.setenv("ZOOMHOST_CLIENT_ID", server.credentials.client_id)
    monkeypatch.setenv("ZOOMHOST_CLIENT_SECRET", server.credentials.client_secret)
    capsys.readouterr()
    cli.main(["preflight", str(meeting), "--json"])
    command = next(r for r in json.loads(capsys.readouterr().out)["rules"] if r["id"] == "capacity")

    assert command["observed"] == "Up to 5 participants; 4 needed."
    assert command["status"] == "pass"
    assert (window.status.value, window.observed) == (command["status"], command["observed"])


def test_few_meeting_updates_left_is_shown(qtbot, page, services, rehearsal_server) -> None:  # noqa: F811
    connection = services.connection
    connection.zoom.budget.observe(rehearsal_server.state.host_id, 4)  # Zoom said: 4 left today
    check(qtbot, page)
    assert not page.updates_label.isHidden()
    assert "Only 4 of Zoom's 100 meeting updates" in page.updates_label.text()


def test_a_zoom_refusal_is_shown_in_plain_words(qtbot, page, rehearsal_server) -> None:  # noqa: F811
    rehearsal_server.tokens.expire_all()
    del rehearsal_server.state.meetings[rehearsal_server.state.assembly_meeting_id]  # deleted in Zoom meanwhile
    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.messages.kind == "fail", timeout=WAIT_MS)
    text = page.messages.text.text()
    assert "Traceback" not in text and "meeting" in text.lower()
    assert page.check_button.isEnabled()  # the teacher can try again


# -- a fresh passcode and the invitations -------------------------------------------------------------


def shown_texts(widget) -> str:  # noqa: ANN001 - any QWidget
    """Everything a teacher (or a screen reader) could read on the page: texts, tooltips, names, descriptions."""
    parts = []
    for child in [widget, *widget.findChildren(QWidget)]:
        for getter in ("text", "toolTip", "accessibleName", "accessibleDescription", "placeholderText", "windowTitle"):
            value = getattr(child, getter, None)
            if callable(value):
                try:
                    parts.append(str(value()))
                except TypeError:  # a text() that needs arguments
                    continue
    return "\n".join(parts)


def test_new_passcode_asks_first_uses_one_update_and_never_shows_it(qtbot, page, rehearsal_server, caplog) -> None:  # noqa: F811
    state = rehearsal_server.state
    old = state.meeting(state.assembly_meeting_id).password
    check(qtbot, page)
    qtbot.mouseClick(page.passcode_button, Qt.MouseButton.LeftButton)
    wording = answer_confirmation(qtbot, "Cancel")
    assert "Invitations already sent stop working" in wording and "one of Zoom's 100 meeting updates" in wording
    qtbot.wait(300)
    assert state.updates_used(state.host_id) == 0  # cancelled: nothing changed in Zoom

    with caplog.at_level(logging.DEBUG, logger="zoomhost"):
        qtbot.mouseClick(page.passcode_button, Qt.MouseButton.LeftButton)
        answer_confirmation(qtbot, "Set a new passcode")
        qtbot.waitUntil(lambda: page.passcode_label.text() != "" or page.messages.kind == "fail", timeout=WAIT_MS)
        qtbot.waitUntil(lambda: not page.busy.busy, timeout=WAIT_MS)  # the checks run again by themselves
    assert page.passcode_label.text() == "New passcode set; 99 updates left today."
    assert state.updates_used(state.host_id) == 1
    new = state.meeting(state.assembly_meeting_id).password
    assert new and new != old
    assert new not in shown_texts(page)
    assert new not in caplog.text and new not in "".join(str(r.args) for r in caplog.records)


def test_a_running_meeting_keeps_its_passcode_and_says_why(qtbot, page, rehearsal_server) -> None:  # noqa: F811
    state = rehearsal_server.state
    state.start_meeting(state.assembly_meeting_id)
    qtbot.mouseClick(page.passcode_button, Qt.MouseButton.LeftButton)
    answer_confirmation(qtbot, "Set a new passcode")
    qtbot.waitUntil(lambda: page.messages.kind == "fail", timeout=WAIT_MS)
    assert "running now" in page.messages.text.text() and "Traceback" not in page.messages.text.text()
    assert state.updates_used(state.host_id) == 0 and page.passcode_label.text() == ""


PARENTS = """Pupil first name,Pupil surname,Class,Parent email
Amy,Bloggs,3B,bloggs.family@example.org
Alex,Ødegaard,3B,odegaard@example.org
Sam,Smith,4A,smith@example.org
Mia,O'Brien,4A,not an address
"""


def prepare(qtbot, page, monkeypatch, *, out: Path, parents: Path | None, rotate: bool) -> None:  # noqa: ANN001
    """What a teacher does: Prepare invitations…, choose the files (the dialogs are answered here), Prepare."""
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "CSV files (*.csv)")))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(parents) if parents else "", "")))
    qtbot.mouseClick(page.invite_button, Qt.MouseButton.LeftButton)
    dialog = wait_for_dialog(qtbot, InvitationsDialog, object_name="invitations")
    assert isinstance(dialog, InvitationsDialog)
    assert not dialog.prepare_button.isEnabled()  # nowhere to write yet
    dialog.out_button.click()
    if parents is not None:
        dialog.parents_button.click()
    dialog.rotate_box.setChecked(rotate)
    dialog.prepare_button.click()


def test_invitations_go_to_consented_families_only_with_a_new_passcode(qtbot, page, rehearsal_server, tmp_path, monkeypatch, caplog) -> None:  # noqa: F811
    state = rehearsal_server.state
    out, parents = tmp_path / "invitations.csv", tmp_path / "parents.csv"
    parents.write_text(PARENTS, encoding="utf-8")
    with caplog.at_level(logging.DEBUG, logger="zoomhost"):
        prepare(qtbot, page, monkeypatch, out=out, parents=parents, rotate=True)
        qtbot.waitUntil(lambda: page.messages.text.text().startswith("Wrote") or page.messages.kind == "fail", timeout=WAIT_MS)
    assert page.messages.text.text().startswith("Wrote 5 invitations for 5 consented pupils to"), page.messages.text.text()
    meeting = state.meeting_payload(state.assembly_meeting_id)
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["first_name"] for row in rows} == {"Amy", "Alex", "Chloë", "Mia", "Tommy"}  # consent only
    assert {row["passcode"] for row in rows} == {meeting["password"]} and meeting["password"] != "assembly"
    assert {row["join_link"] for row in rows} == {meeting["join_url"]}
    assert {row["first_name"]: row["parent_email"] for row in rows}["Amy"] == "bloggs.family@example.org"
    assert state.updates_used(state.host_id) == 1  # the new passcode: one update
    assert page.passcode_label.text() == "New passcode set; 99 updates left today."
    notes = page.invitation_notes.text.text()
    assert WARNING in notes
    assert "for pupils without consent" in notes and "not an email address" in notes and "Registration is off" in notes
    seen = shown_texts(page)
    secrets = [meeting["password"], meeting["join_url"], "bloggs.family@example.org", "smith@example.org"]
    assert [s for s in secrets if s in seen] == []
    assert [s for s in secrets if s in caplog.text] == []


def test_invitations_refused_inside_zoomhosts_folders_before_zoom_is_touched(qtbot, page, rehearsal_server, monkeypatch) -> None:  # noqa: F811
    state = rehearsal_server.state
    inside = paths.data_dir() / "invitations.csv"
    prepare(qtbot, page, monkeypatch, out=inside, parents=None, rotate=True)
    qtbot.waitUntil(lambda: page.messages.kind == "fail", timeout=WAIT_MS)
    assert "cannot be written inside zoomhost's" in page.messages.text.text()
    assert not inside.exists() and state.updates_used(state.host_id) == 0  # no update spent on a file never written
    assert page.invite_button.isEnabled()


def test_the_protocol_column_is_one_line_with_the_whole_quote_in_its_tooltip(qtbot, page) -> None:
    page.resize(1100 - 190, 700)  # the window's default width, less the steps down the side
    check(qtbot, page)
    model, table = page.model, page.table
    row = next(r for r in range(model.rowCount()) if model.result(r).rule_id == "waiting_room")
    quote = model.result(row).protocol_line
    cell = model.index(row, model.PROTOCOL)
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == f"“{quote}”"
    assert quote in cell.data(Qt.ItemDataRole.AccessibleDescriptionRole)
    widths = {c: table.columnWidth(c) for c in (model.TITLE, model.OBSERVED, model.FIX, model.PROTOCOL)}
    assert widths[model.PROTOCOL] < min(widths[model.OBSERVED], widths[model.FIX])
    em = table.fontMetrics().horizontalAdvance("M")
    assert widths[model.TITLE] >= 11 * em and widths[model.OBSERVED] >= 15 * em
    # the long quote does not make its row tall: rows are as tall as the words a teacher reads
    line = table.fontMetrics().height()
    assert table.rowHeight(row) < 5 * line
