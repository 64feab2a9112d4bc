"""Zoom's times, read from the text Zoom writes (and written as Zoom writes them, by the rehearsal Zoom),
and a scheduled meeting's start said to the teacher.

Zoom writes its times in ISO 8601, in UTC (``2026-12-04T09:00:00Z``; its documents:
"yyyy-MM-ddTHH:mm:ssZ", "in UTC/GMT"), sometimes with an offset or fractions of a second. Every
reader of a time Zoom wrote goes through :func:`zoom_time`, and every place that says when a
meeting starts (the checklist's and the Live panel's meeting choice, the audit, the CLI) through
:func:`meeting_when`.
"""

from __future__ import annotations

from datetime import UTC, datetime

#: When a meeting with no start time of its own (a recurring meeting with no fixed time) starts, in words.
NO_FIXED_TIME = "No fixed time"

def zoom_time(text: object) -> datetime | None:
    """The moment a time as Zoom writes it names (ISO 8601, ``Z`` for UTC; a time without a zone is UTC, as
    Zoom writes its times); None when it is missing or unreadable."""
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def zoom_text(moment: datetime) -> str:
    """A moment as Zoom writes its timestamps: UTC, whole seconds, a trailing Z (some event schemas insist on exactly this)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def meeting_when(start_time: str | None, *, now: datetime | None = None) -> str:
    """When a scheduled meeting starts, in this computer's time zone: day, date and time ("Fri 04 Dec 09:00"),
    with the year when it is not this year ("Tue 05 Jan 2027 09:00"); ``NO_FIXED_TIME`` without a start time.
    A start time that cannot be read is given as Zoom wrote it (its printable characters)."""
    if not start_time:
        return NO_FIXED_TIME
    start = zoom_time(start_time)
    if start is None:
        return "".join(ch for ch in start_time if ch.isprintable())[:40].strip() or NO_FIXED_TIME
    local = start.astimezone()
    this_year = (now or datetime.now(UTC)).astimezone().year
    return local.strftime("%a %d %b %H:%M" if local.year == this_year else "%a %d %b %Y %H:%M")
