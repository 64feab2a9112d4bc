"""What the panel and the host assistant say to each other over the control connection.

Every message is one JSON object with a ``type``. The panel sends ``join`` and ``command``;
the assistant sends ``hello`` (capabilities and status on connect), ``status``, ``event``
(with a sequence number, so a reconnecting panel asks only for what it missed) and
``result`` (one per command id, in the order the commands arrived).

Either side may put several messages in one ``batch`` (``{"type": "batch", "messages": [...]}``),
read as if they had come one by one, in order: admit-all's commands go in one frame, and
results and events that are ready together come back in one. A side sends batches only to
a peer that said it reads them (``batches: true`` in ``hello`` and in ``subscribe``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from zoomhost.core.control import Capability
from zoomhost.core.errors import ZoomhostError
from zoomhost.core.events import EventKind, MeetingEvent

#: The environment variable that carries the per-session secret to ``zoomhost assistant``.
TOKEN_ENV = "ZOOMHOST_ASSISTANT_TOKEN"
#: The display name the assistant joins with; the teacher makes this participant co-host.
DISPLAY_NAME = "Safeguarding assistant"
#: The one click that gives the assistant the rights it needs.
COHOST_INSTRUCTION = f"In Zoom: Participants ▸ hover {DISPLAY_NAME} ▸ More ▸ Make co-host"

#: Commands the assistant accepts, with the arguments each one needs.
COMMANDS: dict[str, tuple[str, ...]] = {
    "admit": ("participant_id",),
    "put_in_waiting_room": ("participant_id",),
    "remove": ("participant_id",),
    "mute_all": ("allow_self_unmute",),
    "allow_chat": ("allowed",),
    "stop_share": (),
    "lock_share": (),
    "lock": (),
    "unlock": (),
    "end_for_all": (),
}

#: Which capability each command exercises (admit sent for admit-all counts as admit_all).
COMMAND_CAPABILITY: dict[str, Capability] = {
    "admit": Capability.ADMIT,
    "put_in_waiting_room": Capability.PUT_IN_WAITING_ROOM,
    "remove": Capability.REMOVE,
    "mute_all": Capability.MUTE_ALL,
    "allow_chat": Capability.CHAT_OFF,
    "stop_share": Capability.STOP_SHARE,
    "lock_share": Capability.LOCK_SHARE,
    "lock": Capability.LOCK,
    "unlock": Capability.UNLOCK,
    "end_for_all": Capability.END_FOR_ALL,
}


class WireError(ZoomhostError):
    """A message on the control connection was not one the other side understands."""


@dataclass(frozen=True, slots=True)
class AssistantStatus:
    """Where the assistant is: signing in, in the meeting, with or without the rights it needs."""

    state: str  # idle | authenticating | joining | in_meeting | failed | ended
    rights: str  # none | attendee | co-host | host
    message: str
    instruction: str | None = None  # the one click the teacher must make, when there is one
    lock_method: str = "waiting_room_hold"  # lock_meeting | waiting_room_hold

    @property
    def can_host(self) -> bool:
        return self.state == "in_meeting" and self.rights in ("co-host", "host")

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "rights": self.rights,
            "message": self.message,
            "instruction": self.instruction,
            "lock_method": self.lock_method,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AssistantStatus:
        return cls(
            state=str(data["state"]),
            rights=str(data["rights"]),
            message=str(data.get("message") or ""),
            instruction=data.get("instruction"),
            lock_method=str(data.get("lock_method") or "waiting_room_hold"),
        )


def event_to_dict(event: MeetingEvent) -> dict[str, Any]:
    return {
        "kind": event.kind.value,
        "meeting_id": event.meeting_id,
        "at": event.at.isoformat(),
        "event_id": event.event_id,
        "participant_id": event.participant_id,
        "display_name": event.display_name,
        "source": event.source,
        "extra": dict(event.extra),
    }


def event_from_dict(data: dict[str, Any]) -> MeetingEvent:
    try:
        at = datetime.fromisoformat(str(data["at"]))
        if at.tzinfo is None:
            raise ValueError("event time without a timezone")
        return MeetingEvent(
            kind=EventKind(str(data["kind"])),
            meeting_id=str(data["meeting_id"]),
            at=at,
            event_id=str(data["event_id"]),
            participant_id=None if data.get("participant_id") is None else str(data["participant_id"]),
            display_name=None if data.get("display_name") is None else str(data["display_name"]),
            source=str(data.get("source") or "assistant"),
            extra={str(k): str(v) for k, v in dict(data.get("extra") or {}).items()},
        )
    except (KeyError, ValueError, TypeError) as err:
        raise WireError(f"The assistant sent an event the panel cannot read ({err}).") from err


#: The most messages one ``batch`` carries (a 272-pupil admit-all is a few frames, each well under 1 MB).
BATCH_LIMIT = 512


def batch(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """One message carrying ``messages`` (a single message is sent as itself)."""
    return messages[0] if len(messages) == 1 else {"type": "batch", "messages": messages}


def unbatch(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The messages a received message carries, in order (itself, unless it is a ``batch``)."""
    if message["type"] != "batch":
        return [message]
    inner = message.get("messages")
    if not isinstance(inner, list) or not all(isinstance(m, dict) and isinstance(m.get("type"), str) for m in inner):
        raise WireError("A batch on the control connection was not a list of messages.")
    if any(m["type"] == "batch" for m in inner):
        raise WireError("A batch on the control connection held another batch.")
    return inner


def encode(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def decode(text: str | bytes) -> dict[str, Any]:
    try:
        message = json.loads(text)
    except (ValueError, UnicodeDecodeError) as err:
        raise WireError("A message on the control connection was not JSON.") from err
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise WireError("A message on the control connection had no type.")
    return message


def check_command(message: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    """The command id, name and arguments of a ``command`` message, or a WireError saying what is wrong."""
    command_id = message.get("command_id")
    if not isinstance(command_id, str) or not (1 <= len(command_id) <= 128):
        raise WireError("A command arrived without a command id.")
    name = message.get("command")
    if name not in COMMANDS:
        raise WireError(f"'{name}' is not a command the assistant knows.")
    args = message.get("args") or {}
    if not isinstance(args, dict):
        raise WireError(f"The arguments of '{name}' were not an object.")
    missing = [arg for arg in COMMANDS[name] if arg not in args]
    if missing:
        raise WireError(f"'{name}' needs {', '.join(missing)}.")
    return command_id, name, args
