"""Children who share a first name and surname initial, told apart by the surname a family types;
Zoom's "(2)" on a name already here; letters no name is written with."""

from __future__ import annotations

import json
import logging

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from zoomhost.app.register import import_register, read_register
from zoomhost.core.classifier import AdmissionClassifier
from zoomhost.core.models import Pupil, Verdict
from zoomhost.core.names import fold, not_a_name, read_name, surname_digests
from zoomhost.core.register import RegisterStore, surname_initial
from zoomhost.live.opening import classifier_for
from zoomhost.system import paths
from zoomhost.zoom.credentials import REGISTER_KEY_NAME, SERVICE, register_key

KEY = b"an installation key of 32 bytes!"


def pupil(pid: int, first: str, surname: str, klass: str = "Year 3", school: str | None = "Laxey", *, key: bytes = KEY) -> Pupil:
    return Pupil(
        id=pid,
        first_name=first,
        preferred_name=None,
        surname_initial=surname_initial(surname),
        class_name=klass,
        consent=True,
        school=school,
        surname_digests=surname_digests(surname, key),
    )


MANX = [
    pupil(1, "Orla", "Quayle"),
    pupil(2, "Orla", "Quine"),
    pupil(3, "Callum", "Callister", "Year 5"),
    pupil(4, "Callum", "Caine", "Year 5"),
    pupil(5, "Orla", "Quilliam", school="Dhoon"),
    pupil(6, "Finn", "Kelly-Kissack"),
]


def classify(name: str, present: tuple[int, ...] = (), *, pupils: list[Pupil] = MANX, key: bytes | None = KEY):
    return AdmissionClassifier(pupils=pupils, staff=[], surname_key=key).classify(name, present=present)


@pytest.mark.parametrize(
    ("typed", "pupil_id"),
    [("Orla Quayle", 1), ("orla QUINE", 2), ("Callum Callister", 3), ("Callum Caine (Year 5)", 4), ("Orla Quilliam", 5),
     ("Finn Kissack", 6), ("Finn Kelly-Kissack", 6), ("Mum - Orla Quine", 2), ("Orla Quayle's iPad", 1)],
)  # fmt: skip
def test_a_full_surname_admits_each_child_as_themselves(typed: str, pupil_id: int) -> None:
    result = classify(typed)
    assert result.verdict is Verdict.CONSENTED and result.pupil is not None and result.pupil.id == pupil_id, result.reasons


def test_an_initial_alone_stays_ambiguous_and_a_school_narrows_it() -> None:
    assert classify("Orla Q").verdict is Verdict.AMBIGUOUS
    assert classify("Callum C").verdict is Verdict.AMBIGUOUS
    result = classify("Orla Q (Dhoon)")
    assert result.verdict is Verdict.CONSENTED and result.pupil is not None and result.pupil.id == 5
    laxey = classify("Orla Q Laxey")
    assert laxey.verdict is Verdict.AMBIGUOUS and "Orla Q. (Year 3, Laxey)" in " ".join(laxey.reasons)


def test_a_different_surname_with_the_same_initial_matches_nobody() -> None:
    result = classify("Orla Quirk")
    assert result.verdict is Verdict.NOT_ON_REGISTER
    assert "Quayle" not in " ".join(result.reasons) and "Quine" not in " ".join(result.reasons)


def test_a_surname_alone_is_ambiguous_among_the_pupils_who_have_it() -> None:
    result = classify("Quayle")
    assert result.verdict is Verdict.AMBIGUOUS and result.pupil is None
    assert "surname but no first name" in result.reasons[0] and "Orla Q. (Year 3, Laxey)" in result.reasons[1]
    assert classify("Kissack").verdict is Verdict.AMBIGUOUS
    assert classify("Quirk").verdict is Verdict.NOT_ON_REGISTER


def test_without_the_key_the_digests_match_nothing_and_initials_decide() -> None:
    assert classify("Orla Quayle", key=None).verdict is Verdict.AMBIGUOUS
    assert classify("Orla Quayle", key=b"another installation's key......").verdict is Verdict.NOT_ON_REGISTER
    assert classify("Quayle", key=None).verdict is Verdict.NOT_ON_REGISTER


