"""The checklist against the rehearsal Zoom over loopback: pick a meeting, Check, Fix all, tick what is left."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.conftest import DATA
from tests.ui.app_helpers import WAIT_MS, answer_confirmation, rehearsal_server, services  # noqa: F401 - fixtures
from zoomhost.core.register import read_register_file
from zoomhost.ui.checklist_page import ChecklistPage, StatusRole


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
