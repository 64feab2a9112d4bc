"""Erasing a pupil from the Register page also clears them from the summary the window is showing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel

from tests.core.pupil_fixtures import her_meetings, import_school, no_builtin_secure_delete  # noqa: F401 - a fixture
from tests.ui.app_helpers import WAIT_MS, answer_confirmation
from zoomhost.app.services import build_services
from zoomhost.ui.main import build_main_window
from zoomhost.ui.register_page import RegisterPage
from zoomhost.ui.summary_page import SummaryPage


def test_the_summary_on_screen_stops_naming_an_erased_pupil(qtbot, tmp_path: Path, no_builtin_secure_delete) -> None:  # noqa: ANN001, F811
    import_school(tmp_path)
    first, _, _ = her_meetings()
    with build_services(force_rehearsal=True) as services:
        window = build_main_window(services)
        qtbot.addWidget(window)
        window.show()
        summary = window.page("summary")
        register = window.page("register")
        assert isinstance(summary, SummaryPage) and isinstance(register, RegisterPage)
        with qtbot.waitSignal(summary.summary_shown, timeout=WAIT_MS):
            summary.show_session(first)
        assert "Zephyrine Q." in summary.view.toPlainText()

        qtbot.waitUntil(lambda: register.pupils_model.rowCount() == 5, timeout=WAIT_MS)
        row = next(r for r in range(5) if register.pupils_model.row_value(r).first_name == "Zephyrine")
        register.pupils_view.selectionModel().select(
            register.pupils_proxy.mapFromSource(register.pupils_model.index(row, 0)),
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )
        register.pupil_data_button.click()
        qtbot.waitUntil(lambda: register.pupil_data is not None and register.pupil_data.records is not None, timeout=WAIT_MS)
        with qtbot.waitSignal(summary.summary_shown, timeout=WAIT_MS):
            register.pupil_data.forget_button.click()
            answer_confirmation(qtbot, "Erase")
        text = summary.view.toPlainText()
        assert "Zephyrine" not in text and "(erased E-" in text and "Amy B." in text
