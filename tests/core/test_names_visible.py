"""The one way a display name is shown: every character a teacher could not see is written out."""

from __future__ import annotations

import pytest

from zoomhost.core.names import visible_name


def test_ordinary_letters_accents_and_scripts_stay_as_typed() -> None:
    assert visible_name("Zoë Ó Briain-Núñez") == "Zoë Ó Briain-Núñez"
    assert visible_name("Амир") == "Амир"  # a script is not a control character
    assert visible_name("<b>x</b> & 'Tom'") == "<b>x</b> & 'Tom'"  # markup is text; escaping it is the screen's business


def test_the_common_hidden_characters_get_short_names() -> None:
    assert visible_name("a\u200bb\ufeff") == "a⟦ZWSP⟧b⟦BOM⟧"
    assert visible_name("Amy\u202eB\u202c") == "Amy⟦RLO⟧B⟦PDF⟧"
    assert visible_name("Pupil001\u202e\u2066evil") == "Pupil001⟦RLO⟧⟦LRI⟧evil"


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("\u3164", "⟦U+3164⟧"),  # Hangul filler: a letter that shows as nothing
        ("\u2800", "⟦U+2800⟧"),  # Braille blank: a symbol that shows as nothing
        ("A\u034fmy", "A⟦U+034F⟧my"),  # combining grapheme joiner: a mark that shows as nothing
        ("\u115f\u1160\uffa0", "⟦U+115F⟧⟦U+1160⟧⟦U+FFA0⟧"),
        ("Amy\U000e0101", "Amy⟦U+E0101⟧"),  # a variation selector with nothing to vary
        ("line\nbreak\x07bell", "line⟦U+000A⟧break⟦U+0007⟧bell"),
        ("Amy\u00a0B\u2028", "Amy⟦U+00A0⟧B⟦U+2028⟧"),  # separators other than the ordinary space
        ("\ue000", "⟦U+E000⟧"),  # private use
    ],
)
def test_hidden_control_separator_and_blank_looking_characters_are_marked(typed: str, shown: str) -> None:
    assert visible_name(typed) == shown


def test_showing_twice_changes_nothing_more() -> None:
    for name in ("Amy\u202eB", "\u3164\u2800\u034f", "Zoë", "a\u200bb"):
        assert visible_name(visible_name(name)) == visible_name(name)
