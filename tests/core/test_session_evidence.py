"""The live session decides on who Zoom says someone is: evidence on every row, kept through renames and restarts.

The host assistant hears names only; Zoom's event stream says who came through their own link or
signed in. Whichever is heard first, the row ends up with the evidence, Admit all admits only what
the evidence allows, and a link passed on to someone else raises a duplicate alarm naming whose it is.
"""

from __future__ import annotations

from collections.abc import Collection

from tests.core.live_helpers import MEETING, PUPILS, STAFF, T0, Clock, event, journals
from zoomhost.core.classifier import AdmissionClassifier
from zoomhost.core.events import EventKind as K
from zoomhost.core.events import ZoomIdentity
from zoomhost.core.journal import JournalKind
from zoomhost.core.models import Classification, Evidence, Verdict
from zoomhost.core.session import AlarmKind, LiveSession, ParticipantState

AMY_LINK = ZoomIdentity(registrant_id="reg-amy-b")
MO_LINK = ZoomIdentity(registrant_id="reg-mo-k")
HUGHES = ZoomIdentity(user_id="zoom-user-hughes", email="hughes@example.org")
LINKS = {AMY_LINK.registrant_id: 1, MO_LINK.registrant_id: 3}


def _classify(*, links_in_use: bool = True):
    classifier = AdmissionClassifier(pupils=PUPILS, staff=STAFF, links=LINKS, links_in_use=links_in_use)

    def classify(name: str, present: Collection[int], identity: ZoomIdentity) -> Classification:
        return classifier.classify(name, present=present, identity=identity)

    return classify


def _session(*, links_in_use: bool = True, journal=None) -> LiveSession:
    journal = journal or journals().create(meeting_id=MEETING, topic="Class", planned_minutes=30, started_at=T0, rehearsal=True)
    return LiveSession(journal=journal, classify=_classify(links_in_use=links_in_use), clock=Clock(), links_in_use=links_in_use)


def test_admit_all_takes_links_and_sign_ins_and_leaves_names_and_staff_claims_to_the_teacher() -> None:
    session = _session()
    session.apply(event(K.WAITING_JOINED, "a", "Amy's iPad", seconds=1, identity=AMY_LINK))
    session.apply(event(K.WAITING_JOINED, "h", "Mrs Hughes", seconds=2, identity=HUGHES))
    session.apply(event(K.WAITING_JOINED, "z", "Zoë L", seconds=3))
    session.apply(event(K.WAITING_JOINED, "x", "Mrs Hughes", seconds=4))
    rows = {pid: session.participant(pid) for pid in "ahzx"}
    assert {pid: (row.verdict, row.evidence, row.admit) for pid, row in rows.items()} == {
        "a": (Verdict.CONSENTED, Evidence.LINK, True),
        "h": (Verdict.STAFF, Evidence.SIGNED_IN, True),
        "z": (Verdict.CONSENTED, Evidence.NAME, False),
        "x": (Verdict.DUPLICATE, Evidence.NAME, False),  # Mrs Hughes is already here, signed in
    }
    assert [row.participant_id for row in session.admissible_waiting()] == ["a", "h"]
    assert rows["a"].as_dict()["evidence"] == "link" and rows["a"].as_dict()["identity"] == {"registrant_id": "reg-amy-b"}


def test_without_links_pupils_come_in_by_name_but_a_typed_staff_name_still_waits() -> None:
    session = _session(links_in_use=False)
    session.apply(event(K.WAITING_JOINED, "z", "Zoë L", seconds=1))
    session.apply(event(K.WAITING_JOINED, "x", "Mrs Hughes", seconds=2))
    assert not session.links_in_use
    assert [row.participant_id for row in session.admissible_waiting()] == ["z"]
    assert session.participant("x").verdict is Verdict.STAFF and not session.participant("x").admit


def test_the_assistant_heard_first_then_zoom_says_whose_link_it_is() -> None:
    session = _session()
    session.apply(event(K.WAITING_JOINED, "16778240", "Amy B", seconds=1, source="assistant"))
    assert session.participant("16778240").evidence is Evidence.NAME and session.admissible_waiting() == []
    changes = session.apply(event(K.WAITING_JOINED, "16778240", "Amy B", seconds=1, identity=AMY_LINK))
    assert [c.kind for c in changes] == [JournalKind.IDENTIFIED]
    row = session.participant("16778240")
    assert (row.verdict, row.evidence, row.admit) == (Verdict.CONSENTED, Evidence.LINK, True)
    assert [r.participant_id for r in session.admissible_waiting()] == ["16778240"]
    # A rename the assistant reports (no identity of its own) keeps the link Zoom said.
    session.apply(event(K.WAITING_RENAMED, "16778240", "Amy Bloggs", seconds=5, source="assistant"))
    renamed = session.participant("16778240")
    assert (renamed.display_name, renamed.evidence, renamed.admit) == ("Amy Bloggs", Evidence.LINK, True)
    # Heard again with nothing new: nothing journaled.
    assert session.apply(event(K.WAITING_JOINED, "16778240", "Amy Bloggs", seconds=6, identity=AMY_LINK)) == []


