"""The checks a teacher makes once the meeting has started, and the clock that watches its length.

The risk assessment asks for things no Zoom setting can prove: that an adult is in the room
with each child, that chat is closed and nobody shares a screen in *this* meeting. The
teacher ticks them; each tick goes into the session journal as a confirmed step (so the
summary shows who confirmed what, and when), and the checklist's state is read back from
the journal, so it survives a restart. Chat and sharing also count as done when the host
assistant has already closed them (its ``chat_off`` / ``share_locked`` journal entries).

The session timer is pure: it turns the start time, the planned length and "now" into a
stage, and warns once when the planned length is reached and once more when it is exceeded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from zoomhost.core import protocol
from zoomhost.core.errors import ZoomhostError
from zoomhost.core.journal import Actor, JournalEntry, JournalKind
from zoomhost.core.models import Verdict
from zoomhost.core.session import Arrival, LiveSession, SessionChange

#: Up to this many pupils in the meeting, the teacher may tick the adult check pupil by pupil.
PER_PUPIL_LIMIT = 15
#: The protocol's usual longest session (risk assessment: "usually last no more than 30 minutes").
PROTOCOL_MINUTES = 30
#: How far past the planned length the second warning comes.
OVERRUN_MINUTES = 5

_PREFIX = "Start check: "


def _quoted(line: str) -> str:
    """A line the protocol module quotes (fails at import if the quote drifts from the protocol)."""
    if line not in protocol.PROTOCOL_TEXT:
        raise ValueError(f"not a protocol line: {line!r}")
    return line


class StartCheckError(ZoomhostError):
    """A tick that cannot be recorded yet."""


class StartCheckId(StrEnum):
    ADULT_PRESENT = "adult_present"
    CHAT_CLOSED = "chat_closed"
    NO_SCREEN_SHARING = "no_screen_sharing"
    PRIVATE_SPACE = "private_space"  # a meeting of staff only


@dataclass(frozen=True, slots=True)
class StartCheck:
    """One item of the start-of-session checklist, with the protocol line it answers."""

    id: StartCheckId
    title: str
    protocol_line: str
    how: str  # what the teacher does in Zoom, or looks for, before ticking
    step: str  # the words written to the journal (and shown in the summary) when ticked
    done_by: JournalKind | None = None  # a journal entry that also makes it done (the assistant did it)


START_CHECKS: tuple[StartCheck, ...] = (
    StartCheck(
        id=StartCheckId.ADULT_PRESENT,
        title="An adult is present with each pupil",
        protocol_line=_quoted("Check once sessions starts that an adult is present in the room."),
        how="Ask each family to wave an adult into view, or look for one on each pupil's video.",
        step=f"{_PREFIX}an adult is present with every pupil",
    ),
    StartCheck(
        id=StartCheckId.CHAT_CLOSED,
        title="Chat is closed",
        protocol_line=_quoted("Chat feature closed by host – this needs to be set on the app not desktop."),
        how="In Zoom: Chat ▸ ⋯ ▸ Participants can chat with ▸ No one (in the app, not only the desktop settings).",
        step=f"{_PREFIX}chat is closed",
        done_by=JournalKind.CHAT_OFF,
    ),
    StartCheck(
        id=StartCheckId.NO_SCREEN_SHARING,
        title="Nobody but the host can share a screen",
        protocol_line=_quoted("No screen sharing allowed."),
        how="In Zoom: Share Screen ▴ ▸ Advanced Sharing Options ▸ Who can share? ▸ Only Host.",
        step=f"{_PREFIX}only the host can share a screen",
        done_by=JournalKind.SHARE_LOCKED,
    ),
)


#: A meeting of staff only (``core.profiles``) has no pupils to see an adult with, and staff may chat
#: and share; the risk assessment asks instead that each of them is somewhere private.
STAFF_START_CHECKS: tuple[StartCheck, ...] = (
    StartCheck(
        id=StartCheckId.PRIVATE_SPACE,
        title="Everyone is in a private space",
        protocol_line=_quoted("Staff to join conference in a private space out of ear shot of non-Federation staff"),
        how="Ask each colleague to say they are somewhere private, out of earshot of anyone who is not Federation staff.",
        step=f"{_PREFIX}every member of staff is in a private space",
    ),
)


def start_checks_for(*, staff_only: bool) -> tuple[StartCheck, ...]:
    """The checks a session asks for: the staff meeting's, or a class's and an assembly's."""
    return STAFF_START_CHECKS if staff_only else START_CHECKS


