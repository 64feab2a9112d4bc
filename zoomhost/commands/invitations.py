"""`zoomhost invitations MEETING_ID --out FILE`: the mail-merge file for consented families only.

The file holds the join link and passcode (an invitation must); nothing printed here does.
With ``--parents FILE`` (an address file the school supplies now, read and never stored) the
file has each parent's address and, where the meeting takes registrations, each family's own
link. ``--rotate-passcode`` first gives the meeting a new strong passcode (one meeting update).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from zoomhost.app.invitations import InvitationsWritten, prepare_invitations
from zoomhost.app.meetings import spaced_meeting_id
from zoomhost.app.services import command_services
from zoomhost.core.invitations import WARNING


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


def run_invitations(args: argparse.Namespace) -> int:
    with command_services() as services:
        written = services.runner.run(
            prepare_invitations(
                services, args.meeting_id, out=args.out, parents=args.parents, rotate=args.rotate_passcode
            )
        )
    _report(written)
    return 0


def _report(prepared: InvitationsWritten) -> None:
    print(f"Invitations for meeting {spaced_meeting_id(prepared.meeting_id)}: {prepared.topic}")
    if prepared.rotation is not None:
        print("The meeting has a new passcode (it is in the file, not shown here): invitations sent before no longer work.")
        print(f"{prepared.rotation.remaining_today} meeting updates are left for this host today.")
    print(f"Wrote {prepared.rows} row(s) for {prepared.families} consented pupil(s) to {prepared.path}.")
    if prepared.personal_links:
        print(f"{prepared.personal_links} row(s) have the family's own link; the others the meeting's own link.")
    if prepared.links_kept:
        print(
            f"The waiting room will know {prepared.links_kept} famil{'y' if prepared.links_kept == 1 else 'ies'} "
            "by their own link (kept with the register: which pupil, never the link)."
        )
    for note in prepared.notes:
        print(f"Note: {note}")
    print(f"Warning: {WARNING}")
