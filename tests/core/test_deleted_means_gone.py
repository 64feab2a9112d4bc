"""Deleted means gone from the files: a replaced register, a purged leaver, a closed session's dropped
names and a purged journal leave nothing readable in the database, its write-ahead file or anything
else in the folder, even where SQLite does not zero deleted content by default."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.core.live_helpers import MEETING, T0, Clock, event
from tests.core.sqlite_files import every_byte, found, sqlite_as_built_elsewhere
from zoomhost.app.retention import START_UP, forget_what_is_due
from zoomhost.app.services import register_store, retention_log, session_journals
from zoomhost.core.classifier import AdmissionClassifier
from zoomhost.core.events import EventKind
from zoomhost.core.models import Pupil, StaffMember
from zoomhost.core.register_store import RegisterStore
from zoomhost.core.retention import minimise
from zoomhost.core.session import LiveSession
from zoomhost.system import paths

# First names no other text in the files could contain by chance (the register keeps first names).
OLD_PUPILS = ("Quintessa", "Zebulonia", "Xanthippe", "Ottoline", "Peregrina", "Wilhelmus")
NEW_PUPILS = ("Ada", "Ben", "Cai")


@dataclass(frozen=True)
class Imported:
    """A register as the importer gives it to the store."""

    pupils: tuple[Pupil, ...]
    source: str = "register.csv"


def _register(names: tuple[str, ...], *, left: date | None = None, start: int = 1) -> Imported:
    return Imported(tuple(Pupil(start + n, name, None, "K", "Year 6", True, date(2024, 9, 5), left) for n, name in enumerate(names)))


@pytest.fixture(params=["with zoomhost's secure delete", "without it"])
def ours(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Every test runs twice on an SQLite that keeps deleted content by default: once as zoomhost is,
    and once with zoomhost's ``PRAGMA secure_delete=ON`` ignored, where the names must be found (or
    the test could not tell)."""
    kept = request.param == "with zoomhost's secure delete"
    sqlite_as_built_elsewhere(monkeypatch, ours=kept)
    return kept


def _check(hits: dict[str, list[str]], ours: bool) -> None:
    if ours:
        assert hits == {}, f"deleted names still readable in the files: {hits}"
    else:
        assert hits, "without zoomhost's secure delete the deleted names should still be in the files"


def test_a_replaced_register_leaves_none_of_its_pupils_in_the_files(ours: bool) -> None:
    store = RegisterStore(db_path=paths.register_db())
    store.replace_pupils(_register(OLD_PUPILS * 20))  # a few pages of them
    # Another zoomhost has the register open meanwhile (the window, while a command imports), so
    # SQLite does not get to empty the write-ahead file on its own when the import's connection closes.
    with closing(sqlite3.connect(paths.register_db())) as other:
        other.execute("SELECT COUNT(*) FROM pupils").fetchone()
        store.replace_pupils(_register(NEW_PUPILS))
        assert [p.first_name for p in store.pupils()] == list(NEW_PUPILS)
        _check(found(paths.data_dir(), OLD_PUPILS), ours)
    _check(found(paths.data_dir(), OLD_PUPILS), ours)


def test_leavers_purged_at_start_up_leave_no_trace_in_the_files(ours: bool) -> None:
    last_summer = date(date.today().year - 1, 7, 19)
    store = register_store()
    store.replace_pupils(_register(NEW_PUPILS * 30))
    leavers = _register(OLD_PUPILS, left=last_summer, start=1000)
    store.replace_pupils(Imported((*store.pupils(), *leavers.pupils)))

    run = forget_what_is_due(trigger=START_UP)
    assert run.leavers_removed == len(OLD_PUPILS) and "6 leavers removed from the register" in run.message
    assert sorted({p.first_name for p in store.pupils()}) == sorted(NEW_PUPILS)
    _check(found(paths.data_dir(), OLD_PUPILS), ours)
    # The retention log says what went, without a name.
    (record,) = retention_log().records()
    assert record.trigger == START_UP and record.leavers_removed == 6
    assert not [name for name in OLD_PUPILS if name.encode() in retention_log().path.read_bytes()]


