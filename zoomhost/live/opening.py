"""Opening a live session: the classifier for today's register, and this meeting's journal, new or picked up.

A session is picked up (not started afresh) when zoomhost stopped before the meeting ended:
:func:`find_unfinished_session` finds that journal and :func:`open_session` rebuilds the
session from it, so a crash or a restart loses nothing the teacher had seen.

From outside: the journals (``SessionJournals``, built by the composition root on this
computer's sessions folder) and the register, both passed in by the app layer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from zoomhost.core.classifier import AdmissionClassifier
from zoomhost.core.journal import SessionInfo, SessionJournals, utc_now
from zoomhost.core.models import Pupil, StaffMember, expected_pupils
from zoomhost.core.session import LiveSession


class RegisterSource(Protocol):
    """Where the consent register comes from (``RegisterStore``, or a rehearsal scenario's register)."""

    def pupils(self) -> list[Pupil]: ...

    def staff(self) -> list[StaffMember]: ...


def classifier_for(register: RegisterSource, *, today: date | None = None) -> tuple[Callable[[str, Any], Any], int]:
    """The session's classify function and how many consented pupils (still at the school) it expects."""
    today = today or date.today()
    pupils = register.pupils()
    # the key the register's surname digests were made with, when this run has it (a rehearsal's register has none)
    surname_key = getattr(register, "surname_key", None)
    key = surname_key() if callable(surname_key) else None
    classifier = AdmissionClassifier(pupils=pupils, staff=register.staff(), today=today, surname_key=key)
    return (lambda name, present: classifier.classify(name, present=present)), len(expected_pupils(pupils, today=today))


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
) -> LiveSession:
    """This meeting's unfinished session rebuilt from its journal (when ``resume``), else a new one."""
    classify, expected = classifier_for(register)
    info = find_unfinished_session(meeting_id, journals=journals, rehearsal=rehearsal) if resume else None
    if info is not None:
        journal = journals.open(info.session_id)
        return LiveSession.resume(journal=journal, classify=classify, expected_pupils=expected, clock=clock)
    journal = journals.create(
        meeting_id=str(meeting_id), topic=topic, planned_minutes=planned_minutes, started_at=clock(), rehearsal=rehearsal
    )
    return LiveSession(journal=journal, classify=classify, expected_pupils=expected, clock=clock)


