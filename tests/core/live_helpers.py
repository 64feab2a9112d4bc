"""A small register, a deterministic admission check and meeting-event builders for live-session tests.

The admission check here is deliberately simple (exact "first name + initial" or a unique
first name); the real classifier has its own suite. What these tests check is what the live
session does with a verdict, so the verdict must be predictable.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Callable, Collection, Sequence
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


def make_classifier(
    pupils: Sequence[Pupil], staff: Sequence[StaffMember]
) -> Callable[[str, Collection[int]], Classification]:
    """Exact, predictable verdicts: enough to drive the live session through every path."""

    def classify(display_name: str, present: Collection[int]) -> Classification:
        return _classify(display_name, present, pupils, staff)

    return classify


def _classify(
    display_name: str, present: Collection[int], pupils: Sequence[Pupil], staff: Sequence[StaffMember]
) -> Classification:
    name = " ".join(display_name.replace(".", " ").split()).casefold()
    if any(unicodedata.category(ch) == "Cf" for ch in display_name) or any(
        "CYRILLIC" in unicodedata.name(ch, "") for ch in display_name
    ):
        return Classification(Verdict.SUSPICIOUS, reasons=("hidden or look-alike characters",))
    for member in staff:
        if name == member.name.casefold():
            return Classification(Verdict.STAFF, staff=member, reasons=("staff list",))
    matches = [p for p in pupils if name in (f"{p.known_as} {p.surname_initial}".casefold(), p.known_as.casefold())]
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


classify = make_classifier(PUPILS, STAFF)

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


ASSEMBLY_PUPILS = tuple(
    Pupil(i, f"Pupil{i:03d}", None, "ABCDEFGH"[i % 8], f"Year {1 + i % 6}", i % 10 != 0) for i in range(1, 121)
)
ASSEMBLY_STAFF = (StaffMember(1, "Mrs Hughes"), StaffMember(2, "Mr Quayle"))
assembly_classify = make_classifier(ASSEMBLY_PUPILS, ASSEMBLY_STAFF)


def assembly_stream() -> list[MeetingEvent]:
    """A scripted assembly with stable event ids: 120 pupils (every tenth without consent), two staff,
    an impostor using a pupil's name, a homoglyph name, a zoombomber let in, leavers and rejoiners."""
    events: list[MeetingEvent] = [event(EventKind.STARTED, seconds=0, event_id="start")]
    second = 1.0
    names = [(f"p{p.id}", f"{p.first_name} {p.surname_initial}", p.consent) for p in ASSEMBLY_PUPILS]
    names += [("s1", "Mrs Hughes", True), ("s2", "Mr Quayle", True)]
    names += [("x1", "Pupil007 H", False), ("x2", "Pupil\u0030\u04300 A", False), ("x3", "xX_b0mb3r_Xx", False)]
    for pid, name, admit in names:
        events.append(event(EventKind.WAITING_JOINED, pid, name, seconds=second, event_id=f"{pid}-wait"))
        second += 0.5
        if admit or pid == "x3":
            events.append(event(EventKind.ADMITTED, pid, seconds=second, event_id=f"{pid}-admit"))
            events.append(event(EventKind.JOINED, pid, name, seconds=second, event_id=f"{pid}-joined"))
            second += 0.5
    for pupil in (ASSEMBLY_PUPILS[10], ASSEMBLY_PUPILS[21], ASSEMBLY_PUPILS[32]):
        pid, name = f"p{pupil.id}", f"{pupil.first_name} {pupil.surname_initial}"
        events.append(event(EventKind.LEFT, pid, seconds=second, event_id=f"{pid}-left"))
        events.append(event(EventKind.WAITING_JOINED, f"{pid}b", name, seconds=second + 5, event_id=f"{pid}b-wait"))
        events.append(event(EventKind.ADMITTED, f"{pid}b", seconds=second + 9, event_id=f"{pid}b-admit"))
        second += 10
    events.append(event(EventKind.LEFT, "x3", seconds=second, event_id="x3-left"))
    events.append(event(EventKind.WAITING_LEFT, "p10", seconds=second + 1, event_id="p10-gone"))
    events.append(event(EventKind.ENDED, seconds=1800, event_id="end"))
    return events


def play_assembly_printing(session_id: str) -> None:
    """Run in a child process: apply the assembly to a journal, printing each change as it is "shown"."""
    from zoomhost.core.journal import SessionJournal
    from zoomhost.core.session import LiveSession

    session = LiveSession.resume(
        journal=SessionJournal.open(session_id), classify=assembly_classify, expected_pupils=108, clock=Clock()
    )
    for item in assembly_stream():
        for change in session.apply(item):
            print(change.entry.event_key, flush=True)
