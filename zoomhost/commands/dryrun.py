"""`zoomhost dry-run`: see how the waiting room would treat a list of display names, before a real meeting.

The register and staff list are read exactly as `register import` reads them, and nothing is
stored. Names arrive in file order; each consented pupil and each staff member is taken as let
in, so the same pupil or staff member arriving again shows as a duplicate, as it would live.

Beside a name, after a tab, the evidence Zoom would give: ``link:ID`` (a registration id: the
family links kept with the stored register are looked up, for the same pupil in the register
file) or ``email:ADDRESS`` (signed in to Zoom as that address). A list with a link, or
``--registration``, is tried as a meeting that requires registration: pupils are admitted by
their own link only. Every line says what its verdict rests on and whether Admit all and the
autopilot would admit it.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import sys
from datetime import date
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from zoomhost.app.register import family_links_for
from zoomhost.app.services import command_services
from zoomhost.core.addresses import is_email_address
from zoomhost.core.classifier import AdmissionClassifier, Here
from zoomhost.core.errors import ZoomhostError
from zoomhost.core.events import NO_IDENTITY, ZoomIdentity
from zoomhost.core.models import Classification, StaffMember, Verdict
from zoomhost.core.names import visible_name
from zoomhost.core.register import read_register_file, read_staff_file
from zoomhost.core.register_text import MAX_BYTES, RegisterUnusable, read_regular_file

NAME_WIDTH = 28


class NamesFileError(ZoomhostError):
    """The list of display names cannot be read."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "dry-run",
        help="classify a list of waiting-room names against a register file, storing nothing",
        description="Classify display names (one per line, in arrival order) as the waiting room would.",
    )
    p.add_argument("--register", type=Path, required=True, metavar="REGISTER.csv", help="the consent register export")
    p.add_argument("--staff", type=Path, metavar="STAFF.csv", help="the staff list export")
    p.add_argument(
        "names",
        type=Path,
        metavar="NAMES.txt",
        help="display names, one per line, UTF-8; after a tab, optionally link:ID or email:ADDRESS",
    )
    p.add_argument(
        "--registration",
        action="store_true",
        help="try it as a meeting that requires registration (pupils admitted by their own link only); "
        "the default when a line gives a link",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per line instead of a table")
    p.set_defaults(func=run_dry_run)


def run_dry_run(args: argparse.Namespace) -> int:
    names = list(read_names(args.names))
    if not names:
        raise NamesFileError(f"{args.names.name} has no names in it.", hint="Put one display name on each line.")
    surname_key = secrets.token_bytes(32)  # this run's own: the file's surnames tell pupils apart, nothing is kept
    register = read_register_file(args.register, surname_key=surname_key)
    staff_list = read_staff_file(args.staff) if args.staff is not None else None
    _report_skipped(args.register, register.skipped)
    if register.unclear_consent:
        print(f"{args.register.name}: consent unclear (kept without consent, so held):", file=sys.stderr)
        for row in register.unclear_consent:
            print(visible_name(f"  line {row.line}: {row.reason}"), file=sys.stderr)  # a reason may quote a cell
    staff: tuple[StaffMember, ...] = ()
    if staff_list is not None:
        _report_skipped(args.staff, staff_list.skipped)
        staff = staff_list.staff
    linked = any(identity.registrant_id for _, _, identity in names)
    links: dict[str, int] = {}
    if linked:
        with command_services() as services:
            links = family_links_for(services.register, register.pupils)
    classifier = AdmissionClassifier(
        pupils=register.pupils,
        staff=staff,
        today=date.today(),
        links=links,
        links_in_use=args.registration or linked,
        surname_key=surname_key,
    )
    here = Here()
    results: list[tuple[int, str, Classification]] = []
    for line, name, identity in names:
        result = classifier.classify(name, present=here, identity=identity)
        if result.verdict in (Verdict.CONSENTED, Verdict.STAFF) or identity.registrant_id:
            here.add(result, identity)  # let in (or waiting for the teacher): a second copy is a duplicate
        results.append((line, name, result))
    if args.json:
        for line, name, result in results:
            # the name exactly as typed (JSON escapes it); the reasons as the table shows them
            reasons = [visible_name(reason) for reason in result.reasons]
            print(json.dumps({"line": line, "name": name, **result.as_dict(), "reasons": reasons}, ensure_ascii=True))
    else:
        print(_table(results))
        print()
        print(_summary(results, pupils=len(register.pupils), staff=len(staff), links=classifier.links_in_use))
    return 0


_EVIDENCE = re.compile(r"\t(link|email):([^\t]*)$")


def read_names(path: Path) -> Iterator[tuple[int, str, ZoomIdentity]]:
    """(line number, display name, what Zoom would say of them) for each non-blank line.

    Only line feeds end a line: other breaks stay in the name. A last column after a tab that
    reads ``link:ID`` or ``email:ADDRESS`` is the evidence; a tab anywhere else is part of the name.
    """
    for number, line in _lines(path):
        found = _EVIDENCE.search(line)
        if found is None:
            yield number, line, NO_IDENTITY
            continue
        kind, value = found.group(1), found.group(2).strip()
        if kind == "link" and not value:
            raise NamesFileError(f"{path.name} line {number}: link: has no registration id after it.", hint="Write link:ID.")
        if kind == "email" and not is_email_address(value):
            raise NamesFileError(
                f"{path.name} line {number}: email:{value} is not an email address.", hint="Write email:ADDRESS."
            )
        identity = ZoomIdentity(registrant_id=value) if kind == "link" else ZoomIdentity(email=value)
        yield number, line[: found.start()], identity




def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) for each non-blank line of the names file."""
    try:
        data = read_regular_file(path, limit=MAX_BYTES)  # never a device or a pipe, never without end
    except RegisterUnusable as err:
        raise NamesFileError(str(err).replace("register", "list of names")) from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise NamesFileError(
                f"{path.name} line {number} is not UTF-8 text.", hint="Save the list as UTF-8 and try again."
            ) from None
        if line.endswith("\r"):
            line = line[:-1]
        if line.strip(" \t"):
            yield number, line


def _report_skipped(path: Path, skipped: tuple) -> None:
    if not skipped:
        return
    rows = "row was" if len(skipped) == 1 else "rows were"
    print(f"{path.name}: {len(skipped)} {rows} skipped (the other rows are used):", file=sys.stderr)
    for row in skipped:
        print(visible_name(f"  line {row.line}: {row.reason}"), file=sys.stderr)  # a reason may quote a cell


def _table(results: list[tuple[int, str, Classification]]) -> str:
    rows = [("line", "display name", "verdict", "evidence", "admit", "who", "why")]
    for line, name, result in results:
        shown = visible_name(name)
        if len(shown) > NAME_WIDTH:
            shown = shown[: NAME_WIDTH - 1] + "…"
        who = result.pupil.label() if result.pupil else (result.staff.name if result.staff else "")
        why = "; ".join(result.reasons)
        admit = "yes" if result.admit else "no"
        rows.append((str(line), shown, result.verdict.value, result.evidence.words, admit, visible_name(who), visible_name(why)))
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:6], widths, strict=True)) + "  " + row[6]
        for row in rows
    ).rstrip()


def _summary(results: list[tuple[int, str, Classification]], *, pupils: int, staff: int, links: bool) -> str:
    counts = Counter(result.verdict for _, _, result in results)
    parts = [f"{counts[v]} {v.value.replace('_', ' ')}" for v in Verdict if counts[v]]
    admitted = sum(1 for _, _, result in results if result.admit)
    how = (
        "pupils by their own link, staff signed in"
        if links
        else "pupils by name (no per-family links: the weaker way), staff signed in"
    )
    return (
        f"{len(results)} names against {pupils} pupils and {staff} staff: " + ", ".join(parts) + ".\n"
        f"{admitted} would be admitted by Admit all and the autopilot ({how}); "
        f"{len(results) - admitted} held for the teacher. Nothing was stored."
    )
