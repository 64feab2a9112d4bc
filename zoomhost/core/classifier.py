"""The waiting-room admission classifier: who does this display name say it is, and may they come in?

Safety first: a name is ``consented`` only when exactly one pupil on the whole register (with or
without consent) fits everything the name says (first name or a common form of it, surname or
initial, class) and that pupil has consent and is not already in. Anything less clear is held
for the teacher with reasons in plain words. Every way of reading a name is tried and the pupils
they fit are pooled, so an extra reading can only make a match less certain, never more.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum
from functools import lru_cache

from zoomhost.core.models import Classification, Pupil, StaffMember, Verdict
from zoomhost.core.names import (
    CLASS_WORDS,
    MAX_NAME_LENGTH,
    TITLES,
    ClassHint,
    Kind,
    Person,
    Word,
    character_problems,
    class_hint,
    email_address,
    fold,
    latin_look_alike,
    looks_like_web_address,
    not_a_name,
    read_name,
    surname_digest,
)
from zoomhost.core.nicknames import aliases

__all__ = ["AdmissionClassifier"]

_NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
# What Zoom appends to a display name already in the meeting when a second device joins with it: "Callum (2)".
_ZOOM_COPY = re.compile(r"\s*\((?P<n>[2-9]|[1-9][0-9])\)\s*$")


@dataclass(frozen=True, slots=True)
class _ClassInfo:
    """A pupil's class as the classifier compares it: year group, form letters, the class's own names."""

    known: bool = False
    year: int | None = None
    letters: str | None = None
    names: frozenset[str] = frozenset()

    @classmethod
    def of(cls, class_name: str | None, school: str | None = None) -> _ClassInfo:
        """The class, and its school's name as one more name it goes by ("Amy Q (Laxey)" narrows to Laxey's pupils)."""
        if not class_name or not fold(class_name):
            if school and fold(school):
                return cls(known=True, names=frozenset(_school_names(school)))
            return cls()
        year = letters = None
        names = {fold(class_name)} | {fold(word) for word in class_name.split()}
        for piece in [fold(class_name), *(fold(p) for p in re.split(r"[\s\-/]+", class_name))]:
            hint = class_hint(piece)
            if hint is not None and year is None:
                year, letters = hint.year, hint.letters
            elif piece and piece not in ("class", "year", "form"):
                names.add(piece)
        if school and fold(school):
            names |= _school_names(school)
        return cls(known=True, year=year, letters=letters, names=frozenset(names))

    def accepts(self, hint: ClassHint) -> bool:
        if not self.known:
            return True  # no class on the register: the hint cannot rule the pupil out
        if hint.name is not None:
            return hint.name in self.names
        if hint.year is not None and self.year is not None and hint.year != self.year:
            return False
        if hint.letters and self.year is None:
            return fold(hint.text) in self.names  # "4K" names a form; a class called Oak is not it
        return not (hint.letters and self.letters and hint.letters != self.letters)


@dataclass(frozen=True, slots=True)
class _Entry:
    pupil: Pupil
    own: frozenset[str]  # folded names that mean this pupil
    initial: str | None  # folded surname initial
    klass: _ClassInfo
    digests: frozenset[str] = frozenset()  # keyed digests of the surname and its parts

    @classmethod
    def of(cls, pupil: Pupil) -> _Entry:
        first = fold(pupil.first_name)
        own = set(_name_keys(pupil.first_name)) | aliases(first)
        if pupil.preferred_name and fold(pupil.preferred_name):
            preferred = fold(pupil.preferred_name)
            short_for = first if preferred in aliases(first) else None
            own |= set(_name_keys(pupil.preferred_name)) | aliases(preferred, short_for=short_for)
        initial = fold(pupil.surname_initial or "")[:1] or None
        return cls(
            pupil=pupil,
            own=frozenset(own),
            initial=initial,
            klass=_ClassInfo.of(pupil.class_name, pupil.school),
            digests=frozenset(pupil.surname_digests),
        )

    def fits(
        self, *, extras: Sequence[str], classes: Sequence[ClassHint], typed: dict[str, frozenset[str]] | None = None
    ) -> bool:
        """Does everything else the name says fit this pupil? Any initial or other word may be the surname.

        When the register kept this pupil's surname digests and ``typed`` gives the digests of the
        whole words typed, a whole word is surname evidence only if it is this pupil's surname: "Orla
        Quine" is not Orla Quayle, though both start with Q.
        """
        if not all(self.klass.accepts(hint) for hint in classes):
            return False
        rest = [key for key in extras if key not in self.own and key not in self.klass.names]
        if self.digests and typed:
            if any(typed.get(key, frozenset()) & self.digests for key in rest):
                return True
            rest = [key for key in rest if key not in typed]  # whole words that are not this pupil's surname
            if not rest and any(key in typed for key in extras if key not in self.own and key not in self.klass.names):
                return False
        if self.initial is None:
            return True
        evidence = {key[:1] for key in rest}
        return not evidence or self.initial in evidence


class _Bucket:
    """The pupils one folded name may mean, also grouped by surname initial so a typed initial narrows at once."""

    __slots__ = ("by_digest", "by_initial", "entries", "has_digests")

    def __init__(self) -> None:
        self.entries: list[_Entry] = []
        self.by_initial: dict[str | None, list[_Entry]] = {}
        self.by_digest: dict[str, list[_Entry]] = {}
        self.has_digests = False

    def add(self, entry: _Entry) -> None:
        self.entries.append(entry)
        self.by_initial.setdefault(entry.initial, []).append(entry)
        for digest in entry.digests:
            self.by_digest.setdefault(digest, []).append(entry)
        self.has_digests = self.has_digests or bool(entry.digests)

    def fitting(
        self,
        *,
        extras: list[str],
        classes: list[ClassHint],
        may_be_names: Collection[str],
        typed: dict[str, frozenset[str]] | None = None,
    ) -> list[_Entry]:
        """The pupils of this name that fit the rest of what was typed, in register order."""
        if not extras:
            if not classes:
                return self.entries
            return [e for e in self.entries if all(e.klass.accepts(hint) for hint in classes)]
        if any(key in may_be_names for key in extras):
            return [e for e in self.entries if e.fits(extras=extras, classes=classes, typed=typed)]
        if typed and self.has_digests:
            # only these can fit: a pupil whose surname a word is, or whose initial a word starts with, or with none
            pool = {e.pupil.id: e for key in extras for digest in typed.get(key, ()) for e in self.by_digest.get(digest, ())}
            for initial in {key[:1] for key in extras}:
                pool.update((e.pupil.id, e) for e in self.by_initial.get(initial, ()))
            pool.update((e.pupil.id, e) for e in self.by_initial.get(None, ()))
            return sorted((e for e in pool.values() if e.fits(extras=extras, classes=classes, typed=typed)), key=_by_id)
        # every extra word is surname evidence for every pupil: only those initials (or none known) fit
        pool = [e for initial in {key[:1] for key in extras} for e in self.by_initial.get(initial, ())]
        pool += self.by_initial.get(None, ())
        pool = [e for e in pool if all(e.klass.accepts(hint) for hint in classes)]
        return sorted(pool, key=_by_id) if len(pool) > 1 else pool


def _school_names(school: str) -> set[str]:
    return {fold(school)} | {fold(word) for word in re.split(r"[\s\-/]+", school) if len(fold(word)) > 1}


def _name_keys(name: str) -> list[str]:
    """ "Mary-Jane" -> maryjane, mary, jane: a double name may be typed whole or by its first part."""
    parts = [fold(part) for part in re.split(r"[\s\-‐]+", name) if fold(part)]
    keys = [fold(name)]
    if len(parts) > 1:
        keys.extend(parts)
    return keys


class _Role(Enum):
    CHILD = "child"  # fits one or more pupils
    MISMATCH = "mismatch"  # a registered first name, but the surname or class given fits none of them
    UNKNOWN = "unknown"  # a name that is not on the register
    STAFF = "staff"
    BOTH = "both"  # fits a staff member and a pupil
    ADULT = "adult"  # Mum, Dad, or a title that fits no staff member
    NONE = "none"  # no name at all: a device, a number, decoration
    SURNAME = "surname"  # only a surname, which one or more pupils have


@dataclass(slots=True)
class _Reading:
    role: _Role
    person: Person
    candidates: list[_Entry] = field(default_factory=list)
    named: list[_Entry] = field(default_factory=list)  # pupils the first name alone would fit
    staff: list[StaffMember] = field(default_factory=list)
    typed: str = ""  # the name words as typed, for reasons
    also_names: str | None = None  # another pupil's first name in the same words

    def describe(self) -> str:
        if self.role is _Role.STAFF:
            return "staff member " + " or ".join(member.name for member in self.staff)
        if self.role is _Role.CHILD:
            if len(self.candidates) == 1:
                return self.candidates[0].pupil.label()
            return f"{self.typed} ({_or_list(self.candidates)})"
        if self.role is _Role.SURNAME:
            return f'"{self.typed}", a surname ({_or_list(self.candidates)})'
        return f'"{self.typed}", who is not on the register'


class AdmissionClassifier:
    """Classifies waiting-room display names against one consent register and staff list.

    Indexes are built once; each classification looks up only the pupils whose names the
    display name mentions, so it costs the same for 30 pupils or 5,000.
    """

    def __init__(
        self,
        *,
        pupils: Sequence[Pupil],
        staff: Sequence[StaffMember],
        today: date | None = None,
        surname_key: bytes | None = None,
    ) -> None:
        """``surname_key`` is the key the register's surname digests were made with; without it (or without
        digests on the register) pupils are told apart by surname initial only."""
        # A pupil whose leaving date has passed is no longer at the school, whatever the register
        # says of consent, until the August purge removes them: held, with the date as the reason.
        self._left: dict[int, date] = {
            p.id: p.leaving_date for p in pupils if today and p.leaving_date and p.leaving_date < today
        }
        pupils = [replace(p, consent=False) if p.id in self._left else p for p in pupils]
        self._by_name: dict[str, _Bucket] = {}
        self._first_names: set[str] = set()
        self._may_be_names: set[str] = set()  # words that may be a pupil's own name or class, not a surname
        self._surname_key = surname_key
        self._by_digest: dict[str, list[_Entry]] = {}
        class_words: set[str] = set()
        for pupil in sorted(pupils, key=lambda p: p.id):
            if surname_key is None and pupil.surname_digests:
                pupil = replace(pupil, surname_digests=())  # digests without their key can match nothing
            entry = _Entry.of(pupil)
            for digest in entry.digests:
                self._by_digest.setdefault(digest, []).append(entry)
            for key in entry.own:
                self._by_name.setdefault(key, _Bucket()).add(entry)
            self._may_be_names |= entry.own | entry.klass.names
            class_words |= entry.klass.names
            self._first_names.add(fold(pupil.first_name))
            if pupil.preferred_name:
                self._first_names.add(fold(pupil.preferred_name))
        # words that only ever name a class or school on this register ("Oak", "Laxey", "Y5-6")
        self._class_words = frozenset(
            word
            for word in class_words
            if len(word) > 1 and word not in self._by_name and class_hint(word) is None and word not in CLASS_WORDS
        )
        self._staff_full: dict[tuple[str, str], list[StaffMember]] = {}
        self._staff_surname: dict[str, list[StaffMember]] = {}
        self._staff_first: dict[str, list[StaffMember]] = {}
        self._staff_email: dict[str, StaffMember] = {}
        for member in staff:
            self._index_staff(member)

    def _index_staff(self, member: StaffMember) -> None:
        words = [fold(word) for word in member.name.replace(".", " ").split() if fold(word)]
        while len(words) > 1 and words[0] in TITLES:
            words = words[1:]
        if not words:
            return
        surname = words[-1]
        _add(self._staff_surname, surname, member)
        if len(words) > 1:
            for first in aliases(words[0]):
                _add(self._staff_full, (first, surname), member)
            _add(self._staff_first, words[0], member)
        if member.email:
            self._staff_email[member.email.strip().lower()] = member

    # ------------------------------------------------------------ the decision

    def classify(self, display_name: str, *, present: Collection[int] = ()) -> Classification:
        """The verdict for one waiting-room display name; ``present`` holds ids of pupils already in."""
        text = display_name if isinstance(display_name, str) else str(display_name)
        if len(text) > 4 * MAX_NAME_LENGTH or len(text.strip()) > MAX_NAME_LENGTH:
            return _verdict(Verdict.SUSPICIOUS, f"too long to be a name ({len(text.strip())} characters)")
        problems = character_problems(text)  # before trimming: a tab or line break at the end hides nothing innocent
        if problems:
            return Classification(verdict=Verdict.SUSPICIOUS, reasons=tuple(problems))
        name = text.strip()
        copy = _ZOOM_COPY.search(name)
        if copy is not None and copy.start() > 0:
            # "Amy (3)" may be a family's Year 3; it is Zoom's number only when that pupil is already here
            copied = self._classify_name(name[: copy.start()], present)
            if copied.verdict is Verdict.DUPLICATE:
                return _numbered_by_zoom(copied, copy.group("n"))
        return self._classify_name(name, present)

    def _classify_name(self, name: str, present: Collection[int]) -> Classification:
        if not name:
            return _verdict(Verdict.NOT_ON_REGISTER, "no name given")
        email = email_address(name)
        if email is not None:
            member = self._staff_email.get(email)
            if member is not None:
                return Classification(verdict=Verdict.STAFF, staff=member, reasons=(f"email address of {member.name}",))
            return _verdict(Verdict.NOT_ON_REGISTER, "an email address, not a child's name")
        if looks_like_web_address(name):
            return _verdict(Verdict.SUSPICIOUS, "looks like a web address, not a name")
        disguised = self._disguised(name)
        if disguised is not None:
            return _verdict(Verdict.SUSPICIOUS, disguised)
        read = read_name(name)
        why = not_a_name(read)
        if why is not None:
            return _verdict(Verdict.SUSPICIOUS, why)
        for word in read.words():
            if word.kind in (Kind.WORD, Kind.MODEL) and word.key in self._class_words:
                word.kind, word.hint = Kind.CLASS, ClassHint(name=word.key, text=word.text)
        readings = [self._read_person(person) for person in read.people]
        return self._decide(readings, read.words(), present)

    def _disguised(self, name: str) -> str | None:
        """ "Аму" is all Cyrillic, yet reads as Amy: a name on the register written to slip past a check."""
        if name.isascii():
            return None
        look_alike = latin_look_alike(name)
        if look_alike is None:
            return None
        script, reading = look_alike
        keys = [fold(word) for word in reading.split()]
        if any(key in self._by_name or key in self._staff_surname for key in keys):
            return f'written in {script} letters that look like Latin ones (reads as "{reading.strip()}")'
        return None

    def _decide(self, readings: list[_Reading], words: list[Word], present: Collection[int]) -> Classification:
        people = [r for r in readings if r.role in (_Role.CHILD, _Role.STAFF, _Role.BOTH)]
        strangers = [r for r in readings if r.role in (_Role.MISMATCH, _Role.UNKNOWN, _Role.SURNAME)]
        both = [r for r in readings if r.role is _Role.BOTH]
        if both:
            reading = both[0]
            return _verdict(
                Verdict.AMBIGUOUS,
                f"matches staff member {' or '.join(m.name for m in reading.staff)} "
                f"and pupil {_or_list(reading.candidates)}",
                "a pupil's name is the same as a staff name; check who it is",
            )
        second_child = [r for r in people if r.also_names is not None]
        if len(people) > 1 or (people and strangers) or second_child:
            described = [r.describe() for r in people + strangers]
            for reading in second_child:
                described.append(f'"{reading.also_names}", another pupil\'s name')
            return _verdict(
                Verdict.AMBIGUOUS,
                "names more than one person: " + _and_list(described),
                "children may be sharing one device; admit each one by hand",
            )
        notes = _notes(words)
        if people and people[0].role is _Role.STAFF:
            staff = people[0].staff
            if len(staff) > 1:
                return _verdict(
                    Verdict.AMBIGUOUS,
                    f"{_count(len(staff))} staff members could be meant: {_and_list([m.name for m in staff])}",
                    "the name does not say which",
                )
            return Classification(verdict=Verdict.STAFF, staff=staff[0], reasons=(f"staff member {staff[0].name}", *notes))
        if people:
            return _child_verdict(people[0], present, notes, left=self._left)
        if strangers:
            return _stranger_verdict(strangers[0], notes)
        return _nameless_verdict(readings, words)

    # ------------------------------------------------------------ one person

    def _read_person(self, person: Person) -> _Reading:
        name_words, initials = _child_words(person)
        classes = [word.hint for word in person.of(Kind.CLASS) if word.hint is not None]
        shown = " ".join(word.text for word in name_words + initials)
        titled = bool(person.of(Kind.TITLE))
        staff = self._staff_for(person, titled=titled)
        if titled:
            if staff:
                return _Reading(_Role.STAFF, person, staff=staff, typed=shown)
            return _Reading(_Role.ADULT, person, typed=shown)
        hit: list[_Bucket] = []
        found: list[list[_Entry]] = []
        typed_digests = self._typed_digests(name_words) if self._by_digest else None
        for used, key, rest in _name_readings(person, name_words):
            bucket = self._by_name.get(key)
            if bucket is None:
                continue
            hit.append(bucket)
            extras = [w.key for i, w in enumerate(name_words) if i not in used] + [w.key for w in initials] + rest
            fitting = bucket.fitting(extras=extras, classes=classes, may_be_names=self._may_be_names, typed=typed_digests)
            if fitting:
                found.append(fitting)
        if len(found) == 1:
            candidates = found[0]
        else:
            candidates = sorted({e.pupil.id: e for entries in found for e in entries}.values(), key=_by_id)
        named = not candidates and hit
        named_list = sorted({e.pupil.id: e for b in hit for e in b.entries}.values(), key=lambda e: e.pupil.id)[:4] if named else []
        if staff and candidates:
            return _Reading(_Role.BOTH, person, candidates=candidates, staff=staff, typed=shown)
        if staff:
            return _Reading(_Role.STAFF, person, staff=staff, typed=shown)
        if candidates:
            reading = _Reading(_Role.CHILD, person, candidates=candidates, named=named_list, typed=shown)
            if len(candidates) == 1:
                reading.also_names = self._other_pupil_named(candidates[0], name_words)
            return reading
        if named:
            return _Reading(_Role.MISMATCH, person, named=named_list, typed=shown)
        if typed_digests is not None and not hit and name_words:
            having = self._having_surname(name_words, typed_digests, classes)
            if having:
                return _Reading(_Role.SURNAME, person, candidates=having, typed=shown)
        if person.of(Kind.RELATION):
            return _Reading(_Role.ADULT, person, typed=shown)
        if name_words:
            return _Reading(_Role.UNKNOWN, person, typed=shown)
        return _Reading(_Role.NONE, person, typed=shown)

    def _typed_digests(self, words: list[Word]) -> dict[str, frozenset[str]]:
        """Whole words typed (not initials) -> the digests they and their parts would have as a surname."""
        key = self._surname_key
        if key is None:
            return {}
        return {word.key: _word_digests(key, word.key, word.parts) for word in words if len(word.key) > 1}

    def _having_surname(
        self, words: list[Word], typed: dict[str, frozenset[str]], classes: list[ClassHint]
    ) -> list[_Entry]:
        """The pupils whose surname is one of the words (no first name typed): "Quayle" may be any of them."""
        found = {
            entry.pupil.id: entry
            for word in words
            for digest in typed.get(word.key, ())
            for entry in self._by_digest.get(digest, ())
            if all(entry.klass.accepts(hint) for hint in classes)
        }
        return sorted(found.values(), key=_by_id)

    def _other_pupil_named(self, entry: _Entry, name_words: list[Word]) -> str | None:
        """ "Amy Tom B" fits only Amy B., but Tom is another pupil's name: two children, not a surname."""
        for word in name_words:
            if word.key in entry.own or word.key in entry.klass.names or word.key not in self._first_names:
                continue
            if entry.initial is not None and word.key[:1] == entry.initial:
                continue  # "Grace Thomas": a first name that is also her surname
            return word.text
        return None

    def _staff_for(self, person: Person, *, titled: bool) -> list[StaffMember]:
        """Staff are matched by full name, or by a title with a surname or first name; never by a first name alone."""
        words = [
            word.key
            for word in person.words
            if word.kind is Kind.WORD or (word.kind is Kind.CLASS and word.hint is not None and word.hint.name)
        ]
        if not words:
            return []
        found: list[StaffMember] = []
        if len(words) >= 2:
            # first and last name, with a middle name or a school in brackets allowed
            pairs = {(words[0], later) for later in words[1:]} | set(zip(words, words[1:], strict=False))
            found = [m for pair in sorted(pairs) for m in self._staff_full.get(pair, [])]
        if not found and titled:
            found = self._staff_surname.get(words[-1], []) or (
                self._staff_first.get(words[0], []) if len(words) == 1 else []
            )
        return sorted(set(found), key=lambda m: m.id)


