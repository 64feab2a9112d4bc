"""One pupil's data on request: everything zoomhost holds about a pupil, and erasing it everywhere.

What a subject access or an erasure request to the school needs. ``zoomhost pupil show|forget``
and the Register page's *Pupil's data…* call these (disk work: off the GUI thread). A request
names a pupil by first name, surname initial (or surname) and class; when several pupils fit,
nothing is shown or erased until the request says which (:class:`SeveralPupilsMatch`). Which
journal rows are the pupil's is one rule, ``core.pupil_data.rows_about``.

Erasing rewrites each session journal that holds the pupil in one transaction (names become the
erasure's reference), then deletes the register entry and the rows linked to it (one store
method, ``RegisterStore.forget_pupils``), and records the erasure there, in each journal and in
the log by its reference only. Every file is left with no copy of the old text (``core.scrub``).
A session that may still be running is never rewritten: the live panel would write the name again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from zoomhost.core.errors import ZoomhostError
from zoomhost.core.journal import MEETING_OVER, JournalEntry, JournalError, JournalKind, SessionInfo, SessionJournals, utc_now
from zoomhost.core.models import Pupil
from zoomhost.core.names import visible_name
from zoomhost.core.pupil_data import (
    PupilIdentity,
    PupilQuery,
    PupilRows,
    erased,
    erasure_note,
    identities_in,
    new_reference,
    rows_about,
)
from zoomhost.core.register_store import PUPIL_LINKED_TABLES, ErasureRecord, RegisterStore, StoredPupilRecords

log = logging.getLogger(__name__)

#: A journal that never saw its meeting end is taken for a session still running for this long
#: after it started (the live panel picks such a session up again for as long: ``live.opening``).
STILL_RUNNING_FOR = timedelta(hours=12)
_HOURS = int(STILL_RUNNING_FOR.total_seconds() // 3600)

ELSEWHERE = (
    "Not reachable from here: summaries, incident reports and invitation files saved outside zoomhost's "
    "folders, and Zoom's own records of the meeting (see the privacy notes)."
)


class PupilNotFound(ZoomhostError):
    """No pupil on the register or in the kept sessions fits the request."""


class SeveralPupilsMatch(ZoomhostError):
    """More than one pupil fits the request: it must say which."""

    def __init__(self, message: str, *, candidates: Sequence[Candidate], hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.candidates = tuple(candidates)


class PupilInRunningSession(ZoomhostError):
    """A session that may still be running holds the pupil: erasing now would not last."""


@dataclass(frozen=True)
class Candidate:
    """A pupil a request may mean: as the journals know them, and their register entries (none if gone)."""

    identity: PupilIdentity
    entries: tuple[Pupil, ...] = ()

    def describe(self) -> str:
        where = "on the register" if self.entries else "only in kept sessions"
        if len(self.entries) > 1:
            where = f"{len(self.entries)} register entries with this same name, initial and class"
        return f"{self.identity.label()} ({where})"


@dataclass(frozen=True)
class SessionRecords:
    """One kept session's rows about the pupil."""

    info: SessionInfo
    rows: PupilRows
    ended: bool  # the journal saw the meeting end


