"""The stored consent register and staff list, in SQLite, and which family link was issued for which pupil.

Each import replaces the whole list in one transaction, so a failure leaves the previous
register exactly as it was. What is deleted (a replaced list, a leaver) is gone from the files,
not only from the tables: every connection zeroes deleted content (``secure_delete``, which not
every SQLite build does by default) and every write ends by emptying the write-ahead file. Leavers are removed in the August after their leaving date,
as the protocol's privacy assessment promises ("certainly in the August following a
pupil's leaving school"). On request, one pupil's entry and every row linked to it are erased
together (``forget_pupils``), and the erasure is recorded by its reference, never the name.

The family links: for each registration zoomhost made (a family's own join link), only the
registrant id Zoom gave, the meeting, the pupil it was made for and the day — never the link
itself, nor the parent's address. A pupil's links go with the pupil (a database foreign key:
a new register, a leaver's removal, forgetting one pupil), and every link by retention.

From outside: the database file (``db_path``, chosen by the composition root), and the lists
to store, as anything with ``pupils`` or ``staff`` and the ``source`` file's name (what
``register.read_register_file`` and ``read_staff_file`` give): this module does not read files.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol

from zoomhost.core.errors import ZoomhostError
from zoomhost.core.models import Pupil, StaffMember, consent_counts, leaver_due
from zoomhost.core.names import key_check
from zoomhost.core.scrub import scrub, secure

SCHEMA_VERSION = 2  # 2: the erasures made on request
_SCHEMA = """
CREATE TABLE IF NOT EXISTS pupils (
    id INTEGER PRIMARY KEY,
    first_name TEXT NOT NULL,
    preferred_name TEXT,
    surname_initial TEXT,
    class_name TEXT,
    consent INTEGER NOT NULL CHECK (consent IN (0, 1)),
    consent_date TEXT,
    leaving_date TEXT
);
CREATE TABLE IF NOT EXISTS staff (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT
);
CREATE TABLE IF NOT EXISTS imports (
    list TEXT PRIMARY KEY CHECK (list IN ('pupils', 'staff')),
    source TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS erasures (
    reference TEXT PRIMARY KEY,
    erased_at TEXT NOT NULL,
    register_entries INTEGER NOT NULL,
    linked_rows INTEGER NOT NULL,
    sessions INTEGER NOT NULL,
    journal_rows INTEGER NOT NULL
);
"""

# Added to a register of any schema version, so that they merge with other additions (see ``_add_columns``):
# the school, the surname's keyed digests (space-separated), which key made them, and the columns a person
# importing chose for a layout of headings (headings only: no pupil's data), and which family link was
# issued for which pupil (registrant id -> pupil, never the join link).
_ADDED_COLUMNS = (("pupils", "school", "TEXT"), ("pupils", "surname_digests", "TEXT"))
_ADDED_TABLES = """
CREATE TABLE IF NOT EXISTS surname_key (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    key_check TEXT
);
CREATE TABLE IF NOT EXISTS column_choices (
    layout TEXT PRIMARY KEY,
    choices TEXT NOT NULL,
    chosen_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS links (
    registrant_id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL,
    pupil_id INTEGER NOT NULL REFERENCES pupils (id) ON DELETE CASCADE,
    issued_on TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS links_by_pupil ON links (pupil_id);
"""
_ADDED_TABLE_NAMES = ("surname_key", "column_choices", "links")
_PUPIL_COLUMNS = (
    "id, first_name, preferred_name, surname_initial, class_name, consent, consent_date, leaving_date, school, surname_digests"
)

#: Other tables whose rows are about one pupil, as (table, column holding the pupil's register id):
#: ``pupil_records`` lists their rows with the pupil's register entry and ``forget_pupils`` deletes
#: them with it, in the same transaction. A table that maps Zoom registrants to pupils belongs here.
PUPIL_LINKED_TABLES: tuple[tuple[str, str], ...] = (("links", "pupil_id"),)  # the family links issued for the pupil


class RegisterStoreError(ZoomhostError):
    """The stored register could not be read or written; an import that hit this changed nothing."""


@dataclass(frozen=True, slots=True)
class ImportRecord:
    """When a list was last imported, and from which file (its name only)."""

    source: str
    imported_at: datetime  # timezone-aware UTC


@dataclass(frozen=True, slots=True)
class StoredPupilRecords:
    """Everything the register database holds about some pupils: their entries and the rows linked to them."""

    pupils: tuple[Pupil, ...]
    linked: tuple[tuple[str, dict[str, object]], ...] = ()  # (table, row as column -> value)


@dataclass(frozen=True, slots=True)
class ErasureRecord:
    """One erasure made on request: a reference and what was erased, never whose."""

    reference: str
    erased_at: datetime  # timezone-aware UTC
    register_entries: int
    linked_rows: int
    sessions: int
    journal_rows: int

    def as_dict(self) -> dict[str, object]:
        return {
            "reference": self.reference,
            "erased_at": self.erased_at.isoformat(),
            "register_entries": self.register_entries,
            "linked_rows": self.linked_rows,
            "sessions": self.sessions,
            "journal_rows": self.journal_rows,
        }


class ImportedPupils(Protocol):
    """A consent register as read from a school's export (``register.RegisterImport``)."""

    @property
    def pupils(self) -> Sequence[Pupil]: ...

    @property
    def source(self) -> str: ...


class ImportedStaff(Protocol):
    """A staff list as read from a school's export (``register.StaffImport``)."""

    @property
    def staff(self) -> Sequence[StaffMember]: ...

    @property
    def source(self) -> str: ...


class RegisterStore:
    """The register and staff list on disk; every method opens, uses and closes its own connection."""

    def __init__(self, *, db_path: Path, surname_key: Callable[[], bytes | None] | None = None) -> None:
        """``surname_key`` gives this installation's key for surname digests (from the OS keyring), asked
        only when an import or a session needs it; without one, pupils are told apart by initial only."""
        self.db_path = db_path
        self._surname_key = surname_key

    def key_for_import(self) -> bytes | None:
        """The key an import makes its surname digests with (None: keep initials only)."""
        return self._surname_key() if self._surname_key is not None else None

    def surname_key(self) -> bytes | None:
        """The key the stored digests were made with, if this run has it; else None (initials only)."""
        if self._surname_key is None or not self.db_path.exists():
            return None
        with self._transaction() as db:
            row = db.execute("SELECT key_check FROM surname_key WHERE id = 1").fetchone()
        if row is None or row[0] is None:
            return None
        key = self._surname_key()
        return key if key is not None and key_check(key) == row[0] else None

    def replace_pupils(self, imported: ImportedPupils) -> int:
        """Store ``imported`` in place of the register; how many family links went with the old one.

        Pupils are numbered in the order of each import, so a link issued for the old register's
        pupil 12 would name someone else in the new one: the old register's links are deleted with it.
        """
        rows = [
            (
                p.id,
                p.first_name,
                p.preferred_name,
                p.surname_initial,
                p.class_name,
                int(p.consent),
                _iso(p.consent_date),
                _iso(p.leaving_date),
                p.school,
                " ".join(p.surname_digests) or None,
            )
            for p in imported.pupils
        ]
        with self._transaction(write=True) as db:
            links = db.execute("SELECT COUNT(*) FROM links").fetchone()[0]
            db.execute("DELETE FROM pupils")  # and, through the foreign key, every family link
            db.executemany(f"INSERT INTO pupils ({_PUPIL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)  # noqa: S608
            db.execute(
                "INSERT OR REPLACE INTO surname_key (id, key_check) VALUES (1, ?)", (getattr(imported, "key_check", None),)
            )
            self._record_import(db, "pupils", imported.source)
        return int(links)

    def column_choices(self, layout: str) -> dict[str, str | None] | None:
        """The columns chosen when a file with these headings (``register_text.layout_key``) was last imported."""
        if not self.db_path.exists():
            return None
        with self._transaction() as db:
            row = db.execute("SELECT choices FROM column_choices WHERE layout = ?", (layout,)).fetchone()
        return dict(json.loads(row[0])) if row else None

    def remember_column_choices(self, layout: str, choices: Mapping[str, str | None]) -> None:
        with self._transaction(write=True) as db:
            db.execute(
                "INSERT OR REPLACE INTO column_choices (layout, choices, chosen_at) VALUES (?, ?, ?)",
                (layout, json.dumps(dict(choices), ensure_ascii=False, sort_keys=True), datetime.now(UTC).isoformat(timespec="seconds")),
            )

    def replace_staff(self, imported: ImportedStaff) -> None:
        rows = [(member.id, member.name, member.email) for member in imported.staff]
        with self._transaction(write=True) as db:
            db.execute("DELETE FROM staff")
            db.executemany("INSERT INTO staff VALUES (?, ?, ?)", rows)
            self._record_import(db, "staff", imported.source)

    def pupils(self) -> list[Pupil]:
        with self._transaction() as db:
            return [_pupil(row) for row in db.execute(f"SELECT {_PUPIL_COLUMNS} FROM pupils ORDER BY id")]  # noqa: S608

    def staff(self) -> list[StaffMember]:
        with self._transaction() as db:
            rows = db.execute("SELECT id, name, email FROM staff ORDER BY id")
            return [StaffMember(id=row[0], name=row[1], email=row[2]) for row in rows]

    # -- family links --------------------------------------------------------------------------
    def record_links(self, meeting_id: str, links: Iterable[tuple[str, int]], *, issued_on: date) -> int:
        """Keep which registrant id (a family's own join link, by Zoom's id for it) was issued for which
        pupil of this register, for ``meeting_id``; how many were kept. All or none: a pupil id that is
        not on the register refuses the lot."""
        rows = [(str(registrant_id), str(meeting_id), int(pupil_id), issued_on.isoformat()) for registrant_id, pupil_id in links]
        if not rows:
            return 0
        with self._transaction(write=True) as db:
            known = {row[0] for row in db.execute("SELECT id FROM pupils")}
            strangers = sorted({row[2] for row in rows} - known)
            if strangers:
                raise RegisterStoreError(
                    f"a family link was issued for pupil {strangers[0]}, who is not on the stored register; nothing was kept.",
                    hint="Prepare the invitations again against the register as it is now.",
                )
            db.executemany("INSERT OR REPLACE INTO links VALUES (?, ?, ?, ?)", rows)
        return len(rows)

    def links(self, meeting_id: str | None) -> dict[str, int]:
        """The family links issued for ``meeting_id`` (None: for any meeting): registrant id -> pupil id.
        With no register stored, none (and nothing is made on disk)."""
        if not self.db_path.exists():
            return {}
        with self._transaction() as db:
            if meeting_id is None:
                rows = db.execute("SELECT registrant_id, pupil_id FROM links")
            else:
                rows = db.execute("SELECT registrant_id, pupil_id FROM links WHERE meeting_id = ?", (str(meeting_id),))
            return {row[0]: row[1] for row in rows}

    def link_count(self, *, pupil_id: int | None = None) -> int:
        """How many family links are kept (for one pupil, or in all)."""
        with self._transaction() as db:
            if pupil_id is None:
                return int(db.execute("SELECT COUNT(*) FROM links").fetchone()[0])
            return int(db.execute("SELECT COUNT(*) FROM links WHERE pupil_id = ?", (pupil_id,)).fetchone()[0])

    def purge_links(self, *, issued_before: date, dry_run: bool = False) -> int:
        """Remove (or with ``dry_run`` only count) the family links issued before ``issued_before``."""
        with self._transaction(write=True) as db:
            count = int(db.execute("SELECT COUNT(*) FROM links WHERE issued_on < ?", (issued_before.isoformat(),)).fetchone()[0])
            if not dry_run:
                db.execute("DELETE FROM links WHERE issued_on < ?", (issued_before.isoformat(),))
        return count

    def consent_counts_by_class(self) -> dict[str, tuple[int, int]]:
        return consent_counts(self.pupils())

    def last_import(self, *, staff: bool = False) -> ImportRecord | None:
        with self._transaction() as db:
            row = db.execute(
                "SELECT source, imported_at FROM imports WHERE list = ?", ("staff" if staff else "pupils",)
            ).fetchone()
        return ImportRecord(source=row[0], imported_at=datetime.fromisoformat(row[1])) if row else None

    def imported_at(self, *, staff: bool = False) -> datetime | None:
        """When the register (or, with ``staff``, the staff list) was last imported; None if never."""
        record = self.last_import(staff=staff)
        return record.imported_at if record else None

    def purge_leavers(self, *, today: date, dry_run: bool = False) -> list[Pupil]:
        """Remove (or with ``dry_run`` only list) pupils whose August after leaving has come."""
        with self._transaction(write=True) as db:
            rows = db.execute(f"SELECT {_PUPIL_COLUMNS} FROM pupils WHERE leaving_date IS NOT NULL ORDER BY id").fetchall()  # noqa: S608
            due = [pupil for pupil in map(_pupil, rows) if leaver_due(pupil, today)]
            if not dry_run:
                # their family links go too, through the foreign key
                db.executemany("DELETE FROM pupils WHERE id = ?", [(pupil.id,) for pupil in due])
        return due

    def pupil_records(self, pupil_ids: Sequence[int]) -> StoredPupilRecords:
        """The register entries with these ids, and every row of ``PUPIL_LINKED_TABLES`` about them."""
        if not self.db_path.exists():
            return StoredPupilRecords(pupils=())
        with self._transaction() as db:
            return _records(db, pupil_ids)

    def forget_pupils(self, pupil_ids: Sequence[int], *, erasure: ErasureRecord) -> tuple[StoredPupilRecords, bool]:
        """Delete these pupils' entries and the rows linked to them, and record ``erasure`` (the counts
        of the other places it reached come from the caller), in one transaction; then leave no copy
        in the file or its log. What was deleted, and False when another connection was reading so
        the write-ahead log could not be emptied at once.
        """
        with self._transaction(write=True) as db:
            secure(db)
            records = _records(db, pupil_ids)
            ids = [(pupil_id,) for pupil_id in pupil_ids]
            for table, column in PUPIL_LINKED_TABLES:
                db.executemany(f"DELETE FROM {table} WHERE {column} = ?", ids)  # noqa: S608 - names from the table above
            db.executemany("DELETE FROM pupils WHERE id = ?", ids)
            db.execute(
                "INSERT INTO erasures VALUES (?, ?, ?, ?, ?, ?)",
                (
                    erasure.reference,
                    erasure.erased_at.astimezone(UTC).isoformat(timespec="seconds"),
                    len(records.pupils),
                    len(records.linked),
                    erasure.sessions,
                    erasure.journal_rows,
                ),
            )
        return records, self._scrub()

    def erasures(self) -> list[ErasureRecord]:
        """Every erasure made on request, oldest first."""
        if not self.db_path.exists():
            return []
        with self._transaction() as db:
            rows = db.execute("SELECT * FROM erasures ORDER BY erased_at, reference").fetchall()
        return [
            ErasureRecord(
                reference=row[0],
                erased_at=datetime.fromisoformat(row[1]),
                register_entries=row[2],
                linked_rows=row[3],
                sessions=row[4],
                journal_rows=row[5],
            )
            for row in rows
        ]

    def _scrub(self) -> bool:
        try:
            with closing(sqlite3.connect(self.db_path, timeout=10, isolation_level=None)) as db:
                return scrub(db)
        except sqlite3.Error as err:
            raise RegisterStoreError(
                f"the stored register at {self.db_path} was changed but could not be compacted ({err}).",
                hint="Close other copies of zoomhost and run the same command again.",
            ) from err

    @staticmethod
    def _record_import(db: sqlite3.Connection, name: str, source: str) -> None:
        db.execute(
            "INSERT OR REPLACE INTO imports (list, source, imported_at) VALUES (?, ?, ?)",
            (name, source, datetime.now(UTC).isoformat(timespec="seconds")),
        )

    @contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        """One transaction: all of it commits, or none of it does; readers never wait for a writer (WAL)."""
        try:
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.db_path, timeout=10, isolation_level=None)) as db:
                self._prepare(db)
                db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    yield db
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
                if write:
                    # What a replacement or a purge deleted is zeroed in the file (secure_delete); this
                    # empties the write-ahead file too, which still holds the pages as they were.
                    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as err:
            raise RegisterStoreError(
                f"the stored register at {self.db_path} could not be used ({err}); nothing was changed.",
                hint="Close other copies of zoomhost and try again; if it persists, move that file aside and import again.",
            ) from err
        except OSError as err:
            raise RegisterStoreError(
                f"the register folder {self.db_path.parent} cannot be written ({err.strerror or err}); nothing was changed."
            ) from err

    def _prepare(self, db: sqlite3.Connection) -> None:
        db.execute("PRAGMA secure_delete=ON")  # a deleted pupil is zeroed in the file, not left in its free space
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")  # a pupil's family links are deleted with the pupil
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RegisterStoreError(
                f"the stored register at {self.db_path} was written by a newer zoomhost.",
                hint="Update zoomhost, or import the register again into a fresh data folder.",
            )
        if version < SCHEMA_VERSION:
            db.executescript(_SCHEMA + f"PRAGMA user_version = {SCHEMA_VERSION};")
            try:
                self.db_path.chmod(0o600)  # personal data: readable by this user only
            except OSError:
                pass
        _add_columns(db)


def _add_columns(db: sqlite3.Connection) -> None:
    """The school, surname digests, column choices and family links, added to a register stored before they were kept."""
    have = {row[1] for row in db.execute("PRAGMA table_info(pupils)")}
    for table, column, kind in _ADDED_COLUMNS:
        if column not in have:
            try:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
            except sqlite3.OperationalError as err:
                if "duplicate column" not in str(err):  # another copy of zoomhost added it a moment ago
                    raise
    placeholders = ", ".join("?" for _ in _ADDED_TABLE_NAMES)
    have_tables = db.execute(
        f"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ({placeholders})",  # noqa: S608
        _ADDED_TABLE_NAMES,
    ).fetchone()[0]
    if have_tables < len(_ADDED_TABLE_NAMES):
        db.executescript(_ADDED_TABLES)


def _records(db: sqlite3.Connection, pupil_ids: Sequence[int]) -> StoredPupilRecords:
    pupils = []
    for pupil_id in pupil_ids:
        row = db.execute(f"SELECT {_PUPIL_COLUMNS} FROM pupils WHERE id = ?", (pupil_id,)).fetchone()  # noqa: S608
        if row is not None:
            pupils.append(_pupil(row))
    linked: list[tuple[str, dict[str, object]]] = []
    for table, column in PUPIL_LINKED_TABLES:
        for pupil_id in pupil_ids:
            cursor = db.execute(f"SELECT * FROM {table} WHERE {column} = ?", (pupil_id,))  # noqa: S608 - names from the table above
            names = [d[0] for d in cursor.description]
            linked.extend((table, dict(zip(names, row, strict=True))) for row in cursor.fetchall())
    return StoredPupilRecords(pupils=tuple(pupils), linked=tuple(linked))


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _pupil(row: tuple) -> Pupil:
    return Pupil(
        id=row[0],
        first_name=row[1],
        preferred_name=row[2],
        surname_initial=row[3],
        class_name=row[4],
        consent=bool(row[5]),
        consent_date=_date(row[6]),
        leaving_date=_date(row[7]),
        school=row[8],
        surname_digests=tuple(row[9].split()) if row[9] else (),
    )
