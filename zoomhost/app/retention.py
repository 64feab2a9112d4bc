"""Forgetting on time, as the protocol promises, without anyone having to remember to: session journals
past the school's retention, leavers whose August after leaving has come, and a closed session's
journal cut down to what its summary needs.

:func:`forget_what_is_due` runs by itself when zoomhost starts (the window, off its GUI thread, and
every command but ``purge``, ``end`` and ``assistant``: ``commands.startup``) and when a session
closes (the Live page's session and the headless rehearsal); ``zoomhost purge`` calls :func:`purge_past_retention`. What each
removed is written to the retention log (``app.services.retention_log``), never with a name, and
said in a sentence ("3 sessions older than 30 days deleted") in the window's status bar and on the
terminal. The retention is the one in the settings; a computer with no register stored has only its
journals checked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date

from zoomhost.app.incidents import due_lines
from zoomhost.app.services import Services, register_store, retention_log, session_journals
from zoomhost.core.errors import ZoomhostError
from zoomhost.core.incidents import reports_due
from zoomhost.core.journal import SessionJournal, utc_now
from zoomhost.core.retention import (
    Minimised,
    PurgeReport,
    RetentionRecord,
    minimise,
    needs_minimising,
    purge,
    summarise_run,
)
from zoomhost.system import config

log = logging.getLogger(__name__)

#: Why retention ran (the retention log's ``trigger``).
START_UP = "start-up"
SESSION_CLOSED = "session closed"
PURGE_COMMAND = "purge"


@dataclass(frozen=True)
class RetentionRun:
    """What one run of retention removed and cut down, and what stopped it doing more."""

    trigger: str
    report: PurgeReport
    minimised: tuple[Minimised, ...]
    problems: tuple[str, ...]
    #: What it says of sessions with incidents it deleted before their incident report was exported.
    lost_incidents: tuple[str, ...] = ()

    @property
    def sessions_deleted(self) -> int:
        return len(self.report.sessions)

    @property
    def leavers_removed(self) -> int:
        return len(self.report.leavers or ())

    @property
    def message(self) -> str:
        """What was removed, in a sentence ("" when nothing was)."""
        return summarise_run(self.report.sessions, self.leavers_removed, self.report.session_retention_days)

    def notices(self) -> list[str]:
        """The sentences to tell the teacher: what was removed, and any problem."""
        said = [self.message] if self.message else []
        return said + list(self.lost_incidents) + [f"retention could not finish: {problem}" for problem in self.problems]


def purge_past_retention(services: Services, *, dry_run: bool, today: date | None = None) -> PurgeReport:
    """Remove (or, with ``dry_run``, only list) what is past its retention; what was removed and any problem."""
    register = services.register if services.register.db_path.exists() else None
    report = purge(
        journals=services.journals,
        today=today or date.today(),
        session_retention_days=services.settings.session_retention_days,
        register_store=register,
        dry_run=dry_run,
    )
    if not dry_run:
        _record(PURGE_COMMAND, report, (), report.problems)
    return report


def forget_what_is_due(
    services: Services | None = None,
    *,
    trigger: str,
    closed: SessionJournal | None = None,
    today: date | None = None,
) -> RetentionRun:
    """Delete the journals past the retention and the leavers past their August, and cut every closed
    session's journal (``closed``, the one just closed, first) to what its summary needs.

    Blocking disk work: run it off the GUI thread. Without ``services`` (a command, the headless
    rehearsal) it uses this computer's journals, register and settings from the composition root.
    Never raises for what it could not do: that is in ``problems``, and in the retention log.
    """
    journals = services.journals if services is not None else session_journals()
    register = services.register if services is not None else register_store()
    # only the retention is needed: an unsafe ZOOMHOST_*_BASE is the command's to report, not retention's
    days = (services.settings if services is not None else config.load_settings(env=False)).session_retention_days
    problems: list[str] = []
    minimised: list[Minimised] = []
    if closed is not None:
        _minimise(closed, minimised, problems)
    day = today or date.today()
    # Read before deleting: afterwards a deleted session with incidents cannot be named.
    try:
        due = reports_due(journals, today=day, session_retention_days=days, within_days=0)
    except ZoomhostError as err:
        due, problems = [], [*problems, f"the sessions with incidents could not be read ({err.user_text()})"]
    report = purge(
        journals=journals,
        today=day,
        session_retention_days=days,
        register_store=register if register.db_path.exists() else None,
        dry_run=False,
    )
    problems += report.problems
    gone = {session.session_id for session in report.sessions}
    lost = tuple(due_lines([d for d in due if d.session_id in gone], today=day, deleted=gone))
    for session_id in journals.session_ids():
        if session_id in gone or (closed is not None and session_id == closed.session_id):
            continue
        try:
            with journals.open(session_id) as journal:
                if needs_minimising(journal):
                    _minimise(journal, minimised, problems)
        except ZoomhostError as err:  # a damaged journal is not this run's business: `purge` says so at its date
            log.info("retention: session %s could not be read (%s)", session_id, type(err).__name__)
    run = RetentionRun(trigger=trigger, report=report, minimised=tuple(minimised), problems=tuple(problems), lost_incidents=lost)
    problems_logged = _record(trigger, report, run.minimised, run.problems)
    if problems_logged:
        run = replace(run, problems=(*run.problems, *problems_logged))
    return run


def _minimise(journal: SessionJournal, done: list[Minimised], problems: list[str]) -> None:
    try:
        result = minimise(journal)
    except ZoomhostError as err:
        problems.append(f"session {journal.session_id} could not be cut down to its summary: {err.user_text()}")
        return
    if result is not None:
        done.append(result)


def _record(trigger: str, report: PurgeReport, minimised: tuple[Minimised, ...], problems: tuple[str, ...]) -> list[str]:
    """Write the run to the retention log when it did (or failed to do) anything; any problem writing it."""
    changed = [m.session_id for m in minimised if m.entries_rewritten]
    if not (report.sessions or report.leavers or changed or problems):
        return []
    try:
        retention_log().record(
            RetentionRecord(
                at=utc_now(),
                trigger=trigger,
                session_retention_days=report.session_retention_days,
                sessions_deleted=tuple(session.session_id for session in report.sessions),
                leavers_removed=len(report.leavers or ()),
                journals_minimised=tuple(changed),
                problems=problems,
            )
        )
    except ZoomhostError as err:
        return [err.user_text()]
    return []