@dataclass(frozen=True)
class PupilRecords:
    """Everything zoomhost holds about one pupil."""

    candidate: Candidate
    stored: StoredPupilRecords
    sessions: tuple[SessionRecords, ...]
    unreadable: tuple[str, ...] = ()  # sessions whose journal could not be read (named, so nothing is hidden)

    @property
    def identity(self) -> PupilIdentity:
        return self.candidate.identity

    @property
    def journal_rows(self) -> int:
        return sum(len(s.rows.own) + len(s.rows.mentions) for s in self.sessions)

    def lines(self) -> list[str]:
        """The records as plain text, names shown the one way a typed name is shown (hidden characters written out)."""
        out = [f"Everything zoomhost holds about {visible_name(self.identity.label())}:"]
        out.append(f"Register: {_count(len(self.stored.pupils), 'entry', 'entries')}")
        out.extend(f"  {_entry_words(pupil)}" for pupil in self.stored.pupils)
        if not PUPIL_LINKED_TABLES:
            out.append("Registrant links: none are kept on this computer.")
        else:
            out.append(f"Registrant links: {_count(len(self.stored.linked), 'row', 'rows')}")
            out.extend(f"  {table}: {_row_words(row)}" for table, row in self.stored.linked)
        attended = sum(1 for s in self.sessions if s.rows.attended)
        incidents = sum(len(s.rows.incidents()) for s in self.sessions)
        out.append(
            f"Sessions kept on this computer with records of this pupil: {len(self.sessions)}"
            f" (attended {attended}; {_count(incidents, 'incident', 'incidents')})"
        )
        for session in self.sessions:
            info = session.info
            started = info.started_at.astimezone().strftime("%a %d %b %Y %H:%M")
            state = "attended" if session.rows.attended else "did not attend"
            rehearsal = ", rehearsal" if info.rehearsal else ""
            out.append(f"  {info.session_id}  {started}  {visible_name(info.topic)} ({state}{rehearsal})")
            out.extend(f"    {_journal_words(entry)}" for entry in session.rows.own)
            for entry in session.rows.mentions:
                out.append(f"    mentioned: {_journal_words(entry)}")
        out.extend(f"Could not be read (check by hand): session {session_id}" for session_id in self.unreadable)
        out.append(ELSEWHERE)
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "pupil": self.identity.label(),
            "register": [pupil.as_dict() for pupil in self.stored.pupils],
            "registrant_links": [{"table": table, **row} for table, row in self.stored.linked],
            "sessions": [
                {
                    **s.info.as_dict(),
                    "attended": s.rows.attended,
                    "rows": [_entry_dict(entry) for entry in s.rows.own],
                    "mentions": [_entry_dict(entry) for entry in s.rows.mentions],
                    "incidents": len(s.rows.incidents()),
                }
                for s in self.sessions
            ],
            "unreadable_sessions": list(self.unreadable),
            "elsewhere": ELSEWHERE,
        }


@dataclass(frozen=True)
class Erasure:
    """What one erasure did, under its reference (the only way it names the pupil)."""

    record: ErasureRecord
    problems: tuple[str, ...] = field(default=())

    @property
    def reference(self) -> str:
        return self.record.reference

    def lines(self) -> list[str]:
        r = self.record
        out = [
            f"Erased under reference {r.reference}: {_count(r.register_entries, 'register entry', 'register entries')},"
            f" {_count(r.linked_rows, 'registrant link', 'registrant links')},"
            f" {_count(r.journal_rows, 'journal row', 'journal rows')} in {_count(r.sessions, 'session', 'sessions')}.",
            "Write this reference in the school's record of the request; zoomhost keeps only the reference.",
        ]
        out.extend(f"Problem: {problem}" for problem in self.problems)
        out.append(ELSEWHERE)
        return out


def candidates(register: RegisterStore, journals: SessionJournals, name: str, *, class_name: str | None = None) -> list[Candidate]:
    """Every pupil ``name`` (and ``class_name``) may mean: register entries first, then pupils only the sessions know."""
    query = PupilQuery.parse(name, class_name=class_name)
    found: dict[tuple[str, str, str], Candidate] = {}
    pupils = register.pupils() if register.db_path.exists() else []
    for pupil in pupils:
        identity = PupilIdentity.of(pupil)
        if query.matches(identity):
            known = found.get(identity.key)
            found[identity.key] = Candidate(identity, (*(known.entries if known else ()), pupil))
    for session_id in journals.session_ids():
        try:
            with journals.open(session_id) as journal:
                entries = journal.entries()
        except JournalError:
            continue
        for identity in identities_in(entries):
            if identity.key not in found and query.matches(identity):
                found[identity.key] = Candidate(identity)
    return list(found.values())


