"""Opening a live session: the classifier for today's register and this meeting's family links, and its journal.

A session is picked up (not started afresh) when zoomhost stopped before the meeting ended:
:func:`find_unfinished_session` finds that journal and :func:`open_session` rebuilds the
session from it, so a crash or a restart loses nothing the teacher had seen.

From outside: the journals (``SessionJournals``, built by the composition root on this
computer's sessions folder) and the register, both passed in by the app layer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from zoomhost.core.classifier import AdmissionClassifier
from zoomhost.core.events import NO_IDENTITY, ZoomIdentity
from zoomhost.core.journal import SessionInfo, SessionJournals, utc_now
from zoomhost.core.models import Classification, Pupil, StaffMember, expected_pupils
from zoomhost.core.profiles import Profile
from zoomhost.core.session import Classify, LiveSession


class RegisterSource(Protocol):
    """Where the consent register comes from (``RegisterStore``, or a rehearsal scenario's register)."""

    def pupils(self) -> list[Pupil]: ...

    def staff(self) -> list[StaffMember]: ...

    def links(self, meeting_id: str) -> dict[str, int]:
        """The registration links issued for ``meeting_id``: registrant id -> the pupil's id."""
        ...


def classifier_for(
    register: RegisterSource,
    *,
    today: date | None = None,
    meeting_id: str | None = None,
    links_in_use: bool = False,
    found_links: Mapping[str, int] | None = None,
    profile: Profile = Profile.PUPILS,
) -> tuple[Classify, int]:
    """The session's classify function and how many consented pupils (still at the school) it expects.

    ``meeting_id``: whose family links the classifier knows (those kept with the register, and
    ``found_links``, registrations found among the meeting's own); ``links_in_use``: the meeting
    requires registration, so a consented pupil is admitted automatically only through their own link.
    ``profile``: a meeting of staff only is judged against the staff list alone: no pupil, no family
    link, so no name is ever a pupil's match and only signed-in staff are admissible.
    """
    today = today or date.today()
    staff_only = profile is Profile.STAFF
    pupils = [] if staff_only else register.pupils()
    links = {} if staff_only else dict(found_links or {})
    if meeting_id is not None and not staff_only:
        links.update(register.links(str(meeting_id)))  # the links zoomhost issued come first
    # the key the register's surname digests were made with, when this run has it (a rehearsal's register has none)
    surname_key = getattr(register, "surname_key", None)
    key = surname_key() if callable(surname_key) else None
    classifier = AdmissionClassifier(
        pupils=pupils,
        staff=register.staff(),
        today=today,
        links=links,
        links_in_use=links_in_use and not staff_only,
        surname_key=key,
        staff_only=staff_only,
    )

    def classify(name: str, present: Any, identity: ZoomIdentity = NO_IDENTITY) -> Classification:
        return classifier.classify(name, present=present, identity=identity)

    return classify, len(expected_pupils(pupils, today=today))


def find_unfinished_session(
    meeting_id: str, *, journals: SessionJournals, rehearsal: bool, max_age: timedelta = timedelta(hours=12)
) -> SessionInfo | None:
    """The newest of ``journals`` for this meeting if it never saw the meeting end (zoomhost stopped mid-session)."""
    now = utc_now()
    for info in journals.list_sessions():
        if info.meeting_id != str(meeting_id) or info.rehearsal != rehearsal:
            continue
        if now - info.started_at > max_age:
            return None
        with journals.open(info.session_id) as journal:
            finished = journal.meeting_over()
        return None if finished else info
    return None


def open_session(
    *,
    journals: SessionJournals,
    meeting_id: str,
    topic: str,
    planned_minutes: int,
    rehearsal: bool,
    register: RegisterSource,
    resume: bool = True,
    clock: Callable[[], datetime] = utc_now,
    links_in_use: bool = False,
    found_links: Mapping[str, int] | None = None,
    profile: Profile = Profile.PUPILS,
) -> LiveSession:
    """This meeting's unfinished session rebuilt from its journal (when ``resume``), else a new one.

    ``links_in_use``: the meeting requires registration (families have their own links), so pupils
    are admitted automatically only through them; journaled, and what the panel and summary say.
    ``profile``: the protocol the meeting is held to (``core.profiles``); a staff meeting's arrivals are
    judged against the staff list only, journaled with how pupils are admitted.
    """
    staff_only = profile is Profile.STAFF
    links_in_use = links_in_use and not staff_only
    classify, expected = classifier_for(
        register, meeting_id=str(meeting_id), links_in_use=links_in_use, found_links=found_links, profile=profile
    )
    info = find_unfinished_session(meeting_id, journals=journals, rehearsal=rehearsal) if resume else None
    how = {"classify": classify, "expected_pupils": expected, "clock": clock, "links_in_use": links_in_use, "staff_only": staff_only}
    if info is not None:
        return LiveSession.resume(journal=journals.open(info.session_id), **how)
    journal = journals.create(
        meeting_id=str(meeting_id), topic=topic, planned_minutes=planned_minutes, started_at=clock(), rehearsal=rehearsal
    )
    return LiveSession(journal=journal, **how)


