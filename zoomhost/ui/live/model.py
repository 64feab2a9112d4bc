"""The Live panel's waiting-room list as a Qt item model: one row per participant, updated change by change.

The live session hands over batches of ``SessionChange``; the model inserts new arrivals at the
end with ``beginInsertRows`` and repaints only the rows that changed with ``dataChanged``, so a
272-pupil assembly never resets the view. Display names are typed by strangers: they are shown
as plain text only (never rich text; the tooltip, which Qt may read as rich text, is escaped),
their hidden characters written out by ``zoomhost.core.names.visible_name`` (as everywhere else
a name is shown; the register's words and the reasons quoting a name too), and long names
shortened (the rule in ``ui/text.py``). Each verdict comes with text, an icon and a colour, and
with what it rests on (the family's own link, a sign-in, or the typed name only) and whether
Admit all would admit it. The counts and who Admit all consented would admit are the engine's to
say (``LiveState``), not worked out again here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import re

from PySide6.QtCore import QRegularExpression, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel

from zoomhost.core.models import Evidence, Verdict
from zoomhost.core.names import visible_name
from zoomhost.core.profiles import checked_against
from zoomhost.core.journal import JournalKind
from zoomhost.core.session import Arrival, ParticipantState, SessionChange, SessionNote
from zoomhost.ui.text import tooltip
from zoomhost.ui.widgets import verdict_icon

NAME_LIMIT = 60  # characters shown in the cell; the tooltip has the whole (visible) name

_RANKS = 3  # need_rank's largest
_VERDICT_ORDER = {verdict: n for n, verdict in enumerate(Verdict)}  # the Verdict column sorts in the enum's order
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_GROUP_SPAN = 1e11  # seconds: wider than any arrival time, so a group's keys never reach the next group's


class Column(IntEnum):
    TIME = 0
    NAME = 1
    VERDICT = 2
    EVIDENCE = 3
    PUPIL = 4
    STATE = 5
    REASONS = 6


HEADERS = {
    Column.TIME: "Arrived",
    Column.NAME: "Name in Zoom",
    Column.VERDICT: "Verdict",
    Column.EVIDENCE: "Who Zoom says",
    Column.PUPIL: "Matched pupil / staff",
    Column.STATE: "Where",
    Column.REASONS: "Why",
}
#: At a meeting of staff only nobody is matched to a pupil: the headers that differ there.
_STAFF_MEETING_HEADERS = {Column.PUPIL: "Matched staff"}


def header_words(column: Column, *, staff_only: bool = False) -> str:
    """A column's header as the teacher reads it (``staff_only``: a meeting of staff only)."""
    return _STAFF_MEETING_HEADERS.get(column, HEADERS[column]) if staff_only else HEADERS[column]


class Role(IntEnum):
    """Custom data roles, the same on every column of a row."""

    ARRIVAL = Qt.ItemDataRole.UserRole + 1  # the Arrival value itself
    PARTICIPANT_ID = Qt.ItemDataRole.UserRole + 2
    VERDICT = Qt.ItemDataRole.UserRole + 3  # Verdict value, e.g. "consented"
    STATE = Qt.ItemDataRole.UserRole + 4  # a STATE_WORDS key: waiting, held, in_meeting, gone
    SORT = Qt.ItemDataRole.UserRole + 5  # what the column sorts by
    SORT_NEEDS_UP = Qt.ItemDataRole.UserRole + 6  # time column: rows that need the teacher first, sorted ascending
    SORT_NEEDS_DOWN = Qt.ItemDataRole.UserRole + 7  # time column: rows that need the teacher first, sorted descending
    FILTER = Qt.ItemDataRole.UserRole + 8  # time column: "verdict state", what the filter matches


VERDICT_WORDS: dict[Verdict, str] = {
    Verdict.CONSENTED: "Consented",
    Verdict.STAFF: "Staff",
    Verdict.NO_CONSENT: "No consent",
    Verdict.NOT_ON_REGISTER: "Not on register",
    Verdict.AMBIGUOUS: "Unclear who",
    Verdict.DUPLICATE: "Duplicate",
    Verdict.SUSPICIOUS: "Suspicious name",
}

