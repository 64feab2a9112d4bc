"""Beside Zoom: the whole window in 560×640 (Zoom has the rest of a 1366×768 laptop), and more columns when wider."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QWidget

from tests.ui.app_helpers import WAIT_MS
from tests.ui.live_rig import (  # noqa: F401 - fixtures
    SCENARIO_WAIT_MS,
    import_practice_register,
    rehearsal_server,
    services,
    start,
)
from zoomhost.ui.live.model import Column
from zoomhost.ui.live.page import LivePage
from zoomhost.ui.main import build_main_window

PAGES = ("register", "checklist", "live", "summary", "settings")


def on_screen(widget: QWidget, window: QWidget) -> bool:
    """Shown, and wholly inside the window (not cut off at an edge)."""
    where = QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())
    return widget.isVisible() and window.rect().contains(where)


def test_the_teachers_day_fits_a_window_beside_zoom_and_wider_shows_more(qtbot, services, tmp_path: Path) -> None:  # noqa: F811
    import_practice_register(services, tmp_path)
    window = build_main_window(services)
    qtbot.addWidget(window)
    window.resize(560, 640)
    window.show()
    qtbot.waitExposed(window)
    assert (window.width(), window.height()) == (560, 640)  # nothing forces it wider or taller
    assert window.nav.width() > window.nav.height()  # the steps are a bar across the top
    for key in PAGES:
        window.show_page(key)
        page = window.page(key)
        hint = page.minimumSizeHint()
        assert hint.width() <= page.width() and hint.height() <= page.height(), f"{key} needs {hint}"

    window.show_page("live")
    live = window.page("live")
    assert isinstance(live, LivePage)
    qtbot.waitUntil(lambda: live.meetings.count() > 0, timeout=WAIT_MS)
    start(qtbot, live, scenario="assembly", speed=40)
    qtbot.waitUntil(lambda: live.banner.isVisible(), timeout=SCENARIO_WAIT_MS)
    qtbot.waitUntil(lambda: live.buttons["admit_all"].isEnabled(), timeout=SCENARIO_WAIT_MS)
    # What the teacher must never have to look for, all on screen at once.
    for part in (live.panic_button, live.banner, live.banner.seen_button, live.count_labels["waiting"], live.buttons["admit"], live.buttons["admit_all"]):
        assert on_screen(part, window), f"{part.accessibleName() or part.objectName()} is not on screen"
    assert live.table.height() >= 5 * live.table.verticalHeader().defaultSectionSize()  # room for several rows
    assert live.table.isColumnHidden(Column.REASONS) and live.table.isColumnHidden(Column.PUPIL)
    # Who Zoom says each arrival is (own link, signed in, typed name only) is essential: wholly in view.
    for column in (Column.VERDICT, Column.EVIDENCE, Column.STATE):
        end = live.table.columnViewportPosition(column) + live.table.columnWidth(column)
        assert not live.table.isColumnHidden(column) and end <= live.table.viewport().width(), column.name
    assert live.status.admission_label.isVisible() and live.status.admission_label.text().startswith("Admission: by")
    time_width = live.table.columnWidth(Column.TIME)
    assert time_width >= live.table.fontMetrics().horizontalAdvance("23:59:59")  # the time in full
    # The banner keeps its height whatever the alarm says: the table does not jump under the mouse.
    height = live.banner.height()
    live.banner.acknowledge()
    if live.banner.isVisible():
        assert live.banner.height() == height

    window.resize(1366, 768)
    qtbot.waitUntil(lambda: not live.table.isColumnHidden(Column.REASONS), timeout=WAIT_MS)
    assert not live.table.isColumnHidden(Column.PUPIL) and not live.table.isColumnHidden(Column.EVIDENCE)
    assert window.nav.height() > window.nav.width()  # the steps down the side again
    for part in (live.panic_button, live.count_labels["waiting"], live.buttons["admit"], live.buttons["admit_all"]):
        assert on_screen(part, window)
