"""`zoomhost sessions`, `summary show|export` and `purge`, driven through the real command line."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.core.live_helpers import MEETING, record_small_meeting
from zoomhost.app.services import session_journals
from zoomhost.core.retention import minimise
from zoomhost.system import config
from zoomhost.cli import main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _a_school_that_keeps_sessions_for_years() -> None:
    """The meetings recorded here are dated 2024; every command first deletes what is past the school's
    retention, so these tests are run for a school that keeps its sessions for years."""
    config.save_settings(replace(config.Settings(), session_retention_days=36_500))


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_sessions_lists_newest_first(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "sessions")
    assert code == 0 and "No sessions are kept" in out
    record_small_meeting(topic="Friday assembly", kept_in=session_journals()).close()
    later = datetime.now(UTC)
    session_journals().create(meeting_id="123", topic="Class 3 story", planned_minutes=20, started_at=later, rehearsal=True).close()
    code, out, _ = _run(capsys, "sessions")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert "Class 3 story" in lines[0] and "[rehearsal]" in lines[0] and "Friday assembly" in lines[1]
    code, out, _ = _run(capsys, "sessions", "--json")
    assert [json.loads(line)["topic"] for line in out.splitlines()] == ["Class 3 story", "Friday assembly"]


def test_summary_show_prints_what_happened(capsys: pytest.CaptureFixture[str]) -> None:
    journal = record_small_meeting(kept_in=session_journals())
    journal.close()
    code, out, _ = _run(capsys, "summary", "show", journal.session_id)
    assert code == 0
    assert "Attendance (3 pupils):" in out and "Chloé D." in out and "rejoined 1x" in out
    assert "Oliver S. (Year 3): no consent" in out and "(name not kept): not on register" in out
    assert "Lock meeting (autopilot): done" in out
    code, out, _ = _run(capsys, "summary", "show", "latest", "--json")
    assert code == 0 and json.loads(out)["session"]["session_id"] == journal.session_id


def test_control_characters_in_names_do_not_reach_the_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.core.live_helpers import CONSENTED, T0, Clock, classify, event
    from zoomhost.core.events import EventKind
    from zoomhost.core.session import LiveSession

    with session_journals().create(meeting_id=MEETING, topic="x", planned_minutes=30, started_at=T0, rehearsal=False) as j:
        session = LiveSession(journal=j, classify=classify, expected_pupils=CONSENTED, clock=Clock())
        session.apply(event(EventKind.JOINED, "p1", "\x1b[2Jboom\x07", seconds=1))
    code, out, _ = _run(capsys, "summary", "show", "latest")
    # shown the one way every display name is shown (the table, dry-run, the summary's other forms)
    assert code == 0 and "⟦U+001B⟧[2Jboom⟦U+0007⟧" in out and "\x1b" not in out and "\x07" not in out


def test_nul_and_direction_characters_never_reach_the_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    """The topic (Zoom's), display names (strangers'), and Zoom's words about a failed command, in every form printed."""
    from tests.core.live_helpers import CONSENTED, T0, Clock, classify, event
    from zoomhost.core.events import EventKind
    from zoomhost.core.session import LiveSession

    topic = "Assembly\u202e \x00\u2066tpircs\u2069"
    strangers = {"x1": "Amy\u202eB.ecnesnoc si", "x2": "Nul\x00l\u200b", "x3": "\u2067Mo\u2069 K\u200f"}
    with session_journals().create(meeting_id=MEETING, topic=topic, planned_minutes=30, started_at=T0, rehearsal=False) as j:
        session = LiveSession(journal=j, classify=classify, expected_pupils=CONSENTED, clock=Clock())
        for n, (pid, name) in enumerate(strangers.items()):
            session.apply(event(EventKind.WAITING_JOINED, pid, name, seconds=n))
            session.apply(event(EventKind.ADMITTED, pid, seconds=10 + n))
        session.record_command("remove", actor="teacher", participant_id="x1", command_id="c1")
        session.record_result("c1", False, "Zoom said: \u202eerror\x00")
    hidden = ("\x00", "\x1b", "\u200b", "\u200f", "\u202e", "\u2066", "\u2067", "\u2069")
    for argv in (("sessions",), ("sessions", "--json"), ("summary", "show", "latest"), ("summary", "show", "latest", "--json")):
        code, out, err = _run(capsys, *argv)
        assert code == 0, err
        reached = [f"U+{ord(ch):04X}" for ch in hidden if ch in out + err]
        assert reached == [], f"zoomhost {' '.join(argv)} printed {reached}"
    _, listed, _ = _run(capsys, "sessions")
    assert "Assembly⟦RLO⟧ ⟦U+0000⟧⟦LRI⟧tpircs⟦PDI⟧" in listed
    _, shown, _ = _run(capsys, "summary", "show", "latest")
    assert "Amy⟦RLO⟧B.ecnesnoc si" in shown and "Nul⟦U+0000⟧l⟦ZWSP⟧" in shown and "⟦RLI⟧Mo⟦PDI⟧ K⟦RLM⟧" in shown
    assert "failed: Zoom said: ⟦RLO⟧error⟦U+0000⟧" in shown
    # JSON keeps every value exact (a script reading it gets what was typed), written as \\u escapes.
    _, listed, _ = _run(capsys, "sessions", "--json")
    assert json.loads(listed)["topic"] == topic and "\\u202e" in listed
    _, out, _ = _run(capsys, "summary", "show", "latest", "--json")
    assert json.loads(out)["session"]["topic"] == topic


