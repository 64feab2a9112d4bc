"""The session summary, computed from the journal alone.

Safeguarding first: incidents (with what became of each person and who acted: the teacher,
the autopilot or Zoom, and when the teacher marked the alarm seen) and the panic key; then the
arrivals held, removed or not let in, and why, and what each verdict rested on; then the host's
actions; then attendance (first name, surname initial, class, first join, last leave, minutes
present, rejoins, and how each was admitted) and staff. How each arrival was decided: by their
family's own link, a sign-in, the typed name (where the school uses no family links), the
teacher's own click, or in Zoom without zoomhost; and how many links passed on to someone else
were caught. :func:`summary_sections` is that order, with the teacher's heading for each part: the
window, the PDF, the CSV and ``zoomhost summary show`` all follow it. Display names appear only
where an incident needs them. ``as_dict`` is
deterministic; ``comparable`` drops what differs between two runs of the same meeting
(times, the session's name, stream gaps and retries), so the summary after a crash and
restart can be checked against an undisturbed one.

From outside: the journal to summarise, and for ``render_html`` the page's template text
(``resources/templates/summary.html``, read by the composition root, ``app.services.summary_template``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import jinja2

from zoomhost.core.words import plural  # noqa: F401 - also said from here (commands/sessions.py)
from zoomhost.core.journal import (
    MEETING_OVER,
    Actor,
    JournalEntry,
    JournalKind,
    SessionJournal,
    counts_as_incident,
    panic_command_id,
)
from zoomhost.core.models import Evidence, Verdict
from zoomhost.core.names import visible_name
from zoomhost.core.session import SessionNote

_ADMITTING = (JournalKind.ADMITTED, JournalKind.JOINED)
_CLOSING = (JournalKind.LEFT, JournalKind.PUT_BACK, JournalKind.REMOVED)
# The start-of-session checks (``zoomhost.core.start_checks``) are ticks of the teacher's own
# observation, journaled as confirmed steps with this prefix; nothing was done in Zoom.
_START_CHECK = "Start check:"

#: How someone came to be admitted (``AttendanceRow.admitted_by``, ``counts["admitted_by"]``).
ADMITTED_BY_WORDS = {
    "link": "by their family's own link",
    "sign_in": "signed in to the school's Zoom account",
    "name": "by typed name (no family links)",
    "teacher": "by the teacher's click",
    "zoom": "in Zoom, not through zoomhost",
}
_BY_EVIDENCE = {"link": "link", "signed_in": "sign_in", "name": "name"}

ACTION_WORDS = {
    "admit": "Admit",
    "admit_all": "Admit all consented",
    "put_in_waiting_room": "Put back in the waiting room",
    "remove": "Remove",
    "mute_all": "Mute all",
    "chat_off": "Chat off",
    "stop_share": "Stop share",
    "lock_share": "Lock screen sharing",
    "lock": "Lock meeting",
    "unlock": "Unlock meeting",
    "end_for_all": "End meeting for all",
    "panic": "Panic: end the meeting for everyone",
    "rename_off": "Renaming off",
    "hold": "Hold in the waiting room",
    "meeting_started": "Meeting started",
    "meeting_ended": "Meeting ended",
}


#: What each kind of incident was, in the teacher's words (the summary's and the incident report's).
KIND_WORDS = {
    "not_allowed_in": "Someone not consented or staff was in the meeting",
    "duplicate": "A second arrival using a pupil's name",
    "suspicious": "A name with hidden or look-alike characters, or not a name",
    "arrival_after_lock": "An arrival after the meeting was locked",
    "panic": "Panic key: the meeting was ended for everyone",
}
#: Who did something, in the teacher's words.
ACTOR_WORDS = {
    Actor.TEACHER.value: "teacher",
    Actor.AUTOPILOT.value: "autopilot",
    Actor.ZOOM.value: "Zoom",
    Actor.ASSISTANT.value: "host assistant",
    Actor.SYSTEM.value: "zoomhost",
}
#: Outcomes of an arrival, in the teacher's words.
STILL_WAITING = "still in the waiting room when the session ended"
HELD_AFTER_LOCK = "held: arrived after the meeting was locked"
IN_UNTIL_END = "in the meeting until it ended"
NOBODY = "nobody"  # who acted, when nobody did anything about that person


def actor_words(actor: str) -> str:
    """Who did it, as a teacher says it: teacher, autopilot, Zoom, host assistant, zoomhost."""
    return ACTOR_WORDS.get(actor, actor)


@dataclass(frozen=True, slots=True)
class AttendanceRow:
    first_name: str
    surname_initial: str | None
    class_name: str | None
    first_join: datetime
    last_leave: datetime
    minutes_present: float
    rejoins: int
    admitted_by: str = "zoom"  # a key of ADMITTED_BY_WORDS: how the pupil was first let in

    @property
    def admitted_words(self) -> str:
        return ADMITTED_BY_WORDS.get(self.admitted_by, self.admitted_by)

    def as_dict(self) -> dict[str, object]:
        return {
            "first_name": self.first_name,
            "surname_initial": self.surname_initial,
            "class": self.class_name,
            "first_join": self.first_join.isoformat(),
            "last_leave": self.last_leave.isoformat(),
            "minutes_present": self.minutes_present,
            "rejoins": self.rejoins,
            "admitted_by": self.admitted_by,
        }


@dataclass(frozen=True, slots=True)
class StaffRow:
    name: str
    first_join: datetime
    last_leave: datetime
    minutes_present: float
    admitted_by: str = "zoom"

    @property
    def admitted_words(self) -> str:
        return ADMITTED_BY_WORDS.get(self.admitted_by, self.admitted_by)

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "first_join": self.first_join.isoformat(),
            "last_leave": self.last_leave.isoformat(),
            "minutes_present": self.minutes_present,
            "admitted_by": self.admitted_by,
        }


@dataclass(frozen=True, slots=True)
class NotAdmittedRow:
    """An arrival held, removed or never let in. ``who`` is the matched pupil, or the display name for an
    incident; ``acted_by`` who decided what happened (teacher, autopilot, Zoom, zoomhost, or nobody)."""

    arrived_at: datetime
    who: str | None
    verdict: str
    reasons: tuple[str, ...]
    outcome: str
    acted_by: str = NOBODY
    evidence: str = "name"  # what the verdict rested on: link, signed_in or name

    @property
    def why(self) -> str:
        """The verdict, what it rested on, and its reasons, in words: "duplicate (own link): ..."."""
        verdict = f"{self.verdict.replace('_', ' ')} ({self.evidence_words})"
        return f"{verdict}: {'; '.join(self.reasons)}" if self.reasons else verdict

    @property
    def evidence_words(self) -> str:
        return Evidence(self.evidence).words if self.evidence in Evidence.__members__.values() else self.evidence

    def as_dict(self) -> dict[str, object]:
        return {
            "arrived_at": self.arrived_at.isoformat(),
            "who": self.who,
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "outcome": self.outcome,
            "acted_by": self.acted_by,
            "evidence": self.evidence,
        }


@dataclass(frozen=True, slots=True)
class IncidentRow:
    """One incident (or a press of the panic key): when, what, who, what became of them and who acted.

    ``message`` is what the alarm said at the time (it may tell the teacher what to do then);
    ``detail`` is what the record says (never an instruction)."""

    at: datetime
    kind: str
    display_name: str | None
    message: str
    detail: str = ""
    outcome: str = ""
    acted_by: str = NOBODY
    seen_at: datetime | None = None  # when the teacher pressed Seen on the alarm
    seen_by: str | None = None

    @property
    def what(self) -> str:
        return KIND_WORDS.get(self.kind, self.kind.replace("_", " ").capitalize())

    def as_dict(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(),
            "kind": self.kind,
            "display_name": self.display_name,
            "message": self.message,
            "detail": self.detail,
            "outcome": self.outcome,
            "acted_by": self.acted_by,
            "seen_at": self.seen_at.isoformat() if self.seen_at else None,
            "seen_by": self.seen_by,
        }


@dataclass(frozen=True, slots=True)
class ActionRow:
    """One host action: what, by whom, on whom, and how it went."""

    at: datetime
    action: str
    actor: str
    target: str | None
    outcome: str
    count: int = 1

    @property
    def words(self) -> str:
        return ACTION_WORDS.get(self.action, self.action.replace("_", " ").capitalize())

    @property
    def by(self) -> str:
        return actor_words(self.actor)

    def as_dict(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(),
            "action": self.action,
            "actor": self.actor,
            "target": self.target,
            "outcome": self.outcome,
            "count": self.count,
        }


@dataclass(frozen=True)
class SessionSummary:
    session_id: str
    meeting_id: str
    topic: str
    rehearsal: bool
    started_at: datetime | None
    ended_at: datetime | None
    planned_minutes: int | None
    attendance: tuple[AttendanceRow, ...]
    staff: tuple[StaffRow, ...]
    not_admitted: tuple[NotAdmittedRow, ...]
    incidents: tuple[IncidentRow, ...]
    timeline: tuple[ActionRow, ...]
    counts: dict[str, Any] = field(default_factory=dict)
    _done_actions: tuple[tuple[str, str, str], ...] = ()
    held_or_removed: tuple[NotAdmittedRow, ...] = ()  # not admitted, plus those removed or put back
    panics: tuple[IncidentRow, ...] = ()  # each press of the panic key, with how it went
    locked_at: datetime | None = None
    locked_by: str | None = None

    @classmethod
    def from_journal(cls, journal: SessionJournal) -> SessionSummary:
        info = journal.info
        return cls.from_entries(
            journal.entries(),
            meeting_id=info.meeting_id,
            topic=info.topic,
            session_id=info.session_id,
            started_at=info.started_at,
            planned_minutes=info.planned_minutes,
            rehearsal=info.rehearsal,
        )

    @classmethod
    def from_entries(
        cls,
        entries: Iterable[JournalEntry],
        *,
        meeting_id: str,
        topic: str,
        session_id: str = "",
        started_at: datetime | None = None,
        planned_minutes: int | None = None,
        rehearsal: bool = False,
    ) -> SessionSummary:
        return _Builder(list(entries)).build(
            session_id=session_id,
            meeting_id=meeting_id,
            topic=topic,
            started_at=started_at,
            planned_minutes=planned_minutes,
            rehearsal=rehearsal,
        )

    def as_dict(self) -> dict[str, Any]:
        """Plain, JSON-able and deterministic: the same journal always gives the same dictionary."""
        return {
            "session": {
                "session_id": self.session_id,
                "meeting_id": self.meeting_id,
                "topic": self.topic,
                "rehearsal": self.rehearsal,
                "started_at": self.started_at.isoformat() if self.started_at else None,
                "ended_at": self.ended_at.isoformat() if self.ended_at else None,
                "planned_minutes": self.planned_minutes,
            },
            "counts": dict(sorted(self.counts.items())),
            "attendance": [row.as_dict() for row in self.attendance],
            "staff": [row.as_dict() for row in self.staff],
            "not_admitted": [row.as_dict() for row in self.not_admitted],
            "incidents": [row.as_dict() for row in self.incidents],
            "panic": [row.as_dict() for row in self.panics],
            "locked_at": self.locked_at.isoformat() if self.locked_at else None,
            "held_or_removed": [row.as_dict() for row in self.held_or_removed],
            "timeline": [row.as_dict() for row in self.timeline],
        }

    def comparable(self) -> dict[str, Any]:
        """What two runs of the same meeting must agree on: who came, who was kept out and why,
        what happened and what the host did; without times, the session's name, gaps in the event
        stream, failed attempts and how commands were batched."""
        timed = ("at", "arrived_at", "first_join", "last_leave", "minutes_present", "seen_at")

        def untimed(rows: Sequence[Any]) -> list[dict[str, object]]:
            plain = [{k: v for k, v in row.as_dict().items() if k not in timed} for row in rows]
            return sorted(plain, key=lambda row: repr(sorted(row.items())))

        counts = {k: v for k, v in sorted(self.counts.items()) if k != "stream_gaps"}
        return {
            "meeting_id": self.meeting_id,
            "topic": self.topic,
            "counts": counts,
            "attendance": untimed(self.attendance),
            "staff": untimed(self.staff),
            "not_admitted": untimed(self.not_admitted),
            "incidents": untimed(self.incidents),
            "host_actions": sorted(list(action) for action in self._done_actions),
        }

    def render_html(self, template: str) -> str:
        """The summary as an HTML page (for the screen and the PDF) from ``template``, a Jinja page
        that gets ``summary`` and the ``clock`` and ``minutes`` filters; every value is escaped, every
        character a reader could not see (a direction override, a NUL) written out first, and its
        spaces kept as typed (HTML would fold "Amy   B." into "Amy B.")."""
        env = jinja2.Environment(
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            finalize=lambda value: _as_typed(value) if isinstance(value, str) else value,
        )
        env.filters["clock"] = _clock
        env.filters["minutes"] = _minutes
        return env.from_string(template).render(
            summary=self, sections=summary_sections(self), headline=safeguarding_headline(self)
        )


@dataclass(frozen=True, slots=True)
class SummarySection:
    """One part of the summary, in the order every view shows it: ``key`` says which (and so what
    its rows are), ``title`` is the teacher's heading, ``empty`` what to say when it has no rows."""

    key: str  # incidents | held | actions | attendance | staff
    title: str
    rows: tuple[Any, ...]
    empty: str


