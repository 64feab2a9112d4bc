"""The checklist against the rehearsal Zoom over loopback: pick a meeting, Check, Fix all, tick what is left."""

from __future__ import annotations

import csv
import json
import logging
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QFileDialog, QStyle, QWidget

from tests.conftest import DATA
from tests.ui.app_helpers import WAIT_MS, answer_confirmation, rehearsal_server, services, wait_for_dialog  # noqa: F401 - fixtures
from zoomhost import cli
from zoomhost.system import paths
from zoomhost.core.invitations import WARNING
from zoomhost.core.register import read_register_file
from zoomhost.ui.checklist_page import ChecklistPage, InvitationsDialog, StatusRole
from zoomhost.ui.main import build_main_window


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
    passed = sum(status == "pass" for status in found.values())
    # the counts in the teacher's terms: what passes, what Fix all makes pass, what is left by hand
    by_hand = len(page.step_boxes)  # renaming, removed-can-rejoin and the admin's padlocks: steps in the web portal
    assert by_hand == 3
    assert page.summary.text().endswith(f": {passed} passed, {len(found) - passed - by_hand} to fix, {by_hand} by hand."), page.summary.text()
    assert page.fix_button.isEnabled()


def test_fix_all_says_what_it_will_change_then_applies_it_in_one_update(qtbot, page, rehearsal_server) -> None:  # noqa: F811
    state = rehearsal_server.state
    check(qtbot, page)
    failing = {rule for rule, status in statuses(page).items() if status == "fail"}
    assert {"mute_on_entry", "join_before_host", "private_chat_off"} <= failing

    page.fix_button.click()
    wording = answer_confirmation(qtbot, "Cancel")
    # each change as what will then be true, in a teacher's words (never a field of Zoom's)
    assert "• Everyone is muted on arrival." in wording and "• Nobody joins before the host." in wording
    assert "host's Zoom settings" in wording and "• No private chat between participants." in wording
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


# -- the checklist in the teacher's language ------------------------------------------------------------

RANK = {"fail": 0, "warn": 1, "unknown": 2, "pass": 3}


def rows_in_order(page: ChecklistPage) -> list[str]:
    model = page.model
    return [model.index(row, model.STATUS).data(StatusRole) for row in range(model.rowCount())]


def test_failures_are_listed_first_then_warnings_then_the_rest(qtbot, page) -> None:
    check(qtbot, page)
    shown_order = rows_in_order(page)
    assert {"fail", "warn", "unknown", "pass"} <= set(shown_order)  # the rehearsal meeting has each kind
    assert shown_order == sorted(shown_order, key=RANK.__getitem__), shown_order
    assert page.model.index(0, page.model.STATUS).data() == "Fail"
    # within each kind, the protocol's order
    fails = [page.model.result(row).rule_id for row, status in enumerate(shown_order) if status == "fail"]
    assert fails[:2] == ["mute_on_entry", "join_before_host"]


def test_fix_all_says_each_change_in_plain_words_and_what_it_leaves(qtbot, page, rehearsal_server) -> None:  # noqa: F811
    check(qtbot, page)
    page.fix_button.click()
    wording = answer_confirmation(qtbot, "Cancel")
    assert "ONE" not in wording and "›" not in wording and "_" not in wording, wording  # no shouting, no field paths
    assert ": on" not in wording and ": off" not in wording
    for change in ("Everyone is muted on arrival.", "Only the host shares a screen.", "Video starts off.", "Each family has its own link."):
        assert f"• {change}" in wording, wording
    # registration changes how families join: the teacher hears it before agreeing
    assert "prepare the invitations again afterwards" in wording
    left = wording.split("Left for you to do in Zoom", 1)[1]
    assert "• Participants cannot rename themselves." in left and "• Someone removed cannot rejoin." in left
    assert wording.rstrip().endswith("Nothing else about the meeting changes.")
    qtbot.wait(300)
    assert rehearsal_server.state.updates_used(rehearsal_server.state.host_id) == 0  # cancelled: nothing sent


