"""Property tests for the classifier's safety rule, over random registers and what families type.

The rule: ``consented`` only when exactly one pupil on the register fits everything the name says.
"Fits" is stated here on its own, generously (any spelling or common form of a registered first
name, the initial if given, the class if given), so the classifier may be more careful than this
oracle but never less.
"""

from __future__ import annotations

import re
import unicodedata

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from zoomhost.core.classifier import AdmissionClassifier
from zoomhost.core.models import Classification, Pupil, StaffMember, Verdict
from zoomhost.core.names import MAX_NAME_LENGTH
from zoomhost.core.nicknames import aliases

FIRST_NAMES = (
    "Amy", "Tom", "Thomas", "Alex", "Alexander", "Alexandra", "Sam", "Samuel", "Samantha", "Kate", "Katie",
    "Catherine", "Zoë", "Chloé", "Mary-Jane", "Anna Maria", "Anna", "Oliver", "Grace", "Sophie", "Mohammed",
    "Muhammad", "Siobhán", "José", "Ava", "Leo", "Max", "Liz", "Elizabeth", "Beth", "Will", "William", "Bill",
    "Jack", "Noah", "Evie", "Lily", "Lilly", "Ethan", "Isla", "Ben", "Benjamin",
)  # fmt: skip
INITIALS = "ABCKLMOSTW"
SURNAMES = {"A": "Ahmed", "B": "Bloggs", "C": "Carter", "K": "Kowalski", "L": "Lee", "M": "Mills",
            "O": "O'Neill", "S": "Smith-Jones", "T": "Thompson", "W": "Wright"}  # fmt: skip
CLASSES = ("3B", "3K", "4K", "Year 5", "Year 2", "Reception", "Oak", "Willow")
DECORATIONS = ("", "★", "✨ ", " 🙂", " ❤️", "~", "👨‍👩‍👧 ")
BEFORE = ("", "Mum - ", "Dad: ")
AFTER = ("", " & Dad", " and Grandma", " (Mum)", " with Nan")
INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u3164", "\u034f", "\U000e0041")
DIRECTION = ("\u202e", "\u202d", "\u202a", "\u200e", "\u200f", "\u2066", "\u2067", "\u2069", "\u061c")
CONTROL = ("\x00", "\x07", "\t", "\n", "\r", "\x1b", "\x7f", "\u0085", "\u2028")
LOOK_ALIKES = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "y": "у", "x": "х", "i": "і", "A": "Α",
               "B": "В", "E": "Ε", "K": "К", "M": "М", "O": "Ο", "T": "Т", "H": "Н"}  # fmt: skip

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    return "".join(ch for ch in decomposed if ch.isalnum())


@st.composite
def registers(draw: st.DrawFn, *, min_size: int = 1, max_size: int = 25) -> list[Pupil]:
    size = draw(st.integers(min_size, max_size))
    pupils = []
    for pupil_id in range(1, size + 1):
        first = draw(st.sampled_from(FIRST_NAMES))
        preferred = draw(st.one_of(st.none(), st.sampled_from(FIRST_NAMES)))
        pupils.append(
            Pupil(
                id=pupil_id,
                first_name=first,
                preferred_name=preferred if preferred != first else None,
                surname_initial=draw(st.one_of(st.none(), st.sampled_from(INITIALS))),
                class_name=draw(st.one_of(st.none(), st.sampled_from(CLASSES))),
                consent=draw(st.booleans()),
            )
        )
    return pupils


@st.composite
def class_hints(draw: st.DrawFn, klass: str) -> tuple[str, str]:
    """A way a family writes a class, with what it says: "y3" (year only), "3b" (form), "oak" (name)."""
    if klass[0].isdigit():
        year, form = klass[0], klass.lower()
        return draw(st.sampled_from(((klass, form), (f"({klass})", form), (f"Year {year}", f"y{year}"), (f"Y{year}", f"y{year}"))))
    if klass.startswith("Year"):
        year = klass.split()[1]
        return draw(st.sampled_from(((klass, f"y{year}"), (f"Y{year}", f"y{year}"), (f"(Yr {year})", f"y{year}"))))
    if klass == "Reception":
        return draw(st.sampled_from((("Reception", "y0"), ("(Rec)", "y0"))))
    # a bare "(Oak)" may be a surname too, so the classifier rightly reads only "Oak class" as a class
    return draw(st.sampled_from(((f"Class {klass}", klass.lower()), (f"({klass} class)", klass.lower()))))


