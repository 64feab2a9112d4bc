"""Reading a waiting-room display name the way a careful teacher would.

Families type names in every shape ("AMY B", "Amy's iPad", "Mum - Amy", "★Amy★ (Year 3)"), and
impostors hide behind look-alike letters and invisible characters. This module only *reads*:
it reports what is wrong with the characters, and splits the rest into people and their parts
(name words, initials, class, adults, devices). Deciding who it is belongs to the classifier.
Only the standard library is used: scripts come from ``unicodedata`` character names.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache

from zoomhost.core.visible import hidden_letter as _hidden_letter
from zoomhost.core.visible import visible_name  # noqa: F401 - shown names are read here too

# Zoom display names are at most 64 characters; longer text is not a name someone typed.
MAX_NAME_LENGTH = 64
MAX_NAME_WORDS = 8

APOSTROPHES = frozenset("'’‘`´ʼʻ′")
INNER_HYPHENS = frozenset("-‐‑")
PERSON_SEPARATORS = frozenset("&+＆")
GROUP_SEPARATORS = frozenset("()[]{}<>,;:|~–—•·=\"“”«»_")

TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "mister", "missus", "sir", "prof", "rev", "madam"})
RELATIONS = frozenset(
    {
        "mum", "mummy", "mom", "mommy", "mam", "mammy", "mama", "mother", "dad", "daddy", "papa", "father",
        "parent", "parents", "grandma", "grandad", "granddad", "grandpa", "gran", "granny", "grandmother",
        "grandfather", "grandparent", "grandparents", "nan", "nana", "nanna", "nanny", "nain", "taid", "nonna",
        "nonno", "oma", "opa", "auntie", "aunty", "aunt", "uncle", "carer", "guardian", "family", "fam",
        "brother", "sister", "bro", "sis", "sibling", "siblings", "stepmum", "stepdad", "household",
    }
)  # fmt: skip
DEVICES = frozenset(
    {
        "ipad", "iphone", "ipod", "android", "galaxy", "samsung", "kindle", "fire", "tablet", "laptop",
        "desktop", "pc", "computer", "chromebook", "macbook", "mac", "imac", "surface", "huawei", "lenovo",
        "acer", "asus", "dell", "hp", "toshiba", "xperia", "pixel", "oneplus", "xiaomi", "redmi", "oppo",
        "motorola", "moto", "nokia", "lg", "honor", "realme", "phone", "mobile", "smartphone", "tv", "xbox",
        "playstation", "ps4", "ps5", "tab", "device", "win", "windows", "workstation",
    }
)  # fmt: skip
# model words only count as part of a device name next to one ("iPhone 12 Pro Max", not "Max")
MODEL_WORDS = frozenset({"pro", "max", "mini", "plus", "air", "ultra", "note", "lite", "se", "hd", "fe"})
FILLERS = frozenset(
    {
        "my", "the", "of", "from", "zoom", "user", "guest", "owner", "account", "home", "hi", "hello", "hey",
        "here", "joining", "pupil", "child", "kid", "student", "she", "her", "he", "him", "his", "they",
        "them", "their", "pronouns", "at", "on", "in", "is", "for", "to", "by", "via", "teacher",
        "staff", "tutor", "headteacher", "school", "primary",
    }
)  # fmt: skip
CONJUNCTIONS = frozenset({"and", "with", "plus"})
DEVICE_OWNER_WORDS = frozenset({"de", "di", "da", "von", "van", "du", "del"})
CLASS_WORDS = frozenset({"year", "yr", "y", "class", "form", "group"})
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
RECEPTION = frozenset({"reception", "rec"})
NURSERY = frozenset({"nursery"})
_YEAR_WORDS = RECEPTION | NURSERY

# Words a zoombomber types; whole words only, so Cassandra and Dickens stay names.
NOT_NAME_WORDS = frozenset(
    {
        "zoombomb", "zoombomber", "zoombombing", "zoombombed", "bomb", "bomber", "raid", "raided", "raiding",
        "hacked", "hacker", "hackers", "hack", "lol", "lmao", "lmfao", "rofl", "xd", "troll", "trolling",
        "trolled", "sus", "bruh", "yeet", "deez", "nuts", "ligma", "sugma", "subscribe", "youtube", "tiktok",
        "twitch", "discord", "porn", "sex", "sexy", "nude", "nudes", "penis", "cock", "boob", "boobs", "tits",
        "ass", "arse", "shit", "shite", "shitty", "piss", "bitch", "bastard", "wanker", "twat", "slag", "nazi", "hitler",
        "kill", "die", "poo", "poop", "fart", "butt", "idiot", "stupid", "loser", "haha", "hahaha", "lolol",
        "anonymous", "anon", "admin", "mod", "bot", "test", "testing", "asdf", "qwerty", "nobody", "unknown",
    }
)  # fmt: skip
NOT_NAME_ROOTS = ("fuck", "cunt", "porn", "wank", "nigg", "zoombomb", "bullshit")
# masked swearing ("f*ck", "sh!t"): letters kept apart by symbols that are not part of any name
_MASKED = re.compile(r"(?<![a-z])(?:f[\W\d_]*u?[\W\d_]*c[\W\d_]*k|s[\W\d_]*h[\W\d_]*[i1!*][\W\d_]*t)(?![a-z])")
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b"})

_URL = re.compile(
    r"(?i)(?:[a-z][a-z0-9+.-]*://|\bwww\.|\b[a-z0-9-]+\.(?:com|net|org|uk|io|ly|gg|tv|me|xyz|co|info|biz|link|app|ru|de)\b)"
)
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_DOT_BEFORE_POSSESSIVE = re.compile(r"\.(?=['’‘`´ʼ][sS](?!\w))")
_CLASS_CODE = re.compile(r"(?:year|yr|y|class)?(\d{1,2})([a-z]{0,2})")

# Letters of other scripts that look like Latin ones (the impostor's toolkit), with the Latin letter.
CONFUSABLES: dict[str, str] = {
    # Cyrillic
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c",
    "у": "y", "х": "x", "і": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w",
    "ү": "y", "ɡ": "g", "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S", "Ԛ": "Q", "Ԝ": "W", "Ү": "Y",
    # Greek
    "α": "a", "ο": "o", "ν": "v", "ι": "i", "κ": "k", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ϲ": "c",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Armenian and Cherokee look-alikes seen in spoofed names
    "օ": "o", "ս": "u", "հ": "h", "ո": "n", "Ꭺ": "A", "Ᏼ": "B", "Ꮯ": "C", "Ꭼ": "E", "Ꮋ": "H", "Ꮶ": "K",
    "Ꮇ": "M", "Ꭲ": "T",
}  # fmt: skip

# Lower-case letters that pass for Latin ones in a whole word of them ("Аму" reads as "Amy").
_LOOSE_CONFUSABLES = {**CONFUSABLES, "в": "b", "к": "k", "м": "m", "н": "h", "т": "t", "п": "n", "г": "r", "ь": "b"}

BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c")
# What a device or a decoder puts where it could not read a character (never part of a typed name).
_UNREADABLE_MARKS = frozenset("\ufffd\ufffc")
_ZWJ = "\u200d"
_VARIATION_SELECTORS = frozenset("\ufe0e\ufe0f")
_KEYCAP = "\u20e3"
_BLACK_FLAG = "\U0001f3f4"
_TAG_END = "\U000e007f"
# scripts that one person's name may mix (Japanese, Korean)
_SCRIPT_FAMILIES = (frozenset({"Han", "Hiragana", "Katakana"}), frozenset({"Han", "Hangul"}))
_SCRIPT_ALIASES = {"CJK": "Han", "KATAKANA-HIRAGANA": "Katakana", "IDEOGRAPHIC": "Han"}

_TRANSLIT = str.maketrans(
    {"ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ł": "l", "Ł": "l", "đ": "d",
     "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th", "ı": "i"}
)  # fmt: skip


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """A name's comparison key: lower case, accents dropped, letters and digits only (Zoë -> zoe)."""
    if text.isascii():
        return "".join(ch for ch in text.lower() if ch.isalnum())
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLIT)).casefold()
    return "".join(ch for ch in decomposed if ch.isalnum())


