"""A small register, a deterministic admission check and meeting-event builders for live-session tests.

The admission check here is deliberately simple (exact "first name + initial" or a unique
first name); the real classifier has its own suite. What these tests check is what the live
session does with a verdict, so the verdict must be predictable.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from zoomhost.core.events import EventKind, MeetingEvent
from zoomhost.core.models import Classification, Pupil, StaffMember, Verdict

T0 = datetime(2024, 3, 8, 10, 30, tzinfo=UTC)
MEETING = "85746352901"

PUPILS = (
    Pupil(1, "Amy", None, "B", "Year 3", True),
    Pupil(2, "Zoë", None, "L", "Year 4", True),
    Pupil(3, "Mohammed", "Mo", "K", "Year 5", True),
    Pupil(4, "Oliver", None, "S", "Year 3", False),
    Pupil(5, "Chloé", None, "D", "Year 6", True),
    Pupil(6, "Amy", None, "T", "Year 5", True),
)
STAFF = (StaffMember(1, "Mrs Hughes", "hughes@example.org"),)
CONSENTED = sum(p.consent for p in PUPILS)


def classify(display_name: str, present: Collection[int]) -> Classification:
    """Exact, predictable verdicts: enough to drive the live session through every path."""
    name = " ".join(display_name.replace(".", " ").split()).casefold()
    if any(unicodedata.category(ch) == "Cf" for ch in display_name) or any(
        "CYRILLIC" in unicodedata.name(ch, "") for ch in display_name
    ):
        return Classification(Verdict.SUSPICIOUS, reasons=("hidden or look-alike characters",))
    for member in STAFF:
        if name == member.name.casefold():
            return Classification(Verdict.STAFF, staff=member, reasons=("staff list",))
    matches = [p for p in PUPILS if name in (f"{p.known_as} {p.surname_initial}".casefold(), p.known_as.casefold())]
    if len(matches) > 1:
        return Classification(Verdict.AMBIGUOUS, reasons=("more than one pupil could be meant",))
    if not matches:
        return Classification(Verdict.NOT_ON_REGISTER, reasons=("no pupil or staff member has this name",))
    pupil = matches[0]
    if pupil.id in present:
        return Classification(Verdict.DUPLICATE, pupil=pupil, reasons=("this pupil is already here",))
    if not pupil.consent:
        return Classification(Verdict.NO_CONSENT, pupil=pupil, reasons=("no consent on the register",))
    return Classification(Verdict.CONSENTED, pupil=pupil, reasons=("one consented pupil matches",))


_ids = itertools.count(1)


def event(
    kind: EventKind,
    participant_id: str | None = None,
    name: str | None = None,
    *,
    seconds: float = 0,
    event_id: str | None = None,
    source: str = "websocket",
) -> MeetingEvent:
    return MeetingEvent(
        kind=kind,
        meeting_id=MEETING,
        at=T0 + timedelta(seconds=seconds),
        event_id=event_id or f"ev-{next(_ids)}",
        participant_id=participant_id,
        display_name=name,
        source=source,
    )


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now
