"""Retention, as the protocol promises: nothing kept longer than it is needed.

Session journals (and so their summaries, which are computed from them) are deleted
whole once they are older than the configured retention, counted from the day the
session started. Pupils leave the register in the August after their leaving date; that
is the register store's job, and this module only asks it and reports what it did. The
family links (which registrant id was issued for which pupil) are kept no longer than the
journals: those issued before the same cutoff go too.

Once a session has closed, its journal keeps no more than its summary needs (:func:`minimise`):
a matched pupil as first name, initial and class, a member of staff as the staff list names them,
and nobody else by the name they typed, except the people held, removed or alarmed about, whose
names are incident evidence until the journal itself is deleted. While the meeting runs the
journal keeps everything (a crash must lose nothing), so only a journal whose meeting has ended
is minimised.

What retention removed is written to a small retention log (:class:`RetentionLog`): when, why,
which sessions and how many leavers, never a name.

From outside: the journals to prune (``SessionJournals`` on this computer's sessions folder,
from the composition root), the register store, today's date, the retention in days, and the
retention log's file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from zoomhost.core.words import plural
from zoomhost.core.errors import ZoomhostError
from zoomhost.core.journal import MEETING_OVER, JournalEntry, JournalError, JournalKind, SessionJournal, SessionJournals
from zoomhost.core.models import Pupil, Verdict


class LeaverPurger(Protocol):
    def purge_leavers(self, *, today: date, dry_run: bool = False) -> list[Pupil]: ...

    def purge_links(self, *, issued_before: date, dry_run: bool = False) -> int: ...


@dataclass(frozen=True, slots=True)
class PurgedSession:
    session_id: str
    started_on: date
    topic: str | None  # None when the journal could not be read (its name still gives the date)
    files: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What was removed (or, for a dry run, would be), and anything that stopped a removal."""

    dry_run: bool
    today: date
    session_retention_days: int
    sessions: tuple[PurgedSession, ...]
    kept_sessions: int
    leavers: tuple[Pupil, ...] | None  # None: the register was not checked
    problems: tuple[str, ...] = ()
    links: int | None = None  # family links issued before the cutoff; None: the register was not checked

    def lines(self) -> list[str]:
        verb = "Would remove" if self.dry_run else "Removed"
        cutoff = self.today - timedelta(days=self.session_retention_days)
        out = [
            f"{verb} {len(self.sessions)} session journal(s) started before {cutoff.isoformat()}"
            f" (retention {self.session_retention_days} days); {self.kept_sessions} kept."
        ]
        for session in self.sessions:
            topic = f" {session.topic}" if session.topic else " (unreadable journal)"
            out.append(f"  {session.session_id}  {session.started_on.isoformat()}{topic}")
        if self.leavers is None:
            out.append("The consent register was not checked for leavers (no register is stored).")
        else:
            out.append(f"{verb} {len(self.leavers)} pupil(s) from the register whose August after leaving has come.")
            for pupil in self.leavers:
                left = pupil.leaving_date.isoformat() if pupil.leaving_date else "?"
                out.append(f"  {pupil.label()}  left {left}")
        if self.links is not None:
            out.append(f"{verb} {self.links} family link record(s) issued before {cutoff.isoformat()}.")
        out.extend(f"Problem: {problem}" for problem in self.problems)
        if self.dry_run:
            out.append("Nothing was removed (dry run).")
        return out

    def as_dict(self) -> dict[str, object]:
        return {
            "dry_run": self.dry_run,
            "today": self.today.isoformat(),
            "session_retention_days": self.session_retention_days,
            "sessions": [
                {"session_id": s.session_id, "started_on": s.started_on.isoformat(), "topic": s.topic}
                for s in self.sessions
            ],
            "kept_sessions": self.kept_sessions,
            "leavers": None if self.leavers is None else [p.label() for p in self.leavers],
            "links": self.links,
            "problems": list(self.problems),
        }