@lru_cache(maxsize=65536)
def _word_digests(key: bytes, word: str, parts: tuple[str, ...]) -> frozenset[str]:
    """A typed word's surname digests, kept for the run: the same names arrive again and again."""
    return frozenset(surname_digest(k, key) for k in (word, *parts) if len(k) > 1)


def _by_id(entry: _Entry) -> int:
    return entry.pupil.id


def _add(index: dict, key: object, member: StaffMember) -> None:
    bucket = index.setdefault(key, [])
    if member not in bucket:
        bucket.append(member)


def _child_words(person: Person) -> tuple[list[Word], list[Word]]:
    """The words that name the child, and the initials. "Sarah (Amy's Mum)": only Amy names the child."""
    words = person.words
    for index, word in enumerate(words):
        if word.kind is Kind.WORD and word.possessive:
            start = index
            while start > 0 and words[start - 1].kind in (Kind.WORD, Kind.INITIAL) and words[start - 1].group == word.group:
                start -= 1
            run = words[start : index + 1]
            return [w for w in run if w.kind is Kind.WORD], [w for w in run if w.kind is Kind.INITIAL]
    return person.of(Kind.WORD), person.of(Kind.INITIAL)


def _name_readings(person: Person, name_words: list[Word]) -> list[tuple[frozenset[int], str, list[str]]]:
    """Each way the words may hold a first name (one word, two words "Mary Jane", the first part of
    "Amy-B"), with the words that reading leaves over for the surname."""
    readings: list[tuple[frozenset[int], str, list[str]]] = []
    following = {id(word): person.words[i + 1] if i + 1 < len(person.words) else None for i, word in enumerate(person.words)}
    for index, word in enumerate(name_words):
        used = frozenset((index,))
        readings.append((used, word.key, []))
        after = following.get(id(word))
        if word.key.endswith("s") and after is not None and after.kind in (Kind.DEVICE, Kind.RELATION):
            readings.append((used, word.key[:-1], []))  # "Amys iPad"
        if word.parts:
            readings.append((used, word.parts[0], list(word.parts[1:])))
        if index + 1 < len(name_words) and after is name_words[index + 1] and after.group == word.group:
            readings.append((frozenset((index, index + 1)), word.key + after.key, []))
    return readings


