"""The live host controls, whatever carries them: the host assistant, REST only, or the teacher's own hands.

The panel talks to one ``ControlChannel``. Each channel says what it can do and how
(``capabilities()``), so the panel builds its buttons from data: a control the channel
cannot perform is shown as the exact step to take in the Zoom client instead. Every
command carries a command id; sending the same id twice never admits or removes twice.
``HostControls`` puts each command and its result into the session journal.
"""

from __future__ import annotations

import logging
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
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


class SeenEvents:
    """Remembers recent event ids so one happening heard from two sources is passed on once."""

    def __init__(self, *, limit: int = 20_000) -> None:
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._limit = limit

    def first_time(self, event_id: str) -> bool:
        if event_id in self._ids:
            return False
        self._ids[event_id] = None
        if len(self._ids) > self._limit:
            self._ids.popitem(last=False)
        return True


class FailoverChannel:
    """The assistant while it is there, the fallback (manual steps, REST end-for-all) when it is not.

    Events from both are passed on once each, so an arrival heard by Zoom's event stream while
    the assistant is gone still reaches the panel. When the assistant drops, the panel is told
    and every later command goes to the fallback.
    """

    def __init__(self, *, primary: ControlChannel, fallback: ControlChannel) -> None:
        self.primary = primary
        self.fallback = fallback
        self._listeners = Listeners()
        self._seen = SeenEvents()
        self._fallen_back = False
        primary.on_event(self._pass_on)
        fallback.on_event(self._pass_on)
        primary.on_connection(self._primary_changed)

    @property
    def name(self) -> str:
        return self.current.name

    @property
    def current(self) -> ControlChannel:
        return self.fallback if self._fallen_back else self.primary

    @property
    def fallen_back(self) -> bool:
        return self._fallen_back

    def capabilities(self) -> dict[Capability, CapabilityInfo]:
        return self.current.capabilities()

    def on_event(self, callback: EventCallback) -> Callable[[], None]:
        return self._listeners.on_event(callback)

    def on_connection(self, callback: ConnectionCallback) -> Callable[[], None]:
        return self._listeners.on_connection(callback)

    def _pass_on(self, event: MeetingEvent) -> None:
        if self._seen.first_time(event.event_id):
            self._listeners.emit_event(event)

    def _primary_changed(self, change: ConnectionChange) -> None:
        self._listeners.emit_connection(change)
        if change.state is ConnectionState.DROPPED and not self._fallen_back:
            self._fallen_back = True
            self._listeners.emit_connection(
                ConnectionChange(
                    ConnectionState.FALLEN_BACK,
                    self.fallback.name,
                    "The host assistant is gone. Use the Zoom steps shown on each button; "
                    "End for all still works from here.",
                )
            )

    async def admit(self, participant_id: str, *, command_id: str | None = None) -> CommandResult:
        return await self.current.admit(participant_id, command_id=command_id)

    async def admit_many(
        self, participant_ids: Sequence[str], *, command_ids: Sequence[str] | None = None
    ) -> list[CommandResult]:
        return await self.current.admit_many(participant_ids, command_ids=command_ids)

    async def put_in_waiting_room(self, participant_id: str, *, command_id: str | None = None) -> CommandResult:
        return await self.current.put_in_waiting_room(participant_id, command_id=command_id)

    async def remove(self, participant_id: str, *, command_id: str | None = None) -> CommandResult:
        return await self.current.remove(participant_id, command_id=command_id)

    async def mute_all(self, *, allow_self_unmute: bool = False, command_id: str | None = None) -> CommandResult:
        return await self.current.mute_all(allow_self_unmute=allow_self_unmute, command_id=command_id)

    async def allow_chat(self, allowed: bool, /, *, command_id: str | None = None) -> CommandResult:
        return await self.current.allow_chat(allowed, command_id=command_id)

    async def stop_share(self, *, command_id: str | None = None) -> CommandResult:
        return await self.current.stop_share(command_id=command_id)

    async def lock_share(self, *, command_id: str | None = None) -> CommandResult:
        return await self.current.lock_share(command_id=command_id)

    async def lock(self, *, command_id: str | None = None) -> CommandResult:
        return await self.current.lock(command_id=command_id)

    async def unlock(self, *, command_id: str | None = None) -> CommandResult:
        return await self.current.unlock(command_id=command_id)

    async def end_for_all(self, *, command_id: str | None = None) -> CommandResult:
        result = await self.current.end_for_all(command_id=command_id)
        if not result.ok and self.current is self.primary:
            # Ending for everyone is the one control that must never depend on the assistant.
            return await self.fallback.end_for_all(command_id=new_command_id())
        return result

    async def close(self) -> None:
        await self.primary.close()
        await self.fallback.close()


