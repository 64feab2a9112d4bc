"""`zoomhost settings import FILE | show | set NAME VALUE`: the school's settings (school.json) on this computer, and the
settings the Settings page types, changed with the page's own checks."""

from __future__ import annotations

import argparse
from pathlib import Path

from zoomhost.app.school import import_school_settings, school_policy
from zoomhost.app.services import command_services
from zoomhost.app.signin import TYPED_SETTINGS, change_settings, settings_in_use


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("settings", help="import the school's settings (school.json), or show where they come from")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    imp = actions.add_parser("import", help="copy a school.json's values into this teacher's settings (it holds no secrets)")
    imp.add_argument("file", type=Path)
    imp.set_defaults(func=run_import)
    show = actions.add_parser("show", help="where the school's settings are read from, what they lock, and the settings in use")
    show.set_defaults(func=run_show)
    change = actions.add_parser(
        "set",
        help="change a setting the Settings page types, checked as the page checks it (e.g. staff_meeting_words)",
        description=f"Change one setting, checked as the Settings page checks it. NAME is one of: {', '.join(TYPED_SETTINGS)}.",
    )
    change.add_argument("name", metavar="NAME", help="the setting, e.g. staff_meeting_words")
    change.add_argument("value", metavar="VALUE", help="its new value (\"\" to empty it), e.g. \"staff meeting, INSET\"")
    change.set_defaults(func=run_set)


def run_set(args: argparse.Namespace) -> int:
    with command_services() as services:
        changed = change_settings(services, {args.name: args.value})
    for what, before, after in changed:
        print(f"{what}: {before or '(empty)'} → {after or '(empty)'}" if before != after else f"{what}: unchanged ({after or '(empty)'})")
    return 0


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
    code = 0
    if not policy.deployed:
        print(f"No school settings are deployed on this computer ({policy.path} does not exist).")
    elif policy.problem:
        print(f"The school's settings at {policy.path} are not used: {policy.problem}")
        code = 1
    else:
        print(f"The school's settings from {policy.path} apply.")
        if policy.locked:
            print(f"  Locked (only the IT lead can change them): {', '.join(sorted(policy.locked))}")
        if policy.longest_retention is not None:
            print(f"  Sessions are kept at most {policy.longest_retention} days.")
    with command_services() as services:
        print("Settings in use (change one with `zoomhost settings set NAME VALUE`):")
        for name, what, value in settings_in_use(services):
            print(f"  {name} ({what}): {value or '(empty)'}" + (" [locked]" if name in policy.locked else ""))
    return code
