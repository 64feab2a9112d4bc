"""Turning an exported spreadsheet file into rows of text, whatever the school's MIS wrote.

Exports vary (UTF-8 with or without BOM, UTF-16 from Excel, Windows-1252; comma, semicolon
or tab), so the encoding is settled by BOM checks, then strict UTF-8, then charset-normalizer
limited to the encodings such exports use, and the dialect by clevercsv. The header row is
found by its names, so a title line above it does no harm. Anything that leaves no usable
header raises ``RegisterUnusable`` naming the file and line.
"""

from __future__ import annotations

import codecs
import io
import os
import re
import stat
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the sniffers load when a file is first read, not when the app starts
    from clevercsv.dialect import SimpleDialect

from zoomhost.core.errors import ZoomhostError

MAX_BYTES = 20_000_000  # a whole-school register is a few hundred kilobytes
HEADER_SEARCH_ROWS = 10  # title lines an export may put above the header
DIALECT_SAMPLE_CHARS = 32_000  # clevercsv is thorough, so it reads a sample, not the whole file
DELIMITERS = (",", ";", "\t", "|")
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


def header_key(text: str) -> str:
    """'First_Name ', 'FIRST NAME', 'FirstName' and 'First name (legal)' all become 'firstname'."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"\(.*?\)|\[.*?\]", "", text)
    return "".join(ch for ch in text if ch.isalnum())


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


def read_table(path: Path, *, fields: Sequence[Field], required: Sequence[Sequence[str]]) -> Table:
    """Decode ``path`` and find its header: each group in ``required`` needs one of its fields present."""
    import clevercsv  # loaded on the first file read: it is slow to import

    source = path.name
    data = _read_bytes(path)
    text, encoding = decode_export(data, source=source)
    try:
        candidates = [(_parse(text, dialect), dialect.delimiter) for dialect in _dialects(text)]
    except clevercsv.Error as err:
        raise unusable(source, None, f"could not be read as CSV ({err})", hint=SPREADSHEET_HINT) from None
    best: tuple[int, int, list[list[str]], dict[str, int], str] | None = None
    for records, delimiter in candidates:
        found = _find_header(records, fields)
        if found is None:
            continue
        position, columns = found
        score = len(columns)
        if best is None or score > best[0]:
            best = (score, position, records, columns, delimiter)
    if best is None:
        raise _missing_header(source, candidates[0][0], fields, required)
    _, position, records, columns, delimiter = best
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


def _dialects(text: str) -> list[SimpleDialect]:
    """clevercsv's verdict first, then each usual delimiter (tiny files give clevercsv too little to go on)."""
    sample = text[:DIALECT_SAMPLE_CHARS]
    if len(text) > DIALECT_SAMPLE_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]
    import clevercsv
    from clevercsv.dialect import SimpleDialect

    dialects: list[SimpleDialect] = []
    try:
        detected = clevercsv.Detector().detect(sample, delimiters=list(DELIMITERS))
    except Exception:  # noqa: BLE001 - any detector failure just means: try the usual delimiters
        detected = None
    if detected is not None and detected.delimiter in DELIMITERS:
        # Only the delimiter is taken: exports quote with double quotes and use no escape
        # character, and a guessed one (an apostrophe in O'Brien, an "@") would shift columns.
        dialects.append(SimpleDialect(detected.delimiter, '"', ""))
    for delimiter in DELIMITERS:
        if not any(d.delimiter == delimiter for d in dialects):
            dialects.append(SimpleDialect(delimiter, '"', ""))
    return dialects


def _parse(text: str, dialect: SimpleDialect) -> list[list[str]]:
    import clevercsv
    from clevercsv.dialect import SimpleDialect

    try:
        return [list(record) for record in clevercsv.reader(io.StringIO(text), dialect)]
    except clevercsv.Error:
        # An unbalanced quote: read it again without quoting, so the header can still be found
        # and the damaged rows show up as bad rows rather than hiding the whole file.
        return [list(record) for record in clevercsv.reader(io.StringIO(text), SimpleDialect(dialect.delimiter, "", ""))]


def _find_header(records: list[list[str]], fields: Sequence[Field]) -> tuple[int, dict[str, int]] | None:
    """The first row near the top that names at least the first field, with its columns."""
    for position, record in enumerate(records[:HEADER_SEARCH_ROWS]):
        columns = match_columns(record, fields)
        if fields[0].name in columns or (len(columns) >= 2):
            return position, columns
    return None


def match_columns(header: Sequence[str], fields: Sequence[Field]) -> dict[str, int]:
    """Field name -> column index; a field takes its most preferred alias, each column serves one field."""
    keys = [header_key(title) for title in header]
    columns: dict[str, int] = {}
    taken: set[int] = set()
    for field in fields:
        for alias in field.keys():
            index = next((i for i, key in enumerate(keys) if key == alias and i not in taken), None)
            if index is not None:
                columns[field.name] = index
                taken.add(index)
                break
    return columns


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
