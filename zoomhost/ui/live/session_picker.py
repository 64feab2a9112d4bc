"""The Live panel's Session box: which meeting to host (in rehearsal, which scenario and how fast), and Start session.

The host's meetings come from the app (``MeetingsToHost``), today's first, each with its time.
In rehearsal each scenario plays into its own meeting, so choosing the scenario chooses the
meeting. Once a session runs, the box says which meeting is being hosted. A meeting's topic is
Zoom's words, shown as plain text with its hidden characters written out. Beside Zoom, while a
session runs, the box folds down to the one line saying what is hosted, so the table has the room.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGroupBox,
    QHBoxLayout,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from zoomhost.app.session import MeetingsToHost
from zoomhost.core.zoom_times import meeting_when, zoom_time
from zoomhost.ui.text import one_line, plain_label
from zoomhost.ui.widgets import FlowLayout, action_button


class SessionPicker(QGroupBox):
    """Meeting, rehearsal scenario and speed, Reload (F5) and Start session (Ctrl+Shift+N)."""

    reload_requested = Signal()
    start_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Session", parent)
        self.setAccessibleName("Start or join a session")
        rows = QVBoxLayout(self)
        rows.setContentsMargins(6, 2, 6, 2)
        self.choices = QWidget(self)  # what to host: folded away beside Zoom while a session runs
        choices = QVBoxLayout(self.choices)
        choices.setContentsMargins(0, 0, 0, 0)
        row, second = QHBoxLayout(), FlowLayout()  # the second row wraps beside Zoom
        choices.addLayout(row)
        choices.addLayout(second)
        rows.addWidget(self.choices)
        meeting_label = plain_label("Mee&ting:", self)
        self.meetings = QComboBox(self)
        self.meetings.setAccessibleName("Meeting to host")
        self.meetings.setAccessibleDescription("Today's meetings first, then the host's other upcoming meetings")
        self.meetings.setMinimumContentsLength(16)  # fits beside Zoom; a wider window gives it the room
        self.meetings.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.meetings.setPlaceholderText("Connecting to Zoom…")
        meeting_label.setBuddy(self.meetings)
        self.reload_button = action_button("Reload", tooltip="Ask Zoom again for the host's meetings (F5)", parent=self)
        self.scenario_label = plain_label("Sce&nario:", self)
        self.scenarios = QComboBox(self)
        self.scenarios.setAccessibleName("Rehearsal scenario")
        self.scenarios.setAccessibleDescription("Who arrives in the rehearsal: a whole-school assembly, one class or a meeting of staff only")
        self.scenarios.addItem("Assembly (272 pupils)", "assembly")
        self.scenarios.addItem("Class (30 pupils)", "class")
        self.scenarios.addItem("Staff meeting (staff only)", "staff")
        self.scenario_label.setBuddy(self.scenarios)
        self.speed_label = plain_label("S&peed:", self)
        self.speed = QDoubleSpinBox(self)
        self.speed.setAccessibleName("Rehearsal speed")
        self.speed.setAccessibleDescription("1 plays the rehearsal in real time; 10 plays it ten times faster")
        self.speed.setRange(0.5, 1000.0)
        self.speed.setDecimals(1)
        self.speed.setValue(1.0)
        self.speed.setSuffix("×")
        self.speed.lineEdit().setAccessibleName("Rehearsal speed")  # the part a screen reader lands on
        self.speed_label.setBuddy(self.speed)
        self.start_button = action_button(
            "&Start session", tooltip="Start hosting this meeting: arrivals appear below (Ctrl+Shift+N)", parent=self
        )
        self.session_label = plain_label("No session running.", self, name="Session", wrap=True)
        self.session_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widens the window
        row.addWidget(meeting_label)
        row.addWidget(self.meetings, 1)
        second.addWidget(self.start_button)
        second.addWidget(self.reload_button)
        self.rehearsal_choices = QWidget(self.choices)  # each label stays with its field when the row wraps
        pair = QHBoxLayout(self.rehearsal_choices)
        pair.setContentsMargins(0, 0, 0, 0)
        for widget in (self.scenario_label, self.scenarios, self.speed_label, self.speed):
            pair.addWidget(widget)
        second.addWidget(self.rehearsal_choices)
        rows.addWidget(self.session_label)
        self.session_label.setVisible(False)
        self._rehearsal = False  # the mode the app connected in: the rehearsal's choices show only then
        self._scenario_meetings: Mapping[str, str] = {}
        self.listed = False  # the host's meetings have been listed at least once
        self._show_rehearsal_choices(False)
        self.reload_button.clicked.connect(self.reload_requested)
        self.start_button.clicked.connect(self.start_requested)
        self.scenarios.currentIndexChanged.connect(self._scenario_changed)
        QShortcut(QKeySequence("F5"), self, activated=self.reload_button.click)
        QShortcut(QKeySequence("Ctrl+Shift+N"), self, activated=self.start_button.click)

    def show_meetings(self, found: MeetingsToHost) -> None:
        """List the host's meetings (keeping the one chosen); in rehearsal, offer the scenarios."""
        self.listed = True
        self._rehearsal = found.rehearsal
        self._scenario_meetings = found.scenario_meetings
        current = self.meetings.currentData()
        self.meetings.clear()
        for label, meeting_id in meeting_choices(found.meetings):
            self.meetings.addItem(label, meeting_id)
        self.meetings.setPlaceholderText("No upcoming meetings")
        if current:
            self.meetings.setCurrentIndex(max(0, self.meetings.findData(current)))
        self._show_rehearsal_choices(self._rehearsal)
        self._scenario_changed()

    def choice(self) -> tuple[str | None, str | None, float]:
        """(meeting id, rehearsal scenario, speed) as chosen; no scenario and real time outside rehearsal."""
        meeting_id = self.meetings.currentData()
        if not self._rehearsal:
            return meeting_id, None, 1.0
        return meeting_id, self.scenarios.currentData(), float(self.speed.value())

    def set_startable(self, startable: bool) -> None:
        """Whether a session may be started: not while one starts or runs. Then what to host (the meeting,
        Reload, the rehearsal's scenario and speed) cannot change either, so it is not offered, nor a Tab stop."""
        self.choices.setEnabled(startable)
        self.start_button.setEnabled(startable and self.meetings.count() > 0)

    def _show_rehearsal_choices(self, rehearsal: bool) -> None:
        self.rehearsal_choices.setVisible(rehearsal)  # the scenario and speed, and their labels, live in it

    def fold(self, folded: bool) -> None:
        """Beside Zoom while a session runs: only the line saying what is hosted."""
        self.choices.setVisible(not folded)
        self.setTitle("" if folded else "Session")

    def show_session(self, words: str) -> None:
        """What is hosted (or that nothing is): a line under the choices, once there is something to say."""
        self.session_label.setText(words)
        self.session_label.setVisible(bool(words))

    def _scenario_changed(self, *_: object) -> None:
        """In rehearsal the scenario plays into its own meeting: select it and keep it."""
        meeting = self._scenario_meetings.get(self.scenarios.currentData() or "")
        if self._rehearsal and meeting:
            index = self.meetings.findData(meeting)
            if index >= 0:
                self.meetings.setCurrentIndex(index)
        self.meetings.setEnabled(not self._rehearsal)


def meeting_choices(meetings: Any) -> list[tuple[str, str]]:
    """(label, meeting id) for each meeting, today's first, each with its time."""
    today = datetime.now().astimezone().date()
    dated: list[tuple[int, str, str, str]] = []
    for meeting in meetings:
        start = zoom_time(meeting.start_time)
        order = 0 if start and start.astimezone().date() == today else 1
        label = f"{meeting_when(meeting.start_time)} — {one_line(meeting.topic or 'Untitled meeting')}"
        dated.append((order, start.isoformat() if start else "", label, str(meeting.id)))
    dated.sort()
    return [(label, meeting_id) for _, _, label, meeting_id in dated]
