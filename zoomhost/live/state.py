"""What the Live panel shows of a running session, read on the I/O thread where the engine lives.

The engine (``LiveController``) owns the session: whether the meeting is locked or has ended,
whether the autopilot admits, which channel carries the controls and what it can do, the counts,
when the meeting locks itself and when its planned length is up. After each batch of changes the
app reads all of it into one frozen :class:`LiveState` and hands it to the panel with the batch
(a :class:`LiveUpdate`), so the panel shows the engine's own answer and never keeps a copy.
What a teacher must be told about (an alarm, a step to do in Zoom, the control channel changing,
the session's time, a pick-up after a restart) comes as :class:`Notice` values, in the order it
happened, and the start-of-session checks as a :class:`StartChecksView`. While the host assistant
waits (for the host to start the meeting, in the waiting room, to be made co-host), the state
carries it as an :class:`AssistantWait`: the one thing the teacher must do.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

from zoomhost.core.control import Capability, CapabilityInfo
from zoomhost.core.session import Alarm, Arrival, SessionChange, SessionCounts
from zoomhost.core.start_checks import (
    PER_PUPIL_LIMIT,
    CheckState,
    SessionTimer,
    StartCheckId,
    StartChecklist,
    TICK_KINDS,
    TimerReading,
)
from zoomhost.live.engine import LiveNote, note_of

if TYPE_CHECKING:
    from zoomhost.live.engine import LiveController

#: Every LiveState read in this process gets a higher number, so the newest one always wins.
_versions = itertools.count(1)


@dataclass(frozen=True)
class AssistantWait:
    """The host assistant is waiting: for what, in words, and the one thing the teacher must do."""

    waiting_for: str  # waiting_for_host | waiting_room | in_meeting (there, not yet co-host)
    message: str
    instruction: str


@dataclass(frozen=True)
class LiveState:
    """The engine's state after one batch of changes: what each part of the Live panel shows."""

    version: int  # the newest read has the highest number
    session_id: str
    topic: str
    rehearsal: bool
    locked: bool
    ended: bool
    autopilot: bool
    channel: str  # the control channel's name: "assistant", or the Zoom client's buttons
    fallen_back: bool  # the host assistant dropped and the Zoom client's steps stand in
    capabilities: Mapping[Capability, CapabilityInfo]
    counts: SessionCounts
    admissible_waiting: int  # whom Admit all consented would admit now
    links_in_use: bool  # pupils are admitted automatically only through their family's own link (else by name: weaker)
    pupils_present: int  # consented pupils in the meeting (the adult check is about them)
    clocks_from: datetime  # where auto-lock and the planned length count from
    lock_deadline: datetime | None  # when auto-lock locks; None once locked, ended, or with auto-lock off
    planned_end: datetime | None
    planned_minutes: int
    time_scale: float  # session time runs this many times faster than the clock (a rehearsal's speed)
    assistant_wait: AssistantWait | None = None  # the host assistant waits for the teacher or the host
    renaming_off: bool = False  # the host assistant switched "Rename Themselves" off in the meeting
    staff_only: bool = False  # a meeting of staff only: only signed-in staff are admitted, nobody judged as a pupil

    @classmethod
    def read(cls, controller: LiveController, *, time_scale: float = 1.0) -> LiveState:
        """Read the controller's public state; call it on the I/O loop, where the engine lives."""
        session = controller.session
        info = session.journal.info
        waiting = controller.assistant_waiting
        wait = AssistantWait(waiting.state, waiting.message, waiting.instruction or "") if waiting is not None else None
        return cls(
            version=next(_versions),
            session_id=session.journal.session_id,
            topic=info.topic,
            rehearsal=info.rehearsal,
            locked=session.locked,
            ended=session.ended,
            autopilot=controller.autopilot,
            channel=controller.channel.name,
            fallen_back=controller.fallen_back,
            capabilities=MappingProxyType(dict(controller.capabilities())),
            counts=session.counts(),
            admissible_waiting=len(session.admissible_waiting()),
            links_in_use=session.links_in_use,
            pupils_present=len(StartChecklist(session=session).pupils_present()),
            clocks_from=controller.clocks_from,
            lock_deadline=controller.lock_deadline,
            planned_end=controller.planned_end,
            planned_minutes=info.planned_minutes,
            time_scale=time_scale,
            assistant_wait=wait,
            renaming_off=controller.renaming_off,
            staff_only=session.staff_only,
        )

    def seconds_until_lock(self, now: datetime) -> float | None:
        """Seconds of session time until auto-lock at ``now`` (0 when due); None when there is no countdown."""
        if self.lock_deadline is None:
            return None
        return max(0.0, (self.lock_deadline - now).total_seconds() * self.time_scale)

    def session_clock(self, now: datetime) -> TimerReading | None:
        """The session's time against its planned length at ``now``; None for a length that cannot be timed."""
        try:
            timer = SessionTimer(started_at=self.clocks_from, planned_minutes=self.planned_minutes)
        except ValueError:  # a planned length zoomhost cannot time: no clock rather than a wrong one
            return None
        return timer.reading(self.clocks_from + (now - self.clocks_from) * self.time_scale)


