"""Logging to a rotating file in the log folder, every record redacted."""

from __future__ import annotations

import logging
import logging.handlers
import os

from zoomhost.system import paths
from zoomhost.system.redact import RedactingFilter

_configured = False
#: Libraries whose chatter (a WebSocket frame's first bytes, a request's URL) stays out of the log file.
QUIET_LIBRARIES = ("httpx", "httpcore", "websockets", "aiohttp.access", "asyncio")


def log_file():
    return paths.log_dir() / "zoomhost.log"


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files only this user can read: display names and errors are in them."""

    def _open(self):  # noqa: ANN202 - the base class's own hook
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        if hasattr(os, "fchmod"):  # POSIX: a file from an older version may have been readable by others
            os.fchmod(fd, 0o600)
        return os.fdopen(fd, self.mode, encoding=self.encoding, errors=self.errors)


def configure(*, verbose: bool = False) -> None:
    global _configured
    if _configured:
        return
    _configured = True
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    handler = _PrivateRotatingFileHandler(log_file(), maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    for noisy in QUIET_LIBRARIES:
        logging.getLogger(noisy).setLevel(logging.WARNING)