def _notes(words: list[Word]) -> tuple[str, ...]:
    notes = []
    adults = [word.text for word in words if word.kind is Kind.RELATION]
    devices = [word.text for word in words if word.kind in (Kind.DEVICE, Kind.MODEL)]
    if adults:
        notes.append(f"an adult is named with the child ({', '.join(adults)})")
    if devices:
        notes.append(f"also names a device ({' '.join(devices)})")
    return tuple(notes)


def _child_verdict(
    reading: _Reading, present: Collection[int], notes: tuple[str, ...], *, left: dict[int, date]
) -> Classification:
    candidates = reading.candidates
    if len(candidates) > 1:
        consented = all(entry.pupil.consent for entry in candidates)
        kind = "consented pupils" if consented else "pupils"
        first = fold(candidates[0].pupil.known_as)
        same = all(fold(entry.pupil.known_as) == first for entry in candidates)
        called = f" called {candidates[0].pupil.known_as}" if same else " could be meant"
        words = reading.person.words
        says_more = any(w.kind in (Kind.INITIAL, Kind.CLASS) for w in words) or len(reading.typed.split()) > 1
        detail = (
            "the surname and class given fit more than one"
            if says_more
            else "the name gives no surname initial or class"
        )
        already = [e.pupil.label() for e in candidates if e.pupil.id in present]
        reasons = [f"{_count(len(candidates))} {kind}{called}; {detail}", f"could be {_or_list(candidates)}"]
        if already:
            reasons.append(f"{_and_list(already)} already in the meeting")
        return _verdict(Verdict.AMBIGUOUS, *reasons, *notes)
    pupil = candidates[0].pupil
    matched = f"matches {pupil.label()}"
    typed = [w for w in reading.person.of(Kind.WORD)]
    exact = {fold(pupil.first_name), fold(pupil.preferred_name or "")} | set(_name_keys(pupil.first_name))
    if typed and not {key for w in typed for key in (w.key, *w.parts)} & exact:
        matched += f' ("{" ".join(w.text for w in typed)}" taken as {pupil.known_as})'
    if pupil.id in left:
        return Classification(
            verdict=Verdict.NO_CONSENT,
            pupil=pupil,
            reasons=(matched, f"left the school on {left[pupil.id]:%d %B %Y}", *notes),
        )
    if not pupil.consent:
        return Classification(
            verdict=Verdict.NO_CONSENT, pupil=pupil, reasons=(matched, "no consent for video lessons on the register", *notes)
        )
    if pupil.id in present:
        return Classification(
            verdict=Verdict.DUPLICATE,
            pupil=pupil,
            reasons=(matched, f"{pupil.label()} is already in the meeting; this may be someone else using the name"),
        )
    return Classification(verdict=Verdict.CONSENTED, pupil=pupil, reasons=(matched, *notes))


