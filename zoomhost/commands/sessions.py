"""`zoomhost sessions`, `zoomhost summary show|export` and `zoomhost purge`: what happened, and forgetting it on time.

What a session holds came from outside (display names, the meeting's topic, the register's
words, Zoom's messages): a line printed to the terminal has every character a reader could not
see written out (``visible_name``), so a NUL, an escape sequence or a direction override never
reaches the terminal; JSON keeps the values exact and writes those characters as ``\\u`` escapes.

`summary export SESSION --format incidents-pdf` is the session's incident report for the school's
safeguarding system; `purge` (and `purge --dry-run`) names the sessions with incidents whose report
was never exported that it deletes, or that are deleted within a week.
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import date
from pathlib import Path

from zoomhost.app.incidents import due_lines, export_incident_report, incident_reports_due
from zoomhost.app.retention import purge_past_retention
from zoomhost.app.services import command_services
from zoomhost.app.summaries import export_summary, kept_sessions, session_summary, sessions_folder
from zoomhost.core.names import visible_name
from zoomhost.core.summary import SessionSummary, plural, safeguarding_headline, summary_sections


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sessions", help="list the sessions kept on this computer")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(func=run_sessions)

    summary = sub.add_parser("summary", help="show or export a session's summary")
    actions = summary.add_subparsers(dest="summary_command", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="print a session's summary")
    show.add_argument("session", metavar="SESSION", help="a session name from `zoomhost sessions`, or 'latest'")
    show.add_argument("--json", action="store_true", help="the summary as JSON")
    show.set_defaults(func=run_summary_show)
    export = actions.add_parser(
        "export", help="write a session's summary to a CSV or PDF file, or its incident report to a PDF"
    )
    export.add_argument("session", metavar="SESSION", help="a session name from `zoomhost sessions`, or 'latest'")
    export.add_argument(
        "--format",
        choices=("csv", "pdf", "incidents-pdf"),
        required=True,
        help="csv or pdf: the summary; incidents-pdf: the incident report for the school's safeguarding system",
    )
    export.add_argument("--out", type=Path, required=True, metavar="FILE")
    export.set_defaults(func=run_summary_export)

    purge_parser = sub.add_parser("purge", help="delete sessions past their retention and leavers past their August")
    purge_parser.add_argument("--dry-run", action="store_true", help="only say what would be removed")
    purge_parser.set_defaults(func=run_purge)


def run_sessions(args: argparse.Namespace) -> int:
    sessions = kept_sessions()
    if args.json:
        for info in sessions:
            print(terminal_json(info.as_dict()))
        return 0
    if not sessions:
        print(f"No sessions are kept on this computer ({sessions_folder()}).")
        return 0
    for info in sessions:
        started = info.started_at.astimezone().strftime("%Y-%m-%d %H:%M")
        tag = "  [rehearsal]" if info.rehearsal else ""
        print(visible_name(f"{info.session_id}  {started}  {info.topic}  (meeting {info.meeting_id}){tag}"))
    return 0


def run_summary_show(args: argparse.Namespace) -> int:
    summary = session_summary(args.session)
    if args.json:
        print(terminal_json(summary.as_dict(), indent=2))
        return 0
    for line in summary_text(summary):
        print(visible_name(line))
    return 0


def run_summary_export(args: argparse.Namespace) -> int:
    if args.format == "incidents-pdf":
        report = export_incident_report(args.session, args.out, write_pdf=_write_incident_pdf)
        count = len(report.report.incidents)
        print(f"Wrote the incident report of {report.report.session_id} ({count} incident{'s' if count != 1 else ''}) to {report.path}")
        if not report.recorded:
            print("It could not be recorded as exported: retention will still warn about this session.")
        return 0
    exported = export_summary(args.session, args.out, kind=args.format, write_pdf=_write_pdf)
    print(f"Wrote the summary of {exported.summary.session_id} to {exported.path}")
    return 0


def _write_pdf(summary: SessionSummary, out: Path) -> Path:
    from zoomhost.ui.pdf import write_pdf  # Qt lays the PDF out: loaded only when one is asked for

    return write_pdf(summary, out)


def _write_incident_pdf(report, out: Path) -> Path:  # noqa: ANN001 - an IncidentReport
    from zoomhost.ui.pdf import write_incident_pdf  # Qt lays the PDF out: loaded only when one is asked for

    return write_incident_pdf(report, out)


def run_purge(args: argparse.Namespace) -> int:
    today = date.today()
    with command_services() as services:
        # Read before purging: afterwards the sessions it deleted cannot be named.
        due = incident_reports_due(
            journals=services.journals, session_retention_days=services.settings.session_retention_days, today=today
        )
        report = purge_past_retention(services, dry_run=args.dry_run, today=today)
    for line in report.lines():
        print(line)
    deleted = None if args.dry_run else {session.session_id for session in report.sessions}
    for line in due_lines(due, today=today, deleted=deleted):
        print(line)
    return 1 if report.problems else 0


_NOT_PLAIN_ASCII = re.compile(r"[^\n\x20-\x7e]")  # what terminal_json looks at (JSON escapes ASCII controls itself)


def terminal_json(value: object, *, indent: int | None = None) -> str:
    """``value`` as JSON for a terminal: exact (accents as they are), but every character a reader could
    not see written as a ``\\u`` escape, so it never reaches the terminal itself."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _NOT_PLAIN_ASCII.sub(_escape_hidden, text)


