"""*Pupil's data…* on the Register page: find one pupil, see everything held, erase it on request."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from tests.core.pupil_fixtures import (
    HER_NAMES,
    files_holding,
    her_meetings,
    import_school,
    no_builtin_secure_delete,  # noqa: F401 - a fixture
    store,
)
from tests.ui.app_helpers import WAIT_MS, answer_confirmation
from zoomhost.app.services import session_journals
from zoomhost.system.runtime import AsyncRunner
from zoomhost.ui.pupil_data import PupilDataDialog
from zoomhost.ui.register_page import RegisterPage


@pytest.fixture
def runner():
    with AsyncRunner() as running:
        yield running


@pytest.fixture
def page(qtbot, runner, tmp_path: Path, no_builtin_secure_delete: None) -> RegisterPage:  # noqa: ANN001, F811
    import_school(tmp_path)
    her_meetings()
    shown = RegisterPage(store=store(), runner=runner)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitUntil(lambda: shown.pupils_model.rowCount() == 5, timeout=WAIT_MS)
    return shown


def _opened(qtbot, page: RegisterPage) -> PupilDataDialog:  # noqa: ANN001
    """The dialog this page opened (not one a previous test left behind)."""
    qtbot.waitUntil(lambda: page.pupil_data is not None and page.pupil_data.isVisible(), timeout=WAIT_MS)
    assert isinstance(page.pupil_data, PupilDataDialog)
    return page.pupil_data


def _select(page: RegisterPage, first_name: str) -> None:
    model = page.pupils_model
    row = next(r for r in range(model.rowCount()) if model.row_value(r).first_name == first_name)
    index = page.pupils_proxy.mapFromSource(model.index(row, 0))
    page.pupils_view.selectionModel().select(
        index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    )


def test_the_selected_pupil_is_shown_and_erased_from_every_file(qtbot, page: RegisterPage, zoomhost_home: Path) -> None:  # noqa: ANN001
    _select(page, "Zephyrine")
    page.pupil_data_button.click()
    dialog = _opened(qtbot, page)
    assert dialog.name.text() == "Zephyrine Q. (Year 4)"
    qtbot.waitUntil(lambda: dialog.records is not None, timeout=WAIT_MS)
    text = dialog.text.toPlainText()
    assert "Everything zoomhost holds about Zephyrine Q. (Year 4):" in text
    assert "“Zephyrine Quillfeather”  consented" in text and "attended 2; 1 incident" in text
    assert dialog.forget_button.isEnabled()

    dialog.forget_button.click()
    wording = answer_confirmation(qtbot, "Erase")
    assert "Erase everything zoomhost holds about the pupil shown?" in wording and "2 kept session(s)" in wording
    qtbot.waitUntil(lambda: dialog.messages.kind == "pass", timeout=WAIT_MS)
    assert dialog.messages.text.text().startswith("Erased under reference E-")
    assert "1 register entry, 0 registrant links, 6 journal rows in 2 sessions." in dialog.text.toPlainText()
    assert not dialog.forget_button.isEnabled()
    qtbot.waitUntil(lambda: page.pupils_model.rowCount() == 4, timeout=WAIT_MS)  # the page shows the register as it is now
    assert files_holding(HER_NAMES, zoomhost_home) == []


def test_cancel_erases_nothing(qtbot, page: RegisterPage) -> None:  # noqa: ANN001
    _select(page, "Zephyrine")
    page.pupil_data_button.click()
    dialog = _opened(qtbot, page)
    qtbot.waitUntil(lambda: dialog.records is not None, timeout=WAIT_MS)
    dialog.forget_button.click()
    answer_confirmation(qtbot, "Cancel")
    qtbot.wait(200)
    assert len(store().pupils()) == 5 and store().erasures() == []
    assert dialog.forget_button.isEnabled()


def test_several_pupils_who_fit_are_listed_to_choose_from(qtbot, page: RegisterPage) -> None:  # noqa: ANN001
    page.pupils_view.clearSelection()
    page.pupil_data_button.click()
    dialog = _opened(qtbot, page)
    assert dialog.name.text() == "" and not dialog.forget_button.isEnabled()
    dialog.name.setText("Amy")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.choices.count() == 2, timeout=WAIT_MS)
    listed = [dialog.choices.item(i).text() for i in range(dialog.choices.count())]
    assert listed == ["Amy B. (Year 3) (on the register)", "Amy T. (Year 5) (on the register)"]
    assert dialog.messages.kind == "warn" and not dialog.forget_button.isEnabled()  # nothing until one is chosen
    dialog.choices.setCurrentRow(1)
    qtbot.keyClick(dialog.choices, Qt.Key.Key_Return)  # chosen from the keyboard, as the message says
    qtbot.waitUntil(lambda: dialog.records is not None, timeout=WAIT_MS)
    assert "Everything zoomhost holds about Amy T. (Year 5):" in dialog.text.toPlainText()
    assert not dialog.choices.isVisible() and dialog.forget_button.isEnabled()

    dialog.name.setText("Nobody Atall")
    dialog.find_button.click()
    qtbot.waitUntil(lambda: dialog.messages.kind == "fail", timeout=WAIT_MS)
    assert "no pupil called “Nobody Atall”" in dialog.messages.text.text()
    assert dialog.records is None and not dialog.forget_button.isEnabled() and dialog.text.toPlainText() == ""


def test_names_are_shown_as_typed_never_as_markup(qtbot, runner, tmp_path: Path) -> None:  # noqa: ANN001
    source = tmp_path / "register.csv"
    source.write_text("Forename,Surname,Class,Consent\n<b>Bold</b>,Smith,<i>Year 2</i>,yes\n", encoding="utf-8")
    from zoomhost.core.register import read_register_file

    store().replace_pupils(read_register_file(source))
    dialog = PupilDataDialog(store=store(), journals=session_journals(), runner=runner)
    qtbot.addWidget(dialog)
    dialog.name.setText("<b>Bold</b> S (<i>Year 2</i>)")
    dialog.find()
    qtbot.waitUntil(lambda: dialog.records is not None, timeout=WAIT_MS)
    assert "Everything zoomhost holds about <b>Bold</b> S. (<i>Year 2</i>):" in dialog.text.toPlainText()