def start_check(check_id: StartCheckId | str) -> StartCheck:
    wanted = StartCheckId(check_id)
    return next(check for check in (*START_CHECKS, *STAFF_START_CHECKS) if check.id is wanted)


def _adult_step_for(label: str) -> str:
    return f"{_PREFIX}an adult is with {label}"


@dataclass(frozen=True, slots=True)
class CheckState:
    """How one checklist item stands: done or not, by whom, and (adult check) which pupils are confirmed."""

    check: StartCheck
    done: bool
    by: str | None = None  # "teacher", "assistant", … (an Actor value) once done
    at: datetime | None = None
    pupils_confirmed: tuple[str, ...] = ()  # pupil labels ticked one by one
    pupils_waiting: tuple[str, ...] = ()  # pupils in the meeting not yet confirmed (per-pupil mode)

    @property
    def summary(self) -> str:
        """One line for the checklist."""
        if self.done:
            who = "zoomhost's host assistant" if self.by == Actor.ASSISTANT else "you"
            return f"{self.check.title}: confirmed by {who}."
        if self.pupils_confirmed:
            return (
                f"{self.check.title}: {len(self.pupils_confirmed)} confirmed, "
                f"{len(self.pupils_waiting)} still to confirm."
            )
        return f"{self.check.title}: not yet confirmed."


