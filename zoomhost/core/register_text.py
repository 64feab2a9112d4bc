"""Turning an exported spreadsheet file into rows of text, whatever the school's MIS wrote.

Exports vary (UTF-8 with or without BOM, UTF-16 from Excel, Windows-1252; comma, semicolon
or tab), so the encoding is settled by BOM checks, then strict UTF-8, then charset-normalizer
limited to the encodings such exports use, and the delimiter by the standard library's CSV
sniffer (each usual delimiter is tried after its guess, and the one whose header names the most
columns wins). The header row is found by what its headings mean ("Legal First Name", "FORENAME",
"first_name" are one field), so a title line above it does no harm, and the person importing
may say which heading holds which field where the meaning is not clear. Anything that leaves no
usable header raises ``RegisterUnusable`` naming the file and line.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import stat
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from zoomhost.core.errors import ZoomhostError

MAX_BYTES = 20_000_000  # a whole-school register is a few hundred kilobytes
HEADER_SEARCH_ROWS = 10  # title lines an export may put above the header
DIALECT_SAMPLE_CHARS = 32_000  # the sniffer reads a sample, not the whole file
DELIMITERS = (",", ";", "\t", "|")
# No cell of a register is longer than this; the reader itself takes cells up to the whole file, so
# that one absurd cell is one row skipped (by the register's rules), not a file refused.
csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES + 1))
# charset-normalizer guesses Baltic or Cyrillic code pages for short Windows-1252 files,
# so it only chooses among the encodings school exports are actually written in.
LIKELY_ENCODINGS = ["utf_8", "utf_16_le", "utf_16_be", "cp1252"]
SPREADSHEET_HINT = "Export the list from the MIS as CSV, or in Excel use File > Save As > CSV UTF-8."

_MAGIC = (
    (b"PK\x03\x04", "an Excel workbook or a zip file"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) workbook"),
    (b"%PDF", "a PDF document"),
    (b"{\\rtf", "a Word (RTF) document"),
)
_BOMS = (  # (marker, codec for what follows it, the encoding reported); UTF-32 first: its LE marker starts like UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class RegisterUnusable(ZoomhostError):
    """The whole file cannot be used; nothing was stored and the previous register stands."""


def unusable(source: str, line: int | None, problem: str, *, hint: str | None = None) -> RegisterUnusable:
    where = f"{source} line {line}" if line else source
    return RegisterUnusable(f"{where}: {problem}.", hint=hint)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how a spreadsheet user finds a column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# Words a heading adds that do not change what the column holds: "Legal First Name" is the first name.
_HEADING_NOISE = frozenset({"legal", "official", "pupil", "pupils", "student", "students", "child", "childs", "learner", "the"})


def header_key(text: str) -> str:
    """'First_Name ', 'FIRST NAME', 'FirstName', 'Legal First Name' and 'First name (legal)' all become 'firstname'."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\(.*?\)|\[.*?\]", "", text)
    text = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", text).casefold()  # "FirstName", "UPNNumber"
    words = [word for word in re.split(r"[\W_]+", text) if word]
    kept = [word for word in words if word not in _HEADING_NOISE] or words
    return "".join(kept)


@dataclass(frozen=True, slots=True)
class Field:
    """One thing the register keeps, and the header names it may be exported under (preferred first)."""

    name: str
    label: str
    aliases: tuple[str, ...]

    def keys(self) -> tuple[str, ...]:
        return tuple(header_key(alias) for alias in self.aliases)


@dataclass(frozen=True, slots=True)
class Row:
    line: int  # the row number a spreadsheet shows (the header is usually 1)
    cells: tuple[str, ...]

    def cell(self, index: int | None) -> str:
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index]