@st.composite
def typed_names(draw: st.DrawFn, register: list[Pupil]) -> dict:
    """A display name built from a register pupil's (or any) first name, with what it claims."""
    target = draw(st.sampled_from(register))
    names = [target.first_name, *([target.preferred_name] if target.preferred_name else [])]
    forms = sorted(aliases(fold(names[0])) | {names[0]})
    first = draw(st.sampled_from(names + forms + list(FIRST_NAMES)))
    first = draw(st.sampled_from((first, first.lower(), first.upper(), first.title())))
    initial = draw(st.one_of(st.none(), st.sampled_from((target.surname_initial or "B", *INITIALS))))
    surname = ""
    if initial is not None:
        surname = draw(st.sampled_from((initial, f"{initial}.", SURNAMES[initial])))
    hint = draw(st.one_of(st.none(), st.sampled_from((target.class_name or "Oak", *CLASSES)).flatmap(class_hints)))
    device = draw(st.sampled_from(("", "'s iPad")))
    text = (
        draw(st.sampled_from(BEFORE))
        + draw(st.sampled_from(DECORATIONS))
        + " ".join(part for part in (first, surname) if part)
        + device
        + (f" {hint[0]}" if hint else "")
        + draw(st.sampled_from(AFTER))
        + draw(st.sampled_from(DECORATIONS))
    )
    return {"text": text, "first": first, "initial": initial, "class": hint[1] if hint else None, "target": target}


def _class_parts(klass: str) -> tuple[int | None, str | None, str | None]:
    match = re.fullmatch(r"(?:Year )?(\d)([A-Z]?)", klass)
    if match:
        return int(match.group(1)), match.group(2).lower() or None, None
    if klass == "Reception":
        return 0, None, None
    return None, None, klass.lower()


def _hint_parts(hint: str) -> tuple[int | None, str | None, str | None]:
    match = re.fullmatch(r"y?(\d)([a-z]?)", hint)
    if match:
        return int(match.group(1)), match.group(2) or None, None
    return None, None, hint


def _registered_forms(pupil: Pupil) -> set[str]:
    def parts(name: str) -> set[str]:
        return {fold(name)} | {fold(p) for p in re.split(r"[\s-]+", name)}

    forms = parts(pupil.first_name) | aliases(fold(pupil.first_name))
    if pupil.preferred_name:
        preferred = fold(pupil.preferred_name)
        forms |= parts(pupil.preferred_name)
        if preferred not in aliases(fold(pupil.first_name)):
            forms |= aliases(preferred)
    return forms


def fits(pupil: Pupil, claim: dict, *, generous: bool = True) -> bool:
    """The oracle: could the typed name mean this pupil?

    The registered name or a form of it was typed, or (generous) the registered name is a form of what
    was typed (a registered "Sam" for a typed "Samuel"). Of a two-word name ("Anna Maria") one word may
    be the first name and the other the surname. The initial, if any, must be the pupil's, and so must
    the class.
    """
    typed = claim["first"]
    words = [fold(w) for w in re.split(r"[\s-]+", typed) if fold(w)]
    readings = [(fold(typed), set())]
    if len(words) > 1:
        readings += [(word, {other[0] for other in words if other != word}) for word in words]
    forms = _registered_forms(pupil)
    registered = {fold(pupil.first_name), fold(pupil.preferred_name or "")}
    initial = (pupil.surname_initial or "").lower()
    for name, evidence in readings:
        if name not in forms and not (generous and registered & aliases(name)):
            continue
        evidence = evidence | ({claim["initial"].lower()} if claim["initial"] else set())
        if initial and evidence and initial not in evidence:
            continue
        return _class_fits(pupil, claim)
    return False


def _class_fits(pupil: Pupil, claim: dict) -> bool:
    if claim["class"] and pupil.class_name:
        year, letters, name = _class_parts(pupil.class_name)
        hint_year, hint_letters, hint_name = _hint_parts(claim["class"])
        if hint_name is not None:
            return name == hint_name
        if year is None:
            return hint_letters is None  # a class called Oak may be any year, but is not form 3B
        return year == hint_year and not (letters and hint_letters and letters != hint_letters)
    return True


def classify(register: list[Pupil], text: str, present: tuple[int, ...] = ()) -> Classification:
    return AdmissionClassifier(pupils=register, staff=()).classify(text, present=present)


@SETTINGS
@given(data=st.data(), register=registers())
def test_consented_only_when_exactly_one_pupil_fits(data: st.DataObject, register: list[Pupil]) -> None:
    claim = data.draw(typed_names(register))
    result = classify(register, claim["text"])
    fitting = [p for p in register if fits(p, claim)]
    if result.verdict is Verdict.CONSENTED:
        assert fitting == [result.pupil], (claim["text"], result.reasons)
        assert result.pupil.consent
    elif len(fitting) == 1 and fitting[0].consent and fits(fitting[0], claim, generous=False) and " " not in claim["first"]:
        # and the other way round: one clear consented pupil is admitted, not held for nothing
        assert result.verdict is Verdict.CONSENTED, (claim["text"], result.reasons, fitting)


