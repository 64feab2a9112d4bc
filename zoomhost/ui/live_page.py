"""The Live panel: the waiting room as it happens, the host's controls, and alarms nobody can miss.

The engine (``zoomhost.live.engine.LiveController``) runs on the I/O thread; it tells the panel each
batch of changes through a ``SessionBridge`` and the panel sends every click back as a coroutine.
The GUI thread never touches the network or the journal. Each control is labelled and explained
from the control channel's capabilities: what the channel cannot do is shown as the exact step
in the Zoom client, with a **Done in Zoom** button that journals the teacher's confirmation.
Destructive controls ask first, except the panic key (Ctrl+Shift+E or F12), which ends the
meeting for everyone at once.

Once a session runs, the start-of-session checks (an adult with each pupil, chat closed, no
screen sharing) are ticked here and journaled; the session clock shows the time against the
planned length; a coloured strip says so while the autopilot admits; the Lock button counts
down to the auto-lock.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QAccessible, QAccessibleEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from zoomhost.core.control import Capability, CapabilityInfo, CommandResult
from zoomhost.core.journal import JournalKind
from zoomhost.core.session import Alarm, AlarmKind, Arrival, ParticipantState, SessionChange
from zoomhost.core.models import Verdict
from zoomhost.core.names import visible_name
from zoomhost.core.start_checks import (
    PER_PUPIL_LIMIT,
    START_CHECKS,
    SessionTimer,
    StartCheckId,
    TimerReading,
    TimerStage,
)
from zoomhost.ui.live_model import (
    STATE_FILTERS,
    VERDICT_FILTERS,
    VERDICT_WORDS,
    ArrivalsFilter,
    ArrivalsTableModel,
    Column,
    Role,
    shown_name,
)
from zoomhost.app.session import (
    LiveUpdate,
    StartChecksView,
    StartedSession,
    begin_session,
    confirm_adult_with,
    confirm_start_check,
    finish_session,
    read_start_checks,
)
from zoomhost.ui.qt_bridge import SessionBridge
from zoomhost.ui.widgets import BusyIndicator, MessagePanel, action_button, confirm, run_task, status_icon

if TYPE_CHECKING:
    from zoomhost.app.services import Connection, Services
    from zoomhost.live.engine import LiveController
    from zoomhost.assistant.launcher import AssistantLauncher
    from zoomhost.rehearsal.scenarios import ScenarioRun

log = logging.getLogger(__name__)

PANIC_KEYS = ("Ctrl+Shift+E", "F12")
MESSAGE_LIMIT = 400  # an alarm's words on the banner; a 500-character name does not push the buttons away


@dataclass(frozen=True)
class Control:
    """One host control: its button words, the capability that carries it, and its key."""

    key: str
    text: str
    capability: Capability | None
    shortcut: str
    explanation: str


CONTROLS: tuple[Control, ...] = (
    Control("admit", "&Admit", Capability.ADMIT, "Ctrl+Return", "Let the selected person in from the waiting room."),
    Control(
        "admit_all",
        "Admit all &consented",
        Capability.ADMIT_ALL,
        "Ctrl+Shift+A",
        "Admit every consented pupil and staff member waiting; held, flagged and late arrivals stay out.",
    ),
    Control(
        "hold",
        "&Hold",
        Capability.PUT_IN_WAITING_ROOM,
        "Ctrl+H",
        "Keep the selected person waiting (admit-all passes them by), or put them back from the meeting.",
    ),
    Control("remove", "&Remove…", Capability.REMOVE, "Ctrl+Delete", "Remove the selected person from the meeting (asks first)."),
    Control("mute_all", "&Mute all", Capability.MUTE_ALL, "Ctrl+M", "Mute everyone and stop them unmuting themselves."),
    Control("chat_off", "Chat o&ff", Capability.CHAT_OFF, "Ctrl+Shift+C", "Turn the meeting's chat off."),
    Control("stop_share", "Stop &share", Capability.STOP_SHARE, "Ctrl+Shift+X", "Stop whoever is sharing their screen."),
    Control("lock", "&Lock", Capability.LOCK, "Ctrl+L", "Lock the meeting: every later arrival is held and flagged."),
    Control("end_for_all", "&End for all…", Capability.END_FOR_ALL, "Ctrl+Shift+End", "End the meeting for everyone (asks first)."),
)

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
    AlarmKind.MAY_HAVE_MISSED: "Arrivals may have been missed",
}


@dataclass(frozen=True)
class BannerItem:
    """One thing on the alarm banner: an alarm, or a warning from the session's clocks or channel."""

    icon: str
    title: str
    message: str
    participant_id: str | None = None


@dataclass(frozen=True)
class ManualStep:
    step: str
    command_id: str | None
    participant_id: str | None


AUTOPILOT_ON = "Autopilot ON – admitting consented pupils and staff as they arrive; stops at lock"
AUTOPILOT_LOCKED = "Autopilot ON – the meeting is locked, so nobody more is admitted automatically"


def channel_words(channel: str, *, rehearsal: bool) -> tuple[str, str, str]:
    """(indicator text, icon key, explanation) for the control channel in use."""
    if channel == "assistant":
        text, icon = "Host assistant", "pass"
        why = "zoomhost's host assistant is in the meeting as co-host and carries out each control."
    else:
        text, icon = "REST only", "warn"
        why = (
            "No host assistant is connected. Zoom's API can end the meeting; every other control "
            "shows the exact step to take in the Zoom client, then asks you to confirm it."
        )
    if rehearsal:
        return f"Rehearsal — {text[0].lower() + text[1:] if text.startswith('Host') else text}", icon, (
            "A simulated Zoom: nothing reaches a real meeting. " + why
        )
    return text, icon, why


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
        self.icon = QLabel(self)
        self.text = QLabel(self)
        self.text.setObjectName("alarmBanner")
        self.text.setTextFormat(Qt.TextFormat.PlainText)  # an alarm quotes a stranger's name: text only
        self.text.setWordWrap(True)
        self.text.setAccessibleName("Alarm")
        self.count = QLabel(self)
        self.count.setAccessibleName("Alarms not yet seen")
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


