"""Which pupil a request names, which journal rows are that pupil's, and what erasing them leaves."""

from __future__ import annotations

import pytest

from tests.core.live_helpers import MEETING, T0, Clock, classify, event, journals, record_small_meeting
from zoomhost.core.classifier import AdmissionClassifier
from zoomhost.core.events import EventKind
from zoomhost.core.journal import JournalKind
from zoomhost.core.models import Pupil
from zoomhost.core.pupil_data import (
    PupilIdentity,
    PupilQuery,
    PupilQueryError,
    erased,
    erasure_note,
    identities_in,
    placeholder,
    rows_about,
)
from zoomhost.core.session import LiveSession
from zoomhost.core.summary import SessionSummary

AMY_B = PupilIdentity("Amy", "B", "Year 3")
MO = PupilIdentity.of(Pupil(3, "Mohammed", "Mo", "K", "Year 5", True))


@pytest.mark.parametrize(
    ("asked", "class_name", "means"),
    [
        ("Amy B. (Year 3)", None, True),
        ("amy b (year 3)", None, True),
        ("Amy Brown", "Year 3", True),  # the whole surname, as a parent would write it
        ("Amy", None, True),
        ("Amy T (Year 3)", None, False),  # another initial
        ("Amy B (Year 4)", None, False),  # another class
        ("Amelia B (Year 3)", None, False),
        ("Amy Beth Brown", None, False),  # two more words: not a surname or an initial
    ],
)
def test_a_request_names_a_pupil_by_first_name_initial_and_class(asked: str, class_name: str | None, means: bool) -> None:
    assert PupilQuery.parse(asked, class_name=class_name).matches(AMY_B) is means


def test_a_class_with_brackets_in_its_name_is_read_whole() -> None:
    oak = PupilIdentity("Amy", "B", "Year 3 (Oak)")
    assert PupilQuery.parse(oak.label()).matches(oak)
    assert not PupilQuery.parse("Amy B. (Oak)").matches(oak)


def test_a_preferred_name_and_the_legal_first_name_both_find_the_pupil() -> None:
    assert MO.label() == "Mo K. (Year 5)"
    assert PupilQuery.parse("Mo K").matches(MO) and PupilQuery.parse("Mohammed Khan (Year 5)").matches(MO)


def test_a_request_that_cannot_be_read_is_a_clear_error() -> None:
    with pytest.raises(PupilQueryError, match="no pupil's name was given"):
        PupilQuery.parse("  (Year 3) ")
    with pytest.raises(PupilQueryError, match="says class “Year 3” but --class says “Year 4”"):
        PupilQuery.parse("Amy (Year 3)", class_name="Year 4")


def test_her_rows_are_those_matched_to_her_and_those_typed_as_her_name() -> None:
    journal = record_small_meeting()  # Amy B comes, leaves and rejoins; an impostor types "Amy B" while she is in
    entries = journal.entries()
    rows = rows_about(AMY_B, entries)
    assert rows.names == {"Amy B"}
    assert rows.attended
    participants = {entry.participant_id for entry in rows.own}
    assert participants == {"p1", "p1-again", "x2"}  # her two visits, and the impostor using her name
    assert [entry.verdict for entry in rows.arrivals()] == ["consented", "duplicate", "consented"]
    assert [entry.detail["alarm"] for entry in rows.incidents()] == ["duplicate"]
    others = [entry for entry in entries if entry.participant_id in ("p2", "p3", "x3", "x4")]
    assert not set(map(id, others)) & set(map(id, rows.own))
    assert {identity.label() for identity in identities_in(entries)} == {
        "Amy B. (Year 3)", "Mo K. (Year 5)", "Chloé D. (Year 6)", "Oliver S. (Year 3)"
    }  # fmt: skip
    journal.close()


def test_erasing_replaces_every_name_and_keeps_the_summary_whole() -> None:
    journal = record_small_meeting()
    entries = journal.entries()
    before = SessionSummary.from_entries(entries, meeting_id=MEETING, topic="t")
    rows = rows_about(AMY_B, entries)
    rewritten = erased(AMY_B, rows, reference="E-ABC123")
    assert [e.seq for e in rewritten] == [e.seq for e in rows.own]
    gone = placeholder("E-ABC123")
    for entry in rewritten:
        text = repr((entry.display_name, entry.pupil_label, dict(entry.detail)))
        assert "Amy" not in text, text
        assert entry.verdict == next(e.verdict for e in rows.own if e.seq == entry.seq)  # verdicts stay
    journal.erase(rewritten, note=erasure_note(reference="E-ABC123", rows=len(rewritten), at=T0))
    after = SessionSummary.from_entries(journal.entries(), meeting_id=MEETING, topic="t")
    assert after.counts == before.counts  # the meeting still adds up
    attended = [row.first_name for row in after.attendance]
    assert gone in attended and "Mo" in attended and "Chloé" in attended and "Amy" not in attended
    incident = next(row for row in after.incidents if row.kind == "duplicate")
    assert incident.display_name == gone and incident.message.startswith(f"“{gone}” matches {gone}, who is already here")
    assert "Amy" not in repr(after.as_dict())
    journal.close()


def test_an_arrival_that_only_could_have_been_her_is_a_mention_and_keeps_its_typed_name() -> None:
    pupils = [Pupil(1, "Zara", None, "P", "Year 4", True), Pupil(2, "Zara", None, "Q", "Year 4", True)]
    classifier = AdmissionClassifier(pupils=pupils, staff=[])
    with journals().create(meeting_id=MEETING, topic="t", planned_minutes=30, started_at=T0, rehearsal=False) as journal:
        session = LiveSession(
            journal=journal, classify=lambda n, p, i: classifier.classify(n, present=p, identity=i), expected_pupils=2, clock=Clock()
        )
        session.apply(event(EventKind.WAITING_JOINED, "a", "Zara", seconds=1))
        zara_p = PupilIdentity.of(pupils[0])
        rows = rows_about(zara_p, journal.entries())
        assert not rows.own and [e.kind for e in rows.mentions] == [JournalKind.ARRIVAL]
        assert any("Zara P. (Year 4)" in reason for reason in rows.mentions[0].detail["reasons"])
        (mention,) = erased(zara_p, rows, reference="E-000001")
        assert mention.display_name == "Zara"  # it may have been the other Zara: her own typed name stays
        assert "Zara P." not in repr(dict(mention.detail)) and "Zara Q. (Year 4)" in repr(dict(mention.detail))


def test_rows_are_matched_even_when_the_label_was_written_with_another_spelling_of_her_first_name() -> None:
    legal = PupilIdentity.of(Pupil(9, "Mohammed", "Mo", "K", "Year 5", True))
    with journals().create(meeting_id=MEETING, topic="t", planned_minutes=30, started_at=T0, rehearsal=False) as journal:
        session = LiveSession(journal=journal, classify=classify, expected_pupils=5, clock=Clock())
        session.apply(event(EventKind.WAITING_JOINED, "m", "Mo K", seconds=1))
        assert [e.display_name for e in rows_about(legal, journal.entries()).own] == ["Mo K"]
