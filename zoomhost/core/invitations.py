"""Invitations for consented families only: who is invited, and the mail-merge file the school sends.

The protocol: "you will only receive an invite if we have your express consent", and "Link
to chat only shared in secure email to parents who have given permission". So only pupils
with consent on the register (and not yet left) are invited. The register keeps no email
addresses, by design; when the teacher supplies a parents' address file at the moment of
inviting, it is read here, matched to the register by first name, surname initial and class,
and never stored. Only the file the teacher names is written, and it holds the join link and
passcode because an invitation must (nothing else zoomhost writes ever does).

From outside: the register's pupils, the join link and passcode, the parents' address file the
teacher names, where to write, and zoomhost's own folders that the file may not land in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from zoomhost.core import export
from zoomhost.core.addresses import is_email_address
from zoomhost.core.errors import ZoomhostError
from zoomhost.core.export import ExportError, neutralise, write_private_csv
from zoomhost.core.models import Pupil, expected_pupils
from zoomhost.core.register import clean_name, surname_initial
from zoomhost.core.register_text import Field, Table, read_table

COLUMNS = ("first_name", "surname_initial", "class", "join_link", "passcode")
EMAIL_COLUMN = "parent_email"

#: Shown wherever the file is written: it opens the meeting.
WARNING = (
    "This file holds the meeting's join link and passcode. Send it only to the families listed, "
    "keep it out of shared folders, and delete it once the invitations have gone."
)

PARENT_FIELDS = (
    Field("first_name", "first names", ("first name", "forename", "legal forename", "given name", "pupil first name")),
    Field("preferred_name", "preferred names", ("preferred name", "preferred forename", "known as")),
    Field("surname", "surnames", ("surname", "last name", "family name", "legal surname", "pupil surname")),
    Field(
        "class_name",
        "classes",
        ("class", "form", "reg group", "registration group", "registration form", "tutor group", "year group"),
    ),
    Field(
        "email",
        "email addresses",
        (
            "parent email",
            "parental email",
            "parent email address",
            "parent/carer email",
            "carer email",
            "contact email",
            "primary contact email",
            "email",
            "email address",
            "e-mail",
        ),
    ),
)
PARENT_REQUIRED = (("first_name", "preferred_name"), ("email",))


class InvitationError(ZoomhostError):
    """The invitations could not be prepared or written; nothing was sent and no file was left half-written."""


def invited_pupils(pupils: Iterable[Pupil], *, today: date) -> list[Pupil]:
    """The pupils whose families are invited: consent on the register, and not yet left."""
    return expected_pupils(pupils, today=today)


@dataclass(frozen=True, slots=True)
class ParentAddress:
    """One consented pupil's parent address, from the teacher's file (held in memory only)."""

    pupil: Pupil
    email: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class ParentAddresses:
    """What the address file gave: addresses for consented pupils, and the rows that were left out, and why."""

    source: str
    addresses: tuple[ParentAddress, ...]
    skipped: tuple[tuple[int, str], ...]  # (line, reason): no match, ambiguous, bad address …
    not_invited: int  # rows for pupils without consent, or who have left: never invited

    def for_pupil(self, pupil: Pupil) -> list[str]:
        return [a.email for a in self.addresses if a.pupil.id == pupil.id]


def _key(first: str, initial: str | None, class_name: str | None) -> tuple[str, str, str]:
    return (clean_name(first).casefold(), (initial or "").casefold(), clean_name(class_name or "").casefold())


def read_parent_addresses(path: Path, *, register: Sequence[Pupil], today: date) -> ParentAddresses:
    """Read the teacher's address file and match each row to one pupil on the register.

    A row matches a pupil by first (or preferred) name, surname initial and class, as far as
    the file gives them; a row that matches no pupil, or more than one, is left out with the
    reason. Rows for pupils who are not invited (no consent, or left) are counted and dropped.
    """
    table = read_table(Path(path), fields=PARENT_FIELDS, required=PARENT_REQUIRED)
    invited = {p.id for p in invited_pupils(register, today=today)}
    addresses: list[ParentAddress] = []
    skipped: list[tuple[int, str]] = []
    not_invited = 0
    seen: set[tuple[int, str]] = set()
    for row in table.rows:
        if not any(cell.strip() for cell in row.cells):
            continue
        found = _match(table, row.cells, register)
        email = row.cell(table.columns["email"]).strip()
        if isinstance(found, str):
            skipped.append((row.line, found))
            continue
        if found.id not in invited:
            not_invited += 1
            continue
        if not is_email_address(email):
            skipped.append((row.line, f"{table.where('email')} is not an email address"))
            continue
        if (found.id, email.casefold()) in seen:
            continue
        seen.add((found.id, email.casefold()))
        addresses.append(ParentAddress(pupil=found, email=email))
    return ParentAddresses(
        source=table.source, addresses=tuple(addresses), skipped=tuple(skipped), not_invited=not_invited
    )


def _match(table: Table, cells: Sequence[str], pupils: Sequence[Pupil]) -> Pupil | str:
    def cell(name: str) -> str:
        index = table.columns.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    names = {clean_name(cell("first_name")).casefold(), clean_name(cell("preferred_name")).casefold()} - {""}
    if not names:
        return "no first name"
    initial = surname_initial(cell("surname")) if "surname" in table.columns else None
    class_name = clean_name(cell("class_name")) if "class_name" in table.columns else ""
    candidates = [
        p
        for p in pupils
        if {p.first_name.casefold(), p.known_as.casefold()} & names
        and (initial is None or (p.surname_initial or "").casefold() == initial.casefold())
        and (not class_name or class_name.casefold() in {clean_name(k or "").casefold() for k in (p.class_name, p.class_label)})
    ]
    if not candidates:
        return "matches no pupil on the register (first name, surname initial and class)"
    if len(candidates) > 1:
        return f"matches {len(candidates)} pupils on the register: add the surname and class to tell them apart"
    return candidates[0]


def registrants_for(addresses: ParentAddresses) -> tuple[list[ParentAddress], list[Pupil]]:
    """The addresses to register, one per address: Zoom gives one link per address, so a brother or
    sister at an address already used is returned second, to get the meeting's shared link instead."""
    used: set[str] = set()
    chosen: list[ParentAddress] = []
    sharing: list[Pupil] = []
    for address in addresses.addresses:
        key = address.email.casefold()
        if key in used:
            if address.pupil not in sharing and all(a.pupil.id != address.pupil.id for a in chosen):
                sharing.append(address.pupil)
            continue
        used.add(key)
        chosen.append(address)
    return chosen, sharing


