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
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QFileDialog, QLineEdit, QTableView, QTabWidget, QVBoxLayout, QWidget

from zoomhost.app.services import session_journals
from zoomhost.core.journal import SessionJournals, utc_now
from zoomhost.core.models import consent_counts
from zoomhost.core.names import fold
from zoomhost.core.register_store import RegisterStore
from zoomhost.system.runtime import AsyncRunner
from zoomhost.ui.register_lists import ConsentCountsModel, class_counts, table_view
from zoomhost.ui.table_model import RowsTableModel
from zoomhost.ui.text import heading as page_heading
from zoomhost.ui.text import one_line, plain_label
from zoomhost.ui.widgets import BusyIndicator, FlowLayout, MessagePanel, action_button, confirm, run_task, status_icon

if TYPE_CHECKING:  # the import machinery (file readers, column chooser, preview) loads when the teacher imports
    from zoomhost.app.register import RegisterImported, StoredLists
    from zoomhost.core.models import Pupil, StaffMember
    from zoomhost.core.register import RegisterImport, StaffImport
    from zoomhost.core.register_changes import RegisterChanges
    from zoomhost.core.register_store import ImportRecord
    from zoomhost.ui.pupil_data import PupilDataDialog
    from zoomhost.ui.register_import import ChooseColumnsDialog, ImportPreviewDialog, NeedsColumns

_IMPORTING = ("ColumnChoices", "NeedsColumns", "ChooseColumnsDialog", "ImportPreviewDialog")


