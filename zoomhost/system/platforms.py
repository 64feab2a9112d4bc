"""Which operating system zoomhost is running on: the one place that reads ``sys.platform``.

Paths (platformdirs' folders for that system), whether the host assistant can run (Zoom's Meeting
SDK for Python is Linux-only) and the Linux-only desktop checks all ask here. Tests on Linux play
Windows or macOS with :func:`simulated`, so every part that differs by platform is seen to follow.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # platformdirs loads when folders are asked for, not for "which system is this"
    from platformdirs.api import PlatformDirsABC

LINUX, WINDOWS, MACOS = "linux", "windows", "macos"
NAMES = {LINUX: "Linux", WINDOWS: "Windows", MACOS: "macOS"}
_simulated: str | None = None


def current() -> str:
    """``linux``, ``windows``, ``macos`` (or ``sys.platform`` itself for any other system)."""
    if _simulated is not None:
        return _simulated
    if sys.platform.startswith("linux"):
        return LINUX
    if sys.platform == "win32":
        return WINDOWS
    if sys.platform == "darwin":
        return MACOS
    return sys.platform


def is_linux() -> bool:
    return current() == LINUX


def name() -> str:
    """The system's name for a sentence ("Windows")."""
    return NAMES.get(current(), current())


#: Why the host assistant does not start here, the start of every sentence that says so.
ASSISTANT_LINUX_ONLY = "The host assistant runs on Linux only (Zoom's Meeting SDK for Python is Linux-only)"


def assistant_can_run_here() -> bool:
    """Whether this system can run the host assistant at all: Zoom's Meeting SDK for Python is Linux-only."""
    return is_linux()


def folders(app: str) -> PlatformDirsABC:
    """platformdirs' folders for ``app`` on this system (the class of the system being simulated, in a test)."""
    if _simulated is None:
        import platformdirs

        return platformdirs.PlatformDirs(app, appauthor=False)
    if _simulated == WINDOWS:
        from platformdirs.windows import Windows as Dirs
    elif _simulated == MACOS:
        from platformdirs.macos import MacOS as Dirs
    else:
        from platformdirs.unix import Unix as Dirs
    return Dirs(app, appauthor=False)


@contextmanager
def simulated(system: str) -> Iterator[None]:
    """Behave as on ``system`` (``windows``, ``macos`` or ``linux``) inside the block: for tests on Linux."""
    global _simulated
    if system not in NAMES:
        raise ValueError(f"no such system: {system}")
    before, _simulated = _simulated, system
    try:
        yield
    finally:
        _simulated = before
