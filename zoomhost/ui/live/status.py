"""The Live panel's status line: which channel carries the controls, how pupils are admitted, the counts, and the
autopilot switch and strip.

All of it shows the engine's state (``LiveState``): the control channel (host assistant, or
the Zoom client's own buttons), whether Admit all and the autopilot admit pupils by their
family's own link or (a meeting without registration: weaker) by the typed name, who is waiting,
admitted or held and how many consented pupils have not yet arrived, whether the host assistant
has switched renaming off, and whether the autopilot admits. While it does, a coloured strip says
so, and says when the lock has stopped it. While the host assistant waits (for the host to start
the meeting, to be admitted, to be made co-host), another strip says the one thing the teacher
must do in Zoom; in a rehearsal it offers to have the rehearsal Zoom do it. The row wraps in a
narrow window; there the channel is its icon (its words in the tooltip and in the window's status
bar) and the waiting count leads; how pupils are admitted stays in words at every size.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from zoomhost.app.session import STAFF_SESSION_WORDS, LiveState
from zoomhost.ui.text import plain_label
from zoomhost.ui.widgets import FlowLayout, action_button, status_icon

AUTOPILOT_ON = (
    "Autopilot ON – admitting consented pupils by their typed name (no family links: weaker) and signed-in staff "
    "as they arrive; stops at lock"
)
AUTOPILOT_ON_LINKS = (
    "Autopilot ON – admitting pupils who come through their family's own link and signed-in staff as they arrive; "
    "stops at lock"
)
AUTOPILOT_ON_STAFF = (
    "Autopilot ON – a meeting of staff only: admitting staff signed in on the school's domains as they arrive; "
    "stops at lock"
)
AUTOPILOT_TIP = (
    "When on, consented pupils (through their family's own link where the meeting has registration) and signed-in "
    "staff are admitted as they arrive and everyone else waits; it stops admitting at the lock (Ctrl+Shift+P)"
)
AUTOPILOT_TIP_STAFF = (
    "When on, staff signed in on the school's domains are admitted as they arrive and everyone else waits; "
    "it stops admitting at the lock (Ctrl+Shift+P)"
)
AUTOPILOT_LOCKED = "Autopilot ON – the meeting is locked, so nobody more is admitted automatically"


def admission_words(links_in_use: bool, *, staff_only: bool = False) -> tuple[str, str, str]:
    """(indicator text, icon key, explanation) for how Admit all and the autopilot admit pupils (or, in a
    meeting of staff only, that they admit signed-in staff and nobody else)."""
    if staff_only:
        return (
            STAFF_SESSION_WORDS,
            "pass",
            "This meeting is held to the staff-meeting profile (its topic, or your choice on the Checklist page): "
            "nobody is checked against the pupil register, and Admit all and the autopilot admit only staff signed "
            "in to Zoom as an address on the staff list or a user of the school's account. Anyone else waits for "
            "your click, with the reason.",
        )
    if links_in_use:
        return (
            "Admission: by family link",
            "pass",
            "This meeting requires registration: Admit all and the autopilot admit a pupil only through their "
            "family's own link, and staff only when signed in to the school's Zoom account. A typed name alone "
            "waits for your click, with the reason.",
        )
    return (
        "Admission: by typed name (weaker)",
        "warn",
        "This meeting has no registration, so families share one link and Admit all and the autopilot admit a "
        "consented pupil by the name typed in Zoom, which anyone with the link can type. Staff are admitted only "
        "when signed in. For a link per family, turn registration on (Checklist ▸ Each family has its own link) "
        "and prepare the invitations with the parents' file.",
    )


_COUNTS = (
    ("waiting", "Waiting"),
    ("admitted", "Admitted"),
    ("held", "Held"),
    ("consented_not_arrived", "Consented, not yet arrived"),
)
_SHORT = {"consented_not_arrived": "Not yet arrived"}  # beside Zoom
_PUPIL_COUNTS = frozenset({"consented_not_arrived"})  # not counted at a meeting of staff only: no pupil is expected


def channel_words(channel: str, *, rehearsal: bool, assistant_waiting: bool = False) -> tuple[str, str, str]:
    """(indicator text, icon key, explanation) for the control channel in use."""
    if channel == "assistant":
        text, icon = "Host assistant", "pass"
        why = "zoomhost's host assistant is in the meeting as co-host and carries out each control."
    elif assistant_waiting:
        text, icon = "REST only, host assistant waiting", "warn"
        why = (
            "zoomhost's host assistant waits for you in Zoom (the strip above says what to do). Until it has host "
            "controls, Zoom's API can end the meeting and every other control shows the exact step in the Zoom client."
        )
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


class StatusRow(QWidget):
    """Control channel, counts and the autopilot switch, in one row.

    A click on the switch says ``autopilot_switched``; until the engine's state agrees (or the
    command has finished), the switch shows what the teacher asked for.
    """

    autopilot_switched = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = FlowLayout(self, spacing=12)
        self.channel_icon = plain_label(parent=self)
        self.channel_icon.setAccessibleName("Control channel")
        self.channel_label = plain_label("Control: not connected", self, name="Control channel")
        row.addWidget(self.channel_icon)
        row.addWidget(self.channel_label)
        self.count_labels: dict[str, QLabel] = {}
        for key, words in _COUNTS:
            label = plain_label(f"{words}: 0", self, name=words)
            self.count_labels[key] = label
            row.addWidget(label)
        self.admission_icon = plain_label(parent=self)
        self.admission_icon.setAccessibleName("How pupils are admitted")
        self.admission_label = plain_label("Admission: –", self, name="How pupils are admitted")
        row.addWidget(self.admission_icon)
        row.addWidget(self.admission_label)
        self._admission_shown: str | None = None
        self.renaming_label = plain_label("", self, name="Renaming")
        self.renaming_label.hide()
        row.addWidget(self.renaming_label)
        self.count_labels["waiting"].setStyleSheet("font-weight: bold;")  # who needs the teacher now
        self.compact = False
        self.autopilot_button = action_button(
            "A&utopilot: off",
            accessible="Autopilot",
            tooltip=AUTOPILOT_TIP,
            parent=self,
        )
        self.autopilot_button.setCheckable(True)
        self.autopilot_button.clicked.connect(self._switched)
        QShortcut(QKeySequence("Ctrl+Shift+P"), self, activated=self.autopilot_button.click)
        row.addWidget(self.autopilot_button)
        self._asked: bool | None = None  # the switch the teacher asked for, until the engine says so
        self._running = False
        self._channel_shown: str | None = None

    def autopilot_on(self, state: LiveState | None) -> bool:
        """Whether the autopilot is shown on: as the engine says, or as just asked."""
        if self._asked is not None:
            return self._asked
        return state is not None and state.autopilot

    def settle_autopilot(self) -> None:
        """The switch command has finished: the engine's state decides again."""
        self._asked = None

    def show_state(self, state: LiveState | None, *, running: bool) -> str | None:
        """Show the state (None before a session); returns the channel's words when they change."""
        self._running = running
        if state is not None and self._asked is not None and state.autopilot == self._asked:
            self._asked = None
        counts = state.counts if state is not None else None
        staff_only = state is not None and state.staff_only
        for key, words in _COUNTS:
            words = _SHORT.get(key, words) if self.compact else words
            text = f"{words}: {getattr(counts, key) if counts is not None else 0}"
            label = self.count_labels[key]
            if key in _PUPIL_COUNTS and label.isHidden() is not staff_only:
                label.setHidden(staff_only)
            if label.text() != text:  # a screen reader hears a change, not the clock's every tick
                label.setText(text)
                label.setAccessibleName(text)
        on = self.autopilot_on(state) and running
        self.autopilot_button.setChecked(on)
        self.autopilot_button.setText("A&utopilot: ON" if on else "A&utopilot: off")
        if state is not None:  # before any session it keeps its tooltip's words
            said = (
                ("On: signed-in staff are admitted as they arrive" if state.staff_only else
                 "On: consented pupils and signed-in staff are admitted as they arrive")
                if on
                else "Off: nobody is admitted without your click"
            )
            if self.autopilot_button.accessibleDescription() != said:
                self.autopilot_button.setAccessibleDescription(said)
            tip = AUTOPILOT_TIP_STAFF if state.staff_only else AUTOPILOT_TIP
            if self.autopilot_button.toolTip() != tip:
                self.autopilot_button.setToolTip(tip)
        self.autopilot_button.setEnabled(running)
        renaming_off = state is not None and running and state.renaming_off
        self.renaming_label.setVisible(renaming_off)
        if renaming_off and not self.renaming_label.text():
            self.renaming_label.setText("Renaming: off")
            self.renaming_label.setToolTip(
                "The host assistant switched off “Rename Themselves” in this meeting: nobody can change the name "
                "they were admitted under."
            )
            self.renaming_label.setAccessibleDescription(self.renaming_label.toolTip())
        if state is None or not running:
            return None
        self._show_admission(state.links_in_use, staff_only=state.staff_only)
        text, icon, why = channel_words(state.channel, rehearsal=state.rehearsal, assistant_waiting=state.assistant_wait is not None)
        if text == self._channel_shown:
            return None
        self._channel_shown = text
        size = self.fontMetrics().height()
        self.channel_icon.setPixmap(status_icon(icon).pixmap(size, size))
        self.channel_label.setText(f"Control: {text}")
        self.channel_label.setToolTip(why)
        self.channel_label.setAccessibleDescription(why)
        self.channel_icon.setToolTip(f"Control: {text}. {why}")
        self.channel_icon.setAccessibleDescription(f"Control: {text}. {why}")
        return text

    def set_compact(self, compact: bool) -> None:
        """Beside Zoom: the channel as its icon, the counts in short words (how pupils are admitted stays in words)."""
        if compact == self.compact:
            return
        self.compact = compact
        self.channel_label.setVisible(not compact)
        for key, words in _COUNTS:
            label = self.count_labels[key]
            number = label.text().rsplit(":", 1)[1]
            text = f"{_SHORT.get(key, words) if compact else words}:{number}"
            label.setText(text)
            label.setAccessibleName(text)

    def _show_admission(self, links_in_use: bool, *, staff_only: bool = False) -> None:
        text, icon, why = admission_words(links_in_use, staff_only=staff_only)
        if text == self._admission_shown:
            return
        self._admission_shown = text
        size = self.fontMetrics().height()
        self.admission_icon.setPixmap(status_icon(icon).pixmap(size, size))
        self.admission_icon.setToolTip(f"{text}. {why}")
        self.admission_icon.setAccessibleDescription(f"{text}. {why}")
        self.admission_label.setText(text)
        self.admission_label.setToolTip(why)
        self.admission_label.setAccessibleDescription(why)

    def forget_channel(self) -> None:
        """A new session: its channel is told again, even when it is the same as the last one's."""
        self._channel_shown = None

    def _switched(self, checked: bool) -> None:
        if not self._running:
            self.autopilot_button.setChecked(False)
            return
        self._asked = checked
        self.autopilot_switched.emit(checked)


