"""The Live panel: the waiting room as it happens, the host's controls, and alarms nobody can miss.

``LivePage`` composes the parts (the session box, the alarm banner, the steps to do in Zoom,
the autopilot strip, the start-of-session checks, the status line, the table and the controls)
and shows one session the app started (``begin_session``). The engine runs on the I/O thread;
with each batch of changes the app hands over the engine's state after it (a ``LiveUpdate``)
through a ``SessionBridge``, and every part shows that state: the page keeps no copy of
anything the engine owns. Every click goes back to the engine as a coroutine on the I/O
thread; the GUI thread never touches the network or the journal.

Beside Zoom (the page narrower than ``COMPACT_WIDTH``) the page chooses its compact layout by
itself: the heading gives way to the counts beside the panic button, the session box folds to a
line while a session runs, and the table shows its essential columns; nothing is a setting.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from zoomhost.app.session import (
    LiveState,
    LiveUpdate,
    MeetingsToHost,
    Notice,
    NoticeKind,
    StartChecksView,
    StartedSession,
    begin_session,
    confirm_adult_with,
    confirm_start_check,
    do_assistant_step_in_rehearsal,
    finish_session,
    meetings_to_host,
    ready_host_assistant,
    read_start_checks,
)
from zoomhost.core.control import CommandResult
from zoomhost.core.journal import JournalKind, utc_now
from zoomhost.core.profiles import checked_against
from zoomhost.core.session import Arrival, ParticipantState
from zoomhost.ui.live.banner import AlarmBanner, BannerItem, alarm_item, still_true
from zoomhost.ui.live.bridge import SessionBridge
from zoomhost.ui.live.controls import ControlsPanel, install_panic_key
from zoomhost.ui.live.manual_steps import ManualStep, ManualStepPanel
from zoomhost.ui.live.model import ArrivalsTableModel, shown_name
from zoomhost.ui.live.session_picker import SessionPicker
from zoomhost.ui.live.start_checks import StartChecksPanel
from zoomhost.ui.live.status import AssistantStrip, AutopilotStrip, StatusRow
from zoomhost.ui.live.table import ArrivalsTable
from zoomhost.ui.tasks import Task
from zoomhost.ui.text import heading as page_heading
from zoomhost.ui.text import one_line
from zoomhost.ui.widgets import BusyIndicator, MessagePanel, run_task

if TYPE_CHECKING:
    from zoomhost.app.services import Services

log = logging.getLogger(__name__)

COMPACT_WIDTH = 760  # narrower than this (a 560-pixel window beside Zoom), the page lays itself out compactly

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
    "assistant_step": "having the rehearsal Zoom admit the host assistant",
    "alarm_seen": "recording that the alarm was seen",
}


class LivePage(QWidget):
    """The waiting room, the counts, the host's controls and the alarms, for one running session."""

    session_started = Signal(object)  # the LiveController (for the start-of-session checks and the timer)
    session_ended = Signal(str)  # the session id, once the meeting has ended
    retention_ran = Signal(object)  # what retention removed once the session closed (a RetentionRun, or None)
    alarm_raised = Signal(object)  # the Alarm
    command_finished = Signal(str, object)  # (control key, its result)

    def __init__(self, *, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Live panel")
        self._services = services
        self._runner = services.runner
        self.session: StartedSession | None = None  # the session this page hosts (or hosted last)
        self.state: LiveState | None = None  # the engine's newest state for it, as the app handed it over
        self._starting = False
        self._panic_installed = False
        self._inflight: list[concurrent.futures.Future[Any]] = []

        self.bridge = SessionBridge(self)
        self.bridge.update_arrived.connect(self._take_update)
        self.model = ArrivalsTableModel(self)

        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        self._layout = layout
        heading = QHBoxLayout()  # the panic button joins the heading: top right, on every layout width
        self._heading = heading
        self.heading = page_heading("Live panel", self)
        heading.addWidget(self.heading)
        heading.addStretch()
        layout.addLayout(heading)
        self.picker = SessionPicker(self)
        self.picker.reload_requested.connect(self.reload_meetings)
        self.picker.start_requested.connect(self.start_session)
        layout.addWidget(self.picker)
        self.banner = AlarmBanner(self)
        self.banner.show_participant.connect(self.select_participant)
        self.banner.acknowledged.connect(self._alarm_seen)
        layout.addWidget(self.banner)
        self.steps = ManualStepPanel(self)
        self.steps.done.connect(self._step_done)
        layout.addWidget(self.steps)
        self.assistant_strip = AssistantStrip(self)
        self.assistant_strip.rehearsal_step_requested.connect(self._assistant_step_in_rehearsal)
        layout.addWidget(self.assistant_strip)
        self.autopilot_strip = AutopilotStrip(self)
        layout.addWidget(self.autopilot_strip)
        self.start_checks = StartChecksPanel(self)
        self.start_checks.confirm_requested.connect(self._confirm_start_check)
        self.start_checks.confirm_pupil_requested.connect(self._confirm_adult_with)
        self.start_checks.hide()
        layout.addWidget(self.start_checks)
        self.status = StatusRow(self)
        self.status.autopilot_switched.connect(self._switch_autopilot)
        layout.addWidget(self.status)
        self.arrivals = ArrivalsTable(self.model, self)
        self.arrivals.selection_changed.connect(self._render)
        layout.addWidget(self.arrivals, 1)
        self.controls = ControlsPanel(self)
        self.controls.pressed.connect(self.trigger)
        self.controls.requested.connect(self._command)
        self.controls.panic_requested.connect(self.panic)
        heading.addWidget(self.controls.panic_button)
        layout.addWidget(self.controls)
        self.busy = BusyIndicator(self)
        layout.addWidget(self.busy)
        self.messages = MessagePanel(self, name="Live panel messages")
        layout.addWidget(self.messages)

        # The parts the window, the tools and the tests reach for by name.
        self.meetings, self.scenarios, self.speed = self.picker.meetings, self.picker.scenarios, self.picker.speed
        self.start_button, self.session_label = self.picker.start_button, self.picker.session_label
        self.channel_label, self.count_labels = self.status.channel_label, self.status.count_labels
        self.autopilot_button = self.status.autopilot_button
        self.proxy, self.table, self.state_filter = self.arrivals.proxy, self.arrivals.view, self.arrivals.state_filter
        self.filter_buttons = self.arrivals.filter_buttons
        self.buttons, self.panic_button = self.controls.buttons, self.controls.panic_button
        self.compact: bool | None = None
        self._set_compact(False)

        self._countdown = QTimer(self)  # the auto-lock countdown and the session clock move on between batches
        self._countdown.setInterval(500)
        self._countdown.timeout.connect(self._tick)
        self._checks_due = QTimer(self)  # re-read the checks after a burst of changes, not after each one
        self._checks_due.setSingleShot(True)
        self._checks_due.setInterval(700)
        self._checks_due.timeout.connect(self._refresh_start_checks)
        self._render()

    # -- what the page shows -----------------------------------------------------------------------

    @property
    def controller(self) -> Any:
        """The running (or last) session's engine, where the teacher's commands go; None before any."""
        return self.session.controller if self.session is not None else None

    @property
    def session_id(self) -> str:
        return self.session.session_id if self.session is not None else ""

    @property
    def running(self) -> bool:
        """A session is hosted here and its meeting has not ended (as the engine last said)."""
        return self.session is not None and self.state is not None and not self.state.ended

    def selected(self) -> Arrival | None:
        """The participant selected in the table, as the model has them now."""
        return self.arrivals.selected()

    def select_participant(self, participant_id: str) -> None:
        """Select (and scroll to) a participant's row, widening the filters if they are hidden."""
        self.arrivals.select_participant(participant_id)

    def set_verdict_filter(self, key: str) -> None:
        self.arrivals.set_verdict_filter(key)

    def _render(self) -> None:
        """Every part from the engine's newest state, the selection and the clock."""
        state, running = self.state, self.running
        staff_only = state is not None and state.staff_only
        self.model.set_staff_only(staff_only)
        self.arrivals.set_staff_only(staff_only)
        channel = self.status.show_state(state, running=running)
        if channel is not None:
            window = self.window()
            if hasattr(window, "set_channel"):
                window.set_channel(channel, tooltip=self.channel_label.toolTip())
        self.assistant_strip.show_state(state, running=running)
        self.autopilot_strip.show_state(
            on=self.status.autopilot_on(state),
            locked=state is not None and state.locked,
            running=running,
            links_in_use=state is not None and state.links_in_use,
            staff_only=state is not None and state.staff_only,
        )
        self.controls.show_state(state, selected=self.selected() if running else None, running=running, now=utc_now())
        self.picker.set_startable(not running and not self._starting)
        self.picker.fold(bool(self.compact) and (running or self._starting))
        self.picker.setVisible(not (self.compact and running))  # beside Zoom the table has the room

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's signature
        super().resizeEvent(event)
        self._set_compact(event.size().width() < COMPACT_WIDTH)

    def _set_compact(self, compact: bool) -> None:
        """The layout for this width: beside Zoom, the counts share the panic button's row and the parts say less."""
        if compact == self.compact:
            return
        self.compact = compact
        self.heading.setVisible(not compact)
        self._heading.removeWidget(self.status)
        self._layout.removeWidget(self.status)
        if compact:
            self._heading.insertWidget(0, self.status, 1)
        else:
            self._layout.insertWidget(self._layout.indexOf(self.start_checks) + 1, self.status)
        self.status.set_compact(compact)
        self.controls.set_compact(compact)
        self.start_checks.set_compact(compact)
        self._render()

    def _tick(self) -> None:
        self._render()
        self._show_clock()

    def _show_clock(self) -> None:
        """The session's time against its planned length (in a rehearsal, at the rehearsal's speed)."""
        state = self.state
        self.start_checks.show_clock(state.session_clock(utc_now()) if state is not None and self.session is not None else None)

    # -- meetings and starting ---------------------------------------------------------------------

    def showEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt's signature
        super().showEvent(event)
        if not self._panic_installed:
            self._panic_installed = True
            install_panic_key(self.window(), self.panic)
        if not self.picker.listed and not self.meetings.count():
            self.reload_meetings()

    def reload_meetings(self) -> None:
        """Connect (if not yet) and list the host's meetings, today's first; in rehearsal, the scenarios' too."""
        services = self._services
        run_task(
            self,
            self._runner,
            lambda: meetings_to_host(services),
            doing="listing the host's meetings",
            busy=self.busy,
            messages=self.messages,
            success=self._meetings_listed,
        )

    def _meetings_listed(self, found: MeetingsToHost) -> None:
        self.picker.show_meetings(found)
        self._render()
        self._ready_host_assistant()

    def _ready_host_assistant(self) -> None:
        """A host assistant process starts now, standing by, so that Start session does not wait for it."""
        if self.running or self._starting:
            return
        services = self._services
        Task(self, self._runner, lambda: ready_host_assistant(services)).failure(
            lambda err: log.info("no host assistant standing by: %s", type(err).__name__)
        ).start()

    def start_session(self) -> None:
        """Start hosting the chosen meeting (in rehearsal, start playing the chosen scenario)."""
        if self.running:
            self.messages.show_message("warn", "A session is already running: end it before starting another.")
            return
        meeting_id, scenario, speed = self.picker.choice()
        if not meeting_id:
            self.messages.show_message("warn", "Choose a meeting first (press Reload if the list is empty).")
            return
        services, deliver = self._services, self.bridge.deliver
        self._reset_for_new_session()
        self._starting = True
        self._render()
        self.busy.begin("Starting the session…")

        def begin() -> Coroutine[Any, Any, StartedSession]:
            return begin_session(services, meeting_id=str(meeting_id), scenario=scenario, speed=speed, listener=deliver)

        def done(started: StartedSession) -> None:
            self.busy.end("Starting the session…")
            self._started(started)

        def not_started(error: BaseException) -> None:
            self.busy.end("Starting the session…")
            self._starting = False
            self._render()
            self.messages.show_error(error, doing="starting the session")

        Task(self, self._runner, begin).success(done).failure(not_started).start()

    def _reset_for_new_session(self) -> None:
        """A new session opens clean: no alarms or Zoom steps of the last one, every filter as it opens, nobody selected."""
        self.banner.clear()
        self.steps.clear()
        self.arrivals.reset()
        self.model.load([])
        self.session = None
        self.state = None
        self.messages.clear()
        self.start_checks.hide()
        self.start_checks.show_clock(None)
        self.status.forget_channel()
        self._render()

    def _started(self, started: StartedSession) -> None:
        self._starting = False
        self.session = started
        self._take_state(started.state)
        self.start_checks.show_view(started.checks)
        self.start_checks.show()
        self._show_clock()
        self.picker.show_session(f"Hosting: {one_line(started.state.topic or 'meeting')}")
        if started.register_size == 0:
            staff_only = started.state.staff_only
            which = checked_against(staff_only=staff_only)
            practice = " (the practice register brings one, in rehearsal)." if staff_only else " (the practice register, in rehearsal)."
            self.messages.show_message(
                "warn",
                f"{which[0].upper()}{which[1:]} is empty, so nobody can be recognised: import it on the Register page"
                + (practice if started.state.rehearsal else "."),
            )
        elif started.register_age is not None and started.register_age.warning:
            # on the banner, which stays on screen at every size: seen before anyone is let in
            self.banner.raise_item(BannerItem("warn", "Register out of date", started.register_age.warning))
        self._countdown.start()
        self._render()
        self.session_started.emit(started.controller)
        if self.state is not None and self.state.ended:  # the meeting ended while the session was starting
            self._finish_session()

    # -- news from the engine ----------------------------------------------------------------------

    def _take_update(self, update: LiveUpdate) -> None:
        """One batch from the engine, on the GUI thread: rows, alarms and what else to tell the teacher, the state after it."""
        if self.session is not None and update.state.session_id != self.session.session_id:
            return  # the last words of a session closed before this one
        with self.banner.together():  # however many alarms the batch raises or closes, the banner is drawn once
            for pid in self.model.assistant_participants(update.changes):
                self.banner.withdraw(pid)  # shown while only Zoom had spoken of it: the host assistant, nobody to worry about
            self.model.set_staff_only(update.state.staff_only)  # before the rows: each is written once, in its words
            self.model.apply_changes(update.changes)
            self._close_alarms_overtaken(update)
            for notice in update.notices:
                self._tell(notice)
        was_running = self.running
        self._take_state(update.state)
        self._render()
        view = self.start_checks.view
        if self.session is not None and view is not None and view.moved_by(update) and not self._checks_due.isActive():
            self._checks_due.start()
        if was_running and not self.running:
            self._finish_session()

    def _close_alarms_overtaken(self, update: LiveUpdate) -> None:
        """An alarm ends with what it was about: its person admitted by the teacher, removed or gone."""
        moved: dict[str, Arrival] = {}
        admitted: set[str] = set()  # let in from the waiting room in this batch
        for change in update.changes:
            person = change if isinstance(change, Arrival) else change.participant
            if person is not None:
                moved[person.participant_id] = person
                if not isinstance(change, Arrival) and change.kind is JournalKind.ADMITTED:
                    admitted.add(person.participant_id)
        if not moved:
            return

        def ended(item: BannerItem) -> bool:
            person = moved.get(item.participant_id or "")
            if person is None:
                return False
            gone = person.state not in (ParticipantState.WAITING, ParticipantState.IN_MEETING)
            return not still_true(item, admitted=person.participant_id in admitted, gone=gone)

        self.banner.close_where(ended)

    def _take_state(self, state: LiveState) -> None:
        """Keep the newest of the engine's states (batches and the start's own reading may cross)."""
        if self.state is None or state.version > self.state.version:
            self.state = state

    def _tell(self, notice: Notice) -> None:
        if notice.kind is NoticeKind.ALARM and notice.alarm is not None:
            self.banner.raise_item(alarm_item(notice.alarm))
            self.alarm_raised.emit(notice.alarm)
        elif notice.kind is NoticeKind.ZOOM_STEP:
            row = self.model.row_of(notice.participant_id) if notice.participant_id else None
            who = shown_name(self.model.arrival(row).display_name, limit=40) if row is not None else ""
            self.steps.add(ManualStep(notice.step, notice.command_id, notice.participant_id), who=who)
        elif notice.kind is NoticeKind.CHANNEL_LOST:
            self.banner.raise_item(BannerItem("warn", "Control channel", notice.message))
        elif notice.kind is NoticeKind.CHANNEL and notice.message:
            self.messages.show_message("pass", notice.message)
        elif notice.kind is NoticeKind.SESSION_TIME:
            self.banner.raise_item(BannerItem("warn", "Session time", notice.message))
        elif notice.kind is NoticeKind.RESUMED:
            self.messages.show_message("warn", notice.message)

    def _finish_session(self) -> None:
        """The meeting has ended: close the session in the background and hand it to the summary."""
        started = self.session
        assert started is not None
        self._countdown.stop()
        self.banner.clear()  # the meeting is over: its alarms stay in the journal and the summary, not on screen
        self.steps.clear()
        self._refresh_start_checks()
        window = self.window()
        if hasattr(window, "set_channel"):  # no channel carries anything once the meeting has ended
            ended = "rehearsal, meeting ended" if started.state.rehearsal else "meeting ended"
            window.set_channel(ended, tooltip="Start a session on the Live page to host the next meeting.")
        self.picker.show_session("The meeting has ended.")
        self.messages.show_message("pass", "The meeting has ended for everyone. The summary is ready on the Summary page.")
        inflight, self._inflight = self._inflight, []
        Task(self, self._runner, lambda: finish_session(started, unfinished=inflight)).success(self.retention_ran.emit).failure(
            lambda err: log.warning("closing the session: %s", err)
        ).start()
        self._render()
        self._ready_host_assistant()  # for the next session
        self.session_ended.emit(started.session_id)

    # -- the teacher's commands --------------------------------------------------------------------

    def trigger(self, key: str) -> None:
        """What a control's button (or its key) does; destructive ones ask first."""
        if self.running:
            self.controls.ask(key, self.selected())

    def _command(self, key: str, person: Arrival | None) -> None:
        """Send one control to the engine (asked and answered already)."""
        controller = self.controller
        if controller is None or not self.running:
            return
        pid = person.participant_id if person is not None else ""
        commands: dict[str, Callable[[], Coroutine[Any, Any, Any]]] = {
            "admit": lambda: controller.admit(pid),
            "admit_all": controller.admit_all_consented,
            "hold": lambda: controller.hold(pid),
            "remove": lambda: controller.remove(pid),
            "mute_all": controller.mute_all,
            "chat_off": controller.chat_off,
            "stop_share": controller.stop_share,
            "lock": controller.unlock if self.state is not None and self.state.locked else controller.lock,
            "end_for_all": controller.end_for_all,
        }
        self._send(key, commands[key])

    def panic(self) -> None:
        """End the meeting for everyone now: no question, no queue."""
        if not self.running:
            if self.session is None:
                self.messages.show_message(
                    "warn", "No session is running here. To end a meeting in Zoom: End ▸ End meeting for all."
                )
            return
        task = Task(self, self._runner, self.controller.panic).success(lambda r: self._finished("panic", r))
        task.failure(lambda err: self.messages.show_error(err, doing="ending the meeting")).start()
        self._track(task)
        self.messages.show_message("warn", "Ending the meeting for everyone…")

    def _alarm_seen(self, item: BannerItem) -> None:
        """The teacher pressed Seen: the session's journal records which alarm, by whom and when."""
        controller = self.controller
        if item.key and controller is not None and self.running:
            self._send("alarm_seen", lambda: controller.alarm_seen(item.key))

    def _assistant_step_in_rehearsal(self) -> None:
        """Rehearsal: the rehearsal Zoom's host does the one thing the assistant waits for."""
        started = self.session
        if started is not None and self.running:
            self._send("assistant_step", lambda: do_assistant_step_in_rehearsal(started))

    def _switch_autopilot(self, on: bool) -> None:
        controller = self.controller
        if controller is not None:
            self._send("autopilot", lambda: controller.set_autopilot(on), after=self.status.settle_autopilot)
        self._render()

    def _step_done(self, step: ManualStep) -> None:
        controller = self.controller
        if controller is not None:
            self._send("manual_step", lambda: controller.confirm_manual_step(step.step, command_id=step.command_id))

    def _track(self, task: Task) -> None:
        self._inflight = [future for future in self._inflight if not future.done()]
        if task.future is not None:
            self._inflight.append(task.future)

    def _send(self, key: str, command: Callable[[], Coroutine[Any, Any, Any]], *, after: Callable[[], None] | None = None) -> None:
        def settled() -> None:
            if after is not None:
                after()
            self._render()

        task = run_task(
            self,
            self._runner,
            command,
            doing=_DOING.get(key, "sending that to Zoom"),
            busy=self.busy,
            messages=self.messages,
            success=lambda result: self._finished(key, result),
            after=settled,
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

    # -- start-of-session checks -------------------------------------------------------------------

    def _confirm_start_check(self, check_id: str) -> None:
        self._tick_start_check(check_id, lambda started: confirm_start_check(started, check_id))

    def _confirm_adult_with(self, participant_id: str) -> None:
        self._tick_start_check(participant_id, lambda started: confirm_adult_with(started, participant_id))

    def _tick_start_check(self, key: str, tick: Callable[[StartedSession], Coroutine[Any, Any, StartChecksView]]) -> None:
        """Journal one tick on the I/O thread (where the session lives), then show the journal's word on it."""
        started = self.session
        if started is None or not self.running:
            self.start_checks.settle(key)
            return

        def done(view: StartChecksView) -> None:
            self.start_checks.view = view
            self.start_checks.settle(key)

        task = run_task(
            self,
            self._runner,
            lambda: tick(started),
            doing="recording the check",
            busy=self.busy,
            messages=self.messages,
            success=done,
            after=lambda: self.start_checks.settle(key),
        )
        self._track(task)

    def _refresh_start_checks(self) -> None:
        started = self.session
        if started is None:
            return
        running = self.running
        Task(self, self._runner, lambda: read_start_checks(started)).success(
            lambda view: self.start_checks.show_view(view, running=running)
        ).failure(lambda err: log.warning("reading the start-of-session checks: %s", err)).start()
