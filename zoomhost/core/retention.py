"""Retention, as the protocol promises: nothing kept longer than it is needed.

Session journals (and so their summaries, which are computed from them) are deleted
whole once they are older than the configured retention, counted from the day the
session started. Pupils leave the register in the August after their leaving date; that
is the register store's job, and this module only asks it and reports what it did. The
family links (which registrant id was issued for which pupil) are kept no longer than the
journals: those issued before the same cutoff go too.

From outside: the journals to prune (``SessionJournals`` on this computer's sessions folder,
from the composition root), the register store, today's date and the retention in days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Protocol

from zoomhost.core.errors import ZoomhostError
from zoomhost.core.journal import JournalError, SessionJournals
from zoomhost.core.models import Pupil


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


def _date_from_name(session_id: str) -> date:
    """Session names start with the start time (YYYYMMDD-HHMMSS), so even a damaged journal has a date."""
    return datetime.strptime(session_id[:8], "%Y%m%d").date()
