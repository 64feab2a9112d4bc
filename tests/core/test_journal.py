"""The session journal on real SQLite files: stored once, in order, private, and readable after a crash."""

from __future__ import annotations

import os
import random
import sqlite3
import stat
from datetime import datetime, timedelta

import pytest

from tests.core.live_helpers import MEETING, T0, journals
from zoomhost.core.journal import JournalEntry, JournalError, JournalKind, SessionJournal, SessionJournals


def _journal(**overrides: object) -> SessionJournal:
    args = {"meeting_id": MEETING, "topic": "Friday assembly", "planned_minutes": 30, "started_at": T0, "rehearsal": False}
    args.update(overrides)
    return journals().create(**args)  # type: ignore[arg-type]


def _entry(key: str, *, seconds: float = 0, **fields: object) -> JournalEntry:
    return JournalEntry(at=T0 + timedelta(seconds=seconds), kind=JournalKind.NOTE, event_key=key, **fields)  # type: ignore[arg-type]


def test_entries_come_back_in_order_with_every_field() -> None:
    with _journal() as journal:
        assert journal.append(
            JournalEntry(
                at=T0,
                kind=JournalKind.ARRIVAL,
                event_key="event:1",
                participant_id="16778240",
                display_name="Zoë 🦄",
                verdict="consented",
                pupil_id=2,
                pupil_label="Zoë L. (Year 4)",
                actor="zoom",
                detail={"reasons": ["one consented pupil matches"], "after_lock": False},
            )
        )
        assert journal.append(_entry("note:2", seconds=5, actor="teacher", detail={"text": "fire alarm test"}))
        session_id = journal.session_id

    with journals().open(session_id) as reopened:
        first, second = reopened.entries()
    assert (first.seq, second.seq) == (1, 2)
    assert first.kind is JournalKind.ARRIVAL and first.display_name == "Zoë 🦄" and first.pupil_id == 2
    assert first.detail == {"reasons": ["one consented pupil matches"], "after_lock": False}
    assert first.at == T0 and first.at.utcoffset() == timedelta(0)
    assert second.actor == "teacher" and second.detail["text"] == "fire alarm test"


def test_the_same_happening_recorded_twice_is_stored_once() -> None:
    with _journal() as journal:
        assert journal.append(_entry("event:abc")) is True
        assert journal.append(_entry("event:abc", seconds=3, detail={"source": "assistant"})) is False
        assert [e.event_key for e in journal.entries()] == ["event:abc"]
        assert journal.entries()[0].at == T0  # the first telling is kept


def test_entries_of_one_event_are_stored_all_or_none() -> None:
    with _journal() as journal:
        journal.append(_entry("taken"))
        with pytest.raises(ValueError):
            journal.append_all([_entry("a"), JournalEntry(at=T0, kind="no-such-kind", event_key="b")])  # type: ignore[arg-type]
        assert journal.append_all([_entry("a"), _entry("taken")]) == [True, False]
        assert [e.event_key for e in journal.entries()] == ["taken", "a"]


def test_a_large_batch_is_stored_in_its_order_once_each_with_the_numbers_it_was_given() -> None:
    """An assembly's burst (more rows than one insert carries), with a happening already stored and one told twice."""
    with _journal() as journal:
        assert journal.append(_entry("event:7"))
        batch = [_entry(f"event:{n}", seconds=n, participant_id=str(n)) for n in range(250)]
        batch.insert(120, _entry("event:3", seconds=999))  # told twice in the same batch: the first telling is kept
        stored = journal.record(batch)
        kept = [entry for entry in stored if entry is not None]
        assert [stored[n] is None for n in (7, 120)] == [True, True]
        assert len(kept) == 249
        assert [e.seq for e in kept] == list(range(2, 251))  # numbered in the batch's order
        back = journal.entries()
        assert [e.event_key for e in back] == ["event:7"] + [e.event_key for e in kept]
        assert [e.seq for e in back[1:]] == [e.seq for e in kept]
        assert next(e for e in back if e.event_key == "event:3").at == batch[3].at
        assert journal.record([_entry("event:1"), _entry("event:2")]) == [None, None]  # all there already


def _stored(journal: SessionJournal) -> list[tuple[int, str, str]]:
    """What is on disk, read through a connection of its own: only what a transaction has committed."""
    db = sqlite3.connect(journal.path)
    try:
        return db.execute("SELECT seq, event_key, at FROM entries ORDER BY seq").fetchall()
    finally:
        db.close()


