"""The Summary page: a kept session on screen, escaped, exported to CSV and PDF off the GUI thread."""

from __future__ import annotations

import csv
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from tests.conftest import require_executable
from tests.ui.live_fixtures import event, new_session
from zoomhost.core.events import EventKind
from zoomhost.core.journal import Actor
from zoomhost.core.summary import SessionSummary
from zoomhost.system.runtime import AsyncRunner
from zoomhost.ui.summary_page import SummaryPage


@pytest.fixture
def runner() -> Iterator[AsyncRunner]:
    with AsyncRunner(name="summary-test-io") as running:
        yield running


def finished_session() -> str:
    """A short meeting: two pupils in, a stranger with markup in the name let in then removed, ended."""
    session = new_session(expected=3)
    session.apply(event(EventKind.STARTED, "", seconds=0))
    for n, name in ((1, "Pupil001"), (2, "Pupil002"), (3, "<b>Bomber</b>")):
        session.apply(event(EventKind.WAITING_JOINED, f"p{n}", name, seconds=n))
        session.apply(event(EventKind.ADMITTED, f"p{n}", seconds=10 + n))
    session.record_command("remove", actor=Actor.TEACHER, participant_id="p3", command_id="c1")
    session.record_result("c1", True, "removed")
    session.record_command("end_for_all", actor=Actor.TEACHER, command_id="c2")
    session.record_result("c2", True, "ended")
    session_id = session.journal.session_id
    session.journal.close()
    return session_id


@pytest.fixture
def page(qtbot, runner: AsyncRunner, tmp_path: Path) -> SummaryPage:
    widget = SummaryPage(runner=runner, export_folder=tmp_path)
    qtbot.addWidget(widget)
    return widget


def test_a_kept_session_is_chosen_from_the_history_and_shown_escaped(qtbot, page: SummaryPage) -> None:
    session_id = finished_session()
    page.show()
    qtbot.waitUntil(lambda: page.sessions.count() == 1)
    assert page.summary is None and not page.csv_button.isEnabled()
    with qtbot.waitSignal(page.summary_shown, timeout=10_000):
        page.sessions.activated.emit(0)
    assert page.summary is not None and page.summary.session_id == session_id
    text = page.view.toPlainText()
    assert "Pupil001 K." in text and "Pupil002 K." in text
    assert "<b>Bomber</b>" in text  # the markup is shown as typed, never obeyed
    assert "&lt;b&gt;Bomber&lt;/b&gt;" in page.view.toHtml()
    assert page.csv_button.isEnabled() and page.pdf_button.isEnabled()
    assert page.sessions.currentData() == session_id
    assert page.sessions.accessibleName() == "Session"


def test_the_summary_exports_to_csv_and_pdf(qtbot, qtlog, page: SummaryPage, tmp_path: Path, monkeypatch) -> None:
    session_id = finished_session()
    with qtbot.waitSignal(page.summary_shown, timeout=10_000):
        page.show_session(session_id)
    out = tmp_path / "exports"
    out.mkdir()
    asked: list[str] = []

    def save_as(name: str):
        def dialog(parent, caption, suggested, file_filter):  # noqa: ANN001, ANN202 - QFileDialog's shape
            asked.append(suggested)
            return str(out / name), file_filter

        return dialog

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_as("summary")))
    with qtbot.waitSignal(page.exported, timeout=10_000) as written:
        page.csv_button.click()
    path = written.args[0]
    assert path == out / "summary.csv"  # the extension is added when the teacher leaves it off
    assert asked[0].endswith(f"meeting-summary-{session_id}.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    attended = sorted(row["name"] for row in rows if row["section"] == "attendance")
    assert attended == ["Pupil001 K.", "Pupil002 K."]
    assert any(row["section"] == "action" and row["action"] == "Remove" for row in rows)
    assert "Saved the summary as CSV" in page.messages.text.text()

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_as("summary.pdf")))
    before = len(qtlog.records)
    with qtbot.waitSignal(page.exported, timeout=20_000) as written:
        page.pdf_button.click()
    pdf = written.args[0]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
    assert b"Meeting summary" in data  # the document's title
    # Laid out off the GUI thread without a word from Qt (it used to warn six times about its timers).
    assert [record.message for record in qtlog.records[before:]] == []
    def page_text(number: int) -> str:
        pdftotext = [require_executable("pdftotext"), "-f", str(number), "-l", str(number), str(pdf), "-"]
        return " ".join(subprocess.run(pdftotext, capture_output=True, text=True, check=True).stdout.split())

    first, second = page_text(1), page_text(2)
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert "Safeguarding summary" in first and "2 incidents: 2 removed." in first and "Incidents" in first
    assert "Attendance" not in first and "Held, removed or not let in" not in first, "page one is the safeguarding summary"
    assert second.index("Held, removed or not let in") < second.index("The host's actions") < second.index("Attendance")


