"""The summary as one CSV file a school office can open in a spreadsheet.

One file, one row per item, the ``section`` column saying which part of the summary it
belongs to, in the order every view shows them: session, incident (and the panic key),
held_or_removed, action, attendance, staff. Display names
are typed by strangers, so every cell that a spreadsheet would read as a formula is
neutralised with a leading apostrophe, and every character a reader could not see (NUL and
other control characters, direction overrides, zero-width and blank-looking characters) is
written out as the window shows it (``Amy⟦RLO⟧B``, ``⟦U+0000⟧``). UTF-8 with a byte-order
mark, so accents survive Excel. The file is readable by this user only: it holds pupils' names.

From outside: where to write, and zoomhost's own folders (name -> folder: data, config, logs,
cache), which no export may land in; the composition root gives them (``app.services.own_folders``).
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from zoomhost.core.errors import ZoomhostError
from zoomhost.core.names import visible_name
from zoomhost.core.summary import SessionSummary, summary_sections

COLUMNS = (
    "section",
    "time",
    "until",
    "name",
    "class",
    "verdict",
    "minutes_present",
    "rejoins",
    "action",
    "actor",
    "outcome",
    "detail",
)

# A spreadsheet treats a cell starting with these as a formula (full-width forms included).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
# What a cell may keep as it is: a spreadsheet shows tabs and line breaks (and the CSV quotes them).
_LAYOUT = re.compile(r"[^\t\r\n]+")


class ExportError(ZoomhostError):
    """The summary could not be written where the teacher asked."""


def neutralise(value: object) -> str:
    """The cell's text, every hidden character written out (tabs and line breaks kept), with an
    apostrophe in front when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    text = _LAYOUT.sub(lambda part: visible_name(part.group()), text)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


#: The CSV's ``section`` for each of the summary's parts (``core.summary.summary_sections``).
CSV_SECTIONS = {
    "incidents": "incident",
    "held": "held_or_removed",
    "actions": "action",
    "attendance": "attendance",
    "staff": "staff",
}


def summary_rows(summary: SessionSummary) -> Iterator[dict[str, object]]:
    """The summary, flattened into the CSV's rows (before neutralising): the session, then its parts in
    the order every view shows them, safeguarding first (``summary_sections``)."""
    yield {
        "section": "session",
        "time": _iso(summary.started_at),
        "until": _iso(summary.ended_at),
        "name": summary.topic,
        "detail": f"Zoom meeting {summary.meeting_id}" + (" (rehearsal)" if summary.rehearsal else ""),
    }
    for part in summary_sections(summary):
        section = CSV_SECTIONS[part.key]
        for row in part.rows:
            yield {"section": section, **_cells(part.key, row)}


def _cells(key: str, row: Any) -> dict[str, object]:
    """One row of one of the summary's parts as the CSV's cells."""
    if key == "incidents":
        seen = f"; alarm marked seen {_iso(row.seen_at)} ({row.seen_by})" if row.seen_at else ""
        return {
            "time": _iso(row.at),
            "name": row.display_name,
            "verdict": row.kind,
            "action": row.what,
            "actor": row.acted_by,
            "outcome": row.outcome,
            "detail": (row.detail or row.message) + seen,
        }
    if key == "held":
        return {
            "time": _iso(row.arrived_at),
            "name": row.who,
            "verdict": row.verdict,
            "actor": row.acted_by,
            "outcome": row.outcome,
            "detail": f"{row.evidence_words}: " + "; ".join(row.reasons),
        }
    if key == "actions":
        return {
            "time": _iso(row.at),
            "name": row.target,
            "action": row.words,
            "actor": row.by,
            "outcome": row.outcome,
        }
    if key == "attendance":
        return {
            "time": _iso(row.first_join),
            "until": _iso(row.last_leave),
            "name": row.first_name + (f" {row.surname_initial}." if row.surname_initial else ""),
            "class": row.class_name,
            "verdict": "consented",
            "minutes_present": row.minutes_present,
            "rejoins": row.rejoins,
            "outcome": f"admitted {row.admitted_words}",
        }
    return {
        "time": _iso(row.first_join),
        "until": _iso(row.last_leave),
        "name": row.name,
        "verdict": "staff",
        "minutes_present": row.minutes_present,
        "outcome": f"admitted {row.admitted_words}",
    }


def check_destination(
    path: Path, *, own_folders: Mapping[str, Path], what: str = "the summary", example: str = "summary.csv"
) -> Path:
    """Where a file of ``what`` may go: a file (not a folder) in a folder that exists, outside
    zoomhost's ``own_folders``, so an export can never replace the register or a session's journal."""
    path = Path(path)
    own = own_folder_holding(path, own_folders)
    if own is not None:
        raise ExportError(
            f"{what} cannot be written inside zoomhost's {own[0]} folder ({own[1]}).",
            hint="Choose a place of your own, such as your Documents folder.",
        )
    if path.is_dir():
        raise ExportError(f"{path} is a folder.", hint=f"Give a file name, such as {example}.")
    if not path.parent.is_dir():
        raise ExportError(
            f"{what} cannot be written to {path.parent}: that folder does not exist.",
            hint="Create it, or choose another folder.",
        )
    return path


def own_folder_holding(path: Path, own_folders: Mapping[str, Path]) -> tuple[str, Path] | None:
    """(name, folder) of the one of ``own_folders`` that ``path`` lies in, or None: exports and invitations
    must not land among the register, journals, settings or logs (nor replace one of them)."""
    resolved = Path(path).resolve()
    for name, folder in own_folders.items():
        if resolved.is_relative_to(Path(folder).resolve()):
            return name, Path(folder)
    return None


def write_csv(summary: SessionSummary, path: Path, *, own_folders: Mapping[str, Path]) -> Path:
    """Write the summary to ``path`` (replacing it whole, never leaving half a file), outside ``own_folders``."""
    path = check_destination(path, own_folders=own_folders)
    rows = ({key: neutralise(value) for key, value in row.items()} for row in summary_rows(summary))
    return write_private_csv(path, COLUMNS, rows, what="the summary")


def write_private_csv(
    path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, object]], *, what: str
) -> Path:
    """Write a CSV readable by this user only, whole or not at all (UTF-8 with a BOM, for Excel).

    The cells are written as given: neutralise what strangers typed first. Failures raise
    ExportError naming ``what`` was being written.
    """
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise ExportError(f"{what} cannot be written to {path.parent} ({err.strerror or err}).") from err
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(columns), restval="", quoting=csv.QUOTE_MINIMAL)
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp, path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"{what} could not be written to {path} ({err.strerror or err}).") from err
    return path


def _iso(value: datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value else ""