def test_nothing_shown_or_exported_carries_the_surname_or_its_digest() -> None:
    result = classify("Orla Quayle")
    shown = json.dumps(result.as_dict()) + repr(result) + result.pupil.label() + json.dumps(result.pupil.as_dict())  # type: ignore[union-attr]
    assert "Quayle" not in shown and "quayle" not in shown
    for digest in MANX[0].surname_digests:
        assert digest not in shown


def test_zooms_number_on_a_name_already_here_is_a_duplicate_with_the_reason() -> None:
    result = classify("Callum Caine (2)", present=(4,))
    assert result.verdict is Verdict.DUPLICATE and result.pupil is not None and result.pupil.id == 4
    assert any('Zoom numbered the name "(2)"' in reason for reason in result.reasons)
    # not here yet: "(3)" is read as the family wrote it, a year group that does not fit
    assert classify("Callum Caine (3)").verdict is Verdict.NOT_ON_REGISTER
    assert classify("Orla Quayle (3)").verdict is Verdict.CONSENTED


@pytest.mark.parametrize("letter", ["ɑ", "ɡ", "ʀ", "ᴀ", "ᵻ", "ʜ", "ꜱ", "𝐚"])
def test_phonetic_modifier_and_mathematical_letters_are_suspicious(letter: str) -> None:
    assert classify(f"Orla Qu{letter}yle").verdict is Verdict.SUSPICIOUS


@pytest.mark.parametrize("name", ["Zoë", "Núñez", "Søren", "Łucja", "Yıldız", "Səbinə", "Ɛsi", "Nǵozi"])
def test_letters_names_really_use_still_match(name: str) -> None:
    register = [pupil(1, name, "Quayle")]
    result = classify(f"{name} Quayle", pupils=register)
    assert result.verdict is Verdict.CONSENTED, result.reasons


# ---- surnames that are also words for family ("Orla Dad", "Orla Nan") -------------------------------

ORLAS_DAD_AND_NAN = [pupil(1, "Orla", "Dad"), pupil(2, "Orla", "Dunne"), pupil(3, "Orla", "Nan"), pupil(4, "Orla", "Nolan")]


@pytest.mark.parametrize(("typed", "pupil_id"), [("Orla Dad", 1), ("ORLA DAD", 1), ("Orla Nan", 3), ("orla nan (Year 3)", 3),
                                                  ("Orla Dad's iPad", 1), ("Mum - Orla Dad", 1)])  # fmt: skip
def test_a_surname_that_is_a_relation_word_admits_the_pupil_who_has_it(typed: str, pupil_id: int) -> None:
    result = classify(typed, pupils=ORLAS_DAD_AND_NAN)
    assert result.verdict is Verdict.CONSENTED and result.pupil is not None and result.pupil.id == pupil_id, result.reasons
    adults = [reason for reason in result.reasons if reason.startswith("an adult is named")]
    assert adults == (["an adult is named with the child (Mum)"] if typed.startswith("Mum") else [])


@pytest.mark.parametrize("typed", ["Orla's dad", "Orla (Dad)", "Dad - Orla", "Orla's Nan", "Orla (Nan)"])
@pytest.mark.parametrize("register", [ORLAS_DAD_AND_NAN, MANX], ids=["surnames-dad-and-nan", "other-surnames"])
def test_a_parent_joining_for_a_child_is_still_read_as_an_adult(typed: str, register: list[Pupil]) -> None:
    result = classify(typed, pupils=register)
    assert result.verdict is Verdict.AMBIGUOUS and result.pupil is None, result.reasons
    assert "called Orla; the name gives no surname initial or class" in result.reasons[0]
    assert any(reason.startswith("an adult is named with the child") for reason in result.reasons)


def test_a_relation_word_that_is_not_this_childs_surname_still_names_an_adult() -> None:
    # only one Orla; Dad is another pupil's surname, not hers: Orla's dad at her device, as before
    register = [pupil(1, "Orla", "Quayle"), pupil(2, "Amy", "Dad")]
    result = classify("Orla Dad", pupils=register)
    assert result.verdict is Verdict.CONSENTED and result.pupil is not None and result.pupil.id == 1
    assert "an adult is named with the child (Dad)" in result.reasons
    # two Orlas, neither called Dad: still held, never taken as a surname that fits nobody
    assert classify("Orla Dad", pupils=[*register, pupil(3, "Orla", "Quine")]).verdict is Verdict.AMBIGUOUS