@dataclass(frozen=True, slots=True)
class Table:
    """A decoded export: which column holds each field, and the rows under the header."""

    source: str
    encoding: str
    delimiter: str
    header_line: int
    header: tuple[str, ...]
    columns: dict[str, int]  # field name -> column index
    rows: tuple[Row, ...]

    def kept_columns(self) -> dict[str, str]:
        return {name: self.header[index].strip() for name, index in self.columns.items()}

    def dropped_columns(self) -> tuple[str, ...]:
        """Every heading not kept, and unheaded columns that hold data, as the file names them."""
        used = set(self.columns.values())
        dropped = [
            title.strip() for index, title in enumerate(self.header) if index not in used and title.strip()
        ]
        width = max((len(row.cells) for row in self.rows), default=0)
        for index in range(width):
            unheaded = index >= len(self.header) or not self.header[index].strip()
            if unheaded and index not in used and any(row.cell(index).strip() for row in self.rows):
                dropped.append(f"column {column_letter(index)} (no heading)")
        return tuple(dropped)

    def where(self, field: str) -> str:
        """'column B "Forename"', for messages about one cell."""
        index = self.columns[field]
        return f'column {column_letter(index)} "{self.header[index].strip()}"'


def read_table(
    path: Path,
    *,
    fields: Sequence[Field],
    required: Sequence[Sequence[str]],
    chosen: Mapping[str, str | None] | None = None,
) -> Table:
    """Decode ``path`` and find its header: each group in ``required`` needs one of its fields present.

    ``chosen`` is what the person importing said: field name -> the heading that holds it (as
    the file writes it, any case or spacing), or None for "this file has no such column". It
    wins over the meaning of the headings; a heading it names that the file lacks is an error.
    """
    source = path.name
    data = _read_bytes(path)
    text, encoding = decode_export(data, source=source)
    known = {field.name for field in fields}
    unknown = sorted(set(chosen or {}) - known)
    if unknown:
        raise unusable(
            source, None, f"no field called {', '.join(unknown)}", hint=f"The fields are: {', '.join(sorted(known))}."
        )
    try:
        candidates = [(_parse(text, delimiter), delimiter) for delimiter in _delimiters(text)]
    except csv.Error as err:
        raise unusable(source, None, f"could not be read as CSV ({err})", hint=SPREADSHEET_HINT) from None
    best: tuple[int, int, list[list[str]], dict[str, int], str] | None = None
    for records, delimiter in candidates:
        found = _find_header(records, fields, chosen)
        if found is None:
            continue
        position, columns = found
        score = len(columns)
        if best is None or score > best[0]:
            best = (score, position, records, columns, delimiter)
    if best is None:
        _check_chosen(source, candidates[0][0], fields, chosen)
        raise _missing_header(source, candidates[0][0], fields, required)
    _, position, records, columns, delimiter = best
    _check_chosen(source, records[position : position + 1], fields, chosen, line=position + 1)
    for group in required:
        if not any(name in columns for name in group):
            raise _missing_header(source, records, fields, [group], line=position + 1)
    header = tuple(records[position])
    rows = tuple(Row(line=index + 1, cells=tuple(cells)) for index, cells in enumerate(records) if index > position)
    if not any(any(cell.strip() for cell in row.cells) for row in rows):
        raise unusable(source, position + 2, "the header is there but no rows follow it", hint=SPREADSHEET_HINT)
    return Table(
        source=source,
        encoding=encoding,
        delimiter=delimiter,
        header_line=position + 1,
        header=header,
        columns=columns,
        rows=rows,
    )


def layout_key(headings: Sequence[str]) -> str:
    """One file layout: its headings in order, in any case and spacing (what a remembered choice of columns is for)."""
    return "\x1f".join(" ".join(unicodedata.normalize("NFKC", title).casefold().split()) for title in headings)


def read_headings(path: Path) -> tuple[str, ...]:
    """The file's header row as it writes it, whatever its headings mean: the fullest row near the
    top, read with the delimiter that splits it most (what a person choosing columns sees)."""
    text, _ = decode_export(_read_bytes(path), source=path.name)
    best: list[str] = []
    for delimiter in _delimiters(text):
        for record in _parse(text, delimiter)[:HEADER_SEARCH_ROWS]:
            if sum(bool(cell.strip()) for cell in record) > sum(bool(cell.strip()) for cell in best):
                best = record
    return tuple(cell.strip() for cell in best)