class AssistantStrip(QFrame):
    """While the host assistant waits: what for, and the one thing to do in Zoom (in a rehearsal, a button
    that has the rehearsal Zoom do it, as the teacher would on the day)."""

    rehearsal_step_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("assistantStrip")
        self.setStyleSheet("#assistantStrip { background: #8a5a00; } #assistantStrip QLabel { color: white; font-weight: bold; }")
        self.setAccessibleName("The host assistant is waiting")
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 4, 6, 4)
        self.text = plain_label(parent=self, name="What the host assistant needs", wrap=True)
        self.text.setObjectName("assistantInstruction")
        row.addWidget(self.text, 1)
        self.rehearsal_button = QPushButton("Do it in the rehearsal Zoom", self)
        self.rehearsal_button.setAccessibleName("Have the rehearsal Zoom do this step")
        self.rehearsal_button.setToolTip(
            "Rehearsal only: the rehearsal Zoom's host admits the assistant and makes it co-host, as you would in Zoom."
        )
        self.rehearsal_button.clicked.connect(self.rehearsal_step_requested)
        row.addWidget(self.rehearsal_button)
        self.hide()

    @property
    def instruction(self) -> str:
        return self.text.text()

    def show_state(self, state: LiveState | None, *, running: bool) -> None:
        wait = state.assistant_wait if state is not None and running else None
        if wait is None:
            self.hide()
            return
        words = f"Host assistant: {wait.message} {wait.instruction}." if wait.instruction else f"Host assistant: {wait.message}"
        if self.text.text() != words:
            self.text.setText(words)
            self.text.setAccessibleDescription(words)
        # The rehearsal can only admit it once it is there to admit (not while the meeting has not started).
        self.rehearsal_button.setVisible(state is not None and state.rehearsal and wait.waiting_for != "waiting_for_host")
        self.show()


class AutopilotStrip(QLabel):
    """A coloured strip across the panel while the autopilot admits, saying when the lock has stopped it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(AUTOPILOT_ON)
        self.setObjectName("autopilotStrip")
        self.setStyleSheet("#autopilotStrip { background: #1f5fa8; color: white; font-weight: bold; padding: 6px; }")
        self.setWordWrap(True)
        self.setAccessibleName("Autopilot is on")
        self.hide()

    def show_state(self, *, on: bool, locked: bool, running: bool, links_in_use: bool = False, staff_only: bool = False) -> None:
        words = (
            AUTOPILOT_LOCKED if locked else AUTOPILOT_ON_STAFF if staff_only else AUTOPILOT_ON_LINKS if links_in_use else AUTOPILOT_ON
        )
        if self.text() != words:
            self.setText(words)
            self.setAccessibleDescription(words)
        self.setVisible(on and running)
