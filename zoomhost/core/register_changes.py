"""How old the stored register is, and what a new import changes: one register, many laptops.

A withdrawal reaches a laptop only when the school's export is imported again on it. So the
register says when it is older than the school's refresh interval (``register_age``), and an
import's preview says what changed since the last import (``register_changes``): pupils added
and removed, consent given, withdrawn or become unclear — a withdrawal first, as a sentence.

Pure: the caller gives the stored register, the newly read one and "now"; nothing is read or
stored here, and nothing beyond the two registers is kept to compare them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from zoomhost.core.words import plural
from zoomhost.core.models import Pupil
from zoomhost.core.names import fold
from zoomhost.core.register_store import ImportRecord

NO_CHANGES = "No changes since the last import."


@dataclass(frozen=True, slots=True)
class RegisterAge:
    """How old the stored register is, against the school's refresh interval (0: never out of date)."""

    source: str  # the file it was imported from (its name only)
    imported_at: datetime  # timezone-aware
    days: int  # whole days since it was imported
    refresh_days: int
    out_of_date: bool

    @property
    def warning(self) -> str | None:
        """The one sentence the window and ``register show`` give when the register is out of date, else None."""
        if not self.out_of_date:
            return None
        when = self.imported_at.astimezone().strftime("%d %b %Y")
        return (
            f"The register is out of date: it was imported {plural(self.days, 'day')} ago ({when}) from {self.source}, and the"
            f" school asks for a fresh one every {plural(self.refresh_days, 'day')}: re-import the school's latest export from"
            " the MIS, so that a withdrawn consent is not missed."
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "imported_at": self.imported_at.isoformat(),
            "age_days": self.days,
            "refresh_days": self.refresh_days,
            "out_of_date": self.out_of_date,
            "warning": self.warning,
        }


def register_age(record: ImportRecord | None, *, refresh_days: int, now: datetime) -> RegisterAge | None:
    """How old the register imported as ``record`` is at ``now`` (None: none was imported). It is out of date
    once it is older than ``refresh_days`` whole days; 0 days means never (the school set no interval)."""
    if record is None:
        return None
    age = max(now - record.imported_at, timedelta(0))  # a clock set back makes it new, never old
    out_of_date = refresh_days > 0 and age > timedelta(days=refresh_days)
    return RegisterAge(
        source=record.source, imported_at=record.imported_at, days=age.days, refresh_days=refresh_days, out_of_date=out_of_date
    )


@dataclass(frozen=True, slots=True)
class RegisterChanges:
    """What importing a new register changes against the stored one. Pupils as the new register has them
    (``removed``: as the stored one had them)."""

    first_import: bool = False  # nothing was stored to compare with
    added: tuple[Pupil, ...] = ()
    removed: tuple[Pupil, ...] = ()
    consent_given: tuple[Pupil, ...] = ()
    consent_withdrawn: tuple[Pupil, ...] = ()
    consent_unclear: tuple[Pupil, ...] = ()  # had consent; the new register's cell says neither yes nor no
    pupils: int = 0  # in the new register
    # How each pupil listed is named, when plain labels would not tell two apart ("Orla Q. (Year 3, Laxey;
    # 1st of 2 in the new file)"): new register's ids, then the stored register's (``removed``).
    new_names: Mapping[int, str] = field(default_factory=dict)
    stored_names: Mapping[int, str] = field(default_factory=dict)

    def _names(self, pupils: Sequence[Pupil], *, stored: bool = False) -> str:
        names = self.stored_names if stored else self.new_names
        return ", ".join(names.get(p.id, p.label()) for p in pupils)

    @property
    def none(self) -> bool:
        return not (self.added or self.removed or self.consent_given or self.consent_withdrawn or self.consent_unclear)

    def lines(self) -> list[str]:
        """What changed, one sentence per kind of change, a withdrawal first; or that nothing did."""
        if self.first_import:
            return [f"No register was stored before: all {plural(self.pupils, 'pupil')} are new."]
        if self.none:
            return [NO_CHANGES]
        return self.held_lines() + self.other_lines()

    def held_lines(self) -> list[str]:
        """The sentences about pupils the stored register admits and the new one holds: consent withdrawn, then unclear."""
        lines = []
        if self.consent_withdrawn:
            lines.append(
                f"Consent withdrawn for {plural(len(self.consent_withdrawn), 'pupil')}: {self._names(self.consent_withdrawn)}"
                f" — {_they(self.consent_withdrawn)} will be held in the waiting room."
            )
        if self.consent_unclear:
            lines.append(
                f"Consent no longer clear for {plural(len(self.consent_unclear), 'pupil')}: {self._names(self.consent_unclear)}"
                f" — {_they(self.consent_unclear)} will be held in the waiting room until the register says yes or no."
            )
        return lines

    def other_lines(self) -> list[str]:
        """The other changes: pupils removed, pupils added, consent given."""
        lines = []
        if self.removed:
            lines.append(
                f"Removed: {plural(len(self.removed), 'pupil')} no longer on the register: {self._names(self.removed, stored=True)}"
                " — held in the waiting room as not on the register."
            )
        if self.added:
            parts = [
                f"{words}: {self._names(pupils)}"
                for words, pupils in (
                    ("with consent", [p for p in self.added if p.consent]),
                    ("without consent", [p for p in self.added if not p.consent]),
                )
                if pupils
            ]
            lines.append(f"Added: {plural(len(self.added), 'pupil')} — {'; '.join(parts)}.")
        if self.consent_given:
            lines.append(f"Consent given for {plural(len(self.consent_given), 'pupil')}: {self._names(self.consent_given)}.")
        return lines

    def text(self) -> str:
        return "\n".join(["Changes since the last import:", *(f"  {line}" for line in self.lines())])

    def as_dict(self) -> dict[str, object]:
        def labels(pupils: Iterable[Pupil], names: Mapping[int, str] | None = None) -> list[str]:
            return [(names or self.new_names).get(p.id, p.label()) for p in pupils]

        return {
            "first_import": self.first_import,
            "added": labels(self.added),
            "removed": labels(self.removed, self.stored_names),
            "consent_given": labels(self.consent_given),
            "consent_withdrawn": labels(self.consent_withdrawn),
            "consent_unclear": labels(self.consent_unclear),
        }


