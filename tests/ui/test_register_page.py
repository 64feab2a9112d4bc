"""The Register page: import through the file dialog and the preview, list, count, purge, and the practice register."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.conftest import DATA
from tests.ui.app_helpers import WAIT_MS, answer_confirmation, button_named, open_dialog, wait_for_dialog
from zoomhost.system import paths
from zoomhost.core.register import RegisterStore, read_register_file
from zoomhost.system.runtime import AsyncRunner
from zoomhost.ui.register_page import ImportPreviewDialog, PupilTableModel, RegisterPage

REGISTERS = DATA / "registers"


@pytest.fixture
def runner():
    with AsyncRunner() as running:
        yield running


@pytest.fixture
def store() -> RegisterStore:
    return RegisterStore(db_path=paths.register_db())


@pytest.fixture
def page(qtbot, store, runner) -> RegisterPage:
    shown = RegisterPage(store=store, runner=runner)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitUntil(lambda: "No register imported yet" in shown.summary.text(), timeout=WAIT_MS)
    return shown


def choose(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """The operating system's file dialog cannot be answered headless: it returns this file."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))


def cells(model, column: int) -> list[str]:  # noqa: ANN001
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_import_shows_the_preview_and_stores_only_after_import(qtbot, page, store, monkeypatch) -> None:
    choose(monkeypatch, REGISTERS / "bad-rows.csv")
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    dialog = wait_for_dialog(qtbot, ImportPreviewDialog)
    assert isinstance(dialog, ImportPreviewDialog)
    skipped = [dialog.skipped.item(i).text() for i in range(dialog.skipped.count())]
    assert skipped and all(line.startswith("Line ") for line in skipped)
    assert any("first name" in line.lower() for line in skipped)  # the row with no first name, and why
    assert dialog.kept_label.text().startswith("Pupils kept: ")
    assert store.pupils() == []  # nothing stored while the teacher reads the preview

    button_named(dialog, "Import").click()
    qtbot.waitUntil(lambda: page.pupils_model.rowCount() > 0, timeout=WAIT_MS)
    stored = store.pupils()
    assert [p.first_name for p in stored] == cells(page.pupils_model, page.pupils_model.FIRST)
    assert "Amy" in cells(page.pupils_model, page.pupils_model.FIRST)
    assert "from bad-rows.csv" in page.summary.text()
    assert page.messages.kind == "pass" and "register now holds" in page.messages.text.text()


