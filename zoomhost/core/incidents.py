"""The incident report: what the safeguarding lead needs from a session, before retention deletes it.

A session's journal is deleted at its retention date, and with it the only record of who tried
to get in and what the host did. So a session with incidents (the summary's incidents: alarms
about something a person did) offers an incident report for the school's safeguarding system:
each incident's time, what it was, the verdict, the name exactly as typed (hidden characters
written out, ``names.visible_name``), why, what became of that person, and what the host did
from then on. Exporting it is journaled (:data:`EXPORTED_NOTE`, with how many incidents it
covered), so :func:`reports_due` can say which sessions with incidents are about to be deleted
before anyone exported their report. Rehearsals are reported but never warned about.

From outside: the journal (or its entries and heading), the report's template text
(``resources/templates/incidents.html``, read by the composition root), today's date and the
retention in days.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import jinja2

from zoomhost.core.words import plural
from zoomhost.core.journal import MEETING_OVER, Actor, JournalEntry, JournalError, JournalKind, SessionInfo, SessionJournal, SessionJournals, counts_as_incident, panic_command_id
from zoomhost.core.names import visible_name
from zoomhost.core.retention import deletion_day
from zoomhost.core.session import SessionNote
from zoomhost.core.summary import ACTION_WORDS, KIND_WORDS, STILL_WAITING

#: ``detail["note"]`` of the journal entry that records an incident report's export (with ``incidents``).
EXPORTED_NOTE = "incident_report_exported"
#: How many days before a session's deletion the window and ``purge --dry-run`` warn about an unexported report.
WARN_DAYS = 7

_MEETING_WIDE = frozenset({"mute_all", "chat_off", "stop_share", "lock_share", "lock", "unlock", "end_for_all", "panic", "rename_off"})
_ZOOM_WORDS = {
    JournalKind.ARRIVAL: "arrived in the waiting room",
    JournalKind.RENAMED: "renamed",
    JournalKind.LEFT_WAITING_ROOM: "left the waiting room",
    JournalKind.ADMITTED: "admitted into the meeting",
    JournalKind.JOINED: "joined the meeting",
    JournalKind.LEFT: "left the meeting",
    JournalKind.PUT_BACK: "put back in the waiting room",
    JournalKind.REMOVED: "removed from the meeting",
}
_OUTCOMES = {
    JournalKind.ARRIVAL: STILL_WAITING,
    JournalKind.RENAMED: STILL_WAITING,
    JournalKind.HELD: "held in the waiting room",
    JournalKind.LEFT_WAITING_ROOM: "left the waiting room",
    JournalKind.ADMITTED: "in the meeting",
    JournalKind.JOINED: "in the meeting",
    JournalKind.LEFT: "left the meeting",
    JournalKind.PUT_BACK: "put back in the waiting room",
    JournalKind.REMOVED: "removed from the meeting",
}


@dataclass(frozen=True, slots=True)
class Step:
    """Something done about an incident: by the host (teacher, autopilot), the assistant, or reported by Zoom."""

    at: datetime
    words: str
    actor: str
    outcome: str

    def as_dict(self) -> dict[str, object]:
        return {"at": self.at.isoformat(), "words": self.words, "actor": self.actor, "outcome": self.outcome}


@dataclass(frozen=True, slots=True)
class Incident:
    at: datetime
    kind: str
    name_as_typed: str | None  # shown with ``visible_name``: hidden characters written out
    verdict: str | None
    reasons: tuple[str, ...]
    message: str
    outcome: str  # what became of the person by the end of the journal
    steps: tuple[Step, ...]  # that person's moves and the host's actions about them, then the meeting-wide ones after

    @property
    def what(self) -> str:
        return KIND_WORDS.get(self.kind, self.kind.replace("_", " ").capitalize())

    def as_dict(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(),
            "kind": self.kind,
            "name_as_typed": self.name_as_typed,
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "message": self.message,
            "outcome": self.outcome,
            "steps": [step.as_dict() for step in self.steps],
        }


@dataclass(frozen=True)
class IncidentReport:
    session_id: str
    meeting_id: str
    topic: str
    rehearsal: bool
    started_at: datetime
    ended_at: datetime | None
    incidents: tuple[Incident, ...]
    exports: tuple[tuple[datetime, int], ...] = field(default=())  # (when, how many incidents it covered)

    @classmethod
    def from_journal(cls, journal: SessionJournal) -> IncidentReport:
        return cls.from_entries(journal.entries(), info=journal.info)

    @classmethod
    def from_entries(cls, entries: Iterable[JournalEntry], *, info: SessionInfo) -> IncidentReport:
        return _Reader(list(entries)).report(info)

    @property
    def exported(self) -> bool:
        """An export covered every incident the session has now."""
        return bool(self.exports) and max(count for _, count in self.exports) >= len(self.incidents)

    def as_dict(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "meeting_id": self.meeting_id,
            "topic": self.topic,
            "rehearsal": self.rehearsal,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "incidents": [incident.as_dict() for incident in self.incidents],
            "exported": [{"at": at.isoformat(), "incidents": count} for at, count in self.exports],
        }

    def render_html(self, template: str, *, exported_at: datetime) -> str:
        """The report as HTML for Qt to lay out, from ``template`` (a Jinja page given ``report``,
        ``exported_at`` and the ``clock`` and ``day`` filters); every value is escaped."""
        env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        env.filters["clock"] = lambda value: value.astimezone().strftime("%H:%M:%S") if value else "–"
        env.filters["day"] = lambda value: value.astimezone().strftime("%A %d %B %Y") if value else "–"
        env.filters["visible"] = lambda value: visible_name(str(value)) if value is not None else ""
        return env.from_string(template).render(report=self, exported_at=exported_at)


def export_note(*, incidents: int, at: datetime) -> JournalEntry:
    """The journal's record that an incident report covering ``incidents`` incidents was exported (never where to)."""
    return JournalEntry(
        at=at,
        kind=JournalKind.NOTE,
        event_key=f"incident-report:{at.isoformat()}:{incidents}",
        actor=Actor.TEACHER,
        detail={"note": EXPORTED_NOTE, "incidents": incidents},
    )