#: At a meeting of staff only nobody is judged against the pupil register: what differs in the words there.
_STAFF_MEETING_WORDS: dict[Verdict, str] = {Verdict.NOT_ON_REGISTER: "Not on staff list"}

#: Verdicts only a pupil is given: never at a meeting of staff only, so the panel does not offer them there.
PUPIL_VERDICTS = frozenset({Verdict.CONSENTED, Verdict.NO_CONSENT})


def verdict_words(verdict: Verdict, *, staff_only: bool = False) -> str:
    """What the teacher reads for a verdict, wherever the Live panel names one (``staff_only``: a meeting of
    staff only, judged against the staff list)."""
    if staff_only and verdict in _STAFF_MEETING_WORDS:
        return _STAFF_MEETING_WORDS[verdict]
    return VERDICT_WORDS.get(verdict, verdict.value)


#: Text colours with enough contrast on a white row; the icon and the words carry the meaning too.
VERDICT_COLOURS: dict[Verdict, str] = {
    Verdict.CONSENTED: "#1b7f3b",
    Verdict.STAFF: "#1f5fa8",
    Verdict.NO_CONSENT: "#b00020",
    Verdict.NOT_ON_REGISTER: "#8a5300",
    Verdict.AMBIGUOUS: "#8a5300",
    Verdict.DUPLICATE: "#6a3d9a",
    Verdict.SUSPICIOUS: "#b00020",
}

STATE_WORDS = {
    "waiting": "Waiting room",
    "held": "Held in waiting room",
    "in_meeting": "In the meeting",
    "gone": "Gone",
}

_GONE_WORDS = {
    ParticipantState.LEFT_WAITING_ROOM: "Left the waiting room",
    ParticipantState.LEFT: "Left the meeting",
    ParticipantState.REMOVED: "Removed",
}

def shown_name(text: str, *, limit: int = NAME_LIMIT) -> str:
    """The display name as the cell shows it: hidden characters made visible, at most ``limit`` characters."""
    visible = visible_name(text)
    if len(visible) <= limit:
        return visible
    return visible[: limit - 1] + "…"


def state_key(arrival: Arrival) -> str:
    if arrival.state is ParticipantState.WAITING:
        return "held" if arrival.held else "waiting"
    if arrival.state is ParticipantState.IN_MEETING:
        return "in_meeting"
    return "gone"


def state_text(arrival: Arrival) -> str:
    key = state_key(arrival)
    words = _GONE_WORDS.get(arrival.state, STATE_WORDS[key])
    if arrival.after_lock and arrival.state is ParticipantState.WAITING:
        words += " (arrived after the lock)"
    return words


def evidence_text(arrival: Arrival) -> str:
    """What the verdict rests on, and whether Admit all and the autopilot would admit it."""
    if arrival.evidence is Evidence.LINK:
        words = f"Own link ({arrival.link_label})" if arrival.link_label else "Own link"
    elif arrival.evidence is Evidence.SIGNED_IN:
        who = arrival.identity.email
        words = f"Signed in ({visible_name(who)})" if who else "Signed in"
    else:
        words = "Typed name only"
    if arrival.verdict.admissible and not arrival.admit:
        words += " – waits for your click"
    return words


def matched_text(arrival: Arrival) -> str:
    """The pupil (first name, initial, class) or the staff member the name matched; empty if none."""
    if arrival.verdict is Verdict.STAFF and arrival.staff_name:
        return visible_name(f"{arrival.staff_name} (staff)")
    return visible_name(arrival.pupil_label or "")