def test_fix_all_fixes_the_warnings_too_in_the_same_one_update(qtbot, page, rehearsal_server) -> None:  # noqa: F811
    state = rehearsal_server.state
    check(qtbot, page)
    model = page.model
    by_hand = {model.result(r).rule_id for r in range(model.rowCount()) if "By hand" in (model.index(r, model.FIX).data() or "")}
    warned = {rule for rule, status in statuses(page).items() if status == "warn"} - by_hand  # what Fix all can change
    assert {"registration", "video_off_on_entry", "passcode_not_in_link"} <= warned and "settings_locked" in by_hand
    page.fix_button.click()
    answer_confirmation(qtbot, "Apply these changes")
    qtbot.waitUntil(lambda: page.messages.kind == "fail" or page.messages.text.text().startswith("Changed"), timeout=WAIT_MS)
    after = statuses(page)
    assert {rule: after[rule] for rule in warned} == {rule: "pass" for rule in warned}
    # nothing still offers a fix that Fix all did not make: what is left is by hand, and the button says so
    offered = [model.result(r).rule_id for r in range(model.rowCount()) if model.index(r, model.FIX).data() and "By hand" not in model.index(r, model.FIX).data()]
    assert offered == []
    assert not page.fix_button.isEnabled() and "Nothing is left that zoomhost can change" in page.fix_button.toolTip()
    assert page.summary.text().endswith(f" 0 to fix, {len(by_hand)} by hand."), page.summary.text()
    assert state.updates_used(state.host_id) == 1  # the meeting's fixes, warnings' too, in ONE update
    patches = [e for e in rehearsal_server.exchanges if e.method == "PATCH"]
    # and one settings update (its waiting-room security part in the request of its own Zoom takes it in)
    assert sorted((("settings" in e.path), e.query.get("option", "")) for e in patches) == [(False, ""), (True, ""), (True, "meeting_security")]
    assert state.meeting_payload(state.assembly_meeting_id)["settings"]["approval_type"] == 1


def test_the_counts_follow_the_by_hand_ticks(qtbot, page) -> None:
    check(qtbot, page)
    before = page.summary.text()
    passed = int(before.split(": ")[-1].split(" passed")[0])
    steps = len(page.step_boxes)
    assert steps >= 2 and before.endswith(f" {steps} by hand."), before
    first = page.step_boxes[0]
    first.click()
    assert page.summary.text().endswith(f": {passed + 1} passed (1 done by hand), {before.split(', ')[1]}, {steps - 1} by hand."), page.summary.text()
    for box in page.step_boxes[1:]:
        box.click()
    assert page.summary.text().endswith(f" ({steps} done by hand), " + before.split(", ")[1] + ", 0 by hand."), page.summary.text()
    first.click()  # unticked: by hand again
    assert page.summary.text().endswith(" 1 by hand."), page.summary.text()
    check(qtbot, page)  # checked again: the ticks (and the counts) stay for this session
    assert page.summary.text().endswith(" 1 by hand."), page.summary.text()


def cut_off(table) -> list[str]:  # noqa: ANN001 - the RuleTable
    """Every cell whose words need more room than the table gives them (wrapped to its column's width)."""
    model = table.model()
    margin = 2 * (table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1)
    metrics = table.fontMetrics()
    problems = []
    shown_columns = [c for c in range(model.columnCount()) if not table.isColumnHidden(c)]
    if sum(table.columnWidth(c) for c in shown_columns) > table.viewport().width():
        problems.append(f"columns {[table.columnWidth(c) for c in shown_columns]} are wider than {table.viewport().width()}")
    for row in range(model.rowCount()):
        for column in shown_columns:
            if column in (model.STATUS, model.PROTOCOL):
                continue  # one word beside its icon; the quote is one line by design (in full below the table)
            text = model.index(row, column).data()
            width = table.columnWidth(column) - margin
            needed = metrics.boundingRect(QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, text).height()
            if needed > table.rowHeight(row):
                problems.append(f"row {row}, column {column}: {text!r} needs {needed}px, has {table.rowHeight(row)}px")
    return problems


@pytest.mark.parametrize(("width", "height"), [(560, 640), (1366, 768)])
def test_no_check_is_cut_off_beside_zoom_or_full_width(qtbot, services, rehearsal_server, width, height) -> None:  # noqa: F811
    services.register.replace_pupils(read_register_file(DATA / "registers" / "arbor-utf8-comma.csv"))
    window = build_main_window(services)
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    qtbot.waitExposed(window)
    window.show_page("checklist")
    page = window.page("checklist")
    assert isinstance(page, ChecklistPage)
    qtbot.waitUntil(lambda: page.meetings.findData(str(rehearsal_server.state.assembly_meeting_id)) >= 0, timeout=WAIT_MS)
    page.meetings.setCurrentIndex(page.meetings.findData(str(rehearsal_server.state.assembly_meeting_id)))
    check(qtbot, page)
    table, model = page.table, page.model
    def nothing_cut_off() -> None:
        assert cut_off(table) == []

    qtbot.waitUntil(nothing_cut_off, timeout=WAIT_MS)
    assert table.isColumnHidden(model.PROTOCOL) == (width < 700)  # beside Zoom the quote folds away
    assert table.height() >= 4 * table.fontMetrics().height() * 2  # room for a few checks at once
    for button in (page.check_button, page.fix_button):
        where = QRect(button.mapTo(window, button.rect().topLeft()), button.size())
        assert button.isVisible() and window.rect().contains(where)
    # the selected check shows its protocol line in full, as plain text
    row = next(r for r in range(model.rowCount()) if model.result(r).rule_id == "removed_cannot_rejoin")
    table.selectRow(row)
    quote = model.result(row).protocol_line
    assert "“" + quote + "”" in page.details.text() and '"zoombombed"' in page.details.text()
    assert page.details.textFormat() == Qt.TextFormat.PlainText