class ManualStepPanel(QFrame):
    """A control zoomhost cannot do itself: the exact Zoom step, and Done in Zoom to journal it."""

    done = Signal(object)  # the ManualStep the teacher confirmed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Do this in Zoom")
        layout = QHBoxLayout(self)
        self.icon = QLabel(self)
        self.text = QLabel(self)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.text.setAccessibleName("Step to do in Zoom")
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.done_button = action_button(
            "&Done in Zoom",
            tooltip="You did this step in the Zoom client: record it in the session's journal (Ctrl+Shift+D)",
            parent=self,
        )
        self.skip_button = action_button("Not done", tooltip="Leave this step; nothing is recorded", parent=self)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.done_button)
        layout.addWidget(self.skip_button)
        self._steps: list[tuple[ManualStep, str]] = []
        self.done_button.clicked.connect(self._confirm)
        self.skip_button.clicked.connect(self._skip)
        QShortcut(QKeySequence("Ctrl+Shift+D"), self, activated=self.done_button.click)
        self.hide()

    @property
    def steps(self) -> list[ManualStep]:
        return [step for step, _ in self._steps]

    def add(self, step: ManualStep, *, who: str = "") -> None:
        self._steps.append((step, who))
        self._render()

    def _render(self) -> None:
        if not self._steps:
            self.hide()
            return
        step, who = self._steps[0]
        size = self.fontMetrics().height() + 4
        self.icon.setPixmap(status_icon("warn").pixmap(size, size))
        more = len(self._steps) - 1
        text = step.step + (f" — for {who}" if who else "") + (f"   ({more} more after this)" if more else "")
        self.text.setText(text)
        self.show()

    def _confirm(self) -> None:
        if self._steps:
            step, _ = self._steps.pop(0)
            self._render()
            self.done.emit(step)

    def _skip(self) -> None:
        if self._steps:
            self._steps.pop(0)
            self._render()


CHECK_WORDS = {
    StartCheckId.ADULT_PRESENT: "Adult with each pupil: confirmed for all",
    StartCheckId.CHAT_CLOSED: "Chat closed",
    StartCheckId.NO_SCREEN_SHARING: "No screen sharing",
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
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 2, 8, 2)
        self.boxes: dict[StartCheckId, QCheckBox] = {}
        for check in START_CHECKS:
            box = QCheckBox(CHECK_WORDS[check.id], self)
            box.setAccessibleName(check.title)
            box.clicked.connect(lambda on, key=check.id: self._ticked(key, on))
            self.boxes[check.id] = box
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
            row.addSpacing(12)
        row.addStretch()
        self.clock = QLabel(self)
        self.clock.setObjectName("sessionClock")
        self.clock.setAccessibleName("Session time")
        self.clock.setTextFormat(Qt.TextFormat.PlainText)
        row.addWidget(self.clock)
        self.view: StartChecksView | None = None
        self._pending: set[str] = set()

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
        return self.view is not None and self.view.state(check_id).done

    def settle(self, key: str) -> None:
        """A confirmation came back (done or refused): the journal's state decides the box again."""
        self._pending.discard(key)
        if self.view is not None:
            self.show_view(self.view)

    def show_view(self, view: StartChecksView, *, running: bool = True) -> None:
        self.view = view
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
        offered = view.per_pupil and not adult.done
        self.pupils_button.setVisible(offered)
        if not offered:
            return
        confirmed = set(adult.pupils_confirmed)
        self.pupils_button.setText(f"Per pupil ({len(confirmed & {label for _, label in view.pupils})} of {len(view.pupils)})…")
        self.pupils_button.setEnabled(running)
        self.pupils_menu.clear()
        for participant_id, label in view.pupils:
            action = self.pupils_menu.addAction(label)
            action.setCheckable(True)
            done = label in confirmed
            action.setChecked(done)
            action.setEnabled(not done and participant_id not in self._pending)
            action.setData(participant_id)
            action.triggered.connect(lambda _=False, pid=participant_id: self._pupil_ticked(pid))

    def show_clock(self, reading: TimerReading | None) -> None:
        if reading is None:
            self.clock.clear()
            return
        words = {TimerStage.RUNNING: "", TimerStage.REACHED: " — planned length reached", TimerStage.EXCEEDED: " — over time"}
        colour = {TimerStage.RUNNING: "", TimerStage.REACHED: "#b86e00", TimerStage.EXCEEDED: "#b00020"}[reading.stage]
        self.clock.setText(f"Session time {reading.clock_text}{words[reading.stage]}")
        self.clock.setStyleSheet(f"color: {colour}; font-weight: bold;" if colour else "")
        self.clock.setToolTip(reading.message)
        self.clock.setAccessibleDescription(reading.message)