@dataclass(frozen=True, slots=True)
class _Row:
    """One row's cell texts, worked out once per change rather than at every paint."""

    arrival: Arrival
    cells: tuple[str, ...]
    state: str
    sort: tuple[Any, ...]  # each column's sort key (Role.SORT)
    rank: int  # need_rank: how soon the row needs the teacher
    tooltip: str  # every cell's tooltip: the whole row, escaped

    @classmethod
    def of(cls, arrival: Arrival, *, staff_only: bool = False) -> _Row:
        verdict = verdict_words(arrival.verdict, staff_only=staff_only)
        reasons = "; ".join(visible_name(reason) for reason in arrival.reasons)  # a reason may quote the name
        cells = (
            arrival.arrived_at.astimezone().strftime("%H:%M:%S"),
            shown_name(arrival.display_name),
            verdict,
            evidence_text(arrival),
            matched_text(arrival),
            state_text(arrival),
            reasons,
        )
        state = state_key(arrival)
        # each column's sort key, in Column's order: the time, the name, the verdict's place, then the texts
        sort = (
            arrival.arrived_at.timestamp(),
            cells[Column.NAME].casefold(),
            _VERDICT_ORDER[arrival.verdict],
            *(c.casefold() for c in cells[Column.EVIDENCE :]),
        )
        rank = need_rank(arrival.verdict.value, state)
        tip = _row_tooltip(arrival, cells, staff_only=staff_only)
        return cls(arrival=arrival, cells=cells, state=state, sort=sort, rank=rank, tooltip=tip)

    def needs_sort(self, *, descending: bool) -> Any:
        """The time column's sort key with the rows that need the teacher first, in either order: the groups
        keep their order (waiting and to check first) whichever way time runs."""
        group = (_RANKS - self.rank) if descending else self.rank  # Qt shows a descending sort's largest keys first
        return group * _GROUP_SPAN + self.sort[Column.TIME]



def _row_tooltip(arrival: Arrival, cells: tuple[str, ...], *, staff_only: bool) -> str:
    # Tooltips are rich text when they look like it: escaped, so a name is only ever text.
    return tooltip(
        f"Name in Zoom: {visible_name(arrival.display_name)}",
        f"Verdict: {cells[Column.VERDICT]}",
        f"Who Zoom says: {cells[Column.EVIDENCE]}",
        f"Admit all and the autopilot: {'admit' if arrival.admit else 'leave to you'}",
        f"Matched: {cells[Column.PUPIL] or 'nobody on ' + checked_against(staff_only=staff_only)}",
        f"Where: {cells[Column.STATE]}",
        f"Why: {cells[Column.REASONS] or '—'}",
    )