class ControlledSession(Protocol):
    """The part of the live session that host controls write to (zoomhost.core.session.LiveSession)."""

    def record_command(
        self, name: str, *, actor: str, participant_id: str | None = None, command_id: str
    ) -> object: ...

    def record_result(self, command_id: str, ok: bool, message: str) -> object: ...

    def command_done(self, command_id: str) -> object: ...

    def admissible_waiting(self) -> Iterable[object]: ...

    def lock(self, actor: str = ...) -> object: ...

    def unlock(self, actor: str = ...) -> object: ...

    def record_manual_confirmation(self, step: str, *, actor: str) -> object: ...

    def apply(self, event: MeetingEvent) -> object: ...


def _participant_key(item: object) -> str:
    """admissible_waiting() may give participant ids or objects that carry one."""
    if isinstance(item, str):
        return item
    for attribute in ("participant_id", "id", "user_id"):
        value = getattr(item, attribute, None)
        if value is not None:
            return str(value)
    raise TypeError(f"cannot tell which participant {item!r} is")


@dataclass(slots=True)
class HostControls:
    """The panel's host controls: each command goes to the channel and, with its result, into the journal.

    Events from the channel are applied to the live session as they arrive. A command the
    channel cannot carry out comes back with the Zoom step for the teacher; their confirmation
    is journaled with ``confirm_manual_step``.
    """

    channel: ControlChannel
    session: ControlledSession
    actor: str
    _unsubscribe: list[Callable[[], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._unsubscribe.append(self.channel.on_event(self.session.apply))

    def capabilities(self) -> dict[Capability, CapabilityInfo]:
        return self.channel.capabilities()

    def _begin(self, capability: Capability, participant_id: str | None = None) -> str:
        command_id = new_command_id()
        self.session.record_command(
            capability.value, actor=self.actor, participant_id=participant_id, command_id=command_id
        )
        return command_id

    def _finish(self, result: CommandResult) -> CommandResult:
        message = result.message if not result.manual_step else f"{result.message} ({result.manual_step})"
        self.session.record_result(result.command_id, result.ok, message)
        self.session.command_done(result.command_id)
        return result

    async def admit(self, participant_id: str) -> CommandResult:
        command_id = self._begin(Capability.ADMIT, participant_id)
        return self._finish(await self.channel.admit(participant_id, command_id=command_id))

    async def admit_all_consented(self) -> list[CommandResult]:
        """Admit everyone waiting whom the register says may come in: consented pupils and staff."""
        wanted = [_participant_key(item) for item in self.session.admissible_waiting()]
        command_ids = [self._begin(Capability.ADMIT_ALL, pid) for pid in wanted]
        results = await self.channel.admit_many(wanted, command_ids=command_ids)
        return [self._finish(result) for result in results]

    async def put_in_waiting_room(self, participant_id: str) -> CommandResult:
        command_id = self._begin(Capability.PUT_IN_WAITING_ROOM, participant_id)
        return self._finish(await self.channel.put_in_waiting_room(participant_id, command_id=command_id))

    async def remove(self, participant_id: str) -> CommandResult:
        command_id = self._begin(Capability.REMOVE, participant_id)
        return self._finish(await self.channel.remove(participant_id, command_id=command_id))

    async def mute_all(self, *, allow_self_unmute: bool = False) -> CommandResult:
        command_id = self._begin(Capability.MUTE_ALL)
        return self._finish(await self.channel.mute_all(allow_self_unmute=allow_self_unmute, command_id=command_id))

    async def chat_off(self) -> CommandResult:
        command_id = self._begin(Capability.CHAT_OFF)
        return self._finish(await self.channel.allow_chat(False, command_id=command_id))

    async def stop_share(self) -> CommandResult:
        command_id = self._begin(Capability.STOP_SHARE)
        return self._finish(await self.channel.stop_share(command_id=command_id))

    async def lock_share(self) -> CommandResult:
        command_id = self._begin(Capability.LOCK_SHARE)
        return self._finish(await self.channel.lock_share(command_id=command_id))

    async def lock(self) -> CommandResult:
        """Lock: from now on every arrival is held and flagged, whatever the channel manages to do."""
        self.session.lock(self.actor)
        command_id = self._begin(Capability.LOCK)
        return self._finish(await self.channel.lock(command_id=command_id))

    async def unlock(self) -> CommandResult:
        command_id = self._begin(Capability.UNLOCK)
        result = self._finish(await self.channel.unlock(command_id=command_id))
        if result.ok:
            self.session.unlock(self.actor)
        return result

    async def end_for_all(self) -> CommandResult:
        command_id = self._begin(Capability.END_FOR_ALL)
        return self._finish(await self.channel.end_for_all(command_id=command_id))

    def confirm_manual_step(self, step: str) -> None:
        """The teacher says they did the step in the Zoom client."""
        self.session.record_manual_confirmation(step, actor=self.actor)

    async def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        await self.channel.close()