def summary_sections(summary: SessionSummary) -> tuple[SummarySection, ...]:
    """The summary's parts, safeguarding first: incidents and the panic key (``IncidentRow``, by time),
    arrivals held, removed or not let in (``NotAdmittedRow``), the host's actions (``ActionRow``), then
    attendance (``AttendanceRow``) and staff (``StaffRow``). The window, the PDF, the CSV and
    ``zoomhost summary show`` all show these, in this order, under these headings."""
    incidents = tuple(sorted((*summary.incidents, *summary.panics), key=lambda row: row.at))
    return (
        SummarySection("incidents", "Incidents", incidents, "No incidents, and the panic key was not pressed."),
        SummarySection(
            "held", "Held, removed or not let in", summary.held_or_removed, "Everyone who arrived was let in, and nobody was removed."
        ),
        SummarySection("actions", "The host's actions", summary.timeline, "No host actions were recorded."),
        SummarySection("attendance", "Attendance", summary.attendance, "No pupils attended."),
        SummarySection("staff", "Staff", summary.staff, "No staff from the staff list were admitted."),
    )


def safeguarding_headline(summary: SessionSummary) -> tuple[str, ...]:
    """The safeguarding summary in a few lines (the PDF's first page, the top of every view): incidents
    and what became of them, the panic key, the lock, and how many were held, removed or not let in."""
    counts = summary.counts
    lines = [plural(len(summary.incidents), "incident") + _outcome_counts(summary.incidents)]
    for press in summary.panics:
        lines.append(f"Panic key pressed at {_clock(press.at)} by {_the(press.acted_by)}: {press.outcome}.")
    if summary.locked_at is not None:
        by = f" by {_the(summary.locked_by)}" if summary.locked_by else ""
        lines.append(f"Meeting locked at {_clock(summary.locked_at)}{by}.")
    else:
        lines.append("The meeting was not locked.")
    lines.append(
        f"{plural(counts.get('arrivals', 0), 'arrival')}: {counts.get('admitted', 0)} let in,"
        f" {counts.get('not_admitted', 0)} not let in, {counts.get('removed', 0)} removed."
    )
    lines.extend(admission_lines(counts))
    seen = sum(1 for row in summary.incidents if row.seen_at is not None)
    if summary.incidents:
        lines.append(f"{seen} of {plural(len(summary.incidents), 'alarm')} marked seen by the teacher.")
    if counts.get("stream_gaps"):
        lines.append(
            f"Zoom's event stream dropped {plural(counts['stream_gaps'], 'time')}: arrivals during a gap may be missing."
        )
    return tuple(lines)


