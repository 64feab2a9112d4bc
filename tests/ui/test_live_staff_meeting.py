"""A meeting of staff only, hosted on the Live panel against the rehearsal Zoom: its arrivals are judged against the
staff list alone, as the checklist's profile says (its topic, or the teacher's choice), never against the pupil
register. Signed-in staff are admissible; a guest typing a pupil's name is nobody's match and Admit all leaves them."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from tests.ui.app_helpers import button_named, open_dialog, wait_for_dialog
from tests.ui.rendered import message_box_text
from tests.ui.live_rig import (  # noqa: F401 - fixtures
    SCENARIO_WAIT_MS,
    journal_entries,
    live_page,
    rehearsal_server,
    select,
    services,
    start,
    state_of,
    wait_for_row,
)
from zoomhost.app.meetings import choose_profile
from zoomhost.app.session import STAFF_SESSION_WORDS
from zoomhost.core.journal import JournalKind
from zoomhost.core.models import Evidence, Verdict
from zoomhost.core.session import ParticipantState
from zoomhost.core.start_checks import StartCheckId
from zoomhost.rehearsal.scenarios import staff_meeting
from zoomhost.system import paths
from zoomhost.ui.live.model import Column
from zoomhost.ui.live.status import AUTOPILOT_ON_STAFF

GUEST = next(a.display_name for a in staff_meeting().arrivals if a.key == "guest")  # a pupil's first name


def test_a_staff_meeting_admits_signed_in_staff_and_never_a_pupils_name(qtbot, live_page, services) -> None:  # noqa: F811
    page = live_page
    assert any(p.first_name == GUEST or p.preferred_name == GUEST for p in services.register.pupils()), (
        "the school's pupil register is loaded, and the guest types the first name of a pupil on it"
    )
    start(qtbot, page, scenario="staff", speed=10)
    status = page.status
    qtbot.waitUntil(lambda: status.admission_label.text() == STAFF_SESSION_WORDS, timeout=SCENARIO_WAIT_MS)
    assert "pupil register" in status.admission_label.toolTip()

    joanne = wait_for_row(qtbot, page, lambda r: r.display_name == "Joanne Kelly")
    assert (joanne.verdict, joanne.evidence, joanne.admit) == (Verdict.STAFF, Evidence.SIGNED_IN, True)
    guest = wait_for_row(qtbot, page, lambda r: r.display_name == GUEST)
    assert guest.verdict is Verdict.NOT_ON_REGISTER and guest.pupil_id is None and guest.pupil_label is None
    assert not guest.admit
    claim = wait_for_row(qtbot, page, lambda r: r.display_name == "Sarah Kinrade")  # typed, not signed in
    assert claim.verdict is Verdict.STAFF and not claim.admit
    wait_for_row(qtbot, page, lambda r: r.display_name == "Galaxy A52")
    assert page.state.counts.consented_not_arrived == 0  # no pupil is expected at a staff meeting

    button = page.buttons["admit_all"]
    qtbot.waitUntil(lambda: button.isEnabled(), timeout=SCENARIO_WAIT_MS)
    assert button.text().replace("&", "").startswith("Admit all signed-in staff (") and "consented" not in button.toolTip()
    assert guest.reasons[0] == f'nobody called "{GUEST}" on the staff list'  # not "the register", which it never saw
    button.click()
    signed_in = [r for r in page.model.arrivals() if r.evidence is Evidence.SIGNED_IN and r.verdict is Verdict.STAFF]
    qtbot.waitUntil(
        lambda: all(state_of(page, r.participant_id).state is ParticipantState.IN_MEETING for r in signed_in),
        timeout=SCENARIO_WAIT_MS,
    )
    for name in (GUEST, "Sarah Kinrade", "Galaxy A52"):
        row = next(r for r in page.model.arrivals() if r.display_name == name)
        assert row.state is ParticipantState.WAITING, f"{name} was admitted by Admit all"
    notes = [e.detail for e in journal_entries(page) if e.kind is JournalKind.NOTE and e.detail.get("note") == "admission"]
    assert notes and notes[-1].get("staff_only") is True  # journaled: the summary and a picked-up session know it

    # The start-of-session checks are the staff meeting's: a private space, not an adult with each pupil.
    boxes = page.start_checks.boxes
    qtbot.waitUntil(lambda: page.start_checks.view is not None and page.start_checks.isVisible(), timeout=SCENARIO_WAIT_MS)
    assert boxes[StartCheckId.PRIVATE_SPACE].isVisibleTo(page) and not boxes[StartCheckId.ADULT_PRESENT].isVisibleTo(page)
    assert not page.start_checks.pupils_button.isVisibleTo(page)
    boxes[StartCheckId.PRIVATE_SPACE].click()
    qtbot.waitUntil(lambda: "Confirmed by you" in boxes[StartCheckId.PRIVATE_SPACE].toolTip(), timeout=SCENARIO_WAIT_MS)
    steps = [e.detail.get("step") for e in journal_entries(page) if e.kind is JournalKind.MANUAL_STEP_CONFIRMED]
    assert "Start check: every member of staff is in a private space" in steps

    page.autopilot_strip.show_state(on=True, locked=False, running=True, staff_only=True)
    assert page.autopilot_strip.text() == AUTOPILOT_ON_STAFF


def test_the_teachers_choice_of_profile_is_what_the_live_panel_follows(qtbot, live_page, rehearsal_server) -> None:  # noqa: F811
    """The teacher held the class's meeting to the staff profile on the Checklist page: the Live panel follows."""
    choose_profile(rehearsal_server.state.class_meeting_id, "staff")
    start(qtbot, live_page, scenario="class", speed=20)
    qtbot.waitUntil(lambda: live_page.status.admission_label.text() == STAFF_SESSION_WORDS, timeout=SCENARIO_WAIT_MS)
    row = wait_for_row(qtbot, live_page, lambda r: r.evidence is Evidence.NAME and r.display_name not in ("Kirsty Christian", "Joanne Kelly"))
    assert row.pupil_id is None and row.verdict is not Verdict.CONSENTED