class ArrivalsTableModel(QStandardItemModel):
    """Every participant of the live session, in order of first arrival.

    The cells live in Qt's own item store, worked out once per change: painting the table,
    filtering it and sorting it never call back into Python, so a burst of arrivals being
    journaled on the I/O thread cannot hold up a repaint waiting for the interpreter.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(0, len(Column), parent)
        self._rows: list[_Row] = []
        self._items: list[list[QStandardItem]] = []  # each row's cells, as Qt keeps them
        self._where: dict[str, int] = {}  # participant id -> row
        self._root = self.invisibleRootItem()
        self._staff_only = False  # a meeting of staff only: verdicts in its words
        self._flags_by_data = _flags_through_data()
        self._colours = {verdict: QBrush(QColor(colour)) for verdict, colour in VERDICT_COLOURS.items()}
        self._set_headers()

    def _set_headers(self) -> None:
        for column in Column:
            words = header_words(column, staff_only=self._staff_only)
            self.setHeaderData(column, Qt.Orientation.Horizontal, words, Qt.ItemDataRole.DisplayRole)
            self.setHeaderData(column, Qt.Orientation.Horizontal, words, Qt.ItemDataRole.AccessibleTextRole)

    # -- feeding ---------------------------------------------------------------------------------

    @property
    def staff_only(self) -> bool:
        return self._staff_only

    def set_staff_only(self, staff_only: bool) -> None:
        """The session is a meeting of staff only (or not): every row's words follow."""
        if staff_only == self._staff_only:
            return
        self._staff_only = staff_only
        self._set_headers()
        if not self._rows:
            return
        blocked = self.blockSignals(True)
        try:
            for n, before in enumerate(self._rows):
                self._rows[n] = _Row.of(before.arrival, staff_only=staff_only)
                self._fill(n, self._rows[n], before)
        finally:
            self.blockSignals(blocked)
        self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(Column) - 1))

    def load(self, arrivals: Iterable[Arrival]) -> None:
        """Show a whole session at once (opening or resuming one): the only full reset."""
        rows = [_Row.of(arrival, staff_only=self._staff_only) for arrival in arrivals]
        self.beginResetModel()
        blocked = self.blockSignals(True)
        try:
            self._root.removeRows(0, self.rowCount())
            self._rows, self._items = rows, []
            self._where = {row.arrival.participant_id: n for n, row in enumerate(rows)}
            if rows:
                self._root.insertRows(0, len(rows))
                for n, row in enumerate(rows):
                    self._fill(n, row, None)
        finally:
            self.blockSignals(blocked)
        self.endResetModel()

    def apply_changes(self, changes: Sequence[SessionChange | Arrival]) -> None:
        """Take in one batch of session changes (or rows): new rows inserted, changed rows repainted."""
        latest: dict[str, Arrival] = {}
        for change in changes:
            row = change if isinstance(change, Arrival) else change.participant
            if row is not None:
                latest[row.participant_id] = row
            elif _names_the_assistant(change):
                # The assistant said which participant is itself: its row (shown while only its
                # name was known) goes, as the session has already taken it out.
                pid = change.entry.participant_id  # type: ignore[union-attr]
                latest.pop(pid, None)
                self.remove_participant(pid)
        if latest:
            self.apply_arrivals(latest.values())

    @staticmethod
    def assistant_participants(changes: Sequence[SessionChange | Arrival]) -> list[str]:
        """The participant ids a batch names as the host assistant itself."""
        return [
            change.entry.participant_id  # type: ignore[union-attr]
            for change in changes
            if not isinstance(change, Arrival) and _names_the_assistant(change) and change.entry.participant_id
        ]

    def remove_participant(self, participant_id: str) -> None:
        row = self._where.pop(participant_id, None)
        if row is None:
            return
        self._root.removeRow(row)  # the row is still readable while the view and the filter let it go
        del self._rows[row]
        del self._items[row]
        self._where = {r.arrival.participant_id: n for n, r in enumerate(self._rows)}

    def apply_arrivals(self, arrivals: Iterable[Arrival]) -> None:
        """New rows in one insertion, changed rows in one ``dataChanged`` per run of neighbours.

        The cells are written with the model's signals held and announced once, so the filter
        and the view take a whole batch in one pass rather than a signal per cell."""
        new: list[_Row] = []
        changed: list[int] = []
        before: dict[int, _Row] = {}  # a changed row as its items hold it now: only what differs is written
        for arrival in arrivals:
            pid = arrival.participant_id
            if pid in self._where:
                row = self._where[pid]
                before.setdefault(row, self._rows[row])
                self._rows[row] = _Row.of(arrival, staff_only=self._staff_only)
                changed.append(row)
            else:
                self._where[pid] = len(self._rows) + len(new)
                new.append(_Row.of(arrival, staff_only=self._staff_only))
        runs = list(_runs(sorted(set(changed))))
        if new:
            first = len(self._rows)
            self._rows.extend(new)
            self._root.insertRows(first, len(new))  # empty rows: no verdict, so the filter shows none of them yet
            runs.append((first, first + len(new) - 1))
        if not runs:
            return
        blocked = self.blockSignals(True)
        try:
            for start, end in runs:
                for n in range(start, end + 1):
                    self._fill(n, self._rows[n], before.get(n))
        finally:
            self.blockSignals(blocked)
        for start, end in runs:
            self.dataChanged.emit(self.index(start, 0), self.index(end, len(Column) - 1))

    def _fill(self, n: int, row: _Row, before: _Row | None) -> None:
        """Write one row's cells and roles into its items (signals are the caller's to send); with ``before``,
        the row as its items hold it, only what differs (a late copy of an arrival changes a cell or two).

        The row's items are made here and kept, and written through the items themselves: unlike
        the model's own setters, an item's setters keep the interpreter, so a batch of rows is
        written without waiting once per cell for the I/O thread to give it back. What is about the
        whole row (the arrival, its id, verdict and state, the filter's and the grouped sort's keys)
        is kept on the first cell, where the filter, the selection and the panel read it."""
        arrival = row.arrival
        if n < len(self._items):
            items = self._items[n]
        else:
            items = [QStandardItem() for _ in Column]
            for column, item in enumerate(items):
                if self._flags_by_data:
                    item.setData(_FLAGS.value, _FLAGS_ROLE)  # enabled and selectable, never editable
                else:
                    item.setFlags(_FLAGS)
                self._root.setChild(n, column, item)
            self._items.append(items)
            before = None  # new items hold nothing yet
        first = items[Column.TIME]
        first.setData(arrival, Role.ARRIVAL)
        verdict_moved = before is None or before.arrival.verdict is not arrival.verdict
        if before is None:
            first.setData(arrival.participant_id, Role.PARTICIPANT_ID)
        if verdict_moved:
            first.setData(arrival.verdict.value, Role.VERDICT)
            items[Column.VERDICT].setData(verdict_icon(arrival.verdict.value), Qt.ItemDataRole.DecorationRole)
            items[Column.VERDICT].setData(self._colours.get(arrival.verdict), Qt.ItemDataRole.ForegroundRole)
        if before is None or before.state != row.state:
            first.setData(row.state, Role.STATE)
        if verdict_moved or before.state != row.state:  # type: ignore[union-attr]
            first.setData(f"{arrival.verdict.value} {row.state}", Role.FILTER)
        if before is None or before.rank != row.rank or before.sort[Column.TIME] != row.sort[Column.TIME]:
            first.setData(row.needs_sort(descending=False), Role.SORT_NEEDS_UP)
            first.setData(row.needs_sort(descending=True), Role.SORT_NEEDS_DOWN)
        tip = row.tooltip if before is None or before.tooltip != row.tooltip else None
        for column, item in enumerate(items):
            # Screen readers read the shown text when there is no AccessibleTextRole of its own.
            if before is None or before.cells[column] != row.cells[column]:
                item.setData(row.cells[column], Qt.ItemDataRole.DisplayRole)
            if before is None or before.sort[column] != row.sort[column]:
                item.setData(row.sort[column], Role.SORT)
            if tip is not None:
                item.setData(tip, Qt.ItemDataRole.ToolTipRole)

    # -- reading ---------------------------------------------------------------------------------

    def arrival(self, row: int) -> Arrival:
        return self._rows[row].arrival

    def row_of(self, participant_id: str) -> int | None:
        return self._where.get(participant_id)

    def arrivals(self) -> list[Arrival]:
        return [row.arrival for row in self._rows]


