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
#: The teacher's one action while the assistant waits in the waiting room: let it in, then make it co-host.
ADMIT_INSTRUCTION = (
    f"In Zoom: admit {DISPLAY_NAME} from the waiting room (Participants ▸ Admit), "
    f"then make it co-host (Participants ▸ hover {DISPLAY_NAME} ▸ More ▸ Make co-host)"
)
#: While the meeting has not started: the assistant waits for its host.
START_INSTRUCTION = "Start the meeting in Zoom as its host: the assistant joins as soon as it has started"

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
    "allow_rename": ("allowed",),
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
    "allow_rename": Capability.RENAME_OFF,
}


class WireError(ZoomhostError):
    """A message on the control connection was not one the other side understands."""


@dataclass(frozen=True, slots=True)
class AssistantStatus:
    """Where the assistant is: signing in, in the meeting, with or without the rights it needs."""

    # idle | authenticating | joining | waiting_for_host (the meeting has not started) | waiting_room
    # (Zoom holds it there until someone admits it) | in_meeting | failed | ended
    state: str
    rights: str  # none | attendee | co-host | host
    message: str
    instruction: str | None = None  # the one click the teacher must make, when there is one
    lock_method: str = "waiting_room_hold"  # lock_meeting | waiting_room_hold

    @property
    def can_host(self) -> bool:
        return self.state == "in_meeting" and self.rights in ("co-host", "host")

    @property
    def waiting(self) -> bool:
        """Joined as far as it can go alone: it waits for the host to start the meeting, to be admitted, or to be made co-host."""
        return self.state in ("waiting_for_host", "waiting_room") or (self.state == "in_meeting" and not self.can_host)

    @property
    def over(self) -> bool:
        """It will not get any further by itself: it failed, or the meeting ended."""
        return self.state in ("failed", "ended")

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
    """The messages a received message carries, in order (itself, unless it is a ``batch``).

    A batch of more than ``BATCH_LIMIT`` messages is refused whole: nothing in it is carried out.
    """
    if message["type"] != "batch":
        return [message]
    inner = message.get("messages")
    if not isinstance(inner, list) or not all(isinstance(m, dict) and isinstance(m.get("type"), str) for m in inner):
        raise WireError("A batch on the control connection was not a list of messages.")
    if len(inner) > BATCH_LIMIT:
        raise WireError(f"A batch on the control connection held {len(inner)} messages; at most {BATCH_LIMIT} are read.")
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


#: The kind of value each command argument must be.
ARGUMENT_KINDS: dict[str, str] = {"participant_id": "participant", "allow_self_unmute": "flag", "allowed": "flag"}
MAX_PARTICIPANT_ID = 64  # Zoom's in-meeting ids are numbers of a few digits; this bounds what is echoed back
MAX_SDK_JWT = 8192
MAX_ZAK = 1024  # Zoom's documents: at most 512 characters
MAX_PASSCODE = 64  # Zoom allows 10 characters
MAX_MEETING_NUMBER = 10**13  # meeting numbers have 9 to 12 digits


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _shown(value: object) -> str:
    """A bad value named in an error reply, short and in one line."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def check_subscribe(message: dict[str, Any]) -> tuple[int, bool]:
    """``after`` (the last event already seen, 0 for none) and whether batches are read, or a WireError."""
    after = message.get("after", 0)
    if after is None:
        after = 0
    if not _is_int(after) or after < 0:
        raise WireError(f"'after' must be a whole number of at least 0, not {_shown(after)}.")
    batches = message.get("batches", False)
    if not isinstance(batches, bool):
        raise WireError(f"'batches' must be true or false, not {_shown(batches)}.")
    return after, batches


def check_join_zak(message: dict[str, Any]) -> str:
    """The ZAK a ``join`` message carries ("" for none: the assistant joins as a guest), or a WireError."""
    zak = message.get("zak")
    if zak is None:
        return ""
    if not isinstance(zak, str) or len(zak) > MAX_ZAK:
        raise WireError(f"A join's ZAK must be text of at most {MAX_ZAK} characters.")
    return zak


def check_join(message: dict[str, Any]) -> tuple[int, str, str]:
    """The meeting number, passcode and SDK token of a ``join`` message, or a WireError saying what is wrong."""
    meeting_number = message.get("meeting_number")
    if not _is_int(meeting_number) or not 0 < meeting_number < MAX_MEETING_NUMBER:
        raise WireError("A join needs a meeting number (a whole number).")
    passcode = message.get("passcode")
    if passcode is None:
        passcode = ""
    if not isinstance(passcode, str) or len(passcode) > MAX_PASSCODE:
        raise WireError(f"A join's passcode must be text of at most {MAX_PASSCODE} characters.")
    sdk_jwt = message.get("sdk_jwt")
    if not isinstance(sdk_jwt, str) or not 0 < len(sdk_jwt) <= MAX_SDK_JWT:
        raise WireError("A join needs the SDK token.")
    return meeting_number, passcode, sdk_jwt


def check_command(message: dict[str, Any]) -> tuple[str, str, dict[str, Any], bool]:
    """The command id, name, arguments and bulk flag of a ``command`` message, or a WireError saying what is wrong."""
    command_id = message.get("command_id")
    if not isinstance(command_id, str) or not (1 <= len(command_id) <= 128):
        raise WireError("A command arrived without a command id.")
    name = message.get("command")
    if not isinstance(name, str) or name not in COMMANDS:
        raise WireError(f"{_shown(name)} is not a command the assistant knows.")
    args = message.get("args")
    if args is None:
        args = {}
    if not isinstance(args, dict):
        raise WireError(f"The arguments of '{name}' were not an object.")
    missing = [arg for arg in COMMANDS[name] if arg not in args]
    if missing:
        raise WireError(f"'{name}' needs {', '.join(missing)}.")
    unknown = sorted(str(arg)[:40] for arg in args if arg not in COMMANDS[name])
    if unknown:
        raise WireError(f"'{name}' takes no {', '.join(unknown)}.")
    for arg, value in args.items():
        kind = ARGUMENT_KINDS[arg]
        if kind == "flag" and not isinstance(value, bool):
            raise WireError(f"'{arg}' of '{name}' must be true or false, not {_shown(value)}.")
        if kind == "participant" and not (
            _is_int(value) or (isinstance(value, str) and 0 < len(value) <= MAX_PARTICIPANT_ID)
        ):
            raise WireError(f"'{arg}' of '{name}' must be a participant's id, not {_shown(value)}.")
    bulk = message.get("bulk", False)
    if bulk is None:
        bulk = False
    if not isinstance(bulk, bool):
        raise WireError(f"'bulk' must be true or false, not {_shown(bulk)}.")
    return command_id, name, args, bulk
