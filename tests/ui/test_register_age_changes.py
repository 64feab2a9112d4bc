"""The Register page on a laptop whose register came from the school's export some time ago: it warns once
the register is older than the school's refresh interval, and an import's preview leads with withdrawn
consent (names as plain text), then what else changed, or says nothing did. Real Qt (offscreen), the
real register file and the test run's real keyring."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog

from tests.core.test_register_changes import FEDERATION, later
from tests.ui.app_helpers import WAIT_MS, button_named, wait_for_dialog
from zoomhost.core.journal import utc_now
from zoomhost.core.register import RegisterStore
from zoomhost.system import paths
from zoomhost.system.runtime import AsyncRunner
from zoomhost.ui.register_page import ImportPreviewDialog, RegisterPage
from zoomhost.ui.text import shown


class Clock:
    """The page's clock, moved on by the test instead of waiting days."""

    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self):  # noqa: ANN204
        return self.now


@pytest.fixture
def runner():
    with AsyncRunner() as running:
        yield running


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def school() -> dict[str, int]:
    return {"register_refresh_days": 30}


@pytest.fixture
def page(qtbot, runner, clock, school) -> RegisterPage:
    shown_page = RegisterPage(
        store=RegisterStore(db_path=paths.register_db()),
        runner=runner,
        refresh_days=lambda: school["register_refresh_days"],
        clock=clock,
    )
    qtbot.addWidget(shown_page)
    shown_page.show()
    qtbot.waitUntil(lambda: "No register imported yet" in shown_page.summary.text(), timeout=WAIT_MS)
    return shown_page


def preview(qtbot, page: RegisterPage, monkeypatch: pytest.MonkeyPatch, path: Path) -> ImportPreviewDialog:  # noqa: ANN001
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    dialog = wait_for_dialog(qtbot, ImportPreviewDialog)
    assert isinstance(dialog, ImportPreviewDialog)
    return dialog


def import_file(qtbot, page: RegisterPage, monkeypatch: pytest.MonkeyPatch, path: Path) -> None:  # noqa: ANN001
    dialog = preview(qtbot, page, monkeypatch, path)
    button_named(dialog, "Import").click()
    qtbot.waitUntil(lambda: f"from {path.name}" in page.summary.text(), timeout=WAIT_MS)


def test_the_page_warns_once_the_register_is_older_than_the_schools_interval(qtbot, page, clock, school, monkeypatch) -> None:
    import_file(qtbot, page, monkeypatch, FEDERATION)
    assert page.age_warning.isHidden()  # just imported

    clock.now += timedelta(days=29, hours=23)
    page.hide()
    page.show()  # the teacher comes back to the page a month later
    assert page.age_warning.isHidden()

    clock.now += timedelta(days=1, hours=2)
    page.hide()
    page.show()
    qtbot.waitUntil(lambda: page.age_warning.isVisible(), timeout=WAIT_MS)
    warning = page.age_warning.text.text()
    assert page.age_warning.kind == "warn"
    assert warning.startswith("The register is out of date: it was imported 31 days ago (")
    assert "from arbor-federation.csv" in warning and "re-import the school's latest export" in warning

    school["register_refresh_days"] = 0  # the school sets no interval: never out of date
    page.hide()
    page.show()
    assert page.age_warning.isHidden()

    school["register_refresh_days"] = 30
    import_file(qtbot, page, monkeypatch, FEDERATION)  # imported again (by the real clock): fresh
    clock.now = utc_now()
    page.hide()
    page.show()
    assert page.age_warning.isHidden()


def test_the_preview_leads_with_withdrawn_consent_then_what_else_changed(qtbot, page, monkeypatch, tmp_path) -> None:
    first = preview(qtbot, page, monkeypatch, FEDERATION)
    assert first.held.isHidden()
    assert first.changes_label is not None and "all 7 pupils are new" in first.changes_label.text()
    button_named(first, "Import").click()
    qtbot.waitUntil(lambda: "from arbor-federation.csv" in page.summary.text(), timeout=WAIT_MS)

    again = preview(qtbot, page, monkeypatch, FEDERATION)
    assert again.held.isHidden()
    assert again.changes_label is not None
    assert again.changes_label.text() == "Changes since the last import:\nNo changes since the last import."
    button_named(again, "Cancel").click()
    qtbot.waitUntil(lambda: again.result() == QDialog.DialogCode.Rejected, timeout=WAIT_MS)

    dialog = preview(qtbot, page, monkeypatch, later(tmp_path))
    assert dialog.held.isVisible() and dialog.held.kind == "fail"
    held = dialog.held.text.text().splitlines()
    assert held[0] == (
        "Consent withdrawn for 1 pupil: Orla Q. (Year 3, Laxey; 1st of 2 in the new file) — this pupil will be held in"
        " the waiting room."
    )
    assert held[1].startswith("Consent no longer clear for 1 pupil: Callum C. (Year 3, Dhoon; 2nd of 2 in the new file)")
    # the withdrawal comes before anything else the preview says
    layout = dialog.layout()
    order = [layout.itemAt(i).widget() for i in range(layout.count())]
    assert order.index(dialog.held) < order.index(dialog.changes_label) < order.index(dialog.kept_label)
    rest = dialog.changes_label.text().splitlines()
    assert rest[0] == "Also changed since the last import:"
    assert rest[1].startswith("Removed: 1 pupil no longer on the register: Amy Q. (Year 3, Dhoon)")
    assert rest[2] == "Added: 1 pupil — with consent: Nia C. (Year 3, Dhoon)."
    assert rest[3] == "Consent given for 1 pupil: Callum C. (Year 3, Dhoon; 1st of 2 in the new file)."


HOSTILE = "<b>Amira</b><img src=x>\u200bK"  # markup and a hidden character, as a register cell could hold


def test_names_in_the_changes_are_plain_text(qtbot, page, monkeypatch, tmp_path) -> None:
    def register(consent: str) -> Path:
        path = tmp_path / f"register-{consent}.csv"
        path.write_text(f'First name,Surname,Class,Zoom consent\n"{HOSTILE}",Kelly,"<i>3Q</i>",{consent}\nBen,Teare,3Q,yes\n', encoding="utf-8")
        return path

    import_file(qtbot, page, monkeypatch, register("yes"))
    dialog = preview(qtbot, page, monkeypatch, register("withdrawn"))
    assert dialog.held.isVisible()
    label = dialog.held.text
    assert label.textFormat() == Qt.TextFormat.PlainText
    text = label.text()
    assert text.startswith("Consent withdrawn for 1 pupil: <b>Amira</b><img src=x>")  # the characters, not markup
    assert "\u200b" not in text and shown("\u200b") in text  # the hidden character written out
    assert "(<i>3Q</i>)" in text and "Ben" not in text