@dataclass(frozen=True, slots=True)
class DueReport:
    """A session with incidents whose report nobody exported, and the day retention deletes it."""

    session_id: str
    topic: str
    started_at: datetime
    deleted_on: date
    incidents: int

    def due_now(self, today: date) -> bool:
        return self.deleted_on <= today

    def words(self, today: date, *, deleted: bool = False) -> str:
        """One line: the session, its incidents and when retention deletes it (or that it did)."""
        days = (self.deleted_on - today).days
        if deleted:
            when = "deleted"
        elif days <= 0:
            when = "deleted by the next purge"
        else:
            when = f"deleted on {self.deleted_on:%d %b %Y} (in {plural(days, 'day')})"
        started = self.started_at.astimezone().strftime("%a %d %b %Y %H:%M")
        count = plural(self.incidents, "incident")
        return f"{self.session_id}  {started}  {visible_name(self.topic)}: {count}, {when}"

    def as_dict(self) -> dict[str, object]:
        return {
            "session_id": self.session_id,
            "topic": self.topic,
            "started_at": self.started_at.isoformat(),
            "deleted_on": self.deleted_on.isoformat(),
            "incidents": self.incidents,
        }


def reports_due(
    journals: SessionJournals, *, today: date, session_retention_days: int, within_days: int = WARN_DAYS
) -> list[DueReport]:
    """Sessions (not rehearsals) with incidents not covered by an exported report, deleted within ``within_days``."""
    due: list[DueReport] = []
    for session_id in journals.session_ids():
        try:
            info = journals.read_info(session_id)
            deleted_on = deletion_day(info.started_at.date(), session_retention_days)
            if info.rehearsal or (deleted_on - today).days > within_days:
                continue
            with journals.open(session_id) as journal:
                report = IncidentReport.from_journal(journal)
        except JournalError:
            continue
        if report.incidents and not report.exported:
            due.append(DueReport(session_id, info.topic, info.started_at, deleted_on, len(report.incidents)))
    return sorted(due, key=lambda d: (d.deleted_on, d.session_id))


@dataclass
class _Person:
    display_name: str | None = None
    verdict: str | None = None
    reasons: tuple[str, ...] = ()
    state: JournalKind | None = None
    steps: list[Step] = field(default_factory=list)


