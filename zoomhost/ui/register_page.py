"""The Register page: import the consent register and the staff list with a preview, see what is stored.

Reading a file and writing the store happen on the I/O thread; nothing is stored until the
teacher has seen the preview (rows kept, rows skipped and why, columns dropped, consent per
class) and pressed Import. The pupils list shows only what admission needs. A register's cells,
its header names and the file's name come from outside: every one is shown as plain text,
hidden characters written out (``ui/text.py``). *Pupil's data…*
lists everything held about one pupil and erases it on request (``ui.pupil_data``).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLineEdit,
    QListWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from zoomhost.app.register import (
    RegisterImported,
    StoredLists,
    import_register,
    import_staff_list,
    leavers_due,
    remove_leavers,
    stored_lists,
)
from zoomhost.app.services import session_journals, write_practice_lists
from zoomhost.core.journal import SessionJournals
from zoomhost.core.models import Pupil, StaffMember
from zoomhost.core.register import (
    RegisterImport,
    RegisterStore,
    StaffImport,
    consent_counts,
    read_register_file,
    read_staff_file,
)
from zoomhost.core.register_store import ImportRecord
from zoomhost.system.runtime import AsyncRunner
from zoomhost.ui.pupil_data import PupilDataDialog
from zoomhost.ui.table_model import RowsTableModel
from zoomhost.ui.text import heading as page_heading
from zoomhost.ui.text import one_line, plain_label
from zoomhost.ui.widgets import BusyIndicator, FlowLayout, MessagePanel, action_button, confirm, run_task, status_icon

FILE_FILTER = "Spreadsheet exports (*.csv *.txt *.tsv);;All files (*)"
_Index = QModelIndex | QPersistentModelIndex


class PupilTableModel(RowsTableModel):
    """The stored register: first name, preferred name, surname initial, class, consent, consent date. Nothing more."""

    FIRST, PREFERRED, INITIAL, CLASS, CONSENT, CONSENT_DATE = range(6)
    HEADERS = ("First name", "Preferred name", "Surname initial", "Class", "Consent", "Consent date")

    def cell(self, value: Pupil, column: int) -> str:
        if column == self.FIRST:
            return value.first_name
        if column == self.PREFERRED:
            return value.preferred_name or ""
        if column == self.INITIAL:
            return value.surname_initial or ""
        if column == self.CLASS:
            return value.class_name or ""
        if column == self.CONSENT:
            return "Yes" if value.consent else "No"
        return value.consent_date.strftime("%d %b %Y") if value.consent_date else ""

    def decoration(self, value: Pupil, column: int) -> Any:
        if column == self.CONSENT:
            return status_icon("pass" if value.consent else "fail")
        return None


class StaffTableModel(RowsTableModel):
    HEADERS = ("Name", "Email")

    def cell(self, value: StaffMember, column: int) -> str:
        return value.name if column == 0 else (value.email or "")


@dataclass(frozen=True)
class ClassCount:
    class_name: str
    consented: int
    total: int


class ConsentCountsModel(RowsTableModel):
    HEADERS = ("Class", "With consent", "Pupils", "Without consent")

    def cell(self, value: ClassCount, column: int) -> str:
        return (value.class_name, str(value.consented), str(value.total), str(value.total - value.consented))[column]


def class_counts(counts: dict[str, tuple[int, int]]) -> list[ClassCount]:
    return [ClassCount(name, yes, total) for name, (yes, total) in counts.items()]


def _table(model: QAbstractTableModel, name: str, parent: QWidget) -> QTableView:
    view = QTableView(parent)
    view.setTabKeyNavigation(False)  # one stop for Tab; the arrow keys move inside
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class ImportPreviewDialog(QDialog):
    """What an import would store, before anything is stored: Import or Cancel."""

    def __init__(self, imported: RegisterImport | StaffImport, *, replacing: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        staff = isinstance(imported, StaffImport)
        what = "staff list" if staff else "consent register"
        self.setWindowTitle(f"Import the {what}?")
        self.setObjectName("importPreview")
        self.setAccessibleName(f"Preview of the {what} import")
        layout = QVBoxLayout(self)

        file_line = imported.preview_text().splitlines()[0]
        self.file_label = plain_label(one_line(file_line), self, name="File", wrap=True)  # the file's own name
        bold = self.file_label.font()
        bold.setBold(True)
        self.file_label.setFont(bold)
        layout.addWidget(self.file_label)

        if isinstance(imported, RegisterImport):
            consented = sum(p.consent for p in imported.pupils)
            kept = f"Pupils kept: {len(imported.pupils)} ({consented} with consent, {len(imported.pupils) - consented} without)"
        else:
            with_email = sum(m.email is not None for m in imported.staff)
            kept = f"Staff kept: {len(imported.staff)} ({with_email} with an email address)"
        self.kept_label = plain_label(kept, self, name="Rows kept")
        layout.addWidget(self.kept_label)

        if isinstance(imported, RegisterImport):
            self.counts = ConsentCountsModel(self)
            self.counts.set_rows(class_counts(imported.consent_counts_by_class()))
            layout.addWidget(plain_label("Consent per class:", self))
            layout.addWidget(_table(self.counts, "Consent per class", self), 1)

        skipped_title = f"Rows skipped: {len(imported.skipped)}" if imported.skipped else "Rows skipped: none"
        layout.addWidget(plain_label(skipped_title, self))
        self.skipped = QListWidget(self)
        self.skipped.setAccessibleName("Rows skipped and why")
        for row in imported.skipped:
            self.skipped.addItem(one_line(f"Line {row.line}: {row.reason}"))
        self.skipped.setVisible(bool(imported.skipped))
        layout.addWidget(self.skipped)

        dropped = ", ".join(imported.dropped_columns) if imported.dropped_columns else "none"
        # Header names are the school's (or anyone's) words: never markup.
        self.dropped_label = plain_label(
            one_line(f"Columns dropped (not needed for admission): {dropped}"), self, name="Columns dropped", wrap=True
        )
        layout.addWidget(self.dropped_label)

        count = len(imported.staff) if isinstance(imported, StaffImport) else len(imported.pupils)
        replace_line = plain_label(
            f"Importing replaces the stored {what} ({replacing} {'adults' if staff else 'pupils'}) with these {count}."
            if replacing
            else "Nothing is stored until you press Import.",
            self,
            wrap=True,
        )
        layout.addWidget(replace_line)

        self.buttons = QDialogButtonBox(self)
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setAccessibleName("Import")
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName("Cancel")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(560, 520)


class RegisterPage(QWidget):
    """Import, preview, list and purge the register and the staff list."""

    register_changed = Signal()  # after an import or a purge (the checklist's counts change)
    pupil_erased = Signal(object)  # the Erasure, after one pupil's data was erased (summaries on screen are stale)

    def __init__(
        self,
        *,
        store: RegisterStore,
        runner: AsyncRunner,
        journals: SessionJournals | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.runner = runner
        self.journals = journals or session_journals()  # where one pupil's sessions are looked for
        self.pupil_data: PupilDataDialog | None = None
        self.setAccessibleName("Register")
        self.preview: ImportPreviewDialog | None = None
        self._practice_dir: tempfile.TemporaryDirectory[str] | None = None
        self._practice_staff: Path | None = None  # imported after the practice register
        self.leavers_due = 0
        self._unshown: StoredLists | None = None  # read, for the tables' next showing

        layout = QVBoxLayout(self)
        layout.addWidget(page_heading("Register", self))
        self.summary = plain_label("Reading the stored register…", self, name="Register summary", wrap=True)
        layout.addWidget(self.summary)

        buttons = FlowLayout()  # wraps beside Zoom
        self.import_button = action_button(
            "&Import register…", tooltip="Import the consent register exported from the school's MIS (CSV)", parent=self
        )
        self.staff_button = action_button("Import &staff list…", tooltip="Import the staff list (names and school emails)", parent=self)
        self.purge_button = action_button(
            "&Purge leavers…", tooltip="Remove pupils whose retention ended (the August after they left)", parent=self
        )
        self.practice_button = action_button(
            "Load the &practice register", tooltip="Rehearsal only: the practice assembly's register and staff list", parent=self
        )
        self.practice_button.hide()
        self.pupil_data_button = action_button(
            "Pupil's &data…",
            tooltip="Everything zoomhost holds about one pupil, and erasing it (a subject access or erasure request)",
            parent=self,
        )
        for button in (self.import_button, self.staff_button, self.purge_button, self.pupil_data_button, self.practice_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)

        self.busy = BusyIndicator(self)
        layout.addWidget(self.busy)
        self.messages = MessagePanel(self, name="Register messages")
        layout.addWidget(self.messages)

        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Register lists")
        self.counts_model = ConsentCountsModel(self)
        self.pupils_model = PupilTableModel(self)
        self.staff_model = StaffTableModel(self)
        self.counts_view = _table(self.counts_model, "Consent per class", self)

        pupils_tab = QWidget(self)
        pupils_layout = QVBoxLayout(pupils_tab)
        self.filter = QLineEdit(pupils_tab)
        self.filter.setPlaceholderText("Find a pupil by name or class")
        self.filter.setAccessibleName("Find a pupil")
        self.filter.setClearButtonEnabled(True)
        self.pupils_proxy = QSortFilterProxyModel(self)
        self.pupils_proxy.setSourceModel(self.pupils_model)
        self.pupils_proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.pupils_proxy.setFilterKeyColumn(-1)
        self.filter.textChanged.connect(self.pupils_proxy.setFilterFixedString)
        self.pupils_view = _table(self.pupils_proxy, "Pupils", pupils_tab)
        self.pupils_view.setSortingEnabled(True)
        pupils_layout.addWidget(self.filter)
        pupils_layout.addWidget(self.pupils_view, 1)
        self.staff_view = _table(self.staff_model, "Staff", self)

        self.tabs.addTab(self.counts_view, "Consent per class")
        self.tabs.addTab(pupils_tab, "Pupils")
        self.tabs.addTab(self.staff_view, "Staff")
        layout.addWidget(self.tabs, 1)

        self.import_button.clicked.connect(lambda: self.choose_file(staff=False))
        self.staff_button.clicked.connect(lambda: self.choose_file(staff=True))
        self.purge_button.clicked.connect(self.purge_leavers)
        self.practice_button.clicked.connect(self.load_practice_register)
        self.pupil_data_button.clicked.connect(self.show_pupil_data)
        for first, second in (
            (self.import_button, self.staff_button),
            (self.staff_button, self.purge_button),
            (self.purge_button, self.pupil_data_button),
            (self.pupil_data_button, self.practice_button),
            (self.practice_button, self.tabs),
            (self.tabs, self.filter),
            (self.filter, self.pupils_view),
        ):
            QWidget.setTabOrder(first, second)
        self.refresh()

    # -- showing what is stored --------------------------------------------------------------------
    def refresh(self) -> None:
        store = self.store
        run_task(self, self.runner, lambda: stored_lists(store), blocking=True, doing="reading the stored register", busy=self.busy, messages=self.messages, success=self._show)

    def _show(self, stored: StoredLists) -> None:
        self._unshown = stored
        if self.isVisible():
            self._fill_tables()
        lines = []
        if stored.pupils_record is None:
            lines.append("No register imported yet. Import the consent register exported from the school's MIS.")
        else:
            consented = sum(p.consent for p in stored.pupils)
            lines.append(
                f"Register imported {_when(stored.pupils_record)} from {stored.pupils_record.source}: "
                f"{len(stored.pupils)} pupils, {consented} with consent."
            )
        if stored.staff_record is None:
            lines.append("No staff list imported yet.")
        else:
            lines.append(f"Staff list imported {_when(stored.staff_record)}: {len(stored.staff)} adults.")
        self.summary.setText(one_line(" ".join(lines)))  # names the file the register came from
        self.leavers_due = stored.leavers_due
        self.purge_button.setText(f"&Purge leavers ({stored.leavers_due} due)…" if stored.leavers_due else "&Purge leavers…")

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's signature
        super().showEvent(event)
        self._fill_tables()

    def _fill_tables(self) -> None:
        """The tables take the register when the page is on screen: filling and sorting thousands of rows
        is the GUI thread's work, never done for a page nobody is looking at (a session on the Live page)."""
        stored, self._unshown = self._unshown, None
        if stored is not None:
            self.pupils_model.set_rows(stored.pupils)
            self.staff_model.set_rows(stored.staff)
            self.counts_model.set_rows(class_counts(consent_counts(stored.pupils)))

    # -- importing ---------------------------------------------------------------------------------
    def choose_file(self, *, staff: bool) -> None:
        what = "staff list" if staff else "consent register"
        path, _ = QFileDialog.getOpenFileName(self, f"Import the {what}", str(Path.home()), FILE_FILTER)
        if path:
            self.import_file(Path(path), staff=staff)

    def import_file(self, path: Path, *, staff: bool) -> None:
        """Read the file off the GUI thread, then show the preview; Import there stores it."""
        self.messages.clear()
        reader = read_staff_file if staff else read_register_file
        what = "staff list" if staff else "register"
        run_task(
            self,
            self.runner,
            lambda: reader(path),
            blocking=True,
            doing=f"reading the {what} file {path.name}",
            busy=self.busy,
            messages=self.messages,
            success=self._preview,
        )

    def _preview(self, imported: RegisterImport | StaffImport) -> None:
        replacing = self.staff_model.rowCount() if isinstance(imported, StaffImport) else self.pupils_model.rowCount()
        dialog = ImportPreviewDialog(imported, replacing=replacing, parent=self)
        dialog.accepted.connect(lambda: self._store(imported))
        dialog.rejected.connect(self._forget_practice_staff)
        dialog.finished.connect(dialog.deleteLater)
        self.preview = dialog
        dialog.open()

    def _store(self, imported: RegisterImport | StaffImport) -> None:
        store = self.store
        staff = isinstance(imported, StaffImport)

        def write() -> int | RegisterImported:
            if isinstance(imported, StaffImport):
                return import_staff_list(store, imported)
            return import_register(store, imported)

        def stored(result: int | RegisterImported) -> None:
            if isinstance(result, RegisterImported):
                what = f"the register now holds {result.pupils} pupils"
                gone = len(result.leavers_removed)
                if gone:
                    what += (
                        f"; removed {gone} leaver{'s' if gone != 1 else ''} whose retention ended"
                        " (the August after they left)"
                    )
            else:
                what = f"the staff list now holds {result} adults"
            self.messages.show_message("pass", f"Imported: {what}.")
            self.refresh()
            self.register_changed.emit()
            if not staff and self._practice_staff is not None:
                path, self._practice_staff = self._practice_staff, None
                self.import_file(path, staff=True)  # the practice staff list, previewed the same way

        run_task(
            self,
            self.runner,
            write,
            blocking=True,
            doing="storing the staff list" if staff else "storing the register",
            busy=self.busy,
            messages=self.messages,
            success=stored,
        )

    # -- purging -----------------------------------------------------------------------------------
    def purge_leavers(self) -> None:
        store = self.store
        run_task(
            self,
            self.runner,
            lambda: leavers_due(store),
            blocking=True,
            doing="finding leavers due for removal",
            busy=self.busy,
            messages=self.messages,
            success=self._confirm_purge,
        )

    def _confirm_purge(self, due: list[Pupil]) -> None:
        if not due:
            self.messages.show_message("pass", "No leavers are due for removal: every leaver's retention runs to the August after they left.")
            return
        count = len(due)
        confirm(
            self,
            title="Purge leavers",
            text=f"Remove {count} pupil{'s' if count != 1 else ''} who left school, now that the August after their leaving date has come?",
            details="Their names, classes and consent are deleted from this computer. This cannot be undone.",
            action=f"Remove {count} leaver{'s' if count != 1 else ''}",
            on_confirm=self._purge,
            destructive=True,
        )

    def _purge(self) -> None:
        store = self.store

        def removed(gone: list[Pupil]) -> None:
            self.messages.show_message("pass", f"Removed {len(gone)} leaver{'s' if len(gone) != 1 else ''} from the register.")
            self.refresh()
            self.register_changed.emit()

        run_task(
            self,
            self.runner,
            lambda: remove_leavers(store),
            blocking=True,
            doing="removing leavers",
            busy=self.busy,
            messages=self.messages,
            success=removed,
        )

    # -- one pupil's data --------------------------------------------------------------------------
    def show_pupil_data(self) -> None:
        """Open *One pupil's data*, starting from the pupil selected in the list (if any)."""
        selected = self.pupils_view.selectionModel().selectedRows()
        name = ""
        if selected:
            pupil = self.pupils_model.row_value(self.pupils_proxy.mapToSource(selected[0]).row())
            name = pupil.label()
        dialog = PupilDataDialog(store=self.store, journals=self.journals, runner=self.runner, name=name, parent=self)
        dialog.erased.connect(self._pupil_erased)
        dialog.finished.connect(dialog.deleteLater)
        self.pupil_data = dialog
        dialog.open()
        if name:
            dialog.find()

    def _pupil_erased(self, erasure: object) -> None:
        self.refresh()
        self.register_changed.emit()
        self.pupil_erased.emit(erasure)

    # -- rehearsal ---------------------------------------------------------------------------------
    def _forget_practice_staff(self) -> None:
        self._practice_staff = None

    def set_rehearsal(self, rehearsal: bool) -> None:
        self.practice_button.setVisible(rehearsal)

    def load_practice_register(self) -> None:
        """Write the practice assembly's register and staff CSVs to a temp folder and import them the usual way."""
        if self._practice_dir is None:
            self._practice_dir = tempfile.TemporaryDirectory(prefix="zoomhost-practice-")
        folder = Path(self._practice_dir.name)

        def write() -> tuple[Path, Path]:
            return write_practice_lists(folder=folder)

        def written(files: tuple[Path, Path]) -> None:
            self._practice_staff = files[1]
            self.import_file(files[0], staff=False)

        run_task(
            self,
            self.runner,
            write,
            blocking=True,
            doing="preparing the practice register",
            busy=self.busy,
            messages=self.messages,
            success=written,
        )


def _when(record: ImportRecord) -> str:
    return record.imported_at.astimezone().strftime("%d %b %Y %H:%M")
