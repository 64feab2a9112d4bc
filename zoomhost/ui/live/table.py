"""The Live panel's table of everyone who arrived, with the verdict filters and the "Show" choice above it.

Each row is one participant with the register's verdict in words, an icon and a colour (see
``model.py``); the verdict buttons (Alt+1…5) and the Show list narrow it to what the teacher is
looking for, and one selected row is whom Admit, Hold and Remove act on. Rows that need the
teacher come first (waiting and to check, then waiting), newest first within each. The table is
one stop for Tab (the arrow keys move inside it); a narrow window shows the essential columns
(among them who Zoom says each arrival is) and a wider one adds who the name matched and why.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from zoomhost.core.session import Arrival
from zoomhost.ui.live.model import (
    PUPIL_FILTERS,
    STATE_FILTERS,
    VERDICT_FILTERS,
    ArrivalsFilter,
    ArrivalsTableModel,
    Column,
    Role,
)
from zoomhost.ui.text import plain_label
from zoomhost.ui.widgets import FlowLayout, action_button

#: The columns a table this wide (in pixels) has room for; narrower, only the essentials.
COLUMN_WIDTHS = {Column.PUPIL: 640, Column.REASONS: 860}
#: Who Zoom says each arrival is, in ems: an essential column, narrower beside Zoom (its tooltip has it all).
EVIDENCE_EMS = {False: 14, True: 9}
DEFAULT_SORT = (Column.TIME, Qt.SortOrder.DescendingOrder)  # newest first, within what needs the teacher first


class ArrivalsTable(QWidget):
    """The waiting room and the meeting as a filtered, sortable table; one row may be selected."""

    selection_changed = Signal()

    def __init__(self, model: ArrivalsTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.proxy = ArrivalsFilter(self, needs_first=True)
        self.proxy.setSourceModel(model)
        self.proxy.set_states(STATE_FILTERS["present"][1])
        self._staff_only = False  # a meeting of staff only: no pupils' verdict filters
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._filter_row())
        layout.addWidget(self._view(), 1)

    def _filter_row(self) -> FlowLayout:
        row = FlowLayout()  # wraps beside Zoom
        self.verdict_label = plain_label("Verdict:", self)
        row.addWidget(self.verdict_label)
        # Not a Qt button group: a group is one Tab stop whose other buttons only the arrow keys
        # reach. Each button is a Tab stop of its own; set_verdict_filter keeps exactly one checked.
        self.filter_buttons: dict[str, QPushButton] = {}
        for n, (key, (words, _)) in enumerate(VERDICT_FILTERS.items(), start=1):
            button = action_button(
                words, accessible=f"Show {words.lower()}", tooltip=f"Show only this verdict (Alt+{n})", parent=self
            )
            button.setCheckable(True)
            button.setChecked(key == "all")
            self.filter_buttons[key] = button
            button.clicked.connect(lambda _=False, k=key: self.set_verdict_filter(k))
            QShortcut(QKeySequence(f"Alt+{n}"), self, activated=button.click)
            row.addWidget(button)
        where = plain_label("Sho&w:", self)
        self.state_filter = QComboBox(self)
        self.state_filter.setAccessibleName("Show who")
        for key, (words, _) in STATE_FILTERS.items():
            self.state_filter.addItem(words, key)
        where.setBuddy(self.state_filter)
        self.state_filter.currentIndexChanged.connect(
            lambda _: self.proxy.set_states(STATE_FILTERS[self.state_filter.currentData()][1])
        )
        shown = QWidget(self)  # the label stays with its list when the row wraps
        pair = QHBoxLayout(shown)
        pair.setContentsMargins(12, 0, 0, 0)
        pair.addWidget(where)
        pair.addWidget(self.state_filter)
        row.addWidget(shown)
        return row

    def _view(self) -> QTableView:
        self.view = QTableView(self)
        self.view.setModel(self.proxy)
        self.view.setAccessibleName("Waiting room and meeting")
        self.view.setAccessibleDescription("Everyone who arrived, with the register's verdict; select a row to admit, hold or remove")
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.setTabKeyNavigation(False)  # Tab leaves the table; the arrow keys move inside it
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(*DEFAULT_SORT)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        em = self.fontMetrics().horizontalAdvance("M")
        # The time in full ("17:01:42", never "17:01:…"): its digits plus the cell's margins and the sort arrow.
        header.resizeSection(Column.TIME, self.fontMetrics().horizontalAdvance("88:88:88") + 2 * em)
        for column, width in ((Column.NAME, 11), (Column.VERDICT, 13), (Column.EVIDENCE, EVIDENCE_EMS[False]), (Column.PUPIL, 13), (Column.STATE, 11)):
            header.resizeSection(column, width * em)
        self._compact = False
        self._chosen: str | None = None  # whom the teacher selected; Qt never moves that to someone else
        self._rows_going = False
        self.view.selectionModel().selectionChanged.connect(self._selection_moved)
        self.proxy.rowsAboutToBeRemoved.connect(self._rows_leaving)
        self.proxy.rowsRemoved.connect(self._rows_left)
        return self.view

    def _selection_moved(self, *_: object) -> None:
        if not self._rows_going:
            person = self.selected()
            self._chosen = person.participant_id if person is not None else None
        self.selection_changed.emit()

    def _rows_leaving(self, *_: object) -> None:
        self._rows_going = True

    def _rows_left(self, *_: object) -> None:
        """The selected person's row left the view (removed, gone, filtered out): nobody is selected then,
        rather than the next child in the list, whom a second Remove would hit."""
        self._rows_going = False
        person = self.selected()
        if self._chosen is not None and (person is None or person.participant_id != self._chosen):
            self._chosen = None
            self.view.selectionModel().clear()
            self.selection_changed.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's signature
        super().resizeEvent(event)
        self.show_columns_for(event.size().width())

    def show_columns_for(self, width: int) -> None:
        """The columns this width has room for: who the name matched and why only in a wider window."""
        for column, needs in COLUMN_WIDTHS.items():
            hidden = width < needs
            if self.view.isColumnHidden(column) != hidden:
                self.view.setColumnHidden(column, hidden)
        self.verdict_label.setVisible(width >= COLUMN_WIDTHS[Column.PUPIL])
        compact = width < COLUMN_WIDTHS[Column.PUPIL]
        if compact != self._compact:  # only as the layout changes: a column the teacher widened stays so
            self._compact = compact
            em = self.fontMetrics().horizontalAdvance("M")
            self.view.horizontalHeader().resizeSection(Column.EVIDENCE, EVIDENCE_EMS[compact] * em)

    def reset(self) -> None:
        """A new session: every filter as it opens, no selection, the default order."""
        self.set_verdict_filter("all")
        self.state_filter.setCurrentIndex(self.state_filter.findData("present"))
        self.view.selectionModel().clear()
        self._chosen = None
        self.view.sortByColumn(*DEFAULT_SORT)

    def selected(self) -> Arrival | None:
        """The participant selected in the table, as the model has them now."""
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return rows[0].data(Role.ARRIVAL)

    def select_participant(self, participant_id: str) -> None:
        """Select (and scroll to) a participant's row, widening the filters if they are hidden."""
        row = self.model.row_of(participant_id)
        if row is None:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            self.filter_buttons["all"].click()
            self.state_filter.setCurrentIndex(self.state_filter.findData("everyone"))
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.view.selectionModel().select(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.view.scrollTo(index)

    def set_staff_only(self, staff_only: bool) -> None:
        """A meeting of staff only: the pupils' verdict filters are not offered (nobody there is given those
        verdicts), nor reached by Tab or their Alt key."""
        if staff_only == self._staff_only:
            return
        self._staff_only = staff_only
        for key in PUPIL_FILTERS:
            button = self.filter_buttons[key]
            button.setHidden(staff_only)
            button.setEnabled(not staff_only)
        if staff_only and any(self.filter_buttons[key].isChecked() for key in PUPIL_FILTERS):
            self.set_verdict_filter("all")

    def set_verdict_filter(self, key: str) -> None:
        for other, button in self.filter_buttons.items():
            button.setChecked(other == key)
        self.proxy.set_verdicts(VERDICT_FILTERS[key][1])
