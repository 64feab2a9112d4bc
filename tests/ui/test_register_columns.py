"""The Register page with a federation's export: which column became what, choosing columns in the
preview (or before it, when the headings say too little), and the choice remembered."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from tests.conftest import DATA
from tests.ui.app_helpers import WAIT_MS, button_named, wait_for_dialog
from zoomhost.app.services import register_store
from zoomhost.system.runtime import AsyncRunner
from zoomhost.ui.register_page import ChooseColumnsDialog, ImportPreviewDialog, RegisterPage

FEDERATION = DATA / "registers" / "arbor-federation.csv"


@pytest.fixture
def runner():
    with AsyncRunner() as running:
        yield running


@pytest.fixture
def page(qtbot, runner) -> RegisterPage:
    shown = RegisterPage(store=register_store(), runner=runner)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitUntil(lambda: "No register imported yet" in shown.summary.text(), timeout=WAIT_MS)
    return shown


def choose(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))


def test_the_preview_says_which_column_became_what_and_lists_unclear_consent(qtbot, page, monkeypatch) -> None:
    choose(monkeypatch, FEDERATION)
    page.import_button.click()
    dialog = wait_for_dialog(qtbot, ImportPreviewDialog)
    read = dialog.kept_columns_label.text()
    assert "Legal First Name → first names" in read and "School → schools" in read and "Zoom Consent → consent" in read
    assert [dialog.unclear.item(i).text() for i in range(dialog.unclear.count())][0].startswith('Line 7: consent "see office"')
    counts = [dialog.counts.index(r, 0).data() for r in range(dialog.counts.rowCount())]
    assert counts == ["Year 3, Dhoon", "Year 3, Laxey"]  # two schools' Year 3s, two classes
    assert dialog.columns is not None and dialog.columns.boxes["school"].currentText() == "School"
    button_named(dialog, "Import").click()
    qtbot.waitUntil(lambda: page.pupils_model.rowCount() == 7, timeout=WAIT_MS)
    classes = {page.pupils_model.index(r, page.pupils_model.CLASS).data() for r in range(7)}
    assert classes == {"Year 3, Dhoon", "Year 3, Laxey"}


def test_headings_that_say_too_little_are_chosen_in_the_window_and_remembered(qtbot, page, monkeypatch, tmp_path) -> None:
    path = tmp_path / "office-export.csv"
    path.write_text("Child,Family,Group,OK for Zoom?\nAmelia,Quilliam,3Q,no\nOrla,Quayle,3Q,yes\n", encoding="utf-8")
    choose(monkeypatch, path)
    page.import_button.click()
    chooser = wait_for_dialog(qtbot, ChooseColumnsDialog)
    assert "no column for first names" in chooser.problem.text()
    boxes = chooser.columns.boxes
    for field, heading in (("first_name", "Child"), ("surname", "Family"), ("class_name", "Group"), ("consent", "OK for Zoom?")):
        boxes[field].setCurrentIndex(boxes[field].findData(heading))
    chooser.columns.read_again.click()
    dialog = wait_for_dialog(qtbot, ImportPreviewDialog)
    assert dialog.kept_label.text() == "Pupils kept: 2 (1 with consent, 1 without)"
    button_named(dialog, "Import").click()
    qtbot.waitUntil(lambda: page.pupils_model.rowCount() == 2, timeout=WAIT_MS)

    # the next export with the same headings goes straight to the preview, with the same columns
    later = tmp_path / "spring-export.csv"
    later.write_text("Child,Family,Group,OK for Zoom?\nFinn,Kelly,3C,yes\n", encoding="utf-8")
    choose(monkeypatch, later)
    page.import_button.click()
    again = wait_for_dialog(qtbot, ImportPreviewDialog)
    assert again is not dialog and again.kept_label.text() == "Pupils kept: 1 (1 with consent, 0 without)"


def test_changing_a_column_in_the_preview_reads_the_file_again(qtbot, page, monkeypatch) -> None:
    choose(monkeypatch, FEDERATION)
    page.import_button.click()
    dialog = wait_for_dialog(qtbot, ImportPreviewDialog)
    box = dialog.columns.boxes["school"]
    box.setCurrentIndex(box.findData(None))  # "(none)": one school after all
    dialog.columns.read_again.click()
    qtbot.waitUntil(lambda: page.preview is not None and page.preview is not dialog and page.preview.isVisible(), timeout=WAIT_MS)
    counts = [page.preview.counts.index(r, 0).data() for r in range(page.preview.counts.rowCount())]
    assert counts == ["Year 3"]
    assert page.store.pupils() == []  # still nothing stored