def purge(
    *,
    journals: SessionJournals,
    today: date,
    session_retention_days: int,
    register_store: LeaverPurger | None = None,
    dry_run: bool,
) -> PurgeReport:
    """Delete ``journals`` older than the retention, and ask the register to drop its leavers."""
    if session_retention_days < 0:
        raise ZoomhostError("the session retention cannot be negative.", hint="Set it to 0 or more days.")
    cutoff = today - timedelta(days=session_retention_days)
    removed: list[PurgedSession] = []
    problems: list[str] = []
    kept = 0
    for session_id in journals.session_ids():
        try:
            info = journals.read_info(session_id)
            started_on, topic = info.started_at.date(), info.topic
        except JournalError:
            started_on, topic = _date_from_name(session_id), None
        if started_on >= cutoff:
            kept += 1
            continue
        files = tuple(journals.files(session_id))
        if not dry_run:
            try:
                for path in files:
                    path.unlink(missing_ok=True)
            except OSError as err:
                problems.append(f"{session_id} could not be deleted ({err.strerror or err}).")
                continue
        removed.append(PurgedSession(session_id=session_id, started_on=started_on, topic=topic, files=files))
    leavers: tuple[Pupil, ...] | None = None
    links: int | None = None
    if register_store is not None:
        try:
            leavers = tuple(register_store.purge_leavers(today=today, dry_run=dry_run))
            links = register_store.purge_links(issued_before=cutoff, dry_run=dry_run)
        except ZoomhostError as err:
            problems.append(err.user_text())
    return PurgeReport(
        dry_run=dry_run,
        today=today,
        session_retention_days=session_retention_days,
        sessions=tuple(removed),
        kept_sessions=kept,
        leavers=leavers,
        problems=tuple(problems),
        links=links,
    )


def deletion_day(started_on: date, session_retention_days: int) -> date:
    """The first day ``purge`` removes a session that started on ``started_on`` (it keeps it the days before)."""
    return started_on + timedelta(days=session_retention_days + 1)


def _date_from_name(session_id: str) -> date:
    """Session names start with the start time (YYYYMMDD-HHMMSS), so even a damaged journal has a date."""
    return datetime.strptime(session_id[:8], "%Y%m%d").date()


# -- a closed session's journal: no more than its summary needs ------------------------------------

#: What a name the journal no longer keeps is written as, where zoomhost's own words quoted it.
SOMEONE = "someone"


@dataclass(frozen=True, slots=True)
class Minimised:
    """What minimising one journal did: entries rewritten, and the participants kept as typed (evidence)."""

    session_id: str
    entries_rewritten: int
    names_dropped: int  # participants no longer kept by the name they typed
    evidence_kept: int  # participants whose typed names stay as incident evidence


def meeting_over(entries: Iterable[JournalEntry]) -> bool:
    """Whether the journal saw its meeting end (ended for all, or Zoom said it ended)."""
    return any(entry.kind in MEETING_OVER for entry in entries)


def minimise(journal: SessionJournal) -> Minimised | None:
    """Rewrite a closed session's journal to what its summary needs; None while its meeting is not over.

    The summary computed afterwards is the summary computed before. Running it again changes
    nothing more; entries journaled after a first run (Zoom's last goodbyes) are minimised by the next.
    """
    from zoomhost.core.summary import summary_needs  # the summary knows what it shows

    entries = journal.entries()
    if not meeting_over(entries):
        return None
    needs = summary_needs(entries)
    evidence = needs.evidence
    typed: dict[str, set[str]] = {}  # participant -> every name they typed
    for entry in entries:
        if entry.participant_id and entry.display_name:
            typed.setdefault(entry.participant_id, set()).add(entry.display_name)
    staff: dict[str, str] = {}  # participant -> the staff list's name, as last classified
    changed: list[JournalEntry] = []
    for entry in entries:
        pid = entry.participant_id
        if entry.kind in (JournalKind.ARRIVAL, JournalKind.RENAMED, JournalKind.IDENTIFIED) and pid:
            member = entry.detail.get("staff")
            if isinstance(member, Mapping) and member.get("name"):
                staff[pid] = str(member["name"])
            else:
                staff.pop(pid, None)
        if pid in evidence:
            continue
        kept_as = _kept_as(entry, staff.get(pid or ""))
        names = typed.get(pid or "", set()) | ({entry.display_name} if entry.display_name else set())
        names.discard(kept_as or "")
        detail = dict(entry.detail)
        message = detail.get("message")
        if names and isinstance(message, str) and entry.kind in (JournalKind.NOTE, JournalKind.ALARM):
            # zoomhost's own words about someone, in a note or an alarm the summary does not show (the
            # reasons and the commands' outcomes it does show stay exactly as it shows them)
            detail["message"] = _without(message, names, kept_as or SOMEONE)
        if entry.detail.get("reasons") and entry.seq not in needs.reasons:
            detail = {**detail, "reasons": []}  # why they were let in, or a verdict since replaced: not shown
        if entry.display_name != kept_as or detail != entry.detail:
            changed.append(replace(entry, display_name=kept_as, detail=detail))
    rewritten = journal.rewrite(changed) if changed else 0
    if not changed and journal.rewritten_through() < journal.last_seq():
        journal.rewrite([])  # nothing to change: remember that it was looked at, and empty the write-ahead file
    return Minimised(
        session_id=journal.session_id,
        entries_rewritten=rewritten,
        names_dropped=len(set(typed) - evidence),
        evidence_kept=len(set(typed) & evidence),
    )


