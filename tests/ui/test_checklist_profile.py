"""Who joins, on the Checklist page: a meeting of staff only is checked against the staff rows, as the
teacher chose or as its topic says, and the choice is kept for the next time (and for the audit)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.ui.app_helpers import WAIT_MS, rehearsal_server, services  # noqa: F401 - fixtures
from zoomhost.app.meetings import choose_profile, meeting_profiles
from zoomhost.ui.checklist_page import ChecklistPage


def opened(qtbot, services, meeting: str) -> ChecklistPage:  # noqa: F811
    page = ChecklistPage(services=services)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.meetings.findData(meeting) >= 0 and page.profile_choice.isEnabled(), timeout=WAIT_MS)
    page.meetings.setCurrentIndex(page.meetings.findData(meeting))
    return page


def checked_rules(qtbot, page: ChecklistPage) -> set[str]:
    page.report = None
    qtbot.mouseClick(page.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.report is not None, timeout=WAIT_MS)
    return {r.rule_id for r in page.report.results}


def test_a_staff_meeting_by_its_topic_is_checked_against_the_staff_rows(qtbot, services, rehearsal_server) -> None:  # noqa: F811
    state = rehearsal_server.state
    state.meeting(state.class_meeting_id).topic = "Staff briefing"
    page = opened(qtbot, services, str(state.class_meeting_id))
    assert page.profile_choice.currentText() == "As its topic says"
    rules = checked_rules(qtbot, page)
    assert "staff_sign_in" in rules and "browser_join" not in rules
    assert page.profile_label.text() == "Checked as a meeting of staff only."
    row = next(r for r in range(page.model.rowCount()) if page.model.result(r).rule_id == "staff_sign_in")
    assert page.model.index(row, page.model.STATUS).data() == "Fail"
    assert "Zoom sign-in" in page.model.index(row, page.model.FIX).data()


@pytest.mark.parametrize("keyboard", [False, True])
def test_the_teachers_choice_rechecks_the_meeting_and_is_kept(qtbot, services, rehearsal_server, keyboard) -> None:  # noqa: F811
    state = rehearsal_server.state
    meeting = str(state.class_meeting_id)
    page = opened(qtbot, services, meeting)
    assert "staff_sign_in" not in checked_rules(qtbot, page)
    assert page.profile_label.text() == "Checked as a class or assembly with pupils and families."
    page.report = None
    if keyboard:  # from the keyboard: End chooses the last choice, Staff only
        page.profile_choice.setFocus()
        qtbot.keyClick(page.profile_choice, Qt.Key.Key_End)
    else:
        page.profile_choice.setCurrentIndex(page.profile_choice.findData("staff"))
        page.profile_choice.activated.emit(page.profile_choice.currentIndex())
    qtbot.waitUntil(lambda: page.report is not None and page.report.profile.value == "staff", timeout=WAIT_MS)  # checked again by itself
    assert "staff_sign_in" in {r.rule_id for r in page.report.results}
    assert meeting_profiles() == {meeting: "staff"}  # kept for the next time, and for the audit


def test_a_kept_choice_shows_when_the_page_opens(qtbot, services, rehearsal_server) -> None:  # noqa: F811
    state = rehearsal_server.state
    choose_profile(state.assembly_meeting_id, "staff")  # chosen earlier, in the window or with preflight --profile
    page = opened(qtbot, services, str(state.assembly_meeting_id))
    assert page.profile_choice.currentText() == "Staff only"
    assert "staff_sign_in" in checked_rules(qtbot, page)
    page.meetings.setCurrentIndex(page.meetings.findData(str(state.class_meeting_id)))
    assert page.profile_choice.currentText() == "As its topic says"  # each meeting its own choice