class StartChecklist:
    """The start-of-session checklist over one live session. Every tick is a journal entry first."""

    def __init__(self, *, session: LiveSession, per_pupil_limit: int = PER_PUPIL_LIMIT) -> None:
        if per_pupil_limit < 0:
            raise ValueError("the per-pupil limit cannot be negative")
        self._session = session
        self._limit = per_pupil_limit

    @property
    def checks(self) -> tuple[StartCheck, ...]:
        """This session's checks (the journal's admission note says whether it is a meeting of staff only)."""
        return start_checks_for(staff_only=self._session.staff_only)

    # -- what the page shows -------------------------------------------------------------

    def pupils_present(self) -> list[Arrival]:
        """The consented pupils in the meeting now (the ones an adult must be with)."""
        return [
            row
            for row in self._session.in_meeting()
            if row.verdict is Verdict.CONSENTED and row.pupil_label is not None
        ]

    @property
    def per_pupil_offered(self) -> bool:
        """A small class may tick each pupil; a large one confirms for everyone at once."""
        return 0 < len(self.pupils_present()) <= self._limit

    def states(self) -> list[CheckState]:
        """Every item's state, read from the journal (so it is the same after a restart)."""
        entries = self._ticks()
        return [self._state(check, entries) for check in self.checks]

    def state(self, check_id: StartCheckId | str) -> CheckState:
        return self._state(self._check(check_id), self._ticks())

    def _check(self, check_id: StartCheckId | str) -> StartCheck:
        check = start_check(check_id)
        if check not in self.checks:
            raise StartCheckError(f"“{check.title}” is not one of this session's checks.")
        return check

    def _ticks(self) -> list[JournalEntry]:
        """The journal's entries that can tick an item: not an assembly's every arrival."""
        return self._session.journal.entries(kinds=TICK_KINDS)

    @property
    def complete(self) -> bool:
        return all(item.done for item in self.states())

    def outstanding(self) -> list[StartCheck]:
        return [item.check for item in self.states() if not item.done]

    # -- ticking -------------------------------------------------------------------------

    def confirm(self, check_id: StartCheckId | str, *, actor: str = Actor.TEACHER) -> list[SessionChange]:
        """Tick an item (for the adult check: confirmed for every pupil in the meeting)."""
        check = self._check(check_id)
        if self.state(check.id).done:
            return []
        step = check.step
        if check.id is StartCheckId.ADULT_PRESENT:
            count = len(self.pupils_present())
            if count == 0:
                raise StartCheckError(
                    "No pupil is in the meeting yet, so there is nobody to confirm an adult is with.",
                    hint="Admit the class first, then confirm.",
                )
            step = f"{step} ({count} in the meeting)"
        return self._session.record_manual_confirmation(step, actor=actor)

    def confirm_adult_with(self, participant_id: str, *, actor: str = Actor.TEACHER) -> list[SessionChange]:
        """Tick one pupil in a small class. ``ValueError`` when that person is not a pupil in the meeting."""
        self._check(StartCheckId.ADULT_PRESENT)
        row = next((r for r in self.pupils_present() if r.participant_id == participant_id), None)
        if row is None or row.pupil_label is None:
            raise StartCheckError("Only a consented pupil who is in the meeting can be confirmed.")
        if row.pupil_label in self.state(StartCheckId.ADULT_PRESENT).pupils_confirmed:
            return []
        return self._session.record_manual_confirmation(_adult_step_for(row.pupil_label), actor=actor)

    # -- reading the journal -------------------------------------------------------------

    def _state(self, check: StartCheck, entries: Sequence[JournalEntry]) -> CheckState:
        done_entry = next((e for e in entries if self._marks_done(check, e)), None)
        if check.id is not StartCheckId.ADULT_PRESENT:
            if done_entry is None:
                return CheckState(check=check, done=False)
            return CheckState(check=check, done=True, by=done_entry.actor, at=done_entry.at)
        confirmed = _pupils_confirmed(entries)
        present = [row.pupil_label for row in self.pupils_present() if row.pupil_label]
        waiting = tuple(label for label in present if label not in confirmed)
        if done_entry is not None:
            return CheckState(check=check, done=True, by=done_entry.actor, at=done_entry.at, pupils_confirmed=confirmed)
        if confirmed and present and not waiting:
            last = max((e for e in entries if _confirms_pupil(e)), key=lambda e: e.seq)
            return CheckState(check=check, done=True, by=last.actor, at=last.at, pupils_confirmed=confirmed)
        return CheckState(check=check, done=False, pupils_confirmed=confirmed, pupils_waiting=waiting)

    @staticmethod
    def _marks_done(check: StartCheck, entry: JournalEntry) -> bool:
        if check.done_by is not None and entry.kind is check.done_by:
            return True
        if entry.kind is not JournalKind.MANUAL_STEP_CONFIRMED:
            return False
        step = str(entry.detail.get("step", ""))
        return step == check.step or step.startswith(f"{check.step} (")


#: What can tick an item: a step the teacher confirmed, or what the item's own entry says was done.
TICK_KINDS = frozenset(
    {JournalKind.MANUAL_STEP_CONFIRMED}
    | {check.done_by for check in (*START_CHECKS, *STAFF_START_CHECKS) if check.done_by is not None}
)


def _confirms_pupil(entry: JournalEntry) -> bool:
    if entry.kind is not JournalKind.MANUAL_STEP_CONFIRMED:
        return False
    step = str(entry.detail.get("step", ""))
    return step.startswith(_adult_step_for(""))


def _pupils_confirmed(entries: Iterable[JournalEntry]) -> tuple[str, ...]:
    prefix = _adult_step_for("")
    labels: list[str] = []
    for entry in entries:
        if _confirms_pupil(entry):
            label = str(entry.detail.get("step", ""))[len(prefix) :]
            if label not in labels:
                labels.append(label)
    return tuple(labels)


# -- the session timer ------------------------------------------------------------------------