def register_changes(
    stored: Sequence[Pupil],
    new: Sequence[Pupil],
    *,
    unclear: Collection[int] = (),
    compare_surnames: bool = False,
) -> RegisterChanges:
    """What replacing the ``stored`` register with ``new`` changes.

    A pupil of one is the same pupil in the other by first name, surname initial and school (and,
    with ``compare_surnames``, when both registers' surname digests were made with the same key,
    the surname); among several that fit, the one in the same class, then the first. A pupil who
    moved class is the same pupil. ``unclear``: the ids in ``new`` of pupils whose consent cell
    said neither yes nor no (kept without consent): a consent that was given and is now unclear
    is told apart from a withdrawal.
    """
    if not stored:
        return RegisterChanges(first_import=True, pupils=len(new))
    pool: dict[tuple[str, str, str], list[Pupil]] = {}
    for pupil in stored:
        pool.setdefault(_who(pupil), []).append(pupil)
    added, given, withdrawn, unclear_now = [], [], [], []
    for pupil in new:
        candidates = [old for old in pool.get(_who(pupil), []) if not compare_surnames or _same_surname(old, pupil)]
        if not candidates:
            added.append(pupil)
            continue
        old = next((c for c in candidates if c.class_name == pupil.class_name), candidates[0])
        pool[_who(pupil)].remove(old)
        if old.consent and not pupil.consent:
            (unclear_now if pupil.id in unclear else withdrawn).append(pupil)
        elif pupil.consent and not old.consent:
            given.append(pupil)
    left = {id(p) for group in pool.values() for p in group}
    return RegisterChanges(
        new_names=_told_apart(new, "in the new file"),
        stored_names=_told_apart(stored, "in the stored register"),
        added=tuple(added),
        removed=tuple(p for p in stored if id(p) in left),
        consent_given=tuple(given),
        consent_withdrawn=tuple(withdrawn),
        consent_unclear=tuple(unclear_now),
        pupils=len(new),
    )


def _who(pupil: Pupil) -> tuple[str, str, str]:
    return fold(pupil.first_name), fold(pupil.surname_initial or ""), fold(pupil.school or "")


def _same_surname(old: Pupil, new: Pupil) -> bool:
    """Digests made with one key: the same surname shares one (a register without them tells by initial only)."""
    if not old.surname_digests or not new.surname_digests:
        return True
    return bool(set(old.surname_digests) & set(new.surname_digests))


def _told_apart(pupils: Sequence[Pupil], where: str) -> dict[int, str]:
    """For pupils whose label another pupil of the same register shares: the label with which of them
    it is, in the register's order ("1st of 2 in the new file"); nothing more is kept of the surname."""
    counts = Counter(p.label() for p in pupils)
    seen: Counter[str] = Counter()
    names = {}
    for pupil in pupils:
        label = pupil.label()
        if counts[label] > 1:
            seen[label] += 1
            which = f"{_ordinal(seen[label])} of {counts[label]} {where}"
            names[pupil.id] = f"{label[:-1]}; {which})" if pupil.class_label else f"{label} ({which})"
    return names


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _they(pupils: Sequence[Pupil]) -> str:
    return "they" if len(pupils) != 1 else "this pupil"
