"""Small widgets every page shares: a busy indicator, an inline message panel, status icons, confirmations.

Errors become plain words with what to do next (``error_text``): a ``ZoomhostError`` says its
own ``user_text()``; anything unexpected is logged with its traceback and shown as one calm
sentence naming the log file. Icons differ in shape as well as colour, and always come with text.
Every message, error and question is plain text with its hidden characters written out (the
rule in ``ui/text.py``): an error that quotes a display name or a register cell never becomes markup.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any

from PySide6.QtCore import QObject, QPoint, QPointF, QRect, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QWidget,
)

from zoomhost.system import logs
from zoomhost.core.errors import ZoomhostError
from zoomhost.system.runtime import AsyncRunner
from zoomhost.ui.tasks import Task
from zoomhost.ui.text import one_line, plain_label, shown

log = logging.getLogger(__name__)

BUSY_DELAY_MS = 500  # quick work shows nothing; anything slower shows the indicator

# -- words -------------------------------------------------------------------------------------

STATUS_TEXT = {"pass": "Pass", "fail": "Fail", "warn": "Warning", "unknown": "Unknown"}


def error_text(error: BaseException, *, doing: str) -> str:
    """Plain words for a failure while ``doing`` something ("importing the register")."""
    if isinstance(error, ZoomhostError):
        return error.user_text()
    log.error("unexpected error while %s", doing, exc_info=error)
    return (
        f"Something unexpected went wrong while {doing}. Try again; if it happens again, "
        f"please send the log file to your IT lead: {logs.log_file()}"
    )


# -- icons -------------------------------------------------------------------------------------

_SIZE = 64
_GREEN, _RED, _AMBER, _GREY, _BLUE, _PURPLE = "#1b7f3b", "#b00020", "#b86e00", "#5f6368", "#1f5fa8", "#6a3d9a"


def _canvas() -> tuple[QPixmap, QPainter]:
    pixmap = QPixmap(_SIZE, _SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    return pixmap, painter


def _glyph(painter: QPainter, text: str) -> None:
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(_SIZE * 0.55))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QRectF(0, 0, _SIZE, _SIZE), Qt.AlignmentFlag.AlignCenter, text)


def _mark(painter: QPainter, points: list[tuple[float, float]]) -> None:
    pen = QPen(QColor("white"), _SIZE * 0.11, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    path = QPainterPath(QPointF(*points[0]))
    for point in points[1:]:
        path.lineTo(QPointF(*point))
    painter.drawPath(path)


def _shape(painter: QPainter, shape: str, colour: str) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    m = _SIZE * 0.06
    if shape == "circle":
        painter.drawEllipse(QRectF(m, m, _SIZE - 2 * m, _SIZE - 2 * m))
    elif shape == "triangle":
        painter.drawPolygon(QPolygonF([QPointF(_SIZE / 2, m), QPointF(_SIZE - m, _SIZE - m), QPointF(m, _SIZE - m)]))
    elif shape == "square":
        painter.drawRoundedRect(QRectF(m, m, _SIZE - 2 * m, _SIZE - 2 * m), _SIZE * 0.12, _SIZE * 0.12)
    elif shape == "diamond":
        c = _SIZE / 2
        painter.drawPolygon(QPolygonF([QPointF(c, m), QPointF(_SIZE - m, c), QPointF(c, _SIZE - m), QPointF(m, c)]))
    elif shape == "octagon":
        a, b = _SIZE * 0.3, _SIZE * 0.7
        painter.drawPolygon(
            QPolygonF([QPointF(a, m), QPointF(b, m), QPointF(_SIZE - m, a), QPointF(_SIZE - m, b), QPointF(b, _SIZE - m), QPointF(a, _SIZE - m), QPointF(m, b), QPointF(m, a)])
        )


_TICK = [(0.28, 0.52), (0.44, 0.68), (0.73, 0.36)]
_CROSS_A = [(0.33, 0.33), (0.67, 0.67)]
_CROSS_B = [(0.67, 0.33), (0.33, 0.67)]

# key -> (shape, colour, mark): the shape and mark differ as well as the colour
_ICONS: dict[str, tuple[str, str, str]] = {
    "pass": ("circle", _GREEN, "tick"),
    "fail": ("octagon", _RED, "cross"),
    "warn": ("triangle", _AMBER, "!"),
    "unknown": ("circle", _GREY, "?"),
    # admission verdicts (the live panel)
    "consented": ("circle", _GREEN, "tick"),
    "staff": ("square", _BLUE, "S"),
    "no_consent": ("octagon", _RED, "cross"),
    "not_on_register": ("diamond", _AMBER, "?"),
    "ambiguous": ("triangle", _AMBER, "?"),
    "duplicate": ("square", _PURPLE, "2"),
    "suspicious": ("octagon", _RED, "!"),
}


@cache
def status_icon(key: str) -> QIcon:
    """An icon for a check status (pass/fail/warn/unknown) or an admission verdict; needs a QGuiApplication."""
    shape, colour, mark = _ICONS.get(str(key), _ICONS["unknown"])
    pixmap, painter = _canvas()
    try:
        _shape(painter, shape, colour)
        if mark == "tick":
            _mark(painter, [(x * _SIZE, y * _SIZE) for x, y in _TICK])
        elif mark == "cross":
            _mark(painter, [(x * _SIZE, y * _SIZE) for x, y in _CROSS_A])
            _mark(painter, [(x * _SIZE, y * _SIZE) for x, y in _CROSS_B])
        else:
            _glyph(painter, mark)
    finally:
        painter.end()
    return QIcon(pixmap)


def verdict_icon(verdict: str) -> QIcon:
    return status_icon(str(verdict))


# -- busy --------------------------------------------------------------------------------------


class BusyIndicator(QWidget):
    """Appears only when work takes longer than half a second; nests (several jobs at once)."""

    def __init__(self, parent: QWidget | None = None, *, delay_ms: int = BUSY_DELAY_MS) -> None:
        super().__init__(parent)
        self.setAccessibleName("Working")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._bar = QProgressBar(self)
        self._bar.setRange(0, 0)  # indeterminate
        self._bar.setMaximumWidth(120)
        self._bar.setTextVisible(False)
        self._bar.setAccessibleName("Working")
        self.label = plain_label(parent=self)
        layout.addWidget(self._bar)
        layout.addWidget(self.label, 1)
        self._jobs: list[str] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._appear)
        self.hide()

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def begin(self, text: str) -> None:
        self._jobs.append(text)
        self.label.setText(one_line(text))  # it may name a file the teacher chose
        self.setAccessibleDescription(one_line(text))
        if not self._timer.isActive() and self.isHidden():
            self._timer.start()

    def end(self, text: str | None = None) -> None:
        if text in self._jobs:
            self._jobs.remove(text)
        elif self._jobs:
            self._jobs.pop()
        if self._jobs:
            self.label.setText(one_line(self._jobs[-1]))
            return
        self._timer.stop()
        self.hide()

    def _appear(self) -> None:
        if self._jobs:
            self.show()


# -- messages ----------------------------------------------------------------------------------


class MessagePanel(QWidget):
    """One line under a page's buttons: an error, a warning or a confirmation, with an icon and text."""

    def __init__(self, parent: QWidget | None = None, *, name: str = "Messages") -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        self.icon = plain_label(parent=self)
        self.text = plain_label(parent=self, wrap=True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAccessibleName(name)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text, 1)
        self.kind = ""
        self.hide()

    def show_message(self, kind: str, text: str) -> None:
        """``kind`` is pass (done), warn or fail (error); ``text`` is shown as plain text, hidden characters written out."""
        self.kind = kind
        size = self.fontMetrics().height() + 4
        self.icon.setPixmap(status_icon(kind).pixmap(size, size))
        self.icon.setAccessibleName(STATUS_TEXT.get(kind, kind))
        self.text.setText(shown(text))
        self.show()

    def show_error(self, error: BaseException, *, doing: str) -> None:
        self.show_message("fail", error_text(error, doing=doing))

    def clear(self) -> None:
        self.kind = ""
        self.text.clear()
        self.hide()


