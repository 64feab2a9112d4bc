"""Meeting events, whatever brought them (Zoom's WebSocket, the host assistant, rehearsal).

Every source turns what it hears into these; the live session consumes only these.
``event_id`` is stable for one real-world happening, so the same event heard twice
(a reconnect, a reconciliation, an assistant callback and a WebSocket event) is
journaled once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


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