# ---------------------------------------------------------------- characters


def _script(ch: str) -> str | None:
    """The script of a letter, from its Unicode name ("CYRILLIC SMALL LETTER A" -> Cyrillic)."""
    if ch.isascii():
        return "Latin" if ch.isalpha() else None
    if not unicodedata.category(ch).startswith("L"):
        return None
    first = unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0]
    if first in ("MODIFIER", "UNKNOWN"):
        return None
    return _SCRIPT_ALIASES.get(first, first.capitalize())


# Letters of the IPA block that alphabets really write names with (Azerbaijani ə; ɛ, ɔ, ɓ, ɗ, ŋ-like letters
# of Akan, Ewe, Hausa, Fula ...): they stay letters.
_ALPHABET_LETTERS_IN_IPA = frozenset("əɛɔɓɗɖɣɲʃʒʊʋɨʉɦɠ")


def _phonetic_letter(ch: str) -> bool:
    """A letter from the phonetic or modifier blocks (IPA extensions, phonetic extensions, spacing
    modifier letters), or a small capital anywhere: letters for writing sounds, not names."""
    code = ord(ch)
    if ch in APOSTROPHES or ch in _ALPHABET_LETTERS_IN_IPA or not unicodedata.category(ch).startswith("L"):
        return False
    if 0x0250 <= code <= 0x02FF or 0x1D00 <= code <= 0x1DBF:
        return True
    return "SMALL CAPITAL" in unicodedata.name(ch, "")


