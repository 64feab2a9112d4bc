"""`zoomhost dry-run` end to end: real register and staff exports, a names file as a teacher would write it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from zoomhost.system import paths
from zoomhost.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "dryrun"
REGISTER = DATA / "register.csv"
STAFF = DATA / "staff.csv"
NAMES = DATA / "names.txt"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["dry-run", *args])
    out, err = capsys.readouterr()
    return status, out, err


def names_in_file() -> list[tuple[int, str]]:
    text = NAMES.read_bytes().decode("utf-8-sig")
    return [(n, line.removesuffix("\r")) for n, line in enumerate(text.split("\n"), 1) if line.strip(" \t\r")]


def test_json_lines_follow_arrival_order_and_admit_each_consented_pupil_once(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "--register", str(REGISTER), "--staff", str(STAFF), str(NAMES), "--json")
    assert status == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(row["line"], row["name"]) for row in rows] == names_in_file()  # hostile names come back exactly
    by_name = {row["name"]: row for row in rows}
    assert by_name["Amy B"]["verdict"] == "consented"
    assert by_name["Amy B"]["pupil"] == {"first_name": "Amy", "surname_initial": "B", "class": "3B"}
    assert by_name["Amy B."]["verdict"] == "duplicate", "the same pupil arriving again, after being admitted"
    assert by_name["Amy"]["verdict"] == "ambiguous" and by_name["Amy"]["pupil"] is None
    assert by_name["Mum - Zoë L"]["pupil"]["first_name"] == "Zoë"
    assert by_name["Tom's iPad"]["pupil"]["first_name"] == "Tom"  # the preferred name, as the teacher knows him
    assert by_name["Jack"]["verdict"] == "no_consent"
    assert by_name["iPad"] == {**by_name["iPad"], "verdict": "not_on_register", "reasons": ["device name"]}
    assert by_name["Mr Kelly"]["verdict"] == "staff" and by_name["Mr Kelly"]["staff"] == "Maxim Kelly"
    # the pupil Max K. is Max Kinvig: the full surname typed tells him from staff member Maxim Kelly
    assert by_name["Max Kelly"]["verdict"] == "staff" and by_name["Max Kelly"]["staff"] == "Maxim Kelly"
    for hostile in ("\u0410my K", "Amy K\u202e", "Amy\u200bK", "zoombomb lol"):
        assert by_name[hostile]["verdict"] == "suspicious"
    assert all(row["reasons"] for row in rows)
    assert 'line 12: no first name' in err, "the skipped register row is reported, away from the JSON"


def test_table_is_readable_marks_hidden_characters_and_sums_up(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--register", str(REGISTER), "--staff", str(STAFF), str(NAMES))
    assert status == 0
    assert "\u202e" not in out and "\u200b" not in out
    assert "Amy K⟦RLO⟧" in out and "Amy⟦ZWSP⟧K" in out
    lines = out.splitlines()
    assert lines[0].split() == ["line", "display", "name", "verdict", "who", "why"]
    amy_b = next(line for line in lines if line.startswith("1 "))
    assert "consented" in amy_b and "Amy B. (3B)" in amy_b
    assert "16 names against 10 pupils and 2 staff" in out
    assert "7 would be admitted; 9 held for the teacher. Nothing was stored." in out


def test_nothing_is_stored(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, _ = run(capsys, "--register", str(REGISTER), str(NAMES))
    assert status == 0
    assert not paths.register_db().exists()


def test_staff_list_is_optional(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--register", str(REGISTER), str(NAMES), "--json")
    rows = {row["name"]: row for row in map(json.loads, out.splitlines())}
    assert status == 0
    assert rows["Mr Kelly"]["verdict"] == "not_on_register"
    # with no staff list, Max K. (Max Kinvig) is the only Max, but Kelly is not his surname
    assert rows["Max Kelly"]["verdict"] == "not_on_register"


def test_a_full_surname_tells_a_pupil_from_a_staff_member_with_his_initial(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = tmp_path / "names.txt"
    names.write_text("Max Kelly\nMax Kinvig\nMax K\n", encoding="utf-8")
    status, out, _ = run(capsys, "--register", str(REGISTER), "--staff", str(STAFF), str(names), "--json")
    rows = {row["name"]: row for row in map(json.loads, out.splitlines())}
    assert status == 0
    assert rows["Max K"]["verdict"] == "duplicate", "Max is in: staff are never matched by a first name and initial"
    assert rows["Max Kelly"]["verdict"] == "staff"
    assert rows["Max Kinvig"]["verdict"] == "consented" and rows["Max Kinvig"]["pupil"]["first_name"] == "Max"
    assert "Kinvig" not in json.dumps([row["pupil"] for row in rows.values()]), "the surname is never shown"


def test_line_breaks_other_than_newline_stay_inside_a_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    names = tmp_path / "names.txt"
    names.write_bytes("Amy B\u2028Amy K\nZoe\x0bL\nAlexandra\n".encode())
    status, out, _ = run(capsys, "--register", str(REGISTER), str(names), "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert status == 0
    assert [row["verdict"] for row in rows] == ["suspicious", "suspicious", "consented"]


def test_names_file_not_in_utf8_is_refused_naming_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    names = tmp_path / "arrivals.txt"
    names.write_bytes("Amy B\nZo\u00eb L\n".encode("cp1252"))
    status, out, err = run(capsys, "--register", str(REGISTER), str(names))
    assert status == 1 and out == ""
    assert err.strip() == "zoomhost: arrivals.txt line 2 is not UTF-8 text. Save the list as UTF-8 and try again."


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "arrivals.txt: no such file."), (b"\n  \n\r\n", "arrivals.txt has no names in it.")],
)
def test_missing_or_empty_names_file_gets_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, message: str
) -> None:
    names = tmp_path / "arrivals.txt"
    if content is not None:
        names.write_bytes(content)
    status, out, err = run(capsys, "--register", str(REGISTER), str(names))
    assert status == 1 and out == ""
    assert err.startswith(f"zoomhost: {message}") and err.count("\n") == 1


def test_unusable_register_is_refused_before_any_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    register = tmp_path / "export.csv"
    register.write_text("Name,Favourite colour\nAmy,blue\n", encoding="utf-8")
    status, out, err = run(capsys, "--register", str(register), str(NAMES))
    assert status == 1 and out == ""
    assert err.startswith("zoomhost: export.csv") and "Traceback" not in err


def test_command_reads_files_wherever_they_are(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for source in (REGISTER, NAMES):
        shutil.copy(source, tmp_path / source.name)
    status, out, _ = run(capsys, "--register", str(tmp_path / "register.csv"), str(tmp_path / "names.txt"), "--json")
    assert status == 0 and len(out.splitlines()) == len(names_in_file())


def test_a_device_given_as_the_list_of_names_is_refused_at_once(tmp_path: Path) -> None:
    import os
    import resource
    import subprocess
    import sys

    register = tmp_path / "register.csv"
    register.write_text("First name,Surname,Class,Consent\nAmy,Brown,4B,yes\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "zoomhost", "dry-run", "--register", str(register), "/dev/zero"],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, env=dict(os.environ),
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)),  # reading without end fails fast
    )  # fmt: skip
    assert done.returncode == 1 and done.stdout == ""
    assert "zero: is not a file (a device, pipe or socket)" in done.stderr and "Traceback" not in done.stderr


def test_nul_and_direction_characters_never_reach_the_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Names, the register's cells and the reasons quoting them are printed the one way a name is shown."""
    register = tmp_path / "register.csv"
    register.write_text(
        "First name,Surname,Class,Zoom consent\n"
        "Amy,Bloggs,3B\u200b,yes\n"  # a class with a zero-width space: kept, and printed written out
        "Tom,Wright,3B,y\u202es\n",  # a consent no one can read: skipped, the reason quotes it
        encoding="utf-8",
    )
    names = tmp_path / "names.txt"
    names.write_bytes("Amy B\nAmy\u202eB\nNul\x00l\n\u2067Tom\u2069 W\n".encode())
    status, out, err = run(capsys, "--register", str(register), str(names))
    assert status == 0
    reached = sorted({f"U+{ord(ch):04X}" for ch in out + err if ch in "\x00\u200b\u202e\u2067\u2069"})
    assert reached == [], f"printed {reached}"
    assert "Amy B. (3B⟦ZWSP⟧)" in out and "Amy⟦RLO⟧B" in out and "Nul⟦U+0000⟧l" in out and "⟦RLI⟧Tom⟦PDI⟧ W" in out
    assert 'consent "y⟦RLO⟧s"' in err