def _escape_hidden(match: re.Match[str]) -> str:
    ch = match.group()
    return ch if visible_name(ch) == ch else json.dumps(ch)[1:-1]


def summary_text(summary: SessionSummary) -> list[str]:
    """The summary as plain text for a terminal: the safeguarding summary, then every part in the order the
    window and the PDF show them (``summary_sections``)."""

    def clock(value) -> str:  # noqa: ANN001 - a datetime or None
        return value.astimezone().strftime("%H:%M") if value else "–"

    lines = [
        f"{summary.topic}  (meeting {summary.meeting_id}{', rehearsal' if summary.rehearsal else ''})",
        f"Started {clock(summary.started_at)}, ended {clock(summary.ended_at)}.",
        "",
        "Safeguarding summary:",
        *(f"  {line}" for line in safeguarding_headline(summary)),
    ]
    for section in summary_sections(summary):
        lines.append("")
        lines.append(f"{section.title} ({_count_words(section.key, len(section.rows))}):")
        if not section.rows:
            lines.append(f"  {section.empty}")
        for row in section.rows:
            lines.append("  " + _line(section.key, row, clock))
    return lines


def _count_words(key: str, count: int) -> str:
    return plural(count, "pupil") if key == "attendance" else str(count)


def _line(key: str, row, clock) -> str:  # noqa: ANN001 - a row of the section, and the clock formatter
    """One row of one of the summary's parts, on one line."""
    if key == "incidents":
        who = f" – {visible_name(row.display_name)}" if row.display_name else ""
        seen = f"; alarm seen {clock(row.seen_at)} ({row.seen_by})" if row.seen_at else ""
        outcome = f": {row.outcome}" if row.outcome else ""
        return f"{clock(row.at)}  {row.what}{who} – {visible_name(row.detail or row.message)}{outcome} (by {row.acted_by}){seen}"
    if key == "held":
        who = visible_name(row.who) if row.who else "(name not kept)"
        return f"{clock(row.arrived_at)}  {who}: {row.why}; {row.outcome} (by {row.acted_by})"
    if key == "actions":
        target = f" – {visible_name(row.target)}" if row.target else ""
        return f"{clock(row.at)}  {row.words}{target} ({row.by}): {row.outcome}"
    if key == "attendance":
        name = row.first_name + (f" {row.surname_initial}." if row.surname_initial else "")
        rejoins = f", rejoined {row.rejoins}x" if row.rejoins else ""
        return (
            f"{name:<20} {row.class_name or '':<10} {clock(row.first_join)}–{clock(row.last_leave)}"
            f"  {row.minutes_present:.0f} min{rejoins}, admitted {row.admitted_words}"
        )
    return f"{row.name:<20} {clock(row.first_join)}–{clock(row.last_leave)}, admitted {row.admitted_words}"
