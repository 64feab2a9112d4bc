"""The Live panel's start-of-session checks and session clock, once a session runs.

The checks no Zoom setting can prove (an adult with each pupil, chat closed, no screen sharing)
are one tick box each; a tick asks the page to journal it, and the box shows what the journal
says (a ``StartChecksView``), so a confirmation survives a restart and cannot be taken back. A
small class may confirm the adult check pupil by pupil (each pupil named as the register has
them, as plain text). The clock shows the session's time against its planned length, in colour
once it is up. Beside Zoom the boxes say less (all of it in their tooltips) and wrap.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QMenu,
    QToolButton,
    QWidget,
)

from zoomhost.app.session import StartChecksView
from zoomhost.core.start_checks import (
    START_CHECKS,
    STAFF_START_CHECKS,
    StartCheckId,
    TimerReading,
    TimerStage,
)
from zoomhost.ui.text import menu_text, plain_label
from zoomhost.ui.widgets import FlowLayout

CHECK_WORDS = {
    StartCheckId.ADULT_PRESENT: "Adult with each pupil: confirmed for all",
    StartCheckId.CHAT_CLOSED: "Chat closed",
    StartCheckId.NO_SCREEN_SHARING: "No screen sharing",
    StartCheckId.PRIVATE_SPACE: "Everyone in a private space",
}
SHORT_WORDS = {
    StartCheckId.ADULT_PRESENT: "Adult with each pupil",
    StartCheckId.CHAT_CLOSED: "Chat closed",
    StartCheckId.NO_SCREEN_SHARING: "No sharing",
    StartCheckId.PRIVATE_SPACE: "Private space",
}


class StartChecksPanel(QGroupBox):
    """The checks a teacher makes once the meeting has started, one tick box each, and the session clock.

    A tick asks the page to journal it (``confirm_requested``); the box stays ticked only once
    the journal says so. A small class may confirm the adult check pupil by pupil.
    """

    confirm_requested = Signal(str)  # a StartCheckId value
    confirm_pupil_requested = Signal(str)  # a participant id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Start-of-session checks", parent)
        self.setAccessibleName("Start-of-session checks")
        row = FlowLayout(self, spacing=12)
        row.setContentsMargins(8, 2, 8, 2)
        self.boxes: dict[StartCheckId, QCheckBox] = {}
        for check in (*START_CHECKS, *STAFF_START_CHECKS):  # the session's own are shown (``show_view``)
            box = QCheckBox(CHECK_WORDS[check.id], self)
            box.setAccessibleName(check.title)
            box.clicked.connect(lambda on, key=check.id: self._ticked(key, on))
            self.boxes[check.id] = box
            box.setVisible(check in START_CHECKS)
            row.addWidget(box)
            if check.id is StartCheckId.ADULT_PRESENT:
                self.pupils_button = QToolButton(self)
                self.pupils_button.setText("Per pupil…")
                self.pupils_button.setAccessibleName("Confirm an adult pupil by pupil")
                self.pupils_button.setToolTip("A small class: confirm an adult is with each pupil, one by one")
                self.pupils_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
                self.pupils_menu = QMenu(self.pupils_button)
                self.pupils_menu.setAccessibleName("Pupils in the meeting")
                self.pupils_button.setMenu(self.pupils_menu)
                self.pupils_button.hide()
                row.addWidget(self.pupils_button)
        self.clock = plain_label(parent=self, name="Session time")
        self.clock.setObjectName("sessionClock")
        row.addWidget(self.clock)
        self.view: StartChecksView | None = None
        self._pending: set[str] = set()
        self.compact = False
        self._reading: TimerReading | None = None

    def set_compact(self, compact: bool) -> None:
        words = SHORT_WORDS if compact else CHECK_WORDS
        for check_id, box in self.boxes.items():
            box.setText(words[check_id])
        self.setTitle("" if compact else "Start-of-session checks")
        self.compact = compact
        if self._reading is not None:
            self.show_clock(self._reading)

    def _ticked(self, check_id: StartCheckId, on: bool) -> None:
        box = self.boxes[check_id]
        if not on:  # a confirmation is in the journal for good: it cannot be taken back
            box.setChecked(self._done(check_id))
            return
        self._pending.add(check_id.value)
        box.setEnabled(False)
        self.confirm_requested.emit(check_id.value)

    def _pupil_ticked(self, participant_id: str) -> None:
        self._pending.add(participant_id)
        self.confirm_pupil_requested.emit(participant_id)

    def _done(self, check_id: StartCheckId) -> bool:
        state = self.view.state(check_id) if self.view is not None else None
        return state is not None and state.done

    def settle(self, key: str) -> None:
        """A confirmation came back (done or refused): the journal's state decides the box again."""
        self._pending.discard(key)
        if self.view is not None:
            self.show_view(self.view)

    def show_view(self, view: StartChecksView, *, running: bool = True) -> None:
        self.view = view
        asked = {state.check.id for state in view.states}
        for check_id, box in self.boxes.items():
            box.setVisible(check_id in asked)
        for state in view.states:
            check = state.check
            box = self.boxes[check.id]
            box.setChecked(state.done)
            box.setEnabled(running and not state.done and check.id.value not in self._pending)
            if state.done:
                who = "zoomhost's host assistant" if state.by == "assistant" else "you"
                when = f" at {state.at.astimezone():%H:%M}" if state.at is not None else ""
                status = f"Confirmed by {who}{when}."
            elif state.pupils_confirmed:
                status = f"{len(state.pupils_confirmed)} pupils confirmed, {len(state.pupils_waiting)} still to confirm."
            else:
                status = "Not yet confirmed."
            tip = f"{check.title}. {status}\n{check.how}\n\nProtocol: “{check.protocol_line}”"
            box.setToolTip(tip)
            box.setAccessibleDescription(tip)
        self._show_pupils(view, running=running)

    def _show_pupils(self, view: StartChecksView, *, running: bool) -> None:
        adult = view.state(StartCheckId.ADULT_PRESENT)
        offered = adult is not None and view.per_pupil and not adult.done
        self.pupils_button.setVisible(offered)
        if not offered:
            return
        confirmed = set(adult.pupils_confirmed)
        self.pupils_button.setText(f"Per pupil ({len(confirmed & {label for _, label in view.pupils})} of {len(view.pupils)})…")
        self.pupils_button.setEnabled(running)
        self.pupils_menu.clear()
        for participant_id, label in view.pupils:
            action = self.pupils_menu.addAction(menu_text(label))  # a register's cells: never a key, never hidden
            action.setCheckable(True)
            done = label in confirmed
            action.setChecked(done)
            action.setEnabled(not done and participant_id not in self._pending)
            action.setData(participant_id)
            action.triggered.connect(lambda _=False, pid=participant_id: self._pupil_ticked(pid))

    def show_clock(self, reading: TimerReading | None) -> None:
        self._reading = reading
        if reading is None:
            self.clock.clear()
            return
        words = {TimerStage.RUNNING: "", TimerStage.REACHED: " — planned length reached", TimerStage.EXCEEDED: " — over time"}
        colour = {TimerStage.RUNNING: "", TimerStage.REACHED: "#b86e00", TimerStage.EXCEEDED: "#b00020"}[reading.stage]
        if self.compact:  # beside Zoom: the clock alone (its tooltip says the rest)
            words = {TimerStage.RUNNING: "", TimerStage.REACHED: " — time up", TimerStage.EXCEEDED: " — over"}
        self.clock.setText(f"{'' if self.compact else 'Session time '}{reading.clock_text}{words[reading.stage]}")
        self.clock.setStyleSheet(f"color: {colour}; font-weight: bold;" if colour else "")
        self.clock.setToolTip(reading.message)
        self.clock.setAccessibleDescription(reading.message)
