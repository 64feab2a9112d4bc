"""Preparing the invitations against Zoom: the meeting's link and passcode, and a link per family where possible.

Per-family links come from Zoom's registration (``POST /meetings/{id}/batch_registrants``):
a forwarded personal link is traced to one family and cannot quietly admit a stranger.
Zoom needs an email address and a first name for each registrant, and the register keeps
no addresses, so this path runs only when the teacher gives a parents' address file; the
registrant is named as the pupil (first name, surname initial), which is how the waiting
room will then see them. Without registration (or the address file), every consented
family gets the meeting's own link and passcode.

Each registration's id (Zoom's registrant id) comes back with the pupil it was made for: the
waiting room knows a family's own link by it (the caller keeps it with the register).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from zoomhost.system import redact
from zoomhost.core.invitations import (
    InvitationError,
    InvitationRow,
    ParentAddresses,
    invitation_rows,
    registrants_for,
)
from zoomhost.core.models import Pupil
from zoomhost.core.preflight import registration_required
from zoomhost.zoom.client import Registrant, ZoomClient, meeting_number
from zoomhost.zoom.errors import ZoomError
from zoomhost.zoom.passcode import RotatedPasscode, rotate_passcode

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class PreparedInvitations:
    """The mail-merge rows (secrets inside: not in repr) and what the teacher should know about them."""

    meeting_id: str
    topic: str
    rows: tuple[InvitationRow, ...] = field(repr=False)
    families: int  # consented pupils invited
    personal_links: int  # rows with a family's own registration link
    notes: tuple[str, ...] = ()
    rotated: RotatedPasscode | None = None
    registrants: tuple[tuple[str, int], ...] = ()  # (registrant id, pupil id) of each family's own link


@dataclass(frozen=True)
class FamilyLinks:
    """What registering the families gave: each row's own link, each registration's pupil, and notes."""

    links: dict[tuple[int, str], str] = field(repr=False)  # (pupil id, parent address) -> join link
    registrants: tuple[tuple[str, int], ...]  # (registrant id, pupil id)
    notes: tuple[str, ...] = ()


async def prepare_invitations(
    client: ZoomClient,
    meeting_id: str | int,
    *,
    pupils: Sequence[Pupil],
    addresses: ParentAddresses | None = None,
    rotate: bool = False,
) -> PreparedInvitations:
    """Rotate the passcode if asked (one update), read the link and passcode, register families if
    the address file was given and the meeting takes registrations, and build the rows.

    ``pupils`` are the invited pupils (``core.invitations.invited_pupils``); anyone without consent
    is left out again here, whatever the caller passed.
    """
    number = meeting_number(meeting_id)
    invited = [p for p in pupils if p.consent]
    if not invited:
        raise InvitationError(
            "No pupil on the register has consent, so there is nobody to invite.",
            hint="Import the latest consent register with `zoomhost register import FILE`.",
        )
    rotated = await rotate_passcode(client, number) if rotate else None
    meeting = await client.get_meeting(number)
    passcode = meeting.get("password") if isinstance(meeting.get("password"), str) else ""
    join_url = meeting.get("join_url") if isinstance(meeting.get("join_url"), str) else ""
    redact.register_secret(passcode)
    redact.register_secret(join_url)
    if not passcode:
        raise InvitationError(
            "The meeting has no passcode, and the protocol says every invitation carries one.",
            hint="Run again with --rotate-passcode to give it a new strong one.",
        )
    if not join_url:
        raise InvitationError("Zoom did not give the meeting's join link, so no invitations were prepared.")
    notes: list[str] = []
    family = FamilyLinks(links={}, registrants=())
    if addresses is not None:
        family = await register_families(client, number, meeting, addresses, invited={p.id for p in invited})
        notes.extend(family.notes)
    links = family.links
    rows = invitation_rows(invited, join_link=join_url, passcode=passcode, addresses=addresses, personal_links=links)
    if addresses is not None:
        missing = sum(1 for p in invited if not addresses.for_pupil(p))
        if missing:
            notes.append(f"{missing} consented pupil(s) have no address in {addresses.source}: their rows have no email.")
        if addresses.not_invited:
            notes.append(
                f"{addresses.not_invited} row(s) of {addresses.source} are for pupils without consent "
                "(or who have left): left out."
            )
        for line, reason in addresses.skipped:
            notes.append(f"{addresses.source} line {line}: {reason}; left out.")
    return PreparedInvitations(
        meeting_id=number,
        topic=str(meeting.get("topic") or ""),
        rows=tuple(rows),
        families=len(invited),
        personal_links=sum(1 for r in rows if r.personal_link),
        notes=tuple(notes),
        rotated=rotated,
        registrants=family.registrants,
    )


async def register_families(
    client: ZoomClient, number: str, meeting: dict, addresses: ParentAddresses, *, invited: set[int]
) -> FamilyLinks:
    """Register one person per parent address of an invited pupil: the links by (pupil id, address),
    which pupil each registration is for, and notes. ``meeting`` is the meeting as Zoom gave it."""
    if not registration_required(meeting):
        return FamilyLinks(
            links={},
            registrants=(),
            notes=(
                "Registration is off for this meeting, so every family gets the meeting's own link and pupils are "
                "admitted by the name they type (the weaker way). For a link per family, turn registration on "
                "(pre-flight check “Each family has its own link”).",
            ),
        )
    chosen, sharing = registrants_for(addresses)
    chosen = [a for a in chosen if a.pupil.id in invited]
    notes = [
        f"{pupil.label()} shares a parent address with a brother or sister: Zoom gives one link per address, "
        "so this row has the meeting's own link."
        for pupil in sharing
    ]
    if not chosen:
        return FamilyLinks(links={}, registrants=(), notes=tuple(notes))
    people = [
        Registrant(email=a.email, first_name=a.pupil.known_as, last_name=a.pupil.surname_initial or None)
        for a in chosen
    ]
    try:
        registered = await client.batch_register(number, people)
    except ZoomError as err:
        log.info("registering families for meeting %s failed: %s", number, err)
        notes.append(f"Zoom would not register the families ({err}), so every family gets the meeting's own link.")
        return FamilyLinks(links={}, registrants=(), notes=tuple(notes))
    by_email = {r.email.casefold(): r for r in registered if r.join_url}
    for registration in by_email.values():
        redact.register_secret(registration.join_url or "")
    links = {(a.pupil.id, a.email): by_email[a.email.casefold()].join_url or "" for a in chosen if a.email.casefold() in by_email}
    registrants = tuple(
        (str(by_email[a.email.casefold()].registrant_id), a.pupil.id)
        for a in chosen
        if a.email.casefold() in by_email and by_email[a.email.casefold()].registrant_id
    )
    if len(links) < len(chosen):
        notes.append(f"Zoom gave no link for {len(chosen) - len(links)} address(es): those rows have the meeting's own link.")
    return FamilyLinks(links=links, registrants=registrants, notes=tuple(notes))
