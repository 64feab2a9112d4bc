"""Incident reports for the safeguarding lead: export one, and say which are about to be lost to retention.

The Summary page (*Export incident report (PDF)…*) and ``zoomhost summary export SESSION --format
incidents-pdf`` call :func:`export_incident_report`; the Summary page and ``zoomhost purge`` call
:func:`incident_reports_due`. Disk work: off the GUI thread. The PDF is laid out by the window
toolkit from the report's escaped HTML (the caller hands its PDF writer in), goes only outside
zoomhost's own folders, and its export is journaled in the session, so retention can tell.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from zoomhost.app.services import incident_report_template, own_folders, session_journals
from zoomhost.core.errors import ZoomhostError
from zoomhost.core.export import check_destination
from zoomhost.core.incidents import WARN_DAYS, DueReport, IncidentReport, export_note, reports_due
from zoomhost.core.journal import JournalError, SessionJournals, utc_now
from zoomhost.system import config

log = logging.getLogger(__name__)

IncidentPdfWriter = Callable[[IncidentReport, Path], Path]


@dataclass(frozen=True)
class ExportedIncidentReport:
    report: IncidentReport
    path: Path
    recorded: bool  # the export is journaled in the session (retention will not warn about it)


def incident_report(session: str, *, journals: SessionJournals | None = None) -> IncidentReport:
    """A kept session's incident report, read from its journal; ``session`` is its name, or "latest"."""
    journals = journals or session_journals()
    if session == "latest":
        kept = journals.list_sessions()
        if not kept:
            raise ZoomhostError("no sessions are kept on this computer yet.")
        session = kept[0].session_id
    with journals.open(session) as journal:
        return IncidentReport.from_journal(journal)


def incident_report_html(report: IncidentReport, *, exported_at: datetime | None = None) -> str:
    """The report as the PDF prints it: the installed template, every value escaped."""
    return report.render_html(incident_report_template(), exported_at=exported_at or utc_now())


def export_incident_report(
    session: str, out: Path, *, write_pdf: IncidentPdfWriter, journals: SessionJournals | None = None
) -> ExportedIncidentReport:
    """Write ``session``'s incident report to ``out`` as a PDF and journal that it was exported.

    Refused, writing nothing, when the session has no incidents or ``out`` is not a place an
    export may go. If the PDF is written but the export cannot be journaled, the result says so
    (``recorded`` is False) and retention still warns about the session.
    """
    journals = journals or session_journals()
    out = check_destination(out, own_folders=own_folders())
    report = incident_report(session, journals=journals)
    if not report.incidents:
        raise ZoomhostError(
            f"the session {report.session_id} has no incidents, so there is no incident report to export.",
            hint="Its summary (CSV or PDF) holds everything that happened.",
        )
    written = write_pdf(report, out)
    recorded = True
    try:
        with journals.open(report.session_id) as journal:
            journal.append(export_note(incidents=len(report.incidents), at=utc_now()))
    except JournalError as err:
        log.warning("the incident report of %s was written but its export could not be journaled: %s", report.session_id, err)
        recorded = False
    log.info("incident report of %s exported (%d incidents)", report.session_id, len(report.incidents))
    return ExportedIncidentReport(report=report, path=written, recorded=recorded)


def configured_retention_days() -> int:
    """How many days session journals are kept, as the settings say now."""
    return config.load_settings().session_retention_days


def incident_reports_due(
    *,
    journals: SessionJournals | None = None,
    session_retention_days: int | None = None,
    today: date | None = None,
    within_days: int = WARN_DAYS,
) -> list[DueReport]:
    """Sessions with incidents whose report was never exported, that retention deletes within ``within_days``
    (or at the next purge); the settings' retention unless one is given."""
    return reports_due(
        journals or session_journals(),
        today=today or date.today(),
        session_retention_days=configured_retention_days() if session_retention_days is None else session_retention_days,
        within_days=within_days,
    )


def due_lines(due: list[DueReport], *, today: date, deleted: set[str] | None = None) -> list[str]:
    """What ``zoomhost purge`` says about them: before a purge (``deleted`` None, a dry run), or after one
    that deleted the sessions named in ``deleted``."""
    gone = [d for d in due if deleted is not None and d.session_id in deleted]
    left = [d for d in due if d not in gone]
    now = [d for d in left if d.due_now(today)]
    soon = [d for d in left if not d.due_now(today)]
    out: list[str] = []
    if gone:
        out.append(f"Deleted {len(gone)} session(s) with incidents whose incident report was never exported:")
        out.extend(f"  {d.words(today, deleted=True)}" for d in gone)
    if now:
        out.append(f"{len(now)} session(s) with incidents that a purge deletes now have no exported incident report:")
        out.extend(f"  {d.words(today)}" for d in now)
    if soon:
        out.append(
            f"{len(soon)} session(s) with incidents are deleted within {WARN_DAYS} days and have no exported incident report:"
        )
        out.extend(f"  {d.words(today)}" for d in soon)
    if now or soon:
        out.append("Export each for the safeguarding lead first: zoomhost summary export SESSION --format incidents-pdf --out FILE")
    return out
