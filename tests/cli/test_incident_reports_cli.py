"""`zoomhost summary export SESSION --format incidents-pdf`, and `purge` naming the incident reports about to be lost."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import require_executable
from tests.core.live_helpers import MEETING, Clock, classify, event, record_small_meeting
from zoomhost.app.retention import START_UP, forget_what_is_due
from zoomhost.app.services import session_journals
from zoomhost.cli import main
from zoomhost.core.events import EventKind
from zoomhost.core.retention import deletion_day
from zoomhost.core.session import LiveSession
from zoomhost.system import config


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _session(*, days_ago: int, topic: str, incident: bool = True) -> str:
    started = datetime.now(UTC) - timedelta(days=days_ago)
    with session_journals().create(meeting_id=MEETING, topic=topic, planned_minutes=30, started_at=started, rehearsal=False) as j:
        session = LiveSession(journal=j, classify=classify, expected_pupils=5, clock=Clock())
        session.apply(event(EventKind.WAITING_JOINED, "x", "Bоmber" if incident else "Amy B", seconds=1))
        return j.session_id


def test_the_incident_report_is_written_and_recorded_so_purge_stops_warning(capsys, tmp_path: Path, qapp) -> None:  # noqa: ANN001
    # ``qapp``: the export lays the PDF out in this process; the suite's one QApplication must exist
    # first, or the command makes a bare offscreen QGuiApplication that later widget tests would inherit.
    config.save_settings(replace(config.Settings(), session_retention_days=30))
    soon = _session(days_ago=27, topic="Class 4 story")
    overdue = _session(days_ago=45, topic="Old assembly")
    _session(days_ago=27, topic="Quiet class", incident=False)

    code, out, _ = _run(capsys, "purge", "--dry-run")
    assert code == 0
    assert "1 session(s) with incidents that a purge deletes now have no exported incident report:" in out
    assert f"{overdue}" in out and "Old assembly: 1 incident, deleted by the next purge" in out
    assert "1 session(s) with incidents are deleted within 7 days and have no exported incident report:" in out
    days = (deletion_day(session_journals().read_info(soon).started_at.date(), 30) - date.today()).days
    assert "Class 4 story: 1 incident, deleted on" in out and f"(in {days} days)" in out and 3 <= days <= 5
    assert "Quiet class" not in out
    assert "zoomhost summary export SESSION --format incidents-pdf --out FILE" in out

    pdf = tmp_path / "incidents.pdf"
    code, out, err = _run(capsys, "summary", "export", soon, "--format", "incidents-pdf", "--out", str(pdf))
    assert code == 0, err
    assert out.strip() == f"Wrote the incident report of {soon} (1 incident) to {pdf}"
    # Retention ran first, as before every command: the overdue session went, and it says so.
    assert "Old assembly: 1 incident" in err and overdue not in session_journals().session_ids()
    text = subprocess.run([require_executable("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Incident report: Class 4 story" in text and "Bоmber" in text

    code, out, _ = _run(capsys, "purge", "--dry-run")
    assert code == 0 and "Class 4 story" not in out and "Old assembly" not in out


def test_a_session_without_incidents_has_no_report_and_nothing_is_written(capsys, tmp_path: Path) -> None:  # noqa: ANN001
    quiet = _session(days_ago=1, topic="Quiet class", incident=False)
    out_file = tmp_path / "incidents.pdf"
    code, out, err = _run(capsys, "summary", "export", quiet, "--format", "incidents-pdf", "--out", str(out_file))
    assert code == 1 and out == "" and "has no incidents, so there is no incident report to export" in err
    assert not out_file.exists()


def test_the_report_never_lands_among_zoomhosts_files(capsys) -> None:  # noqa: ANN001
    config.save_settings(replace(config.Settings(), session_retention_days=36_500))  # the meeting is from 2024
    journal = record_small_meeting(kept_in=session_journals())
    journal.close()
    forget_what_is_due(trigger=START_UP)  # the meeting is over: cut to its summary's needs, as any command does first
    before = journal.path.read_bytes()
    code, _, err = _run(capsys, "summary", "export", journal.session_id, "--format", "incidents-pdf", "--out", str(journal.path))
    assert code == 1 and "inside zoomhost's data folder" in err
    assert journal.path.read_bytes() == before
