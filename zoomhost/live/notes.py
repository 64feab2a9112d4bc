"""The engine's notes: what it journals that is not about a participant, and how the panel reads them back.

A change of channel, the autopilot switched on or off, the planned length reached, a Zoom step
shown to the teacher, the panic key, a pick-up after a restart: each is a ``NOTE`` journal entry
whose ``detail["note"]`` is a :class:`LiveNote`, written through ``LiveSession.record_note``. The
session writes two kinds itself (host changes, the assistant's own participant);
:func:`note_of` reads them all, so the panel needs one function.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

from zoomhost.core.journal import PANIC_NOTE, Actor, JournalKind
from zoomhost.core.session import LiveSession, SessionChange, SessionNote


class LiveNote(StrEnum):
    """What a ``NOTE`` journal entry written by the engine is about (``entry.detail["note"]``)."""

    # detail: state (connected | fallen_back | events_lost | assistant_waiting), channel, message; while the
    # assistant waits also waiting_for (waiting_for_host | waiting_room | in_meeting) and instruction
    CHANNEL = "channel"
    AUTOPILOT = "autopilot"  # detail: on, message
    TIMER = "timer"  # detail: stage (planned_length_reached | planned_length_exceeded), message
    MANUAL_STEP = "manual_step"  # a control only the teacher can do: detail step, capability, command_id
    PANIC = PANIC_NOTE  # the panic key: detail command_id (of its End meeting for all command)
    RESUMED = "resumed"  # picked up after a restart: detail how (reconciled | may_have_missed), message
    # Written by the session itself (``SessionNote``), read here too so the panel needs one function:
    HOST_CHANGED = SessionNote.HOST_CHANGED.value  # someone became host or co-host: detail role; display name
    ASSISTANT = SessionNote.ASSISTANT.value  # this participant id is the host assistant itself
    ASSISTANT_SEEN = SessionNote.ASSISTANT_SEEN.value  # Zoom reported the assistant's own participant: detail event
    ALARM_SEEN = SessionNote.ALARM_SEEN.value  # the teacher pressed Seen on an alarm: detail alarm, alarm_key


def note_of(change: SessionChange) -> LiveNote | None:
    """The kind of engine note a change carries, or None for every other change."""
    if change.kind is not JournalKind.NOTE:
        return None
    try:
        return LiveNote(str(change.entry.detail.get("note")))
    except ValueError:
        return None


class NoteWriter:
    """Journals engine notes in one session, stamped by the engine's clock; the caller publishes the changes."""

    def __init__(self, session: LiveSession, clock: Callable[[], datetime]) -> None:
        self._session = session
        self._clock = clock

    def __call__(self, note: LiveNote, *, actor: str = Actor.SYSTEM, key: str | None = None, **detail: Any) -> list[SessionChange]:
        return self._session.record_note(note.value, actor=actor, key=key, detail=detail, at=self._clock())