class NoticeKind(StrEnum):
    """What the teacher is told about: the session's alarms, and the engine's notes."""

    ALARM = "alarm"  # someone who should not be in, a duplicate, a suspicious name, an arrival after the lock …
    ZOOM_STEP = "zoom_step"  # a control only the teacher can do in Zoom: the step, then Done in Zoom
    CHANNEL_LOST = "channel_lost"  # the host assistant dropped, or arrivals may go unheard: a warning
    CHANNEL = "channel"  # the control channel is back (the host assistant connected)
    ASSISTANT_WAITING = "assistant_waiting"  # the host assistant waits: message, and ``step`` the one thing to do
    SESSION_TIME = "session_time"  # the planned length is up, or well over
    RESUMED = "resumed"  # picked up after zoomhost stopped mid-session


@dataclass(frozen=True)
class Notice:
    """One thing to tell the teacher, in the engine's words."""

    kind: NoticeKind
    message: str
    alarm: Alarm | None = None  # ALARM: the alarm itself
    step: str = ""  # ZOOM_STEP: the exact step in the Zoom client
    command_id: str | None = None  # ZOOM_STEP: the command the step carries out
    participant_id: str | None = None  # ZOOM_STEP: whom it is about


def notices_in(changes: Iterable[SessionChange | Arrival]) -> list[Notice]:
    """The notices a batch of changes carries, in order."""
    notices: list[Notice] = []
    for change in changes:
        if isinstance(change, Arrival):
            continue
        if change.alarm is not None:
            notices.append(Notice(NoticeKind.ALARM, change.alarm.message, alarm=change.alarm))
        note = note_of(change)
        detail = change.entry.detail
        message = str(detail.get("message", ""))
        if note is LiveNote.MANUAL_STEP:
            pid = detail.get("participant_id")
            notices.append(
                Notice(
                    NoticeKind.ZOOM_STEP,
                    message,
                    step=str(detail.get("step", "")),
                    command_id=detail.get("command_id"),
                    participant_id=str(pid) if pid else None,
                )
            )
        elif note is LiveNote.CHANNEL and detail.get("state") == "assistant_waiting":
            notices.append(Notice(NoticeKind.ASSISTANT_WAITING, message, step=str(detail.get("instruction", ""))))
        elif note is LiveNote.CHANNEL:
            lost = detail.get("state") in ("fallen_back", "events_lost")
            notices.append(Notice(NoticeKind.CHANNEL_LOST if lost else NoticeKind.CHANNEL, message))
        elif note is LiveNote.TIMER:
            notices.append(Notice(NoticeKind.SESSION_TIME, message))
        elif note is LiveNote.RESUMED:
            notices.append(Notice(NoticeKind.RESUMED, message))
    return notices


@dataclass(frozen=True)
class LiveUpdate:
    """One batch for the panel: the changes (rows, alarms), the state after them, and what to tell the teacher."""

    changes: tuple[SessionChange | Arrival, ...]
    state: LiveState
    notices: tuple[Notice, ...] = ()

    @classmethod
    def joined(cls, updates: Sequence[LiveUpdate]) -> LiveUpdate:
        """Batches that piled up, as one: every change and notice in order, and the newest state."""
        if len(updates) == 1:
            return updates[0]
        return cls(
            changes=tuple(change for update in updates for change in update.changes),
            state=max((update.state for update in updates), key=lambda state: state.version),
            notices=tuple(notice for update in updates for notice in update.notices),
        )


@dataclass(frozen=True)
class StartChecksView:
    """The start-of-session checks as the journal has them now (read on the I/O thread)."""

    states: tuple[CheckState, ...]
    per_pupil: bool  # a small class: the adult check may be ticked pupil by pupil
    pupils: tuple[tuple[str, str], ...]  # (participant id, pupil label) of consented pupils in the meeting

    @classmethod
    def read(cls, checklist: StartChecklist) -> StartChecksView:
        present = tuple((row.participant_id, row.pupil_label or "") for row in checklist.pupils_present())
        return cls(states=tuple(checklist.states()), per_pupil=checklist.per_pupil_offered, pupils=present)

    def state(self, check_id: StartCheckId) -> CheckState | None:
        """The check's state, or None when this session does not ask for it (a staff meeting's adult check)."""
        return next((state for state in self.states if state.check.id is check_id), None)

    def moved_by(self, update: LiveUpdate) -> bool:
        """Whether a batch can change the checks: a step confirmed, chat or sharing closed by the assistant,
        or (while the adult check may go pupil by pupil) who is in the meeting. Reading them means reading
        the journal: not after every one of an assembly's arrivals."""
        if any(not isinstance(c, Arrival) and c.kind in TICK_KINDS for c in update.changes):
            return True
        adult = self.state(StartCheckId.ADULT_PRESENT)
        if adult is None or adult.done:
            return False
        present = update.state.pupils_present
        return present != len(self.pupils) and (present <= PER_PUPIL_LIMIT or self.per_pupil)