def _stranger_verdict(reading: _Reading, notes: tuple[str, ...]) -> Classification:
    if reading.role is _Role.SURNAME:
        count = len(reading.candidates)
        having = "one pupil has" if count == 1 else f"{_count(count)} pupils have"
        return _verdict(
            Verdict.AMBIGUOUS,
            f"gives a surname but no first name; {having} that surname",
            f"could be {_or_list(reading.candidates)}",
            *notes,
        )
    if reading.role is _Role.MISMATCH:
        given = [
            w.hint.text if w.hint is not None else w.text
            for w in reading.person.words
            if w.kind in (Kind.INITIAL, Kind.CLASS, Kind.WORD)
        ]
        return _verdict(
            Verdict.NOT_ON_REGISTER,
            f'no pupil on the register fits "{" ".join(given)}"',
            f"on the register with that first name: {_and_list([e.pupil.label() for e in reading.named[:4]])}",
            *notes,
        )
    return _verdict(Verdict.NOT_ON_REGISTER, f'no pupil called "{reading.typed}" on the register', *notes)


def _nameless_verdict(readings: list[_Reading], words: list[Word]) -> Classification:
    kinds = {word.kind for word in words}
    titles = [w.text for w in words if w.kind is Kind.TITLE]
    adults = [w.text for w in words if w.kind is Kind.RELATION]
    if titles:
        typed = " ".join(w.text for w in words if w.kind in (Kind.TITLE, Kind.WORD, Kind.INITIAL))
        return _verdict(Verdict.NOT_ON_REGISTER, f'"{typed}" has a title but matches no staff member')
    if Kind.DEVICE in kinds:
        return _verdict(Verdict.NOT_ON_REGISTER, "device name", *(("an adult's device" ,) if adults else ()))
    if adults:
        return _verdict(Verdict.NOT_ON_REGISTER, f"names an adult ({', '.join(adults)}) but no child on the register")
    if Kind.CLASS in kinds and not kinds & {Kind.WORD, Kind.INITIAL}:
        return _verdict(Verdict.NOT_ON_REGISTER, "gives a class but no name")
    if kinds <= {Kind.NUMBER, Kind.MODEL, Kind.CLASS, Kind.FILLER} and kinds & {Kind.NUMBER, Kind.MODEL}:
        return _verdict(Verdict.NOT_ON_REGISTER, "only numbers (perhaps a phone dialling in), not a name")
    if Kind.INITIAL in kinds:
        return _verdict(Verdict.NOT_ON_REGISTER, "only initials, no first name")
    if not readings:
        return _verdict(Verdict.NOT_ON_REGISTER, "no letters, not a name")
    return _verdict(Verdict.NOT_ON_REGISTER, "no name given (only words such as Zoom, user, guest)")


def _numbered_by_zoom(result: Classification, number: str) -> Classification:
    """The verdict for "Callum (2)": Zoom's number for a second device with a name already in the meeting."""
    why = f'Zoom numbered the name "({number})", as it does for another device joining with a name already here'
    return replace(result, reasons=(*result.reasons, why))


def _verdict(verdict: Verdict, *reasons: str) -> Classification:
    return Classification(verdict=verdict, reasons=tuple(reasons))


def _count(n: int) -> str:
    return _NUMBER_WORDS.get(n, str(n))


def _or_list(entries: Sequence[_Entry]) -> str:
    labels = [entry.pupil.label() for entry in entries[:4]]
    more = f" or {len(entries) - 4} more" if len(entries) > 4 else ""
    return (", ".join(labels[:-1]) + " or " + labels[-1] if len(labels) > 1 else labels[0]) + more


def _and_list(items: Sequence[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]
