"""The session journal: everything that happened in one meeting, in SQLite, in order.

One file per session in a sessions folder. Entries are committed, fully synced
(even a power cut loses nothing committed), before anything is shown, so a crash loses
nothing already on screen; what arrives together (a burst of arrivals, an admit-all's
commands) is committed in one transaction, one sync for the lot. The live session's state
is rebuilt by replaying the entries. ``event_key`` is unique, so
the same happening recorded twice (a retry, a replay after a reconnect) is stored once.

Once the session has closed, retention rewrites what entries say about people (``rewrite``, see
``core.retention.minimise``). Every connection zeroes what is deleted or rewritten
(``secure_delete``), and a rewrite ends by emptying the write-ahead file (``scrub``), so what
went is not left readable anywhere in the journal's files.

From outside: the sessions folder. :class:`SessionJournals` is built on it once, by the
composition root (``zoomhost.app.services``, this computer's sessions folder) or by a test
(a temporary one), and creates, opens, lists and names the journals in it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

from zoomhost.core.errors import ZoomhostError
from zoomhost.core.scrub import scrub, secure

SCHEMA_VERSION = 1
SUFFIX = ".sqlite3"
_SESSION_ID = re.compile(r"^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS session (
    session_id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    planned_minutes INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    rehearsal INTEGER NOT NULL CHECK (rehearsal IN (0, 1))
);
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    event_key TEXT NOT NULL UNIQUE,
    participant_id TEXT,
    display_name TEXT,
    verdict TEXT,
    pupil_id INTEGER,
    pupil_label TEXT,
    actor TEXT NOT NULL,
    detail TEXT NOT NULL
);
"""
_ONE_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
_INSERT = (
    "INSERT OR IGNORE INTO entries (at, kind, event_key, participant_id, display_name,"
    f" verdict, pupil_id, pupil_label, actor, detail) VALUES {_ONE_ROW}"
)
#: Rows in one INSERT: within the 999 values even an old SQLite allows in one statement.
_ROWS_PER_INSERT = 90
_KEYS_PER_SELECT = 900
# Made when a journal is first rewritten (``SessionJournal.rewrite``): how far, and when.
_REWRITTEN_SCHEMA = "CREATE TABLE IF NOT EXISTS rewritten (through_seq INTEGER NOT NULL, at TEXT NOT NULL)"


class JournalError(ZoomhostError):
    """A session journal could not be created, found or read."""


class JournalKind(StrEnum):
    """What one journal entry records."""

    ARRIVAL = "arrival"
    RENAMED = "renamed"
    IDENTIFIED = "identified"  # Zoom said who a participant is (own link, sign-in) after the name alone was heard
    LEFT_WAITING_ROOM = "left_waiting_room"
    ADMITTED = "admitted"
    JOINED = "joined"
    LEFT = "left"
    PUT_BACK = "put_back"
    HELD = "held"
    REMOVED = "removed"
    MUTE_ALL = "mute_all"
    LOCK = "lock"
    UNLOCK = "unlock"
    CHAT_OFF = "chat_off"
    SHARE_LOCKED = "share_locked"
    END = "end"
    ALARM = "alarm"
    COMMAND = "command"
    COMMAND_RESULT = "command_result"
    MANUAL_STEP_CONFIRMED = "manual_step_confirmed"
    STREAM_GAP = "stream_gap"
    NOTE = "note"
    SESSION_STARTED = "session_started"
    SESSION_ENDED = "session_ended"



#: The entries that say the meeting is over (Zoom ended it, or zoomhost closed the session).
MEETING_OVER = frozenset({JournalKind.END, JournalKind.SESSION_ENDED})
#: ``detail["note"]`` of the ``NOTE`` the panic key writes (with the ``command_id`` of its End meeting for all).
PANIC_NOTE = "panic"
#: Alarms that are not about something a person did (a gap in the event stream).
_NOT_INCIDENT_ALARMS = frozenset({"may_have_missed"})


def counts_as_incident(entry: JournalEntry) -> bool:
    """An alarm about something a person did: the summary's incidents, the incident report's and a pupil's records'."""
    return entry.kind is JournalKind.ALARM and entry.detail.get("alarm") not in _NOT_INCIDENT_ALARMS


def panic_command_id(entry: JournalEntry) -> str | None:
    """The id of the End for all command that ``entry`` marks as sent by the panic key, if it is that note."""
    if entry.kind is JournalKind.NOTE and entry.detail.get("note") == PANIC_NOTE and entry.detail.get("command_id"):
        return str(entry.detail["command_id"])
    return None

