"""`zoomhost audit`: every host and every upcoming meeting in the school's Zoom account against the protocol.

Exit status: 0 when no meeting fails, 3 when one does, 1 for an error (one plain line on stderr).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from zoomhost.app.audit import DEFAULT_DAYS, AccountAudit, account_label, audit_account, export_report, fix_audit
from zoomhost.app.services import command_services
from zoomhost.core.errors import ZoomhostError
from zoomhost.core.preflight import RuleStatus
from zoomhost.core.zoom_times import meeting_when

CHECK_FAILED = 3


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="check every host and upcoming meeting in the school's Zoom account")
    p.add_argument("--days", type=int, default=DEFAULT_DAYS, help=f"how many days ahead to look (default {DEFAULT_DAYS})")
    p.add_argument("--json", action="store_true", help="print the audit as one JSON object")
    p.add_argument("--out", metavar="FILE", type=Path, help="write the report for the headteacher: FILE.pdf or FILE.html")
    p.add_argument("--fix", action="store_true", help="make every change Zoom allows, within each host's daily limit")
    p.set_defaults(func=run_audit)


def run_audit(args: argparse.Namespace) -> int:
    out: Path | None = args.out
    if out is not None and out.suffix.lower() not in (".pdf", ".html"):
        raise ZoomhostError("The report is written as a .pdf or an .html file.", hint="For example: --out audit.pdf")
    if not 1 <= args.days <= 90:
        raise ZoomhostError("The audit looks between 1 and 90 days ahead.", hint="For example: --days 7")
    with command_services() as services:
        audit = services.runner.run(audit_account(services, days=args.days))
        outcome = services.runner.run(fix_audit(services, audit)) if args.fix else None
        label = account_label(services)
    if out is not None:
        export_report(audit, out, account_label=label, write_pdf=_write_pdf)
    if args.json:
        data = audit.as_dict()
        if outcome is not None:
            data["applied"] = {
                "meetings_updated": list(outcome.meetings_updated),
                "hosts_updated": list(outcome.hosts_updated),
                "left_for_tomorrow": list(outcome.left_for_tomorrow),
                "manual_steps": list(outcome.manual_steps),
                "problems": list(outcome.problems),
            }
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _print(audit)
        if outcome is not None:
            print(outcome.summary())
            for problem in outcome.problems:
                print(f"  ! {problem}")
    if out is not None:
        print(f"Report written to {out}")
    return CHECK_FAILED if any(m.ids(RuleStatus.FAIL) for m in audit.meetings) else 0


def _write_pdf(page: str, out: Path) -> Path:
    from zoomhost.ui.pdf import write_audit_pdf  # Qt lays the PDF out: loaded only when one is asked for

    return write_audit_pdf(page, out)


def _print(audit: AccountAudit) -> None:
    counts = audit.counts()
    print(f"Audit of {audit.scope}.")
    print(
        f"{counts['hosts']} hosts, {counts['meetings']} meetings: {counts['meetings_failing']} failing, "
        f"{counts['meetings_with_warnings']} with warnings."
    )
    for m in audit.meetings:
        failed, warned = m.ids(RuleStatus.FAIL), m.ids(RuleStatus.WARN)
        print(f"  {meeting_when(m.start_time):20}  {m.report.meeting_id:12}  {m.host_email:28}  {m.report.topic[:40]}")
        if failed:
            print(f"      failing: {', '.join(failed)}")
        if warned:
            print(f"      warnings: {', '.join(warned)}")
    for item in audit.unreadable:
        print(f"  could not read {item}")
