"""The traceability table accounts for every quoted protocol line, and names only things that exist.

Also: every line zoomhost quotes is found word for word in the school's published protocol
(a copy is in tests/data/protocol), so no rule or table cites a line the school never wrote.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
from collections import Counter
from pathlib import Path

import pytest

from zoomhost.system.config import Settings
from zoomhost.core import protocol
from zoomhost.core.control import Capability
from zoomhost.core.journal import Actor, JournalKind
from zoomhost.core.preflight import RULES
from zoomhost.core.session import AlarmKind
from zoomhost.core.start_checks import START_CHECKS, StartCheckId

REPO = Path(__file__).resolve().parents[2]
TABLE = REPO / "docs" / "protocol-traceability.md"
SOURCE = REPO / "tests" / "data" / "protocol" / "federation-zoom-protocol-2020.txt"
NOT_SOFTWARE = "**not software**"
REFERENCE = re.compile(r"`([a-z_]+):([A-Za-z0-9_.]+)`")

KNOWN: dict[str, set[str]] = {
    "rule": {r.id for r in RULES},
    "journal": {k.value for k in JournalKind},
    "capability": {c.value for c in Capability},
    "alarm": {a.value for a in AlarmKind},
    "actor": {a.value for a in Actor},
    "start_check": {c.value for c in StartCheckId},
    "setting": {f.name for f in dataclasses.fields(Settings)},
}


@dataclasses.dataclass(frozen=True)
class Row:
    number: int  # line in the Markdown file
    line: str
    references: tuple[tuple[str, str], ...]
    not_software: bool


def _rows() -> list[Row]:
    rows = []
    for number, text in enumerate(TABLE.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.startswith("| ") or text.startswith(("| Line (quoted)", "| ---")):
            continue
        cells = [cell.strip() for cell in text.strip().strip("|").split(" | ")]
        assert len(cells) == 4, f"{TABLE.name}:{number} has {len(cells)} cells, not 4"
        rows.append(
            Row(
                number=number,
                line=cells[0],
                references=tuple(REFERENCE.findall(cells[3])),
                not_software=NOT_SOFTWARE in cells[3],
            )
        )
    return rows


def test_every_quoted_protocol_line_is_accounted_for_once() -> None:
    lines = Counter(row.line for row in _rows())
    missing = [line for line in protocol.ALL_LINES if line not in lines]
    assert not missing, f"protocol lines with no row in {TABLE.name}: {missing}"
    assert [line for line, n in lines.items() if n > 1] == []
    unquoted = [line for line in lines if line not in protocol.ALL_LINES]
    assert not unquoted, f"rows whose line is not quoted in zoomhost/core/protocol.py: {unquoted}"


def test_each_row_names_what_enforces_it_or_says_software_cannot() -> None:
    for row in _rows():
        assert row.references or row.not_software, f"{TABLE.name}:{row.number} names nothing"


@pytest.mark.parametrize("kind", sorted({*KNOWN, "module"}))
def test_every_name_in_the_table_exists(kind: str) -> None:
    named = [(row.number, name) for row in _rows() for k, name in row.references if k == kind]
    assert named, f"the table names no {kind}"
    if kind == "module":
        unknown = [(n, name) for n, name in named if importlib.util.find_spec(name) is None]
    else:
        unknown = [(n, name) for n, name in named if name not in KNOWN[kind]]
    assert not unknown, f"{kind}s named in {TABLE.name} that do not exist: {unknown}"


def test_only_known_kinds_of_reference_are_used() -> None:
    kinds = {k for row in _rows() for k, _ in row.references}
    assert kinds <= {*KNOWN, "module"}, kinds - {*KNOWN, "module"}


def test_every_rule_and_start_check_traces_back_to_a_line() -> None:
    named = {(k, name) for row in _rows() for k, name in row.references}
    assert [r.id for r in RULES if ("rule", r.id) not in named] == []
    assert [c.id.value for c in START_CHECKS if ("start_check", c.id.value) not in named] == []


def test_lines_software_cannot_enforce_are_marked() -> None:
    by_line = {row.line: row for row in _rows()}
    for line in (
        "Routine & protocol established and shared with parents and children.",
        "Staff to join conference in a private space out of ear shot of non-Federation staff",
        "Privacy notice to be updated to highlight risks and issues",
        "Privacy shield in place.",
        "Consent to be sought before using the service",
    ):
        assert by_line[line].not_software, line


def test_every_quoted_line_is_the_schools_own_words() -> None:
    text = SOURCE.read_text(encoding="utf-8")
    assert [line for line in protocol.ALL_LINES if line not in text] == []
    assert len(set(protocol.ALL_LINES)) == len(protocol.ALL_LINES)
    for candidate in RULES:
        assert candidate.protocol_line in protocol.PROTOCOL_TEXT, candidate.id
    for check in START_CHECKS:
        assert check.protocol_line in protocol.ALL_LINES, check.id
