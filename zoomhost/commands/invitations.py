"""`zoomhost invitations MEETING_ID --out FILE`: the mail-merge file for consented families only.

The file holds the join link and passcode (an invitation must); nothing printed here does.
With ``--parents FILE`` (an address file the school supplies now, read and never stored) the
file has each parent's address and, where the meeting takes registrations, each family's own
link. ``--rotate-passcode`` first gives the meeting a new strong passcode (one meeting update).
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from zoomhost.system import paths
from zoomhost.app.services import own_folders
from zoomhost.commands.zoom import _spaced, _with_client
from zoomhost.system.config import Settings
from zoomhost.core.invitations import (
    WARNING,
    InvitationError,
    check_destination,
    ParentAddresses,
    invited_pupils,
    read_parent_addresses,
    write_invitations,
)
from zoomhost.core.models import Pupil
from zoomhost.core.register_store import RegisterStore
from zoomhost.zoom.client import ZoomClient, meeting_number
from zoomhost.zoom.invitations import PreparedInvitations, prepare_invitations


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("invitations", help="write the invitation mail-merge file for consented families")
    p.add_argument("meeting_id", metavar="MEETING_ID", help="the meeting ID, with or without spaces")
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="where to write the CSV (it holds the passcode)")
    p.add_argument(
        "--parents",
        type=Path,
        metavar="FILE",
        help="parents' email addresses (CSV: first name, surname, class, parent email); read now, never stored",
    )
    p.add_argument(
        "--rotate-passcode",
        action="store_true",
        help="give the meeting a new strong passcode first (invitations sent before stop working)",
    )
    p.set_defaults(func=run_invitations)


def _register() -> list[Pupil]:
    db = paths.register_db()
    if not db.exists():
        raise InvitationError(
            "There is no consent register yet, so zoomhost cannot tell who may be invited.",
            hint="Import it first with `zoomhost register import FILE`.",
        )
    return RegisterStore(db_path=db).pupils()


def _check_out(out: Path, parents: Path | None) -> None:
    """Refuse before Zoom is touched (no update spent) when the file could not be written there."""
    check_destination(out, own_folders=own_folders())
    if parents is not None and out.resolve() == parents.resolve():
        raise InvitationError("--out names the parents' address file: it would be overwritten.", hint="Choose another file name.")


def run_invitations(args: argparse.Namespace) -> int:
    meeting_id = meeting_number(args.meeting_id)
    out: Path = args.out
    _check_out(out, args.parents)
    register, today = _register(), date.today()
    pupils = invited_pupils(register, today=today)
    addresses: ParentAddresses | None = None
    if args.parents is not None:
        addresses = read_parent_addresses(args.parents, register=register, today=today)

    async def work(client: ZoomClient, settings: Settings) -> PreparedInvitations:
        return await prepare_invitations(
            client, meeting_id, pupils=pupils, addresses=addresses, rotate=args.rotate_passcode
        )

    prepared = _with_client(work)
    write_invitations(prepared.rows, out, with_email=addresses is not None, own_folders=own_folders())
    _report(prepared, out)
    return 0


def _report(prepared: PreparedInvitations, out: Path) -> None:
    print(f"Invitations for meeting {_spaced(prepared.meeting_id)}: {prepared.topic}")
    if prepared.rotated is not None:
        print("The meeting has a new passcode (it is in the file, not shown here): invitations sent before no longer work.")
        print(f"{prepared.rotated.receipt.remaining_today} meeting updates are left for this host today.")
    rows = len(prepared.rows)
    print(f"Wrote {rows} row(s) for {prepared.families} consented pupil(s) to {out}.")
    if prepared.personal_links:
        print(f"{prepared.personal_links} row(s) have the family's own link; the others the meeting's own link.")
    for note in prepared.notes:
        print(f"Note: {note}")
    print(f"Warning: {WARNING}")
