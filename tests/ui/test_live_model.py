"""The live panel's table model on its own: incremental updates, verdict roles, filters, hostile names."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QIcon
from PySide6.QtTest import QAbstractItemModelTester

from tests.ui.live_fixtures import event, new_session
from zoomhost.core.events import MAX_DISPLAY_NAME, EventKind
from zoomhost.ui.live.model import (
    NAME_LIMIT,
    ArrivalsFilter,
    ArrivalsTableModel,
    Column,
    Role,
    VERDICT_FILTERS,
)


@pytest.fixture
def model(qapp) -> ArrivalsTableModel:
    model = ArrivalsTableModel()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    return model


class Recorder:
    """Counts the model's signals: inserts, changes and (never wanted) resets."""

    def __init__(self, model: QAbstractItemModel) -> None:
        self.inserted: list[tuple[int, int]] = []
        self.changed: list[tuple[int, int]] = []
        self.resets = 0
        model.rowsInserted.connect(lambda _p, first, last: self.inserted.append((first, last)))
        model.dataChanged.connect(lambda a, b, _r=(): self.changed.append((a.row(), b.row())))
        model.modelReset.connect(self._reset)

    def _reset(self) -> None:
        self.resets += 1


def cell(model: QAbstractItemModel, row: int, column: int, role: int = Qt.ItemDataRole.DisplayRole):
    return model.data(model.index(row, column), role)


def test_272_arrivals_are_inserted_one_batch_at_a_time_without_a_reset(model: ArrivalsTableModel) -> None:
    session = new_session()
    seen = Recorder(model)
    for n in range(1, 273):
        name = f"Pupil{n:03d}" if n <= 270 else f"Visitor {n}"
        model.apply_changes(session.apply(event(EventKind.WAITING_JOINED, f"p{n}", name, seconds=n)))
    assert model.rowCount() == 272
    assert seen.resets == 0
    assert seen.inserted == [(n, n) for n in range(272)]
    assert cell(model, 0, Column.NAME) == "Pupil001"
    assert cell(model, 271, Column.VERDICT) == "Not on register"
    # A batch of many new arrivals is one insertion.
    more = []
    for n in range(273, 283):
        more += session.apply(event(EventKind.WAITING_JOINED, f"p{n}", f"Guest {n}", seconds=n))
    model.apply_changes(more)
    assert seen.inserted[-1] == (272, 281)
    assert model.rowCount() == 282


def test_a_change_repaints_only_that_row(model: ArrivalsTableModel) -> None:
    session = new_session()
    for n in range(1, 6):
        model.apply_changes(session.apply(event(EventKind.WAITING_JOINED, f"p{n}", f"Pupil{n:03d}", seconds=n)))
    seen = Recorder(model)
    model.apply_changes(session.apply(event(EventKind.ADMITTED, "p3", seconds=10)))
    assert seen.inserted == [] and seen.resets == 0
    assert seen.changed == [(2, 2)]
    assert cell(model, 2, Column.STATE) == "In the meeting"
    assert cell(model, 2, 0, Role.STATE) == "in_meeting"
    assert cell(model, 1, Column.STATE) == "Waiting room"
    model.apply_changes(session.hold("p4", actor="teacher"))
    assert cell(model, 3, Column.STATE) == "Held in waiting room"
    model.apply_changes(session.apply(event(EventKind.WAITING_LEFT, "p5", seconds=12)))
    assert cell(model, 4, Column.STATE) == "Left the waiting room"
    assert cell(model, 4, 0, Role.STATE) == "gone"


def test_each_verdict_has_words_an_icon_and_a_colour(model: ArrivalsTableModel) -> None:
    session = new_session()
    names = ["Pupil001", "Mrs Hughes", "Pupil010", "Stranger", "Pupil001", "A\u202eB"]
    for n, name in enumerate(names):
        model.apply_changes(session.apply(event(EventKind.WAITING_JOINED, f"p{n}", name, seconds=n)))
    words = [cell(model, row, Column.VERDICT) for row in range(len(names))]
    assert words == ["Consented", "Staff", "No consent", "Not on register", "Duplicate", "Suspicious name"]
    verdicts = [cell(model, row, 0, Role.VERDICT) for row in range(len(names))]
    assert verdicts == ["consented", "staff", "no_consent", "not_on_register", "duplicate", "suspicious"]
    icons = [cell(model, row, Column.VERDICT, Qt.ItemDataRole.DecorationRole) for row in range(len(names))]
    assert all(isinstance(icon, QIcon) and not icon.isNull() for icon in icons)
    images = {icon.pixmap(16, 16).toImage().bits().tobytes() for icon in icons}
    assert len(images) == len(names)  # six verdicts, six different pictures
    colours = {cell(model, row, Column.VERDICT, Qt.ItemDataRole.ForegroundRole).color().name() for row in range(len(names))}
    assert len(colours) >= 4
    assert cell(model, 0, Column.PUPIL) == "Pupil001 K. (Year 2)"
    assert cell(model, 0, Column.REASONS) == "one consented pupil matches"
    assert cell(model, 4, Column.REASONS) == "this pupil is already here"
    assert cell(model, 0, Column.TIME).count(":") == 2