@SETTINGS
@given(data=st.data(), register=registers())
def test_a_pupil_already_in_is_a_duplicate_not_consented_again(data: st.DataObject, register: list[Pupil]) -> None:
    claim = data.draw(typed_names(register))
    present = data.draw(st.sets(st.sampled_from([p.id for p in register])))
    alone = classify(register, claim["text"])
    with_others = classify(register, claim["text"], present=tuple(present))
    if alone.verdict is Verdict.CONSENTED and alone.pupil.id in present:
        assert (with_others.verdict, with_others.pupil) == (Verdict.DUPLICATE, alone.pupil)
    elif alone.verdict is Verdict.CONSENTED:
        assert (with_others.verdict, with_others.pupil) == (Verdict.CONSENTED, alone.pupil)
    else:
        assert with_others.verdict is not Verdict.CONSENTED


@SETTINGS
@given(
    data=st.data(),
    register=registers(),
    bad=st.sampled_from(INVISIBLE + DIRECTION + CONTROL),
)
def test_hidden_characters_are_never_admitted(data: st.DataObject, register: list[Pupil], bad: str) -> None:
    text = data.draw(typed_names(register))["text"].strip()
    where = data.draw(st.integers(0, len(text)))
    staff = [StaffMember(id=1, name="Amy Bloggs"), StaffMember(id=2, name="Tom Kelly")]
    result = AdmissionClassifier(pupils=register, staff=staff).classify(text[:where] + bad + text[where:])
    assert result.verdict is Verdict.SUSPICIOUS, result.reasons


@SETTINGS
@given(data=st.data(), register=registers())
def test_a_look_alike_letter_from_another_script_is_suspicious(data: st.DataObject, register: list[Pupil]) -> None:
    text = data.draw(typed_names(register))["text"]
    swappable = [i for i, ch in enumerate(text) if ch in LOOK_ALIKES]
    assume(swappable)
    where = data.draw(st.sampled_from(swappable))
    disguised = text[:where] + LOOK_ALIKES[text[where]] + text[where + 1 :]
    assume(any(ch.isascii() and ch.isalpha() for ch in disguised))  # still mixed with Latin letters
    assert classify(register, disguised).verdict is Verdict.SUSPICIOUS


@SETTINGS
@given(
    register=registers(min_size=0, max_size=15),
    name=st.sampled_from(FIRST_NAMES),
    twins=st.lists(st.tuples(st.sampled_from(INITIALS), st.sampled_from(CLASSES), st.booleans()), min_size=2, max_size=6),
    decoration=st.sampled_from(DECORATIONS),
    typed_as=st.sampled_from((str.lower, str.upper, str.title, lambda s: f"  {s}  ")),
)
def test_more_pupils_with_one_first_name_never_turn_ambiguous_into_consented(
    register: list[Pupil], name: str, twins: list[tuple[str, str, bool]], decoration: str, typed_as
) -> None:
    pupils = list(register)
    text = decoration + typed_as(name) + decoration
    for count, (initial, klass, consent) in enumerate(twins, start=1):
        pupils.append(
            Pupil(id=1000 + count, first_name=name, preferred_name=None, surname_initial=initial, class_name=klass, consent=consent)
        )
        result = classify(pupils, text)
        if count >= 2:
            assert result.verdict is Verdict.AMBIGUOUS, (text, result.reasons)
            assert result.pupil is None


@SETTINGS
@given(data=st.data(), register=registers())
def test_case_spacing_and_decoration_do_not_change_the_verdict(data: st.DataObject, register: list[Pupil]) -> None:
    text = data.draw(typed_names(register))["text"]
    plain = classify(register, text)
    for variant in (text.upper(), text.lower(), f"  {text}  ", f"★ {text} ★", text.replace(" ", "  ")):
        if len(variant.strip()) > MAX_NAME_LENGTH:
            continue  # longer than Zoom allows: suspicious for its length alone
        other = classify(register, variant)
        assert (other.verdict, other.pupil) == (plain.verdict, plain.pupil), (text, variant)


@SETTINGS
@given(register=registers(), pupil_index=st.integers(0, 24), decoration=st.sampled_from(DECORATIONS))
def test_a_pupils_first_name_alone_never_admits_as_staff(register: list[Pupil], pupil_index: int, decoration: str) -> None:
    pupil = register[pupil_index % len(register)]
    staff = [StaffMember(id=1, name=f"{pupil.first_name} Kelly"), StaffMember(id=2, name=f"Mrs {pupil.first_name}")]
    result = AdmissionClassifier(pupils=register, staff=staff).classify(decoration + pupil.first_name)
    assert result.verdict is not Verdict.STAFF


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=80), register=registers(max_size=8))
def test_any_text_gets_a_verdict_with_reasons(text: str, register: list[Pupil]) -> None:
    staff = [StaffMember(id=1, name="Maxim Kelly", email="m.kelly@example.org")]
    result = AdmissionClassifier(pupils=register, staff=staff).classify(text, present={1, 2})
    assert isinstance(result.verdict, Verdict)
    assert result.reasons and all(isinstance(reason, str) and reason for reason in result.reasons)
    if result.verdict is Verdict.CONSENTED:
        assert result.pupil is not None and result.pupil.consent and result.pupil.id not in (1, 2)
