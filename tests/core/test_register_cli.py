"""`zoomhost register import|show` as a teacher or IT lead uses it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from zoomhost import cli
from zoomhost.system import paths
from zoomhost.core.register import RegisterStore

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "registers"
REPO = Path(__file__).resolve().parents[2]


def stored() -> RegisterStore:
    return RegisterStore(db_path=paths.register_db())


def test_import_prints_the_preview_and_stores(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["register", "import", str(SAMPLES / "bad-rows.csv")]) == 0
    out = capsys.readouterr().out
    assert "Pupils kept: 4 (1 with consent, 3 without)" in out
    assert "Rows skipped: 4" in out and "line 3: no first name" in out
    assert "Consent unclear: 1" in out and 'line 5: consent "maybe"' in out
    assert "Stored: the register now holds 4 pupils." in out
    assert [p.first_name for p in stored().pupils()][0::3] == ["Amy", "Gus"]
    assert [(p.first_name, p.consent) for p in stored().pupils()][1] == ("Cara", False)


def test_dry_run_stores_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["register", "import", str(SAMPLES / "arbor-utf8-comma.csv")]) == 0
    assert cli.main(["register", "import", "--dry-run", str(SAMPLES / "windows-1252-comma.csv")]) == 0
    out = capsys.readouterr().out
    assert "Pupils kept: 3" in out and "Dry run: nothing was stored" in out
    assert len(stored().pupils()) == 8


def test_an_unusable_file_is_one_line_and_leaves_the_register(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["register", "import", str(SAMPLES / "arbor-utf8-comma.csv")]) == 0
    before = stored().pupils()
    capsys.readouterr()
    assert cli.main(["register", "import", str(SAMPLES / "unusable-no-header.csv")]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("zoomhost: unusable-no-header.csv line 1: no column for first names (looked for:")
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert stored().pupils() == before


def test_show_gives_counts_per_class_not_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["register", "show"]) == 0
    assert "No register imported yet" in capsys.readouterr().out
    cli.main(["register", "import", str(SAMPLES / "arbor-utf8-comma.csv")])
    capsys.readouterr()
    assert cli.main(["register", "show"]) == 0
    out = capsys.readouterr().out
    assert "from arbor-utf8-comma.csv: 8 pupils, 5 with consent" in out
    assert [line.split() for line in out.splitlines()[2:]] == [["3B", "3/3"], ["4A", "1/3"], ["6C", "1/2"]]
    assert "Amy" not in out

    assert cli.main(["register", "show", "--names"]) == 0
    out = capsys.readouterr().out
    assert "Amy B.  3B  consent" in out and "Sam S.  4A  NO consent" in out
    assert "Bloggs" not in out


def test_staff_import_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["register", "import", "--staff", str(SAMPLES / "staff-names-emails.csv")]) == 0
    out = capsys.readouterr().out
    assert "Staff kept: 3" in out and "Stored: the staff list now holds 3 adults." in out
    assert [m.name for m in stored().staff()] == ["Jane Kinrade", "Dev Sharma", "Ruth Cain"]
    assert stored().pupils() == []
    assert cli.main(["register", "show", "--staff", "--names"]) == 0
    out = capsys.readouterr().out
    assert "3 adults" in out and "Dev Sharma <d.sharma@school.example>" in out


def test_import_removes_leavers_whose_august_has_passed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "pupils.csv"
    csv.write_text("Forename,Consent,Leaving Date\nAmy,yes,\nOld,yes,20/07/2001\n", encoding="utf-8")
    assert cli.main(["register", "import", str(csv)]) == 0
    assert "Removed 1 leavers whose retention ended" in capsys.readouterr().out
    assert [p.first_name for p in stored().pupils()] == ["Amy"]


def test_import_through_a_real_process(tmp_path: Path) -> None:
    env = {**os.environ, "ZOOMHOST_HOME": str(tmp_path / "home")}
    run = subprocess.run(
        [sys.executable, "-m", "zoomhost", "register", "import", str(SAMPLES / "excel-utf16-tab.txt")],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "excel-utf16-tab.txt (Excel's “Unicode Text”, columns split at tabs)" in run.stdout
    assert "Pupils kept: 4 (2 with consent, 2 without)" in run.stdout
    assert (tmp_path / "home" / "data" / "register.sqlite3").is_file()

    bad = subprocess.run(
        [sys.executable, "-m", "zoomhost", "register", "import", str(SAMPLES / "unusable-binary.csv")],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert bad.returncode == 1
    assert bad.stderr.startswith("zoomhost: unusable-binary.csv line 1: this is not a CSV text file")
    assert len(bad.stderr.strip().splitlines()) == 1


# -- what is refused before a byte is read --------------------------------------------------------
def _import_in_a_child(path: str, *, home: Path) -> subprocess.CompletedProcess[str]:
    """`zoomhost register import PATH` in its own process, with a memory ceiling: reading without end fails fast."""
    import resource

    def ceiling() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run(
        [sys.executable, "-m", "zoomhost", "register", "import", path],
        capture_output=True, text=True, timeout=60, preexec_fn=ceiling, stdin=subprocess.DEVNULL,
        env={**os.environ, "ZOOMHOST_HOME": str(home), "PYTHONPATH": str(REPO)},
    )  # fmt: skip


def test_a_device_is_refused_at_once_and_the_register_kept(zoomhost_home: Path) -> None:
    assert cli.main(["register", "import", str(SAMPLES / "arbor-utf8-comma.csv")]) == 0
    before = stored().pupils()
    done = _import_in_a_child("/dev/zero", home=zoomhost_home)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("zoomhost: zero: is not a file (a device, pipe or socket).") and "Traceback" not in done.stderr
    assert stored().pupils() == before


def test_a_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import threading

    fifo = tmp_path / "register.csv"
    os.mkfifo(fifo, 0o600)
    status: list[int] = []
    reader = threading.Thread(target=lambda: status.append(cli.main(["register", "import", str(fifo)])), daemon=True)
    reader.start()
    reader.join(30)
    if reader.is_alive():  # it is waiting on the pipe: give it a writer and an end so the test run can go on
        with open(fifo, "wb"):
            pass
        pytest.fail("importing a pipe waited for someone to write to it")
    assert status == [1]
    assert "register.csv: is not a file (a device, pipe or socket)" in capsys.readouterr().err


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from zoomhost.core.register_text import MAX_BYTES

    huge = tmp_path / "huge.csv"
    with huge.open("wb") as out:
        out.write(b"First name,Class,Consent\n")
        out.truncate(MAX_BYTES + 1)  # sparse: no disk spent, but its size says what reading it would cost
    assert cli.main(["register", "import", str(huge)]) == 1
    assert "huge.csv: is 20 MB, far too large for a register" in capsys.readouterr().err
