"""The Live panel's Session box while a session runs, on a 1366×768 laptop: what to host cannot change then, so
the meeting, Reload and the rehearsal's Scenario and Speed are not offered and Tab passes them by; once the meeting
has ended they are offered again for the next one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from tests.ui.app_helpers import WAIT_MS
from tests.ui.live_rig import SCENARIO_WAIT_MS, live_page, rehearsal_server, services, start  # noqa: F401 - fixtures
from zoomhost.ui.live.page import LivePage


def _choices(page: LivePage) -> dict[str, QWidget]:
    return {"Reload": page.picker.reload_button, "Scenario": page.scenarios, "Speed": page.speed}


def _tab_stops(qtbot, page: LivePage, presses: int = 60) -> set[QWidget]:  # noqa: ANN001 - pytest-qt's qtbot
    """Every control the keyboard lands on in ``presses`` presses of Tab from the table, as the teacher would."""
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=WAIT_MS)
    page.table.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.table, timeout=WAIT_MS)
    seen: set[QWidget] = set()
    for _ in range(presses):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        focused = QApplication.focusWidget()
        seen.add(focused)
        if isinstance(focused.parent(), QWidget):
            seen.add(focused.parent())  # the speed box's line edit is the speed box to the teacher
    return seen


def _landed_on(stops: set[QWidget], page: LivePage) -> list[str]:
    return [name for name, widget in _choices(page).items() if widget in stops]


def test_what_to_host_cannot_be_changed_while_a_session_runs(qtbot, live_page) -> None:  # noqa: F811
    page = live_page
    page.window().resize(1366, 768)
    qtbot.waitUntil(lambda: all(w.isVisible() for w in _choices(page).values()), timeout=WAIT_MS)
    assert all(w.isEnabled() for w in _choices(page).values()), "offered before a session, to choose it"

    start(qtbot, page, scenario="class", speed=20)
    assert page.running and page.picker.isVisible()  # 1366 wide: the Session box stays open beside the table
    offered = [name for name, widget in _choices(page).items() if widget.isEnabled()]
    assert not offered, f"{offered} can still be changed while the session runs"
    assert not page.meetings.isEnabled()
    stops = _tab_stops(qtbot, page)
    assert page.buttons["mute_all"] in stops, "Tab went round the panel's controls"
    assert not _landed_on(stops, page), f"Tab stops at {_landed_on(stops, page)} while the session runs"

    page.panic()  # the meeting ends for everyone
    qtbot.waitUntil(lambda: not page.running, timeout=SCENARIO_WAIT_MS)
    qtbot.waitUntil(lambda: all(w.isEnabled() for w in _choices(page).values()), timeout=WAIT_MS)
    assert page.start_button.isEnabled()
    assert set(_landed_on(_tab_stops(qtbot, page), page)) == {"Reload", "Scenario", "Speed"}