def _read_bytes(path: Path) -> bytes:
    return read_regular_file(path, limit=MAX_BYTES)


def read_regular_file(path: Path, *, limit: int) -> bytes:
    """The bytes of ``path``, refusing anything but a regular file, and any file over ``limit`` bytes, before reading it.

    The file is opened first and then looked at through what was opened (a name swapped for a
    pipe or a device in between changes nothing): ``/dev/zero``, a FIFO or a folder is refused
    at once, and at most ``limit`` + 1 bytes are ever read, so a file that grows while it is
    read is refused too rather than filling the memory.
    """
    source = path.name or str(path)
    try:
        # O_NONBLOCK: opening a FIFO that nobody writes to must not wait for a writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise unusable(source, None, "no such file") from None
    except IsADirectoryError:
        raise unusable(source, None, "is a folder, not a file") from None
    except PermissionError:
        raise unusable(source, None, "zoomhost is not allowed to read this file") from None
    except OSError as err:
        raise unusable(source, None, f"could not be read ({err.strerror or err})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise unusable(source, None, "is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise unusable(source, None, "is not a file (a device, pipe or socket)", hint=SPREADSHEET_HINT)
        if info.st_size > limit:
            raise unusable(source, None, f"is {_size(info.st_size)}, far too large for a register", hint=SPREADSHEET_HINT)
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as err:
        raise unusable(source, None, f"could not be read ({err.strerror or err})") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise unusable(source, None, f"is more than {_size(limit)}, far too large for a register", hint=SPREADSHEET_HINT)
    return data


def _size(count: int) -> str:
    return f"{count // 1_000_000} MB" if count >= 1_000_000 else f"{count:,} bytes"


def decode_export(data: bytes, *, source: str) -> tuple[str, str]:
    """The file's text and the encoding it was read with."""
    if not data.strip():
        raise unusable(source, 1, "the file is empty", hint=SPREADSHEET_HINT)
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise unusable(source, 1, f"this is {what}, not a CSV file", hint=SPREADSHEET_HINT)
    text, encoding = _decode(data, source=source)
    # One line ending for the CSV parser: old Mac exports end lines with a bare carriage return.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise unusable(source, line, "this is not a CSV text file (it holds binary data)", hint=SPREADSHEET_HINT)
    return text, encoding


def _decode(data: bytes, *, source: str) -> tuple[str, str]:
    for bom, codec, encoding in _BOMS:
        if data.startswith(bom):
            payload = data[len(bom) :]
            try:
                return payload.decode(codec), encoding
            except UnicodeDecodeError as err:
                line = payload[: err.start].decode(codec, errors="replace").count("\n") + 1
                name = codec.split("-")[0].upper() + "-" + codec.split("-")[1]
                raise unusable(source, line, f"the file is marked as {name} text but is not", hint=SPREADSHEET_HINT) from None
    if b"\x00" not in data:  # NUL bytes are valid UTF-8 but mean UTF-16 without a BOM, or junk
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    import charset_normalizer

    best = charset_normalizer.from_bytes(data, cp_isolation=LIKELY_ENCODINGS).best()
    if best is None:
        raise unusable(
            source, 1, "this is not a CSV text file (no known text encoding fits it)", hint=SPREADSHEET_HINT
        )
    encoding = codecs.lookup(best.encoding).name
    return str(best), encoding


def _delimiters(text: str) -> list[str]:
    """The standard library sniffer's guess first, then each usual delimiter (a tiny file gives it too little to go on)."""
    sample = text[:DIALECT_SAMPLE_CHARS]
    if len(text) > DIALECT_SAMPLE_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]
    found: list[str] = []
    try:
        # Only the delimiter is taken: exports quote with double quotes and use no escape character.
        found.append(csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter)
    except csv.Error:
        pass  # no guess: the usual delimiters are tried in turn
    return found + [delimiter for delimiter in DELIMITERS if delimiter not in found]


