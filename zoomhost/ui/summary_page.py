"""The Summary page: what happened in a meeting, on screen, with export to CSV and PDF.

It shows the session that just ended, or one chosen from the sessions kept on this computer.
The page is the summary's own HTML (every value escaped by its template) in a read-only
browser that follows no links; names, the topic and every other value from outside are
written out there and in the session list as the rest of the window shows them (``ui/text.py``).
Reading a journal and writing an export happen on the I/O thread, and an export goes only where
the command line's would (never into zoomhost's own folders); the page only ever holds what the
summary holds. A session
with incidents also exports its incident report (PDF) for the school's safeguarding system, and
the page names the sessions with incidents that retention deletes within a week before their
report was exported.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QTextBrowser, QVBoxLayout, QWidget

from zoomhost.app.incidents import (
    ExportedIncidentReport,
    configured_retention_days,
    export_incident_report,
    incident_reports_due,
)
from zoomhost.app.summaries import ExportedSummary, export_summary, kept_sessions, session_summary, summary_html
from zoomhost.core.incidents import WARN_DAYS, DueReport, IncidentReport
from zoomhost.core.journal import SessionInfo
from zoomhost.core.summary import SessionSummary
from zoomhost.system.runtime import AsyncRunner
from zoomhost.ui.text import heading, one_line, plain_label
from zoomhost.ui.widgets import BusyIndicator, FlowLayout, MessagePanel, action_button, run_task

FORMATS = {
    "csv": ("CSV", "Spreadsheet (*.csv)"),
    "pdf": ("PDF", "PDF document (*.pdf)"),
}


def _write_pdf(summary: SessionSummary, path: Path) -> Path:
    from zoomhost.ui.pdf import write_pdf

    return write_pdf(summary, path)


def _write_incident_pdf(report: IncidentReport, path: Path) -> Path:
    from zoomhost.ui.pdf import write_incident_pdf

    return write_incident_pdf(report, path)


def session_title(info: SessionInfo) -> str:
    started = info.started_at.astimezone().strftime("%a %d %b %Y, %H:%M")
    return f"{started} — {one_line(info.topic)}" + (" (rehearsal)" if info.rehearsal else "")


class SummaryPage(QWidget):
    """The session summary on screen, from the session that just ended or from the history."""

    summary_shown = Signal(object)  # the SessionSummary now on screen
    exported = Signal(object)  # the Path written
    due_checked = Signal(object)  # the DueReport list, each time the sessions about to be lost are checked

    def __init__(
        self,
        *,
        runner: AsyncRunner,
        parent: QWidget | None = None,
        export_folder: Path | None = None,
        retention_days: Callable[[], int] = configured_retention_days,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("Meeting summary")
        self._runner = runner
        self._retention_days = retention_days  # asked each time: Settings may change it
        self.due_reports: list[DueReport] = []
        self._summary: SessionSummary | None = None
        self._sessions: list[SessionInfo] = []
        self._folder = export_folder or Path.home()
        self._wanted: str | None = None  # the session to select once the list has loaded

        layout = QVBoxLayout(self)
        layout.addWidget(heading("Meeting summary", self))

        row = QHBoxLayout()
        chooser_label = plain_label("&Session:", self)
        self.sessions = QComboBox(self)
        self.sessions.setAccessibleName("Session")
        self.sessions.setAccessibleDescription("Sessions kept on this computer, newest first")
        self.sessions.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.sessions.setMinimumContentsLength(16)  # fits beside Zoom; wider windows give it the room
        self.sessions.setPlaceholderText("No sessions kept yet")
        chooser_label.setBuddy(self.sessions)
        self.refresh_button = action_button(
            "&Refresh list", tooltip="Read the list of sessions kept on this computer again", parent=self
        )
        row.addWidget(chooser_label)
        row.addWidget(self.sessions, 1)
        row.addWidget(self.refresh_button)
        layout.addLayout(row)

        self.view = QTextBrowser(self)
        self.view.setTabChangesFocus(True)  # Tab goes on to the export buttons; the arrow keys scroll
        self.view.setObjectName("summaryView")
        self.view.setAccessibleName("Summary")
        self.view.setOpenLinks(False)
        self.view.setOpenExternalLinks(False)
        self.view.setPlaceholderText("The summary appears here when a meeting ends, or choose a session above.")
        layout.addWidget(self.view, 1)

        buttons = FlowLayout()  # wraps beside Zoom
        self.csv_button = action_button(
            "Export &CSV…",
            accessible="Export CSV",
            tooltip="Save the summary as a spreadsheet file (formulas neutralised, readable by you only)",
            parent=self,
        )
        self.pdf_button = action_button(
            "Export &PDF…", accessible="Export PDF", tooltip="Save the summary as an A4 PDF", parent=self
        )
        self.incidents_button = action_button(
            "Export &incident report (PDF)…",
            accessible="Export incident report",
            tooltip="Save this session's incidents as a PDF for the school's safeguarding system, before retention deletes them",
            parent=self,
        )
        self.busy = BusyIndicator(self)
        buttons.addWidget(self.csv_button)
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(self.incidents_button)
        layout.addLayout(buttons)
        layout.addWidget(self.busy)
        self.messages = MessagePanel(self, name="Summary messages")
        layout.addWidget(self.messages)
        self.due = MessagePanel(self, name="Incident reports not exported")
        self.due.setObjectName("incidentReportsDue")
        layout.addWidget(self.due)

        QShortcut(QKeySequence("Ctrl+Shift+S"), self, activated=lambda: self.export("csv"))
        QShortcut(QKeySequence("Ctrl+P"), self, activated=lambda: self.export("pdf"))
        self.refresh_button.clicked.connect(self.refresh_sessions)
        self.sessions.activated.connect(self._chosen)
        self.csv_button.clicked.connect(lambda: self.export("csv"))
        self.pdf_button.clicked.connect(lambda: self.export("pdf"))
        self.incidents_button.clicked.connect(self.export_incidents)
        self._enable()

    # -- what is shown ---------------------------------------------------------------------------

    @property
    def summary(self) -> SessionSummary | None:
        return self._summary

    def show_summary(self, summary: SessionSummary) -> None:
        """Put ``summary`` on screen (the live panel hands over the session that just ended)."""
        self._summary = summary
        self.view.setHtml(summary_html(summary))
        self.messages.clear()
        self._select(summary.session_id)
        if summary.session_id and self.sessions.findData(summary.session_id) < 0:
            self._wanted = summary.session_id
            self.refresh_sessions()  # a session that just ended: the list says it too
        self._enable()
        self.summary_shown.emit(summary)

    def show_session(self, session_id: str) -> None:
        """Read a kept session's journal in the background and show its summary."""
        self._wanted = session_id
        run_task(
            self,
            self._runner,
            lambda: session_summary(session_id),
            blocking=True,
            doing="reading the session's journal",
            busy=self.busy,
            messages=self.messages,
            success=self.show_summary,
        )

    def reload(self) -> None:
        """Read the session on screen again (after an erasure, what it showed may be gone)."""
        if self._summary is not None and self._summary.session_id:
            self.show_session(self._summary.session_id)

    def refresh_sessions(self) -> None:
        """Read the list of kept sessions in the background."""
        run_task(
            self,
            self._runner,
            kept_sessions,
            blocking=True,
            doing="listing the kept sessions",
            busy=self.busy,
            messages=self.messages,
            success=self._listed,
        )

    def _listed(self, sessions: list[SessionInfo]) -> None:
        self.refresh_due_reports()
        self._sessions = list(sessions)
        self.sessions.clear()
        for info in self._sessions:
            self.sessions.addItem(session_title(info), info.session_id)
        wanted = self._wanted or (self._summary.session_id if self._summary else None)
        self._select(wanted)

    def _select(self, session_id: str | None) -> None:
        index = self.sessions.findData(session_id) if session_id else -1
        self.sessions.setCurrentIndex(index)

    def _chosen(self, index: int) -> None:
        session_id = self.sessions.itemData(index)
        if session_id and (self._summary is None or self._summary.session_id != session_id):
            self.show_session(str(session_id))

    def showEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt's signature
        super().showEvent(event)
        if not self._sessions:
            self.refresh_sessions()

    # -- export ----------------------------------------------------------------------------------

    def export(self, kind: str) -> None:
        """Ask where to save, then write the summary as CSV or PDF in the background."""
        summary = self._summary
        if summary is None:
            self.messages.show_message("warn", "Choose a session first: there is no summary on screen to export.")
            return
        words, file_filter = FORMATS[kind]
        suggested = self._folder / f"meeting-summary-{summary.session_id or 'session'}.{kind}"
        chosen, _ = QFileDialog.getSaveFileName(self, f"Export the summary as {words}", str(suggested), file_filter)
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != f".{kind}":
            path = path.with_name(path.name + f".{kind}")
        self._folder = path.parent
        self.messages.clear()

        def written(result: ExportedSummary) -> None:
            self.messages.show_message("pass", f"Saved the summary as {words}: {result.path}")
            self.exported.emit(result.path)

        run_task(
            self,
            self._runner,
            lambda: export_summary(summary, path, kind=kind, write_pdf=_write_pdf),
            blocking=True,
            doing=f"saving the summary as {words}",
            busy=self.busy,
            messages=self.messages,
            success=written,
        )

    # -- incident reports --------------------------------------------------------------------------

    def export_incidents(self) -> None:
        """Ask where to save, then write the incident report and record that it was exported."""
        summary = self._summary
        if summary is None or not summary.counts.get("incidents"):
            self.messages.show_message("warn", "Choose a session with incidents first: this one has none to report.")
            return
        suggested = self._folder / f"incident-report-{summary.session_id or 'session'}.pdf"
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Export the incident report for the safeguarding lead", str(suggested), "PDF document (*.pdf)"
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        self._folder = path.parent
        self.messages.clear()
        session_id = summary.session_id

        def written(result: ExportedIncidentReport) -> None:
            count = len(result.report.incidents)
            words = f"Saved the incident report ({count} incident{'s' if count != 1 else ''}) for the safeguarding lead: {result.path}"
            if result.recorded:
                self.messages.show_message("pass", words)
            else:
                self.messages.show_message("warn", words + ". It could not be recorded as exported, so this page will still warn.")
            self.exported.emit(result.path)
            self.refresh_due_reports()

        run_task(
            self,
            self._runner,
            lambda: export_incident_report(session_id, path, write_pdf=_write_incident_pdf),
            blocking=True,
            doing="saving the incident report",
            busy=self.busy,
            messages=self.messages,
            success=written,
        )

    def refresh_due_reports(self) -> None:
        """Find, in the background, the sessions with incidents deleted soon whose report was never exported."""
        days = self._retention_days()
        run_task(
            self,
            self._runner,
            lambda: incident_reports_due(session_retention_days=days),
            blocking=True,
            doing="checking for incident reports not yet exported",
            busy=self.busy,
            messages=self.messages,
            success=self._show_due,
        )

    def _show_due(self, due: list[DueReport]) -> None:
        self.due_reports = list(due)
        self.due_checked.emit(self.due_reports)
        if not due:
            self.due.clear()
            return
        today = date.today()
        lines = [
            f"Incident reports not yet exported: {len(due)} session(s) with incidents are deleted within {WARN_DAYS} days"
            " (the retention in Settings). Choose each in the session list and press Export incident report (PDF):"
        ]
        lines.extend(f"• {report.words(today)}" for report in due)
        self.due.show_message("warn", "\n".join(lines))

    def _enable(self) -> None:
        has = self._summary is not None
        for button in (self.csv_button, self.pdf_button):
            button.setEnabled(has)
        incidents = bool(self._summary and self._summary.counts.get("incidents"))
        self.incidents_button.setEnabled(incidents)
