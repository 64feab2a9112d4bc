"""Importing the register and the staff list (Qt): reading the file, choosing its columns, and the preview.

Loaded the first time the teacher imports (or loads the practice register), never before the
Register page's first paint: the file readers (CSV, charset detection, column matching), the
column chooser and the preview dialog are nothing the teacher needs to see what is stored.
Every cell, heading and file name shown here comes from outside: plain text, hidden characters
written out (``ui/text.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QListWidget, QVBoxLayout, QWidget

from zoomhost.app.register import changes_on_import, read_register, surname_key_note
from zoomhost.app.services import write_practice_lists
from zoomhost.core.register import PUPIL_FIELDS, RegisterImport, RegisterStore, StaffImport, read_staff_file
from zoomhost.core.register_changes import RegisterChanges
from zoomhost.core.register_text import RegisterUnusable, read_headings
from zoomhost.ui.register_lists import ConsentCountsModel, class_counts, table_view
from zoomhost.ui.text import one_line, plain_label, shown
from zoomhost.ui.widgets import MessagePanel, action_button


def read_import(
    store: RegisterStore, path: Path, *, staff: bool, columns: dict[str, str | None] | None = None
) -> tuple[RegisterImport | StaffImport | NeedsColumns, RegisterChanges | None]:
    """Off the GUI thread: the file as an import would store it, and what it changes against the stored register;
    or, for a register whose headings say too little, the headings to choose its columns from."""
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


def read_practice(store: RegisterStore, folder: Path) -> tuple[Path, RegisterImport, StaffImport, RegisterChanges]:
    """Off the GUI thread: the practice assembly's register and staff list written to ``folder`` and read the usual way."""
    register, staff = write_practice_lists(folder=folder)
    imported = read_register(store, register)
    return register, imported, read_staff_file(staff), changes_on_import(store, imported)


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
            layout.addWidget(table_view(self.counts, "Consent per class", self), 1)

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


def _field_label(name: str) -> str:
    return next((field.label for field in PUPIL_FIELDS if field.name == name), name)