class _Reader:
    """One walk of the journal: each participant's moves and the host's actions about them."""

    def __init__(self, entries: Sequence[JournalEntry]) -> None:
        self.entries = entries
        self.outcomes: dict[str, str] = {}  # command id -> how it went, from its results (the last one counts)
        self.panics = {panic for entry in entries if (panic := panic_command_id(entry)) is not None}
        for entry in entries:
            if entry.kind is JournalKind.COMMAND_RESULT:
                message = str(entry.detail.get("message") or "")
                ok = entry.detail.get("ok")
                self.outcomes[str(entry.detail.get("command_id", ""))] = (
                    "done" if ok else (f"failed: {message}" if message else "failed")
                )

    def report(self, info: SessionInfo) -> IncidentReport:
        people: dict[str, _Person] = {}
        assistant: set[str] = set()
        alarms: list[tuple[JournalEntry, _Person | None, tuple[str, ...], str | None]] = []
        meeting_wide: list[Step] = []
        exports: list[tuple[datetime, int]] = []
        started, ended = None, None
        for entry in self.entries:
            kind, pid = entry.kind, entry.participant_id
            person = people.setdefault(pid, _Person()) if pid else None
            if kind is JournalKind.NOTE:
                note = entry.detail.get("note")
                if note == SessionNote.ASSISTANT and pid:
                    assistant.add(pid)
                elif note == EXPORTED_NOTE:
                    exports.append((entry.at, int(entry.detail.get("incidents", 0))))
                continue
            if kind is JournalKind.SESSION_STARTED:
                started = started or entry.at
            elif kind in MEETING_OVER:
                ended = ended or entry.at
            if person is not None and kind in (JournalKind.ARRIVAL, JournalKind.RENAMED):
                person.display_name = entry.display_name
                person.verdict = entry.verdict
                person.reasons = tuple(str(r) for r in entry.detail.get("reasons", ()))
            if counts_as_incident(entry):
                verdict = entry.verdict or (person.verdict if person else None)
                alarms.append((entry, person, person.reasons if person else (), verdict))
            elif kind is JournalKind.COMMAND:
                command_id = str(entry.detail.get("command_id", ""))
                name = "panic" if command_id in self.panics else str(entry.detail.get("name", ""))
                outcome = self.outcomes.get(command_id, "no answer")
                step = Step(entry.at, ACTION_WORDS.get(name, name.replace("_", " ").capitalize()), entry.actor, outcome)
                if person is not None:
                    person.steps.append(step)
                elif name in _MEETING_WIDE:
                    meeting_wide.append(step)
            elif kind is JournalKind.HELD and person is not None and "command_id" not in entry.detail:
                person.steps.append(Step(entry.at, ACTION_WORDS["hold"], entry.actor, "done"))
                person.state = kind
            elif kind in (JournalKind.LOCK, JournalKind.UNLOCK) and "command_id" not in entry.detail:
                words = ACTION_WORDS["lock" if kind is JournalKind.LOCK else "unlock"]
                meeting_wide.append(Step(entry.at, words, entry.actor, "done"))
            elif kind is JournalKind.MANUAL_STEP_CONFIRMED:
                step_name = str(entry.detail.get("step", ""))
                if not step_name.startswith("Start check:"):
                    words = ACTION_WORDS.get(step_name, step_name.replace("_", " ").capitalize())
                    meeting_wide.append(Step(entry.at, words, entry.actor, "done by hand in Zoom, confirmed"))
            if person is not None and kind in _ZOOM_WORDS:
                person.state = kind
                if kind is not JournalKind.ARRIVAL:
                    shown = f" to “{visible_name(entry.display_name or '')}”" if kind is JournalKind.RENAMED else ""
                    person.steps.append(Step(entry.at, f"{_ZOOM_WORDS[kind]}{shown}", entry.actor, "reported"))
        incidents = []
        for entry, person, reasons, verdict in alarms:
            if entry.participant_id in assistant:
                continue
            # The person's whole story (how they got in matters), then what the host did for the meeting from then on.
            later = [step for step in meeting_wide if step.at >= entry.at]
            steps = sorted([*(person.steps if person else []), *later], key=lambda step: step.at)
            name = entry.display_name if entry.display_name is not None else (person.display_name if person else None)
            incidents.append(
                Incident(
                    at=entry.at,
                    kind=str(entry.detail.get("alarm")),
                    name_as_typed=visible_name(name) if name is not None else None,
                    verdict=verdict,
                    reasons=tuple(visible_name(reason) for reason in reasons),
                    message=visible_name(str(entry.detail.get("message", ""))),
                    outcome=_OUTCOMES[person.state] if person and person.state in _OUTCOMES else "not recorded",
                    steps=tuple(steps),
                )
            )
        return IncidentReport(
            session_id=info.session_id,
            meeting_id=info.meeting_id,
            topic=info.topic,
            rehearsal=info.rehearsal,
            started_at=started or info.started_at,
            ended_at=ended,
            incidents=tuple(incidents),
            exports=tuple(exports),
        )