def find_pupil(register: RegisterStore, journals: SessionJournals, name: str, *, class_name: str | None = None) -> Candidate:
    """The one pupil the request means; PupilNotFound or SeveralPupilsMatch (with the candidates) otherwise."""
    query = PupilQuery.parse(name, class_name=class_name)
    found = candidates(register, journals, name, class_name=class_name)
    if not found:
        raise PupilNotFound(
            f"no pupil called “{visible_name(str(query))}” is on the register or in the sessions kept on this computer.",
            hint="Give the first name (or preferred name) as the register has it, the surname initial and the class.",
        )
    if len(found) > 1:
        listed = "; ".join(visible_name(c.describe()) for c in found)
        raise SeveralPupilsMatch(
            f"{len(found)} pupils fit “{visible_name(str(query))}”: {listed}.",
            candidates=found,
            hint='Say which with the surname initial and the class, e.g. "Amy B. (Year 3)".',
        )
    return found[0]


def pupil_records(register: RegisterStore, journals: SessionJournals, pupil: Candidate) -> PupilRecords:
    """Everything zoomhost holds about ``pupil``: register entry, linked rows and every kept session's rows."""
    stored = register.pupil_records([p.id for p in pupil.entries])
    sessions: list[SessionRecords] = []
    unreadable: list[str] = []
    for session_id in journals.session_ids():
        try:
            with journals.open(session_id) as journal:
                entries = journal.entries()
                rows = rows_about(pupil.identity, entries)
                ended = any(entry.kind in MEETING_OVER for entry in entries)
                info = journal.info
        except JournalError:
            unreadable.append(session_id)
            continue
        if rows:
            sessions.append(SessionRecords(info=info, rows=rows, ended=ended))
    sessions.sort(key=lambda s: (s.info.started_at, s.info.session_id))
    return PupilRecords(candidate=pupil, stored=stored, sessions=tuple(sessions), unreadable=tuple(unreadable))


def show_pupil(register: RegisterStore, journals: SessionJournals, name: str, *, class_name: str | None = None) -> PupilRecords:
    """``zoomhost pupil show NAME``: the one pupil the request means, and everything held about them."""
    return pupil_records(register, journals, find_pupil(register, journals, name, class_name=class_name))


def forget_pupil(
    register: RegisterStore,
    journals: SessionJournals,
    pupil: Candidate,
    *,
    all_entries: bool = False,
    now: datetime | None = None,
) -> Erasure:
    """Erase everything held about ``pupil``: every kept session's rows, then the register entry and linked rows.

    Refuses, changing nothing, when two register entries share the pupil's name, initial and class
    (their sessions cannot be told apart) unless ``all_entries``, and when a session that may still
    be running holds the pupil. A journal that cannot be rewritten is named in the problems and the
    rest goes ahead; erasing again finishes it.
    """
    now = now or utc_now()
    if len(pupil.entries) > 1 and not all_entries:
        raise SeveralPupilsMatch(
            f"{len(pupil.entries)} register entries are all {visible_name(pupil.identity.label())}: "
            "their sessions cannot be told apart, so nothing was erased.",
            candidates=[pupil],
            hint="Erase them all together (--all-entries), or correct the register first (a preferred name tells them apart).",
        )
    records = pupil_records(register, journals, pupil)
    for session in records.sessions:
        if _may_be_running(session, now=now):
            raise PupilInRunningSession(
                f"the session {session.info.session_id} has records of this pupil and may still be running; nothing was erased.",
                hint=f"End it on the Live page (a session never ended counts as over {_HOURS} hours after it started),"
                " then erase again.",
            )
    reference = new_reference()
    problems = [f"session {session_id} could not be read, so it was not checked." for session_id in records.unreadable]
    sessions = rows = 0
    for session in records.sessions:
        try:
            with journals.open(session.info.session_id) as journal:
                current = rows_about(pupil.identity, journal.entries())  # read again: what is there now
                rewritten = erased(pupil.identity, current, reference=reference)
                count = len(rewritten)
                if not journal.erase(rewritten, note=erasure_note(reference=reference, rows=count, at=now)):
                    problems.append(
                        f"session {session.info.session_id} is open in another zoomhost window: its write-ahead file, which may"
                        " still hold the old text, is emptied when that window closes."
                    )
        except JournalError as err:
            problems.append(err.user_text())
            continue
        sessions += 1
        rows += count
    stored, emptied = register.forget_pupils(
        [p.id for p in pupil.entries],
        erasure=ErasureRecord(
            reference=reference, erased_at=now, register_entries=0, linked_rows=0, sessions=sessions, journal_rows=rows
        ),
    )
    if not emptied:
        problems.append(
            "the register is open in another zoomhost window: its write-ahead file, which may still hold the old"
            " text, is emptied when that window closes."
        )
    record = ErasureRecord(
        reference=reference,
        erased_at=now,
        register_entries=len(stored.pupils),
        linked_rows=len(stored.linked),
        sessions=sessions,
        journal_rows=rows,
    )
    log.info(
        "erased one pupil's records on request, reference %s: %d register entries, %d linked rows, %d journal rows in %d sessions%s",
        reference,
        record.register_entries,
        record.linked_rows,
        rows,
        sessions,
        f"; {len(problems)} problem(s)" if problems else "",
    )
    return Erasure(record=record, problems=tuple(problems))


