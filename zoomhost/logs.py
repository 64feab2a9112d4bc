"""Logging to a rotating file in the log folder, every record redacted."""

from __future__ import annotations

import logging
import logging.handlers

from zoomhost import paths
from zoomhost.redact import RedactingFilter

_configured = False


def log_file():
    return paths.log_dir() / "zoomhost.log"


def configure(*, verbose: bool = False) -> None:
    global _configured
    if _configured:
        return
    _configured = True
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    handler = logging.handlers.RotatingFileHandler(log_file(), maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    for noisy in ("httpx", "httpcore", "websockets", "aiohttp.access", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