#: How each way of admission reads in the summary's line on it (``admission_lines``), in ``ADMITTED_BY_WORDS`` order.
_ADMITTED_BY_COUNTED = {
    "link": "by their family's own link",
    "sign_in": "signed in",
    "name": "by typed name",
    "teacher": "by the teacher's click",
    "zoom": "in Zoom, not through zoomhost",
}
#: Which way the meeting admitted pupils (``counts["admission"]``), in words.
ADMISSION_WORDS = {
    "by_link": "This meeting required registration: pupils were admitted automatically only through their family's own link.",
    "by_name": (
        "This meeting had no registration: pupils were admitted by the name they typed, which anyone with the link "
        "can type (the weaker way)."
    ),
    "staff_only": (
        "This was a meeting of staff only: nobody was judged against the pupil register, and only staff signed in "
        "to Zoom on the school's domains were admitted automatically."
    ),
}


def admission_lines(counts: Mapping[str, Any]) -> tuple[str, ...]:
    """How everyone let in came in (their family's own link, a sign-in, the typed name, the teacher's click or
    Zoom itself), how many links passed on to someone else were caught, and which way pupils were admitted."""
    by = counts.get("admitted_by") or {}
    lines = []
    if counts.get("admitted"):
        ways = " · ".join(f"{by.get(way, 0)} {words}" for way, words in _ADMITTED_BY_COUNTED.items())
        lines.append(f"How they were admitted: {ways}.")
    admission = counts.get("admission")
    forwarded = counts.get("forwarded_links", 0)
    if forwarded or admission == "by_link":
        lines.append(f"Links passed on to someone else and caught: {forwarded}.")
    if admission in ADMISSION_WORDS:
        lines.append(ADMISSION_WORDS[admission])
    return tuple(lines)