def _register_imported_days_ago(days: int) -> None:
    when = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    with sqlite3.connect(paths.register_db()) as db:
        db.execute("UPDATE imports SET imported_at = ? WHERE list = 'pupils'", (when,))


def _cell(page, participant_id: str, column: Column) -> str:  # noqa: ANN001
    row = page.model.row_of(participant_id)
    assert row is not None
    return page.model.index(row, column).data(Qt.ItemDataRole.DisplayRole)


def test_a_staff_meeting_speaks_of_the_staff_list_not_the_pupil_register(qtbot, live_page) -> None:  # noqa: F811
    """Nobody at a meeting of staff is judged against the pupil register: the panel offers no pupils' verdicts,
    counts no pupils still to come, and calls a stranger not on the staff list."""
    page = live_page
    start(qtbot, page, scenario="staff", speed=10)
    guest = wait_for_row(qtbot, page, lambda r: r.display_name == GUEST)
    joanne = wait_for_row(qtbot, page, lambda r: r.display_name == "Joanne Kelly")

    assert _cell(page, guest.participant_id, Column.VERDICT) == "Not on staff list"
    tip = page.model.index(page.model.row_of(guest.participant_id), Column.NAME).data(Qt.ItemDataRole.ToolTipRole)
    assert "nobody on the staff list" in tip and "register" not in tip
    assert _cell(page, joanne.participant_id, Column.VERDICT) == "Staff"

    filters = page.filter_buttons
    for key in ("consented", "no_consent"):  # no arrival at a staff meeting is ever given these
        assert not filters[key].isVisibleTo(page) and not filters[key].isEnabled(), key
    for key in ("all", "staff", "check"):
        assert filters[key].isVisibleTo(page) and filters[key].isEnabled(), key
    assert not page.count_labels["consented_not_arrived"].isVisibleTo(page)
    assert page.count_labels["waiting"].isVisibleTo(page)
    header = page.model.headerData(Column.PUPIL, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
    assert header == "Matched staff"
    assert "pupil" not in page.status.autopilot_button.toolTip() and "staff signed in" in page.status.autopilot_button.toolTip()

    # Asking to admit the stranger by hand names the staff list, not the register.
    select(page, guest.participant_id)
    page.buttons["admit"].click()
    box = wait_for_dialog(qtbot, QMessageBox, object_name="confirmation")
    question, _ = message_box_text(box)
    assert box.windowTitle() == "Admit someone the staff list does not allow?"
    assert question == f"“{GUEST}” is not on staff list. Admit them anyway?"
    button_named(box, "Cancel").click()
    qtbot.waitUntil(lambda: open_dialog(QMessageBox, object_name="confirmation") is None, timeout=SCENARIO_WAIT_MS)


def test_a_staff_meeting_does_not_warn_that_the_pupil_register_is_out_of_date(qtbot, live_page, services) -> None:  # noqa: F811
    services.settings = replace(services.settings, register_refresh_days=30)
    _register_imported_days_ago(45)  # out of date for a class; beside the point for a meeting of staff
    start(qtbot, live_page, scenario="staff", speed=10)
    wait_for_row(qtbot, live_page, lambda r: r.display_name == GUEST)
    assert not [item for item in live_page.banner.items if item.title == "Register out of date"]
    assert live_page.session is not None and live_page.session.register_age is None


def test_a_staff_meeting_counts_the_staff_list_not_the_pupils(qtbot, live_page) -> None:  # noqa: F811
    """No pupils on the register does not matter at a meeting of staff; no staff list does, and it says so."""
    with sqlite3.connect(paths.register_db()) as db:
        db.execute("DELETE FROM pupils")
    start(qtbot, live_page, scenario="staff", speed=10)
    assert "empty" not in live_page.messages.text.text()
    assert live_page.session is not None and live_page.session.register_size > 0


def test_a_staff_meeting_without_a_staff_list_says_the_staff_list_is_empty(qtbot, live_page) -> None:  # noqa: F811
    with sqlite3.connect(paths.register_db()) as db:
        db.execute("DELETE FROM staff")
    start(qtbot, live_page, scenario="staff", speed=10, admit_assistant=False)
    message = live_page.messages.text.text()
    assert message.startswith("The staff list is empty, so nobody can be recognised"), message


def test_a_class_after_a_staff_meeting_offers_the_pupils_verdicts_again(qtbot, live_page) -> None:  # noqa: F811
    page = live_page
    start(qtbot, page, scenario="staff", speed=20)
    qtbot.waitUntil(lambda: not page.filter_buttons["consented"].isVisibleTo(page), timeout=SCENARIO_WAIT_MS)
    page.panic()
    qtbot.waitUntil(lambda: not page.running, timeout=SCENARIO_WAIT_MS)
    start(qtbot, page, scenario="class", speed=20, admit_assistant=False)
    qtbot.waitUntil(lambda: page.state is not None and not page.state.staff_only, timeout=SCENARIO_WAIT_MS)
    assert page.filter_buttons["consented"].isVisibleTo(page) and page.filter_buttons["no_consent"].isEnabled()
    assert page.count_labels["consented_not_arrived"].isVisibleTo(page)
    assert page.model.headerData(Column.PUPIL, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) == "Matched pupil / staff"
    assert "consented pupils" in page.status.autopilot_button.toolTip()