def _looks_like_latin_letters(ch: str) -> bool:
    """Fancy-font letters: fullwidth, mathematical, circled, superscript forms of plain Latin."""
    if ch.isascii():
        return False
    compat = unicodedata.normalize("NFKC", ch)
    return compat != ch and compat.isascii() and any(c.isalpha() for c in compat)


_MARKUP = frozenset("<>")  # the brackets of HTML tags: what a name typed to rewrite a label or dialog carries
_MARKUP_PROBLEM = "contains < or >, which no name uses: text written to look like part of zoomhost's own words"


def character_problems(text: str) -> list[str]:
    """Sentences naming what makes the characters of a display name untrustworthy; empty when none.

    Emoji sequences are allowed their joiners and variation selectors (a family emoji is
    decoration); the same characters between letters hide or disguise text and are reported.
    """
    if text.isascii() and text.isprintable():
        # most names: printable ASCII letters are all Latin and nothing in it can hide; only markup is told
        # (what ``_scan_characters`` finds in such a name, without looking at each character)
        return [_MARKUP_PROBLEM] if "<" in text or ">" in text else []
    return _scan_characters(text)


def _scan_characters(text: str) -> list[str]:
    """``character_problems``, character by character: what it says of any name."""
    problems: list[str] = []

    def report(reason: str) -> None:
        if reason not in problems:
            problems.append(reason)

    text = unicodedata.normalize("NFC", text)
    scripts: dict[str, list[str]] = {}
    previous = ""
    base_script: str | None = None
    in_flag_tags = False
    marks_in_a_row = 0
    for index, ch in enumerate(text):
        if ch.isascii() and ch.isprintable():
            if ch in _MARKUP:
                report(_MARKUP_PROBLEM)
            if ch.isalpha():
                scripts.setdefault("Latin", []).append(ch)
            previous, base_script, marks_in_a_row, in_flag_tags = ch, _script(ch), 0, False
            continue
        category = unicodedata.category(ch)
        following = text[index + 1] if index + 1 < len(text) else ""
        if in_flag_tags and "\U000e0020" <= ch <= _TAG_END:
            in_flag_tags = ch != _TAG_END
            continue
        if ch == _BLACK_FLAG and following and "\U000e0020" <= following < _TAG_END:
            in_flag_tags = True
        if ch in BIDI_CONTROLS:
            report("contains a hidden right-to-left or direction-control character")
        elif ch == _ZWJ and _is_emoji(previous) and _is_emoji(following):
            pass  # joins an emoji sequence such as a family
        elif ch in _VARIATION_SELECTORS and (_is_emoji(previous) or previous.isdigit() or previous in ("#", "*")):
            continue  # emoji presentation; the emoji stays the character a joiner attaches to
        elif ch == _KEYCAP and (previous.isdigit() or previous in ("#", "*")):
            continue
        elif category in ("Cc", "Zl", "Zp"):
            report("contains a control character such as a line break or tab")
        elif category == "Cf" or _hidden_letter(ch) or ch in _VARIATION_SELECTORS:
            report("contains an invisible character")
        elif category in ("Cn", "Co", "Cs"):
            report("contains an unassigned or private-use character")
        elif ch in _UNREADABLE_MARKS:
            report("contains a character that could not be read (shown as a replacement mark)")
        elif category in ("Mn", "Me", "Mc"):
            marks_in_a_row += 1
            if base_script in (None, "Latin"):
                # every accent a Latin name uses has a composed letter after NFC; what is left is decoration
                report("has stacked accent marks" if marks_in_a_row > 1 else "has an accent mark that no ordinary letter uses")
            continue
        elif _looks_like_latin_letters(ch):
            report("written in look-alike letters (a decorative font), not plain letters")
        elif _phonetic_letter(ch):
            report("contains a phonetic or modifier letter that no name is written with")
        else:
            script = _script(ch)
            if script is not None:
                scripts.setdefault(script, []).append(ch)
        previous, base_script, marks_in_a_row = ch, _script(ch), 0
    problems.extend(_script_problems(scripts))
    return problems


