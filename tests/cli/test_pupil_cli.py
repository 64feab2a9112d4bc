"""`zoomhost pupil show|forget|erasures`: a subject access or erasure request, through the real command line.

The school, its register and its meetings are real (``tests/core/pupil_fixtures.py``): the real
classifier over a stored register, real journals, and SQLite's own secure delete switched off, so
only what zoomhost does itself can make the names go.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from tests.core.pupil_fixtures import (
    HER_NAMES,
    Meeting,
    all_files,
    files_holding,
    her_meetings,
    import_school,
    no_builtin_secure_delete,  # noqa: F401 - a fixture
    store,
)
from zoomhost.app.retention import START_UP, forget_what_is_due
from zoomhost.app.services import session_journals
from zoomhost.cli import main
from zoomhost.core.pupil_data import ERASED_NOTE


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def school(tmp_path: Path, no_builtin_secure_delete: None) -> tuple[str, str, str]:  # noqa: F811 - the fixture above
    import_school(tmp_path)
    meetings = her_meetings()
    # Her meetings are over: as every command does first, retention has cut their journals to what
    # their summaries need (what she typed is kept only where it is incident evidence).
    forget_what_is_due(trigger=START_UP)
    return meetings


def test_show_lists_her_register_entry_sessions_and_incidents(capsys, school) -> None:  # noqa: ANN001
    first, second, other = school
    code, out, err = _run(capsys, "pupil", "show", "Zephyrine Q. (Year 4)")
    assert code == 0, err
    assert out.startswith("Everything zoomhost holds about Zephyrine Q. (Year 4):")
    assert "Register: 1 entry" in out and "first name Zephyrine, surname initial Q, class Year 4, consent yes" in out
    assert "Registrant links:" in out
    assert "with records of this pupil: 2 (attended 2; 1 incident)" in out
    assert first in out and second in out and other not in out
    # her meetings are over, so what she typed was kept only as her first name, initial and class
    assert out.count("arrival  “Zephyrine Q. (Year 4)”  consented") == 2 and "Quillfeather" not in out
    assert "alarm  “Zephyrine Q”  duplicate" in out  # someone using her name
    assert "Amy" not in out and "Oliver" not in out  # nobody else's records
    assert "saved outside zoomhost's folders" in out  # what zoomhost cannot reach is said

    code, out, _ = _run(capsys, "pupil", "show", "zephyrine quillfeather", "--class", "year 4", "--json")
    records = json.loads(out)
    assert code == 0 and records["pupil"] == "Zephyrine Q. (Year 4)"
    assert [s["session_id"] for s in records["sessions"]] == [first, second]
    assert [s["incidents"] for s in records["sessions"]] == [1, 0]
    assert records["register"][0]["first_name"] == "Zephyrine"


def test_a_name_two_pupils_fit_is_refused_and_lists_them(capsys, school) -> None:  # noqa: ANN001
    code, out, err = _run(capsys, "pupil", "forget", "Amy", "--yes")
    assert code == 1 and out == ""
    assert "2 pupils fit “Amy”: Amy B. (Year 3) (on the register); Amy T. (Year 5) (on the register)." in err
    assert "surname initial and the class" in err and "Traceback" not in err
    assert len(store().pupils()) == 5 and not store().erasures()
    code, out, _ = _run(capsys, "pupil", "show", "Amy T")
    assert code == 0 and "Everything zoomhost holds about Amy T. (Year 5):" in out
    code, _, err = _run(capsys, "pupil", "show", "Nobody Atall (Year 9)")
    assert code == 1 and "no pupil called “Nobody Atall (Year 9)”" in err
    code, _, err = _run(capsys, "pupil", "show", "Amy B (Year 3)", "--class", "Year 5")
    assert code == 1 and "Give the class once" in err


def test_forget_leaves_none_of_her_names_in_any_file(capsys, caplog, school, zoomhost_home: Path) -> None:  # noqa: ANN001
    caplog.set_level(logging.INFO, logger="zoomhost")
    first, second, other = school
    assert files_holding(HER_NAMES, zoomhost_home)  # the test can see them before
    untouched = session_journals().path(other).read_bytes()

    code, out, err = _run(capsys, "pupil", "forget", "Zephyrine Q (Year 4)", "--yes")
    assert code == 0, err
    assert "Erased under reference E-" in out
    assert "1 register entry, 0 registrant links, 6 journal rows in 2 sessions." in out
    reference = out.split("Erased under reference ")[1].split(":")[0]

    assert files_holding(HER_NAMES, zoomhost_home) == []  # register, journals, their -wal/-shm, log, settings
    assert session_journals().path(other).read_bytes() == untouched  # a session without her is not touched
    assert [p.first_name for p in store().pupils()] == ["Amy", "Amy", "Oliver", "Mohammed"]

    # The sessions still add up: she is a reference now, everyone else is as they were.
    code, out, _ = _run(capsys, "summary", "show", first)
    assert "Attendance (2 pupils):" in out and f"(erased {reference})" in out and "Amy B." in out
    assert "Incidents (1):" in out and "Oliver S. (Year 3): no consent" in out

    # The erasure is journaled by its reference, never by her name.
    code, out, _ = _run(capsys, "pupil", "erasures")
    assert code == 0 and out.startswith(reference) and "1 register, 0 links, 6 journal rows in 2 sessions" in out
    with session_journals().open(first) as journal:
        notes = [e.detail for e in journal.entries() if e.detail.get("note") == ERASED_NOTE]
    assert notes == [{"note": ERASED_NOTE, "reference": reference, "rows": 4}]
    logged = [record.getMessage() for record in caplog.records if record.name.startswith("zoomhost")]
    assert any(f"reference {reference}: 1 register entries" in line for line in logged)
    assert not [line for line in logged for name in HER_NAMES if name.casefold() in line.casefold()]

    code, _, err = _run(capsys, "pupil", "show", "Zephyrine Q (Year 4)")
    assert code == 1 and "no pupil called" in err


def test_a_pupil_only_the_sessions_remember_is_found_and_erased(capsys, school, zoomhost_home: Path) -> None:  # noqa: ANN001
    from dataclasses import replace

    from zoomhost.core.register import read_register_file

    source = zoomhost_home / "leavers.csv"
    source.write_text("Forename,Surname,Class,Zoom consent\nAmy,Brown,Year 3,yes\n", encoding="utf-8")
    store().replace_pupils(replace(read_register_file(source)))  # she has left the register since
    code, out, _ = _run(capsys, "pupil", "show", "Zephyrine")
    assert code == 0 and "Register: 0 entries" in out and "attended 2" in out
    code, out, _ = _run(capsys, "pupil", "forget", "Zephyrine", "--yes")
    assert code == 0 and "0 register entries" in out and "in 2 sessions" in out
    assert files_holding(HER_NAMES, zoomhost_home) == []


def test_forget_asks_first_and_without_a_terminal_needs_yes(capsys, school, monkeypatch) -> None:  # noqa: ANN001
    code, out, err = _run(capsys, "pupil", "forget", "Zephyrine Q (Year 4)")
    assert code == 1 and "Nothing was erased: add --yes" in err
    assert "“Zephyrine Q. (Year 4)”  consented" in out and "“Zephyrine Q”  duplicate" in out  # what it would erase
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    code, out, _ = _run(capsys, "pupil", "forget", "Zephyrine Q (Year 4)")
    assert code == 1 and out.rstrip().endswith("Nothing was erased.")
    assert len(store().pupils()) == 5 and store().erasures() == []
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    code, out, _ = _run(capsys, "pupil", "forget", "Zephyrine Q (Year 4)")
    assert code == 0 and "Erased under reference" in out


def _contents(home: Path) -> dict[Path, bytes]:
    """The data files (not SQLite's shared-memory index, which any reader touches)."""
    return {path: path.read_bytes() for path in all_files(home / "data") if not path.name.endswith("-shm")}


def test_a_session_still_running_is_not_rewritten(capsys, tmp_path: Path, zoomhost_home: Path) -> None:
    import_school(tmp_path)
    running = Meeting("Live now", days_ago=0)
    running.comes_in("p1", "Zephyrine Quillfeather")
    before = _contents(zoomhost_home)
    code, _, err = _run(capsys, "pupil", "forget", "Zephyrine Q (Year 4)", "--yes")
    assert code == 1 and f"the session {running.session_id} has records of this pupil and may still be running" in err
    assert "End it on the Live page" in err
    assert _contents(zoomhost_home) == before
    running.end()
    code, out, _ = _run(capsys, "pupil", "forget", "Zephyrine Q (Year 4)", "--yes")
    assert code == 0 and "in 1 session." in out


def test_two_register_entries_with_one_name_are_erased_only_together(capsys, tmp_path: Path) -> None:
    source = tmp_path / "twins.csv"
    source.write_text(
        "Forename,Surname,Class,Zoom consent\nSam,Lee,Year 2,yes\nSam,Lowe,Year 2,no\nAmy,Brown,Year 3,yes\n",
        encoding="utf-8",
    )
    from zoomhost.core.register import read_register_file

    store().replace_pupils(read_register_file(source))
    code, out, _ = _run(capsys, "pupil", "show", "Sam L (Year 2)")
    assert code == 0 and "Register: 2 entries" in out
    code, _, err = _run(capsys, "pupil", "forget", "Sam L (Year 2)", "--yes")
    assert code == 1 and "2 register entries are all Sam L. (Year 2)" in err and "--all-entries" in err
    assert len(store().pupils()) == 3
    code, out, _ = _run(capsys, "pupil", "forget", "Sam L (Year 2)", "--yes", "--all-entries")
    assert code == 0 and "2 register entries" in out
    assert [p.first_name for p in store().pupils()] == ["Amy"]


def test_the_register_file_is_private_after_an_erasure(capsys, school) -> None:  # noqa: ANN001
    _run(capsys, "pupil", "forget", "Zephyrine Q (Year 4)", "--yes")
    assert os.stat(store().db_path).st_mode & 0o077 == 0