#: Where Qt's items keep their flags (``QStandardItem::setFlags`` writes this role): set through ``setData``,
#: which keeps the interpreter, where ``setFlags`` hands it over. Checked once, else ``setFlags``.
_FLAGS_ROLE = Qt.ItemDataRole.UserRole - 1


def _flags_through_data() -> bool:
    probe = QStandardItem()
    probe.setData(_FLAGS.value, _FLAGS_ROLE)
    return probe.flags() == _FLAGS


def _names_the_assistant(change: SessionChange | Arrival) -> bool:
    if isinstance(change, Arrival):
        return False
    entry = change.entry
    return (
        entry.kind is JournalKind.NOTE
        and entry.detail.get("note") == SessionNote.ASSISTANT.value
        and bool(entry.participant_id)
    )


def _runs(rows: list[int]) -> Iterable[tuple[int, int]]:
    """Consecutive row numbers grouped, so one dataChanged covers each run."""
    start = end = None
    for row in rows:
        if start is None:
            start = end = row
        elif row == end + 1:  # type: ignore[operator]
            end = row
        else:
            yield start, end  # type: ignore[misc]
            start = end = row
    if start is not None:
        yield start, end  # type: ignore[misc]


#: The verdict filters the panel offers: a button's words and the verdicts it shows.
VERDICT_FILTERS: dict[str, tuple[str, frozenset[str] | None]] = {
    "all": ("All", None),
    "consented": (verdict_words(Verdict.CONSENTED), frozenset({Verdict.CONSENTED.value})),
    "staff": (verdict_words(Verdict.STAFF), frozenset({Verdict.STAFF.value})),
    "no_consent": (verdict_words(Verdict.NO_CONSENT), frozenset({Verdict.NO_CONSENT.value})),
    "check": (
        "To check",
        frozenset(
            {Verdict.NOT_ON_REGISTER.value, Verdict.AMBIGUOUS.value, Verdict.DUPLICATE.value, Verdict.SUSPICIOUS.value}
        ),
    ),
}