def erasures(register: RegisterStore) -> list[ErasureRecord]:
    """Every erasure made on request on this computer, oldest first (references and counts, no names)."""
    return register.erasures()


def _may_be_running(session: SessionRecords, *, now: datetime) -> bool:
    return not session.ended and now - session.info.started_at <= STILL_RUNNING_FOR


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _entry_words(pupil: Pupil) -> str:
    consent = "yes" if pupil.consent else "no"
    if pupil.consent_date:
        consent += f" (given {pupil.consent_date:%d %b %Y})"
    leaving = f"leaving date {pupil.leaving_date:%d %b %Y}" if pupil.leaving_date else "no leaving date"
    preferred = f", preferred name {visible_name(pupil.preferred_name)}" if pupil.preferred_name else ""
    initial = visible_name(pupil.surname_initial) if pupil.surname_initial else "none"
    return (
        f"first name {visible_name(pupil.first_name)}{preferred}, surname initial {initial},"
        f" class {visible_name(pupil.class_label or '(none)')}, consent {consent}, {leaving}"
    )


def _row_words(row: dict[str, object]) -> str:
    return ", ".join(f"{key} {visible_name(str(value))}" for key, value in row.items())


def _journal_words(entry: JournalEntry) -> str:
    parts = [entry.at.astimezone().strftime("%H:%M:%S"), entry.kind.value.replace("_", " ")]
    if entry.display_name is not None:
        parts.append(f"“{visible_name(entry.display_name)}”")
    if entry.verdict:
        parts.append(entry.verdict.replace("_", " "))
    if entry.kind is JournalKind.ALARM:
        parts.append(visible_name(str(entry.detail.get("message", ""))))
    elif entry.kind in (JournalKind.COMMAND, JournalKind.COMMAND_RESULT):
        outcome = "" if entry.kind is JournalKind.COMMAND else (" done" if entry.detail.get("ok") else " failed")
        parts.append(f"{entry.detail.get('name', '')}{outcome} ({entry.actor})")
    elif entry.detail.get("reasons"):
        parts.append(visible_name("; ".join(str(r) for r in entry.detail["reasons"])))
    return "  ".join(parts)


def _entry_dict(entry: JournalEntry) -> dict[str, object]:
    return {
        "at": entry.at.isoformat(),
        "kind": entry.kind.value,
        "display_name": entry.display_name,
        "verdict": entry.verdict,
        "pupil": entry.pupil_label,
        "actor": entry.actor,
        "detail": dict(entry.detail),
    }
