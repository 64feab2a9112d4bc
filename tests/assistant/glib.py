"""GLib's Python bindings for a child process of the tests, as the real assistant needs them.

PyGObject (``gi``) is not on the package index this suite installs from; Debian's ``python3-gi``
(tests/system-packages.txt) is. When the test runner's Python cannot import ``gi`` itself, a child
gets a folder on its ``PYTHONPATH`` holding only a link to the system's ``gi`` package (nothing
else of the system's site-packages, whose older copies would shadow the suite's own), which loads
when the system Python is the same minor version.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import require


def glib_pythonpath(folder: Path) -> str:
    """A ``PYTHONPATH`` entry that lets a child of this Python import ``gi`` ("" when it already can)."""
    if importlib.util.find_spec("gi") is not None:
        return ""
    system = shutil.which("python3", path="/usr/bin:/bin")
    require(system is not None, "no system Python to take GLib's bindings from (apt install python3-gi)")
    probe = subprocess.run(
        [str(system), "-c", "import gi, json, sys; print(json.dumps([gi.__path__[0], list(sys.version_info[:2])]))"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    require(probe.returncode == 0, "GLib's Python bindings are not installed (apt install python3-gi)")
    location, version = json.loads(probe.stdout)
    require(tuple(version) == sys.version_info[:2], f"the system's python3-gi is for Python {version}, not this one")
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / "gi"
    if not link.exists():
        link.symlink_to(location, target_is_directory=True)
    return str(folder)