def _the(who: str) -> str:
    """``the teacher``, ``the autopilot``; ``Zoom`` and ``zoomhost`` as they are."""
    return who if who in ("Zoom", "zoomhost") else f"the {who}"


def _outcome_counts(incidents: Sequence[IncidentRow]) -> str:
    """``: 1 removed, 2 still in the waiting room when the session ended`` (nothing for no incidents)."""
    if not incidents:
        return "."
    outcomes = Counter(row.outcome or "outcome not recorded" for row in incidents)
    return ": " + ", ".join(f"{count} {outcome}" for outcome, count in outcomes.most_common()) + "."


_FOLDED_SPACE = re.compile(r"^ | (?= )| $")  # a space HTML would fold into its neighbour or drop


def _as_typed(text: str) -> str:
    """A value for the summary's HTML: hidden characters written out, and every space that HTML would
    fold away written as a no-break space, so the page shows the value's characters as they are."""
    return _FOLDED_SPACE.sub("\u00a0", visible_name(text))


@dataclass(frozen=True, slots=True)
class SummaryNeeds:
    """What of a journal's personal data its summary shows (``core.retention.minimise`` keeps this, no more)."""

    evidence: frozenset[str]  # participants whose names as typed are incident evidence
    reasons: frozenset[int]  # the entries (``seq``) whose reasons the summary lists: why someone was not admitted


def summary_needs(entries: Iterable[JournalEntry]) -> SummaryNeeds:
    """Whose typed names, and which reasons, the summary of ``entries`` needs.

    Evidence: those the summary shows by their typed name (an incident, a duplicate or suspicious
    name, the target of a host's action who is not a pupil or staff member), and everyone held (by
    the host, put back, or arriving after the lock), removed or alarmed about. Everyone else is
    shown, and so needs keeping, only as a pupil's first name, initial and class or as the staff
    list names them. Reasons: the verdict's reasons for each arrival not admitted, as last classified.
    """
    builder = _Builder(list(entries))
    builder.build(session_id="", meeting_id="", topic="", started_at=None, planned_minutes=None, rehearsal=False)
    flagged = {
        pid
        for pid, person in builder.people.items()
        if person.held or person.after_lock or person.removed or person.alarmed
    }
    return SummaryNeeds(
        evidence=frozenset((flagged | builder.named) - builder.assistant_ids),
        reasons=frozenset(person.reasons_seq for person in builder.people.values() if not person.intervals),
    )


def _clock(value: datetime | None) -> str:
    return value.astimezone().strftime("%H:%M:%S") if value else "–"


def _minutes(value: float) -> str:
    return f"{value:.0f}" if value >= 1 else "under 1"


@dataclass
class _Person:
    """What the summary needs to know about one participant while walking the journal."""

    display_name: str
    verdict: str
    pupil_id: int | None
    pupil: dict[str, Any] | None
    staff: str | None
    reasons: tuple[str, ...]
    arrived_at: datetime
    evidence: str = "name"
    link_in_use: bool = False  # came through a family link already in use: passed on to someone else
    admitted_by: str | None = None
    intervals: list[tuple[datetime, datetime]] = field(default_factory=list)
    open_since: datetime | None = None
    outcome: str = STILL_WAITING
    acted_by: str = NOBODY  # who decided the outcome
    held: bool = False
    after_lock: bool = False
    alarmed: bool = False
    removed: bool = False
    reasons_seq: int = 0  # the journal entry ``reasons`` came from


