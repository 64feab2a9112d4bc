"""One pupil's records: who a request names, which journal rows are about that pupil, and erasing them.

A subject access or erasure request names a pupil the way the school knows them: a first (or
preferred) name, a surname initial or the whole surname, and a class (:class:`PupilQuery`). The
register says who that is; a pupil no longer on the register is still found in the session
journals, which record every arrival the classifier matched to a pupil as first name, surname
initial and class (:class:`PupilIdentity`).

A journal row is this pupil's (:func:`rows_about`) when the classifier matched it to this pupil,
or when it carries a display name typed by someone the classifier matched to this pupil in the
same session (an impostor using the pupil's name included: that name is the pupil's). Other rows
that only *mention* the pupil (an ambiguous arrival that "could be Amy B. (Year 3)") are listed
too. Erasing (:func:`erased`) rewrites those rows in place: every name becomes a reference such
as "(erased E-4F2A9C)", the verdict, times and what the host did stay, so the session's summary
and its incidents still add up. Nothing here reads or writes a file.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from zoomhost.core.errors import ZoomhostError
from zoomhost.core.journal import Actor, JournalEntry, JournalKind, counts_as_incident
from zoomhost.core.models import Pupil, Verdict

#: ``detail["note"]`` of the journal entry that records an erasure (with its reference, never the name).
ERASED_NOTE = "pupil_erased"

_ATTENDING = (Verdict.CONSENTED.value, Verdict.NO_CONSENT.value)  # let in as this pupil (not an impostor)
_ADMITTED = (JournalKind.ADMITTED, JournalKind.JOINED)


class PupilQueryError(ZoomhostError):
    """A request's pupil name could not be read."""


def _fold(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def new_reference() -> str:
    """A reference for one erasure, to write in the school's record of the request: it names nobody."""
    return f"E-{secrets.token_hex(3).upper()}"


def placeholder(reference: str) -> str:
    """What an erased name reads as, in the journal and so in every summary and report."""
    return f"(erased {reference})"


@dataclass(frozen=True, slots=True)
class PupilIdentity:
    """A pupil as the journals know them: the name they are known by, surname initial and class."""

    known_as: str
    surname_initial: str | None
    class_name: str | None
    other_names: frozenset[str] = frozenset()  # the legal first name, when a preferred name is used

    @classmethod
    def of(cls, pupil: Pupil) -> PupilIdentity:
        others = frozenset({pupil.first_name} - {pupil.known_as})
        return cls(pupil.known_as, pupil.surname_initial, pupil.class_name, others)

    @classmethod
    def from_detail(cls, detail: Mapping[str, Any]) -> PupilIdentity | None:
        """The pupil a journal row was matched to (its ``detail["pupil"]``), if any."""
        first = detail.get("first_name") if isinstance(detail, Mapping) else None
        if not isinstance(first, str) or not first:
            return None
        initial, class_name = detail.get("surname_initial"), detail.get("class")
        return cls(first, initial if isinstance(initial, str) else None, class_name if isinstance(class_name, str) else None)

    def label(self) -> str:
        """First name, surname initial and class, exactly as the journal and the summary write them."""
        return Pupil(0, self.known_as, None, self.surname_initial, self.class_name, False).label()

    @property
    def key(self) -> tuple[str, str, str]:
        return (_fold(self.known_as), _fold(self.surname_initial), _fold(self.class_name))

    def names(self) -> frozenset[str]:
        """Every first name this pupil may be asked for or written as, folded."""
        return frozenset(_fold(name) for name in (self.known_as, *self.other_names) if name)

    def carries(self, entry: JournalEntry) -> bool:
        """Whether the classifier matched this journal row to this pupil."""
        if entry.pupil_label is not None and entry.pupil_label == self.label():
            return True
        other = PupilIdentity.from_detail(entry.detail.get("pupil") or {})
        return other is not None and (
            _fold(other.known_as) in self.names()
            and _fold(other.surname_initial) == _fold(self.surname_initial)
            and _fold(other.class_name) == _fold(self.class_name)
        )


@dataclass(frozen=True, slots=True)
class PupilQuery:
    """A pupil as a request names them: name words (first name, then an initial or surname) and a class."""

    words: tuple[str, ...]
    class_name: str | None

    @classmethod
    def parse(cls, text: str, *, class_name: str | None = None) -> PupilQuery:
        """``"Amy B. (Year 3)"``, ``"Amy Brown"``, ``"Amy"`` with ``class_name="Year 3"`` …"""
        text, in_brackets = _class_in_brackets(" ".join(text.split()))
        if in_brackets and class_name and _fold(in_brackets) != _fold(class_name):
            raise PupilQueryError(
                f"the name says class “{in_brackets}” but --class says “{class_name}”.", hint="Give the class once."
            )
        words = tuple(word for word in text.split(" ") if word.strip("."))
        if not words:
            raise PupilQueryError(
                "no pupil's name was given.", hint='Give a first name, surname initial and class, e.g. "Amy B. (Year 3)".'
            )
        return cls(words=words, class_name=(in_brackets or class_name or "").strip() or None)

    def matches(self, identity: PupilIdentity) -> bool:
        """First name (or preferred name) exactly; then nothing, the initial, or a surname starting with it; the class."""
        if self.class_name is not None and _fold(self.class_name) != _fold(identity.class_name):
            return False
        asked = [_fold(word) for word in self.words]
        for name in identity.names():
            first = name.split(" ")
            if asked[: len(first)] != first:
                continue
            rest = asked[len(first) :]
            if not rest:
                return True
            if len(rest) == 1 and identity.surname_initial:
                surname = rest[0].rstrip(".")
                if surname and surname[0] == _fold(identity.surname_initial)[:1]:
                    return True
        return False

    def __str__(self) -> str:
        name = " ".join(self.words)
        return f"{name} ({self.class_name})" if self.class_name else name


def _class_in_brackets(text: str) -> tuple[str, str | None]:
    """``"Amy B. (Year 3 (Oak))"`` -> ``("Amy B.", "Year 3 (Oak)")``: the bracketed class at the end, if any."""
    if not text.endswith(")"):
        return text, None
    depth = 0
    for at in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[at], 0)
        if depth == 0:
            return text[:at].strip(), text[at + 1 : -1].strip() or None
    return text, None