def test_without_the_key_a_relation_word_is_not_taken_as_a_surname() -> None:
    result = classify("Orla Dad", pupils=ORLAS_DAD_AND_NAN, key=None)
    assert result.verdict is Verdict.AMBIGUOUS and result.pupil is None


# ---- surnames that are also a device's or a filler's word ("Amy Guest", "Tom Dell") ----------------

AMYS_AND_TOMS = [pupil(1, "Amy", "Guest"), pupil(2, "Amy", "Quayle"), pupil(3, "Tom", "Dell"), pupil(4, "Tom", "Kewley"),
                 pupil(5, "Amy", "Mac")]  # fmt: skip


@pytest.mark.parametrize(("typed", "pupil_id"), [("Amy Guest", 1), ("AMY GUEST (Year 3)", 1), ("Tom Dell", 3), ("tom dell", 3),
                                                  ("Amy Mac", 5), ("Mum - Amy Guest", 1)])  # fmt: skip
def test_a_surname_that_is_a_device_or_filler_word_admits_the_pupil_who_has_it(typed: str, pupil_id: int) -> None:
    result = classify(typed, pupils=AMYS_AND_TOMS)
    assert result.verdict is Verdict.CONSENTED and result.pupil is not None and result.pupil.id == pupil_id, result.reasons


@pytest.mark.parametrize("typed", ["Tom's Dell", "Tom (Dell)", "Amy's Mac", "Amy - Guest"])
def test_a_device_or_filler_word_not_straight_after_the_first_name_is_still_no_surname(typed: str) -> None:
    result = classify(typed, pupils=AMYS_AND_TOMS)
    assert result.verdict is Verdict.AMBIGUOUS and result.pupil is None, result.reasons


def test_a_device_word_that_is_not_this_childs_surname_is_still_a_device() -> None:
    register = [pupil(1, "Tom", "Kewley"), pupil(2, "Tom", "Quine"), pupil(3, "Amy", "Dell")]
    assert classify("Tom Dell", pupils=register).verdict is Verdict.AMBIGUOUS  # two Toms, neither called Dell
    assert classify("Tom Dell", pupils=register, key=None).verdict is Verdict.AMBIGUOUS


# ---- properties --------------------------------------------------------------------------------

# surnames as registers hold them: Quayle, McKinnon, O'Neill, Kelly-Kissack
surnames = st.from_regex(r"(Mc|Mac|O')?[A-Z][a-z]{2,9}(-[A-Z][a-z]{2,8})?", fullmatch=True)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(surname=surnames, other=surnames)
def test_a_different_surname_never_matches(surname: str, other: str) -> None:
    parts = lambda s: {fold(p) for p in s.replace("'", "").split("-") if len(fold(p)) > 1} | {fold(s.replace("'", ""))}  # noqa: E731
    if parts(surname) & parts(other):
        return
    register = [pupil(1, "Orla", surname), pupil(2, "Orla", "Q" + surname)]
    result = classify(f"Orla {other}", pupils=register)
    assert not (result.verdict is Verdict.CONSENTED and result.pupil is not None and result.pupil.id == 1)


@settings(max_examples=100)
@given(surname=surnames)
@example(surname="Dad")  # a relation word: "Orla Dad" was read as Orla's dad
@example(surname="Nan")
@example(surname="Mum")
def test_the_same_surname_always_matches_its_pupil(surname: str) -> None:
    assume(not_a_name(read_name(f"Orla {surname}")) is None)  # "Orla AAAA" is held as typing, whatever the register
    register = [pupil(1, "Orla", surname), pupil(2, "Orla", surname[0] + "zzzq")]  # same initial, another surname
    result = classify(f"Orla {surname}", pupils=register)
    assert result.verdict is Verdict.CONSENTED and result.pupil is not None and result.pupil.id == 1


# ---- end to end: the keyring, the store, a session ---------------------------------------------


