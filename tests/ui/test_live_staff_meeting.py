"""A meeting of staff only, hosted on the Live panel against the rehearsal Zoom: its arrivals are judged against the
staff list alone, as the checklist's profile says (its topic, or the teacher's choice), never against the pupil
register. Signed-in staff are admissible; a guest typing a pupil's name is nobody's match and Admit all leaves them."""

from __future__ import annotations

from tests.ui.live_rig import (  # noqa: F401 - fixtures
    SCENARIO_WAIT_MS,
    journal_entries,
    live_page,
    rehearsal_server,
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