def test_a_batch_written_together_keeps_what_row_by_row_keeps_numbered_without_gaps_and_on_disk_when_it_returns() -> None:
    """Batches of every size (one insert's worth and more), with happenings already stored, told twice in the
    batch, or both: written together, the same happenings are kept, in the same order, each with its first
    telling, as written one row at a time; a happening not stored again uses up no number (one at a time, an
    ignored insert does); and the batch is committed to the file by the time ``record`` returns, so what the
    window shows survives a crash."""
    rng = random.Random(1366)
    together, one_by_one = _journal(), _journal()
    one_by_one._together = False  # the reference: one INSERT OR IGNORE per entry
    told: list[str] = []
    try:
        for size in (2, 3, 89, 90, 91, 181, 250, 7, 400):
            batch = []
            for n in range(size):
                key = rng.choice(told) if told and rng.random() < 0.3 else f"event:{len(told)}"  # stored, or earlier in this batch
                told.append(key)
                batch.append(_entry(key, seconds=len(told) + n / 1000, participant_id=str(n)))
            before = len(_stored(together))
            answers = together.record(batch)
            reference = one_by_one.record(batch)
            assert [e is not None for e in answers] == [e is not None for e in reference]
            on_disk = _stored(together)  # read by another connection: committed, not only in this one's transaction
            assert [(key, at) for _, key, at in on_disk] == [(key, at) for _, key, at in _stored(one_by_one)]
            kept = [e.seq for e in answers if e is not None]
            assert kept == list(range(before + 1, before + 1 + len(kept)))  # every kept one numbered, in batch order
            assert [seq for seq, _, _ in on_disk] == list(range(1, len(on_disk) + 1))
        assert len(_stored(together)) == len(set(told))
    finally:
        together.close()
        one_by_one.close()


def test_entries_of_some_kinds_only_come_back_in_order() -> None:
    with _journal() as journal:
        journal.append_all(
            [
                JournalEntry(at=T0, kind=JournalKind.ARRIVAL, event_key="arrival:1"),
                _entry("note:1"),
                JournalEntry(at=T0, kind=JournalKind.CHAT_OFF, event_key="chat:1"),
                _entry("note:2"),
            ]
        )
        assert [e.event_key for e in journal.entries(kinds={JournalKind.NOTE, JournalKind.CHAT_OFF})] == ["note:1", "chat:1", "note:2"]
        assert [e.seq for e in journal.entries(kinds=[JournalKind.CHAT_OFF])] == [3]
        assert journal.entries(kinds=()) == []
        assert len(journal.entries()) == 4


def test_journal_files_are_readable_by_this_user_only() -> None:
    with _journal() as journal:
        journal.append(_entry("x"))
        files = list(journal.path.parent.glob(journal.path.name + "*"))
        assert {f.name for f in files} >= {journal.path.name, journal.path.name + "-wal"}
        for file in files:
            assert stat.S_IMODE(os.stat(file).st_mode) == 0o600, file.name


def test_the_journal_uses_write_ahead_logging() -> None:
    with _journal() as journal:
        path = journal.path
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        db.close()


def test_session_heading_and_listing_newest_first() -> None:
    older = _journal(topic="Class 3 story time", started_at=T0 - timedelta(days=2), rehearsal=True)
    newer = _journal(topic="Friday assembly")
    older.close()
    newer.close()
    listed = journals().list_sessions()
    assert [info.topic for info in listed] == ["Friday assembly", "Class 3 story time"]
    assert listed[1].rehearsal is True and listed[0].meeting_id == MEETING and listed[0].planned_minutes == 30
    assert listed[0].session_id.startswith(T0.strftime("%Y%m%d-%H%M%S"))


def test_the_sessions_folder_is_given_and_made_private_when_first_used(tmp_path) -> None:  # noqa: ANN001
    kept = SessionJournals(tmp_path / "elsewhere" / "sessions")
    assert kept.list_sessions() == [] and not kept.folder.exists()
    with kept.create(meeting_id=MEETING, topic="Class 2", planned_minutes=30, started_at=T0, rehearsal=False) as journal:
        assert journal.path.parent == kept.folder
    assert stat.S_IMODE(kept.folder.stat().st_mode) == 0o700
    assert [info.topic for info in kept.list_sessions()] == ["Class 2"]
    assert journals().list_sessions() == [], "another folder's journals are not these"


def test_a_missing_session_says_how_to_find_one() -> None:
    with pytest.raises(JournalError) as err:
        journals().open("20240101-090000-abcdef")
    assert "zoomhost sessions" in err.value.user_text()


@pytest.mark.parametrize("name", ["../register", "20240101-090000-abcdef/../../x", "", "latest"])
def test_a_session_name_cannot_point_outside_the_sessions_folder(name: str) -> None:
    with pytest.raises(JournalError, match="not a session name"):
        journals().open(name)


def test_a_damaged_journal_is_reported_not_crashed_on() -> None:
    bad = journals().folder / "20240101-090000-abcdef.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(JournalError, match="damaged or not a journal"):
        journals().open("20240101-090000-abcdef")
    assert journals().list_sessions() == []


def test_times_without_a_zone_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        JournalEntry(at=datetime(2024, 3, 8, 10, 30), kind=JournalKind.NOTE, event_key="x")
    with pytest.raises(ValueError):
        _entry("y", actor="headteacher")