def latin_look_alike(text: str) -> tuple[str, str] | None:
    """(script, Latin reading) when every letter of ``text`` is another script's look-alike of a Latin one."""
    reading, script = [], None
    for ch in text:
        if ch.isascii():
            reading.append(ch)
            continue
        mapped = _LOOSE_CONFUSABLES.get(ch)
        if mapped is None:
            if unicodedata.category(ch).startswith("L"):
                return None
            reading.append(" ")
            continue
        script = _script(ch)
        reading.append(mapped)
    return (script, "".join(reading)) if script else None


def _is_emoji(ch: str) -> bool:
    if not ch or ch.isascii():
        return False
    return unicodedata.category(ch) in ("So", "Sk") or "\U0001f3fb" <= ch <= "\U0001f3ff"


def _script_problems(scripts: dict[str, list[str]]) -> list[str]:
    names = set(scripts)
    if len(names) <= 1:
        return []  # one script; a whole name of look-alikes is caught by ``latin_look_alike``
    if any(names <= family for family in _SCRIPT_FAMILIES):
        return []
    if "Latin" in names:
        problems = []
        for script in sorted(names - {"Latin"}):
            if any(ch in CONFUSABLES for ch in scripts[script]):
                problems.append(f"contains a {script} letter that looks like a Latin one")
            else:
                problems.append(f"mixes Latin and {script} letters")
        return problems
    return ["mixes letters of " + " and ".join(sorted(names)) + " scripts"]


# ---------------------------------------------------------------- surnames

#: How much of a surname's keyed digest is kept: 128 bits tell every surname apart, and no more is needed.
SURNAME_DIGEST_CHARS = 32


def surname_keys(surname: str) -> tuple[str, ...]:
    """A surname as it is compared: folded whole, and each part of a double or spaced one
    ("Kelly-Quayle" -> kellyquayle, kelly, quayle), parts of one letter left out."""
    parts = [fold(part) for part in re.split(r"[\s\-‐‑]+", surname.replace("'", "").replace("’", ""))]
    whole = fold(surname.replace("'", "").replace("’", ""))
    keys = [whole] if len(whole) > 1 else []
    keys += [part for part in parts if len(part) > 1 and part not in keys]
    return tuple(keys)


def surname_digest(key: str, secret: bytes) -> str:
    """The keyed digest of one folded surname (HMAC-SHA-256 with the installation's key), as kept and compared.

    The surname itself is never kept: only this, which without the key says nothing about it.
    """
    return hmac.new(secret, key.encode("utf-8"), hashlib.sha256).hexdigest()[:SURNAME_DIGEST_CHARS]


