"""What happened in a meeting: the sessions kept on this computer, a session's summary, and exporting it.

The Summary page and ``zoomhost sessions | summary show | summary export`` call these (disk
work: off the GUI thread). A summary is computed from the session's journal every time, so
it never says more than the journal holds. An export goes only outside zoomhost's own
folders (it can never replace a journal or the register), written whole or not at all; the
PDF is laid out by the window toolkit, so the caller hands its PDF writer in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from zoomhost.core.errors import ZoomhostError
from zoomhost.core.export import check_destination, write_csv
from zoomhost.core.journal import SessionInfo
from zoomhost.core.summary import SessionSummary
from zoomhost.app.services import own_folders, session_journals, summary_template

PdfWriter = Callable[[SessionSummary, Path], Path]


@dataclass(frozen=True)
class ExportedSummary:
    summary: SessionSummary
    path: Path


def sessions_folder() -> Path:
    """Where the session journals are kept on this computer."""
    return session_journals().folder


def kept_sessions() -> list[SessionInfo]:
    """Every session kept on this computer, newest first."""
    return session_journals().list_sessions()


def session_summary(session: str) -> SessionSummary:
    """A kept session's summary, read from its journal; ``session`` is its name, or "latest"."""
    if session == "latest":
        sessions = kept_sessions()
        if not sessions:
            raise ZoomhostError("no sessions are kept on this computer yet.")
        session = sessions[0].session_id
    with session_journals().open(session) as journal:
        return SessionSummary.from_journal(journal)


def summary_html(summary: SessionSummary) -> str:
    """The summary as the page shows it and the PDF prints it: the installed template, every value escaped."""
    return summary.render_html(summary_template())


def export_summary(
    session: str | SessionSummary, out: Path, *, kind: str, write_pdf: PdfWriter
) -> ExportedSummary:
    """Write a session's summary to ``out`` as ``kind``, "csv" or "pdf".

    ``session``: the summary already on screen, or a kept session's name (or "latest"), read
    only once ``out`` is known to be a place the summary may go.
    """
    if kind not in ("csv", "pdf"):
        raise ValueError(f"no export as {kind!r}")
    out = check_destination(out, own_folders=own_folders())
    summary = session if isinstance(session, SessionSummary) else session_summary(session)
    written = write_csv(summary, out, own_folders=own_folders()) if kind == "csv" else write_pdf(summary, out)
    return ExportedSummary(summary=summary, path=written)
