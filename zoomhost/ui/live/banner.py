"""The Live panel's alarm banner: alarms a teacher cannot miss, one at a time, until each is marked seen.

Each alarm shows its icon, its title and its words as plain text (a stranger's name in them
written out by ``visible_name`` and shortened, so zoomhost's words after it always fit), sounds, and is announced to a screen reader; **Show who** selects the person
in the table and **Seen** (Ctrl+Shift+K) moves on to the next. Warnings from the session's
clocks and its control channel come here too.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAccessible, QAccessibleEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QPushButton,
    QWidget,
)

from zoomhost.core.names import visible_name
from zoomhost.core.session import Alarm, AlarmKind
from zoomhost.ui.live.model import shown_name
from zoomhost.ui.text import plain_label
from zoomhost.ui.widgets import status_icon

MESSAGE_LIMIT = 400  # an alarm's words on the banner; a 500-character name does not push the buttons away

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
    )


class AlarmBanner(QFrame):
    """Alarms a teacher cannot miss: icon, title and words, a sound, and an accessibility alert.

    It never takes the keyboard focus, so a key meant for the table or a button never lands here.
    """

    acknowledged = Signal()
    show_participant = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alarmBannerFrame")
        self.setFrameShape(QFrame.Shape.Box)
        self.setStyleSheet("#alarmBannerFrame { background: #b00020; } #alarmBannerFrame QLabel { color: white; }")
        self.setAccessibleName("Alarm")
        layout = QHBoxLayout(self)
        self.icon = plain_label(parent=self)
        self.text = plain_label(parent=self, name="Alarm", wrap=True)  # an alarm quotes a stranger's name: text only
        self.text.setObjectName("alarmBanner")
        self.count = plain_label(parent=self, name="Alarms not yet seen")
        self.show_button = QPushButton("Show &who", self)
        self.show_button.setAccessibleName("Show who the alarm is about")
        self.seen_button = QPushButton("Seen", self)
        self.seen_button.setAccessibleName("Alarm seen")
        self.seen_button.setToolTip("Mark this alarm as seen (Ctrl+Shift+K)")
        self.seen_button.setAccessibleDescription("Mark this alarm as seen and show the next one (Ctrl+Shift+K)")
        for button in (self.show_button, self.seen_button):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.count)
        layout.addWidget(self.show_button)
        layout.addWidget(self.seen_button)
        self._items: list[BannerItem] = []
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
        self._render()
        QApplication.beep()
        QAccessible.updateAccessibility(QAccessibleEvent(self.text, QAccessible.Event.Alert))

    def withdraw(self, participant_id: str) -> None:
        """Take back the items about one participant (the host assistant said that participant is itself)."""
        kept = [item for item in self._items if item.participant_id != participant_id]
        if len(kept) != len(self._items):
            self._items = kept
            self._render()

    def acknowledge(self) -> None:
        if self._items:
            self._items.pop(0)
        self._render()
        self.acknowledged.emit()

    def _render(self) -> None:
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
        self.text.setText(f"{item.title.upper()}: {words}")
        self.text.setAccessibleDescription(self.text.text())
        more = len(self._items) - 1
        self.count.setText(f"+{more} more" if more else "")
        self.show_button.setVisible(item.participant_id is not None)
        self.show()

    def _show_who(self) -> None:
        if self._items and self._items[0].participant_id:
            self.show_participant.emit(self._items[0].participant_id)
