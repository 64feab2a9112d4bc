"""Loading Zoom's Meeting SDK binding (``zoom_meeting_sdk``): the one place it is imported.

The SDK keeps its files under ``$SSB_HOME``, or ``~/.zoomsdk`` when that is not set, and starts
logging the moment it is loaded: into ``<home>/logs/<program>_<pid>_…log`` when that folder exists,
and otherwise by printing "failed to open file [~/.zoomsdk/logs/python_NNNN] errno = 2" on stderr,
dozens of times. So before the binding is imported its home is set to zoomhost's own folder for it
(``paths.meeting_sdk_home()``, in zoomhost's log folder, readable by this user only), with the
logs folder made. An ``SSB_HOME`` already set by whoever runs zoomhost is kept, logs folder and all.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from types import ModuleType

from zoomhost.system import paths

SDK_HOME_ENV = "SSB_HOME"
MODULE = "zoom_meeting_sdk"


def prepare_sdk_home() -> Path:
    """Point the SDK at its folder (``$SSB_HOME``) and make its logs folder; returns the folder."""
    chosen = os.environ.get(SDK_HOME_ENV)
    if chosen:
        home = Path(chosen)
        (home / "logs").mkdir(parents=True, exist_ok=True)
        return home
    home = paths.meeting_sdk_home()
    os.environ[SDK_HOME_ENV] = str(home)  # read by the SDK's C++ code as it loads, so set in this process
    return home


def import_meeting_sdk() -> ModuleType:
    """The binding, loaded with its logs in zoomhost's folder (ImportError when it is not installed)."""
    prepare_sdk_home()
    return importlib.import_module(MODULE)