def test_the_pupil_list_shows_no_more_than_admission_needs(qtbot, page, monkeypatch) -> None:
    choose(monkeypatch, REGISTERS / "arbor-utf8-comma.csv")
    page.import_button.click()
    dialog = wait_for_dialog(qtbot, ImportPreviewDialog)
    dropped = dialog.dropped_label.text().lower()
    assert "date of birth" in dropped and "address" in dropped  # said before anything is stored
    button_named(dialog, "Import").click()
    qtbot.waitUntil(lambda: page.pupils_model.rowCount() > 0, timeout=WAIT_MS)
    model = page.pupils_model
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())] == [
        "First name", "Preferred name", "Surname initial", "Class", "Consent", "Consent date",
    ]  # fmt: skip
    shown = " ".join(str(model.index(r, c).data()) for r in range(model.rowCount()) for c in range(model.columnCount()))
    with (REGISTERS / "arbor-utf8-comma.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:  # nothing the school sent beyond what admission needs reaches the screen
        for private in (row["Legal surname"], row["Date of birth"], row["Address"], row["UPN"]):
            assert not private or private not in shown
    assert "@" not in shown  # parents' email addresses were dropped
    consent = model.index(0, model.CONSENT)
    assert consent.data() in ("Yes", "No") and consent.data(Qt.ItemDataRole.DecorationRole) is not None


def test_cancel_keeps_the_stored_register(qtbot, page, store, monkeypatch) -> None:
    choose(monkeypatch, REGISTERS / "tiny-semicolon.csv")
    page.import_button.click()
    button_named(wait_for_dialog(qtbot, ImportPreviewDialog), "Cancel").click()
    qtbot.wait(200)
    assert store.pupils() == [] and store.last_import() is None


def test_an_unusable_file_says_why_in_plain_words(qtbot, page, store, monkeypatch) -> None:
    choose(monkeypatch, REGISTERS / "unusable-html.csv")
    page.import_button.click()
    qtbot.waitUntil(lambda: page.messages.kind == "fail", timeout=WAIT_MS)
    text = page.messages.text.text()
    assert "Traceback" not in text and "unusable-html.csv" in text
    assert store.pupils() == []


def test_staff_list_imports_the_same_way(qtbot, page, store, monkeypatch) -> None:
    choose(monkeypatch, REGISTERS / "staff-names-emails.csv")
    page.staff_button.click()
    dialog = wait_for_dialog(qtbot, ImportPreviewDialog)
    assert dialog.kept_label.text().startswith("Staff kept: ")
    button_named(dialog, "Import").click()
    qtbot.waitUntil(lambda: page.staff_model.rowCount() > 0, timeout=WAIT_MS)
    assert [m.name for m in store.staff()] == cells(page.staff_model, 0)
    assert "Jane Kinrade" in cells(page.staff_model, 0)


def test_import_removes_leavers_whose_august_has_passed(qtbot, page, store, monkeypatch, tmp_path) -> None:
    register = tmp_path / "leavers.csv"
    register.write_text(
        "First name,Surname,Class,Consent,Leaving date\n"
        "Lily,Quayle,Year 6,Yes,20/07/2019\n"
        "Tom,Kelly,Year 6,Yes,19/07/2019\n"
        "Mia,Corlett,Year 3,Yes,\n",
        encoding="utf-8",
    )
    choose(monkeypatch, register)
    page.import_button.click()
    dialog = wait_for_dialog(qtbot, ImportPreviewDialog)
    assert dialog.kept_label.text().startswith("Pupils kept: 3")  # the preview shows the file as it is
    button_named(dialog, "Import").click()
    qtbot.waitUntil(lambda: page.messages.kind == "pass", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: page.pupils_model.rowCount() == 1, timeout=WAIT_MS)
    assert [p.first_name for p in store.pupils()] == ["Mia"]  # as `zoomhost register import` does
    text = page.messages.text.text()
    assert "register now holds 1 pupils" in text and "removed 2 leavers whose retention ended" in text
    assert "due" not in page.purge_button.text()


def test_purge_leavers_names_how_many_and_needs_confirmation(qtbot, page, store, tmp_path) -> None:
    register = tmp_path / "leavers.csv"
    register.write_text(
        "First name,Surname,Class,Consent,Leaving date\n"
        "Lily,Quayle,Year 6,Yes,20/07/2019\n"
        "Tom,Kelly,Year 6,Yes,19/07/2019\n"
        "Mia,Corlett,Year 3,Yes,\n",
        encoding="utf-8",
    )
    store.replace_pupils(read_register_file(register))  # stored before their August came: now due
    page.refresh()
    qtbot.waitUntil(lambda: page.pupils_model.rowCount() == 3, timeout=WAIT_MS)
    assert "2 due" in page.purge_button.text()

    page.purge_button.click()
    wording = answer_confirmation(qtbot, "Cancel")
    assert "Remove 2 pupils" in wording
    qtbot.wait(200)
    assert len(store.pupils()) == 3

    page.purge_button.click()
    answer_confirmation(qtbot, "Remove 2 leavers")
    qtbot.waitUntil(lambda: page.pupils_model.rowCount() == 1, timeout=WAIT_MS)
    assert [p.first_name for p in store.pupils()] == ["Mia"]
    assert "Removed 2 leavers" in page.messages.text.text()


def test_consent_counts_per_class(qtbot, page, monkeypatch, tmp_path) -> None:
    register = tmp_path / "classes.csv"
    register.write_text(
        "First name,Class,Consent\nAna,Year 2,Yes\nBo,Year 2,No\nCy,Year 10,Yes\nDee,Year 10,Yes\n", encoding="utf-8"
    )
    choose(monkeypatch, register)
    page.import_button.click()
    dialog = wait_for_dialog(qtbot, ImportPreviewDialog)
    # class, with consent, without consent, then the total they add up to
    assert [dialog.counts.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == ["Class", "With consent", "Without consent", "Total"]
    assert [tuple(dialog.counts.index(r, c).data() for c in range(4)) for r in range(dialog.counts.rowCount())] == [
        ("Year 2", "1", "1", "2"),
        ("Year 10", "2", "0", "2"),
    ]
    button_named(dialog, "Import").click()
    qtbot.waitUntil(lambda: page.counts_model.rowCount() == 2, timeout=WAIT_MS)
    assert page.counts_model.index(0, 0).data() == "Year 2" and page.counts_model.index(0, 1).data() == "1"


def test_the_practice_register_and_staff_list_are_one_preview_and_one_import(qtbot, page, store) -> None:
    assert page.practice_button.isHidden()
    page.set_rehearsal(True)
    assert not page.practice_button.isHidden()
    page.practice_button.click()
    preview = wait_for_dialog(qtbot, ImportPreviewDialog)
    assert isinstance(preview, ImportPreviewDialog)
    assert preview.windowTitle() == "Import the consent register and the staff list?"
    assert preview.kept_label.text().startswith("Pupils kept: 272")
    assert preview.staff_kept_label is not None and preview.staff_kept_label.text().startswith("Staff kept: ")
    assert store.pupils() == [] and store.staff() == []  # nothing stored while the teacher reads it
    button_named(preview, "Import").click()
    qtbot.waitUntil(lambda: page.staff_model.rowCount() > 0 and page.pupils_model.rowCount() > 0, timeout=WAIT_MS)
    assert len(store.pupils()) == 272  # the protocol's assembly
    assert store.staff() and page.pupils_model.rowCount() == 272
    assert "now holds 272 pupils" in page.messages.text.text() and "staff list now holds" in page.messages.text.text()
    qtbot.wait(300)
    assert open_dialog(ImportPreviewDialog) is None  # no second preview follows


def test_cancelling_the_practice_preview_stores_neither_list(qtbot, page, store) -> None:
    page.set_rehearsal(True)
    page.practice_button.click()
    preview = wait_for_dialog(qtbot, ImportPreviewDialog)
    button_named(preview, "Cancel").click()
    qtbot.wait(300)
    assert open_dialog(ImportPreviewDialog) is None
    assert store.pupils() == [] and store.staff() == [] and page.pupils_model.rowCount() == 0


def test_the_pupils_list_opens_sorted_a_to_z_by_first_name(qtbot, page, monkeypatch, tmp_path) -> None:
    register = tmp_path / "mixed.csv"
    register.write_text(
        "First name,Class,Consent\nZak,Year 2,Yes\namy,Year 2,No\nÉlodie,Year 3,Yes\nBen,Year 3,Yes\nEd,Year 1,No\n",
        encoding="utf-8",
    )
    choose(monkeypatch, register)
    page.import_button.click()
    button_named(wait_for_dialog(qtbot, ImportPreviewDialog), "Import").click()
    qtbot.waitUntil(lambda: page.pupils_model.rowCount() == 5, timeout=WAIT_MS)
    page.tabs.setCurrentIndex(page.tabs.indexOf(page.pupils_view.parentWidget()))
    shown_names = cells(page.pupils_proxy, PupilTableModel.FIRST)
    assert shown_names[0] == "amy" and shown_names[-1] == "Zak", shown_names  # A→Z, whatever the case
    assert shown_names.index("Ed") < shown_names.index("Élodie") < shown_names.index("Zak")
    header = page.pupils_view.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (PupilTableModel.FIRST, Qt.SortOrder.AscendingOrder)


def test_the_preview_says_how_the_file_was_read_in_a_teachers_words(qtbot, page, monkeypatch) -> None:
    choose(monkeypatch, REGISTERS / "sims-utf8-bom-semicolon.csv")
    page.import_button.click()
    dialog = wait_for_dialog(qtbot, ImportPreviewDialog)
    line = dialog.file_label.text()
    assert "sims-utf8-bom-semicolon.csv (Excel's “CSV UTF-8”, columns split at semicolons)" in line, line
    assert "BOM" not in line and "-separated" not in line
    button_named(dialog, "Cancel").click()


def _open_tab(qtbot, page: RegisterPage, title: str) -> None:  # noqa: ANN001
    """Click the tab the teacher reads as ``title``."""
    index = next(i for i in range(page.tabs.count()) if page.tabs.tabText(i) == title)
    rect = page.tabs.tabBar().tabRect(index)
    qtbot.mouseClick(page.tabs.tabBar(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: page.tabs.currentIndex() == index, timeout=WAIT_MS)


def test_the_pupils_and_staff_tabs_are_there_when_opened_on_an_empty_register(qtbot, page) -> None:
    """Nothing stored: each tab still opens to its search field and its table, empty, with its headings."""
    from PySide6.QtWidgets import QLineEdit, QTableView

    _open_tab(qtbot, page, "Pupils")
    tab = page.tabs.currentWidget()
    qtbot.waitUntil(lambda: tab.findChild(QTableView) is not None and tab.findChild(QTableView).isVisible(), timeout=WAIT_MS)
    find = tab.findChild(QLineEdit)
    assert find.accessibleName() == "Find a pupil" and find.isVisible()
    table = tab.findChild(QTableView)
    assert table.accessibleName() == "Pupils" and table.model().rowCount() == 0
    assert table.model().headerData(0, Qt.Orientation.Horizontal) == "First name"

    _open_tab(qtbot, page, "Staff")
    staff = page.tabs.currentWidget()
    qtbot.waitUntil(lambda: staff.findChild(QTableView) is not None and staff.findChild(QTableView).isVisible(), timeout=WAIT_MS)
    assert staff.findChild(QTableView).accessibleName() == "Staff"
    assert staff.findChild(QTableView).model().headerData(1, Qt.Orientation.Horizontal) == "Email"


def test_a_stored_register_is_in_the_pupils_tab_when_first_opened(qtbot, store, runner) -> None:
    """A register stored before the page opens: its summary reads at once, and the Pupils and Staff tabs, opened
    for the first time, already list every pupil and adult (and the search finds one)."""
    from PySide6.QtWidgets import QLineEdit, QTableView

    from zoomhost.core.register import read_staff_file

    store.replace_pupils(read_register_file(REGISTERS / "arbor-utf8-comma.csv"))
    store.replace_staff(read_staff_file(REGISTERS / "staff-names-emails.csv"))
    pupils, staff = store.pupils(), store.staff()
    shown = RegisterPage(store=store, runner=runner)
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitUntil(lambda: f"{len(pupils)} pupils" in shown.summary.text(), timeout=WAIT_MS)

    _open_tab(qtbot, shown, "Pupils")
    table = shown.tabs.currentWidget().findChild(QTableView)
    qtbot.waitUntil(lambda: table is not None and table.model().rowCount() == len(pupils), timeout=WAIT_MS)
    assert sorted(cells(table.model(), PupilTableModel.FIRST)) == sorted(p.first_name for p in pupils)
    qtbot.keyClicks(shown.tabs.currentWidget().findChild(QLineEdit), pupils[0].first_name)
    qtbot.waitUntil(lambda: 0 < table.model().rowCount() < len(pupils) or len(pupils) == 1, timeout=WAIT_MS)
    assert all(pupils[0].first_name.casefold() in " ".join(map(str, row)).casefold() for row in (
        [table.model().index(r, c).data() for c in range(6)] for r in range(table.model().rowCount())
    ))

    _open_tab(qtbot, shown, "Staff")
    staff_table = shown.tabs.currentWidget().findChild(QTableView)
    qtbot.waitUntil(lambda: staff_table.model().rowCount() == len(staff), timeout=WAIT_MS)
    assert cells(staff_table.model(), 0) == [m.name for m in staff]


def test_a_preview_says_what_it_replaces_before_the_lists_are_shown(qtbot, store, runner, monkeypatch) -> None:
    """A register and staff list stored, and the page read them while it was not on screen (its lists are filled
    when it is shown): the preview of a new file still says how many pupils the import replaces."""
    from PySide6.QtWidgets import QLabel

    from zoomhost.core.register import read_staff_file

    store.replace_pupils(read_register_file(REGISTERS / "arbor-utf8-comma.csv"))
    store.replace_staff(read_staff_file(REGISTERS / "staff-names-emails.csv"))
    stored = len(store.pupils())
    hidden = RegisterPage(store=store, runner=runner)  # read while another page was on screen: lists not yet filled
    qtbot.addWidget(hidden)
    hidden.refresh()
    qtbot.waitUntil(lambda: f"{stored} pupils" in hidden.summary.text(), timeout=WAIT_MS)
    choose(monkeypatch, REGISTERS / "bad-rows.csv")
    hidden.import_button.click()
    dialog = wait_for_dialog(qtbot, ImportPreviewDialog)
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    assert any(f"Importing replaces the stored consent register ({stored} pupils)" in text for text in texts), texts