#: The state filters: where the participant is now.
STATE_FILTERS: dict[str, tuple[str, frozenset[str] | None]] = {
    "present": ("Waiting or in", frozenset({"waiting", "held", "in_meeting"})),
    "waiting": ("Waiting room", frozenset({"waiting", "held"})),
    "in_meeting": ("In the meeting", frozenset({"in_meeting"})),
    "everyone": ("Everyone, gone too", None),
}


_TO_CHECK = VERDICT_FILTERS["check"][1] or frozenset()
#: The verdict filters that show only pupils' verdicts: not offered at a meeting of staff only.
PUPIL_FILTERS = frozenset(
    key for key, (_, verdicts) in VERDICT_FILTERS.items() if verdicts and verdicts <= {v.value for v in PUPIL_VERDICTS}
)


def need_rank(verdict: str, state: str) -> int:
    """How soon a row needs the teacher: 0 waiting and to check, 1 waiting, 2 in the meeting, 3 gone."""
    if state in ("waiting", "held"):
        return 0 if verdict in _TO_CHECK else 1
    return 2 if state == "in_meeting" else 3


class ArrivalsFilter(QSortFilterProxyModel):
    """Shows only the rows whose verdict and state the teacher picked; sorts by each column's sort key.

    With ``needs_first`` on, sorting by arrival time puts the rows that need the teacher first
    (waiting and to check, then the rest waiting, then in the meeting, then gone), each group in
    the chosen time order: newest first when sorted descending, the panel's default.

    Filtering and sorting are Qt's own, on keys the model keeps with each row (``Role.FILTER``,
    ``Role.SORT``): a new or changed row is placed by itself, never by filtering the whole table again,
    and without a call back into Python per row or per comparison."""

    def __init__(self, parent: Any = None, *, needs_first: bool = False) -> None:
        super().__init__(parent)
        self._verdicts: frozenset[str] | None = None
        self._states: frozenset[str] | None = None
        self.needs_first = needs_first
        self.setSortRole(Role.SORT)
        self.setFilterRole(Role.FILTER)
        self.setFilterKeyColumn(Column.TIME)
        self.setDynamicSortFilter(True)
        self._match()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column``; with ``needs_first``, by the key that keeps the groups in order for ``order``."""
        if self.needs_first and column == Column.TIME:
            role = Role.SORT_NEEDS_DOWN if order == Qt.SortOrder.DescendingOrder else Role.SORT_NEEDS_UP
        else:
            role = Role.SORT
        if self.sortRole() != role:
            self.setSortRole(role)
        super().sort(column, order)

    @property
    def verdicts(self) -> frozenset[str] | None:
        return self._verdicts

    @property
    def states(self) -> frozenset[str] | None:
        return self._states

    def set_verdicts(self, verdicts: Iterable[str] | None) -> None:
        """Show these verdicts only (Verdict values); None shows all."""
        self._verdicts = None if verdicts is None else frozenset(str(v) for v in verdicts)
        self._match()

    def set_states(self, states: Iterable[str] | None) -> None:
        """Show these states only (waiting, held, in_meeting, gone); None shows all."""
        self._states = None if states is None else frozenset(states)
        self._match()

    def _match(self) -> None:
        """The rows shown: their ``Role.FILTER`` ("verdict state") matches the verdicts and states chosen
        (a row not yet filled in has none, and is not shown)."""
        pattern = f"^{_either(self._verdicts)} {_either(self._states)}$"
        self.setFilterRegularExpression(QRegularExpression(pattern))


def _either(words: frozenset[str] | None) -> str:
    """A pattern matching exactly one of ``words`` (None: any one word)."""
    if words is None:
        return r"\S+"
    return "(?:" + "|".join(re.escape(word) for word in sorted(words)) + ")" if words else "(?!)"
