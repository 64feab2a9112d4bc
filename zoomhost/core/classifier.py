"""The waiting-room admission classifier: who does this display name say it is, and may they come in?

Safety first: a name is ``consented`` only when exactly one pupil on the whole register (with or
without consent) fits everything the name says (first name or a common form of it, surname or
initial, class) and that pupil has consent and is not already in. Anything less clear is held
for the teacher with reasons in plain words. Every way of reading a name is tried and the pupils
they fit are pooled, so an extra reading can only make a match less certain, never more.

A name is only what someone typed. Where Zoom says more (``ZoomIdentity``: their own
registration link, or a Zoom sign-in), that decides who they are and the name is checked
against it: a pupil's own link names the pupil, whatever device name shows; a sign-in as an
address on the staff list names the staff member. A typed staff name is a claim, never an
identity: Admit all and the autopilot admit staff only when signed in, and consented pupils
through their own link where the school uses per-family links (``models.admits``). A second
arrival through a link already here is a duplicate (the link was passed on), and so is a
second arrival naming a staff member who is already here.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import Enum
from functools import lru_cache
from operator import attrgetter

from zoomhost.core.events import NO_IDENTITY, ZoomIdentity
from zoomhost.core.models import Classification, Evidence, Pupil, StaffMember, Verdict, admits
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
from zoomhost.core.profiles import checked_against

# Enum members as module names: on Python 3.11 reading ``Kind.WORD`` goes through the enum's metaclass,
# several times slower than a global, and one arrival compares kinds and roles tens of times.
_WORD, _INITIAL, _TITLE, _RELATION, _DEVICE = Kind.WORD, Kind.INITIAL, Kind.TITLE, Kind.RELATION, Kind.DEVICE
_FILLER = Kind.FILLER
_MODEL, _CLASS = Kind.MODEL, Kind.CLASS
_CONSENTED, _STAFF, _AMBIGUOUS = Verdict.CONSENTED, Verdict.STAFF, Verdict.AMBIGUOUS

__all__ = ["AdmissionClassifier", "Here", "Presence"]

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
    id: int = 0  # the pupil's
    label: str = ""  # the pupil's label, as the teacher reads it in reasons
    known: str = ""  # the folded name the pupil is known by
    exact: frozenset[str] = frozenset()  # the folded names on the register (not the common forms of them)

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
            id=pupil.id,
            label=pupil.label(),
            known=fold(pupil.known_as),
            exact=frozenset({first, fold(pupil.preferred_name or ""), *_name_keys(pupil.first_name)}),
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


class _Pupils(list[_Entry]):
    """The pupils of one entry of the register's index (a name; a name and initial), in register order.

    What an ambiguous verdict says of them as a group is worked out the first time it is needed and
    kept with the entry: the index does not change once built, and the same entry is named again and again.
    """

    __slots__ = ("_group",)
    _group: tuple[bool, str, str]

    def group(self) -> tuple[bool, str, str]:
        try:
            return self._group
        except AttributeError:
            self._group = _group_of(self)
            return self._group


def _group_of(entries: Sequence[_Entry]) -> tuple[bool, str, str]:
    """Of several pupils: whether all have consent, what they are called (" called Amy" when all share
    the name they are known by), and who they could be."""
    consented = all(map(_consent, entries))
    first = entries[0].known
    same = all(map(first.__eq__, map(_known, entries)))
    called = f" called {entries[0].pupil.known_as}" if same else " could be meant"
    return consented, called, f"could be {_or_list(entries)}"


class _Bucket:
    """The pupils one folded name may mean, also grouped by surname initial so a typed initial narrows at once."""

    __slots__ = (
        "_first", "_keyed", "by_digest", "by_initial", "digested_by_initial", "entries", "has_digests", "undigested_by_initial"
    )

    def __init__(self) -> None:
        self.entries: _Pupils = _Pupils()
        self.by_initial: dict[str | None, _Pupils] = {}
        self.by_digest: dict[str, list[_Entry]] = {}
        # by surname initial again, apart: the pupils whose surname digests the register kept, and the others
        self.digested_by_initial: dict[str | None, list[_Entry]] = {}
        self.undigested_by_initial: dict[str | None, list[_Entry]] = {}
        self.has_digests = False
        # the pupils the words typed after this name fit, by those words (the same names arrive again and again)
        self._keyed: dict[tuple[str, ...], _Pupils] = {}

    def first(self) -> list[_Entry]:
        """Its first pupils by id (``NAMED_PUPILS`` of them), worked out once: the index does not change once built."""
        try:
            return self._first
        except AttributeError:
            self._first = sorted(self.entries, key=_by_id)[:NAMED_PUPILS]
            return self._first

    def add(self, entry: _Entry) -> None:
        self.entries.append(entry)
        self.by_initial.setdefault(entry.initial, _Pupils()).append(entry)
        for digest in entry.digests:
            self.by_digest.setdefault(digest, []).append(entry)
        apart = self.digested_by_initial if entry.digests else self.undigested_by_initial
        apart.setdefault(entry.initial, []).append(entry)
        self.has_digests = self.has_digests or bool(entry.digests)

    def fitting(
        self,
        extras: list[str],
        classes: list[ClassHint],
        may_be_names: set[str] | frozenset[str],
        typed: dict[str, frozenset[str]] | None,
    ) -> list[_Entry]:
        """The pupils of this name that fit the rest of what was typed, in register order."""
        if not extras:
            return _in_classes(self.entries, classes) if classes else self.entries
        if not may_be_names.isdisjoint(extras):
            return [e for e in self.entries if e.fits(extras=extras, classes=classes, typed=typed)]
        if typed and self.has_digests:
            # What ``_Entry.fits`` decides, from the indexes: no extra word here is any pupil's name or class, so
            # each is surname evidence. A pupil whose surname digests were kept fits when a whole word typed is
            # her surname, or when an initial (a word not typed whole) is hers or she has none; any other pupil,
            # when a word starts with her initial or she has none.
            if not classes:
                kept = self._keyed.get(tuple(extras))
                if kept is not None:
                    return kept
            found: list[_Entry] = []
            for key in extras:
                for digest in typed.get(key, ()):
                    found += self.by_digest.get(digest, ())
            letters = {key[:1] for key in extras if key not in typed}
            if letters:
                for initial in (*letters, None):
                    found += self.digested_by_initial.get(initial, ())
            if self.undigested_by_initial:
                for initial in (*{key[:1] for key in extras}, None):
                    found += self.undigested_by_initial.get(initial, ())
            if classes:
                found = _in_classes(found, classes)
                return sorted({e.id: e for e in found}.values(), key=_by_id) if len(found) > 1 else found
            pupils = _Pupils(sorted({e.id: e for e in found}.values(), key=_by_id))
            if len(self._keyed) < KEPT_READINGS:
                self._keyed[tuple(extras)] = pupils
            return pupils
        # every extra word is surname evidence for every pupil: only those initials (or none known) fit
        unknown = self.by_initial.get(None, ())
        if len(extras) == 1 and not unknown:
            pool = self.by_initial.get(extras[0][:1], [])  # one initial's pupils, in register order
            return _in_classes(pool, classes) if classes else pool
        initials = {key[:1] for key in extras}
        if len(initials) == 1 and not unknown:
            pool = self.by_initial.get(initials.pop(), [])
            return _in_classes(pool, classes) if classes else pool
        pool = [e for initial in initials for e in self.by_initial.get(initial, ())]
        pool += unknown
        if classes:
            pool = _in_classes(pool, classes)
        return sorted(pool, key=_by_id) if len(pool) > 1 else pool


KEPT_DIGESTS = 65536  # typed words whose surname digests a classifier keeps (a flood of made-up names stops adding)
KEPT_READINGS = 4096  # per first name: what the words typed after it fit, kept (a flood of made-up names stops adding)
NAMED_PUPILS = 4  # the pupils a "not this one" verdict names, by id, when a name fits none of them


def _first_of(buckets: Sequence[_Bucket], count: int) -> list[_Entry]:
    """The first ``count`` pupils by id of all ``buckets``, each once: among the first ``count`` of each."""
    if len(buckets) == 1:
        return buckets[0].first()[:count]
    return sorted({e.id: e for bucket in buckets for e in bucket.first()}.values(), key=_by_id)[:count]


def _in_classes(entries: list[_Entry], classes: list[ClassHint]) -> list[_Entry]:
    """The pupils every class hint fits, in the same order."""
    if len(classes) == 1:
        hint = classes[0]
        return [e for e in entries if e.klass.accepts(hint)]
    return [e for e in entries if all(e.klass.accepts(hint) for hint in classes)]


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


_R_CHILD, _R_MISMATCH, _R_UNKNOWN, _R_STAFF = _Role.CHILD, _Role.MISMATCH, _Role.UNKNOWN, _Role.STAFF
_R_BOTH, _R_ADULT, _R_NONE, _R_SURNAME = _Role.BOTH, _Role.ADULT, _Role.NONE, _Role.SURNAME


@dataclass(slots=True)
class _Reading:
    role: _Role
    person: Person
    candidates: Sequence[_Entry] = ()
    named: Sequence[_Entry] = ()  # pupils the first name alone would fit
    staff: Sequence[StaffMember] = ()
    typed: str = ""  # the name words as typed, for reasons
    also_names: str | None = None  # another pupil's first name in the same words

    def describe(self) -> str:
        if self.role is _Role.STAFF:
            return "staff member " + " or ".join(member.name for member in self.staff)
        if self.role is _Role.CHILD:
            if len(self.candidates) == 1:
                return self.candidates[0].label
            return f"{self.typed} ({_or_list(self.candidates)})"
        if self.role is _Role.SURNAME:
            return f'"{self.typed}", a surname ({_or_list(self.candidates)})'
        return f'"{self.typed}", who is not on the register'


class Presence:
    """Who is already here, as the classifier compares an arrival with them.

    This base knows only pupils (``pupils``: ids of pupils in the meeting, or waiting as that
    pupil): what a caller with nothing more to say passes. The live session and ``Here`` say more.
    """

    __slots__ = ("_pupils",)

    def __init__(self, pupils: Collection[int] = ()) -> None:
        self._pupils = pupils

    def pupil_here(self, pupil_id: int) -> bool:
        """In the meeting, or waiting as that pupil (by any evidence)."""
        return pupil_id in self._pupils

    def pupil_vouched(self, pupil_id: int) -> bool:
        """In the meeting, or waiting through their own link: what an arrival through a link is compared with."""
        return self.pupil_here(pupil_id)

    def staff_here(self, staff_id: int) -> bool:
        """In the meeting, or waiting as that staff member (by any evidence)."""
        return False

    def staff_vouched(self, staff_id: int) -> bool:
        """In the meeting, or waiting signed in as that staff member."""
        return self.staff_here(staff_id)

    def link_here(self, registrant_id: str) -> bool:
        """Someone waiting or in the meeting through this registration link."""
        return False


class Here(Presence):
    """A presence kept by hand (``dry-run``, tests): ``add`` each arrival taken as let in."""

    __slots__ = ("_links", "_staff", "_vouched", "_vouched_staff")

    def __init__(self) -> None:
        super().__init__(set())
        self._vouched: set[int] = set()
        self._staff: set[int] = set()
        self._vouched_staff: set[int] = set()
        self._links: set[str] = set()

    def add(self, result: Classification, identity: ZoomIdentity = NO_IDENTITY) -> None:
        if identity.registrant_id:
            self._links.add(identity.registrant_id)
        if result.pupil is not None:
            self._pupils.add(result.pupil.id)  # type: ignore[attr-defined]
            if result.evidence is Evidence.LINK:
                self._vouched.add(result.pupil.id)
        if result.staff is not None:
            self._staff.add(result.staff.id)
            if result.evidence is Evidence.SIGNED_IN:
                self._vouched_staff.add(result.staff.id)

    def pupil_vouched(self, pupil_id: int) -> bool:
        return pupil_id in self._vouched

    def staff_here(self, staff_id: int) -> bool:
        return staff_id in self._staff

    def staff_vouched(self, staff_id: int) -> bool:
        return staff_id in self._vouched_staff

    def link_here(self, registrant_id: str) -> bool:
        return registrant_id in self._links


_NOBODY = Presence()


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
        links: Mapping[str, int] | None = None,
        links_in_use: bool = False,
        surname_key: bytes | None = None,
        staff_only: bool = False,
    ) -> None:
        """``links``: registrant id -> pupil id, for the links issued for this meeting; ``links_in_use``:
        the meeting requires registration, so a consented pupil is admitted automatically only
        through their own link (otherwise by name, the weaker way). ``surname_key`` is the key the
        register's surname digests were made with; without it (or without digests on the register)
        pupils are told apart by surname initial only. ``staff_only``: a meeting of staff only, where a
        name nobody has is said to be missing from the staff list (elsewhere from the register, even an
        empty one)."""
        self._looked_in = checked_against(staff_only=staff_only)
        # A pupil whose leaving date has passed is no longer at the school, whatever the register
        # says of consent, until the August purge removes them: held, with the date as the reason.
        self._left: dict[int, date] = {
            p.id: p.leaving_date for p in pupils if today and p.leaving_date and p.leaving_date < today
        }
        pupils = [replace(p, consent=False) if p.id in self._left else p for p in pupils]
        self._pupils: dict[int, Pupil] = {p.id: p for p in pupils}
        self._links: dict[str, int] = dict(links or {})
        self.links_in_use = links_in_use
        self._by_name: dict[str, _Bucket] = {}
        self._first_names: set[str] = set()
        self._may_be_names: set[str] = set()  # words that may be a pupil's own name or class, not a surname
        self._surname_key = surname_key
        self._plain_digests: dict[str, frozenset[str]] = {}  # a whole word typed (no hyphen) -> its surname digests
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

    def classify(
        self,
        display_name: str,
        *,
        present: Collection[int] | Presence = (),
        identity: ZoomIdentity | None = None,
    ) -> Classification:
        """The verdict on one arrival: its display name, and who Zoom says it is (``identity``).

        ``present``: who is already here, as a ``Presence`` or just the ids of pupils already in.
        """
        here = present if isinstance(present, Presence) else Presence(present)
        who = identity if identity is not None else NO_IDENTITY
        notes: tuple[str, ...] = ()
        if identity is not None and who:  # NO_IDENTITY says nothing
            member = self._staff_email.get(who.email) if who.email else None
            if member is not None or who.user_id:
                return self._finish(self._signed_in(display_name, who, member, here))
            pupil = self._pupils.get(self._links[who.registrant_id]) if who.registrant_id in self._links else None
            if pupil is not None:
                return self._finish(self._through_link(display_name, who.registrant_id, pupil, here))
            if who.registrant_id:
                notes = ("came through a registration link zoomhost did not issue: not one of the families' own links",)
            elif who.email:
                notes = ("signed in to Zoom outside the school's account, as an address not on the staff list",)
        result = self._claimed(self._named(display_name, here), here)
        if notes:
            result = replace(result, reasons=(*result.reasons, *notes))
        return self._finish(result)

    def _finish(self, result: Classification) -> Classification:
        """The verdict with whether Admit all may admit it, and why not when a consented pupil waits for a click."""
        admit = admits(result.verdict, result.evidence, links_in_use=self.links_in_use)
        if result.admit is admit and (admit or result.verdict is not _CONSENTED):
            return result  # already says so (a verdict made without per-family links in mind)
        if result.verdict is Verdict.CONSENTED and not admit:
            result = replace(
                result,
                reasons=(
                    *result.reasons,
                    "Zoom does not say this came through the family's own link: this meeting admits pupils by link, "
                    "so admit by hand if it is them",
                ),
            )
        return replace(result, admit=admit)

    def _claimed(self, result: Classification, here: Presence) -> Classification:
        """A staff member named by typing alone: a claim for the teacher to check, or a duplicate."""
        if result.verdict is not _STAFF or result.staff is None:
            return result
        member = result.staff
        if here.staff_here(member.id):
            return Classification(
                verdict=Verdict.DUPLICATE,
                staff=member,
                reasons=(
                    *result.reasons,
                    f"{member.name} is already here; this may be someone else using a staff name",
                ),
            )
        return replace(
            result,
            reasons=(
                *result.reasons,
                "a typed staff name is only a claim: not signed in to the school's Zoom account, so admit by hand if it is them",
            ),
        )

    def _signed_in(
        self, display_name: str, who: ZoomIdentity, member: StaffMember | None, here: Presence
    ) -> Classification:
        """Signed in to the school's Zoom account, or as an address on the staff list."""
        as_who = f" as {who.email}" if who.email else ""
        account = f"signed in to the school's Zoom account{as_who}" if who.user_id else f"signed in to Zoom{as_who}"
        named = self._named(display_name, _NOBODY)
        if member is None:
            # In the school's account, but not an address on the staff list: the name says who, the sign-in vouches.
            result = self._named(display_name, here)
            if result.verdict is Verdict.STAFF and result.staff is not None:
                member = result.staff
                if member.email and who.email and member.email.lower() != who.email:
                    return Classification(
                        verdict=Verdict.AMBIGUOUS,
                        staff=member,
                        reasons=(account, f"the name says staff member {member.name}, whose address on the staff list is another"),
                        evidence=Evidence.SIGNED_IN,
                    )
            else:
                return replace(result, reasons=(account, *result.reasons), evidence=Evidence.SIGNED_IN)
        staff_reason = f"{account}: staff member {member.name}"
        if named.verdict is Verdict.SUSPICIOUS:
            return replace(named, staff=member, reasons=(staff_reason, *named.reasons), evidence=Evidence.SIGNED_IN)
        if named.pupil is not None and named.verdict in (Verdict.CONSENTED, Verdict.NO_CONSENT):
            return Classification(
                verdict=Verdict.AMBIGUOUS,
                staff=member,
                reasons=(staff_reason, f"but the name says pupil {named.pupil.label()}: check who is using the staff account"),
                evidence=Evidence.SIGNED_IN,
            )
        if here.staff_vouched(member.id):
            return Classification(
                verdict=Verdict.DUPLICATE,
                staff=member,
                reasons=(staff_reason, f"{member.name} is already here, signed in: the same account on a second device?"),
                evidence=Evidence.SIGNED_IN,
            )
        reasons = [staff_reason]
        if named.staff is not None and named.staff.id != member.id:
            reasons.append(f"the name shown says {named.staff.name}")
        return Classification(verdict=Verdict.STAFF, staff=member, reasons=tuple(reasons), evidence=Evidence.SIGNED_IN)

    def _through_link(self, display_name: str, registrant_id: str, pupil: Pupil, here: Presence) -> Classification:
        """Through the registration link issued for ``pupil``: the link says who; the name is checked against it."""
        short = _short(pupil)
        via = f"came through {short}'s own link"

        def held(verdict: Verdict, *reasons: str) -> Classification:
            return Classification(verdict=verdict, pupil=pupil, reasons=(via, *reasons), evidence=Evidence.LINK)

        if here.link_here(registrant_id):
            return held(
                Verdict.DUPLICATE,
                f"{short}'s link is already in use in this meeting: it may have been passed on to someone else",
            )
        read = self._read(display_name)
        notes: tuple[str, ...] = ()
        if isinstance(read, Classification):
            if read.verdict is Verdict.SUSPICIOUS:
                return held(Verdict.SUSPICIOUS, *read.reasons)
            if read.staff is not None:
                return held(Verdict.SUSPICIOUS, f"but the name is staff member {read.staff.name}'s email address")
            fits = False
        else:
            readings, words = read
            fits, other = self._against_link(pupil, readings)
            if other and fits:
                return held(
                    Verdict.AMBIGUOUS,
                    "the name also names " + _and_list(other),
                    "children may be sharing one device; admit each one by hand",
                )
            if other:
                return held(Verdict.SUSPICIOUS, "but the name says " + _and_list(other))
            notes = _notes(words)
        if not fits:
            shown = display_name.strip()
            notes = (f'the name shown ("{shown}") does not name the pupil; the link does' if shown else "no name shown; the link says who", *notes)
        if pupil.id in self._left:
            return held(Verdict.NO_CONSENT, f"left the school on {self._left[pupil.id]:%d %B %Y}", *notes)
        if not pupil.consent:
            return held(Verdict.NO_CONSENT, "no consent for video lessons on the register", *notes)
        if here.pupil_vouched(pupil.id):
            return held(
                Verdict.DUPLICATE,
                f"{pupil.label()} is already here; this may be someone else using the family's link",
            )
        return held(Verdict.CONSENTED, *notes)

    def _against_link(self, pupil: Pupil, readings: list[_Reading]) -> tuple[bool, list[str]]:
        """(whether the name names the link's pupil, and who else it names) for a name read in full."""
        fits = False
        other: list[str] = []
        for reading in readings:
            ids = {e.pupil.id for e in reading.candidates}
            if reading.role in (_Role.CHILD, _Role.BOTH) and pupil.id in ids:
                fits = True
                if reading.also_names is not None:
                    other.append(f'"{reading.also_names}", another pupil\'s name')
            elif reading.role is _Role.MISMATCH and pupil.id in {e.pupil.id for e in reading.named}:
                fits = True  # the pupil's first name, with a surname or class that does not fit: the link decides
            elif reading.role in (_Role.CHILD, _Role.BOTH, _Role.MISMATCH, _Role.STAFF):
                other.append(reading.describe())
        return fits, other

    def _named(self, display_name: str, here: Presence) -> Classification:
        """The verdict on the typed name alone (a staff name here is the name, not yet a claim)."""
        checked = self._checked(display_name)
        if isinstance(checked, Classification):
            return checked
        copy = _ZOOM_COPY.search(checked) if ")" in checked else None
        if copy is not None and copy.start() > 0:
            # "Amy (3)" may be a family's Year 3; it is Zoom's number only when that pupil is already here
            copied = self._named_as_typed(checked[: copy.start()], here)
            if copied.verdict is Verdict.DUPLICATE:
                return _numbered_by_zoom(copied, copy.group("n"))
        return self._named_as_typed(checked, here)

    def _named_as_typed(self, name: str, here: Presence) -> Classification:
        read = self._read_name(name)
        if isinstance(read, Classification):
            return read
        readings, words = read
        return self._decide(readings, words, here)

    def _read(self, display_name: str) -> Classification | tuple[list[_Reading], list[Word]]:
        """The name read for the people it names, or at once the verdict on a name that is no name."""
        checked = self._checked(display_name)
        if isinstance(checked, Classification):
            return checked
        return self._read_name(checked)

    def _checked(self, display_name: str) -> str | Classification:
        """The name trimmed, or at once the verdict on one too long or with characters that hide something."""
        text = display_name if isinstance(display_name, str) else str(display_name)
        if len(text) > 4 * MAX_NAME_LENGTH:
            return _verdict(Verdict.SUSPICIOUS, f"too long to be a name ({len(text.strip())} characters)")
        trimmed = text.strip()
        if len(trimmed) > MAX_NAME_LENGTH:
            return _verdict(Verdict.SUSPICIOUS, f"too long to be a name ({len(trimmed)} characters)")
        problems = character_problems(text)  # before trimming: a tab or line break at the end hides nothing innocent
        if problems:
            return Classification(verdict=Verdict.SUSPICIOUS, reasons=tuple(problems))
        return trimmed

    def _read_name(self, name: str) -> Classification | tuple[list[_Reading], list[Word]]:
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
        disguised = None if name.isascii() else self._disguised(name)
        if disguised is not None:
            return _verdict(Verdict.SUSPICIOUS, disguised)
        read = read_name(name)
        why = not_a_name(read)
        if why is not None:
            return _verdict(Verdict.SUSPICIOUS, why)
        words = read.words()
        if self._class_words:
            for word in words:
                if word.kind in (Kind.WORD, Kind.MODEL) and word.key in self._class_words:
                    word.kind, word.hint = Kind.CLASS, ClassHint(name=word.key, text=word.text)
        if self._by_digest:
            self._surnames_that_are_other_words(read.people)
        return [self._read_person(person) for person in read.people], words

    def _surnames_that_are_other_words(self, people: list[Person]) -> None:
        """ "Orla Dad", "Amy Guest", "Tom Dell": a word for family, a filler or a device typed straight after
        a first name, in the same words, is the surname when a pupil of that first name has it (Dad, Nan,
        Guest and Dell are surnames too). Only then: "Orla's dad", "Orla (Dad)", and "Orla Dad" or "Tom's
        Dell" for a pupil with another surname still name an adult or a device."""
        key = self._surname_key
        if key is None:
            return
        by_digest = self._by_digest
        for person in people:
            words = person.words
            for index in range(1, len(words)):
                word = words[index]
                kind = word.kind  # the kinds of word that are some families' surnames too (compared by identity: quick)
                if kind is not _RELATION and kind is not _FILLER and kind is not _DEVICE:
                    continue
                before = words[index - 1]
                if before.kind is not _WORD or before.possessive or before.group != word.group:
                    continue
                first = {before.key, *before.parts}
                for digest in _word_digests(key, word.key, word.parts):
                    if any(not first.isdisjoint(entry.own) for entry in by_digest.get(digest, ())):
                        word.kind = _WORD
                        break

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

    def _decide(self, readings: list[_Reading], words: list[Word], present: Presence) -> Classification:
        people: list[_Reading] = []
        strangers: list[_Reading] = []
        both: _Reading | None = None
        for reading in readings:
            role = reading.role
            if role is _R_CHILD or role is _R_STAFF or role is _R_BOTH:
                people.append(reading)
                if role is _R_BOTH and both is None:
                    both = reading
            elif role is _R_MISMATCH or role is _R_UNKNOWN or role is _R_SURNAME:
                strangers.append(reading)
        if both is not None:
            reading = both
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
        if people and people[0].role is _R_STAFF:
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
            return _stranger_verdict(strangers[0], notes, on=self._looked_in)
        return _nameless_verdict(readings, words)

    # ------------------------------------------------------------ one person

    def _read_person(self, person: Person) -> _Reading:
        name_words, initials, classes, titled, staff_words = _child_words(person)
        shown = " ".join([word.text for word in name_words] + [word.text for word in initials])
        staff = self._staff_for(staff_words, titled=titled)
        if titled:
            if staff:
                return _Reading(_R_STAFF, person, staff=staff, typed=shown)
            return _Reading(_R_ADULT, person, typed=shown)
        hit: list[_Bucket] = []
        found: list[list[_Entry]] = []
        typed_digests = self._typed_digests(name_words) if self._by_digest else None
        by_name = self._by_name
        keys = [w.key for w in name_words]
        initial_keys = [w.key for w in initials]
        for start, stop, key, rest in _name_readings(person, name_words, by_name):
            bucket = by_name[key]
            hit.append(bucket)
            extras = keys[:start] + keys[stop:] + initial_keys  # the words this reading leaves for the surname
            if rest:
                extras += rest
            fitting = bucket.fitting(extras, classes, self._may_be_names, typed_digests)
            if fitting:
                found.append(fitting)
        if len(found) == 1:
            candidates = found[0]
        elif found:
            candidates = sorted({e.id: e for entries in found for e in entries}.values(), key=_by_id)
        else:
            candidates = []
        named = not candidates and hit
        named_list = _first_of(hit, NAMED_PUPILS) if named else []
        if staff and candidates:
            return _Reading(_R_BOTH, person, candidates=candidates, staff=staff, typed=shown)
        if staff:
            return _Reading(_R_STAFF, person, staff=staff, typed=shown)
        if candidates:
            reading = _Reading(_R_CHILD, person, candidates, named_list, (), shown)
            if len(candidates) == 1:
                reading.also_names = self._other_pupil_named(candidates[0], name_words)
            return reading
        if named:
            return _Reading(_R_MISMATCH, person, named=named_list, typed=shown)
        if typed_digests is not None and not hit and name_words:
            having = self._having_surname(name_words, typed_digests, classes)
            if having:
                return _Reading(_R_SURNAME, person, candidates=having, typed=shown)
        if person.of(_RELATION):
            return _Reading(_R_ADULT, person, typed=shown)
        if name_words:
            return _Reading(_R_UNKNOWN, person, typed=shown)
        return _Reading(_R_NONE, person, typed=shown)

    def _typed_digests(self, words: list[Word]) -> dict[str, frozenset[str]]:
        """Whole words typed (not initials) -> the digests they and their parts would have as a surname."""
        key = self._surname_key
        if key is None:
            return {}
        plain = self._plain_digests
        typed = {}
        for word in words:
            folded = word.key
            if len(folded) < 2:
                continue
            if word.parts:
                typed[folded] = _word_digests(key, folded, word.parts)
                continue
            digests = plain.get(folded)
            if digests is None:
                digests = _word_digests(key, folded, ())
                if len(plain) < KEPT_DIGESTS:
                    plain[folded] = digests
            typed[folded] = digests
        return typed

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

    def _staff_for(self, words: list[str], *, titled: bool) -> list[StaffMember]:
        """Staff are matched by full name, or by a title with a surname or first name; never by a first name alone.
        ``words``: the person's words that may be a name (``_child_words``)."""
        if not words:
            return []
        found: list[StaffMember] = []
        if len(words) == 2:
            found = self._staff_full.get((words[0], words[1]), [])
        elif len(words) > 2:
            # first and last name, with a middle name or a school in brackets allowed
            pairs = {(words[0], later) for later in words[1:]} | set(zip(words, words[1:], strict=False))
            found = [m for pair in sorted(pairs) for m in self._staff_full.get(pair, [])]
        if not found and titled:
            found = self._staff_surname.get(words[-1], []) or (
                self._staff_first.get(words[0], []) if len(words) == 1 else []
            )
        return sorted(set(found), key=_staff_id) if found else []