# -- background work ---------------------------------------------------------------------------


def run_task(
    parent: QObject,
    runner: AsyncRunner,
    work: Callable[[], Awaitable[Any]] | Callable[[], Any],
    *,
    doing: str,
    busy: BusyIndicator,
    messages: MessagePanel,
    success: Callable[[Any], None],
    blocking: bool = False,
    after: Callable[[], None] | None = None,
) -> Task:
    """Start ``work`` off the GUI thread with the busy indicator; a failure lands in ``messages`` in plain words.

    ``after`` runs on the GUI thread either way (re-enable a button), before ``success``.
    """
    text = doing[:1].upper() + doing[1:] + "…"
    busy.begin(text)

    def finish() -> None:
        busy.end(text)
        if after is not None:
            after()

    def done(result: Any) -> None:
        finish()
        success(result)

    def failed(error: BaseException) -> None:
        finish()
        import asyncio  # already loaded: the error came from the I/O thread

        if isinstance(error, (concurrent.futures.CancelledError, asyncio.CancelledError)):
            return  # the app is closing: nobody is waiting for this any more
        messages.show_error(error, doing=doing)

    return Task(parent, runner, work, blocking=blocking).success(done).failure(failed).start()


# -- confirmations -----------------------------------------------------------------------------


def confirm(
    parent: QWidget,
    *,
    title: str,
    text: str,
    details: str = "",
    action: str,
    on_confirm: Callable[[], None],
    destructive: bool = False,
) -> QMessageBox:
    """A window-modal question that does not block the event loop; Cancel is the default button.

    ``text`` and ``details`` are plain text (they may quote a display name or a meeting's topic)."""
    box = message_box(
        parent,
        title=title,
        text=text,
        details=details,
        icon=QMessageBox.Icon.Warning if destructive else QMessageBox.Icon.Question,
    )
    go = box.addButton(action, QMessageBox.ButtonRole.AcceptRole if not destructive else QMessageBox.ButtonRole.DestructiveRole)
    go.setAccessibleName(action)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    cancel.setAccessibleName("Cancel")
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.setObjectName("confirmation")

    def finished() -> None:
        if box.clickedButton() is go:
            on_confirm()
        box.deleteLater()

    box.finished.connect(finished)
    box.open()
    return box


