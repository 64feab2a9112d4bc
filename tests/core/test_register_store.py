"""The stored register: whole-list replacement, per-class counts, and removing leavers on time."""

from __future__ import annotations

import dataclasses
import sqlite3
import stat
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from zoomhost.system import paths
from zoomhost.core.models import Pupil
from zoomhost.core.register import (
    RegisterStore,
    RegisterStoreError,
    august_after,
    read_register_file,
    read_staff_file,
)

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "registers"


@pytest.fixture
def store(tmp_path: Path) -> RegisterStore:
    return RegisterStore(db_path=tmp_path / "register.sqlite3")


def test_a_stored_register_reads_back_exactly(store: RegisterStore) -> None:
    imported = read_register_file(SAMPLES / "arbor-utf8-comma.csv")
    before = datetime.now(UTC).replace(microsecond=0)
    store.replace_pupils(imported)
    assert store.pupils() == list(imported.pupils)
    when = store.imported_at()
    assert when is not None and before <= when <= datetime.now(UTC) + timedelta(seconds=1)
    assert store.imported_at(staff=True) is None
    assert store.last_import().source == "arbor-utf8-comma.csv"


def test_a_new_import_replaces_the_whole_register(store: RegisterStore) -> None:
    store.replace_pupils(read_register_file(SAMPLES / "arbor-utf8-comma.csv"))
    store.replace_pupils(read_register_file(SAMPLES / "windows-1252-comma.csv"))
    assert [p.first_name for p in store.pupils()] == ["Renée", "Zoë", "François"]
    assert store.consent_counts_by_class() == {"2K": (2, 3)}


def test_consent_counts_by_class_in_natural_order(store: RegisterStore, tmp_path: Path) -> None:
    csv = tmp_path / "classes.csv"
    csv.write_text(
        "Forename,Class,Consent\nA,Year 10,yes\nB,Year 2,no\nC,Year 2,yes\nD,,yes\nE,Year 2,yes\n", encoding="utf-8"
    )
    store.replace_pupils(read_register_file(csv))
    assert list(store.consent_counts_by_class().items()) == [
        ("(no class)", (1, 1)),
        ("Year 2", (2, 3)),
        ("Year 10", (1, 1)),
    ]


def test_a_failed_replacement_leaves_the_previous_register_untouched(store: RegisterStore) -> None:
    good = read_register_file(SAMPLES / "arbor-utf8-comma.csv")
    store.replace_pupils(good)
    stamp = store.imported_at()
    other = read_register_file(SAMPLES / "sims-utf8-bom-semicolon.csv")
    # Two pupils with one id: the database refuses the second insert, half-way through the import.
    clash = dataclasses.replace(other, pupils=(other.pupils[0], other.pupils[1], dataclasses.replace(other.pupils[2], id=1)))
    with pytest.raises(RegisterStoreError, match="nothing was changed"):
        store.replace_pupils(clash)
    assert store.pupils() == list(good.pupils)
    assert store.imported_at() == stamp
    assert store.last_import().source == "arbor-utf8-comma.csv"


def test_staff_list_is_stored_beside_the_register(store: RegisterStore) -> None:
    store.replace_pupils(read_register_file(SAMPLES / "arbor-utf8-comma.csv"))
    imported = read_staff_file(SAMPLES / "staff-names-emails.csv")
    store.replace_staff(imported)
    assert store.staff() == list(imported.staff)
    assert len(store.pupils()) == 8  # the pupils are not touched by a staff import
    assert store.last_import(staff=True).source == "staff-names-emails.csv"


def test_the_database_is_private_and_in_wal_mode(store: RegisterStore) -> None:
    store.replace_pupils(read_register_file(SAMPLES / "tiny-semicolon.csv"))
    assert stat.S_IMODE(store.db_path.stat().st_mode) == 0o600
    with sqlite3.connect(store.db_path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_damaged_database_file_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "register.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    store = RegisterStore(db_path=path)
    with pytest.raises(RegisterStoreError, match=r"could not be used .*nothing was changed") as caught:
        store.replace_pupils(read_register_file(SAMPLES / "tiny-semicolon.csv"))
    assert "move that file aside" in caught.value.user_text()
    assert path.read_bytes() == b"this is not a database" * 100


def test_the_default_database_lives_in_the_data_folder(zoomhost_home: Path) -> None:
    assert paths.register_db().parent == paths.data_dir()
    assert paths.register_db().is_relative_to(zoomhost_home)


@pytest.mark.parametrize(
    ("leaving", "august"),
    [
        (date(2025, 7, 18), date(2025, 8, 1)),
        (date(2025, 7, 31), date(2025, 8, 1)),
        (date(2025, 8, 1), date(2026, 8, 1)),  # strictly after
        (date(2025, 12, 19), date(2026, 8, 1)),
        (date(2026, 1, 5), date(2026, 8, 1)),
    ],
)
def test_august_after(leaving: date, august: date) -> None:
    assert august_after(leaving) == august


def _pupil(pupil_id: int, name: str, leaving: date | None) -> Pupil:
    return Pupil(
        id=pupil_id, first_name=name, preferred_name=None, surname_initial="B", class_name="6C", consent=True,
        leaving_date=leaving,
    )  # fmt: skip


def test_leavers_are_purged_from_the_august_after_they_leave(store: RegisterStore) -> None:
    imported = read_register_file(SAMPLES / "tiny-semicolon.csv")
    pupils = (
        _pupil(1, "Stays", None),
        _pupil(2, "LeftInJuly", date(2025, 7, 18)),
        _pupil(3, "LeavesAtChristmas", date(2025, 12, 19)),
    )
    store.replace_pupils(dataclasses.replace(imported, pupils=pupils))

    assert store.purge_leavers(today=date(2025, 7, 31)) == []
    preview = store.purge_leavers(today=date(2025, 8, 1), dry_run=True)
    assert [p.first_name for p in preview] == ["LeftInJuly"]
    assert len(store.pupils()) == 3  # a dry run removes nothing

    removed = store.purge_leavers(today=date(2025, 8, 1))
    assert [p.first_name for p in removed] == ["LeftInJuly"]
    assert [p.first_name for p in store.pupils()] == ["Stays", "LeavesAtChristmas"]
    assert [p.first_name for p in store.purge_leavers(today=date(2026, 8, 1))] == ["LeavesAtChristmas"]
    assert [p.first_name for p in store.pupils()] == ["Stays"]