def _parse(text: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"', doublequote=True, strict=True)
    try:
        return [list(record) for record in reader]
    except csv.Error:
        # A damaged quote: read it again without quoting, so the header can still be found
        # and the damaged rows show up as bad rows rather than hiding the whole file.
        return [list(record) for record in csv.reader(io.StringIO(text), delimiter=delimiter, quoting=csv.QUOTE_NONE)]


def _find_header(
    records: list[list[str]], fields: Sequence[Field], chosen: Mapping[str, str | None] | None = None
) -> tuple[int, dict[str, int]] | None:
    """The first row near the top that names at least the first field, with its columns."""
    for position, record in enumerate(records[:HEADER_SEARCH_ROWS]):
        columns = match_columns(record, fields, chosen)
        if fields[0].name in columns or (len(columns) >= 2):
            return position, columns
    return None


def heading_index(header: Sequence[str], heading: str) -> int | None:
    """Where ``heading`` is in ``header``: the same text in any case and spacing, else the same meaning."""
    wanted = " ".join(unicodedata.normalize("NFKC", heading).casefold().split())
    for index, title in enumerate(header):
        if " ".join(unicodedata.normalize("NFKC", title).casefold().split()) == wanted:
            return index
    key = header_key(heading)
    return next((index for index, title in enumerate(header) if key and header_key(title) == key), None)


def match_columns(
    header: Sequence[str], fields: Sequence[Field], chosen: Mapping[str, str | None] | None = None
) -> dict[str, int]:
    """Field name -> column index; what the person importing chose first, then each field takes its most
    preferred alias; each column serves one field."""
    keys = [header_key(title) for title in header]
    columns: dict[str, int] = {}
    taken: set[int] = set()
    for name, heading in (chosen or {}).items():
        index = heading_index(header, heading) if heading else None
        if index is not None and index not in taken:
            columns[name] = index
            taken.add(index)
    for field in fields:
        if chosen is not None and field.name in chosen:
            continue  # chosen: that column, or none
        for alias in field.keys():
            index = next((i for i, key in enumerate(keys) if key == alias and i not in taken), None)
            if index is not None:
                columns[field.name] = index
                taken.add(index)
                break
    return columns


def _check_chosen(
    source: str,
    records: list[list[str]],
    fields: Sequence[Field],
    chosen: Mapping[str, str | None] | None,
    *,
    line: int | None = None,
) -> None:
    """A heading the person importing named that the header does not have: say so, with the headings it has."""
    if not chosen:
        return
    header = records[0] if line is not None and records else next((r for r in records if any(c.strip() for c in r)), [])
    by_name = {field.name: field for field in fields}
    for name, heading in chosen.items():
        if heading and heading_index(header, heading) is None:
            has = ", ".join(f'"{title.strip()}"' for title in header if title.strip())
            raise unusable(
                source, line, f'no column headed "{heading}" for {by_name[name].label}', hint=f"The headings are: {has}."
            )


def _missing_header(
    source: str,
    records: list[list[str]],
    fields: Sequence[Field],
    required: Sequence[Sequence[str]],
    *,
    line: int | None = None,
) -> RegisterUnusable:
    if line is None:
        line = next((i + 1 for i, record in enumerate(records) if any(cell.strip() for cell in record)), 1)
    by_name = {field.name: field for field in fields}
    group = required[0]
    label = " or ".join(by_name[name].label for name in group)
    looked_for = ", ".join(alias for name in group for alias in by_name[name].aliases)
    example = ", ".join(field.aliases[0].title() for field in fields)
    hint = f"The first row should name the columns, for example: {example}."
    return unusable(source, line, f"no column for {label} (looked for: {looked_for})", hint=hint)
