"""The session summary, computed from the journal alone.

Attendance (first name, surname initial, class, first join, last leave, minutes present,
rejoins, and how each was admitted), staff attendance, arrivals not admitted and why, incidents
and the timeline of host actions. How each arrival was decided: by their family's own link, a
sign-in, the typed name (where the school uses no family links), the teacher's own click, or in
Zoom without zoomhost; and how many links passed on to someone else were caught. Display names appear only where an incident needs them. ``as_dict`` is
deterministic; ``comparable`` drops what differs between two runs of the same meeting
(times, the session's name, stream gaps and retries), so the summary after a crash and
restart can be checked against an undisturbed one.

From outside: the journal to summarise, and for ``render_html`` the page's template text
(``resources/templates/summary.html``, read by the composition root, ``app.services.summary_template``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import jinja2

from zoomhost.core.journal import MEETING_OVER, JournalEntry, JournalKind, SessionJournal, counts_as_incident
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
    "rename_off": "Renaming off",
    "hold": "Hold in the waiting room",
    "meeting_started": "Meeting started",
    "meeting_ended": "Meeting ended",
}


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
    """An arrival that never got in. ``who`` is the matched pupil, or the display name for an incident."""

    arrived_at: datetime
    who: str | None
    verdict: str
    reasons: tuple[str, ...]
    outcome: str
    evidence: str = "name"  # what the verdict rested on: link, signed_in or name

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
            "evidence": self.evidence,
        }


@dataclass(frozen=True, slots=True)
class IncidentRow:
    at: datetime
    kind: str
    display_name: str | None
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"at": self.at.isoformat(), "kind": self.kind, "display_name": self.display_name, "message": self.message}


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
            "timeline": [row.as_dict() for row in self.timeline],
        }

    def comparable(self) -> dict[str, Any]:
        """What two runs of the same meeting must agree on: who came, who was kept out and why,
        what happened and what the host did; without times, the session's name, gaps in the event
        stream, failed attempts and how commands were batched."""
        timed = ("at", "arrived_at", "first_join", "last_leave", "minutes_present")

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
        return env.from_string(template).render(summary=self)


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
    outcome: str = "still waiting when the journal ends"
    held: bool = False
    after_lock: bool = False
    alarmed: bool = False
    removed: bool = False
    reasons_seq: int = 0  # the journal entry ``reasons`` came from


class _Builder:
    def __init__(self, entries: list[JournalEntry]) -> None:
        self.entries = entries
        self.people: dict[str, _Person] = {}
        self.incidents: list[tuple[str | None, IncidentRow]] = []  # with the participant each is about
        self.assistant_ids: set[str] = set()
        self.commands: dict[str, dict[str, Any]] = {}
        self.actions: list[ActionRow | dict[str, Any]] = []
        self.started: datetime | None = None
        self.ended: datetime | None = None
        self.stream_gaps = 0
        self.named: set[str] = set()  # participants the summary shows by the name they typed
        self.links_in_use: bool | None = None
        self.admitting: dict[str, tuple[str, str]] = {}  # participant -> (command name, actor) of the last admission asked

    def build(self, **heading: Any) -> SessionSummary:
        for entry in self.entries:
            self._take(entry)
        last = self.entries[-1].at if self.entries else None
        close_at = self.ended or last
        for pid in self.assistant_ids:  # the host assistant is neither attendance nor an incident
            self.people.pop(pid, None)
        self.incidents = [(pid, row) for pid, row in self.incidents if pid not in self.assistant_ids]
        for person in self.people.values():
            if person.open_since is not None and close_at is not None:
                person.intervals.append((person.open_since, max(close_at, person.open_since)))
                person.open_since = None
        timeline, done = self._timeline()
        attendance = self._attendance()
        staff = self._staff()
        not_admitted = self._not_admitted()
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
            "stream_gaps": self.stream_gaps,
            "by_verdict": {verdict.value: verdicts.get(verdict.value, 0) for verdict in Verdict},
            "admitted_by": {way: admitted_by.get(way, 0) for way in ADMITTED_BY_WORDS},
            "forwarded_links": sum(1 for person in self.people.values() if person.link_in_use),
            "admission": "by_link" if self.links_in_use else "by_name" if self.links_in_use is not None else None,
        }
        started = heading.pop("started_at")
        return SessionSummary(
            **heading,
            started_at=self.started or started,
            ended_at=self.ended,
            attendance=attendance,
            staff=staff,
            not_admitted=not_admitted,
            incidents=tuple(row for _, row in self.incidents),
            timeline=timeline,
            counts=counts,
            _done_actions=done,
        )

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
                person.outcome = "still waiting when the journal ends"
                if entry.detail.get("after_lock"):
                    person.held = person.after_lock = True
        elif person is not None and kind in _ADMITTING:
            person.open_since = person.open_since or entry.at
            if person.admitted_by is None:
                person.admitted_by = self._admitted_by(pid, person)
        elif person is not None and kind in _CLOSING:
            self._close(person, entry.at)
            if kind is JournalKind.REMOVED:
                person.removed = True
                person.outcome = "removed"
            elif kind is JournalKind.PUT_BACK:
                person.held = True
                person.outcome = "put back in the waiting room"
        elif person is not None and kind is JournalKind.LEFT_WAITING_ROOM:
            person.outcome = "left the waiting room"
        elif person is not None and kind is JournalKind.HELD:
            person.held = True
            if not person.intervals:
                person.outcome = "held in the waiting room"
        elif kind in MEETING_OVER:
            self.ended = self.ended or entry.at
            for other in self.people.values():
                self._close(other, entry.at)
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
                        IncidentRow(
                            at=entry.at,
                            kind=str(entry.detail.get("alarm")),
                            display_name=visible_name(entry.display_name) if entry.display_name else None,
                            message=visible_name(str(entry.detail.get("message", ""))),
                        ),
                    )
                )
        elif kind is JournalKind.NOTE and entry.detail.get("note") == SessionNote.ASSISTANT and pid:
            self.assistant_ids.add(pid)
        elif kind is JournalKind.NOTE and entry.detail.get("note") == SessionNote.ADMISSION:
            self.links_in_use = bool(entry.detail.get("links"))
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
            if pid and entry.detail.get("name") in ("admit", "admit_all"):
                self.admitting[pid] = (str(entry.detail.get("name")), entry.actor)
            command = {"entry": entry, "name": entry.detail.get("name", ""), "outcome": "no answer", "ok": False}
            self.commands[entry.detail.get("command_id", "")] = command
            self.actions.append(command)
        elif kind is JournalKind.COMMAND_RESULT:
            command = self.commands.get(entry.detail.get("command_id", ""))
            if command is not None:
                command["ok"] = bool(entry.detail.get("ok"))
                message = str(entry.detail.get("message") or "")
                command["outcome"] = "done" if command["ok"] else f"failed: {message}" if message else "failed"
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
    def _close(person: _Person, at: datetime) -> None:
        if person.open_since is not None:
            person.intervals.append((person.open_since, max(at, person.open_since)))
            person.open_since = None
            person.outcome = "left the meeting"

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
        rows = []
        for pid, person in self.people.items():
            if person.intervals:
                continue
            outcome = person.outcome
            if person.after_lock and outcome == "still waiting when the journal ends":
                outcome = "held: arrived after the meeting was locked"
            rows.append(
                NotAdmittedRow(
                    arrived_at=person.arrived_at,
                    who=self._who(pid, person, incident=person.alarmed or person.after_lock),
                    verdict=person.verdict,
                    reasons=person.reasons,
                    outcome=outcome,
                    evidence=person.evidence,
                )
            )
        return tuple(sorted(rows, key=lambda r: (r.arrived_at, r.verdict, r.who or "")))


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
