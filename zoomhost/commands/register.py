"""`zoomhost register import|show`: bring in the consent register or staff list, and see what is stored.

Import always shows the preview (what is kept, what was skipped and why, which columns were
dropped, and what changed since the last import, a withdrawal first) before it stores anything;
a file that cannot be used stops with one line saying why. `show` gives counts per class, not
names, unless asked, and says when the register is older than the school's refresh interval.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from zoomhost.app.register import (
    StoredLists,
    changes_on_import,
    import_register,
    import_staff_list,
    read_register,
    stored_lists,
    surname_key_note,
)
from zoomhost.app.services import command_services
from zoomhost.core.errors import ZoomhostError
from zoomhost.core.register import PUPIL_FIELDS, consent_counts, read_staff_file


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("register", help="import or show the consent register and the staff list")
    actions = p.add_subparsers(dest="register_command", metavar="ACTION", required=True)

    imp = actions.add_parser("import", help="import a CSV exported from the school MIS (shows a preview first)")
    imp.add_argument("file", type=Path, metavar="FILE", help="the exported CSV file")
    imp.add_argument("--staff", action="store_true", help="FILE is the staff list, not the pupil register")
    imp.add_argument("--dry-run", action="store_true", help="show the preview only; store nothing")
    imp.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="FIELD=HEADING",
        help=(
            "say which heading holds a field (repeat for each; an empty HEADING: the file has none); remembered for"
            f" the next file with the same headings. Fields: {', '.join(field.name for field in PUPIL_FIELDS)}"
        ),
    )
    imp.set_defaults(func=run_import)

    show = actions.add_parser("show", help="consent counts per class and when the register was imported")
    show.add_argument("--names", action="store_true", help="also list first name, surname initial and class")
    show.add_argument("--staff", action="store_true", help="show the staff list instead of the pupils")
    show.add_argument("--json", action="store_true", help="print the register's counts, age and whether it is out of date as JSON")
    show.set_defaults(func=run_show)


def run_import(args: argparse.Namespace) -> int:
    if args.staff and args.column:
        raise ZoomhostError("--column is for the pupil register; a staff list's columns are found by their headings.")
    if args.staff:
        staff_list = read_staff_file(args.file)
        print(staff_list.preview_text())
        if not args.dry_run:
            with command_services() as services:
                count = import_staff_list(services.register, staff_list)
            print(f"Stored: the staff list now holds {count} adults.")
    else:
        columns = _columns(args.column)
        with command_services() as services:
            register = read_register(services.register, args.file, columns=columns)
            changes = changes_on_import(services.register, register)
        print(register.preview_text())
        note = surname_key_note(register)
        if note:
            print(note)
        print(changes.text())
        if not args.dry_run:
            with command_services() as services:
                imported = import_register(services.register, register)
            print(f"Stored: the register now holds {imported.pupils} pupils.")
            if imported.leavers_removed:
                print(f"Removed {len(imported.leavers_removed)} leavers whose retention ended (the August after they left).")
            if imported.links_forgotten:
                print(
                    f"Forgot {imported.links_forgotten} family link(s) made for the old register: prepare the "
                    "invitations again, or those families are known by their typed name only."
                )
    if args.dry_run:
        what = "staff list" if args.staff else "register"
        print(f"Dry run: nothing was stored; the {what} already stored is unchanged.")
    return 0


def _columns(given: list[str]) -> dict[str, str | None] | None:
    """``--column first_name="Legal First Name"`` as field -> heading (None: no such column in the file)."""
    if not given:
        return None
    fields = {field.name for field in PUPIL_FIELDS}
    chosen: dict[str, str | None] = {}
    for item in given:
        name, sep, heading = item.partition("=")
        name = name.strip()
        if not sep or name not in fields:
            raise ZoomhostError(
                f"--column {item!r} is not FIELD=HEADING with a known field.",
                hint=f"The fields are: {', '.join(sorted(fields))}. For example: --column first_name=\"Legal First Name\"",
            )
        chosen[name] = heading.strip() or None
    return chosen


def run_show(args: argparse.Namespace) -> int:
    with command_services() as services:
        stored = stored_lists(services.register, refresh_days=services.settings.register_refresh_days)
    record = stored.staff_record if args.staff else stored.pupils_record
    if args.json:
        print(json.dumps(_show_json(stored, staff=args.staff, names=args.names), ensure_ascii=False, indent=2))
        return 0
    if record is None:
        flag = " --staff" if args.staff else ""
        print(f"No {'staff list' if args.staff else 'register'} imported yet. Import one with: zoomhost register import{flag} FILE")
        return 0
    when = record.imported_at.astimezone().strftime("%d %b %Y %H:%M")
    if args.staff:
        staff = stored.staff
        print(f"Staff list imported {when} from {record.source}: {len(staff)} adults")
        if args.names:
            for member in staff:
                print(f"  {member.name}" + (f" <{member.email}>" if member.email else ""))
        return 0
    pupils = stored.pupils
    consented = sum(pupil.consent for pupil in pupils)
    print(f"Register imported {when} from {record.source}: {len(pupils)} pupils, {consented} with consent")
    if stored.age is not None and stored.age.warning:
        print(f"WARNING: {stored.age.warning}")
    counts = consent_counts(pupils)
    width = max([len("class"), *(len(name) for name in counts)])
    print(f"  {'class':<{width}}  consented/total")
    for class_name, (yes, total) in counts.items():
        print(f"  {class_name:<{width}}  {yes}/{total}")
    if args.names:
        for pupil in pupils:
            initial = f" {pupil.surname_initial}." if pupil.surname_initial else ""
            consent = "consent" if pupil.consent else "NO consent"
            print(f"  {pupil.first_name}{initial}  {pupil.class_label or '(no class)'}  {consent}")
    return 0


def _show_json(stored: StoredLists, *, staff: bool, names: bool) -> dict[str, object]:
    """``register show --json``: what is stored, when and from which file, and (for the register) its age."""
    record = stored.staff_record if staff else stored.pupils_record
    shown: dict[str, object] = {
        "list": "staff" if staff else "pupils",
        "imported": record is not None,
        "source": record.source if record else None,
        "imported_at": record.imported_at.isoformat() if record else None,
    }
    if staff:
        shown["adults"] = len(stored.staff)
        if names:
            shown["staff"] = [{"name": m.name, "email": m.email} for m in stored.staff]
        return shown
    shown.update(
        pupils=len(stored.pupils),
        consented=sum(p.consent for p in stored.pupils),
        classes={name: {"consented": yes, "total": total} for name, (yes, total) in consent_counts(stored.pupils).items()},
    )
    shown.update(stored.age.as_dict() if stored.age else {"age_days": None, "refresh_days": None, "out_of_date": False, "warning": None})
    if names:
        shown["names"] = [{"pupil": p.label(), "consent": p.consent} for p in stored.pupils]
    return shown
