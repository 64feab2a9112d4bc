"""Every event carries a display name and a participant_uuid no longer than the one limit, whoever heard it."""

from __future__ import annotations

from datetime import UTC, datetime

from zoomhost.assistant import wire
from zoomhost.core.events import MAX_DISPLAY_NAME, MAX_PARTICIPANT_UUID, PARTICIPANT_UUID, EventKind, MeetingEvent

T0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def _event(name: str, **extra: str) -> MeetingEvent:
    return MeetingEvent(EventKind.WAITING_JOINED, "81234567890", T0, "e1", "p1", name, "assistant", extra)


def test_a_long_name_is_cut_and_the_event_says_so() -> None:
    event = _event("A" * 10_000, **{PARTICIPANT_UUID: "u" * 5_000})
    assert event.display_name == "A" * MAX_DISPLAY_NAME
    assert event.extra["name_truncated"] == "true"
    assert event.extra[PARTICIPANT_UUID] == "u" * MAX_PARTICIPANT_UUID


def test_a_name_within_the_limit_is_kept_whole_and_unflagged() -> None:
    event = _event("Amy B")
    assert event.display_name == "Amy B" and "name_truncated" not in event.extra


def test_a_name_from_another_computers_assistant_is_cut_too() -> None:
    """The assistant's wire may come from another computer: its events meet the same limit."""
    frame = wire.event_to_dict(_event("Amy B"))
    frame["display_name"] = "B" * 999
    heard = wire.event_from_dict(frame)
    assert heard.display_name == "B" * MAX_DISPLAY_NAME and heard.extra["name_truncated"] == "true"
