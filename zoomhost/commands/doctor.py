"""`zoomhost doctor`: what this computer gives zoomhost (display, Qt's platform plugin, fonts, keyring)
and whether Zoom answers.

Exit status: 0 when nothing failed (warnings included), 3 when a check failed, 1 for an error.
"""

from __future__ import annotations

import argparse
import json

from zoomhost.app.doctor import doctor
from zoomhost.core.preflight import RuleStatus

CHECK_FAILED = 3
_MARK = {RuleStatus.PASS: "PASS", RuleStatus.FAIL: "FAIL", RuleStatus.WARN: "WARN", RuleStatus.UNKNOWN: "????"}


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help="check this computer's display, Qt, fonts, keyring and Zoom connection")
    p.add_argument("--json", action="store_true", help='print {"checks": [{"id", "status", "detail"}, ...]}')
    p.add_argument("--rehearsal", action="store_true", help="run the Zoom checks against the rehearsal Zoom")
    p.set_defaults(func=run_doctor)


def run_doctor(args: argparse.Namespace) -> int:
    report = doctor(rehearsal=args.rehearsal)
    if args.json:
        print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        width = max(len(check.id) for check in report.checks)
        for check in report.checks:
            print(f"{_MARK[check.status]}  {check.id:{width}}  {check.detail}")
        warned = sum(check.status is RuleStatus.WARN for check in report.checks)
        print()
        print(f"{len(report.checks)} checks: {len(report.failed)} failed, {warned} to consider.")
    return CHECK_FAILED if report.failed else 0
