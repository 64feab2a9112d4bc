"""The consent register and the staff list: reading a school's export, keeping only what admission needs.

``read_register_file`` and ``read_staff_file`` are pure: they read a file and say what would be
kept, what was skipped and why, and which columns were dropped; nothing is stored until the
teacher has seen that preview and ``RegisterStore`` replaces the stored list in one transaction.
Names and dates stay data: a cell such as ``=HYPERLINK(...)`` is kept as text, never evaluated.
A surname is never kept: only its initial, and (given the installation's key) keyed digests
that let a family's full surname tell two "Orla Q."s apart (``names.surname_digests``).

From outside: only the path of the file to read. This module never imports the store (the store
takes anything shaped like an import); ``RegisterStore`` is re-exported here for its callers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from zoomhost.core.addresses import is_email_address
from zoomhost.core.models import Pupil, StaffMember, august_after, consent_counts
from zoomhost.core.names import BIDI_CONTROLS, key_check, surname_digests
from zoomhost.core.register_store import RegisterStore, RegisterStoreError  # re-exported for the register's callers
from zoomhost.core.register_text import (
    Field,
    RegisterUnusable,
    Row,
    Table,
    column_letter,
    read_headings,
    read_table,
    unusable,
)

__all__ = [
    "RegisterImport",
    "RegisterStore",
    "RegisterStoreError",
    "RegisterUnusable",
    "PUPIL_FIELDS",
    "SkippedRow",
    "StaffImport",
    "august_after",
    "parse_consent",
    "parse_date",
    "read_headings",
    "read_register_file",
    "read_staff_file",
]

MAX_CELL_CHARS = 1_000  # no name, class or date is longer; a longer cell is one bad row, not a bad file

# Headings are compared by ``register_text.header_key``: any case, spacing or order of columns, and
# words such as "legal" or "pupil" that do not change what a column holds ("Legal First Name").
PUPIL_FIELDS = (
    Field("first_name", "first names", ("first name", "forename", "legal forename", "given name", "first names", "forenames", "christian name")),
    Field(
        "preferred_name",
        "preferred names",
        (
            "preferred name", "preferred first name", "preferred forename", "preferred given name", "known as",
            "known as first name", "known as name", "chosen name", "chosen first name", "nickname",
        ),
    ),  # fmt: skip
    Field("surname", "surnames", ("surname", "last name", "family name", "second name")),
    Field(
        "preferred_surname",
        "preferred surnames",
        ("preferred surname", "preferred last name", "preferred family name", "known as surname", "known as last name"),
    ),
    Field(
        "class_name",
        "classes",
        (
            "class", "form", "reg group", "registration group", "registration form", "reg form", "form group",
            "tutor group", "class name", "registration class", "tutor form",
        ),
    ),  # fmt: skip
    Field("year_group", "year groups", ("year group", "year", "nc year", "national curriculum year", "yr", "year level")),
    Field("school", "schools", ("school", "school name", "academy", "site", "campus", "establishment")),
    Field(
        "consent",
        "consent",
        (
            "consent", "zoom consent", "video consent", "video lesson consent", "online lesson consent",
            "online lessons consent", "remote learning consent", "live lesson consent", "zoom permission",
            "video permission", "online consent", "video call consent",
        ),
    ),  # fmt: skip
    Field(
        "consent_date",
        "consent dates",
        ("consent date", "date of consent", "zoom consent date", "video consent date", "consent given on", "date consent given"),
    ),
    Field("leaving_date", "leaving dates", ("leaving date", "date of leaving", "leave date", "leaver date", "date left")),
)
PUPIL_REQUIRED = (("first_name",), ("consent",))

STAFF_FIELDS = (
    Field("name", "names", ("name", "full name", "staff name")),
    Field("first_name", "first names", ("first name", "forename", "preferred name")),
    Field("surname", "surnames", ("surname", "last name", "family name")),
    Field("email", "email addresses", ("email", "e-mail", "work email", "email address", "school email")),
)
STAFF_REQUIRED = (("name", "first_name"),)

_YES = {"yes", "y", "true", "1", "✓", "✔", "☑", "✅", "given", "consented", "consent given", "agreed"}
# "x" counts as no: a cross, and when a school meant "ticked" the safe mistake is to hold the pupil.
_NO = {
    "", "no", "n", "false", "0", "✗", "✘", "x", "☒", "❌", "withdrawn", "refused", "declined",
    "not given", "no consent", "not returned", "pending",
}  # fmt: skip
_ANSWERS = sorted((word for word in _YES | _NO if word), key=len, reverse=True)
# A clear answer, then a separator (a dash, bracket, colon, comma or slash; a space only before a date), then
# anything: "Y - email 26/05", "Yes (by email)", "No: parent refused", "Yes 03/09/2024"; not "yes please".
_LEADING_ANSWER = re.compile(
    r"(?P<answer>" + "|".join(re.escape(word) for word in _ANSWERS) + r"|withdrawn)(?P<note>(?:\s*[\-–—(:,;/]|\s+(?=\d)|$).*)$", re.S
)
_SAYS_NO = re.compile(r"\b(no|not|withdrawn|withdrew|refused|declined|revoked|cancelled|canceled|removed|pending)\b")
_DATE_IN_NOTE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}|\d{1,2} [a-z]{3,9} \d{4}")
_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y", "%d-%b-%Y", "%d-%b-%y")
_TRAILING_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
# How the file was read, in the words of Excel's Save As list (what a teacher chose, or can choose).
_ENCODING_NAMES = {
    "utf-8": "plain CSV text",
    "utf-8-sig": "Excel's “CSV UTF-8”",
    "utf-16": "Excel's “Unicode Text”",
    "utf-16-le": "Excel's “Unicode Text”",
    "utf-16-be": "Excel's “Unicode Text”",
    "utf-32": "Unicode text",
    "cp1252": "an older Windows CSV",
}
_KEPT_AS = {
    "first_name": "first name",
    "preferred_name": "preferred name",
    "surname": "initial only",
    "preferred_surname": "initial only",
    "class_name": "class",
    "year_group": "class",
    "school": "school",
    "consent": "consent",
    "consent_date": "consent date",
    "leaving_date": "leaving date",
}
_STAFF_KEPT_AS = {"name": "name", "first_name": "first name", "surname": "surname", "email": "email"}
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_DELIMITERS_SPLIT = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "| marks"}


T = TypeVar("T")


class BadCell(ValueError):
    """One cell cannot be read; the row is skipped with this reason."""


@dataclass(frozen=True, slots=True)
class SkippedRow:
    line: int  # as a spreadsheet numbers its rows (the header is usually 1)
    reason: str
    pupil_id: int | None = None  # a row kept without consent (unclear): the pupil it became


@dataclass(frozen=True, kw_only=True)
class _Imported:
    skipped: tuple[SkippedRow, ...]
    dropped_columns: tuple[str, ...]
    kept_columns: dict[str, str]
    encoding: str
    delimiter: str
    source: str
    _kept_as: ClassVar[dict[str, str]] = _KEPT_AS

    def _kept_as_now(self) -> dict[str, str]:
        return self._kept_as

    def _describe_file(self) -> str:
        encoding = _ENCODING_NAMES.get(self.encoding, self.encoding)
        return f"{self.source} ({encoding}, columns split at {_DELIMITERS_SPLIT.get(self.delimiter, repr(self.delimiter))})"

    def _describe_rows_and_columns(self) -> list[str]:
        lines = []
        if self.skipped:
            lines.append(f"Rows skipped: {len(self.skipped)}")
            lines.extend(f"  line {row.line}: {row.reason}" for row in self.skipped)
        else:
            lines.append("Rows skipped: none")
        kept_as = self._kept_as_now()
        kept = ", ".join(f"{title} ({kept_as.get(name, name)})" for name, title in self.kept_columns.items())
        lines.append(f"Columns kept: {kept}")
        if self.dropped_columns:
            lines.append(f"Columns dropped (not needed for admission): {', '.join(self.dropped_columns)}")
        else:
            lines.append("Columns dropped: none")
        return lines


@dataclass(frozen=True, kw_only=True)
class RegisterImport(_Imported):
    pupils: tuple[Pupil, ...]
    unclear_consent: tuple[SkippedRow, ...] = ()  # kept, without consent: the cell said neither yes nor no
    headings: tuple[str, ...] = ()  # the file's header row, as it writes it (for choosing columns)
    chosen: Mapping[str, str | None] | None = None  # the columns the person importing chose, if any
    key_check: str | None = None  # which key made the surname digests (``names.key_check``); None: no digests

    def consent_counts_by_class(self) -> dict[str, tuple[int, int]]:
        return consent_counts(self.pupils)

    @property
    def unclear_ids(self) -> frozenset[int]:
        """The pupils kept without consent because their cell said neither yes nor no."""
        return frozenset(row.pupil_id for row in self.unclear_consent if row.pupil_id is not None)

    def _kept_as_now(self) -> dict[str, str]:
        if self.key_check is None:
            return self._kept_as
        digest = "initial, and a keyed digest that tells pupils apart"
        return {**self._kept_as, "surname": digest, "preferred_surname": digest}

    def preview_text(self) -> str:
        consented = sum(pupil.consent for pupil in self.pupils)
        lines = [
            f"Consent register {self._describe_file()}",
            f"Pupils kept: {len(self.pupils)} ({consented} with consent, {len(self.pupils) - consented} without)",
        ]
        for class_name, (yes, total) in self.consent_counts_by_class().items():
            lines.append(f"  {class_name}: {yes}/{total} consented")
        if self.chosen:
            by_name = {field.name: field.label for field in PUPIL_FIELDS}
            said = ", ".join(
                f'{by_name.get(name, name)} = "{heading}"' if heading else f"{by_name.get(name, name)} = none"
                for name, heading in self.chosen.items()
            )
            lines.append(f"Columns chosen by the person importing: {said}")
        if self.unclear_consent:
            lines.append(
                f"Consent unclear: {len(self.unclear_consent)} (kept without consent, so held at the door,"
                " until the register says yes or no)"
            )
            lines.extend(f"  line {row.line}: {row.reason}" for row in self.unclear_consent)
        return "\n".join(lines + self._describe_rows_and_columns())


@dataclass(frozen=True, kw_only=True)
class StaffImport(_Imported):
    staff: tuple[StaffMember, ...]
    _kept_as: ClassVar[dict[str, str]] = _STAFF_KEPT_AS

    def preview_text(self) -> str:
        with_email = sum(member.email is not None for member in self.staff)
        lines = [
            f"Staff list {self._describe_file()}",
            f"Staff kept: {len(self.staff)} ({with_email} with an email address)",
        ]
        return "\n".join(lines + self._describe_rows_and_columns())


def read_register_file(
    path: Path, *, columns: Mapping[str, str | None] | None = None, surname_key: bytes | None = None
) -> RegisterImport:
    """Read a consent register export; raises RegisterUnusable when the file as a whole cannot be used.

    ``columns``: field name -> the heading that holds it (or None: the file has none), as the person
    importing chose; other fields are found by what their headings mean. ``surname_key``: the
    installation's key for surname digests (without it, only initials tell pupils apart).
    """
    table = read_table(path, fields=PUPIL_FIELDS, required=PUPIL_REQUIRED, chosen=columns)
    if "year_group" in table.columns:
        # the form says the year too: a year group is the class only when a file has no class
        columns_now = {k: v for k, v in table.columns.items() if k != "year_group"}
        if "class_name" not in columns_now:
            columns_now["class_name"] = table.columns["year_group"]
        table = replace(table, columns=columns_now)
    unclear: list[SkippedRow] = []

    def build(table: Table, row: Row, pupil_id: int) -> Pupil:
        return _pupil(table, row, pupil_id, surname_key=surname_key, unclear=unclear)

    pupils, skipped = _collect(table, build, what="pupils")
    return RegisterImport(
        pupils=pupils,
        skipped=skipped,
        unclear_consent=tuple(unclear),
        headings=tuple(title.strip() for title in table.header),
        chosen=dict(columns) if columns is not None else None,
        key_check=key_check(surname_key) if surname_key is not None else None,
        **_about(table),
    )


def read_staff_file(path: Path) -> StaffImport:
    """Read a staff list export (names and email addresses of adults who may be admitted)."""
    table = read_table(path, fields=STAFF_FIELDS, required=STAFF_REQUIRED)
    staff, skipped = _collect(table, _staff_member, what="staff")
    return StaffImport(staff=staff, skipped=skipped, **_about(table))


def _collect(
    table: Table, build: Callable[[Table, Row, int], T], *, what: str
) -> tuple[tuple[T, ...], tuple[SkippedRow, ...]]:
    """Every row made into a pupil or staff member (ids 1..n in file order), or skipped with its reason."""
    kept: list[T] = []
    skipped: list[SkippedRow] = []
    for row, reason in _rows(table):
        try:
            if reason is not None:
                raise BadCell(reason)
            kept.append(build(table, row, len(kept) + 1))
        except BadCell as err:
            skipped.append(SkippedRow(line=row.line, reason=str(err)))
    if not kept:
        raise _nothing_usable(table, skipped, what)
    return tuple(kept), tuple(skipped)


def _about(table: Table) -> dict[str, Any]:
    return {
        "dropped_columns": table.dropped_columns(),
        "kept_columns": table.kept_columns(),
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "source": table.source,
    }


def _rows(table: Table) -> Iterator[tuple[Row, str | None]]:
    """Non-blank rows, each with a reason to skip it if it repeats an earlier row or overflows the header."""
    seen: dict[tuple[str, ...], int] = {}
    width = len(table.header)
    for row in table.rows:
        cells = tuple(cell.strip() for cell in row.cells)
        if not any(cells):
            continue  # exports often end with blank lines; they are not pupils
        while cells and not cells[-1]:
            cells = cells[:-1]
        long = next((index for index, cell in enumerate(cells) if len(cell) > MAX_CELL_CHARS), None)
        if long is not None:
            yield row, (
                f"column {column_letter(long)} holds {len(cells[long]):,} characters, more than any register cell"
                f" (at most {MAX_CELL_CHARS:,})"
            )
            continue
        if len(cells) > width:
            # Cells have shifted (an unquoted comma in a name?), so no column can be trusted, consent least of all.
            yield row, (
                f"has {len(cells)} cells but the header names {width} columns"
                f" (is there a {_DELIMITER_NAMES.get(table.delimiter, table.delimiter)} inside a cell?)"
            )
            continue
        if cells in seen:
            yield row, f"repeats line {seen[cells]} exactly"
            continue
        seen[cells] = row.line
        yield row, None


def _nothing_usable(table: Table, skipped: list[SkippedRow], what: str) -> RegisterUnusable:
    if not skipped:
        return unusable(table.source, table.header_line + 1, f"the header is there but no {what} follow it")
    first = skipped[0]
    return unusable(
        table.source, first.line, f"no usable rows: every row was skipped ({first.reason}, and {len(skipped) - 1} more)"
    )


def _pupil(table: Table, row: Row, pupil_id: int, *, surname_key: bytes | None, unclear: list[SkippedRow]) -> Pupil:
    def cell(name: str) -> str:
        return row.cell(table.columns.get(name))

    first_name = clean_name(cell("first_name"))
    if not first_name:
        raise BadCell(f"no first name in {table.where('first_name')}")
    preferred = clean_name(cell("preferred_name")) or None
    if preferred is not None and preferred.casefold() == first_name.casefold():
        preferred = None
    unclear_why = None
    try:
        consent, consent_on = _consent(table, cell("consent"))
    except BadCell as err:
        # an unclear cell keeps the pupil, without consent: held at the door, never silently dropped
        consent, consent_on, unclear_why = False, None, str(err)
    consent_date = _date_cell(table, "consent_date", cell("consent_date")) or consent_on
    leaving_date = _date_cell(table, "leaving_date", cell("leaving_date"))
    surnames = [clean_name(cell("preferred_surname")), clean_name(cell("surname"))]
    digests: tuple[str, ...] = ()
    if surname_key is not None:
        digests = tuple(dict.fromkeys(d for name in surnames if name for d in surname_digests(name, surname_key)))
    if unclear_why is not None:
        unclear.append(SkippedRow(line=row.line, reason=unclear_why, pupil_id=pupil_id))
    return Pupil(
        id=pupil_id,
        first_name=first_name,
        preferred_name=preferred,
        surname_initial=surname_initial(surnames[0] or surnames[1]),
        class_name=clean_name(cell("class_name")) or None,
        consent=consent,
        consent_date=consent_date if consent else None,
        leaving_date=leaving_date,
        school=clean_name(cell("school")) or None,
        surname_digests=digests,
    )


def _staff_member(table: Table, row: Row, member_id: int) -> StaffMember:
    name = clean_name(row.cell(table.columns.get("name")))
    if not name:
        parts = (clean_name(row.cell(table.columns.get(part))) for part in ("first_name", "surname"))
        name = " ".join(part for part in parts if part)
    if not name:
        raise BadCell("no name")
    email = clean_name(row.cell(table.columns.get("email"))).lower() or None
    if email is not None and not is_email_address(email):
        raise BadCell(f'"{_shorten(email)}" in {table.where("email")} is not an email address')
    return StaffMember(id=member_id, name=name, email=email)


def _consent(table: Table, text: str) -> tuple[bool, date | None]:
    try:
        return parse_consent(text)
    except ValueError:
        raise BadCell(
            f'consent "{_shorten(text)}" in {table.where("consent")} does not start with a clear yes or no,'
            " a tick or cross, or a date"
        ) from None


def _date_cell(table: Table, name: str, text: str) -> date | None:
    try:
        return parse_date(text)
    except ValueError:
        label = name.replace("_", " ")
        raise BadCell(f'unreadable {label} "{_shorten(text)}" in {table.where(name)} (use 31/12/2024 or 2024-12-31)') from None


def parse_consent(text: str) -> tuple[bool, date | None]:
    """(consented, on which date if the cell says); ValueError when the cell means neither yes nor no.

    A cell that starts with a clear yes or no may go on with a date or a note, as people write
    them ("Y - email 26/05", "Yes (by email)", "No - refused 03/09/2024"); a yes whose note says
    no ("Yes - withdrawn 01/03") is unclear, and so held.
    """
    value = unicodedata.normalize("NFKC", text).strip().rstrip(".").strip().casefold()
    if value in _YES:
        return True, None
    if value in _NO or value.startswith("withdrawn"):
        return False, None
    try:
        return True, _required_date(text)
    except ValueError:
        pass
    match = _LEADING_ANSWER.match(value)
    if match is None:
        raise ValueError(f"neither yes nor no: {text!r}")
    answer, note = match.group("answer"), match.group("note")
    if answer in _NO or answer.startswith("withdrawn"):
        return False, None
    if _SAYS_NO.search(note):
        raise ValueError(f"a yes with a note that says no: {text!r}")
    return True, _date_in(note)


def _date_in(note: str) -> date | None:
    """The first full date in a note ("by email 03/09/2024"); a date without its year ("26/05") is no date."""
    for found in _DATE_IN_NOTE.finditer(note):
        try:
            return _required_date(found.group(0))
        except ValueError:
            continue
    return None


def parse_date(text: str) -> date | None:
    """A blank cell is no date; ISO and UK day/month/year are read; anything else is ValueError."""
    value = text.strip()
    return _required_date(value) if value else None


def _required_date(text: str) -> date:
    value = unicodedata.normalize("NFKC", text).strip()
    value = _TRAILING_TIME.sub("", value).strip()
    found: date | None = None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        found = date.fromisoformat(value)
    else:
        for pattern in _DATE_FORMATS:
            try:
                found = datetime.strptime(value, pattern).date()
                break
            except ValueError:
                continue
    if found is None or not 1900 <= found.year <= 2200:
        raise ValueError(f"not a date: {text!r}")
    return found


def clean_name(text: str) -> str:
    """NFC, trimmed, inner runs of spaces made one, direction controls dropped: how a name is stored.

    A register cell with a right-to-left override would otherwise reorder what the teacher
    reads on screen and in the summary.
    """
    text = "".join(ch for ch in unicodedata.normalize("NFC", text) if ch not in BIDI_CONTROLS)
    return " ".join(text.split())


def surname_initial(surname: str) -> str | None:
    """Only the first letter of a surname is kept ("O'Brien" -> "O", "Ébert" -> "É")."""
    name = clean_name(surname)
    for index, char in enumerate(name):
        if char.isalpha():
            end = index + 1
            while end < len(name) and unicodedata.combining(name[end]):
                end += 1
            return name[index:end].upper()
    return None


def _shorten(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