def test_hostile_names_are_only_ever_text(model: ArrivalsTableModel) -> None:
    session = new_session()
    hostile = ["<b>x</b>", "Pupil001\u202e\u2066evil", "A" * 500, "line\nbreak\x07bell", "<img src=x onerror=alert(1)>"]
    for n, name in enumerate(hostile):
        model.apply_changes(session.apply(event(EventKind.WAITING_JOINED, f"h{n}", name, seconds=n)))
    assert cell(model, 0, Column.NAME) == "<b>x</b>"  # shown as typed, as plain text
    assert cell(model, 1, Column.NAME) == "Pupil001⟦RLO⟧⟦LRI⟧evil"
    long = cell(model, 2, Column.NAME)
    assert len(long) == NAME_LIMIT and long.endswith("…")
    assert cell(model, 3, Column.NAME) == "line⟦U+000A⟧break⟦U+0007⟧bell"
    # The tooltip is rich text to Qt: the markup must arrive escaped, so a label shows it literally.
    tip = cell(model, 0, Column.NAME, Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;x&lt;/b&gt;" in tip and "<b>x" not in tip
    document_text = _rendered(tip)
    assert "Name in Zoom: <b>x</b>" in document_text
    assert "<img" in _rendered(cell(model, 4, Column.NAME, Qt.ItemDataRole.ToolTipRole))
    # The tooltip has the name as kept (cut at the event boundary), whole, for the teacher who needs it.
    tip_text = _rendered(cell(model, 2, Column.NAME, Qt.ItemDataRole.ToolTipRole))
    assert "A" * MAX_DISPLAY_NAME in tip_text and "A" * (MAX_DISPLAY_NAME + 1) not in tip_text


def _rendered(rich: str) -> str:
    from PySide6.QtGui import QTextDocument

    document = QTextDocument()
    document.setHtml(rich)
    return document.toPlainText()


def test_filters_by_verdict_and_state(model: ArrivalsTableModel) -> None:
    session = new_session()
    for n, name in enumerate(["Pupil001", "Pupil002", "Pupil010", "Stranger", "Mrs Hughes"]):
        model.apply_changes(session.apply(event(EventKind.WAITING_JOINED, f"p{n}", name, seconds=n)))
    model.apply_changes(session.apply(event(EventKind.ADMITTED, "p0", seconds=10)))
    proxy = ArrivalsFilter()
    proxy.setSourceModel(model)
    QAbstractItemModelTester(proxy, QAbstractItemModelTester.FailureReportingMode.Fatal)

    def shown() -> list[str]:
        return [proxy.data(proxy.index(r, Column.NAME)) for r in range(proxy.rowCount())]

    assert len(shown()) == 5
    proxy.set_verdicts(VERDICT_FILTERS["consented"][1])
    assert shown() == ["Pupil001", "Pupil002"]
    proxy.set_states({"waiting", "held"})
    assert shown() == ["Pupil002"]
    proxy.set_verdicts(VERDICT_FILTERS["check"][1])
    proxy.set_states(None)
    assert shown() == ["Stranger"]
    # A new arrival that matches the filter appears without resetting the filter.
    model.apply_changes(session.apply(event(EventKind.WAITING_JOINED, "p9", "Someone", seconds=20)))
    assert shown() == ["Stranger", "Someone"]
    # A row whose state changes leaves a state filter on its own.
    proxy.set_verdicts(None)
    proxy.set_states({"waiting", "held"})
    assert "Pupil002" in shown()
    model.apply_changes(session.apply(event(EventKind.ADMITTED, "p1", seconds=21)))
    assert "Pupil002" not in shown()


def test_sorting_by_time_and_verdict(model: ArrivalsTableModel) -> None:
    session = new_session()
    for n, name in [(3, "Stranger"), (1, "Pupil001"), (2, "Mrs Hughes")]:
        model.apply_changes(session.apply(event(EventKind.WAITING_JOINED, f"p{n}", name, seconds=n)))
    proxy = ArrivalsFilter()
    proxy.setSourceModel(model)
    proxy.sort(Column.TIME, Qt.SortOrder.AscendingOrder)
    assert [proxy.data(proxy.index(r, Column.NAME)) for r in range(3)] == ["Pupil001", "Mrs Hughes", "Stranger"]
    proxy.sort(Column.VERDICT, Qt.SortOrder.AscendingOrder)
    assert [proxy.data(proxy.index(r, Column.VERDICT)) for r in range(3)] == ["Consented", "Staff", "Not on register"]


def test_load_shows_a_resumed_session(model: ArrivalsTableModel) -> None:
    session = new_session()
    for n in range(1, 4):
        session.apply(event(EventKind.WAITING_JOINED, f"p{n}", f"Pupil{n:03d}", seconds=n))
    model.load(session.arrivals())
    assert model.rowCount() == 3
    assert model.row_of("p2") == 1
    assert cell(model, 1, 0, Role.ARRIVAL).participant_id == "p2"
    assert model.headerData(Column.NAME, Qt.Orientation.Horizontal) == "Name in Zoom"


def test_the_assistants_own_row_goes_once_the_assistant_names_its_id(model: ArrivalsTableModel) -> None:
    session = new_session()
    model.apply_changes(session.apply(event(EventKind.JOINED, "900", "Safeguarding assistant", seconds=1)))
    model.apply_changes(session.apply(event(EventKind.WAITING_JOINED, "901", "Pupil001", seconds=2)))
    assert model.rowCount() == 2
    model.apply_changes(session.record_assistant_participant("900"))
    assert model.rowCount() == 1
    assert model.row_of("900") is None and model.row_of("901") == 0
    assert cell(model, 0, Column.NAME) == "Pupil001"


def test_the_panel_puts_who_needs_the_teacher_first_newest_first(model: ArrivalsTableModel) -> None:
    session = new_session()
    for n, name in enumerate(["Pupil001", "Stranger", "Pupil002", "Galaxy A52", "Pupil010"]):
        model.apply_changes(session.apply(event(EventKind.WAITING_JOINED, f"p{n}", name, seconds=n)))
    model.apply_changes(session.apply(event(EventKind.ADMITTED, "p4", seconds=10)))  # newest, but already in
    proxy = ArrivalsFilter(needs_first=True)
    proxy.setSourceModel(model)
    proxy.sort(Column.TIME, Qt.SortOrder.DescendingOrder)  # the Live panel's own order
    shown = [proxy.data(proxy.index(r, Column.NAME)) for r in range(proxy.rowCount())]
    assert shown == ["Galaxy A52", "Stranger", "Pupil002", "Pupil001", "Pupil010"]
    # Someone to check who is let in leaves the top; a new arrival to check goes above the older one.
    model.apply_changes(session.apply(event(EventKind.ADMITTED, "p3", seconds=11)))
    model.apply_changes(session.apply(event(EventKind.WAITING_JOINED, "p9", "Someone", seconds=12)))
    shown = [proxy.data(proxy.index(r, Column.NAME)) for r in range(proxy.rowCount())]
    assert shown[:2] == ["Someone", "Stranger"] and shown.index("Galaxy A52") > shown.index("Pupil001")


def test_oldest_first_still_puts_who_needs_the_teacher_first_and_other_columns_sort_plainly(model: ArrivalsTableModel) -> None:
    session = new_session()
    for n, name in enumerate(["Pupil001", "Stranger", "Pupil002", "Galaxy A52", "Pupil010"]):
        model.apply_changes(session.apply(event(EventKind.WAITING_JOINED, f"p{n}", name, seconds=n)))
    model.apply_changes(session.apply(event(EventKind.ADMITTED, "p0", seconds=10)))  # the oldest, already in
    proxy = ArrivalsFilter(needs_first=True)
    proxy.setSourceModel(model)
    QAbstractItemModelTester(proxy, QAbstractItemModelTester.FailureReportingMode.Fatal)

    def shown() -> list[str]:
        return [proxy.data(proxy.index(r, Column.NAME)) for r in range(proxy.rowCount())]

    proxy.sort(Column.TIME, Qt.SortOrder.AscendingOrder)  # the teacher clicked "Arrived": oldest first
    assert shown() == ["Stranger", "Galaxy A52", "Pupil002", "Pupil010", "Pupil001"]
    proxy.sort(Column.NAME, Qt.SortOrder.AscendingOrder)  # by name: no groups, just the names
    assert shown() == ["Galaxy A52", "Pupil001", "Pupil002", "Pupil010", "Stranger"]
    proxy.sort(Column.TIME, Qt.SortOrder.DescendingOrder)
    assert shown() == ["Galaxy A52", "Stranger", "Pupil010", "Pupil002", "Pupil001"]
    # A late arrival to check goes to the top at once, by itself.
    model.apply_changes(session.apply(event(EventKind.WAITING_JOINED, "p9", "Someone", seconds=20)))
    assert shown()[0] == "Someone"


def test_cells_can_be_selected_but_never_edited(model: ArrivalsTableModel) -> None:
    """A cell that says it is editable is announced so by a screen reader, and could be typed over."""
    session = new_session()
    model.apply_changes(session.apply(event(EventKind.WAITING_JOINED, "p1", "Pupil001", seconds=1)))
    model.apply_changes(session.apply(event(EventKind.ADMITTED, "p1", seconds=2)))  # written again in place
    for column in Column:
        flags = model.flags(model.index(0, column))
        assert flags & Qt.ItemFlag.ItemIsSelectable and flags & Qt.ItemFlag.ItemIsEnabled
        assert not flags & Qt.ItemFlag.ItemIsEditable