class TimerStage(StrEnum):
    RUNNING = "running"
    REACHED = "reached"  # the planned length is up
    EXCEEDED = "exceeded"  # OVERRUN_MINUTES past it


@dataclass(frozen=True, slots=True)
class TimerReading:
    """What the live page's clock shows at one moment."""

    stage: TimerStage
    elapsed: timedelta
    planned: timedelta
    message: str

    @property
    def remaining(self) -> timedelta:
        """Time left of the planned length (negative once it is over)."""
        return self.planned - self.elapsed

    @property
    def clock_text(self) -> str:
        """"12:05 of 30:00" (minutes and seconds)."""
        return f"{_mmss(self.elapsed)} of {_mmss(self.planned)}"


def _mmss(span: timedelta) -> str:
    seconds = max(0, int(span.total_seconds()))
    return f"{seconds // 60}:{seconds % 60:02d}"


@dataclass(frozen=True, slots=True)
class SessionTimer:
    """The planned length of one session against the clock. Pure: give it "now", it gives the stage."""

    started_at: datetime
    planned_minutes: int = PROTOCOL_MINUTES
    overrun_minutes: int = OVERRUN_MINUTES

    def __post_init__(self) -> None:
        if self.started_at.tzinfo is None:
            raise ValueError("the start time must be timezone-aware")
        if not 1 <= self.planned_minutes <= 1440:
            raise ValueError("a session is planned for between 1 minute and 24 hours")
        if self.overrun_minutes < 1:
            raise ValueError("the overrun warning comes at least a minute after the planned length")

    @property
    def longer_than_protocol(self) -> bool:
        """The plan itself is beyond the protocol's usual 30 minutes (the pre-flight ``duration`` rule says so too)."""
        return self.planned_minutes > PROTOCOL_MINUTES

    def reading(self, now: datetime) -> TimerReading:
        elapsed = max(timedelta(0), now - self.started_at)
        planned = timedelta(minutes=self.planned_minutes)
        over = elapsed - planned
        if over >= timedelta(minutes=self.overrun_minutes):
            minutes = int(over.total_seconds() // 60)
            message = (
                f"The session has run {minutes} minutes past its planned {self.planned_minutes}. "
                f"The protocol says a session usually lasts no more than {PROTOCOL_MINUTES} minutes: "
                "bring it to a close and end the meeting for everyone."
            )
            return TimerReading(TimerStage.EXCEEDED, elapsed, planned, message)
        if over >= timedelta(0):
            message = (
                f"The planned {self.planned_minutes} minutes are up. "
                f"The protocol says a session usually lasts no more than {PROTOCOL_MINUTES} minutes."
            )
            return TimerReading(TimerStage.REACHED, elapsed, planned, message)
        left = planned - elapsed
        return TimerReading(TimerStage.RUNNING, elapsed, planned, f"{_mmss(left)} left of the planned {self.planned_minutes} minutes.")


class TimerWatch:
    """Turns timer readings into warnings, each given once, in order (a late tick gives both at once)."""

    _ORDER = (TimerStage.RUNNING, TimerStage.REACHED, TimerStage.EXCEEDED)

    def __init__(self, timer: SessionTimer) -> None:
        self.timer = timer
        self._given = TimerStage.RUNNING

    def check(self, now: datetime) -> list[TimerReading]:
        """The warnings not yet given by ``now``: empty, REACHED, EXCEEDED, or both."""
        reading = self.timer.reading(now)
        order = self._ORDER
        due = order[order.index(self._given) + 1 : order.index(reading.stage) + 1]
        if not due:
            return []
        self._given = reading.stage
        warnings = []
        for stage in due:
            # the reading at the moment each stage began, so each warning says its own words
            minutes = self.timer.planned_minutes + (self.timer.overrun_minutes if stage is TimerStage.EXCEEDED else 0)
            moment = self.timer.started_at + timedelta(minutes=minutes)
            warnings.append(reading if stage is reading.stage else self.timer.reading(moment))
        return warnings