@lru_cache(maxsize=65536)
def _word_digests(key: bytes, word: str, parts: tuple[str, ...]) -> frozenset[str]:
    """A typed word's surname digests, kept for the run: the same names arrive again and again."""
    return frozenset(surname_digest(k, key) for k in (word, *parts) if len(k) > 1)


def _short(pupil: Pupil) -> str:
    """First name and surname initial: whose link it is, in as few words as the teacher needs."""
    return pupil.known_as + (f" {pupil.surname_initial}." if pupil.surname_initial else "")


_by_id = attrgetter("id")  # register order of entries
_staff_id = attrgetter("id")
_consent = attrgetter("pupil.consent")
_known = attrgetter("known")


def _add(index: dict, key: object, member: StaffMember) -> None:
    bucket = index.setdefault(key, [])
    if member not in bucket:
        bucket.append(member)


def _child_words(person: Person) -> tuple[list[Word], list[Word], list[ClassHint], bool, list[str]]:
    """The words that name the child, the initials, the class hints, whether a title is given, and the
    words a staff member's name may be in (every name word, and a class's own name: "Mrs Oak" may be a
    teacher). "Sarah (Amy's Mum)": only Amy names the child."""
    words = person.words
    name_words: list[Word] = []
    initials: list[Word] = []
    classes: list[ClassHint] = []
    staff_words: list[str] = []
    titled = False
    owner = -1
    for index, word in enumerate(words):
        kind = word.kind
        if kind is _WORD:
            name_words.append(word)
            staff_words.append(word.key)
            if word.possessive and owner < 0:
                owner = index
        elif kind is _INITIAL:
            initials.append(word)
        elif kind is _CLASS:
            hint = word.hint
            if hint is not None:
                classes.append(hint)
                if hint.name:
                    staff_words.append(word.key)
        elif kind is _TITLE:
            titled = True
    if owner >= 0:
        word, start = words[owner], owner
        while start > 0 and words[start - 1].kind in (_WORD, _INITIAL) and words[start - 1].group == word.group:
            start -= 1
        run = words[start : owner + 1]
        name_words = [w for w in run if w.kind is _WORD]
        initials = [w for w in run if w.kind is _INITIAL]
    return name_words, initials, classes, titled, staff_words


