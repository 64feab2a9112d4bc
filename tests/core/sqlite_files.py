"""SQLite as the Windows and macOS bundles build it, and reading every byte zoomhost left in a folder.

Debian's SQLite zeroes deleted content by default (compiled with SQLITE_SECURE_DELETE); SQLite's
own default, and so likely the Windows and macOS bundles', does not. :func:`sqlite_as_built_elsewhere`
makes every connection opened during a test start with ``secure_delete`` off, so a test proves
that zoomhost turns it on itself; with ``ours=False`` zoomhost's own ``PRAGMA secure_delete=ON``
is ignored too, which is how a test shows it would catch the leak without it.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import pytest

_OURS = re.compile(r"^\s*PRAGMA\s+secure_delete\s*=\s*(ON|1|TRUE|FAST)\s*;?\s*$", re.IGNORECASE)


def sqlite_as_built_elsewhere(monkeypatch: pytest.MonkeyPatch, *, ours: bool = True) -> None:
    """From now on in this test every ``sqlite3.connect`` starts with secure_delete off; with
    ``ours=False`` a connection also ignores being told to turn it on."""

    class DefaultOff(sqlite3.Connection):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            super().execute("PRAGMA secure_delete=OFF")

        def execute(self, sql: str, *params: object) -> sqlite3.Cursor:  # type: ignore[override]
            if not ours and _OURS.match(sql):
                return super().execute("SELECT 1")
            return super().execute(sql, *params)  # type: ignore[arg-type]

    connect = sqlite3.connect

    def connect_default_off(*args: object, **kwargs: object) -> sqlite3.Connection:
        kwargs.setdefault("factory", DefaultOff)
        return connect(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sqlite3, "connect", connect_default_off)
    probe = sqlite3.connect(":memory:")
    try:
        assert probe.execute("PRAGMA secure_delete").fetchone()[0] == 0, "secure_delete is still on by default"
    finally:
        probe.close()


def every_byte(folder: Path) -> dict[Path, bytes]:
    """The bytes of every file under ``folder`` (database, write-ahead and shared-memory files, logs …)."""
    return {path: path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def found(folder: Path, names: Iterable[str]) -> dict[str, list[str]]:
    """Which of ``names`` are still somewhere in the files under ``folder`` (UTF-8, as SQLite stores them)."""
    files = every_byte(folder)
    hits: dict[str, list[str]] = {}
    for name in names:
        where = [path.name for path, data in files.items() if name.encode("utf-8") in data]
        if where:
            hits[name] = where
    return hits