class LivePage(QWidget):
    """The waiting room, the counts, the host's controls and the alarms, for one running session."""

    session_started = Signal(object)  # the LiveController (for the start-of-session checks and the timer)
    session_ended = Signal(str)  # the session id, once the meeting has ended
    alarm_raised = Signal(object)  # the Alarm
    command_finished = Signal(str, object)  # (control key, its result)

    def __init__(self, *, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Live panel")
        self._services = services
        self._runner = services.runner
        self._connection: Connection | None = None
        self.controller: LiveController | None = None
        self._run: ScenarioRun | None = None
        self._launcher: AssistantLauncher | None = None
        self._session_id = ""
        self._expected = 0
        self._rehearsal = False
        self._locked = False
        self._ended = False
        self._starting = False
        self._capabilities: dict[Capability, CapabilityInfo] = {}
        self._panic_installed = False
        self._inflight: list[concurrent.futures.Future[Any]] = []
        self._scenario_meetings: dict[str, str] = {}
        self._planned = 30
        self._speed = 1.0
        self._autopilot_on = False
        self._session: StartedSession | None = None

        self.bridge = SessionBridge(self)
        self.bridge.changes_arrived.connect(self._take_changes)
        self.model = ArrivalsTableModel(self)
        self.proxy = ArrivalsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.set_states(STATE_FILTERS["present"][1])

        layout = QVBoxLayout(self)
        self._heading = QHBoxLayout()  # the panic button joins the heading: top right, on every layout width
        self._heading.addWidget(QLabel("<h2>Live panel</h2>", self))
        self._heading.addStretch()
        layout.addLayout(self._heading)
        layout.addWidget(self._session_box())
        self.banner = AlarmBanner(self)
        self.banner.show_participant.connect(self.select_participant)
        layout.addWidget(self.banner)
        self.steps = ManualStepPanel(self)
        self.steps.done.connect(self._step_done)
        layout.addWidget(self.steps)
        self.autopilot_strip = QLabel(AUTOPILOT_ON, self)
        self.autopilot_strip.setObjectName("autopilotStrip")
        self.autopilot_strip.setStyleSheet(
            "#autopilotStrip { background: #1f5fa8; color: white; font-weight: bold; padding: 6px; }"
        )
        self.autopilot_strip.setWordWrap(True)
        self.autopilot_strip.setAccessibleName("Autopilot is on")
        self.autopilot_strip.hide()
        layout.addWidget(self.autopilot_strip)
        self.start_checks = StartChecksPanel(self)
        self.start_checks.confirm_requested.connect(self._confirm_start_check)
        self.start_checks.confirm_pupil_requested.connect(self._confirm_adult_with)
        self.start_checks.hide()
        layout.addWidget(self.start_checks)
        layout.addLayout(self._status_row())
        layout.addLayout(self._filter_row())
        layout.addWidget(self._table(), 1)
        layout.addLayout(self._control_rows())
        self.busy = BusyIndicator(self)
        layout.addWidget(self.busy)
        self.messages = MessagePanel(self, name="Live panel messages")
        layout.addWidget(self.messages)

        self._countdown = QTimer(self)
        self._countdown.setInterval(500)
        self._countdown.timeout.connect(self._tick)
        self._checks_due = QTimer(self)  # re-read the checks after a burst of changes, not after each one
        self._checks_due.setSingleShot(True)
        self._checks_due.setInterval(700)
        self._checks_due.timeout.connect(self._refresh_start_checks)
        self._update_controls()

    # -- building the page -----------------------------------------------------------------------

    def _session_box(self) -> QGroupBox:
        box = QGroupBox("Session", self)
        box.setAccessibleName("Start or join a session")
        rows = QVBoxLayout(box)
        row, second = QHBoxLayout(), QHBoxLayout()
        rows.addLayout(row)
        rows.addLayout(second)
        meeting_label = QLabel("Mee&ting:", box)
        self.meetings = QComboBox(box)
        self.meetings.setAccessibleName("Meeting to host")
        self.meetings.setAccessibleDescription("Today's meetings first, then the host's other upcoming meetings")
        self.meetings.setMinimumContentsLength(30)
        self.meetings.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.meetings.setPlaceholderText("Connecting to Zoom…")
        meeting_label.setBuddy(self.meetings)
        self.reload_button = action_button("Reload", tooltip="Ask Zoom again for the host's meetings (F5)", parent=box)
        self.scenario_label = QLabel("Sce&nario:", box)
        self.scenarios = QComboBox(box)
        self.scenarios.setAccessibleName("Rehearsal scenario")
        self.scenarios.setAccessibleDescription("Who arrives in the rehearsal: a whole-school assembly or one class")
        self.scenarios.addItem("Assembly (272 pupils)", "assembly")
        self.scenarios.addItem("Class (30 pupils)", "class")
        self.scenario_label.setBuddy(self.scenarios)
        self.speed_label = QLabel("S&peed:", box)
        self.speed = QDoubleSpinBox(box)
        self.speed.setAccessibleName("Rehearsal speed")
        self.speed.setAccessibleDescription("1 plays the rehearsal in real time; 10 plays it ten times faster")
        self.speed.setRange(0.5, 1000.0)
        self.speed.setDecimals(1)
        self.speed.setValue(1.0)
        self.speed.setSuffix("×")
        self.speed.lineEdit().setAccessibleName("Rehearsal speed")  # the part a screen reader lands on
        self.speed_label.setBuddy(self.speed)
        self.start_button = action_button(
            "&Start session", tooltip="Start hosting this meeting: arrivals appear below (Ctrl+Shift+N)", parent=box
        )
        self.session_label = QLabel("No session running.", box)
        self.session_label.setAccessibleName("Session")
        self.session_label.setTextFormat(Qt.TextFormat.PlainText)
        self.session_label.setWordWrap(True)
        self.session_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widens the window
        row.addWidget(meeting_label)
        row.addWidget(self.meetings, 1)
        row.addWidget(self.reload_button)
        row.addWidget(self.start_button)
        for widget in (self.scenario_label, self.scenarios, self.speed_label, self.speed):
            second.addWidget(widget)
        second.addSpacing(12)
        second.addWidget(self.session_label, 1)
        self._show_rehearsal_choices(False)
        self.reload_button.clicked.connect(self.reload_meetings)
        self.start_button.clicked.connect(self.start_session)
        self.scenarios.currentIndexChanged.connect(self._scenario_changed)
        QShortcut(QKeySequence("F5"), self, activated=self.reload_button.click)
        QShortcut(QKeySequence("Ctrl+Shift+N"), self, activated=self.start_button.click)
        return box

    def _status_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.channel_icon = QLabel(self)
        self.channel_label = QLabel("Control: not connected", self)
        self.channel_label.setAccessibleName("Control channel")
        row.addWidget(self.channel_icon)
        row.addWidget(self.channel_label)
        row.addSpacing(16)
        self.count_labels: dict[str, QLabel] = {}
        for key, words in (
            ("waiting", "Waiting"),
            ("admitted", "Admitted"),
            ("held", "Held"),
            ("consented_not_arrived", "Consented, not yet arrived"),
        ):
            label = QLabel(f"{words}: 0", self)
            label.setAccessibleName(words)
            self.count_labels[key] = label
            row.addWidget(label)
            row.addSpacing(12)
        row.addStretch()
        self.autopilot_button = action_button(
            "A&utopilot: off",
            accessible="Autopilot",
            tooltip="When on, consented pupils and staff are admitted as they arrive and everyone else waits; "
            "it stops admitting at the lock (Ctrl+Shift+P)",
            parent=self,
        )
        self.autopilot_button.setCheckable(True)
        self.autopilot_button.clicked.connect(self._autopilot_clicked)
        QShortcut(QKeySequence("Ctrl+Shift+P"), self, activated=self.autopilot_button.click)
        row.addWidget(self.autopilot_button)
        return row

    def _filter_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel("Verdict:", self))
        self.filter_group = QButtonGroup(self)
        self.filter_group.setExclusive(True)
        self.filter_buttons: dict[str, QPushButton] = {}
        for n, (key, (words, _)) in enumerate(VERDICT_FILTERS.items(), start=1):
            button = action_button(
                words, accessible=f"Show {words.lower()}", tooltip=f"Show only this verdict (Alt+{n})", parent=self
            )
            button.setCheckable(True)
            button.setChecked(key == "all")
            self.filter_group.addButton(button)
            self.filter_buttons[key] = button
            button.clicked.connect(lambda _=False, k=key: self.set_verdict_filter(k))
            QShortcut(QKeySequence(f"Alt+{n}"), self, activated=button.click)
            row.addWidget(button)
        row.addSpacing(16)
        where = QLabel("Sho&w:", self)
        self.state_filter = QComboBox(self)
        self.state_filter.setAccessibleName("Show who")
        for key, (words, _) in STATE_FILTERS.items():
            self.state_filter.addItem(words, key)
        where.setBuddy(self.state_filter)
        self.state_filter.currentIndexChanged.connect(
            lambda _: self.proxy.set_states(STATE_FILTERS[self.state_filter.currentData()][1])
        )
        row.addWidget(where)
        row.addWidget(self.state_filter)
        row.addStretch()
        return row

    def _table(self) -> QTableView:
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Waiting room and meeting")
        self.table.setAccessibleDescription("Everyone who arrived, with the register's verdict; select a row to admit, hold or remove")
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(Column.TIME, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        em = self.fontMetrics().horizontalAdvance("M")
        for column, width in ((Column.TIME, 6), (Column.NAME, 16), (Column.VERDICT, 13), (Column.PUPIL, 14), (Column.STATE, 12)):
            header.resizeSection(column, width * em)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_controls())
        return self.table

    def _control_rows(self) -> QVBoxLayout:
        rows = QVBoxLayout()
        top, bottom = QHBoxLayout(), QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for control in CONTROLS:
            button = action_button(control.text, parent=self)
            button.clicked.connect(lambda _=False, key=control.key: self.trigger(key))
            QShortcut(QKeySequence(control.shortcut), self, activated=button.click)
            self.buttons[control.key] = button
            (top if control.key in ("admit", "admit_all", "hold", "remove") else bottom).addWidget(button)
        top.addStretch()
        bottom.addStretch()
        self.panic_button = QPushButton("END NOW (panic: Ctrl+Shift+E or F12)", self)
        self.panic_button.setObjectName("panicButton")
        self.panic_button.setAccessibleName("Panic: end the meeting for everyone now")
        self.panic_button.setAccessibleDescription(
            "Ends the meeting for everyone at once, without asking. Keys: Ctrl+Shift+E or F12, from any page."
        )
        self.panic_button.setToolTip("Ends the meeting for everyone at once, without asking (Ctrl+Shift+E or F12)")
        self.panic_button.clicked.connect(self.panic)
        self._heading.addWidget(self.panic_button)
        rows.addLayout(top)
        rows.addLayout(bottom)
        self._present_capabilities()
        return rows

    def showEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt's signature
        super().showEvent(event)
        self._install_panic_key()
        if self._connection is None and not self.meetings.count():
            self.reload_meetings()

    def _install_panic_key(self) -> None:
        """The panic key belongs to the whole window: it works whichever page is showing."""
        if self._panic_installed:
            return
        self._panic_installed = True
        window = self.window()
        for key in PANIC_KEYS:
            shortcut = QShortcut(QKeySequence(key), window)
            shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
            shortcut.activated.connect(self.panic)

    # -- meetings and starting -------------------------------------------------------------------

    def _show_rehearsal_choices(self, rehearsal: bool) -> None:
        for widget in (self.scenario_label, self.scenarios, self.speed_label, self.speed):
            widget.setVisible(rehearsal)

    def reload_meetings(self) -> None:
        """Connect (if not yet) and list the host's meetings, today's first; in rehearsal, the scenarios' too."""
        services = self._services

        async def listing() -> tuple[Connection, list[tuple[str, str]], dict[str, str]]:
            connection = await services.connected()
            meetings = await connection.zoom.list_upcoming_meetings(user_id=connection.host_user())
            scenario_meetings: dict[str, str] = {}
            if connection.rehearsal is not None:
                state = connection.rehearsal.state
                scenario_meetings = {"assembly": str(state.assembly_meeting_id), "class": str(state.class_meeting_id)}
            return connection, _meeting_choices(meetings), scenario_meetings

        run_task(
            self,
            self._runner,
            listing,
            doing="listing the host's meetings",
            busy=self.busy,
            messages=self.messages,
            success=self._meetings_listed,
        )

    def _meetings_listed(self, found: tuple[Connection, list[tuple[str, str]], dict[str, str]]) -> None:
        connection, choices, scenario_meetings = found
        self._connection = connection
        self._rehearsal = connection.is_rehearsal
        self._scenario_meetings = scenario_meetings
        current = self.meetings.currentData()
        self.meetings.clear()
        for label, meeting_id in choices:
            self.meetings.addItem(label, meeting_id)
        self.meetings.setPlaceholderText("No upcoming meetings")
        if current:
            self.meetings.setCurrentIndex(max(0, self.meetings.findData(current)))
        self._show_rehearsal_choices(self._rehearsal)
        self._scenario_changed()
        self._update_controls()

    def _scenario_changed(self, *_: object) -> None:
        """In rehearsal the scenario plays into its own meeting: select it and keep it."""
        meeting = self._scenario_meetings.get(self.scenarios.currentData() or "")
        if self._rehearsal and meeting:
            index = self.meetings.findData(meeting)
            if index >= 0:
                self.meetings.setCurrentIndex(index)
        self.meetings.setEnabled(not self._rehearsal)

    def start_session(self) -> None:
        """Start hosting the chosen meeting (in rehearsal, start playing the chosen scenario)."""
        if self.controller is not None and not self._ended:
            self.messages.show_message("warn", "A session is already running: end it before starting another.")
            return
        meeting_id = self.meetings.currentData()
        if not meeting_id:
            self.messages.show_message("warn", "Choose a meeting first (press Reload if the list is empty).")
            return
        scenario_name = self.scenarios.currentData() if self._rehearsal else None
        speed = float(self.speed.value()) if self._rehearsal else 1.0
        services = self._services
        bridge = self.bridge

        def deliver(update: LiveUpdate) -> None:
            bridge.deliver(update.changes)

        self._reset_for_new_session()
        self._starting = True
        self._update_controls()

        async def begin() -> StartedSession:
            return await begin_session(
                services, meeting_id=str(meeting_id), scenario=scenario_name, speed=speed, listener=deliver
            )

        def failed(error: BaseException) -> None:
            self._starting = False
            self._update_controls()
            self.messages.show_error(error, doing="starting the session")

        self.busy.begin("Starting the session…")

        def done(started: StartedSession) -> None:
            self.busy.end("Starting the session…")
            self._started(started)

        def not_started(error: BaseException) -> None:
            self.busy.end("Starting the session…")
            failed(error)

        from zoomhost.ui.tasks import Task

        Task(self, self._runner, begin).success(done).failure(not_started).start()

    def _reset_for_new_session(self) -> None:
        self.model.load([])
        self.controller = None
        self._session = None
        self._ended = False
        self._locked = False
        self._session_id = ""
        self.messages.clear()
        self.start_checks.hide()
        self.start_checks.show_clock(None)
        self._show_autopilot(False)

    def _started(self, started: StartedSession) -> None:
        state = started.state
        self._session = started
        self._starting = False
        self.controller = started.controller
        self._run = started.run
        self._launcher = started.launcher
        self._session_id = started.session_id
        self._expected = started.controller.session.expected_pupils
        self._rehearsal = state.rehearsal
        self._locked = self._locked or state.locked
        self._planned = state.planned_minutes
        self._speed = state.time_scale
        self.autopilot_button.setChecked(state.autopilot)
        self._show_autopilot(state.autopilot)
        self.start_checks.show_view(started.checks)
        self.start_checks.show()
        self._show_clock()
        self._capabilities = dict(state.capabilities)
        self._present_capabilities(channel=state.channel)
        self.session_label.setText(f"Hosting: {state.topic or 'meeting'}")
        if started.register_size == 0:
            self.messages.show_message(
                "warn",
                "The register is empty, so nobody can be recognised: import it on the Register page"
                + (" (the practice register, in rehearsal)." if self._rehearsal else "."),
            )
        self._countdown.start()
        self._update_counts()
        self._update_controls()
        self.session_started.emit(started.controller)

    # -- news from the engine --------------------------------------------------------------------

    def _take_changes(self, changes: list[SessionChange | Arrival]) -> None:
        """One batch from the engine, on the GUI thread: rows, alarms, notes, the end."""
        self.model.apply_changes(changes)
        ended = False
        for change in changes:
            if isinstance(change, Arrival):
                continue
            if change.alarm is not None:
                self._alarm(change.alarm)
            kind = change.kind
            if kind is JournalKind.LOCK:
                self._locked = True
            elif kind is JournalKind.UNLOCK:
                self._locked = False
            elif kind in (JournalKind.END, JournalKind.SESSION_ENDED):
                ended = True
            elif kind is JournalKind.NOTE:
                self._note(change)
        self._update_counts()
        self._update_controls()
        if self._autopilot_on:
            self._show_autopilot(True)  # the strip says when the lock has stopped it
        if self._start_checks_moved(changes) and not self._checks_due.isActive():
            self._checks_due.start()
        if ended and not self._ended:
            self._finish_session()

    def _alarm(self, alarm: Alarm) -> None:
        self.banner.raise_item(
            BannerItem(
                icon=ALARM_ICONS.get(alarm.kind, "fail"),
                title=ALARM_TITLES.get(alarm.kind, "Alarm"),
                message=alarm.message,
                participant_id=alarm.participant_id,
            )
        )
        self.alarm_raised.emit(alarm)

    def _note(self, change: SessionChange) -> None:
        from zoomhost.live.engine import LiveNote, note_of

        note = note_of(change)
        detail = change.entry.detail
        if note is LiveNote.MANUAL_STEP:
            pid = detail.get("participant_id")
            row = self.model.row_of(str(pid)) if pid else None
            who = shown_name(self.model.arrival(row).display_name, limit=40) if row is not None else ""
            self.steps.add(ManualStep(str(detail.get("step", "")), detail.get("command_id"), pid), who=who)
        elif note is LiveNote.CHANNEL:
            self._refresh_capabilities()
            message = str(detail.get("message", ""))
            if detail.get("state") in ("fallen_back", "events_lost"):
                self.banner.raise_item(BannerItem("warn", "Control channel", message))
            elif message:
                self.messages.show_message("pass", message)
        elif note is LiveNote.TIMER:
            self.banner.raise_item(BannerItem("warn", "Session time", str(detail.get("message", ""))))
        elif note is LiveNote.AUTOPILOT:
            on = bool(detail.get("on"))
            self.autopilot_button.setChecked(on)
            self._show_autopilot(on)
        elif note is LiveNote.RESUMED:
            self.messages.show_message("warn", str(detail.get("message", "")))

    def _refresh_capabilities(self) -> None:
        controller = self.controller
        if controller is None:
            return

        async def read() -> tuple[dict[Capability, CapabilityInfo], str]:
            return controller.capabilities(), controller.channel.name

        def got(found: tuple[dict[Capability, CapabilityInfo], str]) -> None:
            self._capabilities = found[0]
            self._present_capabilities(channel=found[1])
            self._update_controls()

        from zoomhost.ui.tasks import Task

        Task(self, self._runner, read).success(got).start()

    def _finish_session(self) -> None:
        self._ended = True
        self._countdown.stop()
        self._show_autopilot(False)
        self._refresh_start_checks()
        window = self.window()
        if hasattr(window, "set_channel"):  # no channel carries anything once the meeting has ended
            ended = "rehearsal, meeting ended" if self._rehearsal else "meeting ended"
            window.set_channel(ended, tooltip="Start a session on the Live page to host the next meeting.")
        self.session_label.setText("The meeting has ended.")
        self.messages.show_message("pass", "The meeting has ended for everyone. The summary is ready on the Summary page.")
        started = self._session
        if started is not None:
            inflight, self._inflight = self._inflight, []

            from zoomhost.ui.tasks import Task

            Task(self, self._runner, lambda: finish_session(started, unfinished=inflight)).failure(
                lambda err: log.warning("closing the session: %s", err)
            ).start()
        self._update_controls()
        self.session_ended.emit(self._session_id)

    # -- the controls ----------------------------------------------------------------------------

    def selected(self) -> Arrival | None:
        """The participant selected in the table, as the model has them now."""
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return rows[0].data(Role.ARRIVAL)

    def select_participant(self, participant_id: str) -> None:
        """Select (and scroll to) a participant's row, widening the filters if they are hidden."""
        row = self.model.row_of(participant_id)
        if row is None:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            self.filter_buttons["all"].click()
            self.state_filter.setCurrentIndex(self.state_filter.findData("everyone"))
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectionModel().select(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.table.scrollTo(index)

    def set_verdict_filter(self, key: str) -> None:
        self.filter_buttons[key].setChecked(True)
        self.proxy.set_verdicts(VERDICT_FILTERS[key][1])

    def trigger(self, key: str) -> None:
        """What a control's button (or its key) does; destructive ones ask first."""
        controller = self.controller
        if controller is None or self._ended:
            return
        person = self.selected()
        if key == "admit" and person is not None:
            if person.verdict.admissible:
                self._send(key, lambda: controller.admit(person.participant_id))
            else:
                verdict = VERDICT_WORDS.get(person.verdict, person.verdict.value)
                confirm(
                    self,
                    title="Admit someone the register does not allow?",
                    text=f"“{shown_name(person.display_name)}” is {verdict.lower()}. Admit them anyway?",
                    details="; ".join(person.reasons) or "",
                    action="Admit anyway",
                    on_confirm=lambda: self._send(key, lambda: controller.admit(person.participant_id)),
                    destructive=True,
                )
        elif key == "admit_all":
            self._send(key, controller.admit_all_consented)
        elif key == "hold" and person is not None:
            self._send(key, lambda: controller.hold(person.participant_id))
        elif key == "remove" and person is not None:
            confirm(
                self,
                title="Remove from the meeting?",
                text=f"Remove “{shown_name(person.display_name)}” from the meeting?",
                details="They are sent out of the meeting. Check first if they might be a pupil on another device.",
                action="Remove",
                on_confirm=lambda: self._send(key, lambda: controller.remove(person.participant_id)),
                destructive=True,
            )
        elif key == "mute_all":
            self._send(key, controller.mute_all)
        elif key == "chat_off":
            self._send(key, controller.chat_off)
        elif key == "stop_share":
            self._send(key, controller.stop_share)
        elif key == "lock":
            self._send(key, controller.unlock if self._locked else controller.lock)
        elif key == "end_for_all":
            confirm(
                self,
                title="End the meeting for everyone?",
                text="End the meeting for everyone now?",
                details="Every pupil and member of staff leaves the meeting. For an emergency, the panic key "
                "(Ctrl+Shift+E or F12) ends it at once without this question.",
                action="End for all",
                on_confirm=lambda: self._send(key, controller.end_for_all),
                destructive=True,
            )

    def panic(self) -> None:
        """End the meeting for everyone now: no question, no queue."""
        controller = self.controller
        if controller is None or self._ended:
            if self.controller is None:
                self.messages.show_message(
                    "warn", "No session is running here. To end a meeting in Zoom: End ▸ End meeting for all."
                )
            return
        from zoomhost.ui.tasks import Task

        task = Task(self, self._runner, controller.panic).success(lambda r: self._finished("panic", r))
        task.failure(lambda err: self.messages.show_error(err, doing="ending the meeting")).start()
        self._track(task)
        self.messages.show_message("warn", "Ending the meeting for everyone…")

    def _track(self, task: Any) -> None:
        self._inflight = [future for future in self._inflight if not future.done()]
        if task.future is not None:
            self._inflight.append(task.future)

    def _send(self, key: str, command: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        task = run_task(
            self,
            self._runner,
            command,
            doing=_DOING.get(key, "sending that to Zoom"),
            busy=self.busy,
            messages=self.messages,
            success=lambda result: self._finished(key, result),
        )
        self._track(task)

    def _finished(self, key: str, result: Any) -> None:
        """Say how a command went (a Zoom step is already on the steps panel)."""
        if isinstance(result, CommandResult):
            if result.ok:
                self.messages.show_message("pass", result.message or "Done.")
            elif not result.manual_step:
                self.messages.show_message("fail", result.message or "Zoom did not do that.")
        elif hasattr(result, "asked"):  # admit-all's outcome
            if result.asked == 0:
                self.messages.show_message("warn", "Nobody waiting may be admitted by Admit all consented.")
            elif result.manual:
                self.messages.show_message("warn", f"Admit {result.manual} people in Zoom, one by one: the steps are shown above.")
            else:
                words = f"Admitted {result.admitted} of {result.asked}."
                if result.failed:
                    why = sorted({r.message for r in result.results if not r.ok and r.message})
                    words += f" {result.failed} not admitted" + (f": {'; '.join(why[:2])}" if why else ".")
                kind = "pass" if not result.failed else "warn" if result.admitted else "fail"  # someone who left is no emergency
                self.messages.show_message(kind, words)
        self.command_finished.emit(key, result)

    def _step_done(self, step: ManualStep) -> None:
        controller = self.controller
        if controller is None:
            return
        self._send("manual_step", lambda: controller.confirm_manual_step(step.step, command_id=step.command_id))

    def _autopilot_clicked(self, checked: bool) -> None:
        controller = self.controller
        if controller is None:
            self.autopilot_button.setChecked(False)
            return
        self._show_autopilot(checked)
        self._send("autopilot", lambda: controller.set_autopilot(checked))

    def _show_autopilot(self, on: bool) -> None:
        self._autopilot_on = on
        self.autopilot_button.setText("A&utopilot: ON" if on else "A&utopilot: off")
        self.autopilot_button.setAccessibleDescription(
            "On: consented pupils and staff are admitted as they arrive" if on else "Off: nobody is admitted without your click"
        )
        running = self.controller is not None and not self._ended
        words = AUTOPILOT_LOCKED if self._locked else AUTOPILOT_ON
        if self.autopilot_strip.text() != words:
            self.autopilot_strip.setText(words)
            self.autopilot_strip.setAccessibleDescription(words)
        self.autopilot_strip.setVisible(on and running)

    # -- start-of-session checks and the session clock ------------------------------------------

    def _confirm_start_check(self, check_id: str) -> None:
        self._tick_start_check(check_id, lambda started: confirm_start_check(started, check_id))

    def _confirm_adult_with(self, participant_id: str) -> None:
        self._tick_start_check(participant_id, lambda started: confirm_adult_with(started, participant_id))

    def _tick_start_check(self, key: str, tick: Callable[[StartedSession], Coroutine[Any, Any, StartChecksView]]) -> None:
        """Journal one tick on the I/O thread (where the session lives), then show the journal's word on it."""
        started = self._session
        if started is None or self._ended:
            self.start_checks.settle(key)
            return

        def work() -> Coroutine[Any, Any, StartChecksView]:
            return tick(started)

        def done(view: StartChecksView) -> None:
            self.start_checks.view = view
            self.start_checks.settle(key)

        task = run_task(
            self,
            self._runner,
            work,
            doing="recording the check",
            busy=self.busy,
            messages=self.messages,
            success=done,
            after=lambda: self.start_checks.settle(key),
        )
        self._track(task)

    def _start_checks_moved(self, changes: list[SessionChange | Arrival]) -> bool:
        """Whether a batch can change the checks: a step confirmed, chat or sharing closed by the assistant,
        or (while the adult check may go pupil by pupil) who is in the meeting. Reading them means reading
        the journal: not after every one of an assembly's arrivals."""
        if self.controller is None:
            return False
        if any(not isinstance(c, Arrival) and c.kind in _CHECK_KINDS for c in changes):
            return True
        view = self.start_checks.view
        if view is None or view.state(StartCheckId.ADULT_PRESENT).done:
            return False
        present = sum(
            1
            for row in self.model.arrivals()
            if row.state is ParticipantState.IN_MEETING and row.verdict is Verdict.CONSENTED and row.pupil_label
        )
        moved = present != len(view.pupils) and (present <= PER_PUPIL_LIMIT or view.per_pupil)
        return moved

    def _refresh_start_checks(self) -> None:
        started = self._session
        if started is None:
            return
        running = not self._ended

        def read() -> Coroutine[Any, Any, StartChecksView]:
            return read_start_checks(started)

        from zoomhost.ui.tasks import Task

        Task(self, self._runner, read).success(lambda view: self.start_checks.show_view(view, running=running)).failure(
            lambda err: log.warning("reading the start-of-session checks: %s", err)
        ).start()

    def _show_clock(self) -> None:
        """The session's time against its planned length (in a rehearsal, at the rehearsal's speed)."""
        controller = self.controller
        if controller is None:
            self.start_checks.show_clock(None)
            return
        from zoomhost.core.journal import utc_now

        origin = controller.clocks_from
        now = origin + (utc_now() - origin) * self._speed
        try:
            timer = SessionTimer(started_at=origin, planned_minutes=self._planned)
        except ValueError:  # a planned length zoomhost cannot time: show no clock rather than a wrong one
            self.start_checks.show_clock(None)
            return
        self.start_checks.show_clock(timer.reading(now))

    # -- what the controls say -------------------------------------------------------------------

    def _present_capabilities(self, *, channel: str | None = None) -> None:
        """Label, explain and enable each button from what the channel can do."""
        caps = self._capabilities
        for control in CONTROLS:
            button = self.buttons[control.key]
            info = caps.get(control.capability) if control.capability else None
            base = control.text
            if control.key == "lock" and self._locked:
                base = "Un&lock"
            explanation = control.explanation
            if info is not None and not info.available:
                base = base.replace("…", "") + " (in Zoom)"
                explanation += f" zoomhost cannot do this now: {info.explanation} Zoom step: {info.manual_step or ''}"
            elif info is not None:
                explanation += f" {info.explanation}"
            explanation += f" Key: {control.shortcut}."
            button.setProperty("baseText", base)
            button.setToolTip(explanation)
            button.setAccessibleDescription(explanation)
        if channel is not None:
            text, icon, why = channel_words(channel, rehearsal=self._rehearsal)
            size = self.fontMetrics().height()
            self.channel_icon.setPixmap(status_icon(icon).pixmap(size, size))
            self.channel_label.setText(f"Control: {text}")
            self.channel_label.setToolTip(why)
            self.channel_label.setAccessibleDescription(why)
            window = self.window()
            if hasattr(window, "set_channel"):
                window.set_channel(text, tooltip=why)
        self._update_labels()

    def _update_labels(self) -> None:
        for control in CONTROLS:
            button = self.buttons[control.key]
            text = str(button.property("baseText") or control.text)
            if control.key == "admit_all":
                text = f"{text} ({len(self.model.admissible_waiting())})"
            elif control.key == "lock" and not self._locked:
                seconds = self.controller.seconds_until_lock() if self.controller is not None and not self._ended else None
                if seconds is not None:
                    clock = _clock(seconds)
                    text = f"{text[:-1]}; auto in {clock})" if text.endswith(" (in Zoom)") else f"{text} (auto in {clock})"
            if button.text() != text:
                button.setText(text)
                button.setAccessibleName(text.replace("&", ""))

    def _update_counts(self) -> None:
        counts = self.model.counts(expected_pupils=self._expected)
        words = {
            "waiting": ("Waiting", counts.waiting),
            "admitted": ("Admitted", counts.admitted),
            "held": ("Held", counts.held),
            "consented_not_arrived": ("Consented, not yet arrived", counts.consented_not_arrived),
        }
        for key, (text, value) in words.items():
            self.count_labels[key].setText(f"{text}: {value}")
            self.count_labels[key].setAccessibleName(f"{text}: {value}")

    def _update_controls(self) -> None:
        running = self.controller is not None and not self._ended
        person = self.selected() if running else None
        waiting = person is not None and person.state is ParticipantState.WAITING
        inside = person is not None and person.state is ParticipantState.IN_MEETING
        enabled = {
            "admit": waiting,
            "admit_all": running and bool(self.model.admissible_waiting()),
            "hold": (waiting and person is not None and not person.held) or inside,
            "remove": waiting or inside,
            "mute_all": running,
            "chat_off": running,
            "stop_share": running,
            "lock": running,
            "end_for_all": running,
        }
        if self._locked != (self.buttons["lock"].property("locked") or False):
            self.buttons["lock"].setProperty("locked", self._locked)
            self._present_capabilities()
        for key, button in self.buttons.items():
            button.setEnabled(bool(enabled[key]))
        self.panic_button.setEnabled(running)
        self.autopilot_button.setEnabled(running)
        self.start_button.setEnabled(not running and not self._starting and self.meetings.count() > 0)
        self._update_labels()

    def _tick(self) -> None:
        self._update_labels()
        self._show_clock()


_CHECK_KINDS = frozenset({JournalKind.MANUAL_STEP_CONFIRMED, JournalKind.CHAT_OFF, JournalKind.SHARE_LOCKED})

_DOING = {
    "admit": "admitting",
    "admit_all": "admitting everyone consented",
    "hold": "holding",
    "remove": "removing",
    "mute_all": "muting everyone",
    "chat_off": "turning the chat off",
    "stop_share": "stopping the screen share",
    "lock": "locking the meeting",
    "end_for_all": "ending the meeting",
    "manual_step": "recording the step done in Zoom",
    "autopilot": "switching the autopilot",
}


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.999))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _meeting_choices(meetings: list[Any]) -> list[tuple[str, str]]:
    """(label, meeting id) for each meeting, today's first, each with its time."""
    from datetime import datetime

    today = datetime.now().astimezone().date()
    dated: list[tuple[int, str, str, str]] = []
    for meeting in meetings:
        start = None
        if meeting.start_time:
            try:
                start = datetime.fromisoformat(meeting.start_time.replace("Z", "+00:00")).astimezone()
            except ValueError:
                start = None
        when = start.strftime("%H:%M") if start and start.date() == today else start.strftime("%a %d %b %H:%M") if start else "No time"
        order = 0 if start and start.date() == today else 1
        dated.append((order, start.isoformat() if start else "", f"{when} — {meeting.topic or 'Untitled meeting'}", str(meeting.id)))
    dated.sort()
    return [(label, meeting_id) for _, _, label, meeting_id in dated]