def identities_in(entries: Iterable[JournalEntry]) -> list[PupilIdentity]:
    """Every pupil the classifier matched a row of these entries to (each once)."""
    found: dict[tuple[str, str, str], PupilIdentity] = {}
    for entry in entries:
        identity = PupilIdentity.from_detail(entry.detail.get("pupil") or {})
        if identity is not None:
            found.setdefault(identity.key, identity)
    return list(found.values())


@dataclass(frozen=True, slots=True)
class PupilRows:
    """The rows of one journal that are about one pupil (see the module's docstring)."""

    own: tuple[JournalEntry, ...]
    mentions: tuple[JournalEntry, ...]
    names: frozenset[str]  # display names typed by people the classifier matched to this pupil

    def __bool__(self) -> bool:
        return bool(self.own or self.mentions)

    @property
    def attended(self) -> bool:
        """Let into the meeting as this pupil (not an impostor using the name)."""
        return any(entry.kind in _ADMITTED and entry.verdict in _ATTENDING and entry.pupil_label for entry in self.own)

    def arrivals(self) -> list[JournalEntry]:
        """The arrivals (and renames) matched to this pupil or typed as one of the pupil's names."""
        return [e for e in self.own if e.kind in (JournalKind.ARRIVAL, JournalKind.RENAMED)]

    def incidents(self) -> list[JournalEntry]:
        """Alarms about a person who was (or used the name of) this pupil, or that name the pupil."""
        return [entry for entry in (*self.own, *self.mentions) if counts_as_incident(entry)]


def rows_about(identity: PupilIdentity, entries: Sequence[JournalEntry]) -> PupilRows:
    """Which of one journal's ``entries`` are about ``identity``: the one rule both listing and erasing use."""
    carried = [entry for entry in entries if identity.carries(entry)]
    names = frozenset(entry.display_name for entry in carried if entry.display_name)
    label = identity.label()
    own: list[JournalEntry] = []
    mentions: list[JournalEntry] = []
    for entry in entries:
        if identity.carries(entry) or (entry.display_name is not None and entry.display_name in names):
            own.append(entry)
        elif _mentions(entry, label):
            mentions.append(entry)
    return PupilRows(own=tuple(own), mentions=tuple(mentions), names=names)


def erased(identity: PupilIdentity, rows: PupilRows, *, reference: str) -> list[JournalEntry]:
    """The rows rewritten with every name of this pupil replaced by the erasure's reference."""
    gone = placeholder(reference)
    label = identity.label()
    # Longest first, so "Amy Brown" goes whole before "Amy" could leave "Brown" behind.
    names = sorted({*rows.names, label}, key=len, reverse=True)
    words = sorted(identity.names(), key=len, reverse=True)
    out: list[JournalEntry] = []
    for entry in rows.own:
        carries = identity.carries(entry)
        detail = _replaced(dict(entry.detail), names, words, gone)
        if carries and isinstance(entry.detail.get("pupil"), Mapping):
            detail["pupil"] = {"first_name": gone, "surname_initial": None, "class": None}
        out.append(
            replace(
                entry,
                display_name=gone if entry.display_name is not None else None,
                pupil_label=gone if carries or entry.pupil_label == label else entry.pupil_label,
                detail=detail,
            )
        )
    for entry in rows.mentions:
        out.append(
            replace(
                entry,
                pupil_label=gone if entry.pupil_label == label else entry.pupil_label,
                detail=_replaced(dict(entry.detail), [label], [], gone),
            )
        )
    return out


def erasure_note(*, reference: str, rows: int, at: datetime) -> JournalEntry:
    """The journal's record that rows were erased on request: the reference and how many, never the name."""
    return JournalEntry(
        at=at,
        kind=JournalKind.NOTE,
        event_key=f"erasure:{reference}",
        actor=Actor.TEACHER,
        detail={"note": ERASED_NOTE, "reference": reference, "rows": rows},
    )


def _mentions(entry: JournalEntry, label: str) -> bool:
    if entry.pupil_label == label:
        return True
    return any(label in text for text in _strings(entry.detail))


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def _replaced(value: Any, names: Sequence[str], words: Sequence[str], gone: str) -> Any:
    """``value`` with every name (exact text, any case) and first-name word replaced by ``gone``."""
    if isinstance(value, str):
        for name in names:
            if name:
                value = re.sub(re.escape(name), lambda _: gone, value, flags=re.IGNORECASE)
        for word in words:
            value = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", lambda _: gone, value, flags=re.IGNORECASE)
        return value
    if isinstance(value, Mapping):
        return {key: _replaced(item, names, words, gone) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_replaced(item, names, words, gone) for item in value]
    return value
