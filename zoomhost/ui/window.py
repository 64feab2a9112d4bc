"""The main window: the teacher's day as steps down the side, one page each.

Register → Checklist → Live → Summary, plus Settings. Beside Zoom (a window narrower than
``COMPACT_WIDTH``, such as 560 pixels on a 1366-pixel laptop) the steps become a bar across the
top and every page takes the whole width; wider, they are a list down the side. A banner across the top says when
zoomhost is in rehearsal mode (a simulated Zoom) so nobody mistakes a practice for the
real assembly. The status bar shows the control channel (assistant / REST only / rehearsal)
and how zoomhost is connected; its words may quote Zoom, so they are plain text (``ui/text.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QResizeEvent, QShortcut, QShowEvent, QWindow
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QBoxLayout,
    QListView,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from zoomhost.ui.text import one_line, plain_label

COMPACT_WIDTH = 820  # narrower than this, the window sits beside Zoom: the steps go across the top
REHEARSAL_WORDS = (
    "REHEARSAL MODE — a simulated Zoom. Nothing here reaches a real meeting. "
    "Add your school's Zoom credentials in Settings to host for real."
)
REHEARSAL_SHORT = "REHEARSAL — a simulated Zoom: nothing reaches a real meeting."


class ReturnPresses(QObject):
    """Return (or Enter) on a focused button presses it, as Space does, everywhere in the window.

    Qt presses a button on Return only in a dialog; a teacher working by keyboard expects the
    focused "Start session" to start the session whichever key they use. Only the button that has
    the keyboard focus is watched (a key goes nowhere else): the window's other events, its paints
    above all, never pass through Python for this."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._watched: QWidget | None = None
        app = QApplication.instance()
        app.focusChanged.connect(self._focus_moved)  # type: ignore[union-attr]
        self._focus_moved(None, app.focusWidget())  # type: ignore[union-attr]

    def _focus_moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        if self._watched is not None:
            try:
                self._watched.removeEventFilter(self)
            except RuntimeError:  # the button has been deleted since
                pass
            self._watched = None
        if isinstance(new, (QPushButton, QToolButton)) and new.window() is self._window:
            new.installEventFilter(self)
            self._watched = new

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's signature
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(watched, (QPushButton, QToolButton))
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)
            and watched.window() is self._window
            and watched.isEnabled()
            and not (isinstance(watched, QPushButton) and (watched.autoDefault() or watched.isDefault()))
        ):
            if isinstance(watched, QToolButton) and watched.menu() is not None:
                watched.showMenu()
            else:
                watched.animateClick()
            return True
        return False


