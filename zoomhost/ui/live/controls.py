"""The Live panel's host controls: Admit, Admit all consented, Hold, Remove, Mute all, Chat off, Stop share,
Lock and End for all, each with its key, and the panic button.

Each button is labelled, explained and enabled from the engine's state (``LiveState``): what the
control channel can do, whether the meeting is locked (Lock becomes Unlock, and counts down to
the auto-lock), how many Admit all consented would admit, and who is selected. What the channel
cannot do is labelled "(in Zoom)" and explained with the Zoom step. Remove, End for all and
admitting someone the register does not allow ask first, and so does unlocking (a second
Ctrl+L must not open the meeting to anyone by accident); the panic key (Ctrl+Shift+E or F12,
from any page) ends the meeting for everyone at once, without asking.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from zoomhost.app.session import LiveState
from zoomhost.core.control import Capability
from zoomhost.core.names import visible_name
from zoomhost.core.models import Verdict
from zoomhost.core.session import Arrival, ParticipantState
from zoomhost.core.profiles import checked_against
from zoomhost.ui.live.model import shown_name, verdict_words
from zoomhost.ui.widgets import FlowLayout, action_button, confirm

PANIC_KEYS = ("Ctrl+Shift+E", "F12")
PANIC_WORDS = "END NOW (panic: Ctrl+Shift+E or F12)"
PANIC_SHORT = "END NOW (F12)"  # beside Zoom


@dataclass(frozen=True)
class Control:
    """One host control: its button words, the capability that carries it, and its key."""

    key: str
    text: str
    capability: Capability | None
    shortcut: str
    explanation: str


#: Admit all at a meeting of staff only, and what it does there.
STAFF_ADMIT_ALL = "Admit all si&gned-in staff"
STAFF_ADMIT_ALL_EXPLANATION = "Admit every member of staff signed in to Zoom on the school's domains; anyone else stays out."

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

#: Controls that act on the selected person.
_ON_SOMEONE = frozenset({"admit", "hold", "remove"})


class ControlsPanel(QWidget):
    """The host's buttons in two rows (people, then the meeting), and the panic button for the page's heading.

    A button (or its key) says ``pressed``; the page answers with :meth:`ask`, which asks first
    where it must and then says ``requested`` (the control's key and the person it is for).
    """

    pressed = Signal(str)  # a Control key
    requested = Signal(str, object)  # (Control key, the Arrival it is for, or None)
    panic_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        top, bottom = FlowLayout(), FlowLayout()  # each row wraps beside Zoom
        self.buttons: dict[str, QPushButton] = {}
        for control in CONTROLS:
            button = action_button(control.text, parent=self)
            button.clicked.connect(lambda _=False, key=control.key: self.pressed.emit(key))
            QShortcut(QKeySequence(control.shortcut), self, activated=button.click)
            self.buttons[control.key] = button
            (top if control.key in ("admit", "admit_all", "hold", "remove") else bottom).addWidget(button)
        rows.addLayout(top)
        rows.addLayout(bottom)
        self.panic_button = QPushButton(PANIC_WORDS, self)
        self.panic_button.setObjectName("panicButton")
        self.panic_button.setAccessibleName("Panic: end the meeting for everyone now")
        self.panic_button.setAccessibleDescription(
            "Ends the meeting for everyone at once, without asking. Keys: Ctrl+Shift+E or F12, from any page."
        )
        self.panic_button.setToolTip("Ends the meeting for everyone at once, without asking (Ctrl+Shift+E or F12)")
        self.panic_button.clicked.connect(self.panic_requested)
        self._locked = False
        self._staff_only = False  # a meeting of staff only: judged against the staff list
        self.show_state(None, selected=None, running=False, now=None)

    def set_compact(self, compact: bool) -> None:
        """Beside Zoom the panic button says less; its keys stay in its tooltip and accessible description."""
        self.panic_button.setText(PANIC_SHORT if compact else PANIC_WORDS)

    def show_state(self, state: LiveState | None, *, selected: Arrival | None, running: bool, now: datetime | None) -> None:
        """Label, explain and enable each button from the engine's state (None before a session)."""
        capabilities = state.capabilities if state is not None else {}
        locked = state is not None and state.locked
        self._locked = locked
        self._staff_only = state is not None and state.staff_only
        lock_in = state.seconds_until_lock(now) if state is not None and running and now is not None else None
        person = selected if running else None
        waiting = person is not None and person.state is ParticipantState.WAITING
        inside = person is not None and person.state is ParticipantState.IN_MEETING
        enabled = {
            "admit": waiting,
            "admit_all": running and state is not None and state.admissible_waiting > 0,
            "hold": (waiting and person is not None and not person.held) or inside,
            "remove": waiting or inside,
            "mute_all": running,
            "chat_off": running,
            "stop_share": running,
            "lock": running,
            "end_for_all": running,
        }
        for control in CONTROLS:
            button = self.buttons[control.key]
            info = capabilities.get(control.capability) if control.capability else None
            # a meeting of staff only: nobody is a consented pupil, and Admit all says whom it admits
            staff_admit = control.key == "admit_all" and state is not None and state.staff_only
            words, explanation = (STAFF_ADMIT_ALL, STAFF_ADMIT_ALL_EXPLANATION) if staff_admit else (control.text, control.explanation)
            text = "Un&lock" if control.key == "lock" and locked else words
            if info is not None and not info.available:
                text = text.replace("…", "") + " (in Zoom)"
                explanation += f" zoomhost cannot do this now: {info.explanation} Zoom step: {info.manual_step or ''}"
            elif info is not None:
                explanation += f" {info.explanation}"
            explanation += f" Key: {control.shortcut}."
            if control.key == "admit_all":
                text = f"{text} ({state.admissible_waiting if state is not None else 0})"
            elif control.key == "lock" and not locked and lock_in is not None:
                clock = _clock(lock_in)
                text = f"{text[:-1]}; auto in {clock})" if text.endswith(" (in Zoom)") else f"{text} (auto in {clock})"
            if button.text() != text:
                button.setText(text)
                button.setAccessibleName(text.replace("&", ""))
            if button.toolTip() != explanation:
                button.setToolTip(explanation)
                button.setAccessibleDescription(explanation)
            button.setEnabled(bool(enabled[control.key]))
        self.panic_button.setEnabled(running)

    def ask(self, key: str, person: Arrival | None) -> None:
        """Ask first where the control needs it (Remove, End for all, admitting someone not allowed), then request it."""
        if key in _ON_SOMEONE and person is None:
            return
        if key == "admit" and person is not None and not person.verdict.admissible:
            verdict = verdict_words(person.verdict, staff_only=self._staff_only)
            self._confirm(
                key,
                person,
                title=f"Admit someone {checked_against(staff_only=self._staff_only)} does not allow?",
                text=f"“{shown_name(person.display_name)}” is {verdict.lower()}. Admit them anyway?",
                details="; ".join(visible_name(reason) for reason in person.reasons),  # a reason may quote the name
                action="Admit anyway",
            )
        elif key == "admit" and person is not None and person.verdict is Verdict.STAFF and not person.admit:
            # A typed staff name is a claim: the head's name is in every family's letter.
            self._confirm(
                key,
                person,
                title="Admit someone who only typed a staff name?",
                text=f"“{shown_name(person.display_name)}” typed the name of {person.staff_name or 'a staff member'} "
                "but is not signed in to the school's Zoom account. Admit them only if you can see it is them.",
                details="; ".join(visible_name(reason) for reason in person.reasons),  # a reason may quote the name
                action="Admit anyway",
            )
        elif key == "remove" and person is not None:
            self._confirm(
                key,
                person,
                title="Remove from the meeting?",
                text=f"Remove “{shown_name(person.display_name)}” from the meeting?",
                details="They are sent out of the meeting. Check first if they might be a pupil on another device.",
                action="Remove",
            )
        elif key == "lock" and self._locked:
            self._confirm(
                key,
                None,
                title="Unlock the meeting?",
                text="Unlock the meeting now?",
                details="Anyone with the link can then join the waiting room again, and the autopilot may admit "
                "consented pupils. Lock it again as soon as the latecomers are in.",
                action="Unlock",
            )
        elif key == "end_for_all":
            self._confirm(
                key,
                None,
                title="End the meeting for everyone?",
                text="End the meeting for everyone now?",
                details="Every pupil and member of staff leaves the meeting. For an emergency, the panic key "
                "(Ctrl+Shift+E or F12) ends it at once without this question.",
                action="End for all",
            )
        else:
            self.requested.emit(key, person)

    def _confirm(self, key: str, person: Arrival | None, *, title: str, text: str, details: str, action: str) -> None:
        confirm(
            self,
            title=title,
            text=text,
            details=details,
            action=action,
            on_confirm=lambda: self.requested.emit(key, person),
            destructive=True,
        )


def install_panic_key(window: QWidget, panic: Callable[[], None]) -> None:
    """The panic key belongs to the whole window: it works whichever page is showing."""
    for key in PANIC_KEYS:
        shortcut = QShortcut(QKeySequence(key), window)
        shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
        shortcut.activated.connect(panic)


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.999))
    return f"{seconds // 60}:{seconds % 60:02d}"
