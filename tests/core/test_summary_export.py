"""Exports: a CSV no spreadsheet will run as formulas, and an A4 PDF laid out by Qt with accents intact."""

from __future__ import annotations

import csv
import os
import stat
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import require_executable
from tests.core.live_helpers import HOSTILE_NAME, MEETING, SCRIPT_NAME, record_small_meeting
from zoomhost.core.export import COLUMNS, ExportError, neutralise, write_csv
from zoomhost.core.summary import IncidentRow, SessionSummary

NONE_OF_OURS: dict[str, Path] = {}  # zoomhost's own folders, when the test is not about them


@pytest.fixture
def summary() -> SessionSummary:
    journal = record_small_meeting(topic="Assemblée de Noël")
    try:
        return SessionSummary.from_journal(journal)
    finally:
        journal.close()


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+44 7700 900123", "-2", "@SUM(A1)", "\tx", "\rx", "＝HYPERLINK()", "＋1", "－1", "＠x", HOSTILE_NAME],
)
def test_cells_a_spreadsheet_would_run_get_an_apostrophe(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Amy B.", "Chloé D.", "10:30", "", "Year 3", "a=b"])
def test_ordinary_cells_are_left_alone(text: str) -> None:
    assert neutralise(text) == text


def test_the_csv_has_every_section_and_no_live_formula(summary: SessionSummary, tmp_path: Path) -> None:
    evil = IncidentRow(at=datetime(2024, 3, 8, 11, tzinfo=UTC), kind="duplicate", display_name="＝cmd|'/C calc'!A0", message="-x")
    summary = replace(summary, incidents=(*summary.incidents, evil))
    out = write_csv(summary, tmp_path / "summary.csv", own_folders=NONE_OF_OURS)

    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "a byte-order mark so Excel reads the accents"
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == COLUMNS
    sections = [row["section"] for row in rows]
    order = ["session", "incident", "held_or_removed", "action", "attendance", "staff"]
    assert sorted(set(sections), key=order.index) == order
    assert sections == sorted(sections, key=order.index), "safeguarding first, then the host's actions, then attendance"
    assert rows[0]["name"] == "Assemblée de Noël" and MEETING in rows[0]["detail"]
    attendance = {row["name"]: row for row in rows if row["section"] == "attendance"}
    assert attendance["Chloé D."]["class"] == "Year 6" and attendance["Amy B."]["rejoins"] == "1"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")), value
    names = [row["name"] for row in rows]
    assert "'" + HOSTILE_NAME in names and "'＝cmd|'/C calc'!A0" in names and SCRIPT_NAME in names


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Amy\u202eB", "Amy⟦RLO⟧B"),
        ("Nul\x00l", "Nul⟦U+0000⟧l"),
        ("\u2067Amy\u2069 \u200fB", "⟦RLI⟧Amy⟦PDI⟧ ⟦RLM⟧B"),
        ("Am\u200by\u3164", "Am⟦ZWSP⟧y⟦U+3164⟧"),
        ("\x1b[2Jboom\x07", "⟦U+001B⟧[2Jboom⟦U+0007⟧"),
        ("\u202e=1+1", "⟦RLO⟧=1+1"),  # no longer starts with "=": nothing to run
        ("=1+1\u202e", "'=1+1⟦RLO⟧"),
    ],
)
def test_cells_never_carry_nul_or_direction_characters(text: str, written: str) -> None:
    assert neutralise(text) == written


def test_the_csv_writes_out_every_hidden_character_a_stranger_typed(summary: SessionSummary, tmp_path: Path) -> None:
    at = datetime(2024, 3, 8, 11, tzinfo=UTC)
    strangers = (
        IncidentRow(at=at, kind="suspicious", display_name="Amy\u202eB.ecnesnoc si", message="“Amy\u202eB” has hidden characters"),
        IncidentRow(at=at, kind="suspicious", display_name="Nul\x00l\x1b[31m", message="\u2066x\u2069"),
    )
    summary = replace(summary, topic="Assembly\u202e \x00", incidents=(*summary.incidents, *strangers))
    out = write_csv(summary, tmp_path / "summary.csv", own_folders=NONE_OF_OURS)

    text = out.read_bytes().decode("utf-8-sig")
    for hidden in ("\x00", "\x1b", "\u202e", "\u2066", "\u2069"):
        assert hidden not in text, f"U+{ord(hidden):04X} reached the file"
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["name"] == "Assembly⟦RLO⟧ ⟦U+0000⟧"
    incidents = {row["name"]: row["detail"] for row in rows if row["section"] == "incident"}
    assert incidents["Amy⟦RLO⟧B.ecnesnoc si"] == "“Amy⟦RLO⟧B” has hidden characters"
    assert incidents["Nul⟦U+0000⟧l⟦U+001B⟧[31m"] == "⟦LRI⟧x⟦PDI⟧"


def test_a_csv_to_a_missing_folder_is_a_clear_error(summary: SessionSummary, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="cannot be written"):
        write_csv(summary, tmp_path / "no-such-folder" / "summary.csv", own_folders=NONE_OF_OURS)


def test_a_csv_is_never_written_among_zoomhosts_own_files(summary: SessionSummary, tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "sessions").mkdir(parents=True)
    for target in (data / "summary.csv", data / "sessions" / "x.csv", data):
        with pytest.raises(ExportError, match=r"inside zoomhost's data folder"):
            write_csv(summary, target, own_folders={"config": tmp_path / "config", "data": data})
    assert sorted(p.name for p in data.rglob("*")) == ["sessions"]


def test_the_pdf_is_a4_and_keeps_accents_and_headings(summary: SessionSummary, tmp_path: Path, qapp) -> None:  # noqa: ANN001
    from zoomhost.ui.pdf import write_pdf

    out = write_pdf(summary, tmp_path / "summary.pdf")
    assert out.read_bytes().startswith(b"%PDF-")
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    info = subprocess.run([require_executable("pdfinfo"), str(out)], capture_output=True, text=True, check=True).stdout
    assert "595 x 842 pts (A4)" in info
    text = subprocess.run([require_executable("pdftotext"), str(out), "-"], capture_output=True, text=True, check=True).stdout
    for expected in ("Assemblée de Noël", "Chloé", "Attendance", "Held, removed or not let in", "Incidents", "The host's actions"):
        assert expected in text, expected
    assert "<script>alert('x')</script>" in text.replace("\n", ""), "a hostile name is printed as text"
