"""Meeting events, whatever brought them (Zoom's WebSocket, the host assistant, rehearsal).

Every source turns what it hears into these; the live session consumes only these.
``event_id`` is stable for one real-world happening, so the same event heard twice
(a reconnect, a reconciliation, an assistant callback and a WebSocket event) is
journaled once.

``identity`` is who Zoom says the participant is, beyond the name they typed: their own
registration link, or the Zoom user they are signed in as. Only Zoom's event stream tells it;
the host assistant's Meeting SDK binding reports names alone, so its events carry none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType


#: The longest display name an event carries, whichever source heard it (Zoom's own limit is far
#: lower). A longer name is cut, never dropped (it may be a zoombomber's), and the event says so
#: with ``extra["name_truncated"] = "true"``.
MAX_DISPLAY_NAME = 200
#: The longest ``participant_uuid`` kept (Zoom's are 36-character UUIDs).
MAX_PARTICIPANT_UUID = 100


def cut_display_name(name: str | None) -> tuple[str | None, dict[str, str]]:
    """``name`` cut to ``MAX_DISPLAY_NAME`` characters, and the extra an event carries when it was."""
    if name is None or len(name) <= MAX_DISPLAY_NAME:
        return name, {}
    return name[:MAX_DISPLAY_NAME], {"name_truncated": "true"}


class EventKind(StrEnum):
    WAITING_JOINED = "waiting_joined"  # arrived in the waiting room
    WAITING_LEFT = "waiting_left"  # left the waiting room without being admitted
    WAITING_RENAMED = "waiting_renamed"  # changed display name while waiting
    ADMITTED = "admitted"  # moved from the waiting room into the meeting
    PUT_BACK = "put_back"  # moved from the meeting back to the waiting room
    JOINED = "joined"  # in the meeting (may follow ADMITTED, or bypass a waiting room)
    LEFT = "left"  # left the meeting
    STARTED = "started"
    ENDED = "ended"
    HOST_CHANGED = "host_changed"  # someone became host or co-host, or lost co-host (extra["role"])
    MAY_HAVE_MISSED = "may_have_missed"  # the event stream dropped and could not be reconciled
    # The event stream itself (never about a participant; the engine handles them, the session never sees them):
    STREAM_LOST = "stream_lost"  # Zoom's event stream dropped after it had worked: extra["reason"]
    STREAM_BACK = "stream_back"  # it answered again after a gap: extra["since"] (ISO time it was lost), extra["attempts"]


#: Zoom's webhook events zoomhost follows, and what each is here: the one list. The school's event subscription must
#: include these (``zoom.scopes``), the event stream reads these and no other (``zoom.events``), and the rehearsal
#: Zoom sends these over its event socket.
ZOOM_EVENT_KINDS: Mapping[str, EventKind] = MappingProxyType(
    {
        "meeting.participant_joined_waiting_room": EventKind.WAITING_JOINED,
        "meeting.participant_left_waiting_room": EventKind.WAITING_LEFT,
        "meeting.participant_admitted": EventKind.ADMITTED,
        "meeting.participant_put_in_waiting_room": EventKind.PUT_BACK,
        "meeting.participant_joined": EventKind.JOINED,
        "meeting.participant_left": EventKind.LEFT,
        "meeting.started": EventKind.STARTED,
        "meeting.ended": EventKind.ENDED,
    }
)

#: ``MeetingEvent.extra`` key for Zoom's ``participant_uuid``: the same person for the whole meeting,
#: whatever ``user_id`` Zoom's event or the Dashboard gives them (it may change between rooms).
PARTICIPANT_UUID = "participant_uuid"
#: ``MeetingEvent.extra`` key with which the host assistant says "this participant is me" (value "true").
#: Only an event from the assistant's own connection (source "assistant") is believed, never a name.
ASSISTANT_SELF = "assistant_self"


def _storable(text: object) -> bool:
    if not isinstance(text, str) or text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _readable(text: object) -> object:
    """``text`` with split pairs joined and each lone surrogate replaced by U+FFFD (non-text left alone)."""
    if not isinstance(text, str):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


#: Zoom's ids and addresses are short; anything longer is cut, never trusted whole.
MAX_IDENTITY = 256


@dataclass(frozen=True, slots=True)
class ZoomIdentity:
    """Who Zoom says a participant is, as Zoom's join and waiting-room events carry it.

    ``registrant_id``: they opened a registration link (each registrant has their own).
    ``user_id``: Zoom's ``participant_user_id``, set only for someone signed in to a user of the
    host's (the school's) Zoom account. ``email``: the address of the Zoom user they signed in as
    (Zoom gives it for the host's account, rarely for anyone else). Empty strings mean Zoom said
    nothing: someone who typed a name and nothing more.
    """

    registrant_id: str = ""
    user_id: str = ""
    email: str = ""

    def __post_init__(self) -> None:
        for name in ("registrant_id", "user_id", "email"):
            value = getattr(self, name)
            text = value.strip() if isinstance(value, str) else ""
            if name == "email":
                text = text.lower()
            if not _storable(text):
                text = str(_readable(text))
            object.__setattr__(self, name, text[:MAX_IDENTITY])

    def __bool__(self) -> bool:
        return bool(self.registrant_id or self.user_id or self.email)

    def adds_to(self, other: ZoomIdentity) -> bool:
        """Whether this says something ``other`` does not (a link or a sign-in heard only now)."""
        return any(getattr(self, name) and not getattr(other, name) for name in ("registrant_id", "user_id", "email"))

    def merged(self, earlier: ZoomIdentity) -> ZoomIdentity:
        """This identity, with what only ``earlier`` said kept (Zoom never takes a sign-in back mid-meeting)."""
        return ZoomIdentity(
            registrant_id=self.registrant_id or earlier.registrant_id,
            user_id=self.user_id or earlier.user_id,
            email=self.email or earlier.email,
        )

    def as_dict(self) -> dict[str, str]:
        """Only what Zoom said (nothing for someone who only typed a name)."""
        return {name: getattr(self, name) for name in ("registrant_id", "user_id", "email") if getattr(self, name)}

    @classmethod
    def from_dict(cls, data: object) -> ZoomIdentity:
        if not isinstance(data, dict):
            return NO_IDENTITY
        return cls(**{name: str(data[name]) for name in ("registrant_id", "user_id", "email") if data.get(name)})


NO_IDENTITY = ZoomIdentity()


@dataclass(frozen=True, slots=True)
class MeetingEvent:
    kind: EventKind
    meeting_id: str
    at: datetime  # timezone-aware UTC
    event_id: str
    participant_id: str | None = None  # Zoom's participant_uuid / user id, as the source knows it
    display_name: str | None = None
    source: str = "websocket"  # websocket | assistant | rehearsal | reconcile | manual
    extra: dict[str, str] = field(default_factory=dict)
    identity: ZoomIdentity = NO_IDENTITY  # what Zoom says of who this is (Zoom's event stream only)

    def __post_init__(self) -> None:
        # JSON lets a hostile client send half a character (a lone surrogate), which no file can
        # store; it becomes U+FFFD here, which the classifier holds as unreadable.
        for name in ("meeting_id", "event_id", "participant_id", "display_name"):
            value = getattr(self, name)
            if isinstance(value, str) and not _storable(value):
                object.__setattr__(self, name, _readable(value))
        if not all(_storable(key) and _storable(value) for key, value in self.extra.items()):
            object.__setattr__(self, "extra", {_readable(key): _readable(value) for key, value in self.extra.items()})
        # One limit for every source (Zoom's stream, the host assistant, its wire, a roster): a name
        # is cut, never dropped, and the event says so; Zoom's participant_uuid likewise.
        name, cut = cut_display_name(self.display_name)
        uuid = self.extra.get(PARTICIPANT_UUID)
        if cut or (uuid is not None and len(uuid) > MAX_PARTICIPANT_UUID):
            object.__setattr__(self, "display_name", name)
            extra = {**self.extra, **cut}
            if uuid is not None:
                extra[PARTICIPANT_UUID] = uuid[:MAX_PARTICIPANT_UUID]
            object.__setattr__(self, "extra", extra)
