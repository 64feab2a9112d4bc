"""The main window: the teacher's day as steps down the side, one page each.

Register → Checklist → Live → Summary, plus Settings. A banner across the top says when
zoomhost is in rehearsal mode (a simulated Zoom) so nobody mistakes a practice for the
real assembly. The status bar shows the control channel (assistant / REST only / rehearsal)
and how zoomhost is connected; its words may quote Zoom, so they are plain text (``ui/text.py``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from zoomhost.ui.text import one_line, plain_label


class MainWindow(QMainWindow):
    page_changed = Signal(str)

    def __init__(self, *, rehearsal: bool, title: str = "zoomhost") -> None:
        super().__init__()
        self.setWindowTitle(title + (" — rehearsal" if rehearsal else ""))
        self.setAccessibleName("zoomhost main window")
        self._keys: list[str] = []

        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        self.banner = plain_label(parent=self, wrap=True)
        self.banner.setObjectName("rehearsalBanner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setText(
            "REHEARSAL MODE — a simulated Zoom. Nothing here reaches a real meeting. "
            "Add your school's Zoom credentials in Settings to host for real."
        )
        self.banner.setAccessibleName("Rehearsal mode banner")
        self.banner.setVisible(rehearsal)
        outer.addWidget(self.banner)

        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName("Steps")
        self.nav.setFixedWidth(190)
        self.stack = QStackedWidget(self)
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)

        self.channel_label = plain_label("Control: not connected", self)
        self.channel_label.setAccessibleName("Control channel")
        self.statusBar().addPermanentWidget(self.channel_label)

        self.nav.currentRowChanged.connect(self._on_row)

    def add_page(self, key: str, title: str, widget: QWidget, *, shortcut: str | None = None) -> None:
        item = QListWidgetItem(title)
        item.setData(Qt.ItemDataRole.UserRole, key)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, title)
        self.nav.addItem(item)
        self.stack.addWidget(widget)
        self._keys.append(key)
        if shortcut:
            QShortcut(QKeySequence(shortcut), self, activated=lambda k=key: self.show_page(k))
        if self.nav.currentRow() < 0:
            self.nav.setCurrentRow(0)

    def page(self, key: str) -> QWidget:
        return self.stack.widget(self._keys.index(key))

    def show_page(self, key: str) -> None:
        self.nav.setCurrentRow(self._keys.index(key))

    def current_key(self) -> str | None:
        row = self.nav.currentRow()
        return self._keys[row] if 0 <= row < len(self._keys) else None

    def show_status(self, text: str) -> None:
        """A message on the status bar (the status bar draws plain text; hidden characters are written out)."""
        self.statusBar().showMessage(one_line(text))

    def set_channel(self, text: str, *, tooltip: str = "") -> None:
        self.channel_label.setText(f"Control: {text}")
        self.channel_label.setToolTip(tooltip)

    def _on_row(self, row: int) -> None:
        if 0 <= row < len(self._keys):
            self.stack.setCurrentIndex(row)
            self.page_changed.emit(self._keys[row])
