"""The Summary page's incident report: exported for the safeguarding lead, and the sessions about to be lost named."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from tests.conftest import require_executable
from tests.ui.live_fixtures import MEETING, T0, classify, event
from zoomhost.app.services import session_journals
from zoomhost.core.events import EventKind
from zoomhost.core.session import LiveSession
from zoomhost.system.runtime import AsyncRunner
from zoomhost.ui.summary_page import SummaryPage

WAIT_MS = 15_000


@pytest.fixture
def runner() -> Iterator[AsyncRunner]:
    with AsyncRunner(name="incident-test-io") as running:
        yield running


def meeting(*, bomber: bool, topic: str = "Assembly") -> str:
    """A short real (not rehearsal) meeting long past its retention (it started in 2024): a zoombomber with markup
    for a name, or not."""
    journal = session_journals().create(meeting_id=MEETING, topic=topic, planned_minutes=30, started_at=T0, rehearsal=False)
    session = LiveSession(journal=journal, classify=classify, expected_pupils=2)
    session.apply(event(EventKind.STARTED, "", seconds=0))
    session.apply(event(EventKind.WAITING_JOINED, "p1", "Pupil001", seconds=1))
    if bomber:
        session.apply(event(EventKind.WAITING_JOINED, "x", "<b>Bomber</b>", seconds=2))
    session.apply(event(EventKind.ENDED, "", seconds=60))
    session_id = session.journal.session_id
    session.journal.close()
    return session_id


@pytest.fixture
def page(qtbot, runner: AsyncRunner, tmp_path: Path) -> SummaryPage:  # noqa: ANN001
    widget = SummaryPage(runner=runner, export_folder=tmp_path, retention_days=lambda: 30)
    qtbot.addWidget(widget)
    return widget


def test_a_session_with_incidents_exports_its_report_and_stops_being_named(qtbot, page: SummaryPage, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    quiet = meeting(bomber=False)
    loud = meeting(bomber=True)
    page.show()
    qtbot.waitUntil(lambda: page.due.isVisible(), timeout=WAIT_MS)
    warning = page.due.text.text()
    assert warning.startswith("Incident reports not yet exported: 1 session(s) with incidents are deleted within 7 days")
    assert f"{loud}" in warning and "Assembly: 1 incident, deleted by the next purge" in warning and quiet not in warning

    with qtbot.waitSignal(page.summary_shown, timeout=WAIT_MS):
        page.show_session(quiet)
    assert not page.incidents_button.isEnabled()  # nothing to report
    with qtbot.waitSignal(page.summary_shown, timeout=WAIT_MS):
        page.show_session(loud)
    assert page.incidents_button.isEnabled()

    asked: list[str] = []

    def save_as(parent, caption, suggested, file_filter):  # noqa: ANN001, ANN202 - QFileDialog's shape
        asked.append(suggested)
        return str(tmp_path / "for-the-dsl"), file_filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_as))
    with qtbot.waitSignal(page.exported, timeout=20_000) as written:
        page.incidents_button.click()
    pdf = written.args[0]
    assert pdf == tmp_path / "for-the-dsl.pdf" and asked[0].endswith(f"incident-report-{loud}.pdf")
    assert page.messages.kind == "pass"
    assert page.messages.text.text().startswith("Saved the incident report (1 incident) for the safeguarding lead:")
    text = subprocess.run([require_executable("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "<b>Bomber</b>" in text  # the markup as typed, as text
    qtbot.waitUntil(lambda: not page.due.isVisible(), timeout=WAIT_MS)
    assert page.due_reports == []


def test_a_topic_from_zoom_is_shown_as_plain_text_in_the_warning(qtbot, page: SummaryPage) -> None:  # noqa: ANN001
    meeting(bomber=True, topic="<font color=#fff>Assembly</font>")
    page.show()
    qtbot.waitUntil(lambda: page.due.isVisible(), timeout=WAIT_MS)
    assert "<font color=#fff>Assembly</font>: 1 incident" in page.due.text.text()
    assert page.due.text.textFormat() == Qt.TextFormat.PlainText


def test_rehearsals_are_never_named(qtbot, page: SummaryPage) -> None:  # noqa: ANN001
    journal = session_journals().create(meeting_id=MEETING, topic="Practice", planned_minutes=30, started_at=T0, rehearsal=True)
    LiveSession(journal=journal, classify=classify, expected_pupils=1).apply(
        event(EventKind.WAITING_JOINED, "x", "<b>Bomber</b>", seconds=2)
    )
    journal.close()
    with qtbot.waitSignal(page.due_checked, timeout=WAIT_MS) as checked:
        page.show()
    assert checked.args == [[]] and not page.due.isVisible()