class _Builder:
    def __init__(self, entries: list[JournalEntry]) -> None:
        self.entries = entries
        self.people: dict[str, _Person] = {}
        self.incidents: list[tuple[str | None, str, IncidentRow]] = []  # with the participant and alarm key of each
        self.seen: dict[str, tuple[datetime, str]] = {}  # alarm key -> when, and by whom, Seen was pressed
        self.panic_ids: set[str] = set()  # command ids of End for all sent by the panic key
        self.last_command: dict[str, tuple[str, str]] = {}  # participant -> (command name, actor) last sent about them
        self.locked: tuple[datetime, str] | None = None  # the first lock: when, by whom
        self.assistant_ids: set[str] = set()
        self.commands: dict[str, dict[str, Any]] = {}
        self.actions: list[ActionRow | dict[str, Any]] = []
        self.started: datetime | None = None
        self.ended: datetime | None = None
        self.stream_gaps = 0
        self.named: set[str] = set()  # participants the summary shows by the name they typed
        self.links_in_use: bool | None = None
        self.staff_only = False
        self.admitting: dict[str, tuple[str, str]] = {}  # participant -> (command name, actor) of the last admission asked

    def build(self, **heading: Any) -> SessionSummary:
        for entry in self.entries:
            self._take(entry)
        last = self.entries[-1].at if self.entries else None
        close_at = self.ended or last
        for pid in self.assistant_ids:  # the host assistant is neither attendance nor an incident
            self.people.pop(pid, None)
        self.incidents = [(pid, key, row) for pid, key, row in self.incidents if pid not in self.assistant_ids]
        for person in self.people.values():
            if person.open_since is not None and close_at is not None:
                person.intervals.append((person.open_since, max(close_at, person.open_since)))
                person.open_since = None
                person.outcome = IN_UNTIL_END
        timeline, done = self._timeline()
        incidents = tuple(self._incident(pid, key, row) for pid, key, row in self.incidents)
        attendance = self._attendance()
        staff = self._staff()
        not_admitted = self._not_admitted()
        held_or_removed = self._held_or_removed(not_admitted)
        verdicts = Counter(person.verdict for person in self.people.values())
        admitted_by = Counter(person.admitted_by for person in self.people.values() if person.intervals)
        counts: dict[str, Any] = {
            "arrivals": len(self.people),
            "admitted": sum(1 for person in self.people.values() if person.intervals),
            "not_admitted": len(not_admitted),
            "removed": sum(1 for person in self.people.values() if person.removed),
            "held": sum(1 for person in self.people.values() if person.held and not person.intervals),
            "pupils_attended": len(attendance),
            "staff_attended": len(staff),
            "incidents": len(self.incidents),
            "panic": len(self.panic_ids),
            "stream_gaps": self.stream_gaps,
            "by_verdict": {verdict.value: verdicts.get(verdict.value, 0) for verdict in Verdict},
            "admitted_by": {way: admitted_by.get(way, 0) for way in ADMITTED_BY_WORDS},
            "forwarded_links": sum(1 for person in self.people.values() if person.link_in_use),
            "admission": (
                "staff_only" if self.staff_only
                else "by_link" if self.links_in_use
                else "by_name" if self.links_in_use is not None
                else None
            ),
        }
        started = heading.pop("started_at")
        return SessionSummary(
            **heading,
            started_at=self.started or started,
            ended_at=self.ended,
            attendance=attendance,
            staff=staff,
            not_admitted=not_admitted,
            incidents=incidents,
            timeline=timeline,
            counts=counts,
            _done_actions=done,
            held_or_removed=held_or_removed,
            panics=self._panics(),
            locked_at=self.locked[0] if self.locked else None,
            locked_by=actor_words(self.locked[1]) if self.locked else None,
        )

    def _incident(self, pid: str | None, key: str, row: IncidentRow) -> IncidentRow:
        """The incident with what became of its person, who acted, and when its alarm was marked seen."""
        person = self.people.get(pid) if pid else None
        seen_at, seen_by = self.seen.get(key, (None, None))
        return replace(
            row,
            outcome=person.outcome if person is not None else "",
            acted_by=person.acted_by if person is not None else NOBODY,
            seen_at=seen_at,
            seen_by=actor_words(seen_by) if seen_by else None,
        )

    def _panics(self) -> tuple[IncidentRow, ...]:
        rows = []
        for command in self.commands.values():
            entry: JournalEntry = command["entry"]
            if command["name"] != "panic":
                continue
            if command["ok"]:
                outcome = "the meeting ended for everyone"
            elif command["outcome"] == "no answer":
                outcome = "no answer from Zoom was recorded"
            else:
                outcome = "Zoom did not end the meeting (" + command["outcome"].removeprefix("failed: ") + ")"
            rows.append(
                IncidentRow(
                    at=entry.at,
                    kind="panic",
                    display_name=None,
                    message="",
                    detail="The panic key (F12) or the panic button: no question asked",
                    outcome=outcome,
                    acted_by=actor_words(entry.actor),
                )
            )
        return tuple(rows)

    def _take(self, entry: JournalEntry) -> None:
        kind, pid = entry.kind, entry.participant_id
        person = self.people.get(pid) if pid else None
        if kind in (JournalKind.ARRIVAL, JournalKind.RENAMED, JournalKind.IDENTIFIED) and pid:
            fields = {
                "display_name": entry.display_name or "",
                "verdict": entry.verdict or Verdict.NOT_ON_REGISTER.value,
                "pupil_id": entry.pupil_id,
                "pupil": entry.detail.get("pupil"),
                "staff": (entry.detail.get("staff") or {}).get("name"),
                "reasons": tuple(entry.detail.get("reasons", ())),
                "evidence": str(entry.detail.get("evidence") or "name"),
            }
            if person is None:
                person = self.people[pid] = _Person(arrived_at=entry.at, **fields)
            else:
                for name, value in fields.items():
                    setattr(person, name, value)
            person.reasons_seq = entry.seq
            if entry.detail.get("link_in_use"):
                person.link_in_use = True
            if kind is JournalKind.ARRIVAL:
                person.outcome = STILL_WAITING
                if entry.detail.get("after_lock"):
                    person.held = person.after_lock = True
                    person.acted_by = actor_words(Actor.SYSTEM)
        elif person is not None and kind in _ADMITTING:
            if person.open_since is None:
                person.acted_by = self._acted_by(pid, entry, ("admit", "admit_all"))
            person.open_since = person.open_since or entry.at
            if person.admitted_by is None:
                person.admitted_by = self._admitted_by(pid, person)
        elif person is not None and kind in _CLOSING:
            self._close(person, entry.at)
            if kind is JournalKind.REMOVED:
                person.removed = True
                person.outcome = "removed"
                person.acted_by = self._acted_by(pid, entry, ("remove",))
            elif kind is JournalKind.PUT_BACK:
                person.held = True
                person.outcome = "put back in the waiting room"
                person.acted_by = self._acted_by(pid, entry, ("put_in_waiting_room",))
            else:
                person.acted_by = NOBODY  # they left
        elif person is not None and kind is JournalKind.LEFT_WAITING_ROOM:
            if self.ended is None:  # Zoom empties the waiting room as the meeting ends: they were still waiting
                person.outcome = "left the waiting room"
                person.acted_by = NOBODY
        elif person is not None and kind is JournalKind.HELD:
            person.held = True
            if not person.intervals:
                person.outcome = "held in the waiting room"
                person.acted_by = actor_words(entry.actor)
        elif kind in MEETING_OVER:
            self.ended = self.ended or entry.at
            for other in self.people.values():
                self._close(other, entry.at, outcome=IN_UNTIL_END)
        elif kind is JournalKind.LOCK:
            self.locked = self.locked or (entry.at, entry.actor)
        elif kind is JournalKind.SESSION_STARTED:
            self.started = self.started or entry.at
        elif kind is JournalKind.STREAM_GAP:
            self.stream_gaps += 1
        elif kind is JournalKind.ALARM:
            if counts_as_incident(entry):
                if person is not None:
                    person.alarmed = True
                if pid and entry.display_name:
                    self.named.add(pid)
                self.incidents.append(
                    (
                        pid,
                        entry.event_key,
                        IncidentRow(
                            at=entry.at,
                            kind=str(entry.detail.get("alarm")),
                            display_name=visible_name(entry.display_name) if entry.display_name else None,
                            message=visible_name(str(entry.detail.get("message", ""))),
                            detail=_incident_detail(str(entry.detail.get("alarm")), entry, person),
                        ),
                    )
                )
        elif kind is JournalKind.NOTE and entry.detail.get("note") == SessionNote.ASSISTANT and pid:
            self.assistant_ids.add(pid)
        elif kind is JournalKind.NOTE and entry.detail.get("note") == SessionNote.ALARM_SEEN:
            key = str(entry.detail.get("alarm_key", ""))
            self.seen.setdefault(key, (entry.at, entry.actor))
        elif kind is JournalKind.NOTE and entry.detail.get("note") == SessionNote.ADMISSION:
            self.links_in_use = bool(entry.detail.get("links"))
            self.staff_only = bool(entry.detail.get("staff_only"))
        elif (panic := panic_command_id(entry)) is not None:
            self.panic_ids.add(panic)
        if kind in (JournalKind.SESSION_STARTED, JournalKind.SESSION_ENDED):
            self.actions.append(
                ActionRow(
                    at=entry.at,
                    action="meeting_started" if kind is JournalKind.SESSION_STARTED else "meeting_ended",
                    actor=entry.actor,
                    target=None,
                    outcome="reported by Zoom",
                )
            )
        elif kind is JournalKind.COMMAND:
            command_id = entry.detail.get("command_id", "")
            name = entry.detail.get("name", "")
            if command_id in self.panic_ids:
                name = "panic"  # the panic key's End for all: the record says panic, not a plain End for all
            if pid:
                self.last_command[pid] = (name, entry.actor)
                if name in ("admit", "admit_all"):
                    self.admitting[pid] = (str(name), entry.actor)
            if name == "lock":
                self._drop_unlinked_lock(entry)
            command = {"entry": entry, "name": name, "outcome": "no answer", "ok": False}
            self.commands[command_id] = command
            self.actions.append(command)
        elif kind is JournalKind.COMMAND_RESULT:
            command = self.commands.get(entry.detail.get("command_id", ""))
            if command is not None:
                command["ok"] = bool(entry.detail.get("ok"))
                message = str(entry.detail.get("message") or "")
                command["outcome"] = "done" if command["ok"] else f"failed: {message}" if message else "failed"
                if command["name"] == "lock" and not command["ok"]:
                    command["outcome"] += " (zoomhost still held every later arrival)"
        elif kind in (JournalKind.LOCK, JournalKind.UNLOCK, JournalKind.HELD) and "command_id" not in entry.detail:
            action = {JournalKind.LOCK: "lock", JournalKind.UNLOCK: "unlock", JournalKind.HELD: "hold"}[kind]
            self.actions.append(ActionRow(entry.at, action, entry.actor, self._target(entry), "done"))
        elif kind is JournalKind.MANUAL_STEP_CONFIRMED:
            step = str(entry.detail.get("step", ""))
            outcome = "confirmed by the teacher" if step.startswith(_START_CHECK) else "done by hand in Zoom, confirmed"
            self.actions.append(ActionRow(entry.at, step, entry.actor, None, outcome))

    def _admitted_by(self, pid: str, person: _Person) -> str:
        """How someone came in: the teacher's own click, or Admit all and the autopilot on what the verdict
        rested on; with no admission asked through zoomhost, in Zoom itself (no waiting room, Zoom's own list)."""
        asked = self.admitting.get(pid)
        if asked is None:
            return "zoom"
        if asked == ("admit", "teacher"):
            return "teacher"
        return _BY_EVIDENCE.get(person.evidence, "name")

    @staticmethod
    def _close(person: _Person, at: datetime, *, outcome: str = "left the meeting") -> None:
        if person.open_since is not None:
            person.intervals.append((person.open_since, max(at, person.open_since)))
            person.open_since = None
            person.outcome = outcome

    def _acted_by(self, pid: str | None, entry: JournalEntry, commands: tuple[str, ...]) -> str:
        """Who did what ``entry`` reports: the sender of the last of ``commands`` about that person, else the entry's actor."""
        name, actor = self.last_command.get(pid or "", ("", entry.actor))
        return actor_words(actor if name in commands else entry.actor)

    def _drop_unlinked_lock(self, command: JournalEntry) -> None:
        """A lock journaled without its command's id (by an older zoomhost), just before that command: one lock, not two."""
        for index in range(len(self.actions) - 1, -1, -1):
            item = self.actions[index]
            if isinstance(item, ActionRow) and item.action == "lock":
                if item.actor == command.actor and abs((command.at - item.at).total_seconds()) <= 5:
                    del self.actions[index]
                return

    def _target(self, entry: JournalEntry) -> str | None:
        """Whom an action was about: the pupil, the staff member, or (an incident) the display name."""
        if not entry.participant_id:
            return None
        person = self.people.get(entry.participant_id)
        if person is None:
            return entry.pupil_label or None
        return self._who(entry.participant_id, person, incident=True)

    def _who(self, pid: str, person: _Person, *, incident: bool) -> str | None:
        """``_who``, noting whom the summary shows by the name they typed."""
        who = _who(person, incident=incident)
        if who is not None and _shows_typed_name(person):
            self.named.add(pid)
        return who

    def _timeline(self) -> tuple[tuple[ActionRow, ...], tuple[tuple[str, str, str], ...]]:
        rows: list[ActionRow] = []
        done: list[tuple[str, str, str]] = []
        for item in self.actions:
            if isinstance(item, ActionRow):
                rows.append(item)
                if not item.action.startswith("meeting_"):
                    done.append((item.action, item.actor, item.target or ""))
                continue
            entry: JournalEntry = item["entry"]
            target = self._target(entry)
            if item["ok"]:
                done.append((item["name"], entry.actor, target or ""))
            previous = rows[-1] if rows else None
            if (
                item["name"] == "admit_all"
                and previous is not None
                and previous.action == "admit_all"
                and previous.actor == entry.actor
            ):
                # Admit-all is one click: one row with how many it admitted.
                admitted = int(previous.outcome.split()[0]) + (1 if item["ok"] else 0)
                rows[-1] = ActionRow(
                    previous.at, "admit_all", entry.actor, None, f"{admitted} admitted", previous.count + 1
                )
                continue
            if item["name"] == "admit_all":
                rows.append(ActionRow(entry.at, "admit_all", entry.actor, None, f"{1 if item['ok'] else 0} admitted"))
                continue
            rows.append(ActionRow(entry.at, item["name"], entry.actor, target, item["outcome"]))
        return tuple(rows), tuple(done)

    def _attendance(self) -> tuple[AttendanceRow, ...]:
        by_pupil: dict[int, list[_Person]] = {}
        for person in self.people.values():
            if person.intervals and person.verdict == Verdict.CONSENTED and person.pupil_id is not None:
                by_pupil.setdefault(person.pupil_id, []).append(person)
        rows = []
        for people in by_pupil.values():
            intervals = sorted(interval for person in people for interval in person.intervals)
            pupil = people[0].pupil or {}
            first = min(people, key=lambda person: person.intervals[0][0])
            rows.append(
                AttendanceRow(
                    first_name=str(pupil.get("first_name", "")),
                    surname_initial=pupil.get("surname_initial"),
                    class_name=pupil.get("class"),
                    first_join=intervals[0][0],
                    last_leave=max(end for _, end in intervals),
                    minutes_present=_present_minutes(intervals),
                    rejoins=len(intervals) - 1,
                    admitted_by=first.admitted_by or "zoom",
                )
            )
        return tuple(sorted(rows, key=lambda r: (r.class_name or "", r.first_name, r.surname_initial or "")))

    def _staff(self) -> tuple[StaffRow, ...]:
        by_name: dict[str, list[tuple[datetime, datetime]]] = {}
        how: dict[str, tuple[datetime, str]] = {}
        for person in self.people.values():
            if person.intervals and person.verdict == Verdict.STAFF and person.staff:
                by_name.setdefault(person.staff, []).extend(person.intervals)
                first = (person.intervals[0][0], person.admitted_by or "zoom")
                how[person.staff] = min(how.get(person.staff, first), first)
        rows = [
            StaffRow(
                name=name,
                first_join=min(start for start, _ in spans),
                last_leave=max(end for _, end in spans),
                minutes_present=_present_minutes(sorted(spans)),
                admitted_by=how[name][1],
            )
            for name, spans in by_name.items()
        ]
        return tuple(sorted(rows, key=lambda r: r.name))

    def _not_admitted(self) -> tuple[NotAdmittedRow, ...]:
        rows = [self._arrival_row(pid, person) for pid, person in self.people.items() if not person.intervals]
        return tuple(sorted(rows, key=lambda r: (r.arrived_at, r.verdict, r.who or "")))

    def _held_or_removed(self, not_admitted: tuple[NotAdmittedRow, ...]) -> tuple[NotAdmittedRow, ...]:
        """Everyone not let in, and everyone let in but then removed or put back in the waiting room."""
        rows = list(not_admitted)
        for pid, person in self.people.items():
            if person.intervals and (person.removed or person.held):
                rows.append(self._arrival_row(pid, person))
        return tuple(sorted(rows, key=lambda r: (r.arrived_at, r.verdict, r.who or "")))

    def _arrival_row(self, pid: str, person: _Person) -> NotAdmittedRow:
        outcome = person.outcome
        if person.after_lock and outcome == STILL_WAITING:
            outcome = HELD_AFTER_LOCK
        return NotAdmittedRow(
            arrived_at=person.arrived_at,
            who=self._who(pid, person, incident=person.alarmed or person.after_lock or person.removed),
            verdict=person.verdict,
            reasons=person.reasons,
            outcome=outcome,
            acted_by=person.acted_by,
            evidence=person.evidence,
        )


