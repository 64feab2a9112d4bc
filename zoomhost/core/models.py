"""Values shared by the whole domain: pupils, staff, verdicts, and the rules about a list of pupils.

The register keeps only what admission needs (DESIGN §1): a first name, a preferred
name, a surname initial, a class, consent with its date, and a leaving date. Reading a
school's export (``register``) and keeping it (``register_store``) both count consent by
class and date a leaver's removal, so those rules live here, next to ``Pupil``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Pupil:
    id: int
    first_name: str
    preferred_name: str | None
    surname_initial: str | None
    class_name: str | None
    consent: bool
    consent_date: date | None = None
    leaving_date: date | None = None
    school: str | None = None  # a federation's register holds more than one school
    # keyed digests of the surname (see ``names.surname_digests``): they tell apart pupils who share a first
    # name and initial when a family types the full surname; never shown, exported or logged
    surname_digests: tuple[str, ...] = field(default=(), repr=False)

    @property
    def known_as(self) -> str:
        return self.preferred_name or self.first_name

    @property
    def class_label(self) -> str | None:
        """The class as the teacher sees it everywhere: with its school when the register has one."""
        return class_label(self.class_name, self.school)

    def expected_on(self, today: date) -> bool:
        """Whether this pupil is expected at a meeting on ``today``: consented and not past their leaving date."""
        return self.consent and (self.leaving_date is None or self.leaving_date >= today)

    def label(self) -> str:
        """What the teacher sees: first name, surname initial, class. No more."""
        name = self.known_as + (f" {self.surname_initial}." if self.surname_initial else "")
        klass = self.class_label
        return f"{name} ({klass})" if klass else name

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "first_name": self.first_name,
            "preferred_name": self.preferred_name,
            "surname_initial": self.surname_initial,
            "class": self.class_name,
            "school": self.school,
            "consent": self.consent,
            "consent_date": self.consent_date.isoformat() if self.consent_date else None,
            "leaving_date": self.leaving_date.isoformat() if self.leaving_date else None,
        }


def class_label(class_name: str | None, school: str | None) -> str | None:
    """ "3Q, Laxey": a class with its school, so two schools' Year 3s never read as one; the class alone without one."""
    if class_name and school:
        return f"{class_name}, {school}"
    return class_name or school or None


def expected_pupils(pupils: Iterable[Pupil], *, today: date) -> list[Pupil]:
    """Who is expected at a meeting on ``today``: the one rule every count, invitation and check uses."""
    return [p for p in pupils if p.expected_on(today)]


def august_after(leaving: date) -> date:
    """The first 1 August strictly after ``leaving``: the day a leaver's data must be gone by."""
    this_year = date(leaving.year, 8, 1)
    return this_year if leaving < this_year else date(leaving.year + 1, 8, 1)


def leaver_due(pupil: Pupil, today: date) -> bool:
    """Whether a leaver's data must go by ``today`` (their August after leaving has come): the one rule the purge and
    an import's preview both follow."""
    return pupil.leaving_date is not None and august_after(pupil.leaving_date) <= today


def consent_counts(pupils: Iterable[Pupil]) -> dict[str, tuple[int, int]]:
    """Class -> (consented, total), classes in natural order ("Year 2" before "Year 10")."""
    totals: Counter[str] = Counter()
    yes: Counter[str] = Counter()
    for pupil in pupils:
        name = pupil.class_label or "(no class)"
        totals[name] += 1
        yes[name] += pupil.consent
    return {name: (yes[name], totals[name]) for name in sorted(totals, key=_natural_key)}


def _natural_key(text: str) -> list[tuple[int, int, str]]:
    return [(0, int(part), "") if part.isascii() and part.isdigit() else (1, 0, part.casefold()) for part in re.split(r"([0-9]+)", text)]


@dataclass(frozen=True, slots=True)
class StaffMember:
    id: int
    name: str
    email: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "email": self.email}


class Verdict(StrEnum):
    """What the waiting-room classifier decides for one display name."""

    CONSENTED = "consented"
    STAFF = "staff"
    NO_CONSENT = "no_consent"
    NOT_ON_REGISTER = "not_on_register"
    AMBIGUOUS = "ambiguous"
    DUPLICATE = "duplicate"
    SUSPICIOUS = "suspicious"

    @property
    def admissible(self) -> bool:
        """Only these may ever be admitted automatically or by admit-all (and then only as ``admits`` says)."""
        return self in (Verdict.CONSENTED, Verdict.STAFF)


class Evidence(StrEnum):
    """What an arrival's verdict rests on: who Zoom says they are, or only the name they typed."""

    LINK = "link"  # came through their own registration link, issued for (and mapped to) one pupil
    SIGNED_IN = "signed_in"  # signed in to the school's Zoom account, or as an address on the staff list
    NAME = "name"  # the typed name alone: anyone can type any name

    @property
    def words(self) -> str:
        return _EVIDENCE_WORDS[self]


_EVIDENCE_WORDS = {
    Evidence.LINK: "own link",
    Evidence.SIGNED_IN: "signed in",
    Evidence.NAME: "typed name only",
}


def admits(verdict: Verdict, evidence: Evidence, *, links_in_use: bool) -> bool:
    """Whether Admit all and the autopilot may admit an arrival; the teacher's own click may admit anyone.

    A staff member only when Zoom says who they are (signed in): a typed staff name is a claim, and
    the head's name is printed in every family's letter. A consented pupil through their own link;
    by the typed name alone only where the school does not use per-family links (``links_in_use``
    False: the weaker, name-based admission, labelled as such wherever it applies).
    """
    if verdict is _STAFF:
        return evidence is _SIGNED_IN
    if verdict is _CONSENTED:
        return evidence is _LINK or not links_in_use
    return False


# read as module names: on Python 3.11 each ``Verdict.STAFF`` goes through the enum's metaclass, and every
# classified arrival asks ``admits`` twice
_STAFF, _CONSENTED, _SIGNED_IN, _LINK = Verdict.STAFF, Verdict.CONSENTED, Evidence.SIGNED_IN, Evidence.LINK


@dataclass(frozen=True, slots=True)
class Classification:
    """The verdict on one arrival, what it rests on (``evidence``) and whether Admit all may admit it.

    ``admit`` left out is :func:`admits` for a school that does not use per-family links.
    """

    verdict: Verdict
    pupil: Pupil | None = None
    staff: StaffMember | None = None
    reasons: tuple[str, ...] = ()
    evidence: Evidence = Evidence.NAME
    admit: bool | None = None

    def __post_init__(self) -> None:
        if self.admit is None:
            object.__setattr__(self, "admit", admits(self.verdict, self.evidence, links_in_use=False))

    def as_dict(self) -> dict[str, object]:
        pupil = None
        if self.pupil is not None:
            pupil = {
                "first_name": self.pupil.known_as,
                "surname_initial": self.pupil.surname_initial,
                "class": self.pupil.class_label,
            }
        return {
            "verdict": self.verdict.value,
            "pupil": pupil,
            "staff": self.staff.name if self.staff else None,
            "reasons": list(self.reasons),
            "evidence": self.evidence.value,
            "admit": bool(self.admit),
        }