def message_box(
    parent: QWidget | None, *, title: str, text: str, details: str = "", icon: QMessageBox.Icon = QMessageBox.Icon.Warning
) -> QMessageBox:
    """A message box whose words are plain text, hidden characters written out; the caller adds buttons and opens it.

    A QMessageBox reads its text as rich text when it looks like HTML: every box in the window is made here."""
    box = QMessageBox(parent)
    box.setWindowTitle(title)
    box.setIcon(icon)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(shown(text))
    if details:
        box.setInformativeText(shown(details))
    for label in box.findChildren(QLabel):  # the informative text's label takes no format from the box
        if label.objectName() in ("qt_msgbox_label", "qt_msgbox_informativelabel"):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
    box.setAccessibleName(title)
    return box


def action_button(text: str, *, accessible: str | None = None, tooltip: str = "", parent: QWidget | None = None) -> QPushButton:
    """A push button with an accessible name (and the tooltip, when given, as its description)."""
    button = QPushButton(text, parent)
    button.setAccessibleName(accessible or text.replace("&", "").rstrip("…").strip())
    if tooltip:
        button.setToolTip(tooltip)
        button.setAccessibleDescription(tooltip)
    return button


class FlowLayout(QLayout):
    """A row of controls that wraps onto the next line when the window is narrow (beside Zoom), in the
    order added, so every button stays on screen at any width instead of forcing the window wider."""

    def __init__(self, parent: QWidget | None = None, *, spacing: int = 6, margin: int = 0) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        # Heights for widths, worked out once between two invalidations: Qt asks the same question many
        # times in one layout pass, and each answer is Python (a busy Live page asked hundreds a second).
        self._heights: dict[int, int] = {}
        self.setContentsMargins(margin, margin, margin, margin)
        self.setSpacing(spacing)

    def invalidate(self) -> None:
        self._heights.clear()
        super().invalidate()

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt's signature
        self._items.append(item)
        self._heights.clear()

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        self._heights.clear()
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        height = self._heights.get(width)
        if height is None:
            height = self._heights[width] = self._arrange(QRect(0, 0, width, 0), move=False)
        return height

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802
        width = height = 0
        for item in self._shown():
            hint = item.sizeHint()
            width += hint.width() + self.spacing()
            height = max(height, hint.height())
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802
        size = QSize()
        for item in self._shown():
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        m = self.contentsMargins()
        left, top, right = rect.x() + m.left(), rect.y() + m.top(), rect.right() - m.right()
        x, y, line = left, top, 0
        gap = self.spacing()
        for item in self._shown():
            hint = item.sizeHint()
            if x > left and x + hint.width() - 1 > right:
                x, y, line = left, y + line + gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), hint.boundedTo(QSize(max(0, right - x + 1), hint.height()))))
            x += hint.width() + gap
            line = max(line, hint.height())
        return y + line - rect.y() + m.bottom()
