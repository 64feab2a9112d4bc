"""The live host controls, whatever carries them: the host assistant, REST only, or the teacher's own hands.

The live engine sends commands to one ``ControlChannel`` at a time (the assistant, or the
fallback while it is away). Each channel says what it can do and how (``capabilities()``), so
the panel builds its buttons from data: a control the channel cannot perform is shown as the
exact step to take in the Zoom client instead. Every command carries a command id; sending the
same id twice never admits or removes twice. The live engine (``zoomhost.live``) journals each
command and its result in the session.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

from zoomhost.core.events import MeetingEvent

log = logging.getLogger(__name__)


class Capability(StrEnum):
    ADMIT = "admit"
    ADMIT_ALL = "admit_all"
    PUT_IN_WAITING_ROOM = "put_in_waiting_room"
    REMOVE = "remove"
    MUTE_ALL = "mute_all"
    CHAT_OFF = "chat_off"
    STOP_SHARE = "stop_share"
    LOCK_SHARE = "lock_share"
    LOCK = "lock"
    UNLOCK = "unlock"
    END_FOR_ALL = "end_for_all"
    RENAME_OFF = "rename_off"  # stop participants renaming themselves in the running meeting


class How(StrEnum):
    """Who carries a control out."""

    ASSISTANT = "assistant"
    REST = "rest"
    MANUAL = "manual"


@dataclass(frozen=True, slots=True)
class CapabilityInfo:
    """One control as the panel shows it: its button text, whether it works, and how."""

    capability: Capability
    available: bool
    how: str  # a How value
    label: str
    explanation: str
    manual_step: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "capability": self.capability.value,
            "available": self.available,
            "how": str(self.how),
            "label": self.label,
            "explanation": self.explanation,
            "manual_step": self.manual_step,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> CapabilityInfo:
        step = data.get("manual_step")
        return cls(
            capability=Capability(str(data["capability"])),
            available=bool(data["available"]),
            how=str(data["how"]),
            label=str(data["label"]),
            explanation=str(data["explanation"]),
            manual_step=str(step) if step is not None else None,
        )


@dataclass(frozen=True, slots=True)
class CommandResult:
    """What became of one command. ``manual_step`` is set when the teacher must do it in Zoom."""

    command_id: str
    ok: bool
    message: str
    capability: Capability | None = None
    participant_id: str | None = None
    how: str = How.ASSISTANT
    manual_step: str | None = None
    replayed: bool = False  # the command id was seen before: this is the stored result, nothing was done again

    def as_dict(self) -> dict[str, object]:
        return {
            "command_id": self.command_id,
            "ok": self.ok,
            "message": self.message,
            "capability": self.capability.value if self.capability else None,
            "participant_id": self.participant_id,
            "how": str(self.how),
            "manual_step": self.manual_step,
            "replayed": self.replayed,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> CommandResult:
        cap = data.get("capability")
        pid = data.get("participant_id")
        step = data.get("manual_step")
        return cls(
            command_id=str(data["command_id"]),
            ok=bool(data["ok"]),
            message=str(data.get("message") or ""),
            capability=Capability(str(cap)) if cap else None,
            participant_id=str(pid) if pid is not None else None,
            how=str(data.get("how") or How.ASSISTANT),
            manual_step=str(step) if step is not None else None,
            replayed=bool(data.get("replayed", False)),
        )


class ConnectionState(StrEnum):
    CONNECTED = "connected"
    DROPPED = "dropped"
    FALLEN_BACK = "fallen_back"


@dataclass(frozen=True, slots=True)
class ConnectionChange:
    """A change the panel must show: the assistant connected, dropped, or the panel fell back."""

    state: ConnectionState
    channel: str
    message: str


EventCallback = Callable[[MeetingEvent], None]
ConnectionCallback = Callable[[ConnectionChange], None]


#: The exact step in the Zoom desktop client for each control, shown when zoomhost cannot do it itself.
ZOOM_CLIENT_STEPS: dict[Capability, str] = {
    Capability.ADMIT: "In Zoom: Participants ▸ Admit",
    Capability.ADMIT_ALL: "In Zoom: Participants ▸ Admit all (only when every name waiting is consented)",
    Capability.PUT_IN_WAITING_ROOM: "In Zoom: Participants ▸ hover the name ▸ More ▸ Put in waiting room",
    Capability.REMOVE: "In Zoom: Participants ▸ hover the name ▸ More ▸ Remove",
    Capability.MUTE_ALL: (
        "In Zoom: press Alt+M (Cmd+Ctrl+M on macOS) to mute all, "
        "untick Allow participants to unmute themselves, then Yes"
    ),
    Capability.CHAT_OFF: "In Zoom: Security ▸ untick Chat",
    Capability.STOP_SHARE: "In Zoom: Security ▸ untick Share Screen",
    Capability.LOCK_SHARE: "In Zoom: Security ▸ untick Share Screen",
    Capability.LOCK: "In Zoom: Security ▸ Lock Meeting",
    Capability.UNLOCK: "In Zoom: Security ▸ untick Lock Meeting",
    Capability.END_FOR_ALL: "In Zoom: End ▸ End meeting for all",
    Capability.RENAME_OFF: "In Zoom: Security ▸ untick Rename Themselves",
}


def new_command_id() -> str:
    return uuid.uuid4().hex


@runtime_checkable
class ControlChannel(Protocol):
    """What the panel needs from whatever carries its commands to Zoom."""

    name: str

    def capabilities(self) -> dict[Capability, CapabilityInfo]: ...

    def on_event(self, callback: EventCallback) -> Callable[[], None]: ...

    def on_connection(self, callback: ConnectionCallback) -> Callable[[], None]: ...

    async def admit(self, participant_id: str, *, command_id: str | None = None) -> CommandResult: ...

    async def admit_many(
        self, participant_ids: Sequence[str], *, command_ids: Sequence[str] | None = None
    ) -> list[CommandResult]: ...

    async def put_in_waiting_room(self, participant_id: str, *, command_id: str | None = None) -> CommandResult: ...

    async def remove(self, participant_id: str, *, command_id: str | None = None) -> CommandResult: ...

    async def mute_all(self, *, allow_self_unmute: bool = False, command_id: str | None = None) -> CommandResult: ...

    async def allow_chat(self, allowed: bool, /, *, command_id: str | None = None) -> CommandResult: ...

    async def stop_share(self, *, command_id: str | None = None) -> CommandResult: ...

    async def allow_rename(self, allowed: bool, /, *, command_id: str | None = None) -> CommandResult: ...

    async def lock_share(self, *, command_id: str | None = None) -> CommandResult: ...

    async def lock(self, *, command_id: str | None = None) -> CommandResult: ...

    async def unlock(self, *, command_id: str | None = None) -> CommandResult: ...

    async def end_for_all(self, *, command_id: str | None = None) -> CommandResult: ...

    async def close(self) -> None: ...


class Listeners:
    """Event and connection callbacks for a channel; one failing listener never stops the others."""

    def __init__(self) -> None:
        self._events: list[EventCallback] = []
        self._connection: list[ConnectionCallback] = []

    def on_event(self, callback: EventCallback) -> Callable[[], None]:
        self._events.append(callback)
        return lambda: self._events.remove(callback) if callback in self._events else None

    def on_connection(self, callback: ConnectionCallback) -> Callable[[], None]:
        self._connection.append(callback)
        return lambda: self._connection.remove(callback) if callback in self._connection else None

    def emit_event(self, event: MeetingEvent) -> None:
        for callback in list(self._events):
            try:
                callback(event)
            except Exception:  # noqa: BLE001 - a broken listener must not lose the event for the others
                log.exception("event listener failed")

    def emit_connection(self, change: ConnectionChange) -> None:
        for callback in list(self._connection):
            try:
                callback(change)
            except Exception:  # noqa: BLE001
                log.exception("connection listener failed")
