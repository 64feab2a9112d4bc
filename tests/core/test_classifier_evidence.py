"""Who Zoom says someone is decides before what they type: links, sign-ins, and a typed staff name as a claim.

The waiting room used to decide on the typed name alone, so "Mr Kelly" typed by anyone was staff
and admitted. These are the verdicts the teacher, Admit all and the autopilot now act on.
"""

from __future__ import annotations

import pytest

from zoomhost.core.classifier import AdmissionClassifier, Here
from zoomhost.core.events import ZoomIdentity
from zoomhost.core.models import Classification, Evidence, Pupil, StaffMember, Verdict, admits

AMY = Pupil(1, "Amy", None, "B", "3B", True)
TOM = Pupil(2, "Thomas", "Tom", "K", "4K", True)
JACK = Pupil(3, "Jack", None, "F", "Reception", False)
OLIVER_K = Pupil(4, "Oliver", None, "K", "3B", True)
OLIVER_C = Pupil(5, "Oliver", None, "C", "4K", True)
PUPILS = (AMY, TOM, JACK, OLIVER_K, OLIVER_C)
KELLY = StaffMember(1, "Maxim Kelly", "m.kelly@sch.im")
BLOGGS = StaffMember(2, "Sarah Bloggs", None)
STAFF = (KELLY, BLOGGS)
LINKS = {"reg-amy": AMY.id, "reg-tom": TOM.id, "reg-jack": JACK.id, "reg-oliver-k": OLIVER_K.id}
KELLY_SIGNED_IN = ZoomIdentity(user_id="zoom-user-kelly", email="M.Kelly@sch.im")


def classifier(*, links_in_use: bool = True) -> AdmissionClassifier:
    return AdmissionClassifier(pupils=PUPILS, staff=STAFF, links=LINKS, links_in_use=links_in_use)


def link(registrant_id: str) -> ZoomIdentity:
    return ZoomIdentity(registrant_id=registrant_id)


def test_the_head_teachers_name_typed_twice_is_a_claim_then_a_duplicate_and_never_admitted() -> None:
    check, here = classifier(), Here()
    first = check.classify("Mr Kelly", present=here)
    assert (first.verdict, first.staff, first.evidence, first.admit) == (Verdict.STAFF, KELLY, Evidence.NAME, False)
    assert any("only a claim" in reason for reason in first.reasons)
    here.add(first)
    second = check.classify("Mr Kelly", present=here)
    assert (second.verdict, second.staff, second.admit) == (Verdict.DUPLICATE, KELLY, False)
    assert "Maxim Kelly is already here" in "; ".join(second.reasons)
    # The same with no per-family links at all: a typed staff name is never admitted automatically.
    assert classifier(links_in_use=False).classify("Maxim Kelly").admit is False


def test_a_staff_member_signed_in_with_an_address_on_the_staff_list_is_staff_and_admitted() -> None:
    check, here = classifier(), Here()
    result = check.classify("Max's laptop", present=here, identity=KELLY_SIGNED_IN)
    assert (result.verdict, result.staff, result.evidence, result.admit) == (Verdict.STAFF, KELLY, Evidence.SIGNED_IN, True)
    assert result.reasons[0] == "signed in to the school's Zoom account as m.kelly@sch.im: staff member Maxim Kelly"
    here.add(result, KELLY_SIGNED_IN)
    again = check.classify("Maxim Kelly", present=here, identity=KELLY_SIGNED_IN)
    assert (again.verdict, again.admit) == (Verdict.DUPLICATE, False), "the same account on a second device"


def test_signed_in_to_the_schools_account_vouches_for_a_typed_staff_name_without_an_address() -> None:
    result = classifier().classify("Mrs Bloggs", identity=ZoomIdentity(user_id="zoom-user-sb", email="s.bloggs@sch.im"))
    assert (result.verdict, result.staff, result.evidence, result.admit) == (Verdict.STAFF, BLOGGS, Evidence.SIGNED_IN, True)


def test_signed_in_as_someone_else_than_the_staff_member_named_is_held() -> None:
    other = ZoomIdentity(user_id="zoom-user-x", email="x.other@sch.im")
    result = classifier().classify("Mr Kelly", identity=other)
    assert (result.verdict, result.admit) == (Verdict.AMBIGUOUS, False)
    assert "address on the staff list is another" in "; ".join(result.reasons)


def test_a_staff_account_showing_a_pupils_name_is_held_for_the_teacher() -> None:
    result = classifier().classify("Amy B", identity=KELLY_SIGNED_IN)
    assert (result.verdict, result.admit) == (Verdict.AMBIGUOUS, False)
    assert "check who is using the staff account" in result.reasons[-1]


def test_an_address_outside_the_school_is_not_a_sign_in_that_counts() -> None:
    result = classifier().classify("Mr Kelly", identity=ZoomIdentity(email="kelly.fan@gmail.com"))
    assert (result.verdict, result.evidence, result.admit) == (Verdict.STAFF, Evidence.NAME, False)
    assert "outside the school's account" in result.reasons[-1]


