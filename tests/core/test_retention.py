"""Retention: old session journals go whole, leavers go in the August after leaving, and a dry run touches nothing."""

from __future__ import annotations

import stat
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.core.live_helpers import MEETING, journals
from zoomhost.core.errors import ZoomhostError
from zoomhost.core.models import Pupil
from zoomhost.core.retention import RetentionLog, RetentionRecord, purge
from zoomhost.core.register_store import RegisterStore

TODAY = date(2024, 9, 2)


def _session(day: date, topic: str) -> str:
    started = datetime(day.year, day.month, day.day, 10, 30, tzinfo=UTC)
    with journals().create(meeting_id=MEETING, topic=topic, planned_minutes=30, started_at=started, rehearsal=False) as j:
        return j.session_id


def test_sessions_older_than_the_retention_are_deleted_whole() -> None:
    old = _session(date(2024, 7, 1), "Summer assembly")
    edge = _session(date(2024, 8, 3), "Exactly 30 days old")
    new = _session(date(2024, 9, 1), "Welcome back")

    report = purge(journals=journals(), today=TODAY, session_retention_days=30, dry_run=False)
    assert [s.session_id for s in report.sessions] == [old]
    assert report.kept_sessions == 2
    assert journals().session_ids() == sorted([edge, new])
    assert not [p for p in journals().folder.iterdir() if p.name.startswith(old)], "no -wal or -shm left behind"
    text = "\n".join(report.lines())
    assert "Removed 1 session journal(s) started before 2024-08-03" in text and "Summer assembly" in text


def test_a_dry_run_says_what_would_go_and_removes_nothing() -> None:
    old = _session(date(2024, 1, 10), "January class")
    report = purge(journals=journals(), today=TODAY, session_retention_days=30, dry_run=True)
    assert [s.session_id for s in report.sessions] == [old]
    assert journals().session_ids() == [old]
    assert report.lines()[0].startswith("Would remove 1 session journal(s)")
    assert report.lines()[-1] == "Nothing was removed (dry run)."


def test_a_damaged_old_journal_is_still_purged_by_the_date_in_its_name() -> None:
    damaged = journals().folder / "20230102-093000-0a0b0c.sqlite3"
    damaged.write_bytes(b"\x00garbage" * 50)
    report = purge(journals=journals(), today=TODAY, session_retention_days=30, dry_run=False)
    assert [(s.session_id, s.topic) for s in report.sessions] == [("20230102-093000-0a0b0c", None)]
    assert not damaged.exists()
    assert "(unreadable journal)" in "\n".join(report.lines())


def _store_with_leavers(tmp_path) -> RegisterStore:  # noqa: ANN001
    from zoomhost.core.register import read_register_file

    register = tmp_path / "register.csv"
    register.write_text(
        "Forename,Surname,Class,Zoom consent,Leaving date\n"
        "Amy,Bloggs,Year 6,yes,2024-07-19\n"
        "Zoë,Lee,Year 6,yes,2024-08-02\n"
        "Mo,Khan,Year 5,yes,\n",
        encoding="utf-8",
    )
    store = RegisterStore(db_path=tmp_path / "register.sqlite3")
    store.replace_pupils(read_register_file(register))
    return store


def test_leavers_go_in_the_august_after_leaving_through_the_register(tmp_path) -> None:  # noqa: ANN001
    store = _store_with_leavers(tmp_path)
    dry = purge(journals=journals(), today=TODAY, session_retention_days=30, register_store=store, dry_run=True)
    assert [p.first_name for p in dry.leavers] == ["Amy"]
    assert len(store.pupils()) == 3
    done = purge(journals=journals(), today=TODAY, session_retention_days=30, register_store=store, dry_run=False)
    assert [p.first_name for p in done.leavers] == ["Amy"]
    assert sorted(p.first_name for p in store.pupils()) == ["Mo", "Zoë"]
    assert "Amy B. (Year 6)  left 2024-07-19" in "\n".join(done.lines())


def test_without_a_register_the_report_says_it_was_not_checked() -> None:
    report = purge(journals=journals(), today=TODAY, session_retention_days=30, dry_run=True)
    assert report.leavers is None
    assert "not checked" in "\n".join(report.lines())


def test_a_register_that_fails_is_reported_and_sessions_are_still_purged() -> None:
    class BrokenStore:
        def purge_leavers(self, *, today: date, dry_run: bool = False) -> list[Pupil]:
            raise ZoomhostError("the stored register could not be used.")

    old = _session(date(2024, 1, 10), "January class")
    report = purge(journals=journals(), today=TODAY, session_retention_days=30, register_store=BrokenStore(), dry_run=False)
    assert [s.session_id for s in report.sessions] == [old] and journals().session_ids() == []
    assert report.problems == ("the stored register could not be used.",)


def test_a_negative_retention_is_refused() -> None:
    with pytest.raises(ZoomhostError, match="cannot be negative"):
        purge(journals=journals(), today=TODAY, session_retention_days=-1, dry_run=True)


def _record(n: int) -> RetentionRecord:
    return RetentionRecord(
        at=datetime(2024, 9, 2, 7, 0, tzinfo=UTC) + timedelta(minutes=n),
        trigger="start-up",
        session_retention_days=30,
        sessions_deleted=(f"20240701-103000-{n:06x}",),
        leavers_removed=n % 3,
    )


def test_the_retention_log_keeps_its_records_in_order_skips_a_torn_line_and_is_private(tmp_path) -> None:  # noqa: ANN001
    log = RetentionLog(tmp_path / "data" / "retention-log.jsonl")
    assert log.records() == []
    log.record(_record(1))
    with log.path.open("a", encoding="utf-8") as handle:
        handle.write('{"at": "2024-09-02T07:02:00+00:00", "trig')  # a crash mid-line
    log.record(_record(3))
    assert [r.sessions_deleted for r in log.records()] == [("20240701-103000-000001",), ("20240701-103000-000003",)]
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600


def test_the_retention_log_stays_small_by_dropping_its_oldest_records(tmp_path) -> None:  # noqa: ANN001
    log = RetentionLog(tmp_path / "retention-log.jsonl", max_bytes=4_000)
    for n in range(200):
        log.record(_record(n))
    kept = log.records()
    assert log.path.stat().st_size <= 4_000 and kept
    assert kept[-1] == _record(199) and kept == sorted(kept, key=lambda r: r.at)