def test_identity_heard_only_with_the_admission_is_still_checked() -> None:
    session = _session()
    session.apply(event(K.WAITING_JOINED, "first", "Amy B", seconds=1, identity=AMY_LINK))
    session.apply(event(K.ADMITTED, "first", seconds=2))
    session.apply(event(K.WAITING_JOINED, "second", "Amy B", seconds=3, source="assistant"))
    assert session.participant("second").verdict is Verdict.DUPLICATE  # Amy is in: a name-only copy
    session.apply(event(K.WAITING_JOINED, "third", "Grandma", seconds=4, source="assistant"))
    changes = session.apply(event(K.ADMITTED, "third", seconds=5, identity=AMY_LINK))  # let in by hand in Zoom
    assert [c.kind for c in changes if not c.alarm] == [JournalKind.IDENTIFIED, JournalKind.ADMITTED]
    assert session.participant("third").verdict is Verdict.DUPLICATE
    assert [c.alarm.kind for c in changes if c.alarm] == [AlarmKind.DUPLICATE, AlarmKind.NOT_ALLOWED_IN]


def test_a_forwarded_link_is_a_duplicate_alarm_that_says_whose_link_it_is() -> None:
    session = _session()
    session.apply(event(K.WAITING_JOINED, "amy", "Amy B", seconds=1, identity=AMY_LINK))
    session.apply(event(K.ADMITTED, "amy", seconds=2))
    changes = session.apply(event(K.WAITING_JOINED, "stranger", "Ben", seconds=60, identity=AMY_LINK))
    row = session.participant("stranger")
    assert (row.verdict, row.evidence, row.admit, row.link_label) == (Verdict.DUPLICATE, Evidence.LINK, False, "Amy B.")
    (alarm,) = [c.alarm for c in changes if c.alarm]
    assert alarm.kind is AlarmKind.DUPLICATE
    assert alarm.message.startswith("“Ben”: came through Amy B.'s own link; Amy B.'s link is already in use")
    assert changes[0].entry.detail["link_in_use"] is True
    assert session.admissible_waiting() == []


def test_a_pupil_who_drops_out_and_comes_back_through_their_link_is_let_in_again() -> None:
    session = _session()
    session.apply(event(K.WAITING_JOINED, "amy", "Amy B", seconds=1, identity=AMY_LINK))
    session.apply(event(K.ADMITTED, "amy", seconds=2))
    session.apply(event(K.LEFT, "amy", seconds=30))
    session.apply(event(K.WAITING_JOINED, "amy-again", "Amy B", seconds=31, identity=AMY_LINK))
    row = session.participant("amy-again")
    assert (row.verdict, row.admit) == (Verdict.CONSENTED, True)


def test_a_device_pushed_out_that_only_the_assistant_saw_go_still_holds_its_link() -> None:
    """One link, one device: Zoom drops Amy's device as a second arrives through her link and reports the
    arrival first; the assistant may hear the drop before Zoom's stream says whose link the newcomer used."""
    session = _session()
    session.apply(event(K.WAITING_JOINED, "amy", "Amy B", seconds=1, identity=AMY_LINK))
    session.apply(event(K.ADMITTED, "amy", seconds=2))
    session.apply(event(K.LEFT, "amy", seconds=60.2, source="assistant"))
    session.apply(event(K.WAITING_JOINED, "ben", "Ben", seconds=60.4, source="assistant"))
    session.apply(event(K.WAITING_JOINED, "ben", "Ben", seconds=60, identity=AMY_LINK))
    row = session.participant("ben")
    assert (row.verdict, row.evidence, row.admit) == (Verdict.DUPLICATE, Evidence.LINK, False)
    changes = session.apply(event(K.LEFT, "amy", seconds=60))  # Zoom's stream: the drop, after the arrival
    assert [c.entry.detail.get("note") for c in changes] == ["left_confirmed"]
    assert not session.participant("amy").gone_by_assistant
    session.apply(event(K.WAITING_LEFT, "ben", seconds=61))
    session.apply(event(K.WAITING_JOINED, "amy-again", "Amy B", seconds=90, identity=AMY_LINK))
    assert session.participant("amy-again").verdict is Verdict.CONSENTED, "the link is free once Zoom says so"
    resumed = _session(journal=session.journal)
    assert resumed.snapshot() == session.snapshot()


