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
from zoomhost.core.preflight import RULES, STAFF_RULES
from zoomhost.core.session import AlarmKind
from zoomhost.core.start_checks import START_CHECKS, STAFF_START_CHECKS, StartCheckId

REPO = Path(__file__).resolve().parents[2]
TABLE = REPO / "docs" / "protocol-traceability.md"
SOURCE = REPO / "tests" / "data" / "protocol" / "federation-zoom-protocol-2020.txt"
NOT_SOFTWARE = "**not software**"
REFERENCE = re.compile(r"`([a-z_]+):([A-Za-z0-9_.]+)`")

KNOWN: dict[str, set[str]] = {
    "rule": {r.id for r in (*RULES, *STAFF_RULES)},
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
    kind: str


def _rows() -> list[Row]:
    rows = []
    for number, text in enumerate(TABLE.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.startswith("| ") or text.startswith(("| Line (quoted)", "| ---")):
            continue
        cells = [cell.strip() for cell in text.strip().strip("|").split(" | ")]
        assert len(cells) == 5, f"{TABLE.name}:{number} has {len(cells)} cells, not 5"
        rows.append(
            Row(
                number=number,
                line=cells[0],
                references=tuple(REFERENCE.findall(cells[3])),
                not_software=NOT_SOFTWARE in cells[3],
                kind=cells[4],
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


KINDS = ("enforced by Zoom", "enforced by zoomhost", "checked before the session", "a reminder with the teacher's own tick", "not software")


def test_each_line_has_one_kind_that_its_references_bear_out() -> None:
    for row in _rows():
        kind = next((k for k in KINDS if row.kind.startswith(k)), None)
        where = f"{TABLE.name}:{row.number}"
        assert kind is not None, f"{where}: {row.kind!r} is none of {KINDS}"
        kinds = {k for k, _ in row.references}
        if kind in ("enforced by Zoom", "checked before the session"):
            assert "rule" in kinds, f"{where}: {kind} names no pre-flight rule"
        elif kind == "a reminder with the teacher's own tick":
            assert "start_check" in kinds, f"{where}: a reminder names no start-of-session check"
        elif kind == "not software":
            assert row.not_software, f"{where}: marked not software in Kind but not in Enforced by"
        else:
            assert kinds - {"setting"}, f"{where}: enforced by zoomhost names nothing of zoomhost's"
        if "capability" in kinds and kinds <= {"capability", "journal", "alarm", "actor", "setting"} and "end_for_all" not in {n for _, n in row.references}:
            assert "host assistant" in row.kind, f"{where}: a live control alone must say it needs the host assistant"


def test_the_china_and_encryption_lines_are_rules_and_the_audit_is_in_the_day() -> None:
    by_line = {row.line: row for row in _rows()}
    china = by_line["Information routed through servers based in China – possible review of information."]
    encryption = by_line[
        "Encryption is not end to end - No personal information should be shared during sessions as the service is not properly encrypted."
    ]
    assert ("rule", "data_centers") in china.references and china.kind == "enforced by Zoom"
    assert ("rule", "encryption") in encryption.references and encryption.kind == "enforced by Zoom"
    staff = by_line["Unique meeting ID used Password issued to staff only & sent in advance."]
    assert ("rule", "staff_sign_in") in staff.references
    text = TABLE.read_text(encoding="utf-8")
    assert "on Linux only" in text and "Windows and macOS" in text and "zoomhost audit" in text


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
    assert [r.id for r in (*RULES, *STAFF_RULES) if ("rule", r.id) not in named] == []
    assert [c.id.value for c in (*START_CHECKS, *STAFF_START_CHECKS) if ("start_check", c.id.value) not in named] == []


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
    for check in (*START_CHECKS, *STAFF_START_CHECKS):
        assert check.protocol_line in protocol.ALL_LINES, check.id
