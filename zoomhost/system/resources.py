"""Where the installed resources (templates, icons, stylesheet) are."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def resource(*parts: str) -> Path:
    """A file under resources/ (installed as the ``zoomhost.resources`` package)."""
    root = resources.files("zoomhost.resources")
    return Path(str(root.joinpath(*parts)))