def needs_minimising(journal: SessionJournal) -> bool:
    """A closed session whose journal has entries newer than its last minimisation."""
    return journal.rewritten_through() < journal.last_seq() and journal.meeting_over()


def _kept_as(entry: JournalEntry, staff_name: str | None) -> str | None:
    """How an entry names someone once the session is closed: the pupil's label, the staff list's name, or nobody."""
    if entry.pupil_label:
        return entry.pupil_label
    if entry.verdict == Verdict.STAFF.value and staff_name:
        return staff_name
    return None


def _without(text: str, names: set[str], instead: str) -> str:
    """``text`` saying ``instead`` wherever it quotes one of ``names`` (“Name”, as zoomhost quotes a
    name), and wherever it has one of three characters or more at all."""
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(f"“{name}”", instead)
        if len(name) >= 3:
            text = text.replace(name, instead)
    return text


# -- the retention log ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RetentionRecord:
    """One run of retention that removed or minimised something (or met a problem). No names, ever."""

    at: datetime
    trigger: str  # "start-up", "session closed", "purge"
    session_retention_days: int
    sessions_deleted: tuple[str, ...]  # session names (their start time and a random tag)
    leavers_removed: int
    journals_minimised: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(),
            "trigger": self.trigger,
            "session_retention_days": self.session_retention_days,
            "sessions_deleted": list(self.sessions_deleted),
            "leavers_removed": self.leavers_removed,
            "journals_minimised": list(self.journals_minimised),
            "problems": list(self.problems),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RetentionRecord:
        return cls(
            at=datetime.fromisoformat(str(data["at"])),
            trigger=str(data["trigger"]),
            session_retention_days=int(data["session_retention_days"]),
            sessions_deleted=tuple(str(s) for s in data.get("sessions_deleted", ())),
            leavers_removed=int(data.get("leavers_removed", 0)),
            journals_minimised=tuple(str(s) for s in data.get("journals_minimised", ())),
            problems=tuple(str(p) for p in data.get("problems", ())),
        )


@dataclass
class RetentionLog:
    """What retention did, one JSON object a line, in a file of its own beside the journals (never in a
    journal, which retention itself deletes). Readable by this user only; the oldest lines go once it
    passes ``max_bytes``."""

    path: Path
    max_bytes: int = 256_000

    def record(self, record: RetentionRecord) -> None:
        line = (json.dumps(record.as_dict(), ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            if self._ends_torn():  # a line cut short by a crash stays on a line of its own
                line = b"\n" + line
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)
            if self.path.stat().st_size > self.max_bytes:
                self._keep_newest()
        except OSError as err:
            raise ZoomhostError(
                f"the retention log {self.path} could not be written ({err.strerror or err}).",
                hint="Check the disk is not full and the data folder can be written.",
            ) from err

    def records(self) -> list[RetentionRecord]:
        """Every readable record, oldest first (a line cut short by a crash is skipped)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except OSError as err:
            raise ZoomhostError(f"the retention log {self.path} could not be read ({err.strerror or err}).") from err
        found = []
        for line in text.splitlines():
            try:
                found.append(RetentionRecord.from_dict(json.loads(line)))
            except (ValueError, KeyError, TypeError):
                continue
        return found

    def _ends_torn(self) -> bool:
        try:
            with self.path.open("rb") as existing:
                if existing.seek(0, os.SEEK_END) == 0:
                    return False
                existing.seek(-1, os.SEEK_END)
                return existing.read(1) != b"\n"
        except FileNotFoundError:
            return False

    def _keep_newest(self) -> None:
        lines = self.path.read_bytes().splitlines(keepends=True)
        kept = lines[len(lines) // 2 :]
        spare = self.path.with_name(self.path.name + ".new")
        fd = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, b"".join(kept))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(spare, self.path)


def summarise_run(sessions: Sequence[PurgedSession], leavers: int, retention_days: int) -> str:
    """What retention removed, in a sentence for the status bar or a terminal ("" when nothing)."""
    parts = []
    if sessions:
        count = len(sessions)
        parts.append(f"{plural(count, 'session')} older than {retention_days} days deleted")
    if leavers:
        parts.append(
            f"{plural(leavers, 'leaver')} removed from the register (the August after they left has come)"
        )
    return "; ".join(parts)
