"""Zoom's times, read from the text Zoom writes (and written as Zoom writes them, by the rehearsal Zoom).

Zoom writes its times in ISO 8601, in UTC (``2026-12-04T09:00:00Z``; its documents:
"yyyy-MM-ddTHH:mm:ssZ", "in UTC/GMT"), sometimes with an offset or fractions of a second. Every
reader of a time Zoom wrote goes through :func:`zoom_time`.
"""

from __future__ import annotations

from datetime import UTC, datetime

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