def surname_digests(surname: str, secret: bytes) -> tuple[str, ...]:
    """Every digest a register surname is matched by (see ``surname_keys``)."""
    return tuple(surname_digest(key, secret) for key in surname_keys(surname))


def key_check(secret: bytes) -> str:
    """A digest that says which key made a register's surname digests, without saying anything of the key."""
    return surname_digest("zoomhost surname key check", secret)


# ---------------------------------------------------------------- words


class Kind(Enum):
    WORD = "word"  # could be a first name, a surname, or an adult's name
    INITIAL = "initial"  # one letter: a surname initial
    TITLE = "title"  # Mr, Mrs, Miss ...: an adult
    RELATION = "relation"  # Mum, Dad, Grandma ...: an adult at the child's device
    DEVICE = "device"  # iPad, Galaxy, DESKTOP-8F3K2 ...
    MODEL = "model"  # S21, SM-T510, Pro: part of a device name
    FILLER = "filler"  # my, the, Zoom, user, pronouns ...
    CLASS = "class"  # Year 3, 3B, Y5, Reception, Class Oak
    NUMBER = "number"  # digits that are not a year group (phone numbers)


# The kinds as module names: on Python 3.11 reading ``Kind.WORD`` goes through the enum's metaclass, several
# times slower than a global, and reading a name compares kinds tens of times.
_WORD, _INITIAL, _TITLE, _RELATION, _DEVICE = Kind.WORD, Kind.INITIAL, Kind.TITLE, Kind.RELATION, Kind.DEVICE
_MODEL, _FILLER, _CLASS, _NUMBER = Kind.MODEL, Kind.FILLER, Kind.CLASS, Kind.NUMBER


@dataclass(frozen=True, slots=True)
class ClassHint:
    """What a name says about the class: a year group, a form letter, or a class's own name."""

    year: int | None = None
    letters: str | None = None
    name: str | None = None
    text: str = ""


@dataclass(slots=True)
class Word:
    text: str  # as typed, NFC
    key: str  # folded
    kind: Kind = Kind.WORD
    parts: tuple[str, ...] = ()  # folded parts of a hyphenated word
    possessive: bool = False  # typed as "Amy's"
    dotted: bool = False  # followed by a full stop ("B.")
    group: int = 0  # run of words not broken by brackets, commas or dashes
    hint: ClassHint | None = None


@dataclass(slots=True)
class Person:
    """One person the display name mentions (split at "&", "and", "+", "/", "with")."""

    words: list[Word] = field(default_factory=list)

    def of(self, kind: Kind) -> list[Word]:
        return [word for word in self.words if word.kind is kind]


@dataclass(slots=True)
class ReadName:
    text: str
    people: list[Person]
    decorations: int

    def words(self) -> list[Word]:
        return [word for person in self.people for word in person.words]

    def of(self, kind: Kind) -> list[Word]:
        return [word for word in self.words() if word.kind is kind]


def looks_like_web_address(text: str) -> bool:
    if "." not in text and ":" not in text:
        return False  # every address has a scheme's colon or a dot
    return _URL.search(text) is not None


def email_address(text: str) -> str | None:
    if "@" not in text:
        return None
    match = _EMAIL.search(text)
    return match.group(0).strip(".,;:()<>[]").lower() if match else None