def _name_readings(
    person: Person, name_words: list[Word], names: Collection[str]
) -> list[tuple[int, int, str, tuple[str, ...]]]:
    """Each way the words may hold a first name in ``names`` (one word, two words "Mary Jane", the first
    part of "Amy-B"): the name words it uses (``name_words[start:stop]``), the name, and the parts of a
    word it leaves over for the surname."""
    readings: list[tuple[int, int, str, tuple[str, ...]]] = []
    words = person.words
    last = len(words) - 1
    at = 0  # where in the person's words the name word is (they are in the same order)
    for index, word in enumerate(name_words):
        while words[at] is not word:
            at += 1
        after = words[at + 1] if at < last else None
        key = word.key
        if key in names:
            readings.append((index, index + 1, key, ()))
        if key.endswith("s") and after is not None and after.kind in (_DEVICE, _RELATION) and key[:-1] in names:
            readings.append((index, index + 1, key[:-1], ()))  # "Amys iPad"
        if word.parts and word.parts[0] in names:
            readings.append((index, index + 1, word.parts[0], word.parts[1:]))
        if index + 1 < len(name_words) and after is name_words[index + 1] and after.group == word.group:
            if key + after.key in names:
                readings.append((index, index + 2, key + after.key, ()))
    return readings


def _notes(words: list[Word]) -> tuple[str, ...]:
    for word in words:
        if word.kind in (_RELATION, _DEVICE, _MODEL):
            break
    else:
        return ()  # most names: no adult and no device
    notes: list[str] = []
    adults: list[str] = []
    devices: list[str] = []
    for word in words:
        kind = word.kind
        if kind is _RELATION:
            adults.append(word.text)
        elif kind is _DEVICE or kind is _MODEL:
            devices.append(word.text)
    if adults:
        notes.append(f"an adult is named with the child ({', '.join(adults)})")
    if devices:
        notes.append(f"also names a device ({' '.join(devices)})")
    return tuple(notes)