class Actor(StrEnum):
    """Who did it: the teacher's click, the automatic host policy, Zoom itself, the assistant, or zoomhost."""

    TEACHER = "teacher"
    AUTOPILOT = "autopilot"
    ZOOM = "zoom"
    ASSISTANT = "assistant"
    SYSTEM = "system"


def utc_now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("journal times must be timezone-aware")
    return value.astimezone(UTC)


@dataclass(frozen=True)
class JournalEntry:
    """One recorded happening. ``seq`` is 0 until the journal stores it."""

    at: datetime
    kind: JournalKind
    event_key: str
    participant_id: str | None = None
    display_name: str | None = None
    verdict: str | None = None
    pupil_id: int | None = None
    pupil_label: str | None = None
    actor: str = Actor.SYSTEM
    detail: Mapping[str, Any] = field(default_factory=dict)
    seq: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "at", _utc(self.at))
        object.__setattr__(self, "kind", JournalKind(self.kind))
        object.__setattr__(self, "actor", Actor(self.actor).value)
        if not self.event_key:
            raise ValueError("a journal entry needs an event_key")


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """What the sessions list shows about one journal, without replaying it."""

    session_id: str
    meeting_id: str
    topic: str
    planned_minutes: int
    started_at: datetime
    rehearsal: bool
    path: Path

    def as_dict(self) -> dict[str, object]:
        return {
            "session_id": self.session_id,
            "meeting_id": self.meeting_id,
            "topic": self.topic,
            "planned_minutes": self.planned_minutes,
            "started_at": self.started_at.isoformat(),
            "rehearsal": self.rehearsal,
        }