def read_name(text: str) -> ReadName:
    """Split a display name into people and words, each word given a kind."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    if "." in text:
        text = _DOT_BEFORE_POSSESSIVE.sub("", text)  # "Tom B.'s iPad"
    raw, decorations = _scan_ascii(text) if text.isascii() else _scan(text)
    words: list[Word] = []
    people: list[Person] = [Person(words)]
    slash_before: list[bool] = []
    phrases = False  # a class phrase ("Year 3") or a device's model ("iPhone 12") to read
    for piece, boundary, slash, dotted, group in raw:
        key = fold(piece.replace("'", "")) if "'" in piece else fold(piece)
        if boundary == "person" or key in CONJUNCTIONS:
            if words:
                words = []
                people.append(Person(words))
                slash_before.append(slash)
            if key in CONJUNCTIONS:
                continue
        if "'" in piece or "-" in piece:
            word = _word(piece, key, dotted, group)
            word.kind = kind = _kind_alone(word)
        else:
            kind = _plain_kind(key)
            if kind is None:
                word = Word(piece, key, _WORD, (), False, dotted, group)
                word.kind = kind = _kind_alone(word)
            else:
                word = Word(piece, key, kind, (), False, dotted, group)
        phrases = phrases or kind is _DEVICE or word.key in CLASS_WORDS
        words.append(word)
    if slash_before:
        people = _rejoin_pronouns(people, slash_before)
    if phrases:
        for person in people:
            _join_class_phrases(person.words)
            _mark_device_models(person.words)
    return ReadName(text, [p for p in people if p.words], decorations)


_BOUNDARIES = ("space", "group", "person")  # weakest first


def _separator(ch: str) -> tuple[int, bool, bool]:
    """What a character between words does: (boundary strength, is a slash, is decoration)."""
    if ch in PERSON_SEPARATORS:
        return 2, False, False
    if ch == "/":
        return 2, True, False
    if ch in GROUP_SEPARATORS or ch in INNER_HYPHENS:
        return 1, False, False
    if ch == "." or ch.isspace():
        return 0, False, False
    return 0, False, True


_ASCII_SEPARATORS = {chr(code): _separator(chr(code)) for code in range(128) if not chr(code).isalnum()}
# a word of plain text: letters and digits, with an apostrophe or hyphen only between two of them ("O'Neill", "Mary-Jane")
_ASCII_PIECE = re.compile(r"([A-Za-z0-9]+(?:['`\-][A-Za-z0-9]+)*)")


def _scan_ascii(text: str) -> tuple[list[tuple[str, str, bool, bool, int]], int]:
    """``_scan`` for a name of plain ASCII (most names): the same pieces, found a word at a time."""
    parts = _ASCII_PIECE.split(text)  # what is between words, a word, what is between, …, what is after the last
    pieces: list[tuple[str, str, bool, bool, int]] = []
    boundary, slash, group, decorations = 0, False, 0, 0
    for index in range(1, len(parts), 2):
        gap = parts[index - 1]
        if gap and gap != " ":  # one space between words changes nothing
            for ch in gap:
                strength, is_slash, decoration = _ASCII_SEPARATORS[ch]
                if strength:
                    boundary = max(boundary, strength)
                    group += 1
                slash = slash or is_slash
                decorations += decoration
        dotted = parts[index + 1][:1] == "."
        pieces.append((parts[index].replace("`", "'"), _BOUNDARIES[boundary], slash, dotted, group))
        boundary, slash = 0, False
    if parts[-1]:
        decorations += sum(_ASCII_SEPARATORS[ch][2] for ch in parts[-1])
    return pieces, decorations


def _scan(text: str) -> tuple[list[tuple[str, str, bool, bool, int]], int]:
    """Pieces of text with the strongest boundary before each: space, group or person."""
    pieces: list[tuple[str, str, bool, bool, int]] = []
    current: list[str] = []
    boundary, slash, group, decorations = 0, False, 0, 0

    def flush(*, dotted: bool = False) -> None:
        nonlocal boundary, slash
        if current:
            pieces.append(("".join(current), _BOUNDARIES[boundary], slash, dotted, group))
            current.clear()
            boundary, slash = 0, False

    n = len(text)
    for index, ch in enumerate(text):
        if ch.isalnum() or (current and unicodedata.category(ch).startswith("M")):
            current.append(ch)
            continue
        following = text[index + 1] if index + 1 < n else ""
        if (ch in APOSTROPHES or ch in INNER_HYPHENS) and current and following.isalnum():
            current.append("'" if ch in APOSTROPHES else "-")
            continue
        flush(dotted=ch == "." and bool(current))
        strength, is_slash, decoration = _separator(ch)
        if strength:
            boundary = max(boundary, strength)
            group += 1
        slash = slash or is_slash
        decorations += decoration
    flush()
    return pieces, decorations


def _rejoin_pronouns(people: list[Person], slash_before: list[bool]) -> list[Person]:
    """ "she/her" is not two people."""
    merged = [people[0]]
    for person, slash in zip(people[1:], slash_before, strict=False):
        before = merged[-1].words[-1].key if merged[-1].words else ""
        after = person.words[0].key if person.words else ""
        if slash and before in FILLERS and after in FILLERS:
            merged[-1].words.extend(person.words)
        else:
            merged.append(person)
    return merged


def _word(piece: str, key: str, dotted: bool, group: int) -> Word:
    """One word; ``key`` is the folded ``piece``, apostrophes left out."""
    possessive = False
    base = piece
    if len(piece) > 2 and piece[-2] == "'" and piece[-1] in "sS":
        base, possessive = piece[:-2], True
        key = fold(base.replace("'", ""))
    parts = tuple(fold(part) for part in base.split("-") if fold(part)) if "-" in base else ()
    return Word(text=base, key=key, parts=parts, possessive=possessive, dotted=dotted, group=group)


def class_hint(key: str, *, text: str = "") -> ClassHint | None:
    """A year group or form from one folded word ("y3", "3b", "year5", "reception"); None if it is not one."""
    if key in RECEPTION:
        return ClassHint(year=0, text=text)
    if key in NURSERY:
        return ClassHint(year=-1, text=text)
    if key.isalpha():
        return None  # a year group has a digit, and no letter is one
    match = _CLASS_CODE.fullmatch(key)
    if match is None:
        return None
    year = int(match.group(1))
    if year > 13:
        return None
    return ClassHint(year=year, letters=match.group(2) or None, text=text)


def _number_word(key: str) -> int | None:
    if key.isdecimal() and len(key) <= 2:
        return int(key)
    return NUMBER_WORDS.get(key)


# the kind of each word that always has one, a title before a relation, a device, a filler ("Nan" is a relation)
_KNOWN_WORDS = {
    **dict.fromkeys(FILLERS, _FILLER),
    **dict.fromkeys(DEVICES, _DEVICE),
    **dict.fromkeys(RELATIONS, _RELATION),
    **dict.fromkeys(TITLES, _TITLE),
}


def _plain_kind(key: str) -> Kind | None:
    """The kind of a word that is Mum, iPad, Mr … or of letters only (a name's word, or an initial); None
    for any other (a year group, a number, a model), which ``_kind_alone`` reads."""
    known = _KNOWN_WORDS.get(key)
    if known is not None:
        return known
    if key.isalpha() and key not in _YEAR_WORDS:  # letters only: no year group, number or model
        return _INITIAL if len(key) == 1 else _WORD
    return None


def _kind_alone(word: Word) -> Kind:
    key = word.key
    if not key:
        return _FILLER
    if word.parts and (word.parts[0] in DEVICES or any(_has_digit(p) for p in word.parts)):
        if class_hint(key) is not None:
            word.hint = class_hint(key, text=word.text)
            return _CLASS
        return _DEVICE if word.parts[0] in DEVICES else _MODEL
    plain = _plain_kind(key)
    if plain is not None:
        return plain
    hint = class_hint(key, text=word.text)
    if hint is not None:
        word.hint = hint
        return _CLASS
    if key.isdigit():
        return _NUMBER
    if _has_digit(key):
        return _MODEL
    if len(key) == 1:
        return _INITIAL
    return _WORD


def _join_class_phrases(words: list[Word]) -> None:
    """ "Year 3", "Yr 5", "Class Oak", "Oak Class", "Year R" become one class hint."""
    for index, word in enumerate(words):
        if word.key not in CLASS_WORDS or word.kind is Kind.CLASS:
            continue
        following = words[index + 1] if index + 1 < len(words) else None
        previous = words[index - 1] if index > 0 else None
        number = _number_word(following.key) if following is not None else None
        if following is not None and number is not None and number <= 13:
            following.kind, following.hint = Kind.CLASS, ClassHint(year=number, text=f"{word.text} {following.text}")
            word.kind = Kind.FILLER
        elif following is not None and following.key in ("r", *RECEPTION):
            following.kind, following.hint = Kind.CLASS, ClassHint(year=0, text=f"{word.text} {following.text}")
            word.kind = Kind.FILLER
        elif following is not None and following.kind is Kind.CLASS:
            word.kind = Kind.FILLER
        elif word.key in ("class", "form") and following is not None and following.kind is Kind.WORD:
            following.kind, following.hint = Kind.CLASS, ClassHint(name=following.key, text=f"{word.text} {following.text}")
            word.kind = Kind.FILLER
        elif word.key in ("class", "form") and previous is not None and previous.kind is Kind.WORD:
            previous.kind, previous.hint = Kind.CLASS, ClassHint(name=previous.key, text=f"{previous.text} {word.text}")
            word.kind = Kind.FILLER
        elif word.key == "yr" and following is None:
            word.kind, word.hint = Kind.CLASS, ClassHint(year=0, text=word.text)  # "YR" is Year R, Reception
        elif word.key in ("year", "class", "form", "group"):
            word.kind = Kind.FILLER


def _mark_device_models(words: list[Word]) -> None:
    """Words after a device ("Galaxy S21", "Pro Max") are part of the device's name. A year or an initial
    after one ("iPad 3K") stays what it says: dropping it could match a pupil the name rules out."""
    after_device = False
    for word in words:
        if word.kind is Kind.DEVICE:
            after_device = True
        elif after_device and word.key in DEVICE_OWNER_WORDS:
            word.kind = Kind.FILLER  # "iPhone de Amy", "iPad di Luca": the owner's name follows
        elif after_device and (word.kind in (Kind.MODEL, Kind.NUMBER) or word.key in MODEL_WORDS):
            word.kind = Kind.MODEL
        elif after_device and word.kind in (Kind.CLASS, Kind.INITIAL):
            continue
        else:
            after_device = False


# ---------------------------------------------------------------- not a name


def not_a_name(read: ReadName) -> str | None:
    """Why the text is something other than a name (a zoombomber's words, keyboard mashing); None if it may be one."""
    folded = read.text.casefold()
    # masked swearing spells f…c…k or s…h…t: without those letters there is none to find
    if (("f" in folded and "k" in folded) or ("s" in folded and "h" in folded and "t" in folded)) and _MASKED.search(folded):
        return "contains words a zoombomber types, not a name"
    squashed_keys: list[str] = []
    plain_words: list[str] = []  # the name words of plain letters, for the keyboard-mashing check
    mashed, name_words = False, 0
    for person in read.people:
        for word in person.words:
            key = word.key
            letters = key.isalpha()
            squashed = key if letters or not _has_digit(key) else key.translate(_LEET)
            if key in NOT_NAME_WORDS or squashed in NOT_NAME_WORDS:
                return "contains words a zoombomber types, not a name"
            squashed_keys.append(squashed)
            kind = word.kind
            if kind is _WORD:
                name_words += 1
                if letters and key.isascii():
                    mashed = mashed or len(key) > 20 or (len(key) >= 5 and _VOWELS.isdisjoint(key))
                    plain_words.append(key)
            elif kind is _INITIAL:
                name_words += 1
    # one search over all the words, a space between them: no root or run of keys spans two words
    if _NOT_NAME_ROOT.search(" ".join(squashed_keys)):
        return "contains words a zoombomber types, not a name"
    if mashed or (plain_words and _MASHING.search(" ".join(plain_words))):
        return "looks like random typing, not a name"
    if name_words > MAX_NAME_WORDS:
        return "too many words to be a name"
    return None


_NOT_NAME_ROOT = re.compile("|".join(NOT_NAME_ROOTS))
_VOWELS = frozenset("aeiouy")
# four keys in a row of the keyboard ("asdf", "wert"), or one key held down ("aaaa")
_MASHING = re.compile(
    "|".join(sorted({row[i : i + 4] for row in _KEYBOARD_ROWS for i in range(len(row) - 3)})) + r"|(.)\1\1\1"
)


def _has_digit(key: str) -> bool:
    """Whether a folded word has a digit (a word of letters only has none: no letter is a digit)."""
    return not key.isalpha() and any(c.isdigit() for c in key)
