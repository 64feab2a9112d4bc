"""Live-session builders for the panel's tests: a real journal, a predictable admission check, scripted events."""

from __future__ import annotations

import itertools
from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from zoomhost.app.services import session_journals
from zoomhost.core.events import NO_IDENTITY, EventKind, MeetingEvent, ZoomIdentity
from zoomhost.core.models import Classification, Evidence, Pupil, Verdict
from zoomhost.core.session import LiveSession

T0 = datetime(2024, 3, 8, 10, 30, tzinfo=UTC)
MEETING = "85746352901"

#: 300 pupils "PupilNNN", every tenth without consent; one staff member.
PUPILS = {f"pupil{i:03d}": Pupil(i, f"Pupil{i:03d}", None, "K", f"Year {1 + i % 6}", i % 10 != 0) for i in range(1, 301)}


def classify(display_name: str, present: Collection[int], identity: ZoomIdentity = NO_IDENTITY) -> Classification:
    """Exact, predictable verdicts for the names these tests use (staff signed in are staff; typed, a claim)."""
    name = display_name.strip().casefold()
    if name == "mrs hughes":
        evidence = Evidence.SIGNED_IN if identity.user_id else Evidence.NAME
        return Classification(Verdict.STAFF, reasons=("staff list",), evidence=evidence)
    if any(ord(ch) in (0x202E, 0x200B) for ch in display_name) or "<" in display_name:
        return Classification(Verdict.SUSPICIOUS, reasons=("hidden characters or markup in the name",))
    pupil = PUPILS.get(name)
    if pupil is None:
        return Classification(Verdict.NOT_ON_REGISTER, reasons=("no pupil or staff member has this name",))
    if pupil.id in present:
        return Classification(Verdict.DUPLICATE, pupil=pupil, reasons=("this pupil is already here",))
    if not pupil.consent:
        return Classification(Verdict.NO_CONSENT, pupil=pupil, reasons=("no consent on the register",))
    return Classification(Verdict.CONSENTED, pupil=pupil, reasons=("one consented pupil matches",))


_ids = itertools.count(1)


def event(
    kind: EventKind, participant_id: str, name: str | None = None, *, seconds: float = 0, identity: ZoomIdentity = NO_IDENTITY
) -> MeetingEvent:
    return MeetingEvent(
        kind=kind,
        meeting_id=MEETING,
        at=T0 + timedelta(seconds=seconds),
        event_id=f"ev-{next(_ids)}",
        participant_id=participant_id,
        display_name=name,
        identity=identity,
    )


def new_session(*, expected: int = 270) -> LiveSession:
    journal = session_journals().create(meeting_id=MEETING, topic="Assembly", planned_minutes=30, started_at=T0, rehearsal=True)
    return LiveSession(journal=journal, classify=classify, expected_pupils=expected)
