"""How a name from outside is shown: every character a reader could not see written out.

Its own small module (only ``unicodedata``), so a window can show text from outside without
loading the name reader (``zoomhost.core.names``, which re-exports it).
"""

from __future__ import annotations

import unicodedata

# Characters that show as nothing although they are letters or symbols.
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5\u180b\u180c\u180d\u180f")

# Short names for the hidden characters an impostor uses most; any other one shows its code point.
_HIDDEN_NAMES = {
    "\u200b": "ZWSP",
    "\u200c": "ZWNJ",
    "\u200d": "ZWJ",
    "\u200e": "LRM",
    "\u200f": "RLM",
    "\u202a": "LRE",
    "\u202b": "RLE",
    "\u202c": "PDF",
    "\u202d": "LRO",
    "\u202e": "RLO",
    "\u2066": "LRI",
    "\u2067": "RLI",
    "\u2068": "FSI",
    "\u2069": "PDI",
    "\ufeff": "BOM",
    "\u00ad": "SHY",
}


def visible_name(text: str) -> str:
    """``text`` with every character a teacher could not see written out, e.g. ``Amy⟦RLO⟧`` or ``⟦U+3164⟧``.

    Control, format, separator and direction characters, and the letters that show as nothing
    (Hangul filler, Braille blank, combining grapheme joiner …), can make an impostor's name look
    like a pupil's, or look empty: each is shown as a label (a short name for the common ones,
    its code point otherwise). Ordinary spaces, accents and other scripts stay as typed. This is
    the one way a display name is shown: the live table, its dialogs, alarms, summaries and
    ``zoomhost dry-run`` all use it. Applying it again changes nothing.
    """
    if text.isascii() and text.isprintable():  # most names: no character of them can hide (a burst of 272 shows at once)
        return text
    out: list[str] = []
    for ch in text:
        if ch == " " or (unicodedata.category(ch)[0] not in "CZ" and not hidden_letter(ch)):
            out.append(ch)
            continue
        out.append(f"⟦{_HIDDEN_NAMES.get(ch) or f'U+{ord(ch):04X}'}⟧")
    return "".join(out)


def hidden_letter(ch: str) -> bool:
    """A letter, mark or symbol that shows as nothing (a variation selector of the supplement included)."""
    return ch in _BLANK_LOOKING or "\U000e0100" <= ch <= "\U000e01ef"
