"""The Live panel's alarm banner: alarms a teacher cannot miss, one at a time, until each is marked seen.

Each alarm shows its icon, its title and its words as plain text (a stranger's name in them
written out by ``visible_name`` and shortened, so zoomhost's words after it always fit), sounds, and is announced to a screen reader; **Show who** selects the person
in the table and **Seen** (Ctrl+Shift+K) moves on to the next (the page journals who saw which alarm, and when). Warnings from the session's
clocks and its control channel come here too. The banner keeps one height whatever the alarm
says (its words are cut to three lines, all of them in its tooltip), so the table below never
jumps under the teacher's mouse; its buttons sit at its side, so it fits beside Zoom.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QAccessible, QAccessibleEvent, QFontMetrics, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from zoomhost.core.names import visible_name
from zoomhost.core.session import Alarm, AlarmKind
from zoomhost.ui.live.model import shown_name
from zoomhost.ui.text import plain_label, tooltip
from zoomhost.ui.widgets import status_icon

MESSAGE_LIMIT = 400  # an alarm's words on the banner; a 500-character name does not push the buttons away
LINES = 3  # the banner's words are cut to this many lines: its height never changes


def line_height(metrics: QFontMetrics) -> int:
    """The height one wrapped line takes as Qt lays it out (a pixel more than the font's line spacing, often)."""
    return metrics.boundingRect(QRect(0, 0, 1000, 1000), Qt.TextFlag.TextWordWrap, "Xy").height()


def fit_lines(text: str, metrics: QFontMetrics, width: int, lines: int) -> str:
    """``text`` cut at a word (and marked "…") so that, wrapped at ``width``, it takes at most ``lines`` lines."""

    def fits(words: str) -> bool:
        box = metrics.boundingRect(QRect(0, 0, max(1, width), 100000), Qt.TextFlag.TextWordWrap, words)
        return box.height() <= lines * line_height(metrics)

    if width <= 0 or fits(text):
        return text
    low, high = 0, len(text)
    while low < high:  # the longest beginning that fits with its "…"
        middle = (low + high + 1) // 2
        if fits(text[:middle].rstrip() + "…"):
            low = middle
        else:
            high = middle - 1
    cut = text[:low]
    if " " in cut[len(cut) // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"

ALARM_ICONS = {
    AlarmKind.NOT_ALLOWED_IN: "fail",
    AlarmKind.DUPLICATE: "duplicate",
    AlarmKind.SUSPICIOUS: "suspicious",
    AlarmKind.ARRIVAL_AFTER_LOCK: "warn",
    AlarmKind.MAY_HAVE_MISSED: "warn",
}
ALARM_TITLES = {
    AlarmKind.NOT_ALLOWED_IN: "Someone is in who should not be",
    AlarmKind.DUPLICATE: "Duplicate name",
    AlarmKind.SUSPICIOUS: "Suspicious name",
    AlarmKind.ARRIVAL_AFTER_LOCK: "Arrival after the lock",
    AlarmKind.MAY_HAVE_MISSED: "Arrivals or departures may have been missed",
}


@dataclass(frozen=True)
class BannerItem:
    """One thing on the alarm banner: an alarm, or a warning from the session's clocks or channel."""

    icon: str
    title: str
    message: str
    participant_id: str | None = None
    kind: str = ""  # the AlarmKind value, for an alarm of the session
    key: str = ""  # the alarm's journal entry (``Alarm.event_key``): Seen is journaled against it



def alarm_item(alarm: Alarm) -> BannerItem:
    """What the banner shows for one of the session's alarms: the name it quotes shortened, the rest as the session said it."""
    message = alarm.message
    if alarm.display_name:
        quoted = f"“{alarm.display_name}”"
        message = message.replace(quoted, f"“{shown_name(alarm.display_name)}”", 1)
    return BannerItem(
        icon=ALARM_ICONS.get(alarm.kind, "fail"),
        title=ALARM_TITLES.get(alarm.kind, "Alarm"),
        message=message,
        participant_id=alarm.participant_id,
        kind=alarm.kind.value,
        key=alarm.event_key,
    )


#: Alarms about someone waiting: they end once the teacher lets that person in.
_ABOUT_WAITING = frozenset({AlarmKind.DUPLICATE.value, AlarmKind.SUSPICIOUS.value, AlarmKind.ARRIVAL_AFTER_LOCK.value})


def still_true(item: BannerItem, *, admitted: bool, gone: bool) -> bool:
    """Whether an alarm still means something now its person has been admitted or has gone.

    Every alarm about a person ends when they leave or are removed; one about someone waiting
    (a duplicate or suspicious name, an arrival after the lock) ends once the teacher admits them.
    It stays in the session's journal and summary either way."""
    if gone:
        return False
    return not (admitted and item.kind in _ABOUT_WAITING)


class AlarmBanner(QFrame):
    """Alarms a teacher cannot miss: icon, title and words, a sound, and an accessibility alert.

    It never takes the keyboard focus, so a key meant for the table or a button never lands here.
    """

    acknowledged = Signal(object)  # the BannerItem marked seen
    show_participant = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alarmBannerFrame")
        self.setFrameShape(QFrame.Shape.Box)
        self.setStyleSheet("#alarmBannerFrame { background: #b00020; } #alarmBannerFrame QLabel { color: white; }")
        self.setAccessibleName("Alarm")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        self.icon = plain_label(parent=self)
        self.text = plain_label(parent=self, name="Alarm", wrap=True)  # an alarm quotes a stranger's name: text only
        self.text.setObjectName("alarmBanner")
        self.text.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)  # never widens the window
        self.text.setFixedHeight(LINES * line_height(self.text.fontMetrics()) + 6)  # and its padding
        self._words = ""
        self.count = plain_label(parent=self, name="Alarms not yet seen")
        self.show_button = QPushButton("Show &who", self)
        self.show_button.setAccessibleName("Show who the alarm is about")
        self.seen_button = QPushButton("Seen", self)
        self.seen_button.setAccessibleName("Alarm seen")
        self.seen_button.setToolTip("Mark this alarm as seen (Ctrl+Shift+K)")
        self.seen_button.setAccessibleDescription("Mark this alarm as seen and show the next one (Ctrl+Shift+K)")
        for button in (self.show_button, self.seen_button):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        left = QVBoxLayout()  # the icon, and how many more wait under it
        left.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        left.addWidget(self.count, 0, Qt.AlignmentFlag.AlignHCenter)
        left.addStretch()
        buttons = QVBoxLayout()
        buttons.setSpacing(2)
        buttons.addWidget(self.show_button)
        buttons.addWidget(self.seen_button)
        buttons.addStretch()
        layout.addLayout(left)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)
        self._items: list[BannerItem] = []
        self._held = 0  # inside ``together()``: the banner is drawn, and sounds, once at its end
        self._stale = False  # changed while held
        self._raised = False  # an alarm raised while held
        self.seen_button.clicked.connect(self.acknowledge)
        self.show_button.clicked.connect(self._show_who)
        QShortcut(QKeySequence("Ctrl+Shift+K"), self, activated=self.acknowledge).setContext(
            Qt.ShortcutContext.WindowShortcut
        )
        self.hide()

    @property
    def items(self) -> list[BannerItem]:
        return list(self._items)

    def raise_item(self, item: BannerItem) -> None:
        self._items.append(item)
        if self._held:
            self._stale = self._raised = True
            return
        self._render()
        self._alert()

    @contextmanager
    def together(self) -> Iterator[None]:
        """Changes made inside are drawn once at the end, with one sound however many alarms were raised:
        a burst of alarms (a room of strangers, everyone after the lock) costs one drawing, not one each."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if not self._held and self._stale:
                raised, self._stale, self._raised = self._raised, False, False
                self._render()
                if raised:
                    self._alert()

    def _alert(self) -> None:
        QApplication.beep()
        QAccessible.updateAccessibility(QAccessibleEvent(self.text, QAccessible.Event.Alert))

    def withdraw(self, participant_id: str) -> None:
        """Take back the items about one participant (the host assistant said that participant is itself)."""
        kept = [item for item in self._items if item.participant_id != participant_id]
        if len(kept) != len(self._items):
            self._items = kept
            self._render()

    def close_where(self, ended: Callable[[BannerItem], bool]) -> int:
        """Take off the alarms that no longer mean anything; returns how many went (without a sound)."""
        kept = [item for item in self._items if not ended(item)]
        gone = len(self._items) - len(kept)
        if gone:
            self._items = kept
            self._render()
        return gone

    def clear(self) -> None:
        """Take every alarm off the banner (they stay in the session's journal)."""
        self._items.clear()
        self._render()

    def acknowledge(self) -> None:
        """The teacher has seen the alarm on top: show the next, and say which one was seen."""
        if not self._items:
            return
        item = self._items.pop(0)
        self._render()
        self.acknowledged.emit(item)

    def _render(self) -> None:
        if self._held:
            self._stale = True
            return
        if not self._items:
            self.hide()
            return
        item = self._items[0]
        size = self.fontMetrics().height() * 2
        self.icon.setPixmap(status_icon(item.icon).pixmap(size, size))
        self.icon.setAccessibleName(item.title)
        words = visible_name(item.message)
        if len(words) > MESSAGE_LIMIT:
            words = words[: MESSAGE_LIMIT - 1] + "…"
        self._words = f"{item.title.upper()}: {words}"
        self._fit()
        self.text.setToolTip(tooltip(self._words))  # a tooltip is rich text when it looks like it: escaped
        self.text.setAccessibleDescription(self._words)
        more = len(self._items) - 1
        self.count.setText(f"+{more}" if more else "")
        self.count.setToolTip(f"{more} more alarms after this one" if more else "")
        self.show_button.setVisible(item.participant_id is not None)
        self.show()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's signature
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """The words, cut to the banner's lines at its width now."""
        label = self.text
        width = label.width() - 2 * label.margin() - 10  # the label's padding
        # Not laid out yet (hidden): every word, until the banner knows its width.
        shown = fit_lines(self._words, label.fontMetrics(), width, LINES) if label.isVisible() else self._words
        if label.text() != shown:
            label.setText(shown)

    @property
    def words(self) -> str:
        """Everything the current alarm says (the label may show it cut)."""
        return self._words

    def _show_who(self) -> None:
        if self._items and self._items[0].participant_id:
            self.show_participant.emit(self._items[0].participant_id)
