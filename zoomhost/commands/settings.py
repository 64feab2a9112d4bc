"""`zoomhost settings import FILE | show`: the school's settings (school.json) on this computer."""

from __future__ import annotations

import argparse
from pathlib import Path

from zoomhost.app.school import import_school_settings, school_policy
from zoomhost.app.services import command_services


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("settings", help="import the school's settings (school.json), or show where they come from")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    imp = actions.add_parser("import", help="copy a school.json's values into this teacher's settings (it holds no secrets)")
    imp.add_argument("file", type=Path)
    imp.set_defaults(func=run_import)
    show = actions.add_parser("show", help="where the school's settings are read from, and what they lock")
    show.set_defaults(func=run_show)


def run_import(args: argparse.Namespace) -> int:
    with command_services() as services:
        result = import_school_settings(services, args.file)
    print(f"Imported the school's settings from {result.source}.")
    for what, before, after in result.changed:
        print(f"  {what}: {before or '(empty)'} → {after or '(empty)'}")
    if not result.changed:
        print("  Nothing changed: this computer already had these values.")
    if result.account_id_kept:
        print(f"  Account ID kept in {result.account_id_kept}.")
    return 0


def run_show(args: argparse.Namespace) -> int:
    policy = school_policy()
    if not policy.deployed:
        print(f"No school settings are deployed on this computer ({policy.path} does not exist).")
        return 0
    if policy.problem:
        print(f"The school's settings at {policy.path} are not used: {policy.problem}")
        return 1
    print(f"The school's settings from {policy.path} apply.")
    if policy.locked:
        print(f"  Locked (only the IT lead can change them): {', '.join(sorted(policy.locked))}")
    if policy.longest_retention is not None:
        print(f"  Sessions are kept at most {policy.longest_retention} days.")
    return 0