def __getattr__(name: str) -> Any:
    """The import dialogs, still reachable here, loaded only when asked for."""
    if name in _IMPORTING:
        from zoomhost.ui import register_import

        return getattr(register_import, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
        self._unshown: StoredLists | None = None  # read, for the tables' next showing
        self._stored_counts = (0, 0)  # (pupils, adults) stored now: what an import would replace

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
        self.counts_view = table_view(self.counts_model, "Consent per class", self)
        # The Pupils and Staff tabs are made when first opened, or when there is a list to show in them:
        # the page's first frame needs only its summary and the consent per class.
        self._pupils_tab = _tab_frame(self)
        self._staff_tab = _tab_frame(self)
        self._pupils: tuple[PupilTableModel, QSortFilterProxyModel, QTableView, QLineEdit] | None = None
        self._staff: tuple[StaffTableModel, QTableView] | None = None
        self.tabs.addTab(self.counts_view, "Consent per class")
        self.tabs.addTab(self._pupils_tab, "Pupils")
        self.tabs.addTab(self._staff_tab, "Staff")
        self.tabs.currentChanged.connect(self._tab_opened)
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
        ):
            QWidget.setTabOrder(first, second)
        self.refresh()

    # -- the Pupils and Staff tabs, made when first needed -----------------------------------------
    def _tab_opened(self, index: int) -> None:
        tab = self.tabs.widget(index)
        if tab is self._pupils_tab:
            self._pupils_parts()
        elif tab is self._staff_tab:
            self._staff_parts()

    def _pupils_parts(self) -> tuple[PupilTableModel, QSortFilterProxyModel, QTableView, QLineEdit]:
        if self._pupils is None:
            tab = self._pupils_tab
            model = PupilTableModel(self)
            find = QLineEdit(tab)
            find.setPlaceholderText("Find a pupil by name or class")
            find.setAccessibleName("Find a pupil")
            find.setClearButtonEnabled(True)
            proxy = QSortFilterProxyModel(self)
            proxy.setSourceModel(model)
            proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            proxy.setFilterKeyColumn(-1)
            proxy.setSortRole(SortKeyRole)  # amy beside Amy, Élodie beside Ed: as a teacher reads a list
            find.textChanged.connect(proxy.setFilterFixedString)
            view = table_view(proxy, "Pupils", tab)
            view.setSortingEnabled(True)
            # Qt's header starts at Z→A; a class list opens A→Z by first name (a heading click sorts otherwise).
            view.sortByColumn(PupilTableModel.FIRST, Qt.SortOrder.AscendingOrder)
            tab.layout().addWidget(find)
            tab.layout().addWidget(view, 1)
            QWidget.setTabOrder(self.tabs, find)
            QWidget.setTabOrder(find, view)
            self._pupils = (model, proxy, view, find)
        return self._pupils

    def _staff_parts(self) -> tuple[StaffTableModel, QTableView]:
        if self._staff is None:
            model = StaffTableModel(self)
            view = table_view(model, "Staff", self._staff_tab)
            self._staff_tab.layout().setContentsMargins(0, 0, 0, 0)  # the table fills its tab, as the other lists' do
            self._staff_tab.layout().addWidget(view)
            self._staff = (model, view)
        return self._staff

    @property
    def pupils_model(self) -> PupilTableModel:
        return self._pupils_parts()[0]

    @property
    def pupils_proxy(self) -> QSortFilterProxyModel:
        return self._pupils_parts()[1]

    @property
    def pupils_view(self) -> QTableView:
        return self._pupils_parts()[2]

    @property
    def filter(self) -> QLineEdit:
        return self._pupils_parts()[3]

    @property
    def staff_model(self) -> StaffTableModel:
        return self._staff_parts()[0]

    @property
    def staff_view(self) -> QTableView:
        return self._staff_parts()[1]

    # -- showing what is stored --------------------------------------------------------------------
    def refresh(self) -> None:
        store, refresh_days = self.store, self.refresh_days()

        def read() -> StoredLists:
            from zoomhost.app.register import stored_lists

            return stored_lists(store, refresh_days=refresh_days)  # its age as the school's interval says now

        run_task(self, self.runner, read, blocking=True, doing="reading the stored register", busy=self.busy, messages=self.messages, success=self._show)

    def _show(self, stored: StoredLists) -> None:
        self._unshown = stored
        self._stored_counts = (len(stored.pupils), len(stored.staff))
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
        self.purge_button.setText(f"&Purge leavers ({stored.leavers_due} due)…" if stored.leavers_due else "&Purge leavers…")

    def show_age(self) -> None:
        """Warn when the stored register is older than the school's refresh interval (as set now, at this moment)."""
        if self._record is None:  # no register stored: nothing to be out of date
            self.age_warning.clear()
            return
        from zoomhost.core.register_changes import register_age

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
            if stored.pupils or self._pupils is not None:  # an empty list needs no table made for it
                self.pupils_model.set_rows(stored.pupils)
            if stored.staff or self._staff is not None:
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
            from zoomhost.ui.register_import import read_import

            return read_import(store, path, staff=staff, columns=columns)

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
        from zoomhost.core.register import StaffImport
        from zoomhost.ui.register_import import ChooseColumnsDialog, ImportPreviewDialog, NeedsColumns

        if isinstance(imported, NeedsColumns):
            path = self._reading
            chooser = ChooseColumnsDialog(imported, parent=self)
            chooser.columns_chosen.connect(lambda chosen: self.import_file(path, staff=False, columns=chosen))
            chooser.finished.connect(chooser.deleteLater)
            self.preview_columns = chooser
            chooser.open()
            return
        pupils, adults = self._stored_counts  # as stored, whether or not their tabs were ever built or shown
        dialog = ImportPreviewDialog(
            imported,
            replacing=adults if isinstance(imported, StaffImport) else pupils,
            with_staff=with_staff,
            staff_replacing=adults,
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
        from zoomhost.app.register import RegisterImported, import_register, import_staff_list
        from zoomhost.core.register import StaffImport

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
            lambda: _app_register().leavers_due(store),
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
            lambda: _app_register().remove_leavers(store),
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
        from zoomhost.ui.pupil_data import PupilDataDialog

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
            from zoomhost.ui.register_import import read_practice

            return read_practice(store, folder)

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


def _tab_frame(parent: QWidget) -> QWidget:
    """A tab whose contents are made when it is first opened."""
    tab = QWidget(parent)
    QVBoxLayout(tab)
    return tab


def _app_register() -> Any:
    from zoomhost.app import register

    return register


def _when(record: ImportRecord) -> str:
    return record.imported_at.astimezone().strftime("%d %b %Y %H:%M")