def _initial_or_class(words: list[Word]) -> bool:
    for word in words:
        if word.kind is _INITIAL or word.kind is _CLASS:
            return True
    return False


def _child_verdict(
    reading: _Reading, present: Presence, notes: tuple[str, ...], *, left: dict[int, date]
) -> Classification:
    candidates = reading.candidates
    if len(candidates) > 1:
        consented, called, could_be = candidates.group() if type(candidates) is _Pupils else _group_of(candidates)
        kind = "consented pupils" if consented else "pupils"
        says_more = " " in reading.typed or _initial_or_class(reading.person.words)  # typed: words without spaces
        detail = (
            "the surname and class given fit more than one"
            if says_more
            else "the name gives no surname initial or class"
        )
        here = present.pupil_here
        already = [e.label for e in candidates if here(e.id)]
        reasons = [f"{_count(len(candidates))} {kind}{called}; {detail}", could_be]
        if already:
            reasons.append(f"{_and_list(already)} already in the meeting")
        return _verdict(_AMBIGUOUS, *reasons, *notes)
    entry = candidates[0]
    pupil = entry.pupil
    matched = f"matches {entry.label}"
    typed = reading.person.of(_WORD)
    if typed and entry.exact.isdisjoint([key for w in typed for key in (w.key, *w.parts)]):
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
    if present.pupil_here(pupil.id):
        return Classification(
            verdict=Verdict.DUPLICATE,
            pupil=pupil,
            reasons=(matched, f"{entry.label} is already in the meeting; this may be someone else using the name"),
        )
    return Classification(verdict=Verdict.CONSENTED, pupil=pupil, reasons=(matched, *notes))


def _stranger_verdict(reading: _Reading, notes: tuple[str, ...], *, on: str) -> Classification:
    """``on``: where the name was looked for (the register; at a meeting of staff only, the staff list)."""
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
            f"on the register with that first name: {_and_list([e.label for e in reading.named[:4]])}",
            *notes,
        )
    who = "no pupil" if on == "the register" else "nobody"
    return _verdict(Verdict.NOT_ON_REGISTER, f'{who} called "{reading.typed}" on {on}', *notes)


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
    return Classification(verdict, None, None, reasons)


def _count(n: int) -> str:
    return _NUMBER_WORDS.get(n, str(n))


def _or_list(entries: Sequence[_Entry]) -> str:
    labels = [entry.label for entry in entries[:4]]
    more = f" or {len(entries) - 4} more" if len(entries) > 4 else ""
    return (", ".join(labels[:-1]) + " or " + labels[-1] if len(labels) > 1 else labels[0]) + more


def _and_list(items: Sequence[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]