def approved_registrations(
    registrations: Iterable[tuple[str, str, str]], pupils: Sequence[Pupil], *, today: date
) -> dict[str, int]:
    """Registrations the school approved one by one, matched to the pupil they name: registrant id -> pupil id.

    ``registrations``: (registrant id, first name, last name) as Zoom lists them. zoomhost registers a
    family as the pupil (first or preferred name, surname initial), so a registration made elsewhere
    names its pupil the same way; it counts only when its first name and the initial of its last name
    fit exactly one invited pupil. Only for a meeting whose registrations the school approves by hand:
    where Zoom approves anyone who registers, a registration says nothing the typed name does not.
    """
    candidates = invited_pupils(pupils, today=today)
    found: dict[str, int] = {}
    for registrant_id, first, last in registrations:
        name = clean_name(first).casefold()
        initial = (surname_initial(last) or "").casefold()
        fits = [
            p
            for p in candidates
            if name in {p.first_name.casefold(), p.known_as.casefold()}
            and initial
            and (p.surname_initial or "").casefold() == initial
        ]
        if registrant_id and len(fits) == 1:
            found[registrant_id] = fits[0].id
    return found


@dataclass(frozen=True, slots=True)
class InvitationRow:
    """One line of the mail merge: which pupil, the link to send, the passcode (secrets: not in repr)."""

    first_name: str
    surname_initial: str
    class_name: str
    join_link: str = field(repr=False)
    passcode: str = field(repr=False)
    parent_email: str | None = field(repr=False, default=None)
    personal_link: bool = False

    def cells(self, *, with_email: bool) -> dict[str, str]:
        row = {
            "first_name": self.first_name,
            "surname_initial": self.surname_initial,
            "class": self.class_name,
            "join_link": self.join_link,
            "passcode": self.passcode,
        }
        if with_email:
            row[EMAIL_COLUMN] = self.parent_email or ""
        return {key: neutralise(value) for key, value in row.items()}


def invitation_rows(
    pupils: Sequence[Pupil],
    *,
    join_link: str,
    passcode: str,
    addresses: ParentAddresses | None = None,
    personal_links: Mapping[tuple[int, str], str] | None = None,
) -> list[InvitationRow]:
    """A row per invited pupil, or per pupil and parent address when the address file was given.

    ``personal_links`` maps (pupil id, parent address) to that registration's join link; other
    rows carry the meeting's shared link. A consented pupil without an address still has a
    row (with no address), so the gap is seen, not lost.
    """
    links = {(pupil_id, email.casefold()): link for (pupil_id, email), link in (personal_links or {}).items()}
    rows: list[InvitationRow] = []
    for pupil in pupils:
        if not pupil.consent:
            continue  # never: the protocol invites only families who consented
        emails = addresses.for_pupil(pupil) if addresses is not None else []
        for email in emails or [None]:
            personal = links.get((pupil.id, email.casefold())) if email else None
            rows.append(
                InvitationRow(
                    first_name=pupil.known_as,
                    surname_initial=pupil.surname_initial or "",
                    class_name=pupil.class_label or "",
                    join_link=personal or join_link,
                    passcode=passcode,
                    parent_email=email,
                    personal_link=personal is not None,
                )
            )
    return rows


def check_destination(path: Path, *, own_folders: Mapping[str, Path]) -> Path:
    """Where the invitations may go: not in zoomhost's ``own_folders`` (a file holding the passcode must
    not sit among its settings, logs or journals), not a folder, in a folder that exists."""
    try:
        return export.check_destination(path, own_folders=own_folders, what="The invitations", example="invitations.csv")
    except ExportError as err:
        raise InvitationError(str(err), hint=err.hint) from err


def write_invitations(
    rows: Sequence[InvitationRow], path: Path, *, with_email: bool, own_folders: Mapping[str, Path]
) -> Path:
    """Write the mail-merge CSV where the teacher asked (readable by this user only), whole or not at all."""
    path = check_destination(path, own_folders=own_folders)
    columns = COLUMNS + ((EMAIL_COLUMN,) if with_email else ())
    cells = (row.cells(with_email=with_email) for row in rows)
    try:
        return write_private_csv(path, columns, cells, what="The invitations")
    except ExportError as err:
        raise InvitationError(str(err), hint=err.hint) from err