def test_a_pupils_own_link_admits_them_whatever_device_name_shows() -> None:
    result = classifier().classify("Galaxy A52", identity=link("reg-amy"))
    assert (result.verdict, result.pupil, result.evidence, result.admit) == (Verdict.CONSENTED, AMY, Evidence.LINK, True)
    assert result.reasons[0] == "came through Amy B.'s own link"
    assert 'the name shown ("Galaxy A52") does not name the pupil; the link does' in result.reasons


def test_a_link_settles_a_first_name_two_pupils_share() -> None:
    assert classifier().classify("Oliver").verdict is Verdict.AMBIGUOUS
    result = classifier().classify("Oliver", identity=link("reg-oliver-k"))
    assert (result.verdict, result.pupil, result.admit) == (Verdict.CONSENTED, OLIVER_K, True)


def test_a_name_only_match_waits_for_the_teacher_where_the_school_uses_links() -> None:
    strict = classifier().classify("Amy B")
    assert (strict.verdict, strict.pupil, strict.evidence, strict.admit) == (Verdict.CONSENTED, AMY, Evidence.NAME, False)
    assert "admit by hand if it is them" in strict.reasons[-1]
    weaker = classifier(links_in_use=False).classify("Amy B")
    assert (weaker.verdict, weaker.admit) == (Verdict.CONSENTED, True), "no per-family links: today's name-based admission"


def test_a_second_arrival_through_a_link_in_use_is_a_duplicate_that_says_whose_link() -> None:
    check, here = classifier(), Here()
    here.add(check.classify("Amy B", identity=link("reg-amy")), link("reg-amy"))
    forwarded = check.classify("Amy B", present=here, identity=link("reg-amy"))
    assert (forwarded.verdict, forwarded.pupil, forwarded.admit) == (Verdict.DUPLICATE, AMY, False)
    assert "Amy B.'s link is already in use in this meeting" in forwarded.reasons[1]


def test_a_pupil_already_in_by_link_makes_a_name_only_copy_a_duplicate_but_not_the_other_way_round() -> None:
    check, here = classifier(), Here()
    by_name = check.classify("Amy B", present=here)
    here.add(by_name)
    by_link = check.classify("Amy's iPad", present=here, identity=link("reg-amy"))
    assert by_link.verdict is Verdict.CONSENTED, "a name alone waiting must not hold up the pupil's own link"
    here.add(by_link, link("reg-amy"))
    assert check.classify("Amy B.", present=here).verdict is Verdict.DUPLICATE


@pytest.mark.parametrize(
    ("name", "verdict", "says"),
    [
        ("Tom K", Verdict.SUSPICIOUS, "but the name says Tom K. (4K)"),
        ("Maxim Kelly", Verdict.SUSPICIOUS, "but the name says staff member Maxim Kelly"),
        ("Amy and Tom", Verdict.AMBIGUOUS, "the name also names Tom K. (4K)"),
        ("Amy\u202eB", Verdict.SUSPICIOUS, "direction"),
    ],
)
def test_a_link_whose_name_names_someone_else_is_flagged(name: str, verdict: Verdict, says: str) -> None:
    result = classifier().classify(name, identity=link("reg-amy"))
    assert (result.verdict, result.pupil, result.evidence, result.admit) == (verdict, AMY, Evidence.LINK, False)
    assert result.reasons[0] == "came through Amy B.'s own link"
    assert says in "; ".join(result.reasons)


def test_a_link_for_a_pupil_without_consent_is_held_with_the_reason() -> None:
    result = classifier().classify("Jack", identity=link("reg-jack"))
    assert (result.verdict, result.evidence, result.admit) == (Verdict.NO_CONSENT, Evidence.LINK, False)


def test_a_registration_zoomhost_did_not_issue_is_only_a_name() -> None:
    result = classifier().classify("Amy B", identity=link("self-registered"))
    assert (result.verdict, result.evidence, result.admit) == (Verdict.CONSENTED, Evidence.NAME, False)
    assert any("did not issue" in reason for reason in result.reasons)


def test_the_admission_rule_in_one_place() -> None:
    for verdict in Verdict:
        for evidence in Evidence:
            for links_in_use in (True, False):
                expected = (verdict is Verdict.STAFF and evidence is Evidence.SIGNED_IN) or (
                    verdict is Verdict.CONSENTED and (evidence is Evidence.LINK or not links_in_use)
                )
                assert admits(verdict, evidence, links_in_use=links_in_use) is expected, (verdict, evidence, links_in_use)
    # A verdict made without saying more is a name alone, admitted as a school without links admits.
    assert Classification(Verdict.STAFF).admit is False and Classification(Verdict.CONSENTED).admit is True


def test_what_zoom_says_is_read_as_plain_bounded_text() -> None:
    odd = ZoomIdentity(registrant_id="  r\ud800id  ", email=" Someone@SCH.IM ", user_id="u" * 1000)
    assert odd.registrant_id == "r\ufffdid" and odd.email == "someone@sch.im" and len(odd.user_id) == 256
    assert not ZoomIdentity() and ZoomIdentity(registrant_id="r").adds_to(ZoomIdentity(email="e@x.org"))
    assert ZoomIdentity.from_dict({"registrant_id": "r", "other": "x"}) == ZoomIdentity(registrant_id="r")
