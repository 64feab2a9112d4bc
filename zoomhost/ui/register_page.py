"""The Register page: import the consent register and the staff list with a preview, see what is stored.

Reading a file and writing the store happen on the I/O thread; nothing is stored until the
teacher has seen the preview (what changed since the last import, a withdrawal first; rows
kept, rows skipped and why, columns dropped, consent per class) and pressed Import. The page
warns when the register is older than the school's refresh interval. The pupils list shows only what admission needs. A register's cells,
its header names and the file's name come from outside: every one is shown as plain text,
hidden characters written out (``ui/text.py``). *Pupil's data…*
lists everything held about one pupil and erases it on request (``ui.pupil_data``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHeaderView,
    QLabel,
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
    changes_on_import,
    import_register,
    import_staff_list,
    leavers_due,
    read_register,
    remove_leavers,
    stored_lists,
    surname_key_note,
)
from zoomhost.app.services import session_journals, write_practice_lists
from zoomhost.core.journal import SessionJournals, utc_now
from zoomhost.core.models import Pupil, StaffMember
from zoomhost.core.names import fold
from zoomhost.core.register import (
    PUPIL_FIELDS,
    RegisterImport,
    RegisterStore,
    StaffImport,
    consent_counts,
    read_staff_file,
)
from zoomhost.core.register_changes import RegisterChanges, register_age
from zoomhost.core.register_store import ImportRecord
from zoomhost.core.register_text import RegisterUnusable, read_headings
from zoomhost.system.runtime import AsyncRunner
from zoomhost.ui.pupil_data import PupilDataDialog
from zoomhost.ui.table_model import RowsTableModel
from zoomhost.ui.text import heading as page_heading
from zoomhost.ui.text import one_line, plain_label, shown
from zoomhost.ui.widgets import BusyIndicator, FlowLayout, MessagePanel, action_button, confirm, run_task, status_icon

FILE_FILTER = "Spreadsheet exports (*.csv *.txt *.tsv);;All files (*)"
_Index = QModelIndex | QPersistentModelIndex
SortKeyRole = Qt.ItemDataRole.UserRole + 1  # what a column sorts by: a name with case and accents aside


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
            return value.class_label or ""
        if column == self.CONSENT:
            return "Yes" if value.consent else "No"
        return value.consent_date.strftime("%d %b %Y") if value.consent_date else ""

    def decoration(self, value: Pupil, column: int) -> Any:
        if column == self.CONSENT:
            return status_icon("pass" if value.consent else "fail")
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == SortKeyRole and index.isValid():
            text = self.cell(self.row_value(index.row()), index.column())
            if index.column() in (self.FIRST, self.PREFERRED, self.INITIAL):
                return f"{fold(text)}\x00{text.casefold()}"  # a name's key: case and accents aside
            if index.column() == self.CONSENT_DATE:
                pupil = self.row_value(index.row())
                return pupil.consent_date.isoformat() if pupil.consent_date else ""
            return text.casefold()
        return super().data(index, role)


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
    """Per class: with consent, without, and the total they add up to (last, as a sum is written)."""

    HEADERS = ("Class", "With consent", "Without consent", "Total")

    def cell(self, value: ClassCount, column: int) -> str:
        return (value.class_name, str(value.consented), str(value.total - value.consented), str(value.total))[column]


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


class ColumnChoices(QWidget):
    """Which heading holds each field, as read; the person importing may change any of them and read the file again."""

    chosen = Signal(object)  # field name -> heading (None: the file has no such column)

    def __init__(self, headings: tuple[str, ...], kept: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Columns")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QComboBox] = {}
        headings = tuple(title for title in headings if title)
        for field in PUPIL_FIELDS:
            box = QComboBox(self)
            box.setAccessibleName(f"Column for {field.label}")
            box.addItem("(none)", None)
            for title in headings:
                box.addItem(one_line(title), title)  # the file's own words: plain text, hidden characters written out
            current = kept.get(field.name)
            box.setCurrentIndex(max(0, box.findData(current)) if current is not None else 0)
            self.boxes[field.name] = box
            form.addRow(plain_label(field.label.capitalize() + ":", self), box)
        self.read_again = action_button(
            "&Read again with these columns",
            tooltip="Read the file again with the columns chosen here; remembered for the next file with these headings",
            parent=self,
        )
        form.addRow(self.read_again)
        self.read_again.clicked.connect(lambda: self.chosen.emit(self.choices()))

    def choices(self) -> dict[str, str | None]:
        return {name: box.currentData() for name, box in self.boxes.items()}


@dataclass(frozen=True)
class NeedsColumns:
    """A register whose headings say too little: the person importing chooses its columns first."""

    headings: tuple[str, ...]
    problem: str  # why it could not be read as it is (the file, line and missing field)


class ChooseColumnsDialog(QDialog):
    """The file's headings could not be matched to what the register needs: say why, and let the person
    importing say which heading is which (nothing is stored; the preview follows)."""

    columns_chosen = Signal(object)

    def __init__(self, needs: NeedsColumns, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Which column is which?")
        self.setObjectName("chooseColumns")
        layout = QVBoxLayout(self)
        self.problem = plain_label(one_line(needs.problem), self, name="Why", wrap=True)
        layout.addWidget(self.problem)
        layout.addWidget(plain_label("Choose the heading that holds each field, then read the file again:", self, wrap=True))
        self.columns = ColumnChoices(needs.headings, {}, self)
        self.columns.chosen.connect(self._chosen)
        layout.addWidget(self.columns)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _chosen(self, chosen: dict[str, str | None]) -> None:
        self.accept()
        self.columns_chosen.emit(chosen)


class ImportPreviewDialog(QDialog):
    """What an import would store, before anything is stored: Import or Cancel (or, for the register,
    a different choice of columns, read again).

    ``with_staff``: a staff list imported with the register by the same Import (the practice
    register and its staff list are one step), previewed below it; ``staff_replacing``: how
    many adults the stored staff list holds now.
    """

    columns_chosen = Signal(object)  # field name -> heading: read the file again with these

    def __init__(
        self,
        imported: RegisterImport | StaffImport,
        *,
        replacing: int,
        with_staff: StaffImport | None = None,
        staff_replacing: int = 0,
        changes: RegisterChanges | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        staff = isinstance(imported, StaffImport)
        what = "staff list" if staff else "consent register"
        self.with_staff = with_staff
        self.setWindowTitle(f"Import the {what} and the staff list?" if with_staff else f"Import the {what}?")
        self.setObjectName("importPreview")
        self.setAccessibleName(f"Preview of the {what} import")
        layout = QVBoxLayout(self)

        file_line = imported.preview_text().splitlines()[0]
        self.file_label = plain_label(one_line(file_line), self, name="File", wrap=True)  # the file's own name
        bold = self.file_label.font()
        bold.setBold(True)
        self.file_label.setFont(bold)
        layout.addWidget(self.file_label)

        # What changed since the last import, a withdrawal first and impossible to miss. Names are the
        # register's: plain text, hidden characters written out.
        self.held = MessagePanel(self, name="Consent withdrawn")
        layout.addWidget(self.held)
        self.changes_label: QLabel | None = None
        if changes is not None:
            held = changes.held_lines()
            if held:
                self.held.show_message("fail", "\n".join(held))
            rest = changes.other_lines() if held else changes.lines()
            if rest:
                title = "Also changed since the last import:" if held else "Changes since the last import:"
                self.changes_label = plain_label(shown("\n".join([title, *rest])), self, name="Changes since the last import", wrap=True)
                layout.addWidget(self.changes_label)

        if isinstance(imported, RegisterImport):
            consented = sum(p.consent for p in imported.pupils)
            kept = f"Pupils kept: {len(imported.pupils)} ({consented} with consent, {len(imported.pupils) - consented} without)"
        else:
            kept = _staff_kept(imported)
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

        self.columns: ColumnChoices | None = None
        if isinstance(imported, RegisterImport):
            kept = ", ".join(f"{title} → {_field_label(name)}" for name, title in imported.kept_columns.items())
            self.kept_columns_label = plain_label(one_line(f"Columns read: {kept}"), self, name="Columns read", wrap=True)
            layout.addWidget(self.kept_columns_label)
            if imported.unclear_consent:
                layout.addWidget(
                    plain_label(
                        f"Consent unclear: {len(imported.unclear_consent)} (kept without consent, so held at the door)",
                        self,
                    )
                )
                self.unclear = QListWidget(self)
                self.unclear.setAccessibleName("Consent unclear")
                for row in imported.unclear_consent:
                    self.unclear.addItem(one_line(f"Line {row.line}: {row.reason}"))
                layout.addWidget(self.unclear)
            note = surname_key_note(imported)
            if note:
                layout.addWidget(plain_label(note, self, name="Surname key", wrap=True))
            self.columns = ColumnChoices(imported.headings, imported.kept_columns, self)
            self.columns.chosen.connect(self.columns_chosen.emit)
            layout.addWidget(self.columns)

        self.staff_kept_label: QLabel | None = None
        if with_staff is not None:
            self.staff_kept_label = plain_label(_staff_kept(with_staff), self, name="Staff kept")
            self.staff_kept_label.setFont(bold)
            layout.addWidget(self.staff_kept_label)
            staff_skipped = "; ".join(f"line {row.line}: {row.reason}" for row in with_staff.skipped) or "none"
            layout.addWidget(plain_label(one_line(f"Staff rows skipped: {staff_skipped}"), self, name="Staff rows skipped", wrap=True))

        count = len(imported.staff) if isinstance(imported, StaffImport) else len(imported.pupils)
        replacing_words = []
        if replacing:
            replacing_words.append(f"the stored {what} ({replacing} {'adults' if staff else 'pupils'}) with these {count}")
        if with_staff is not None and staff_replacing:
            replacing_words.append(f"the stored staff list ({staff_replacing} adults) with these {len(with_staff.staff)}")
        replace_line = plain_label(
            f"Importing replaces {' and '.join(replacing_words)}." if replacing_words else "Nothing is stored until you press Import.",
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


def _staff_kept(imported: StaffImport) -> str:
    with_email = sum(m.email is not None for m in imported.staff)
    return f"Staff kept: {len(imported.staff)} ({with_email} with an email address)"


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
        refresh_days: Callable[[], int] = lambda: 0,
        clock: Callable[[], datetime] = utc_now,
        parent: QWidget | None = None,
    ) -> None:
        """``refresh_days``: the school's register refresh interval as set now (0: never out of date);
        ``clock``: what time it is (the register's age is measured with it)."""
        super().__init__(parent)
        self.store = store
        self.refresh_days = refresh_days
        self.clock = clock
        self._record: ImportRecord | None = None  # the stored register's import, for its age
        self.runner = runner
        self.journals = journals or session_journals()  # where one pupil's sessions are looked for
        self.pupil_data: PupilDataDialog | None = None
        self.setAccessibleName("Register")
        self.preview: ImportPreviewDialog | None = None
        self._reading: Path | None = None  # the file whose preview is shown or being read
        self.preview_columns: ChooseColumnsDialog | None = None  # when a file's headings say too little
        self._practice_dir: tempfile.TemporaryDirectory[str] | None = None
        self.leavers_due = 0
        self._unshown: StoredLists | None = None  # read, for the tables' next showing

        layout = QVBoxLayout(self)
        layout.addWidget(page_heading("Register", self))
        self.summary = plain_label("Reading the stored register…", self, name="Register summary", wrap=True)
        layout.addWidget(self.summary)
        self.age_warning = MessagePanel(self, name="Register out of date")
        layout.addWidget(self.age_warning)

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
        self.pupils_proxy.setSortRole(SortKeyRole)  # amy beside Amy, Élodie beside Ed: as a teacher reads a list
        self.filter.textChanged.connect(self.pupils_proxy.setFilterFixedString)
        self.pupils_view = _table(self.pupils_proxy, "Pupils", pupils_tab)
        self.pupils_view.setSortingEnabled(True)
        # Qt's header starts at Z→A; a class list opens A→Z by first name (a heading click sorts otherwise).
        self.pupils_view.sortByColumn(PupilTableModel.FIRST, Qt.SortOrder.AscendingOrder)
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
        self._record = stored.pupils_record
        self.show_age()
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

    def show_age(self) -> None:
        """Warn when the stored register is older than the school's refresh interval (as set now, at this moment)."""
        age = register_age(self._record, refresh_days=self.refresh_days(), now=self.clock())
        if age is not None and age.warning:
            self.age_warning.show_message("warn", age.warning)
        else:
            self.age_warning.clear()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's signature
        super().showEvent(event)
        self.show_age()  # a day may have passed, or the school's interval changed, since it was last shown
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

    def import_file(self, path: Path, *, staff: bool, columns: dict[str, str | None] | None = None) -> None:
        """Read the file off the GUI thread, then show the preview; Import there stores it. ``columns``:
        the headings the person importing chose (else those remembered for the file's headings, else by meaning)."""
        self.messages.clear()
        store = self.store
        what = "staff list" if staff else "register"
        self._reading = path

        def read() -> tuple[RegisterImport | StaffImport | NeedsColumns, RegisterChanges | None]:
            if staff:
                return read_staff_file(path), None
            try:
                imported = read_register(store, path, columns=columns)
            except RegisterUnusable as err:
                if "no column" not in str(err):
                    raise
                headings = read_headings(path)
                if sum(bool(title) for title in headings) < 2:
                    raise  # one heading (or a web page) cannot hold a first name and consent: no choice to offer
                return NeedsColumns(headings=headings, problem=err.user_text()), None
            return imported, changes_on_import(store, imported)

        run_task(
            self,
            self.runner,
            read,
            blocking=True,
            doing=f"reading the {what} file {path.name}",
            busy=self.busy,
            messages=self.messages,
            success=lambda read_now: self._preview(read_now[0], changes=read_now[1]),
        )

    def _preview(
        self,
        imported: RegisterImport | StaffImport | NeedsColumns,
        with_staff: StaffImport | None = None,
        changes: RegisterChanges | None = None,
    ) -> None:
        if isinstance(imported, NeedsColumns):
            path = self._reading
            chooser = ChooseColumnsDialog(imported, parent=self)
            chooser.columns_chosen.connect(lambda chosen: self.import_file(path, staff=False, columns=chosen))
            chooser.finished.connect(chooser.deleteLater)
            self.preview_columns = chooser
            chooser.open()
            return
        replacing = self.staff_model.rowCount() if isinstance(imported, StaffImport) else self.pupils_model.rowCount()
        dialog = ImportPreviewDialog(
            imported,
            replacing=replacing,
            with_staff=with_staff,
            staff_replacing=self.staff_model.rowCount(),
            changes=changes,
            parent=self,
        )
        dialog.accepted.connect(lambda: self._store(imported, with_staff))
        path = self._reading
        dialog.columns_chosen.connect(lambda chosen: self._read_again(dialog, path, chosen))
        dialog.finished.connect(dialog.deleteLater)
        self.preview = dialog
        dialog.open()

    def _read_again(self, dialog: ImportPreviewDialog, path: Path | None, chosen: dict[str, str | None]) -> None:
        """The person importing chose other columns: this preview goes, and the file is read again with them."""
        dialog.reject()
        if path is not None:
            self.import_file(path, staff=False, columns=chosen)

    def _store(self, imported: RegisterImport | StaffImport, with_staff: StaffImport | None = None) -> None:
        store = self.store
        staff = isinstance(imported, StaffImport)

        def write() -> tuple[int | RegisterImported, int | None]:
            if isinstance(imported, StaffImport):
                return import_staff_list(store, imported), None
            result = import_register(store, imported)
            return result, import_staff_list(store, with_staff) if with_staff is not None else None

        def stored(results: tuple[int | RegisterImported, int | None]) -> None:
            result, adults = results
            if isinstance(result, RegisterImported):
                what = f"the register now holds {result.pupils} pupils"
                gone = len(result.leavers_removed)
                if gone:
                    what += (
                        f"; removed {gone} leaver{'s' if gone != 1 else ''} whose retention ended"
                        " (the August after they left)"
                    )
                if result.links_forgotten:
                    what += (
                        f"; forgot {result.links_forgotten} family link(s) made for the old register: prepare the"
                        " invitations again, or those families are known by their typed name only"
                    )
            else:
                what = f"the staff list now holds {result} adults"
            if adults is not None:
                what += f"; the staff list now holds {adults} adults"
            self.messages.show_message("pass", f"Imported: {what}.")
            self.refresh()
            self.register_changed.emit()

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
    def set_rehearsal(self, rehearsal: bool) -> None:
        self.practice_button.setVisible(rehearsal)

    def load_practice_register(self) -> None:
        """Write the practice assembly's register and staff CSVs to a temp folder and read them the usual
        way; one preview shows both, and one Import stores both."""
        self.messages.clear()
        if self._practice_dir is None:
            self._practice_dir = tempfile.TemporaryDirectory(prefix="zoomhost-practice-")
        folder = Path(self._practice_dir.name)

        store = self.store

        def write() -> tuple[Path, RegisterImport, StaffImport, RegisterChanges]:
            register, staff = write_practice_lists(folder=folder)
            imported = read_register(store, register)
            return register, imported, read_staff_file(staff), changes_on_import(store, imported)

        def written(lists: tuple[Path, RegisterImport, StaffImport, RegisterChanges]) -> None:
            self._reading = lists[0]
            self._preview(lists[1], with_staff=lists[2], changes=lists[3])

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


def _field_label(name: str) -> str:
    return next((field.label for field in PUPIL_FIELDS if field.name == name), name)


def _when(record: ImportRecord) -> str:
    return record.imported_at.astimezone().strftime("%d %b %Y %H:%M")