def test_a_cancelled_dialog_writes_nothing(qtbot, page: SummaryPage, tmp_path: Path, monkeypatch) -> None:
    with qtbot.waitSignal(page.summary_shown, timeout=10_000):
        page.show_session(finished_session())
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a: ("", "")))
    page.export("csv")
    qtbot.wait(200)
    assert not list(tmp_path.glob("**/*.csv"))
    assert not page.messages.isVisible() or page.messages.kind != "fail"


def test_a_folder_that_cannot_be_written_gives_plain_words(qtbot, page: SummaryPage, tmp_path: Path, monkeypatch) -> None:
    with qtbot.waitSignal(page.summary_shown, timeout=10_000):
        page.show_session(finished_session())
    missing = tmp_path / "no-such-folder" / "summary.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a: (str(missing), "")))
    page.export("csv")
    qtbot.waitUntil(lambda: page.messages.kind == "fail", timeout=10_000)
    words = page.messages.text.text()
    assert "cannot be written" in words and "Traceback" not in words


@pytest.mark.parametrize("kind", ["pdf", "csv"])
def test_the_window_never_exports_into_zoomhosts_own_folders(qtbot, page: SummaryPage, monkeypatch, kind: str) -> None:
    """The same destination check as `zoomhost summary export`: an export can never land among (or replace)
    the register, a session's journal, the settings or the logs, whichever folder the teacher picks."""
    from zoomhost.app.services import own_folders, session_journals

    session_id = finished_session()
    with qtbot.waitSignal(page.summary_shown, timeout=10_000):
        page.show_session(session_id)
    journal = next(session_journals().folder.glob(f"{session_id}*"))
    targets = [(name, folder / f"summary.{kind}") for name, folder in own_folders().items()]
    targets.append(("data", journal))  # "save as" over the session's own journal
    for name, target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        before = {p: p.read_bytes() for p in target.parent.iterdir() if p.is_file()}
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, target=target: (str(target), "")))
        page.messages.clear()
        page.export(kind)
        qtbot.waitUntil(lambda: page.messages.kind in ("fail", "pass"), timeout=20_000)
        words = page.messages.text.text()
        assert page.messages.kind == "fail", f"exported into zoomhost's {name} folder: {words}"
        assert f"cannot be written inside zoomhost's {name} folder" in words and "Traceback" not in words, words
        after = {p: p.read_bytes() for p in target.parent.iterdir() if p.is_file()}
        assert after == before, f"the {kind.upper()} export touched zoomhost's {name} folder"


def test_export_without_a_summary_says_what_to_do(page: SummaryPage, monkeypatch) -> None:
    def never(*args):  # noqa: ANN002, ANN202
        raise AssertionError("no dialog without a summary")

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(never))
    page.export("pdf")
    assert page.messages.kind == "warn" and "Choose a session" in page.messages.text.text()


def test_the_session_that_just_ended_is_handed_over_directly(qtbot, page: SummaryPage) -> None:
    session_id = finished_session()
    from zoomhost.app.services import session_journals

    with session_journals().open(session_id) as journal:
        summary = SessionSummary.from_journal(journal)
    page.show_summary(summary)
    assert "Pupil002 K." in page.view.toPlainText()
    assert page.summary is summary


def test_an_unreadable_session_is_explained(qtbot, page: SummaryPage) -> None:
    page.show_session("20240101-000000-abcdef")
    qtbot.waitUntil(lambda: page.messages.kind == "fail", timeout=10_000)
    assert "no session" in page.messages.text.text()
    assert page.summary is None


def test_a_pdf_laid_out_on_the_io_thread_gets_no_warning_from_qt(qapp, qtlog, runner: AsyncRunner, tmp_path: Path) -> None:
    """The page exports on the I/O thread's workers, threads Qt did not start: Qt's text layout needs
    timers there, and printed six warnings for every export before it was given a thread of its own."""
    from zoomhost.app.summaries import export_summary, session_summary
    from zoomhost.ui.pdf import write_pdf

    session = new_session(expected=200)  # an assembly: pages of attendance, which Qt lays out a piece at a time
    session.apply(event(EventKind.STARTED, "", seconds=0))
    for n in range(1, 201):
        session.apply(event(EventKind.WAITING_JOINED, f"p{n}", f"Pupil{n:03d}", seconds=n))
        session.apply(event(EventKind.ADMITTED, f"p{n}", seconds=300 + n))
    session.record_command("end_for_all", actor=Actor.TEACHER, command_id="end")
    session.record_result("end", True, "ended")
    session.journal.close()
    summary = session_summary(session.journal.session_id)
    assert len(summary.attendance) >= 150  # (some are not consented on the practice register)
    before = len(qtlog.records)
    for n in range(2):  # the same worker, again
        out = tmp_path / f"summary-{n}.pdf"
        done = runner.call(lambda out=out: export_summary(summary, out, kind="pdf", write_pdf=write_pdf)).result(60)
        assert done.path.read_bytes().startswith(b"%PDF")
    assert [record.message for record in qtlog.records[before:]] == []
