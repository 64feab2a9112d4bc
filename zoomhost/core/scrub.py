"""Leaving no copy of erased text in an SQLite file, its write-ahead log or its free space.

A ``DELETE`` or an ``UPDATE`` marks the old text free but, where SQLite was not built with
secure delete (likely the Windows and macOS bundles' SQLite), leaves it readable in the file; in
WAL mode the old pages also stay in the ``-wal`` file until a checkpoint reuses them. So an
erasure runs with ``secure_delete`` on (freed space is overwritten with zeros), then rebuilds the
file (``VACUUM``: no free pages, nor text left over from older deletes that ran without secure
delete), then copies the log into the file and truncates it to nothing.

From outside: an open connection. Nothing here knows which file it is.
"""

from __future__ import annotations

import sqlite3


def secure(db: sqlite3.Connection) -> None:
    """From now on, this connection overwrites what it deletes or replaces."""
    db.execute("PRAGMA secure_delete=ON")


def scrub(db: sqlite3.Connection) -> bool:
    """Rebuild the file without free space and empty its write-ahead log, outside any transaction.

    False when another connection was reading, so part of the log could not be emptied yet (the
    next checkpoint, at the latest when the last connection closes, finishes it).
    """
    secure(db)
    db.execute("VACUUM")
    busy = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return not (busy and busy[0])
