"""A real X server and a desktop that lacks a library, for the tests of the first run on a fresh desktop.

``x_server`` starts Xvfb once per module. ``without_libraries`` runs a command where the dynamic
loader cannot find some libraries (tests/hide_library.py: a private mount namespace in which their
folder lacks them); a computer that allows no such namespace skips, or fails under
ZOOMHOST_REQUIRE_TOOLS (CI, which runs as root).
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, require, require_executable
from zoomhost.system.desktop import linked_libraries, platform_plugin

HIDE = REPO / "tests" / "hide_library.py"
CANNOT_HIDE = 77
# The environment variables that choose a display or a Qt platform: a fresh desktop's are its own.
DESKTOP_VARIABLES = ("QT_QPA_PLATFORM", "QT_QPA_PLATFORM_PLUGIN_PATH", "QT_PLUGIN_PATH", "DISPLAY", "WAYLAND_DISPLAY",
                     "XDG_SESSION_TYPE")


@pytest.fixture(scope="module")
def x_server() -> Iterator[str]:
    """A real X server (Xvfb) on a display number of its own choosing; yields the DISPLAY value."""
    xvfb = require_executable("Xvfb")
    read, write = os.pipe()
    proc = subprocess.Popen(
        [xvfb, "-displayfd", str(write), "-nolisten", "tcp", "-screen", "0", "1280x800x24"],
        pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        ready, _, _ = select.select([read], [], [], 30)
        assert ready, "Xvfb did not start within 30 seconds"
        number = os.read(read, 64).decode().strip()
        assert number.isdigit(), f"Xvfb said {number!r}"
        yield f":{number}"
    finally:
        os.close(read)
        proc.terminate()
        proc.wait(timeout=30)


def desktop_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """This session's environment (the test keyring included) with no display and no Qt settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in DESKTOP_VARIABLES}
    home = tmp_path / "teacher"
    home.mkdir(exist_ok=True)
    env.update(HOME=str(home), ZOOMHOST_HOME=str(tmp_path / "zh"), PYTHONPATH=str(REPO))
    env.update(extra)
    return env


def xcb_cursor_files() -> list[Path]:
    """The files of libxcb-cursor.so.0 (Qt 6.5+ needs it for X11) in the folder the loader finds it in."""
    plugin = platform_plugin("xcb", os.environ)
    assert plugin is not None, "PySide6 has no xcb platform plugin"
    found = linked_libraries(plugin).found.get("libxcb-cursor.so.0")
    require(found is not None, "libxcb-cursor0 is not installed (tests/system-packages.txt)")
    folder = Path(found).resolve().parent
    return sorted(folder.glob("libxcb-cursor.so*"))


def without_libraries(
    tmp_path: Path, libraries: list[Path], *command: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` where the dynamic loader cannot find ``libraries``; everything else is as it is."""
    scratch = tmp_path / "hidden"
    scratch.mkdir(parents=True)
    proc = subprocess.run(
        [sys.executable, str(HIDE), str(scratch), *map(str, libraries), "--", *command],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout,
    )
    require(proc.returncode != CANNOT_HIDE, f"no private mount namespace to hide a library in: {proc.stderr.strip()}")
    return proc
