"""Invitations for consented families: the mail-merge file with the join link and passcode, where the teacher chooses.

The Checklist page's **Prepare invitations…** and ``zoomhost invitations`` call
:func:`prepare_invitations`. Only pupils expected at the meeting are invited (consented, not
past their leaving date: ``core.invitations.invited_pupils``). A file that could not be
written where asked is refused before Zoom is touched, so no meeting update is spent on it.
What comes back is counts and notes: the link and passcode go only into the file. Which pupil
each family's own link was made for (Zoom's registrant id, never the link) is kept with the
register, so the waiting room knows the family when they come through it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from zoomhost.app.services import Services, own_folders
from zoomhost.core.invitations import (
    InvitationError,
    ParentAddresses,
    check_destination,
    invited_pupils,
    read_parent_addresses,
    write_invitations,
)
from zoomhost.core.models import Pupil
from zoomhost.zoom import invitations as zoom_invitations
from zoomhost.zoom.client import UpdateReceipt, meeting_number


@dataclass(frozen=True)
class InvitationsWritten:
    """What the teacher hears about the invitation file: counts and notes, never the link or passcode."""

    meeting_id: str
    topic: str
    path: Path
    rows: int
    families: int  # consented pupils invited
    personal_links: int  # rows with a family's own registration link
    notes: tuple[str, ...]
    rotation: UpdateReceipt | None  # the new passcode's meeting update, when one was asked for
    links_kept: int = 0  # family links the waiting room will know, kept with the register


def _who_is_invited(
    services: Services, *, out: Path, parents: Path | None, today: date
) -> tuple[list[Pupil], ParentAddresses | None]:
    check_destination(out, own_folders=own_folders())  # before Zoom is touched: no update spent on a file that cannot be written
    if parents is not None and out.resolve() == parents.resolve():
        raise InvitationError("The invitation file would overwrite the parents' address file.", hint="Choose another file name.")
    if not services.register.db_path.exists():
        raise InvitationError(
            "There is no consent register yet, so zoomhost cannot tell who may be invited.",
            hint="Import it first with `zoomhost register import FILE`.",
        )
    register = services.register.pupils()
    addresses = read_parent_addresses(parents, register=register, today=today) if parents is not None else None
    return invited_pupils(register, today=today), addresses


async def prepare_invitations(
    services: Services,
    meeting_id: str | int,
    *,
    out: Path,
    parents: Path | None = None,
    rotate: bool = False,
    today: date | None = None,
) -> InvitationsWritten:
    """Write the invitation file for ``meeting_id`` to ``out``.

    ``parents``: the school's parents' address file (read now, never kept): each row gets the
    parent's address and, where the meeting takes registrations, the family's own link.
    ``rotate``: give the meeting a new strong passcode first (one meeting update).
    """
    number = meeting_number(meeting_id)
    loop = asyncio.get_running_loop()
    day = today or date.today()
    pupils, addresses = await loop.run_in_executor(
        None, lambda: _who_is_invited(services, out=out, parents=parents, today=day)
    )
    connection = await services.connected()
    prepared = await zoom_invitations.prepare_invitations(
        connection.zoom, number, pupils=pupils, addresses=addresses, rotate=rotate
    )
    written = await loop.run_in_executor(
        None, lambda: write_invitations(prepared.rows, out, with_email=addresses is not None, own_folders=own_folders())
    )
    kept = await loop.run_in_executor(
        None, lambda: services.register.record_links(prepared.meeting_id, prepared.registrants, issued_on=day)
    )
    return InvitationsWritten(
        meeting_id=prepared.meeting_id,
        topic=prepared.topic,
        path=written,
        rows=len(prepared.rows),
        families=prepared.families,
        personal_links=prepared.personal_links,
        notes=prepared.notes,
        rotation=prepared.rotated.receipt if prepared.rotated is not None else None,
        links_kept=kept,
    )