def _incident_detail(kind: str, entry: JournalEntry, person: _Person | None) -> str:
    """What the record says about an incident: why the name was flagged (never what to do about it)."""
    verdict = (entry.verdict or (person.verdict if person else "") or "").replace("_", " ")
    reasons = "; ".join(person.reasons) if person is not None and person.reasons else ""
    if kind == "duplicate":
        if person is not None and person.evidence == "link" and reasons:
            return reasons[:1].upper() + reasons[1:]  # whose link it is, already in use: passed on to someone else?
        if person is not None and person.staff and not entry.pupil_label:
            return f"Matches staff member {person.staff}, who was already here"
        return f"Matches {entry.pupil_label or 'a pupil'}, who was already here"
    if kind == "arrival_after_lock":
        return "Arrived after the meeting was locked" + (f"; {verdict}: {reasons}" if reasons else f"; {verdict}" if verdict else "")
    if kind == "not_allowed_in":
        return f"In the meeting as {verdict or 'unchecked'}" + (f": {reasons}" if reasons else "")
    return f"{verdict}: {reasons}" if reasons else verdict


def _shows_typed_name(person: _Person) -> bool:
    """Whether ``_who`` names this person by their display name (not a pupil's label or a staff name)."""
    return not (
        (person.verdict in (Verdict.CONSENTED, Verdict.NO_CONSENT) and person.pupil)
        or (person.verdict == Verdict.STAFF and person.staff)
    )


def _who(person: _Person, *, incident: bool) -> str | None:
    """The pupil's label or staff name; the typed display name only when an incident needs it."""
    if person.verdict in (Verdict.CONSENTED, Verdict.NO_CONSENT) and person.pupil:
        initial = person.pupil.get("surname_initial")
        label = str(person.pupil.get("first_name", "")) + (f" {initial}." if initial else "")
        return f"{label} ({person.pupil['class']})" if person.pupil.get("class") else label
    if person.verdict == Verdict.STAFF and person.staff:
        return person.staff
    if incident or person.verdict in (Verdict.DUPLICATE, Verdict.SUSPICIOUS):
        return visible_name(person.display_name)
    return None


def _present_minutes(intervals: list[tuple[datetime, datetime]]) -> float:
    """Minutes covered by the intervals, overlaps counted once (two devices for one pupil)."""
    total = 0.0
    current_start: datetime | None = None
    current_end: datetime | None = None
    for start, end in intervals:
        if current_end is None or start > current_end:
            if current_start is not None and current_end is not None:
                total += (current_end - current_start).total_seconds()
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_start is not None and current_end is not None:
        total += (current_end - current_start).total_seconds()
    return round(total / 60, 1)
