"""One pupil's data, from the Register page: everything zoomhost holds about a pupil, and erasing it.

The teacher (or the data protection officer at their side) types the pupil as the request names
them, or starts from the pupil selected in the register. When several pupils fit, they are listed
to choose from; nothing is shown or erased until one is chosen. The records are plain text (names
from the register and from Zoom are never read as markup). Reading and erasing happen on the I/O
thread, through the same use cases as ``zoomhost pupil show|forget``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from zoomhost.app.pupils import (
    Candidate,
    Erasure,
    PupilRecords,
    SeveralPupilsMatch,
    find_pupil,
    forget_pupil,
    pupil_records,
)
from zoomhost.core.journal import SessionJournals

from zoomhost.core.register_store import RegisterStore
from zoomhost.system.runtime import AsyncRunner
from zoomhost.ui.text import one_line, plain_label
from zoomhost.ui.widgets import BusyIndicator, MessagePanel, action_button, confirm, run_task


class PupilDataDialog(QDialog):
    """Find one pupil, see everything held about them, and erase it on request."""

    erased = Signal(object)  # the Erasure, once done

    def __init__(
        self,
        *,
        store: RegisterStore,
        journals: SessionJournals,
        runner: AsyncRunner,
        name: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("One pupil's data")
        self.setObjectName("pupilData")
        self.setAccessibleName("One pupil's data")
        self._store, self._journals, self._runner = store, journals, runner
        self.records: PupilRecords | None = None

        layout = QVBoxLayout(self)
        intro = plain_label(
            "For a subject access or erasure request: everything zoomhost holds about one pupil on this computer.",
            self,
            wrap=True,
        )
        layout.addWidget(intro)

        row = QHBoxLayout()
        label = plain_label("&Pupil:", self)
        self.name = QLineEdit(name, self)
        self.name.setPlaceholderText("First name, surname initial and class, e.g. Amy B. (Year 3)")
        self.name.setAccessibleName("Pupil's first name, surname initial and class")
        label.setBuddy(self.name)
        self.find_button = action_button("&Find", tooltip="List everything held about this pupil", parent=self)
        row.addWidget(label)
        row.addWidget(self.name, 1)
        row.addWidget(self.find_button)
        layout.addLayout(row)

        self.choices_label = plain_label("Several pupils fit. Choose one:", self)
        self.choices = QListWidget(self)
        self.choices.setAccessibleName("Pupils who fit")
        for widget in (self.choices_label, self.choices):
            widget.hide()
            layout.addWidget(widget)

        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setTabChangesFocus(True)  # Tab goes on to the buttons
        self.text.setAccessibleName("Everything held about this pupil")
        self.text.setPlaceholderText("Type the pupil as the request names them, then press Find.")
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        layout.addWidget(self.text, 1)

        self.busy = BusyIndicator(self)
        layout.addWidget(self.busy)
        self.messages = MessagePanel(self, name="Pupil data messages")
        layout.addWidget(self.messages)

        buttons = QDialogButtonBox(self)
        self.forget_button = buttons.addButton("&Erase this pupil…", QDialogButtonBox.ButtonRole.ActionRole)
        self.forget_button.setAccessibleName("Erase this pupil")
        self.forget_button.setToolTip("Erase the register entry and the pupil's names in every kept session")
        self.forget_button.setEnabled(False)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName("Close")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        # Enter looks the name up in the name field and chooses in the list, nothing more: no button of
        # this dialog is a default one that Enter anywhere would press.
        for button in (self.find_button, self.forget_button, close):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.find_button.clicked.connect(self.find)
        self.name.returnPressed.connect(self.find)
        self.choices.itemActivated.connect(self._chosen)
        self.forget_button.clicked.connect(self.ask_to_forget)
        self.resize(760, 560)

    # -- finding ---------------------------------------------------------------------------------
    def find(self) -> None:
        """Look the typed pupil up off the GUI thread: their records, or the pupils who fit."""
        name = self.name.text()
        store, journals = self._store, self._journals
        self._clear()

        def look_up() -> PupilRecords | SeveralPupilsMatch:
            try:
                pupil = find_pupil(store, journals, name)
            except SeveralPupilsMatch as several:
                return several
            return pupil_records(store, journals, pupil)

        run_task(
            self,
            self._runner,
            look_up,
            blocking=True,
            doing="looking for the pupil's records",
            busy=self.busy,
            messages=self.messages,
            success=self._found,
        )

    def _found(self, found: PupilRecords | SeveralPupilsMatch) -> None:
        if isinstance(found, SeveralPupilsMatch):
            self.choices.clear()
            for candidate in found.candidates:
                item = QListWidgetItem(one_line(candidate.describe()))
                item.setData(Qt.ItemDataRole.UserRole, candidate)
                self.choices.addItem(item)
            self.choices_label.show()
            self.choices.show()
            self.choices.setCurrentRow(0)
            self.choices.setFocus()
            self.messages.show_message("warn", f"{len(found.candidates)} pupils fit: choose one from the list (Enter).")
            return
        self._show(found)

    def _chosen(self, item: QListWidgetItem) -> None:
        candidate: Candidate = item.data(Qt.ItemDataRole.UserRole)
        store, journals = self._store, self._journals
        run_task(
            self,
            self._runner,
            lambda: pupil_records(store, journals, candidate),
            blocking=True,
            doing="reading the pupil's records",
            busy=self.busy,
            messages=self.messages,
            success=self._show,
        )

    def _show(self, records: PupilRecords) -> None:
        self.records = records
        self.choices_label.hide()
        self.choices.hide()
        self.messages.clear()
        self.text.setPlainText("\n".join(records.lines()))
        self.forget_button.setEnabled(True)

    def _clear(self) -> None:
        self.records = None
        self.choices.clear()
        self.choices_label.hide()
        self.choices.hide()
        self.text.clear()
        self.messages.clear()
        self.forget_button.setEnabled(False)

    # -- erasing ---------------------------------------------------------------------------------
    def ask_to_forget(self) -> None:
        records = self.records
        if records is None:
            return
        entries = len(records.candidate.entries)
        both = f"all {entries} register entries with this name, initial and class" if entries > 1 else "the register entry"
        confirm(
            self,
            title="Erase this pupil's data",
            text="Erase everything zoomhost holds about the pupil shown?",
            details=(
                f"This erases {both} and the pupil's names in {len(records.sessions)} kept session(s) on this "
                "computer; the sessions keep a reference instead. It cannot be undone. Summaries and reports "
                "saved elsewhere are not touched."
            ),
            action="Erase",
            on_confirm=lambda: self._forget(records),
            destructive=True,
        )

    def _forget(self, records: PupilRecords) -> None:
        store, journals = self._store, self._journals
        every = len(records.candidate.entries) > 1  # the teacher was told all of them go

        def done(erasure: Erasure) -> None:
            self.records = None
            self.forget_button.setEnabled(False)
            self.text.setPlainText("\n".join(erasure.lines()))
            kind = "warn" if erasure.problems else "pass"
            self.messages.show_message(
                kind, f"Erased under reference {erasure.reference}: write it in the school's record of the request."
            )
            self.erased.emit(erasure)

        run_task(
            self,
            self._runner,
            lambda: forget_pupil(store, journals, records.candidate, all_entries=every),
            blocking=True,
            doing="erasing the pupil's records",
            busy=self.busy,
            messages=self.messages,
            success=done,
        )
