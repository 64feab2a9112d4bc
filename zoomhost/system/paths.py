"""Where zoomhost keeps its files.

Everything goes through these functions: nothing else in the code knows a path.
``ZOOMHOST_HOME`` puts every folder under one directory (tests, portable installs);
otherwise the operating system's conventions apply through platformdirs.
"""

from __future__ import annotations

import os
from pathlib import Path

from zoomhost.system import platforms

APP_NAME = "zoomhost"


def _home_override() -> Path | None:
    home = os.environ.get("ZOOMHOST_HOME")
    return Path(home) if home else None


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    try:
        path.chmod(0o700)
    except OSError:
        pass
    return path


def data_dir() -> Path:
    """Register, staff list and session journals (personal data: kept private)."""
    home = _home_override()
    return _ensure(home / "data" if home else platforms.folders(APP_NAME).user_data_path)


def config_dir() -> Path:
    """Settings (no secrets: those live in the OS keyring)."""
    home = _home_override()
    return _ensure(home / "config" if home else platforms.folders(APP_NAME).user_config_path)


def log_dir() -> Path:
    """Diagnostic logs (never secrets, passcodes or join links)."""
    home = _home_override()
    return _ensure(home / "logs" if home else platforms.folders(APP_NAME).user_log_path)


def meeting_sdk_home() -> Path:
    """The Meeting SDK's own folder (its logs), inside zoomhost's log folder instead of ``~/.zoomsdk``.

    The SDK writes its logs to ``<this>/logs`` and, when that folder is missing, prints "failed to
    open file" on stderr again and again; so the folder is made here, before the SDK is loaded.
    """
    home = log_dir() / "meeting-sdk"
    _ensure(home / "logs")
    return _ensure(home)


def cache_dir() -> Path:
    home = _home_override()
    return _ensure(home / "cache" if home else platforms.folders(APP_NAME).user_cache_path)


def register_db() -> Path:
    return data_dir() / "register.sqlite3"


def sessions_dir() -> Path:
    return _ensure(data_dir() / "sessions")


def all_dirs() -> dict[str, Path]:
    """Every folder zoomhost writes to, for the README's removal steps and `zoomhost paths`; no export or
    invitation file may be written inside one of them (the composition root hands them to ``core.export``)."""
    return {"data": data_dir(), "config": config_dir(), "logs": log_dir(), "cache": cache_dir()}