# Names as families type them: full surnames the register deliberately keeps only an initial of.
TYPED = {"a1": "Amelia Wrexhamthistle", "b1": "Barnaby Quillfeather (Year 5)", "e1": "Eudora Mountbatten"}


def _closed_meeting() -> LiveSession:
    pupils = [
        Pupil(1, "Amelia", None, "W", "Year 4", True),
        Pupil(2, "Barnaby", None, "Q", "Year 5", True),
        Pupil(5, "Eudora", None, "M", "Year 3", True),
    ]
    classifier = AdmissionClassifier(pupils=pupils, staff=[StaffMember(1, "Mrs Penhaligon")], today=T0.date())
    journal = session_journals().create(meeting_id=MEETING, topic="Class", planned_minutes=30, started_at=T0, rehearsal=False)
    session = LiveSession(journal=journal, classify=lambda name, present, identity: classifier.classify(name, present=present, identity=identity), clock=Clock())
    E = EventKind
    session.apply(event(E.STARTED, seconds=0))
    for n, (pid, name) in enumerate(TYPED.items()):
        session.apply(event(E.WAITING_JOINED, pid, name, seconds=10 + n))
        session.apply(event(E.ADMITTED, pid, seconds=20 + n))
    session.apply(event(E.WAITING_JOINED, "x1", "Sir Lancelot Duckworth", seconds=30))  # held: evidence
    session.hold("x1", actor="teacher")
    session.apply(event(E.ENDED, seconds=1800))
    return session


def test_a_closed_sessions_dropped_names_are_gone_from_its_files(ours: bool) -> None:
    session = _closed_meeting()
    folder = session_journals().folder
    assert set(found(folder, TYPED.values())) == set(TYPED.values()), "while the session runs, the journal keeps all"
    minimise(session.journal)
    # The journal stays open after the session closes (the summary reads it): the names are gone already.
    _check(found(folder, TYPED.values()), ours)
    assert found(folder, ("Sir Lancelot Duckworth",)), "the held person's name is incident evidence until the journal goes"
    session.journal.close()
    _check(found(folder, TYPED.values()), ours)


def test_a_journal_past_its_retention_is_deleted_whole_with_its_write_ahead_files(monkeypatch: pytest.MonkeyPatch) -> None:
    sqlite_as_built_elsewhere(monkeypatch)
    session = _closed_meeting()
    session.journal.close()
    old = datetime.now(UTC) - timedelta(days=45)
    kept = session_journals().create(meeting_id=MEETING, topic="Recent", planned_minutes=30, started_at=old + timedelta(days=30), rehearsal=False)
    kept.close()
    # The meeting above started in 2024: far past 30 days.
    run = forget_what_is_due(trigger=START_UP)
    assert run.sessions_deleted == 1 and run.message.startswith("1 session older than 30 days deleted")
    folder = session_journals().folder
    assert [p.name for p in folder.iterdir() if p.name.startswith(session.journal.session_id)] == []
    assert found(folder, ("Sir Lancelot Duckworth", *TYPED.values())) == {}
    assert set(every_byte(folder)) == {kept.path}


def test_the_journal_and_register_connections_ask_for_secure_delete(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sqlite_as_built_elsewhere(monkeypatch)
    journal = session_journals().create(meeting_id=MEETING, topic="x", planned_minutes=30, started_at=T0, rehearsal=False)
    assert journal._db.execute("PRAGMA secure_delete").fetchone()[0] == 1  # noqa: SLF001 - the connection itself
    journal.close()
    store = RegisterStore(db_path=tmp_path / "register.sqlite3")
    with store._transaction() as db:  # noqa: SLF001 - the connection each store call opens
        assert db.execute("PRAGMA secure_delete").fetchone()[0] == 1
