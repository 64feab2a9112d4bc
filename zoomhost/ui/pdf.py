"""The summary, and a session's incident report, as A4 PDFs: Qt lays out escaped HTML (no hand-drawn text).

Works from the command line with no display: if no Qt application exists yet, an
offscreen one is made for the job. The summary's page comes from the summaries use case
(``app.summaries.summary_html``), as the screen's does; the incident report's from
``app.incidents.incident_report_html``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument

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


def write_html_pdf(html: str, path: Path, *, title: str, what: str) -> Path:
    """Lay ``html`` out on A4 pages into ``path``, written whole or not at all; ``what`` names it in errors."""
    _ensure_app()
    path = Path(path)
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
        document = QTextDocument()
        document.setDocumentMargin(0)
        # Lay out against the PDF's own resolution, so 10pt means 10pt on paper (not screen pixels).
        document.documentLayout().setPaintDevice(writer)
        document.setHtml(html)
        document.setPageSize(QSizeF(writer.width(), writer.height()))
        document.print_(writer)
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
