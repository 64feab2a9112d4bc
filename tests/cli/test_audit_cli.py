"""`zoomhost audit` against the rehearsal Zoom over loopback: the JSON the headteacher's tools read, the
report as PDF (read back with pdftotext) and as a web page (Zoom's text escaped), and --fix."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import require_executable
from zoomhost import cli
from zoomhost.rehearsal.server import RehearsalServer
from zoomhost.system import paths

HOSTILE = "<script>alert('x')</script> Year 4 & <b>friends</b>"


@pytest.fixture
def server(zoomhost_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RehearsalServer]:
    with RehearsalServer() as running:
        monkeypatch.setenv("ZOOMHOST_API_BASE", running.api_base)
        monkeypatch.setenv("ZOOMHOST_OAUTH_BASE", running.oauth_base)
        monkeypatch.setenv("ZOOMHOST_ACCOUNT_ID", running.credentials.account_id)
        monkeypatch.setenv("ZOOMHOST_CLIENT_ID", running.credentials.client_id)
        monkeypatch.setenv("ZOOMHOST_CLIENT_SECRET", running.credentials.client_secret)
        yield running


def audit_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = cli.main(["audit", "--json", *args])
    return code, json.loads(capsys.readouterr().out)


def test_json_lists_hosts_meetings_worst_first_and_what_could_not_be_read(server: RehearsalServer, capsys) -> None:
    state = server.state
    code, data = audit_json(capsys)
    assert code == 3  # a meeting fails the protocol
    hosts = {h["email"]: h for h in data["hosts"]}
    assert {"k.christian@sch.im", "m.kelly@sch.im", "mr.quirk.teaching@gmail.com"} <= set(hosts)
    assert all(h.keys() >= {"id", "email", "failed", "warnings", "unknown"} for h in data["hosts"])
    assert "data_centers" in hosts["k.christian@sch.im"]["failed"]
    assert "data_centers" not in hosts["m.kelly@sch.im"]["failed"]  # the safe teacher
    meetings = data["meetings"]
    assert meetings[0]["meeting_id"] == str(state.assembly_meeting_id)
    failing = [len(m["failed"]) for m in meetings]
    assert failing == sorted(failing, reverse=True)
    for m in meetings:
        assert m.keys() >= {"meeting_id", "host", "topic", "start_time", "failed", "warnings", "unknown"}
    assert str(state.pmi_meeting_id) not in {m["meeting_id"] for m in meetings}
    assert data["unreadable"] == [] and data["whole_account"] is True
    assert data["counts"]["meetings"] == len(meetings) and data["counts"]["hosts"] == len(data["hosts"])


def test_days_ahead_narrows_the_meetings(server: RehearsalServer, capsys) -> None:
    _, week = audit_json(capsys)
    # The rehearsal's meetings are at 10:00 UTC one, two and three days after the day it starts, so two days
    # ahead always hold the assembly (10 to 34 hours away) and never the third day's meeting, at any hour.
    _, days = audit_json(capsys, "--days", "2")
    assert 0 < len(days["meetings"]) < len(week["meetings"])
    assert days["days"] == 2 and "next 2 days" in days["scope"]


def test_a_bad_report_name_or_period_is_one_plain_line_and_nothing_is_read(server: RehearsalServer, tmp_path, capsys) -> None:
    before = len(server.exchanges)
    assert cli.main(["audit", "--out", str(tmp_path / "audit.docx")]) == 1
    err = capsys.readouterr().err
    assert ".pdf or an .html" in err and "Traceback" not in err
    assert cli.main(["audit", "--days", "0"]) == 1
    assert "between 1 and 90 days" in capsys.readouterr().err
    assert len(server.exchanges) == before and not list(tmp_path.iterdir())


def test_the_pdf_report_has_the_date_account_counts_and_each_failing_meetings_fixes(server: RehearsalServer, tmp_path, capsys, qapp) -> None:  # noqa: ANN001
    # ``qapp``: the command lays the PDF out in this process; the suite's one QApplication must exist first
    pdftotext = require_executable("pdftotext")
    out = tmp_path / "audit.pdf"
    assert cli.main(["audit", "--out", str(out)]) == 3
    printed = capsys.readouterr().out
    assert f"Report written to {out}" in printed
    text = subprocess.run([pdftotext, "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "Zoom account audit against the school's protocol" in flat
    assert "Whole-school assembly" in flat and "k.christian@sch.im" in flat
    assert "Not routed through China" in flat and "Fix:" in flat
    assert "4 hosts" in flat and "meetings" in flat and "failing" in flat
    assert "UTC" in flat and "account:" in flat
    assert "Page 1 of" in flat


def test_the_html_report_escapes_zoom_text(server: RehearsalServer, tmp_path, capsys) -> None:
    state = server.state
    state.meeting(state.class_meeting_id).topic = HOSTILE
    out = tmp_path / "audit.html"
    assert cli.main(["audit", "--out", str(out)]) == 3
    page = out.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Year 4 &amp; &lt;b&gt;friends&lt;/b&gt;" in page
    assert "<script>" not in page and "<b>friends</b>" not in page


def test_the_report_never_goes_into_zoomhosts_own_folders(server: RehearsalServer, capsys) -> None:
    out = paths.log_dir() / "audit.html"
    assert cli.main(["audit", "--out", str(out)]) == 1
    assert "cannot be written inside zoomhost's" in capsys.readouterr().err
    assert not out.exists()


def test_fix_changes_what_zoom_allows_and_says_what_is_left(server: RehearsalServer, capsys) -> None:
    state = server.state
    code, data = audit_json(capsys, "--fix")
    applied = data["applied"]
    assert str(state.assembly_meeting_id) in applied["meetings_updated"]
    assert "k.christian@sch.im" in applied["hosts_updated"]
    assert applied["left_for_tomorrow"] == [] and applied["problems"] == []
    assert any("rename" in step for step in applied["manual_steps"])  # the account admin's, in the web portal
    assert state.meeting_payload(state.assembly_meeting_id)["settings"]["mute_upon_entry"] is True
    assert state.updates_used(state.host_id) == sum(
        1 for m in applied["meetings_updated"] if state.meeting_payload(int(m))["host_id"] == state.host_id
    )  # one update per meeting
    _, after = audit_json(capsys)
    assembly = next(m for m in after["meetings"] if m["meeting_id"] == str(state.assembly_meeting_id))
    assert "mute_on_entry" not in assembly["failed"] and "data_centers" not in assembly["failed"]


def test_fix_in_words_says_what_it_left_for_tomorrow(server: RehearsalServer, capsys) -> None:
    from zoomhost.zoom.client import UpdateBudget

    state = server.state
    budget = UpdateBudget()  # the count zoomhost keeps on this computer, so a later run remembers it
    for _ in range(budget.remaining(state.host_id)):
        budget.spend(state.host_id)  # the host's 100 meeting updates are used up today
    capsys.readouterr()
    cli.main(["audit", "--fix"])
    out = capsys.readouterr().out
    assert "left for tomorrow (Zoom allows 100 meeting updates per host a day)" in out
    assert str(state.assembly_meeting_id) in out
    assert state.updates_used(state.host_id) == 0
