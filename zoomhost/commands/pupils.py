"""`zoomhost pupil show|forget|erasures`: one pupil's data, for a subject access or an erasure request.

NAME is how the school knows the pupil: first name (or preferred name), surname initial or
surname, and class in brackets or with --class ("Amy B. (Year 3)", "Amy Brown --class 'Year 3'").
When several pupils fit, nothing is shown or erased: the command lists them and says how to
choose. `forget` shows what it will erase and asks before erasing (or takes --yes).
"""

from __future__ import annotations

import argparse
import json
import sys

from zoomhost.app.pupils import erasures, find_pupil, forget_pupil, pupil_records
from zoomhost.app.services import command_services


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pupil", help="show or erase everything zoomhost holds about one pupil")
    actions = p.add_subparsers(dest="pupil_command", metavar="ACTION", required=True)

    show = actions.add_parser("show", help="list everything held about one pupil (a subject access request)")
    _name_arguments(show)
    show.add_argument("--json", action="store_true", help="the records as JSON")
    show.set_defaults(func=run_show)

    forget = actions.add_parser("forget", help="erase everything held about one pupil (an erasure request)")
    _name_arguments(forget)
    forget.add_argument("--yes", action="store_true", help="erase without asking")
    forget.add_argument(
        "--all-entries",
        action="store_true",
        help="when several register entries have exactly this name, initial and class, erase them all",
    )
    forget.set_defaults(func=run_forget)

    done = actions.add_parser("erasures", help="list the erasures made on request (references only, no names)")
    done.add_argument("--json", action="store_true", help="one JSON object per line")
    done.set_defaults(func=run_erasures)


def _name_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help='first name, surname initial and class, e.g. "Amy B. (Year 3)"')
    parser.add_argument("--class", dest="class_name", metavar="CLASS", help="the pupil's class, if NAME does not say it")


def run_show(args: argparse.Namespace) -> int:
    with command_services() as services:
        pupil = find_pupil(services.register, services.journals, args.name, class_name=args.class_name)
        records = pupil_records(services.register, services.journals, pupil)
    if args.json:
        print(json.dumps(records.as_dict(), ensure_ascii=False, indent=2, default=str))
        return 0
    for line in records.lines():
        print(line)
    return 0


def run_forget(args: argparse.Namespace) -> int:
    with command_services() as services:
        pupil = find_pupil(services.register, services.journals, args.name, class_name=args.class_name)
        records = pupil_records(services.register, services.journals, pupil)
        for line in records.lines():
            print(line)
        if not args.yes:
            if not sys.stdin.isatty():
                print("Nothing was erased: add --yes to erase without a question.", file=sys.stderr)
                return 1
            answer = input("Erase all of the above from this computer? This cannot be undone. [y/N] ")
            if answer.strip().casefold() not in ("y", "yes"):
                print("Nothing was erased.")
                return 1
        erasure = forget_pupil(services.register, services.journals, pupil, all_entries=args.all_entries)
    for line in erasure.lines():
        print(line)
    return 1 if erasure.problems else 0


def run_erasures(args: argparse.Namespace) -> int:
    with command_services() as services:
        done = erasures(services.register)
    if args.json:
        for record in done:
            print(json.dumps(record.as_dict()))
        return 0
    if not done:
        print("No erasures have been made on request on this computer.")
        return 0
    for record in done:
        when = record.erased_at.astimezone().strftime("%Y-%m-%d %H:%M")
        print(
            f"{record.reference}  {when}  {record.register_entries} register, {record.linked_rows} links,"
            f" {record.journal_rows} journal rows in {record.sessions} sessions"
        )
    return 0
