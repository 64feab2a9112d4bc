"""The Live panel's start-of-session checks, session clock, autopilot strip and auto-lock countdown, on the rehearsal Zoom."""

from __future__ import annotations

import re

from tests.ui.app_helpers import WAIT_MS
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
    waiting,
)
from zoomhost.core.journal import JournalKind
from zoomhost.core.models import Verdict
from zoomhost.core.session import ParticipantState
from zoomhost.core.start_checks import START_CHECKS, StartCheckId
from zoomhost.ui.live.page import LivePage
from zoomhost.ui.live.status import AUTOPILOT_LOCKED, AUTOPILOT_ON


def confirmed_steps(page: LivePage) -> list[str]:
    return [str(e.detail.get("step")) for e in journal_entries(page) if e.kind is JournalKind.MANUAL_STEP_CONFIRMED]


def test_each_start_check_is_ticked_once_into_the_journal(qtbot, live_page) -> None:  # noqa: F811
    page = live_page
    assert page.start_checks.isHidden()  # nothing to check before a session
    start(qtbot, page, scenario="class", speed=5)
    panel = page.start_checks
    assert panel.isVisible() and panel.title() == "Start-of-session checks"
    for check in START_CHECKS:  # each with the protocol line it answers, for the eye and the screen reader
        box = panel.boxes[check.id]
        assert not box.isChecked() and box.isEnabled()
        assert check.protocol_line in box.toolTip() and check.protocol_line in box.accessibleDescription()
    assert panel.boxes[StartCheckId.ADULT_PRESENT].text() == "Adult with each pupil: confirmed for all"

    # Chat closed: ticked, journaled, and it stays ticked (a confirmation cannot be taken back).
    panel.boxes[StartCheckId.CHAT_CLOSED].click()
    qtbot.waitUntil(lambda: "Confirmed by you" in panel.boxes[StartCheckId.CHAT_CLOSED].toolTip(), timeout=WAIT_MS)
    assert "Start check: chat is closed" in confirmed_steps(page)
    assert panel.boxes[StartCheckId.CHAT_CLOSED].isChecked() and not panel.boxes[StartCheckId.CHAT_CLOSED].isEnabled()

    # An adult with every pupil, before any pupil is in: refused in plain words, nothing journaled.
    panel.boxes[StartCheckId.ADULT_PRESENT].click()
    qtbot.waitUntil(lambda: page.messages.kind == "fail", timeout=WAIT_MS)
    assert "No pupil is in the meeting yet" in page.messages.text.text()
    qtbot.waitUntil(lambda: panel.boxes[StartCheckId.ADULT_PRESENT].isEnabled(), timeout=WAIT_MS)
    assert not panel.boxes[StartCheckId.ADULT_PRESENT].isChecked()
    assert not any("adult" in step for step in confirmed_steps(page))

    # A small class: admit one pupil, then confirm the adult with that pupil by name.
    pupil = wait_for_row(qtbot, page, lambda r: r.verdict is Verdict.CONSENTED and waiting(r))
    select(page, pupil.participant_id)
    page.buttons["admit"].click()
    qtbot.waitUntil(lambda: state_of(page, pupil.participant_id).state is ParticipantState.IN_MEETING, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: panel.pupils_button.isVisible(), timeout=WAIT_MS)
    assert panel.pupils_button.text() == "Per pupil (0 of 1)…"
    [action] = panel.pupils_menu.actions()
    assert action.text() == pupil.pupil_label
    action.trigger()
    qtbot.waitUntil(lambda: f"Start check: an adult is with {pupil.pupil_label}" in confirmed_steps(page), timeout=WAIT_MS)
    # every pupil in the meeting confirmed: the adult check is done
    qtbot.waitUntil(lambda: panel.boxes[StartCheckId.ADULT_PRESENT].isChecked(), timeout=WAIT_MS)
    assert panel.pupils_button.isHidden()

    # Sharing: ticked once; a second click changes nothing in the journal.
    panel.boxes[StartCheckId.NO_SCREEN_SHARING].click()
    qtbot.waitUntil(lambda: "Start check: only the host can share a screen" in confirmed_steps(page), timeout=WAIT_MS)
    panel.boxes[StartCheckId.NO_SCREEN_SHARING].click()
    qtbot.wait(300)
    assert confirmed_steps(page).count("Start check: only the host can share a screen") == 1


def test_the_autopilot_is_off_until_turned_on_and_shown_while_on(qtbot, live_page) -> None:  # noqa: F811
    page = live_page
    start(qtbot, page, scenario="assembly", speed=5)
    assert page.autopilot_strip.isHidden() and page.autopilot_button.text().replace("&", "") == "Autopilot: off"
    assert re.search(r"\(auto in \d+:\d\d\)", page.buttons["lock"].text()), page.buttons["lock"].text()

    page.autopilot_button.click()
    qtbot.waitUntil(page.autopilot_strip.isVisible, timeout=WAIT_MS)
    assert page.autopilot_strip.text() == AUTOPILOT_ON
    assert page.autopilot_button.text().replace("&", "") == "Autopilot: ON"
    # it admits consented pupils without a click, and the journal says the autopilot did it
    qtbot.waitUntil(
        lambda: any(e.kind is JournalKind.COMMAND and e.actor == "autopilot" for e in journal_entries(page)),
        timeout=SCENARIO_WAIT_MS,
    )

    page.buttons["lock"].click()  # the lock stops it: the strip says so
    qtbot.waitUntil(lambda: page.autopilot_strip.text() == AUTOPILOT_LOCKED, timeout=WAIT_MS)
    assert "auto in" not in page.buttons["lock"].text()

    page.autopilot_button.click()
    qtbot.waitUntil(page.autopilot_strip.isHidden, timeout=WAIT_MS)

    def switched() -> list[object]:
        return [e.detail.get("on") for e in journal_entries(page) if e.kind is JournalKind.NOTE and e.detail.get("note") == "autopilot"]

    qtbot.waitUntil(lambda: switched() == [True, False], timeout=WAIT_MS)  # each switch journaled, once


def test_the_session_clock_counts_and_the_planned_length_warnings_reach_the_banner(qtbot, live_page) -> None:  # noqa: F811
    page = live_page
    start(qtbot, page, scenario="class", speed=1000)  # thirty planned minutes pass in under two seconds
    clock = page.start_checks.clock
    assert re.fullmatch(r"Session time \d+:\d\d of 30:00.*", clock.text()), clock.text()
    qtbot.waitUntil(lambda: any(i.title == "Session time" for i in page.banner.items), timeout=SCENARIO_WAIT_MS)
    qtbot.waitUntil(lambda: sum(i.title == "Session time" for i in page.banner.items) == 2, timeout=SCENARIO_WAIT_MS)
    words = [i.message for i in page.banner.items if i.title == "Session time"]
    assert "planned length" in words[0] and "well over" in words[1]
    qtbot.waitUntil(lambda: clock.text().endswith("over time"), timeout=WAIT_MS)
    assert "past its planned 30" in clock.toolTip()
