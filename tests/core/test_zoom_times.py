"""Zoom's times, read one way wherever zoomhost reads them (events, the Dashboard, Retry-After, the audit's week)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from zoomhost.core.zoom_times import NO_FIXED_TIME, meeting_when, zoom_text, zoom_time

NINE = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    ["2026-12-04T09:00:00Z", "2026-12-04T09:00:00+00:00", "2026-12-04T10:00:00+01:00", "2026-12-04T09:00:00.000Z", "2026-12-04T09:00:00"],
)
def test_each_way_zoom_writes_a_time_is_the_same_moment(text: str) -> None:
    assert zoom_time(text) == NINE  # a time without a zone is UTC: Zoom writes its times in UTC


@pytest.mark.parametrize("text", [None, "", "soon", "2026-13-04T09:00:00Z", 1733302800, "04/12/2026 09:00"])
def test_a_missing_or_unreadable_time_is_none(text: object) -> None:
    assert zoom_time(text) is None


def test_a_time_written_as_zoom_writes_it_reads_back_as_the_same_moment() -> None:
    moment = datetime(2026, 12, 4, 10, 0, 7, 450000, tzinfo=timezone(timedelta(hours=1)))
    assert zoom_text(moment) == "2026-12-04T09:00:07Z"
    assert zoom_time(zoom_text(moment)) == moment.replace(microsecond=0)


def test_a_meeting_starts_on_a_day_date_and_time_in_this_computers_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    try:
        now = datetime(2026, 6, 1, tzinfo=UTC)
        assert meeting_when("2026-06-05T08:00:00Z", now=now) == "Fri 05 Jun 09:00"  # British Summer Time
        assert meeting_when("2026-12-04T09:00:00Z", now=now) == "Fri 04 Dec 09:00"
        assert meeting_when("2027-01-05T09:00:00Z", now=now) == "Tue 05 Jan 2027 09:00", "another year says which"
        assert meeting_when(None, now=now) == meeting_when("", now=now) == NO_FIXED_TIME == "No fixed time"
        assert meeting_when("next\u202eweek", now=now) == "nextweek", "an unreadable time as Zoom wrote it, printable only"
    finally:
        monkeypatch.undo()
        time.tzset()