def test_reimporting_gives_the_same_matches_and_no_surname_is_stored_logged_or_exported(tmp_path, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    from zoomhost.app.services import register_store

    store = register_store()
    path = tmp_path / "federation.csv"
    path.write_text(
        "Legal First Name,Legal Last Name,Registration Form,School,Zoom Consent\n"
        "Orla,Quayle,Year 3,Laxey,Yes\nOrla,Quine,Year 3,Laxey,Yes\n",
        encoding="utf-8",
    )
    verdicts = []
    for _ in range(2):
        import_register(store, read_register(store, path))
        classify_name, expected = classifier_for(store)
        assert expected == 2
        verdicts.append([(r.verdict, r.pupil.id if r.pupil else None) for r in (classify_name(n, ()) for n in ("Orla Quayle", "Orla Quine", "Orla Q"))])
    assert verdicts[0] == verdicts[1] == [(Verdict.CONSENTED, 1), (Verdict.CONSENTED, 2), (Verdict.AMBIGUOUS, None)]
    key = register_key()
    assert key.kept, "the test runner gives a real Secret Service keyring"
    import keyring

    assert bytes.fromhex(keyring.get_keyring().get_password(SERVICE, REGISTER_KEY_NAME)) == key.secret
    stored = paths.register_db().read_bytes()
    assert b"Quayle" not in stored and b"Quine" not in stored and b"quayle" not in stored
    digests = surname_digests("Quayle", key.secret)
    assert digests[0].encode() in stored  # the digest is what is kept
    assert "Quayle" not in caplog.text and digests[0] not in caplog.text
    assert key.secret.hex() not in caplog.text


def test_a_register_imported_with_another_key_falls_back_to_initials(tmp_path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("First name,Surname,Class,Consent\nOrla,Quayle,3Q,yes\nOrla,Quine,3Q,yes\n", encoding="utf-8")
    old = RegisterStore(db_path=paths.register_db(), surname_key=lambda: b"a key this installation lost....")
    import_register(old, read_register(old, path))
    now = RegisterStore(db_path=paths.register_db(), surname_key=lambda: KEY)
    assert now.surname_key() is None
    classify_name, _ = classifier_for(now)
    assert classify_name("Orla Quayle", ()).verdict is Verdict.AMBIGUOUS  # initials only, never a wrong match


# -- the register's index answers as the rule does -------------------------------------------------------------
_SURNAMES = ("Quayle", "Quine", "Kelly", "Kelly-Quayle", "Corlett", "Dad", "Q")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    register=st.lists(
        st.tuples(st.sampled_from(_SURNAMES), st.booleans(), st.sampled_from(("Year 3", "Year 4"))), min_size=1, max_size=12
    ),
    typed=st.lists(st.sampled_from(("quayle", "quine", "kelly", "kellyquayle", "corlett", "dad", "q", "k", "c", "x")), min_size=1, max_size=3),
    klass=st.sampled_from((None, "3", "4")),
)
def test_the_pupils_a_surname_fits_are_those_each_pupils_own_check_lets_through(
    register: list[tuple[str, bool, str]], typed: list[str], klass: str | None
) -> None:
    """The index of one first name answers which pupils the words typed after it fit (by their surname's
    digests where the register kept them, else by its initial) exactly as each pupil's own check would."""
    from zoomhost.core.classifier import _Bucket, _Entry, _word_digests
    from zoomhost.core.names import ClassHint

    pupils = [
        Pupil(
            id=n, first_name="Orla", preferred_name=None, surname_initial=surname_initial(surname), class_name=year,
            consent=True, school="Laxey", surname_digests=surname_digests(surname, KEY) if kept else (),
        )
        for n, (surname, kept, year) in enumerate(register, start=1)
    ]
    bucket = _Bucket()
    entries = [_Entry.of(p) for p in pupils]
    for entry in entries:
        bucket.add(entry)
    digests = {word: _word_digests(KEY, word, ()) for word in typed if len(word) > 1}
    classes = [ClassHint(year=int(klass))] if klass else []
    expected = [e for e in entries if e.fits(extras=typed, classes=classes, typed=digests)]
    for _ in range(2):  # answered from the index, then from what the index kept of that answer
        assert [e.id for e in bucket.fitting(list(typed), classes, frozenset({"orla"}), digests)] == [e.id for e in expected]
