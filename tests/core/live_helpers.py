"""A small register, a deterministic admission check and meeting-event builders for live-session tests.

The admission check here is deliberately simple (exact "first name + initial" or a unique
first name); the real classifier has its own suite. What these tests check is what the live
session does with a verdict, so the verdict must be predictable.
"""

from __future__ import annotations

import itertools
import os
import unicodedata
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from zoomhost.core.events import NO_IDENTITY, EventKind, MeetingEvent, ZoomIdentity
from zoomhost.core.journal import SessionJournals
from zoomhost.core.models import Classification, Evidence, Pupil, StaffMember, Verdict

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


def journals() -> SessionJournals:
    """This test's journals, in a temporary folder of its own (tests/conftest.py gives each test a home;
    a child process the test starts inherits it, so it finds the same journals)."""
    folder = Path(os.environ["ZOOMHOST_HOME"]) / "journals"
    folder.mkdir(parents=True, exist_ok=True)
    return SessionJournals(folder)


def make_classifier(
    pupils: Sequence[Pupil], staff: Sequence[StaffMember]
) -> Callable[[str, Collection[int], ZoomIdentity], Classification]:
    """Exact, predictable verdicts: enough to drive the live session through every path."""

    def classify(display_name: str, present: Collection[int], identity: ZoomIdentity = NO_IDENTITY) -> Classification:
        return _classify(display_name, present, pupils, staff, identity)

    return classify


def _classify(
    display_name: str,
    present: Collection[int],
    pupils: Sequence[Pupil],
    staff: Sequence[StaffMember],
    identity: ZoomIdentity = NO_IDENTITY,
) -> Classification:
    """Staff signed in with their staff-list address are staff (admitted); their typed name alone is a claim."""
    for member in staff:
        if identity.email and identity.email == (member.email or "").casefold():
            return Classification(Verdict.STAFF, staff=member, reasons=("signed in",), evidence=Evidence.SIGNED_IN)
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
    identity: ZoomIdentity = NO_IDENTITY,
) -> MeetingEvent:
    return MeetingEvent(
        kind=kind,
        meeting_id=MEETING,
        at=T0 + timedelta(seconds=seconds),
        event_id=event_id or f"ev-{next(_ids)}",
        participant_id=participant_id,
        display_name=name,
        source=source,
        identity=identity,
    )


#: Mrs Hughes joining signed in to the school's account, as Zoom says it of a staff member.
HUGHES = ZoomIdentity(user_id="hughes-zoom-user", email="hughes@example.org")


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
    from zoomhost.core.session import LiveSession

    session = LiveSession.resume(
        journal=journals().open(session_id), classify=assembly_classify, expected_pupils=108, clock=Clock()
    )
    for item in assembly_stream():
        for change in session.apply(item):
            print(change.entry.event_key, flush=True)


HOSTILE_NAME = "=cmd|' /C calc'!A0"
SCRIPT_NAME = "<script>alert('x')</script>"


def record_small_meeting(
    *, topic: str = "Friday assembly", gap: bool = False, failed_retry: bool = False, kept_in: SessionJournals | None = None
):
    """A short class meeting with one of everything, journaled in ``kept_in`` (else this test's
    :func:`journals`); returns the (open) journal.

    Amy B comes, leaves and rejoins; Mo K (preferred name) and Chloé D stay; Mrs Hughes is staff;
    Oliver S has no consent and is held; an impostor uses Amy's name; a zoombomber with a formula
    for a name gets in and is removed; someone arrives after the lock with a script for a name.
    """
    from zoomhost.core.session import LiveSession

    clock = Clock()
    journal = (kept_in or journals()).create(meeting_id=MEETING, topic=topic, planned_minutes=30, started_at=T0, rehearsal=False)
    session = LiveSession(journal=journal, classify=classify, expected_pupils=CONSENTED, clock=clock)
    E = EventKind
    session.apply(event(E.STARTED, seconds=0))
    for pid, name, at in [("p1", "Amy B", 10), ("p2", "Mo K", 12), ("p3", "Chloé D", 14), ("s1", "Mrs Hughes", 16),
                          ("p4", "Oliver S", 18), ("x1", "iPad", 19)]:
        # Mrs Hughes joins signed in, so Admit all admits her with the pupils.
        session.apply(event(E.WAITING_JOINED, pid, name, seconds=at, identity=HUGHES if pid == "s1" else NO_IDENTITY))
    session.hold("p4", actor="teacher")
    if gap:
        session.apply(event(E.MAY_HAVE_MISSED, seconds=25))
    clock.now = T0 + timedelta(seconds=30)
    for n, row in enumerate(session.admissible_waiting()):
        session.record_command("admit_all", actor="teacher", participant_id=row.participant_id, command_id=f"admit-{n}")
        session.record_result(f"admit-{n}", True, "")
        session.apply(event(E.ADMITTED, row.participant_id, seconds=31 + n))
    session.apply(event(E.WAITING_JOINED, "x2", "Amy B", seconds=60))  # an impostor while Amy is in
    session.apply(event(E.WAITING_JOINED, "x3", HOSTILE_NAME, seconds=70))
    session.apply(event(E.ADMITTED, "x3", seconds=75))  # let in by hand in the Zoom client
    clock.now = T0 + timedelta(seconds=80)
    session.record_command("remove", actor="teacher", participant_id="x3", command_id="remove-1")
    if failed_retry:
        session.record_result("remove-1", False, "the assistant is reconnecting")
    session.record_result("remove-1", True, "")
    session.apply(event(E.LEFT, "p1", seconds=600))
    session.apply(event(E.WAITING_JOINED, "p1-again", "Amy B", seconds=660))
    session.apply(event(E.ADMITTED, "p1-again", seconds=720))
    clock.now = T0 + timedelta(minutes=5)
    session.lock("autopilot")
    session.apply(event(E.WAITING_JOINED, "x4", SCRIPT_NAME, seconds=400))
    clock.now = T0 + timedelta(minutes=6)
    session.record_manual_confirmation("mute_all", actor="teacher")
    session.apply(event(E.ENDED, seconds=1800))
    return journal