class SessionJournal:
    """One session's journal file. Safe to call from several threads; each ``record`` commits at once.

    Made by :class:`SessionJournals` (``create`` or ``open``), which knows the folder.
    """

    def __init__(self, *, db: sqlite3.Connection, info: SessionInfo) -> None:
        self._db = db
        self._info = info
        self._lock = threading.Lock()
        self._together = True  # a batch is written in a few statements (SQLite's JSON functions are there)

    # -- properties ----------------------------------------------------------------------

    @property
    def info(self) -> SessionInfo:
        return self._info

    @property
    def session_id(self) -> str:
        return self._info.session_id

    @property
    def path(self) -> Path:
        return self._info.path

    # -- writing and reading -------------------------------------------------------------

    def append(self, entry: JournalEntry) -> bool:
        """Store one entry in its own transaction; False when its key was already stored."""
        return self.append_all([entry])[0]

    def append_all(self, entries: Iterable[JournalEntry]) -> list[bool]:
        """Store the entries, all or none, in one transaction (one sync to disk however many there are)."""
        return [stored is not None for stored in self.record(entries)]

    def record(self, entries: Iterable[JournalEntry]) -> list[JournalEntry | None]:
        """Like ``append_all``, giving back each entry as stored (with its ``seq``), or None if already there."""
        entries = list(entries)
        if not entries:
            return []
        rows = [_row(entry) for entry in entries]
        stored: list[JournalEntry | None] = []
        with self._lock:
            try:
                with self._db:
                    if len(entries) > 1 and self._together:
                        try:
                            return self._record_together(entries, rows)
                        except sqlite3.OperationalError as err:  # an SQLite without its JSON functions
                            if "no such function" not in str(err):
                                raise
                            self._together = False
                    for entry, row in zip(entries, rows, strict=True):
                        cursor = self._db.execute(_INSERT, row)
                        stored.append(replace(entry, seq=cursor.lastrowid) if cursor.rowcount == 1 else None)
            except sqlite3.Error as err:
                raise JournalError(
                    f"the session journal {self.path} could not be written ({err}).",
                    hint="Check the disk is not full; the meeting itself is unaffected.",
                ) from err
        return stored

    def _record_together(self, entries: list[JournalEntry], rows: list[tuple[Any, ...]]) -> list[JournalEntry | None]:
        """``record``'s work for a batch in a few statements, whatever its size, inside the caller's transaction.

        Each statement gives the interpreter up while SQLite works, and a busy thread (the window,
        painting) may keep it for a while before giving it back: a batch of arrivals written row by
        row paid that wait once per row. Here: which keys are there already, one insert of the new
        rows, and the sequence numbers they were given, read back by key."""
        if not self._db.in_transaction:  # the reads below belong to the write: another copy of zoomhost on this journal
            self._db.execute("BEGIN IMMEDIATE")  # (watch beside the window) cannot slip a row in between them
        keys = [entry.event_key for entry in entries]
        (last,) = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM entries").fetchone()
        # Not redundant with INSERT OR IGNORE: an ignored row still uses up an AUTOINCREMENT number, so inserting
        # only the new rows keeps a batch's numbers without gaps for happenings already stored or told twice.
        taken: set[str] = set()
        for start in range(0, len(keys), _KEYS_PER_SELECT):
            chunk = keys[start : start + _KEYS_PER_SELECT]
            (known,) = self._db.execute(
                f"SELECT json_group_array(event_key) FROM entries WHERE event_key IN ({', '.join('?' for _ in chunk)})", chunk
            ).fetchone()
            taken.update(json.loads(known))
        new = []
        for n, key in enumerate(keys):
            if key not in taken:  # a key twice in one batch: the first is stored, as one by one
                taken.add(key)
                new.append(n)
        for start in range(0, len(new), _ROWS_PER_INSERT):
            chunk = new[start : start + _ROWS_PER_INSERT]
            self._db.execute(
                _INSERT.replace(_ONE_ROW, ", ".join(_ONE_ROW for _ in chunk)), [value for n in chunk for value in rows[n]]
            )
        (pairs,) = self._db.execute(
            "SELECT json_group_array(json_array(seq, event_key)) FROM entries WHERE seq > ?", (last,)
        ).fetchone()
        seqs = {key: seq for seq, key in json.loads(pairs)}
        chosen = set(new)
        return [replace(entry, seq=seqs[entry.event_key]) if n in chosen else None for n, entry in enumerate(entries)]

    def entries(self, *, kinds: Iterable[JournalKind] | None = None) -> list[JournalEntry]:
        """Every stored entry (or only those of ``kinds``), in the order it was recorded."""
        chosen = None if kinds is None else sorted({kind.value for kind in kinds})
        where = "" if chosen is None else f" WHERE kind IN ({', '.join('?' for _ in chosen)})"
        with self._lock:
            try:
                rows = self._db.execute(
                    "SELECT seq, at, kind, event_key, participant_id, display_name, verdict, pupil_id,"
                    f" pupil_label, actor, detail FROM entries{where} ORDER BY seq",
                    chosen or (),
                ).fetchall()
            except sqlite3.Error as err:
                raise JournalError(f"the session journal {self.path} could not be read ({err}).") from err
        return [_entry(row) for row in rows]

    def rewrite(self, entries: Iterable[JournalEntry]) -> int:
        """Replace the names and details of stored entries (by ``seq``) with those given, all or none, and
        wipe what they said before from the file (``scrub``); how many entries changed.

        Only what an entry says about a person changes (``display_name``, ``pupil_label``,
        ``detail``): what happened, when and in which order stays as it was journaled. The journal
        remembers how far it has been rewritten (``rewritten_through``).
        """
        rows = [
            (entry.display_name, entry.pupil_label, json.dumps(dict(entry.detail), sort_keys=True, ensure_ascii=False), entry.seq)
            for entry in entries
        ]
        if any(seq < 1 for *_, seq in rows):
            raise ValueError("only stored entries (with their seq) can be rewritten")
        with self._lock:
            try:
                with self._db:
                    self._db.execute(_REWRITTEN_SCHEMA)
                    changed = self._db.executemany(
                        "UPDATE entries SET display_name = ?, pupil_label = ?, detail = ? WHERE seq = ?", rows
                    ).rowcount
                    last = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM entries").fetchone()[0]
                    self._db.execute("DELETE FROM rewritten")
                    self._db.execute("INSERT INTO rewritten VALUES (?, ?)", (last, utc_now().isoformat()))
            except sqlite3.Error as err:
                raise JournalError(f"the session journal {self.path} could not be rewritten ({err}); it is unchanged.") from err
            self._scrub()
        return max(changed, 0)

    def rewritten_through(self) -> int:
        """The last ``seq`` there was when the journal was last rewritten (0: never)."""
        with self._lock:
            try:
                row = self._db.execute("SELECT through_seq FROM rewritten").fetchone()
            except sqlite3.OperationalError:  # no such table: never rewritten
                return 0
        return int(row[0]) if row else 0

    def meeting_over(self) -> bool:
        """Whether the journal says the meeting is over, without reading every entry."""
        kinds = tuple(kind.value for kind in MEETING_OVER)
        with self._lock:
            row = self._db.execute(
                f"SELECT 1 FROM entries WHERE kind IN ({', '.join('?' for _ in kinds)}) LIMIT 1", kinds
            ).fetchone()
        return row is not None

    def last_seq(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM entries").fetchone()[0])

    def scrub(self) -> bool:
        """Move everything into the journal file and empty its write-ahead file, so that what was
        deleted or rewritten is nowhere in either (the connection zeroes deleted content as it goes:
        ``secure_delete``). False when another reader kept the write-ahead file from being emptied;
        SQLite empties it when the last connection closes."""
        with self._lock:
            return self._scrub()

    def _scrub(self) -> bool:
        try:
            busy = self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        except sqlite3.Error:
            return False
        return busy == 0

    def has(self, event_key: str) -> bool:
        with self._lock:
            row = self._db.execute("SELECT 1 FROM entries WHERE event_key = ?", (event_key,)).fetchone()
        return row is not None

    def erase(self, entries: Iterable[JournalEntry], *, note: JournalEntry) -> bool:
        """Store what ``entries`` now say about a person (display name, pupil label, detail; the entry
        with the same ``seq`` and ``event_key``) and append ``note`` saying so, in one transaction; then
        leave no copy of what they said before in the file or its log (``core.scrub``).

        What happened, when and in which order stays as journaled. Nothing changes when one of
        ``entries`` is not in the journal. False when another connection was reading, so the
        write-ahead log could not be emptied at once.
        """
        rows = [
            (entry.display_name, entry.pupil_label, _row(entry)[-1], entry.seq, entry.event_key) for entry in entries
        ]
        with self._lock:
            try:
                secure(self._db)
                with self._db:
                    for row in rows:
                        cursor = self._db.execute(
                            "UPDATE entries SET display_name = ?, pupil_label = ?, detail = ? WHERE seq = ? AND event_key = ?",
                            row,
                        )
                        if cursor.rowcount != 1:
                            raise JournalError(
                                f"the session journal {self.path} has no entry {row[3]} to erase from; nothing was changed."
                            )
                    self._db.execute(
                        "INSERT INTO entries (at, kind, event_key, participant_id, display_name,"
                        " verdict, pupil_id, pupil_label, actor, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        _row(note),
                    )
            except sqlite3.Error as err:
                raise JournalError(
                    f"the session journal {self.path} could not be rewritten ({err}); it is unchanged.",
                    hint="Close any other zoomhost window and try again.",
                ) from err
            try:
                return scrub(self._db)
            except sqlite3.Error as err:
                raise JournalError(
                    f"the session journal {self.path} was rewritten but its free space could not be wiped ({err}).",
                    hint="Check the disk is not full: until the file is wiped or deleted, the old text may remain in its free space.",
                ) from err

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> SessionJournal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SessionJournals:
    """The journals kept in one sessions folder: create one, open one, list them, name their files.

    ``folder`` comes from outside (see the module's docstring); it is made, readable by this
    user only, when the first journal is created in it. ``journal_type`` is the class of the
    journals it gives (a subclass can count or fail transactions in a test).
    """

    journal_type: ClassVar[type[SessionJournal]] = SessionJournal

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def __repr__(self) -> str:
        return f"SessionJournals({str(self.folder)!r})"

    def path(self, session_id: str) -> Path:
        """Where the journal of ``session_id`` is (or would be); JournalError if it is not a session name."""
        if not _SESSION_ID.match(session_id):
            raise JournalError(
                f"'{session_id}' is not a session name.",
                hint="Run `zoomhost sessions` to list the sessions kept on this computer.",
            )
        return self.folder / f"{session_id}{SUFFIX}"

    def files(self, session_id: str) -> list[Path]:
        """The journal and SQLite's write-ahead files that belong to it (those that exist)."""
        base = self.path(session_id)
        candidates = [base, base.with_name(base.name + "-wal"), base.with_name(base.name + "-shm")]
        return [path for path in candidates if path.exists()]

    def create(
        self,
        *,
        meeting_id: str,
        topic: str,
        planned_minutes: int,
        started_at: datetime,
        rehearsal: bool,
    ) -> SessionJournal:
        """A new, empty journal, readable by this user only (it holds personal data)."""
        started_at = _utc(started_at)
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as err:
            raise JournalError(f"the sessions folder {self.folder} could not be made ({err.strerror or err}).") from err
        for _ in range(20):
            session_id = f"{started_at:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
            path = self.path(session_id)
            try:
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
                break
            except FileExistsError:
                continue
            except OSError as err:
                raise JournalError(
                    f"the session journal could not be created in {path.parent} ({err.strerror or err})."
                ) from err
        else:  # pragma: no cover - twenty collisions of 24 random bits
            raise JournalError("the session journal could not be given a unique name.")
        info = SessionInfo(
            session_id=session_id,
            meeting_id=str(meeting_id),
            topic=topic,
            planned_minutes=int(planned_minutes),
            started_at=started_at,
            rehearsal=bool(rehearsal),
            path=path,
        )
        db = _connect(path)
        try:
            with db:
                db.executescript(_SCHEMA)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                db.execute(
                    "INSERT INTO session VALUES (?, ?, ?, ?, ?, ?)",
                    (session_id, info.meeting_id, topic, info.planned_minutes, started_at.isoformat(), int(rehearsal)),
                )
        except sqlite3.Error as err:
            db.close()
            raise JournalError(f"the session journal {path} could not be written ({err}).") from err
        return self.journal_type(db=db, info=info)

    def open(self, session_id: str) -> SessionJournal:
        """An existing journal, to resume a session after a crash or to summarise it."""
        path = self.path(session_id)
        if not path.is_file():
            raise JournalError(
                f"no session '{session_id}' is kept on this computer.",
                hint="Run `zoomhost sessions` to list them; old ones are removed by `zoomhost purge`.",
            )
        db = _connect(path)
        try:
            info = _read_info(db, path)
        except BaseException:
            db.close()
            raise
        return self.journal_type(db=db, info=info)

    def read_info(self, session_id: str) -> SessionInfo:
        """A journal's heading (meeting, topic, start) without keeping it open."""
        path = self.path(session_id)
        db = _connect(path, must_exist=True)
        try:
            return _read_info(db, path)
        finally:
            db.close()

    def session_ids(self) -> list[str]:
        """The names of every journal file in the folder, readable or not."""
        found = []
        for path in self.folder.glob(f"*{SUFFIX}"):
            session_id = path.name[: -len(SUFFIX)]
            if _SESSION_ID.match(session_id):
                found.append(session_id)
        return sorted(found)

    def list_sessions(self) -> list[SessionInfo]:
        """Every readable journal, newest first; unreadable files are left out (``purge`` still sees them)."""
        found = []
        for session_id in self.session_ids():
            try:
                found.append(self.read_info(session_id))
            except JournalError:
                continue
        return sorted(found, key=lambda info: (info.started_at, info.session_id), reverse=True)



def _connect(path: Path, *, must_exist: bool = False) -> sqlite3.Connection:
    try:
        uri = f"{path.as_uri()}?mode=rw" if must_exist else str(path)
        db = sqlite3.connect(uri, uri=must_exist, timeout=10, check_same_thread=False)
        db.execute("PRAGMA secure_delete=ON")  # what is deleted or rewritten is zeroed in the file, not left in free space
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")  # an entry on screen must survive a power cut too
        return db
    except sqlite3.OperationalError as err:
        raise JournalError(f"the session journal {path} could not be opened ({err}).") from err
    except sqlite3.DatabaseError as err:
        raise JournalError(f"the session journal {path} is damaged or not a journal ({err}).") from err


def _read_info(db: sqlite3.Connection, path: Path) -> SessionInfo:
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise JournalError(f"the session journal {path} was written by a newer zoomhost.", hint="Update zoomhost.")
        row = db.execute(
            "SELECT session_id, meeting_id, topic, planned_minutes, started_at, rehearsal FROM session"
        ).fetchone()
    except sqlite3.Error as err:
        raise JournalError(f"the session journal {path} is damaged or not a journal ({err}).") from err
    if row is None:
        raise JournalError(f"the session journal {path} has no heading; it was never fully created.")
    return SessionInfo(
        session_id=row[0],
        meeting_id=row[1],
        topic=row[2],
        planned_minutes=row[3],
        started_at=datetime.fromisoformat(row[4]),
        rehearsal=bool(row[5]),
        path=path,
    )


def _row(entry: JournalEntry) -> tuple[Any, ...]:
    """An entry as the columns it is stored in (``seq`` aside), in the table's order."""
    return (
        entry.at.isoformat(),
        entry.kind.value,
        entry.event_key,
        entry.participant_id,
        entry.display_name,
        entry.verdict,
        entry.pupil_id,
        entry.pupil_label,
        entry.actor,
        json.dumps(dict(entry.detail), sort_keys=True, ensure_ascii=False),
    )


def _entry(row: tuple[Any, ...]) -> JournalEntry:
    return JournalEntry(
        seq=row[0],
        at=datetime.fromisoformat(row[1]),
        kind=JournalKind(row[2]),
        event_key=row[3],
        participant_id=row[4],
        display_name=row[5],
        verdict=row[6],
        pupil_id=row[7],
        pupil_label=row[8],
        actor=row[9],
        detail=json.loads(row[10]),
    )
