"""The Register page's lists that both the page and the import preview show: the consent per class, and how
a register's table looks (rows selected whole, never edited, one Tab stop)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

from zoomhost.ui.table_model import RowsTableModel


def table_view(model: QAbstractTableModel, name: str, parent: QWidget) -> QTableView:
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
