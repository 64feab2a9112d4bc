"""Which family link was issued for which pupil: kept with the register, minimal, and gone with the pupil.

Only Zoom's registrant id, the meeting, the pupil and the day are kept: never the join link, never
the parent's address. A new register, a leaver's removal, forgetting one pupil and retention each
delete the links they should, and nothing else.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from tests.core.live_helpers import journals
from zoomhost.core.register import read_register_file
from zoomhost.core.register_store import RegisterStore, RegisterStoreError
from zoomhost.core.retention import purge

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "registers"
MEETING = "85746065432"
OTHER_MEETING = "83920174655"


@pytest.fixture
def store(tmp_path: Path) -> RegisterStore:
    store = RegisterStore(db_path=tmp_path / "register.sqlite3")
    store.replace_pupils(read_register_file(SAMPLES / "arbor-utf8-comma.csv"))
    return store


def test_links_are_kept_per_meeting_and_read_back(store: RegisterStore) -> None:
    first, second = store.pupils()[:2]
    assert store.record_links(MEETING, [("reg-a", first.id), ("reg-b", second.id)], issued_on=date(2024, 9, 1)) == 2
    store.record_links(OTHER_MEETING, [("reg-c", first.id)], issued_on=date(2024, 9, 1))
    assert store.links(MEETING) == {"reg-a": first.id, "reg-b": second.id}
    assert store.links(OTHER_MEETING) == {"reg-c": first.id}
    assert store.links("81234509876") == {}


def test_only_the_registrant_id_meeting_pupil_and_day_are_kept(store: RegisterStore) -> None:
    store.record_links(MEETING, [("reg-a", store.pupils()[0].id)], issued_on=date(2024, 9, 1))
    with sqlite3.connect(store.db_path) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(links)")]
        rows = db.execute("SELECT * FROM links").fetchall()
    assert columns == ["registrant_id", "meeting_id", "pupil_id", "issued_on"]
    assert rows == [("reg-a", MEETING, store.pupils()[0].id, "2024-09-01")]


def test_a_link_for_a_pupil_not_on_the_register_is_refused_and_nothing_is_kept(store: RegisterStore) -> None:
    first = store.pupils()[0]
    with pytest.raises(RegisterStoreError, match="not on the stored register"):
        store.record_links(MEETING, [("reg-a", first.id), ("reg-x", 999)], issued_on=date(2024, 9, 1))
    assert store.links(MEETING) == {}


def test_a_new_register_deletes_every_link_of_the_old_one(store: RegisterStore) -> None:
    store.record_links(MEETING, [("reg-a", p.id) for p in store.pupils()[:1]], issued_on=date(2024, 9, 1))
    forgotten = store.replace_pupils(read_register_file(SAMPLES / "windows-1252-comma.csv"))
    assert forgotten == 1 and store.links(MEETING) == {} and store.link_count() == 0


def test_a_leavers_links_go_with_them_in_the_august_after_leaving(store: RegisterStore) -> None:
    imported = read_register_file(SAMPLES / "arbor-utf8-comma.csv")
    pupils = list(imported.pupils)
    pupils[0] = dataclasses.replace(pupils[0], leaving_date=date(2025, 7, 18))
    store.replace_pupils(dataclasses.replace(imported, pupils=tuple(pupils)))
    leaver, stays = pupils[0], pupils[1]
    store.record_links(MEETING, [("reg-leaver", leaver.id), ("reg-stays", stays.id)], issued_on=date(2025, 7, 1))
    assert store.purge_leavers(today=date(2025, 8, 1), dry_run=True) and store.link_count(pupil_id=leaver.id) == 1
    store.purge_leavers(today=date(2025, 8, 1))
    assert store.links(MEETING) == {"reg-stays": stays.id}


def test_forgetting_one_pupil_deletes_their_links_and_no_one_elses(store: RegisterStore) -> None:
    """However a pupil leaves the stored register, through the store their links cannot outlive them."""
    forgotten, kept = store.pupils()[:2]
    store.record_links(MEETING, [("reg-f1", forgotten.id), ("reg-f2", forgotten.id), ("reg-k", kept.id)], issued_on=date(2024, 9, 1))
    with store._transaction(write=True) as db:  # the statement any "forget this pupil" runs
        db.execute("DELETE FROM pupils WHERE id = ?", (forgotten.id,))
    assert store.link_count(pupil_id=forgotten.id) == 0
    assert store.links(MEETING) == {"reg-k": kept.id}


def test_retention_removes_links_issued_before_the_cutoff(store: RegisterStore) -> None:
    first, second = store.pupils()[:2]
    store.record_links(MEETING, [("old", first.id)], issued_on=date(2024, 7, 1))
    store.record_links(OTHER_MEETING, [("recent", second.id)], issued_on=date(2024, 8, 20))
    dry = purge(journals=journals(), today=date(2024, 9, 2), session_retention_days=30, register_store=store, dry_run=True)
    assert dry.links == 1 and store.link_count() == 2
    assert "Would remove 1 family link record(s) issued before 2024-08-03." in dry.lines()
    done = purge(journals=journals(), today=date(2024, 9, 2), session_retention_days=30, register_store=store, dry_run=False)
    assert done.links == 1 and done.as_dict()["links"] == 1
    assert store.links(MEETING) == {} and store.links(OTHER_MEETING) == {"recent": second.id}


def test_a_register_stored_before_links_were_kept_gains_the_table_and_keeps_its_pupils(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(
            "CREATE TABLE pupils (id INTEGER PRIMARY KEY, first_name TEXT NOT NULL, preferred_name TEXT,"
            " surname_initial TEXT, class_name TEXT, consent INTEGER NOT NULL, consent_date TEXT, leaving_date TEXT);"
            "CREATE TABLE staff (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT);"
            "CREATE TABLE imports (list TEXT PRIMARY KEY, source TEXT NOT NULL, imported_at TEXT NOT NULL);"
            "INSERT INTO pupils VALUES (1, 'Amy', NULL, 'B', '3B', 1, NULL, NULL);"
            "PRAGMA user_version = 1;"
        )
    store = RegisterStore(db_path=path)
    assert [p.first_name for p in store.pupils()] == ["Amy"]
    store.record_links(MEETING, [("reg-a", 1)], issued_on=date(2024, 9, 1))
    assert store.links(MEETING) == {"reg-a": 1}


def test_importing_a_new_register_says_the_family_links_are_gone(capsys: pytest.CaptureFixture[str]) -> None:
    from zoomhost import cli
    from zoomhost.system import paths

    assert cli.main(["register", "import", str(SAMPLES / "arbor-utf8-comma.csv")]) == 0
    store = RegisterStore(db_path=paths.register_db())
    store.record_links(MEETING, [("reg-a", store.pupils()[0].id), ("reg-b", store.pupils()[1].id)], issued_on=date.today())
    capsys.readouterr()
    assert cli.main(["register", "import", str(SAMPLES / "windows-1252-comma.csv")]) == 0
    out = capsys.readouterr().out
    assert "Forgot 2 family link(s) made for the old register: prepare the invitations again" in out
    assert store.links(MEETING) == {}
    assert cli.main(["register", "import", str(SAMPLES / "windows-1252-comma.csv")]) == 0
    assert "family link" not in capsys.readouterr().out  # nothing to forget the second time