class _FirstPaint(QObject):
    """Says once when ``window``'s first frame is on screen: after the first expose of its native window
    (Qt paints the frame as it handles that), on the next turn of the event loop. Only that native
    window's own few events are watched, never the application's."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window

    def watch(self) -> None:
        handle = self._window.windowHandle()
        if handle is not None:
            handle.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's signature
        if event.type() == QEvent.Type.Expose and isinstance(watched, QWindow) and watched.isExposed():
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._window, self._window.first_painted.emit)  # after the frame this expose paints
        return False


class MainWindow(QMainWindow):
    page_changed = Signal(str)
    page_built = Signal(str)  # a page made on its first showing (or first asked for), by key
    first_painted = Signal()  # once, when the window's first frame is on screen: slow work waits for it

    def __init__(self, *, rehearsal: bool, title: str = "zoomhost") -> None:
        super().__init__()
        self.setWindowTitle(title + (" — rehearsal" if rehearsal else ""))
        self.setAccessibleName("zoomhost main window")
        self._keys: list[str] = []
        self._makers: dict[str, Callable[[], QWidget]] = {}  # pages not built yet: built when first shown

        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        self.banner = plain_label(parent=self, wrap=True)
        self.banner.setObjectName("rehearsalBanner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setText(REHEARSAL_WORDS)
        self.banner.setToolTip(REHEARSAL_WORDS)
        self.banner.setAccessibleName("Rehearsal mode banner")
        self.banner.setAccessibleDescription(REHEARSAL_WORDS)
        self.banner.setVisible(rehearsal)
        outer.addWidget(self.banner)

        self.body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(0)
        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName("Steps")
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.nav.setVisible(False)  # shown with the first step: the frame painted before its pages has no empty bar
        self.stack = QStackedWidget(self)
        self.body.addWidget(self.nav)
        self.body.addWidget(self.stack, 1)
        outer.addLayout(self.body, 1)
        self.compact: bool | None = None
        self._lay_out(compact=False)
        ReturnPresses(self)
        self.setCentralWidget(central)

        self.channel_label = plain_label("Control: not connected", self)
        self.channel_label.setAccessibleName("Control channel")
        self.channel_label.setContentsMargins(12, 0, 0, 0)  # apart from a long message cut at its left
        self.statusBar().addPermanentWidget(self.channel_label)

        self.nav.currentRowChanged.connect(self._on_row)
        self.painted = False
        self.first_painted.connect(self._painted)
        self._first_paint = _FirstPaint(self)

    def _painted(self) -> None:
        self.painted = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's signature
        super().showEvent(event)
        if not self.painted:  # its native window exists from the first show
            self._first_paint.watch()

    def add_page(self, key: str, title: str, widget: QWidget | Callable[[], QWidget], *, shortcut: str | None = None) -> None:
        """A step in the teacher's day. ``widget`` may be a function that makes the page: it is then made
        (and its libraries loaded) the first time the page is shown or asked for, never at start-up."""
        item = QListWidgetItem(title)
        item.setData(Qt.ItemDataRole.UserRole, key)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, title)
        self._keys.append(key)
        if isinstance(widget, QWidget):
            self.stack.addWidget(widget)
        else:
            self._makers[key] = widget
            self.stack.addWidget(QWidget(self.stack))  # stands in until the page is first shown
        self.nav.addItem(item)
        self.nav.setVisible(True)
        if shortcut:
            QShortcut(QKeySequence(shortcut), self, activated=lambda k=key: self.show_page(k))
        if self.nav.currentRow() < 0:
            self.nav.setCurrentRow(0)
        if self.compact:  # the bar's height follows its items
            self.compact = None
            self._lay_out(compact=True)

    def resize(self, *size: Any) -> None:  # type: ignore[override]
        """Lay out for the size asked first: a window asked to be 560 wide gets the layout that fits 560."""
        wanted = QSize(*size)
        self._lay_out(compact=wanted.width() < COMPACT_WIDTH)
        super().resize(wanted)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's signature
        super().resizeEvent(event)
        self._lay_out(compact=event.size().width() < COMPACT_WIDTH)

    def _lay_out(self, *, compact: bool) -> None:
        """Beside Zoom, the steps are a bar across the top and the banner one short line; wider, a list down the side."""
        if compact == self.compact:
            return
        self.compact = compact
        nav = self.nav
        nav.setProperty("compact", compact)  # the stylesheet's smaller bar
        if nav.testAttribute(Qt.WidgetAttribute.WA_WState_Polished):  # else its first polish, at show, reads it
            nav.style().unpolish(nav)
            nav.style().polish(nav)
        if compact:
            self.body.setDirection(QBoxLayout.Direction.TopToBottom)
            nav.setFlow(QListView.Flow.LeftToRight)
            nav.setWrapping(False)
            nav.setMinimumWidth(0)
            nav.setMaximumWidth(16777215)
            nav.setFixedHeight(nav.fontMetrics().height() + 8 + 2 * nav.frameWidth() + 4)  # one row: its padding, its frame
            self.banner.setText(REHEARSAL_SHORT)
        else:
            self.body.setDirection(QBoxLayout.Direction.LeftToRight)
            nav.setFlow(QListView.Flow.TopToBottom)
            nav.setMinimumHeight(0)
            nav.setMaximumHeight(16777215)
            nav.setFixedWidth(190)
            self.banner.setText(REHEARSAL_WORDS)
        nav.doItemsLayout()

    def page(self, key: str) -> QWidget:
        """The page for ``key``, made now if it has not been shown yet."""
        index = self._keys.index(key)
        make = self._makers.pop(key, None)
        if make is not None:
            page = make()
            stand_in = self.stack.widget(index)
            showing = self.stack.currentIndex() == index
            self.stack.insertWidget(index, page)
            self.stack.removeWidget(stand_in)
            stand_in.deleteLater()
            if showing:
                self.stack.setCurrentIndex(index)
            self.page_built.emit(key)
        return self.stack.widget(index)

    def built(self, key: str) -> QWidget | None:
        """The page for ``key`` if it has been made, else None (and it is not made)."""
        return None if key in self._makers else self.page(key)

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
            self.page(self._keys[row])
            self.stack.setCurrentIndex(row)
            self.page_changed.emit(self._keys[row])
