"""`zoomhost meetings`, `preflight`, `end`, `sign-in` and `credentials`: Zoom from the command line.

Exit status: 0 when all is well, 1 for an error (one plain line on stderr), 3 when
`preflight` finds a check that fails.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import Any

from zoomhost.app.meetings import (
    FixOutcome,
    PreflightReport,
    check_meeting,
    choose_profile,
    end_meeting,
    fix_meeting,
    spaced_meeting_id,
    upcoming_meetings,
)
from zoomhost.app.services import command_services
from zoomhost.app.signin import (
    FIELDS,
    LABELS,
    SECRET_FIELDS,
    credential_fields,
    credentials_kept,
    forget_credentials,
    keep_credentials,
    sign_in,
)
from zoomhost.core.errors import ZoomhostError
from zoomhost.core.preflight import RuleResult, RuleStatus, checklist_order, count_checklist
from zoomhost.core.profiles import PROFILE_WORDS
from zoomhost.core.zoom_times import meeting_when

CHECK_FAILED = 3


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("meetings", help="list the host's upcoming Zoom meetings")
    p.add_argument(
        "--user", metavar="EMAIL", default=None, help="the host's email or Zoom user ID (default: the host in Settings; \"me\" with your own sign-in)"
    )
    p.set_defaults(func=run_meetings)

    p = sub.add_parser("preflight", help="check a meeting against the school's protocol (and fix it)")
    p.add_argument("meeting_id", metavar="MEETING_ID", help="the meeting ID, with or without spaces")
    p.add_argument("--fix", action="store_true", help="make every change Zoom allows in one update, then check again")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument(
        "--profile",
        choices=("pupils", "staff", "topic"),
        help="hold this meeting to the pupils' or the staff-meeting protocol from now on (topic: go by its topic's words)",
    )
    p.set_defaults(func=run_preflight_command)

    p = sub.add_parser("end", help="end a meeting for everyone, now")
    p.add_argument("meeting_id", metavar="MEETING_ID")
    p.set_defaults(func=run_end)

    p = sub.add_parser("sign-in", help="sign in to Zoom as yourself in the browser (no admin rights needed)")
    p.add_argument("--no-browser", action="store_true", help="print the address instead of opening the browser")
    p.set_defaults(func=run_sign_in)

    p = sub.add_parser("credentials", help="set, show or clear the Zoom app credentials kept in the system keyring")
    actions = p.add_subparsers(dest="credentials_command", metavar="ACTION", required=True)
    s = actions.add_parser("set", help="type the credentials in (never on the command line)")
    s.add_argument(
        "fields",
        nargs="*",
        metavar="FIELD",
        help=f"which to set (default: account_id client_id client_secret); one of {', '.join(FIELDS)}",
    )
    s.set_defaults(func=run_credentials_set)
    s = actions.add_parser("show", help="which credentials are set and where (values are masked)")
    s.set_defaults(func=run_credentials_show)
    s = actions.add_parser("clear", help="remove every zoomhost credential from the keyring")
    s.add_argument("--yes", action="store_true", help="do not ask first")
    s.set_defaults(func=run_credentials_clear)


# -- how things are shown ------------------------------------------------------------------------
# -- meetings ------------------------------------------------------------------------------------
def run_meetings(args: argparse.Namespace) -> int:
    with command_services() as services:
        meetings = services.runner.run(upcoming_meetings(services, host=args.user))
    if not meetings:
        print("No upcoming meetings.")
        return 0
    rows = [(spaced_meeting_id(m.id), meeting_when(m.start_time), f"{m.duration} min" if m.duration else "", m.topic) for m in meetings]
    widths = [max(len(r[i]) for r in rows + [("Meeting ID", "Starts", "Length", "Topic")]) for i in range(3)]
    print(f"{'Meeting ID':{widths[0]}}  {'Starts':{widths[1]}}  {'Length':{widths[2]}}  Topic")
    for row in rows:
        print(f"{row[0]:{widths[0]}}  {row[1]:{widths[1]}}  {row[2]:{widths[2]}}  {row[3]}")
    return 0


# -- preflight -----------------------------------------------------------------------------------
def run_preflight_command(args: argparse.Namespace) -> int:
    if args.profile is not None:
        choose_profile(args.meeting_id, None if args.profile == "topic" else args.profile)
    with command_services() as services:
        checked = services.runner.run(check_meeting(services, args.meeting_id))
        outcome = services.runner.run(fix_meeting(services, checked.report, checked.context)) if args.fix else None
    report = outcome.after if outcome is not None else checked.report
    if args.json:
        data: dict[str, Any] = report.as_dict()
        if outcome is not None:
            data["applied"] = {
                "meeting_updated": outcome.meeting_updated,
                "settings_updated": outcome.settings_updated,
                "meeting_updates_left_today": outcome.receipt.remaining_today if outcome.receipt else None,
                "manual_steps": list(outcome.manual_steps),
                "problems": list(outcome.problems),
            }
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        _print_report(report, outcome, fix_requested=args.fix)
    return CHECK_FAILED if report.failed else 0


_MARK = {RuleStatus.PASS: "PASS", RuleStatus.FAIL: "FAIL", RuleStatus.WARN: "WARN", RuleStatus.UNKNOWN: "????"}


def _print_report(report: PreflightReport, outcome: FixOutcome | None, *, fix_requested: bool) -> None:
    print(f"Pre-flight for meeting {spaced_meeting_id(report.meeting_id)}: {report.topic}")
    print(f"Held to the protocol for {PROFILE_WORDS[report.profile]}.")
    if outcome is not None:
        changed = [w for w, done in (("the meeting", outcome.meeting_updated), ("the host's settings", outcome.settings_updated)) if done]
        print(f"Changed {' and '.join(changed)} in Zoom." if changed else "Nothing could be changed in Zoom.")
        if outcome.receipt is not None and outcome.receipt.is_low:
            print(f"Only {outcome.receipt.remaining_today} meeting updates are left for this host today.")
        for problem in outcome.problems:
            print(f"Not done: {problem}")
    elif fix_requested:
        print("Nothing to fix through Zoom's API.")
    print()
    for result in checklist_order(report.results):  # failures first, as the checklist page shows them
        _print_rule(result)
    for note in report.unreadable:
        print(f"Note: zoomhost could not read {note}")
    failed, warned = len(report.failed), sum(r.status is RuleStatus.WARN for r in report.results)
    print()
    print(f"{len(report.results)} checks: {failed} failed, {warned} to consider.")
    print(count_checklist(report.results).as_sentence().capitalize())
    if failed and not fix_requested:
        print("Run again with --fix to make the changes Zoom allows.")
    if outcome is not None and outcome.manual_steps:
        print("Still to do by hand:")
        for step in outcome.manual_steps:
            print(f"  - {step}")


def _print_rule(result: RuleResult) -> None:
    print(f"{_MARK[result.status]}  {result.title or result.rule_id}: {result.observed}")
    if result.status in (RuleStatus.FAIL, RuleStatus.WARN, RuleStatus.UNKNOWN) and result.fix is not None:
        fix = result.fix
        print(f"      fix: {fix.description}" + (f" ({fix.manual_step})" if fix.manual_step else ""))


# -- end -----------------------------------------------------------------------------------------
def run_end(args: argparse.Namespace) -> int:
    with command_services() as services:
        number, ended_now = services.runner.run(end_meeting(services, args.meeting_id))
    if not ended_now:
        print(f"Meeting {spaced_meeting_id(number)} was not running: Zoom says nobody is in it.")
        return 0
    print(f"Meeting {spaced_meeting_id(number)} has been ended for everyone.")
    return 0


# -- sign-in -------------------------------------------------------------------------------------
def run_sign_in(args: argparse.Namespace) -> int:
    def show(url: str) -> None:
        print(f"Sign in to Zoom at this address:\n  {url}", flush=True)

    def open_browser(url: str) -> None:
        import webbrowser

        if not webbrowser.open(url):
            show(url)

    with command_services() as services:
        signed_in = services.runner.run(
            sign_in(services, open_browser=show if args.no_browser else open_browser, use_own_sign_in=True)
        )
    print("Signed in to Zoom." + ("" if signed_in.persistent else f" ({signed_in.backend})"))
    return 0


# -- credentials ---------------------------------------------------------------------------------
def _read_value(prompt: str, *, secret: bool) -> str:
    """From the keyboard (hidden for secrets), or one line of stdin for scripts; never from argv."""
    if sys.stdin.isatty():
        return getpass.getpass(f"{prompt}: ") if secret else input(f"{prompt}: ")
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def run_credentials_set(args: argparse.Namespace) -> int:
    fields = credential_fields(args.fields)
    values = {
        name: _read_value(f"{LABELS[name]} (Enter keeps the current one)", secret=name in SECRET_FIELDS).strip()
        for name in fields
    }
    with command_services() as services:
        saved = keep_credentials(services, values)
    print(f"Saved: {', '.join(saved.labels) if saved.labels else 'nothing'} ({saved.backend}).")
    if not saved.persistent:
        print("These will be forgotten when this command ends; install or unlock a system keyring to keep them.")
    return 0


def run_credentials_show(args: argparse.Namespace) -> int:
    with command_services() as services:
        kept = credentials_kept(services)
    print(f"Kept in: {kept.backend}")
    print(f"Sign-in: {'your own Zoom account' if kept.own_sign_in else 'the school-owned app (Server-to-Server)'}")
    for row in kept.rows:
        where = f"  from {row.source}" if row.source else ""
        print(f"  {row.label:30} {'set ' + (row.masked or '') if row.is_set else 'not set'}{where}")
    if kept.overridden:
        print(f"Environment overrides in use: {', '.join(kept.overridden)}")
    return 0


def run_credentials_clear(args: argparse.Namespace) -> int:
    if not args.yes:
        if not sys.stdin.isatty():
            raise ZoomhostError("Nothing removed: say --yes to remove every zoomhost credential without a prompt.")
        answer = input("Remove every zoomhost credential from this computer? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing removed.")
            return 0
    with command_services() as services:
        backend = forget_credentials(services)
    print(f"Removed every zoomhost credential ({backend}).")
    return 0
