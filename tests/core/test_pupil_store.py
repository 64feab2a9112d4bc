"""The register's part of an erasure: the entry, every row linked to it, and the record of the erasure."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from zoomhost.core import register_store
from zoomhost.core.register import RegisterStore, read_register_file
from zoomhost.core.register_store import ErasureRecord


@pytest.fixture
def store(tmp_path: Path) -> RegisterStore:
    source = tmp_path / "register.csv"
    source.write_text("Forename,Surname,Class,Consent\nAmy,Brown,Year 3,yes\nMo,Khan,Year 5,no\n", encoding="utf-8")
    stored = RegisterStore(db_path=tmp_path / "register.sqlite3")
    stored.replace_pupils(read_register_file(source))
    return stored


def _erasure(reference: str = "E-000001") -> ErasureRecord:
    return ErasureRecord(reference, datetime(2024, 3, 8, 12, tzinfo=UTC), 0, 0, sessions=2, journal_rows=7)


def test_a_register_from_before_erasures_were_recorded_takes_them(store: RegisterStore) -> None:
    with sqlite3.connect(store.db_path) as db:  # as an older zoomhost left it: version 1, no erasures table
        db.execute("DROP TABLE erasures")
        db.execute("PRAGMA user_version = 1")
    assert store.erasures() == []
    amy = store.pupils()[0]
    records, emptied = store.forget_pupils([amy.id], erasure=_erasure())
    assert records.pupils == (amy,) and emptied
    assert [p.first_name for p in store.pupils()] == ["Mo"]
    (done,) = store.erasures()
    assert (done.reference, done.register_entries, done.sessions, done.journal_rows) == ("E-000001", 1, 2, 7)


def test_rows_linked_to_a_pupil_are_listed_and_erased_with_the_entry(
    store: RegisterStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hook a table of Zoom registrants joins: listed by ``pupil_records``, deleted by ``forget_pupils``."""
    amy, mo = store.pupils()
    with sqlite3.connect(store.db_path) as db:
        db.execute("CREATE TABLE registrant_links (registrant_id TEXT, pupil_id INTEGER)")
        db.executemany("INSERT INTO registrant_links VALUES (?, ?)", [("r-amy", amy.id), ("r-mo", mo.id)])
    monkeypatch.setattr(register_store, "PUPIL_LINKED_TABLES", (("registrant_links", "pupil_id"),))
    records = store.pupil_records([amy.id])
    assert records.linked == (("registrant_links", {"registrant_id": "r-amy", "pupil_id": amy.id}),)
    gone, _ = store.forget_pupils([amy.id], erasure=_erasure())
    assert gone == records
    assert store.pupil_records([mo.id]).linked == (("registrant_links", {"registrant_id": "r-mo", "pupil_id": mo.id}),)
    assert store.pupil_records([amy.id]).linked == ()
    assert store.erasures()[0].linked_rows == 1


def test_a_failed_erasure_changes_nothing(store: RegisterStore) -> None:
    before = store.pupils()
    store.forget_pupils([before[0].id], erasure=_erasure("E-SAME"))
    with pytest.raises(register_store.RegisterStoreError, match="nothing was changed"):
        store.forget_pupils([before[1].id], erasure=_erasure("E-SAME"))  # the reference is already used
    assert store.pupils() == before[1:] and len(store.erasures()) == 1


def test_nothing_stored_yet_means_nothing_held(tmp_path: Path) -> None:
    store = RegisterStore(db_path=tmp_path / "none.sqlite3")
    assert store.pupil_records([1]).pupils == () and store.erasures() == []
    assert not store.db_path.exists()  # asking does not create a register
