"""The summary as an A4 PDF: Qt lays out the same HTML the screen shows (no hand-drawn text).

Works from the command line with no display: if no Qt application exists yet, an
offscreen one is made for the job. The page comes from the summaries use case
(``app.summaries.summary_html``), as the screen's does.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF
from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from zoomhost.app.summaries import summary_html
from zoomhost.core.export import ExportError
from zoomhost.core.summary import SessionSummary
from zoomhost.ui.text import one_line

_app: QGuiApplication | None = None  # kept alive for the process when we had to make one


def _ensure_app() -> None:
    global _app
    if QGuiApplication.instance() is None:
        _app = QGuiApplication(["zoomhost", "-platform", "offscreen"])


def write_pdf(summary: SessionSummary, path: Path) -> Path:
    """Render the summary's HTML to ``path`` as an A4 PDF (replacing it whole)."""
    _ensure_app()
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
    except OSError as err:
        raise ExportError(f"the summary cannot be written to {path.parent} ({err.strerror or err}).") from err
    try:
        writer = QPdfWriter(tmp)
        writer.setTitle(one_line(f"Meeting summary: {summary.topic}"))
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
        document.setHtml(summary_html(summary))
        document.setPageSize(QSizeF(writer.width(), writer.height()))
        document.print_(writer)
        del writer  # finishes and closes the file
        if Path(tmp).stat().st_size == 0:
            raise ExportError(f"Qt could not write a PDF to {path}.")
        os.replace(tmp, path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"the summary could not be written to {path} ({err.strerror or err}).") from err
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