def test_coming_back_through_the_link_a_second_after_dropping_out_is_not_a_second_device() -> None:
    """Zoom's report of the drop lost (the stream was down), only the assistant heard it: Zoom's stamp on the
    return says it came after, so the family is let in again."""
    session = _session()
    session.apply(event(K.WAITING_JOINED, "amy", "Amy B", seconds=1, identity=AMY_LINK))
    session.apply(event(K.ADMITTED, "amy", seconds=2))
    session.apply(event(K.LEFT, "amy", seconds=43.4, source="assistant"))
    assert session.participant("amy").gone_by_assistant
    # A second device Zoom stamps in the second the first went is a second device pushing it out.
    session.apply(event(K.WAITING_JOINED, "other", "Ben", seconds=43, identity=AMY_LINK))
    assert session.participant("other").verdict is Verdict.DUPLICATE
    session.apply(event(K.WAITING_LEFT, "other", seconds=43.5))
    session.apply(event(K.WAITING_JOINED, "amy-back", "Amy B", seconds=44, identity=AMY_LINK))
    assert session.participant("amy-back").verdict is Verdict.CONSENTED


def test_a_link_naming_another_pupil_is_flagged() -> None:
    session = _session()
    changes = session.apply(event(K.WAITING_JOINED, "m", "Zoë L", seconds=1, identity=MO_LINK))
    row = session.participant("m")
    assert (row.verdict, row.pupil_label, row.admit) == (Verdict.SUSPICIOUS, "Mo K. (Year 5)", False)
    (alarm,) = [c.alarm for c in changes if c.alarm]
    assert "came through Mo K.'s own link; but the name says Zoë L. (Year 4)" in alarm.message


def test_a_staff_name_typed_while_that_staff_member_is_in_is_a_duplicate_alarm() -> None:
    session = _session()
    session.apply(event(K.WAITING_JOINED, "h", "Mrs Hughes", seconds=1, identity=HUGHES))
    session.apply(event(K.ADMITTED, "h", seconds=2))
    changes = session.apply(event(K.WAITING_JOINED, "x", "Mrs Hughes", seconds=3))
    (alarm,) = [c.alarm for c in changes if c.alarm]
    assert alarm.message.startswith("“Mrs Hughes” names staff member Mrs Hughes, who is already here")


def test_evidence_survives_a_restart_and_the_journal_keeps_no_outsiders_address() -> None:
    session = _session()
    session.apply(event(K.WAITING_JOINED, "a", "Amy B", seconds=1, identity=AMY_LINK))
    session.apply(event(K.WAITING_JOINED, "h", "Mrs Hughes", seconds=2, identity=HUGHES))
    session.apply(event(K.WAITING_JOINED, "o", "Zoë L", seconds=3, identity=ZoomIdentity(email="zoe.mum@gmail.com")))
    before = session.snapshot()
    resumed = _session(journal=session.journal)
    assert resumed.snapshot() == before and resumed.links_in_use
    notes = [e for e in session.journal.entries() if e.kind is JournalKind.NOTE and e.detail.get("note") == "admission"]
    assert len(notes) == 1, "the admission rule is journaled once, not again on a restart"
    kept = {e.participant_id: e.detail.get("identity") for e in session.journal.entries() if e.kind is JournalKind.ARRIVAL}
    assert kept == {"a": {"registrant_id": "reg-amy-b"}, "h": {"user_id": "zoom-user-hughes", "email": "hughes@example.org"}, "o": None}
    assert "gmail" not in str([e.detail for e in session.journal.entries()])
    assert resumed.participant("a").state is ParticipantState.WAITING


def test_a_journal_written_before_evidence_was_kept_admits_no_typed_staff_name() -> None:
    session = _session(links_in_use=False)
    session.apply(event(K.WAITING_JOINED, "h", "Mrs Hughes", seconds=1))
    old = [e for e in session.journal.entries() if e.kind is JournalKind.ARRIVAL][0]
    detail = {k: v for k, v in old.detail.items() if k not in ("evidence", "admit")}
    journal = journals().create(meeting_id=MEETING, topic="Old", planned_minutes=30, started_at=T0, rehearsal=True)
    journal.record([type(old)(at=old.at, kind=old.kind, event_key="old", participant_id="h", display_name="Mrs Hughes",
                              verdict="staff", actor="zoom", detail=detail)])
    resumed = LiveSession.resume(journal=journal, classify=_classify(links_in_use=False), clock=Clock())
    assert resumed.participant("h").verdict is Verdict.STAFF and resumed.admissible_waiting() == []
