"""The summary, and a session's incident report, as numbered A4 PDFs: Qt lays out escaped HTML (the
only text drawn by hand is each page's footer: the document's title and "Page n of N").

Works from the command line with no display: if no Qt application exists yet, an
offscreen one is made for the job. The summary's page comes from the summaries use case
(``app.summaries.summary_html``), as the screen's does; the incident report's from
``app.incidents.incident_report_html``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QAbstractEventDispatcher, QMarginsF, QRectF, QSizeF, Qt, QThread
from PySide6.QtGui import (
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from zoomhost.app.incidents import incident_report_html
from zoomhost.app.summaries import summary_html
from zoomhost.core.export import ExportError
from zoomhost.core.incidents import IncidentReport
from zoomhost.core.summary import SessionSummary
from zoomhost.ui.text import one_line

_app: QGuiApplication | None = None  # kept alive for the process when we had to make one


def _ensure_app() -> None:
    global _app
    if QGuiApplication.instance() is None:
        _app = QGuiApplication(["zoomhost", "-platform", "offscreen"])


def write_pdf(summary: SessionSummary, path: Path) -> Path:
    """Render the summary's HTML to ``path`` as an A4 PDF (replacing it whole)."""
    return write_html_pdf(summary_html(summary), path, title=f"Meeting summary: {summary.topic}", what="the summary")


def write_incident_pdf(report: IncidentReport, path: Path) -> Path:
    """Render a session's incident report to ``path`` as an A4 PDF (replacing it whole)."""
    return write_html_pdf(
        incident_report_html(report), path, title=f"Incident report: {report.topic}", what="the incident report"
    )


def write_audit_pdf(html: str, path: Path) -> Path:
    """The account audit's report (``app.audit.report_html``) as a numbered A4 PDF."""
    return write_html_pdf(html, path, title="Zoom account audit", what="the audit report")


def write_html_pdf(html: str, path: Path, *, title: str, what: str) -> Path:
    """Lay ``html`` out on numbered A4 pages into ``path``, written whole or not at all; ``what`` names it in errors.

    Qt's text layout starts timers, which need the thread's Qt event dispatcher: a thread Qt did not
    start (the I/O thread's workers) has none, and Qt warned six times per export. There the work
    runs on a thread Qt starts for it, and this one waits."""
    _ensure_app()
    if QAbstractEventDispatcher.instance() is not None:
        return _write_html_pdf(html, Path(path), title=title, what=what)
    job = _QtThreadJob(lambda: _write_html_pdf(html, Path(path), title=title, what=what))
    return job.run_and_wait()


class _QtThreadJob(QThread):
    """Runs one function on a thread Qt starts (so it has an event dispatcher), and hands back its result."""

    def __init__(self, work: Callable[[], Path]) -> None:
        super().__init__()
        self._work = work
        self._result: Path | None = None
        self._error: BaseException | None = None

    def run(self) -> None:  # noqa: D102 - QThread's
        try:
            self._result = self._work()
        except BaseException as err:  # handed back to the waiting thread
            self._error = err

    def run_and_wait(self) -> Path:
        self.start()
        self.wait()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result


def _write_html_pdf(html: str, path: Path, *, title: str, what: str) -> Path:
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
    except OSError as err:
        raise ExportError(f"{what} cannot be written to {path.parent} ({err.strerror or err}).") from err
    try:
        writer = QPdfWriter(tmp)
        writer.setTitle(one_line(title))
        writer.setCreator("zoomhost")
        writer.setResolution(300)
        writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(15, 15, 15, 15),
                QPageLayout.Unit.Millimeter,
            )
        )
        _print_numbered(html, writer, footer=one_line(title))
        del writer  # finishes and closes the file
        if Path(tmp).stat().st_size == 0:
            raise ExportError(f"Qt could not write a PDF of {what} to {path}.")
        os.replace(tmp, path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"{what} could not be written to {path} ({err.strerror or err}).") from err
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _print_numbered(html: str, writer: QPdfWriter, *, footer: str) -> None:
    """Lay ``html`` out on the writer's pages, each with ``footer`` and "Page n of N" along its bottom."""
    document = QTextDocument()
    document.setDocumentMargin(0)
    # Lay out against the PDF's own resolution, so 10pt means 10pt on paper (not screen pixels).
    document.documentLayout().setPaintDevice(writer)
    document.setHtml(html)
    font = QFont(document.defaultFont())
    font.setPointSizeF(8)
    line = QFontMetricsF(font, writer).height()
    width, height = float(writer.width()), float(writer.height())
    body = height - 2 * line  # the footer's line, and a line's space above it
    document.setPageSize(QSizeF(width, body))
    pages = document.pageCount()
    painter = QPainter(writer)
    try:
        for page in range(pages):
            if page:
                writer.newPage()
            painter.save()
            painter.translate(0, -page * body)
            area = QRectF(0, page * body, width, body)
            painter.setClipRect(area)
            # Qt draws every block touching the area: one that starts exactly where the next page does
            # (a page break) belongs to that page alone, so the area stops a dot short of it.
            document.drawContents(painter, area.adjusted(0, 0, 0, -1))
            painter.restore()
            painter.setFont(font)
            strip = QRectF(0, height - line, width, line)
            painter.drawText(strip, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), _elided(footer, font, writer, width * 0.7))
            painter.drawText(strip, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), f"Page {page + 1} of {pages}")
    finally:
        painter.end()


def _elided(text: str, font: QFont, device: QPdfWriter, width: float) -> str:
    return QFontMetricsF(font, device).elidedText(text, Qt.TextElideMode.ElideRight, width)
