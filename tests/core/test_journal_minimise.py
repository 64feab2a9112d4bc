"""Once a session closes its journal keeps no more than its summary needs: a matched pupil as first
name, initial and class, staff as the staff list names them, the typed names of people held, removed
or alarmed about as incident evidence, and nobody else's; the summary is the same before and after."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.core.live_helpers import MEETING, T0, Clock, event, journals, record_small_meeting
from zoomhost.core.classifier import AdmissionClassifier
from zoomhost.core.events import NO_IDENTITY, EventKind, ZoomIdentity
from zoomhost.core.journal import JournalKind, SessionJournal
from zoomhost.core.models import Pupil, StaffMember
from zoomhost.core.retention import minimise, needs_minimising
from zoomhost.core.session import LiveSession
from zoomhost.core.summary import SessionSummary

E = EventKind
PUPILS = [
    Pupil(1, "Amelia", None, "W", "Year 4", True),
    Pupil(2, "Barnaby", None, "Q", "Year 5", True),
    Pupil(3, "Cressida", None, "O", "Year 5", False),
    Pupil(4, "Dorian", None, "F", "Year 6", True),
    Pupil(5, "Eudora", None, "M", "Year 3", True),
]
STAFF = [StaffMember(1, "Kirsty Penhaligon")]
SIGNED_IN = ZoomIdentity(user_id="penhaligon-zoom-user")  # signed in to the school's Zoom account

# participant -> (what they typed, how a closed journal keeps them: None = by no name at all)
KEPT_AS = {
    "a1": ("Amelia Wrexhamthistle", "Amelia W. (Year 4)"),  # consented, in, left
    "b1": ("Barnaby Quillfeather (Year 5)", "Barnaby Q. (Year 5)"),  # consented, in
    "c1": ("Mum - Cressida Ottershaw", "Cressida O. (Year 5)"),  # no consent, waited to the end
    "s1": ("Kirsty Penhaligon (Laxey)", "Kirsty Penhaligon"),  # staff
    "g1": ("Grandpa Horatio Blenkinsop", None),  # not on the register, gave up waiting
    "k1": ("Eudora Mountbatten", "Eudora M. (Year 3)"),  # a device name first ("Kindle Fire"), then her own
}
EVIDENCE = {
    "h1": "Sir Lancelot Duckworth",  # held by the teacher
    "x1": "xX_Vortigern_Xx",  # got in through the Zoom client: alarmed about, removed
    "d1": "Barnaby Quillfeather",  # Barnaby's name on a second device while he is in: a duplicate
    "l1": "Percival Ravensworth",  # arrived after the lock: held and alarmed about
    "p1": "Dorian Featherstonehaugh",  # a consented pupil put back into the waiting room from the meeting
}


def _classify():  # noqa: ANN202
    classifier = AdmissionClassifier(pupils=PUPILS, staff=STAFF, today=T0.date())
    return lambda name, present, identity: classifier.classify(name, present=present, identity=identity)


def _meeting(*, end: bool = True) -> LiveSession:
    clock = Clock()
    journal = journals().create(meeting_id=MEETING, topic="Year 5 catch-up", planned_minutes=30, started_at=T0, rehearsal=False)
    session = LiveSession(journal=journal, classify=_classify(), expected_pupils=4, clock=clock)
    session.apply(event(E.STARTED, seconds=0))
    for n, pid in enumerate(("a1", "b1", "c1", "s1", "g1")):
        signed_in = SIGNED_IN if pid == "s1" else NO_IDENTITY  # Admit all lets staff in signed in only
        session.apply(event(E.WAITING_JOINED, pid, KEPT_AS[pid][0], seconds=10 + n, identity=signed_in))
    session.apply(event(E.WAITING_JOINED, "k1", "Kindle Fire", seconds=16))
    session.apply(event(E.WAITING_RENAMED, "k1", KEPT_AS["k1"][0], seconds=17))
    session.apply(event(E.WAITING_JOINED, "h1", EVIDENCE["h1"], seconds=18))
    session.hold("h1", actor="teacher")
    clock.now = T0 + timedelta(seconds=20)
    for n, row in enumerate(session.admissible_waiting()):
        session.record_command("admit_all", actor="teacher", participant_id=row.participant_id, command_id=f"admit-{n}")
        session.record_result(f"admit-{n}", True, "")
        session.apply(event(E.ADMITTED, row.participant_id, seconds=21 + n))
    session.apply(event(E.WAITING_LEFT, "g1", seconds=40))
    session.apply(event(E.WAITING_JOINED, "d1", EVIDENCE["d1"], seconds=50))
    session.apply(event(E.JOINED, "x1", EVIDENCE["x1"], seconds=55))
    clock.now = T0 + timedelta(seconds=60)
    session.record_command("remove", actor="teacher", participant_id="x1", command_id="remove-1")
    session.record_result("remove-1", True, "")
    session.apply(event(E.WAITING_JOINED, "p1", EVIDENCE["p1"], seconds=65))
    session.apply(event(E.ADMITTED, "p1", seconds=66))
    session.apply(event(E.PUT_BACK, "p1", seconds=67))
    session.apply(event(E.LEFT, "a1", seconds=600))
    clock.now = T0 + timedelta(minutes=5)
    session.lock("autopilot")
    session.apply(event(E.WAITING_JOINED, "l1", EVIDENCE["l1"], seconds=310))
    if end:
        session.apply(event(E.ENDED, seconds=1800))
    return session


def _summary(journal: SessionJournal) -> SessionSummary:
    return SessionSummary.from_journal(journal)


def test_the_summary_of_a_minimised_journal_is_the_summary_before() -> None:
    journal = _meeting().journal
    before = _summary(journal)
    done = minimise(journal)
    after = _summary(journal)
    assert done is not None and done.entries_rewritten > 0
    assert after.as_dict() == before.as_dict()
    assert after.comparable() == before.comparable()
    assert "Sir Lancelot Duckworth" in str(after.as_dict())  # the summary still shows its incidents' names
    assert (done.names_dropped, done.evidence_kept) == (len(KEPT_AS), len(EVIDENCE))


def test_pupils_are_kept_as_first_name_initial_and_class_and_nobody_else_by_what_they_typed() -> None:
    journal = _meeting().journal
    minimise(journal)
    names: dict[str, set[str | None]] = {}
    for entry in journal.entries():
        if entry.participant_id:
            names.setdefault(entry.participant_id, set()).add(entry.display_name)
    for pid, (typed, kept) in KEPT_AS.items():
        if pid == "k1":  # named as the device while not yet recognised, then as the pupil
            assert names[pid] == {None, kept}
        else:
            assert names[pid] == {kept}, pid
    for pid, typed in EVIDENCE.items():
        assert typed in names[pid], f"{pid}: incident evidence is kept as typed"
    text = "\n".join(repr(e) for e in journal.entries())
    for typed, _ in KEPT_AS.values():
        assert typed not in text
    assert "Kindle Fire" not in text and "Ottershaw" not in text and "Wrexhamthistle\"" not in text


def test_reasons_are_kept_only_where_the_summary_lists_them() -> None:
    journal = _meeting().journal
    minimise(journal)
    reasons = {
        e.participant_id: e.detail.get("reasons")
        for e in journal.entries()
        if e.kind in (JournalKind.ARRIVAL, JournalKind.RENAMED)
    }
    assert reasons["a1"] == [] and reasons["s1"] == []  # let in: why does not appear in the summary
    assert "no consent for video lessons on the register" in reasons["c1"]  # not admitted: the summary says why
    assert reasons["g1"] and reasons["h1"]


def test_a_meeting_still_running_is_not_minimised_so_a_crash_loses_nothing() -> None:
    session = _meeting(end=False)
    journal = session.journal
    entries = journal.entries()
    assert minimise(journal) is None and not needs_minimising(journal)
    assert journal.entries() == entries
    resumed = LiveSession.resume(journal=journal, classify=_classify(), expected_pupils=4, clock=Clock(T0 + timedelta(minutes=6)))
    assert resumed.snapshot() == session.snapshot()


def test_minimising_again_changes_nothing_and_late_entries_are_minimised_by_the_next_run() -> None:
    session = _meeting()
    journal = session.journal
    minimise(journal)
    assert not needs_minimising(journal)
    again = minimise(journal)
    assert again is not None and again.entries_rewritten == 0
    session.apply(event(E.LEFT, "b1", seconds=1801))  # Zoom's last goodbyes, after the end
    assert needs_minimising(journal)
    minimise(journal)
    last = journal.entries()[-1]
    assert (last.kind, last.display_name) == (JournalKind.LEFT, "Barnaby Q. (Year 5)")
    assert not needs_minimising(journal)


@pytest.mark.parametrize("gap", [False, True])
def test_the_small_meeting_keeps_its_summary_exactly(gap: bool) -> None:
    journal = record_small_meeting(gap=gap, failed_retry=True)
    before = _summary(journal).as_dict()
    minimise(journal)
    assert _summary(journal).as_dict() == before
    kept = {e.display_name for e in journal.entries() if e.participant_id == "x3"}
    assert kept == {"=cmd|' /C calc'!A0"}  # let in and removed: evidence


def test_the_host_assistant_heard_by_name_first_keeps_no_name_even_in_an_alarms_words() -> None:
    journal = journals().create(meeting_id=MEETING, topic="Assembly", planned_minutes=30, started_at=T0, rehearsal=False)
    session = LiveSession(journal=journal, classify=_classify(), clock=Clock())
    session.apply(event(E.STARTED, seconds=0))
    session.apply(event(E.JOINED, "bot", "Safeguarding assistant", seconds=5))  # heard by name: alarmed about
    assert any(e.kind is JournalKind.ALARM and "Safeguarding assistant" in e.detail["message"] for e in journal.entries())
    session.record_assistant_participant("bot")  # then it says the id is its own
    session.apply(event(E.ENDED, seconds=600))
    before = _summary(journal).as_dict()
    minimise(journal)
    assert _summary(journal).as_dict() == before
    assert "Safeguarding assistant" not in "\n".join(repr(e) for e in journal.entries())
    (alarm,) = [e for e in journal.entries() if e.kind is JournalKind.ALARM]
    assert alarm.detail["message"].startswith("someone (not on register) is in the meeting")
