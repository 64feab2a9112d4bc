"""The quick ways of reading a plain name say exactly what the full reading says, and a name that only
looks plain takes the full reading and is still caught.

Most display names are plain ASCII letters; they skip the character-by-character Unicode scan and are
split into words a word at a time. Each shortcut is checked here against the full path it stands in for,
on the names families type and on any ASCII text.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.core.classifier_register import PUPILS, STAFF
from zoomhost.core.classifier import AdmissionClassifier
from zoomhost.core.models import Verdict
from zoomhost.core.names import _scan, _scan_ascii, _scan_characters, character_problems, not_a_name, read_name

FAMILY_NAMES = [
    "Amy B",
    "amy b.",
    "AMY BLOGGS",
    "Mum - Amy B",
    "Dad (Amy Bloggs)",
    "Amy B's iPad",
    "Tom B.'s iPad",
    "Amy B (3B)",
    "Mary-Jane S",
    "Oliver O'Neill",
    "`Amy` B",
    "Amy`s iPad",
    "Amy--B",
    "-Amy B-",
    "Amy & Tom B",
    "Amy + Tom / Grandma",
    "she/her Amy B",
    "Galaxy A52",
    "DESKTOP-4HJ2K9",
    "xX_RaidLord_Xx",
    "iPhone 12 Pro Max",
    "Year 3, Amy B.",
    "Amy B <b>",
    "f*ck",
    "  Amy   B  ",
]

# Names a quick test might take for plain ones: each has a character a full scan must see.
LOOK_PLAIN = [
    "\u0410my B",  # Cyrillic capital A
    "Am\u0443 B",  # Cyrillic small u for y
    "Amy\u200bB",  # zero-width space
    "Amy B\u202e",  # right-to-left override
    "Amy\u00adB",  # soft hyphen
    "Amy\tB",  # tab
    "Amy B\n",  # line break
    "\uff21my B",  # fullwidth A
    "Am\u028f B",  # IPA small capital Y
    "Amy\u3164",  # Hangul filler, shows as nothing
]

ASCII_PRINTABLE = st.text(alphabet=st.sampled_from(string.printable[:95]), max_size=40)
ANY_ASCII = st.text(alphabet=st.characters(max_codepoint=127), max_size=40)


def classify(name: str, present: tuple[int, ...] = ()):
    return AdmissionClassifier(pupils=list(PUPILS), staff=list(STAFF)).classify(name, present=present)


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_a_plain_name_has_the_character_problems_a_full_scan_finds(name: str) -> None:
    assert character_problems(name) == _scan_characters(name)


@settings(max_examples=300, deadline=None)
@given(text=ASCII_PRINTABLE)
def test_any_printable_ascii_text_has_the_character_problems_a_full_scan_finds(text: str) -> None:
    assert character_problems(text) == _scan_characters(text)


@pytest.mark.parametrize("name", LOOK_PLAIN)
def test_a_name_that_only_looks_plain_is_scanned_in_full_and_held(name: str) -> None:
    problems = character_problems(name)
    assert problems and problems == _scan_characters(name)
    result = classify(name)
    assert result.verdict is Verdict.SUSPICIOUS, result.reasons
    assert result.pupil is None


@pytest.mark.parametrize("name", FAMILY_NAMES)
def test_a_plain_name_splits_into_the_words_any_name_does(name: str) -> None:
    assert _scan_ascii(name) == _scan(name)


@settings(max_examples=300, deadline=None)
@given(text=ANY_ASCII)
def test_any_ascii_text_splits_into_the_words_any_name_does(text: str) -> None:
    assert _scan_ascii(text) == _scan(text)


def test_a_plain_name_and_the_same_name_with_an_accent_read_alike() -> None:
    plain, accented = read_name("Mum - Zoe L's iPad"), read_name("Mum - Zoë L's iPad")
    assert [(w.key, w.kind, w.possessive) for w in plain.words()] == [(w.key, w.kind, w.possessive) for w in accented.words()]
    assert classify("Mum - Zoe L").verdict is classify("Mum - Zoë L").verdict is Verdict.CONSENTED


@pytest.mark.parametrize(
    ("name", "whole_word"),
    [("Cun Tina", "Cuntina"), ("Asd Fern", "Asdfern"), ("Wan Kerr", "Wankerr")],
)
def test_the_name_checks_never_read_across_two_words(name: str, whole_word: str) -> None:
    """All of a name's words are searched at once for a zoombomber's roots and keyboard runs, a space
    between them: two innocent words never make one, while the same letters in one word are still found."""
    assert not_a_name(read_name(name)) is None
    assert not_a_name(read_name(whole_word)) is not None


def test_who_is_already_in_is_read_at_each_arrival_though_the_pupils_named_are_worked_out_once() -> None:
    classifier = AdmissionClassifier(pupils=list(PUPILS), staff=list(STAFF))
    first = classifier.classify("Amy", present=())
    again = classifier.classify("Amy", present=(1,))
    alone = classifier.classify("Amy", present=())
    assert first.verdict is again.verdict is alone.verdict is Verdict.AMBIGUOUS
    assert "could be Amy B. (3B) or Amy K. (Year 5)" in first.reasons
    assert first.reasons[:2] == again.reasons[:2] == alone.reasons[:2]
    assert "Amy B. (3B) already in the meeting" in again.reasons
    assert not any("already in the meeting" in reason for reason in first.reasons + alone.reasons)