def test_an_unknown_session_is_one_plain_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "summary", "show", "20240101-000000-abcdef")
    assert code == 1 and out == ""
    assert err.startswith("zoomhost: no session '20240101-000000-abcdef'") and "zoomhost sessions" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    code, _, err = _run(capsys, "summary", "show", "../../etc/passwd")
    assert code == 1 and "not a session name" in err


def test_export_csv(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    journal = record_small_meeting(kept_in=session_journals())
    journal.close()
    out_file = tmp_path / "summary.csv"
    code, out, _ = _run(capsys, "summary", "export", journal.session_id, "--format", "csv", "--out", str(out_file))
    assert code == 0 and str(out_file) in out
    with out_file.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {"attendance", "incident", "action"} <= {row["section"] for row in rows}
    assert any(row["name"] == "'=cmd|' /C calc'!A0" for row in rows)


def test_export_to_a_missing_folder_says_so(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    record_small_meeting(kept_in=session_journals()).close()
    code, _, err = _run(capsys, "summary", "export", "latest", "--format", "csv", "--out", str(tmp_path / "nope" / "s.csv"))
    assert code == 1 and "does not exist" in err


@pytest.mark.parametrize("fmt", ["csv", "pdf"])
def test_export_never_replaces_a_journal_or_lands_among_zoomhosts_files(
    capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    journal = record_small_meeting(kept_in=session_journals())
    minimise(journal)  # as closing the session does: the file is as it stays
    journal.close()
    before = journal.path.read_bytes()
    code, _, err = _run(capsys, "summary", "export", journal.session_id, "--format", fmt, "--out", str(journal.path))
    assert code == 1 and "inside zoomhost's data folder" in err and "Traceback" not in err
    assert journal.path.read_bytes() == before
    code, out, _ = _run(capsys, "summary", "show", journal.session_id)
    assert code == 0 and "Attendance (3 pupils):" in out


def test_export_pdf_from_a_plain_terminal_without_a_display(tmp_path: Path) -> None:
    """No Qt application and no display: the export makes its own offscreen one."""
    record_small_meeting(topic="Assemblée", kept_in=session_journals()).close()
    out_file = tmp_path / "summary.pdf"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")}
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run(
        [sys.executable, "-m", "zoomhost", "summary", "export", "latest", "--format", "pdf", "--out", str(out_file)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert out_file.read_bytes().startswith(b"%PDF-") and out_file.stat().st_size > 1000


def _started(days_ago: int, topic: str) -> str:
    at = datetime.now(UTC) - timedelta(days=days_ago)
    with session_journals().create(meeting_id=MEETING, topic=topic, planned_minutes=30, started_at=at, rehearsal=False) as j:
        return j.session_id


def test_purge_uses_the_configured_retention_and_dry_run_removes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    config.save_settings(replace(config.Settings(), session_retention_days=10))
    old = _started(20, "Old assembly")
    recent = _started(2, "Recent class")

    code, out, _ = _run(capsys, "purge", "--dry-run")
    assert code == 0
    assert "Would remove 1 session journal(s)" in out and "(retention 10 days); 1 kept." in out
    assert "Old assembly" in out and "Recent class" not in out and "Nothing was removed (dry run)." in out
    assert session_journals().session_ids() == sorted([old, recent])

    code, out, _ = _run(capsys, "purge")
    assert code == 0 and "Removed 1 session journal(s)" in out
    assert session_journals().session_ids() == [recent]


def test_purge_removes_leavers_from_the_stored_register(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    register = tmp_path / "register.csv"
    last_year = date.today().year - 1
    register.write_text(
        f"Forename,Surname,Class,Zoom consent,Leaving date\nAmy,Bloggs,Year 6,yes,{last_year}-07-19\nMo,Khan,Year 5,yes,\n",
        encoding="utf-8",
    )
    from zoomhost.system import paths
    from zoomhost.core.register import read_register_file
    from zoomhost.core.register_store import RegisterStore

    # Stored directly: `register import` already drops leavers whose August has passed.
    RegisterStore(db_path=paths.register_db()).replace_pupils(read_register_file(register))
    code, out, _ = _run(capsys, "purge")
    assert code == 0 and "Removed 1 pupil(s) from the register" in out and "Amy B. (Year 6)" in out
    code, out, _ = _run(capsys, "purge")
    assert "Removed 0 pupil(s)" in out


def test_every_command_first_forgets_what_is_past_retention_and_says_so_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    from zoomhost.app.services import retention_log

    config.save_settings(replace(config.Settings(), session_retention_days=10))
    old = _started(20, "Old assembly")
    recent = _started(2, "Recent class")
    code, out, err = _run(capsys, "sessions", "--json")
    assert code == 0 and [json.loads(line)["session_id"] for line in out.splitlines()] == [recent]  # JSON untouched
    assert err == "zoomhost: 1 session older than 10 days deleted\n"
    (record,) = retention_log().records()
    assert (record.trigger, record.sessions_deleted, record.session_retention_days) == ("start-up", (old,), 10)

    code, out, err = _run(capsys, "sessions")
    assert code == 0 and err == "" and "Recent class" in out  # nothing more was due: nothing is said

    older = _started(30, "Older still")
    code, out, _ = _run(capsys, "purge", "--dry-run")  # a dry run sees what is due: nothing went before it
    assert "Would remove 1 session journal(s)" in out and older in session_journals().session_ids()
    code, out, err = _run(capsys, "purge")
    assert "Removed 1 session journal(s)" in out and err == ""
    assert [r.trigger for r in retention_log().records()] == ["start-up", "purge"]


@pytest.mark.parametrize("argv", [["paths"], ["doctor", "--json"], ["credentials", "show"]])
def test_a_command_that_touches_no_stored_data_forgets_nothing(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    config.save_settings(replace(config.Settings(), session_retention_days=10))
    old = _started(20, "Old assembly")
    main(argv)
    assert "older than" not in capsys.readouterr().err
    assert old in session_journals().session_ids()  # it goes when a command that reads the journals runs


def test_a_dry_run_changes_nothing_retention_included(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    config.save_settings(replace(config.Settings(), session_retention_days=10))
    old = _started(20, "Old assembly")
    register = tmp_path / "register.csv"
    register.write_text("First name,Surname,Class,Consent\nAmy,Brown,Year 3,yes\n", encoding="utf-8")
    code, _, err = _run(capsys, "register", "import", str(register), "--dry-run")
    assert code == 0 and "older than" not in err
    assert old in session_journals().session_ids()
