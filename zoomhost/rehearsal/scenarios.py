"""Scripted rehearsals: a register, a staff list, and who turns up when, under which display name.

``assembly`` is the federation's whole school (the protocol's 272 pupils: 195 at Laxey, 77 at
Dhoon) arriving over a few minutes with every awkward case the live panel must handle; ``class``
is one class of 30; ``staff`` a meeting of staff only. Names are generated from a fixed seed, so every run and every test sees the
same people. Each arrival carries the verdict the waiting-room classifier is expected to reach,
as data, so tests elsewhere can compare.

The assembly is a meeting that requires registration: each consented family with an address on
file (``Scenario.families``) has its own link once the school has registered them, and comes
through it (a device name showing, sometimes); staff sign in to the school's Zoom account; an
insider forwards a pupil's link to someone else; an intruder types a teacher's name from the
letter. Families without a link of their own register at the door, as Zoom makes them. The
expected verdicts are those of a school that registered its families (``families``) before the
meeting; the class meeting has no registration, so its pupils are known by their typed names.
"""

from __future__ import annotations

import csv
import random
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

from zoomhost.core.models import Verdict
from zoomhost.core.nicknames import aliases
from zoomhost.rehearsal.state import RehearsalError, ZoomState

REGISTER_HEADER = ("Forename", "Preferred name", "Surname", "Reg group", "Zoom consent", "Consent date", "Leaving date")
STAFF_HEADER = ("Name", "Email")
LOCK_AFTER_S = 300.0  # protocol: lock once everyone is in, or 5 minutes after the start

GIRLS = (
    "Isla", "Ava", "Mia", "Ivy", "Lily", "Rosie", "Sophia", "Grace", "Freya", "Willow", "Florence", "Emily",
    "Ella", "Poppy", "Evie", "Elsie", "Charlotte", "Evelyn", "Sienna", "Daisy", "Phoebe", "Sophie", "Harper",
    "Matilda", "Ruby", "Alice", "Millie", "Eva", "Jessica", "Luna", "Maya", "Esme", "Imogen", "Layla", "Thea",
    "Holly", "Erin", "Niamh", "Orla", "Megan", "Chloe", "Lucy", "Hannah", "Katie", "Zara", "Aoife", "Lottie",
    "Harriet", "Molly", "Bethany",
)
BOYS = (
    "Noah", "George", "Arthur", "Muhammad", "Leo", "Harry", "Oscar", "Archie", "Henry", "Jack", "Charlie",
    "Jacob", "Finley", "Arlo", "Lucas", "Roman", "Isaac", "Teddy", "Luca", "James", "Albie", "Elijah", "Max",
    "Mason", "Reuben", "Logan", "Ethan", "Callum", "Rory", "Dylan", "Kian", "Owen", "Lewis", "Sam", "Daniel",
    "Ryan", "Jamie", "Finn", "Euan", "Harvey", "Stanley", "Jude", "Toby", "Ronnie", "Frankie",
)
#: Legal forename -> the name the child is known by (the register's "Preferred name").
PREFERRED = {
    "Alfred": "Alfie", "Thomas": "Tom", "William": "Will", "Elizabeth": "Libby", "Katherine": "Kate",
    "Alexander": "Alex", "Edward": "Ted", "Margaret": "Maisie", "Frederick": "Freddie", "Theodore": "Theo",
    "Isabella": "Bella", "Eleanor": "Nell", "Joshua": "Josh",
}
SURNAMES = (
    "Quayle", "Kermode", "Corlett", "Kinvig", "Cregeen", "Callister", "Kneale", "Quirk", "Corkill", "Cain",
    "Clague", "Kewley", "Skillicorn", "Moore", "Teare", "Gelling", "Crellin", "Faragher", "Killey", "Kelly",
    "Shimmin", "Costain", "Caine", "Cowley", "Looney", "Mylchreest", "Qualtrough", "Sayle", "Watterson",
    "Cannell", "Craine", "Bridson", "Clucas", "Karran", "Kissack", "Lewin", "Maddrell", "Quine", "Quilliam",
    "Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Johnson", "Roberts", "Walker", "Wright",
    "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris", "Clarke",
    "Jackson", "Turner", "Hill", "Cooper", "Ward", "Morris", "Kaighin", "Radcliffe", "Duggan", "Stowell",
)
LAXEY_CLASSES = (("Laxey R", 28), ("Laxey Y1", 28), ("Laxey Y2", 28), ("Laxey Y3", 28), ("Laxey Y4", 28), ("Laxey Y5", 28), ("Laxey Y6", 27))
DHOON_CLASSES = (("Dhoon R-Y2", 25), ("Dhoon Y3-4", 26), ("Dhoon Y5-6", 26))
CLASS_LETTERS = frozenset({"R", "Y"})  # "R" is Reception, "Y" starts a year group
CYRILLIC_A = "\u0410"  # looks exactly like a Latin capital A
FAMILY_DOMAIN = "families.example"  # the rehearsal's parent addresses: a reserved name, nobody's mailbox


class Behaviour(StrEnum):
    WAITS = "waits"  # arrives and stays until admitted, removed or the end
    LEAVES = "leaves"  # gives up (or leaves the meeting) ``after_s`` seconds after arriving
    RENAMES = "renames"  # changes display name to ``rename_to`` ``after_s`` seconds after arriving
    REJOINS = "rejoins"  # drops out ``after_s`` seconds after arriving and comes back ``rejoin_gap_s`` later


@dataclass(frozen=True)
class RegisterRow:
    forename: str
    preferred_name: str
    surname: str
    reg_group: str
    consent: bool
    consent_date: date | None = None
    leaving_date: date | None = None

    @property
    def known_as(self) -> str:
        return self.preferred_name or self.forename

    @property
    def school(self) -> str:
        return self.reg_group.split()[0]


@dataclass(frozen=True)
class StaffRow:
    name: str
    email: str


@dataclass(frozen=True)
class Arrival:
    """One join attempt in the script. ``expected`` is the verdict on ``display_name`` as it arrives."""

    key: str
    at_s: float
    display_name: str
    expected: Verdict
    behaviour: Behaviour = Behaviour.WAITS
    after_s: float = 0.0
    rename_to: str | None = None
    expected_after_rename: Verdict | None = None
    rejoin_gap_s: float = 15.0
    identity: str = ""  # the same person on the same device keeps one identity
    email: str = ""  # signs in to the school's Zoom account as this address (staff); the host skips the waiting room
    link: str = ""  # opens this pupil's family link (the pupil's arrival key), if the school registered the family
    note: str = ""


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    meeting: str  # "assembly" or "class": which of the rehearsal account's meetings it plays in
    register: tuple[RegisterRow, ...]
    staff: tuple[StaffRow, ...]
    arrivals: tuple[Arrival, ...]
    lock_after_s: float = LOCK_AFTER_S
    registration: int | None = None  # Zoom's approval type when the meeting requires registration (0: automatic)
    families: tuple[int, ...] = ()  # register rows whose family has an address on file, so a link of their own

    @staticmethod
    def family_address(row: int) -> str:
        """The parent address on file for register row ``row`` (what the school's address file would give)."""
        return f"family.p{row:03d}@{FAMILY_DOMAIN}"

    @staticmethod
    def row_of(key: str) -> int | None:
        """The register row a pupil's arrival key names ("p017" -> 17), None for anyone else."""
        return int(key[1:]) if key[:1] == "p" and key[1:].isdigit() else None

    @property
    def duration_s(self) -> float:
        ends = [a.at_s + (a.after_s + a.rejoin_gap_s if a.behaviour is Behaviour.REJOINS else a.after_s) for a in self.arrivals]
        return max(ends, default=0.0)

    def expected_verdicts(self) -> list[tuple[str, str, Verdict]]:
        """(arrival key, display name, expected verdict) in arrival order; a rejoin is heard again, same verdict."""
        return [(a.key, a.display_name, a.expected) for a in self.arrivals]

    def counts(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for arrival in self.arrivals:
            totals[arrival.expected.value] = totals.get(arrival.expected.value, 0) + 1
        return totals

    def meeting_id(self, state: ZoomState) -> int:
        return state.scenario_meetings()[self.meeting]

    def write_register_csv(self, path: Path) -> Path:
        """The consent register as a school MIS would export it (UTF-8 with BOM, as Excel saves it)."""
        with Path(path).open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(REGISTER_HEADER)
            for row in self.register:
                writer.writerow(
                    (
                        row.forename,
                        row.preferred_name,
                        row.surname,
                        row.reg_group,
                        "Yes" if row.consent else "No",
                        row.consent_date.isoformat() if row.consent_date else "",
                        row.leaving_date.isoformat() if row.leaving_date else "",
                    )
                )
        return Path(path)

    def write_staff_csv(self, path: Path) -> Path:
        with Path(path).open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(STAFF_HEADER)
            writer.writerows((s.name, s.email) for s in self.staff)
        return Path(path)


# -- building the people -------------------------------------------------------------------------
STAFF = (
    StaffRow("Kirsty Christian", "k.christian@sch.im"),
    StaffRow("Joanne Kelly", "j.kelly@sch.im"),
    StaffRow("Peter Corlett", "p.corlett@sch.im"),
    StaffRow("Sarah Kinrade", "s.kinrade@sch.im"),
    StaffRow("Gareth Moore", "g.moore@sch.im"),
    StaffRow("Helen Quayle", "h.quayle@sch.im"),
)


def _register(rng: random.Random, classes: tuple[tuple[str, int], ...], *, specials: dict[int, tuple[str, str]]) -> list[RegisterRow]:
    """Unique first name + surname initial; ``specials`` places fixed forenames (the homoglyph target, the shared name)."""
    reserved = {forename for forename, _ in specials.values()}
    girls = [g for g in GIRLS if g not in reserved]
    boys = [b for b in BOYS if b not in reserved]
    taken: set[tuple[str, str]] = set()
    rows: list[RegisterRow] = []
    index = 0
    for reg_group, size in classes:
        for _ in range(size):
            preferred = ""
            if index in specials:
                forename, surname = specials[index]
            else:
                while True:
                    roll = rng.random()
                    if roll < 0.08:
                        forename = rng.choice(sorted(PREFERRED))
                        preferred = PREFERRED[forename]
                    else:
                        forename = rng.choice(girls if roll < 0.54 else boys)
                    surname = rng.choice(SURNAMES)
                    # The register keeps only the surname initial, so a first name and initial must
                    # single a pupil out, as in a real school where staff would tell them apart.
                    keys = _name_keys(forename, preferred, surname)
                    if not keys & taken:
                        break
            taken |= _name_keys(forename, preferred, surname)
            consent_on = date(2024, 9, 5) + timedelta(days=rng.randrange(40))
            rows.append(RegisterRow(forename, preferred, surname, reg_group, True, consent_on))
            index += 1
    return rows


def _name_keys(forename: str, preferred: str, surname: str) -> set[tuple[str, str]]:
    """Every (first name, initial) a family might type for this pupil, nicknames included."""
    names = {n.lower() for n in (forename, preferred) if n}
    typed = set().union(*(aliases(n) for n in names)) | names
    return {(name, surname[0].lower()) for name in typed}


def _withhold_consent(rows: list[RegisterRow], indexes: list[int]) -> None:
    for i in indexes:
        r = rows[i]
        rows[i] = RegisterRow(r.forename, r.preferred_name, r.surname, r.reg_group, False, None, r.leaving_date)


class _Namer:
    """Display names a family really types, checked so that a 'unique' name is unique on the register."""

    def __init__(self, rows: list[RegisterRow], rng: random.Random) -> None:
        self.rng = rng
        self._by_initial: dict[tuple[str, str], int] = {}
        self._by_first: dict[str, int] = {}
        for r in rows:
            for first in {r.forename.lower(), r.known_as.lower()}:
                self._by_initial[(first, r.surname[0].lower())] = self._by_initial.get((first, r.surname[0].lower()), 0) + 1
                self._by_first[first] = self._by_first.get(first, 0) + 1

    def initial_is_unique(self, row: RegisterRow) -> bool:
        return self._by_initial.get((row.known_as.lower(), row.surname[0].lower()), 0) == 1

    def first_is_shared(self, first: str) -> bool:
        return self._by_first.get(first.lower(), 0) > 1

    def variant(self, row: RegisterRow) -> str:
        name, surname, initial = row.known_as, row.surname, row.surname[0]
        # "Jude R" could mean the Reception class as well as an initial: families who type an
        # initial that is also a class name are written with the whole surname.
        short = f"{name} {initial}" if self.initial_is_unique(row) and initial not in CLASS_LETTERS else f"{name} {surname}"
        choices = (
            (45, f"{name} {surname}"),
            (20, short),
            (5, f"{short}."),
            (5, f"{name.lower()} {surname.lower()}"),
            (5, f"Mum - {short}"),
            (5, f"{short}'s iPad"),
            (4, f"Dad ({name} {surname})"),
            (2, f"{name.upper()} {surname.upper()}"),
            (9, f"{name} {surname} ({row.reg_group})"),
        )
        return self.rng.choices([c for _, c in choices], weights=[w for w, _ in choices])[0]


def _arrival_times(rng: random.Random, count: int, *, spread_s: float) -> list[float]:
    """Most families join in the few minutes around the start; a few early, a few late."""
    times = sorted(min(spread_s, max(2.0, rng.triangular(2.0, spread_s, spread_s * 0.35))) for _ in range(count))
    return [round(t, 2) for t in times]


def _pupil_arrivals(
    rows: list[RegisterRow],
    namer: _Namer,
    rng: random.Random,
    *,
    absent: set[int],
    skip: set[int],
    spread_s: float,
    linked: frozenset[int] = frozenset(),
) -> list[Arrival]:
    chosen = [i for i in range(len(rows)) if i not in absent and i not in skip]
    times = _arrival_times(rng, len(chosen), spread_s=spread_s)
    rng.shuffle(chosen)
    arrivals = []
    for at_s, i in zip(times, chosen, strict=True):
        row = rows[i]
        arrivals.append(
            Arrival(
                key=f"p{i:03d}",
                at_s=at_s,
                display_name=namer.variant(row),
                expected=Verdict.CONSENTED if row.consent else Verdict.NO_CONSENT,
                identity=f"pupil-{i}",
                link=f"p{i:03d}" if i in linked else "",
                note="" if row.consent else "no consent on the register",
            )
        )
    return arrivals


def _renaming(
    rows: list[RegisterRow], index: int, *, at_s: float, device: str, after_s: float, linked: bool = False
) -> Arrival:
    """A pupil who joins under the device's name, then types their own: through the family's own link,
    the link says who it is from the first moment; by name alone, the device name says nothing."""
    row = rows[index]
    named = Verdict.CONSENTED if row.consent else Verdict.NO_CONSENT
    return Arrival(
        f"p{index:03d}",
        at_s,
        device,
        named if linked else Verdict.NOT_ON_REGISTER,
        behaviour=Behaviour.RENAMES,
        after_s=after_s,
        rename_to=f"{row.known_as} {row.surname}",
        expected_after_rename=named,
        identity=f"pupil-{index}",
        link=f"p{index:03d}" if linked else "",
        note="joins through the family's link showing the device's name, then renames"
        if linked
        else "joins under the device's name, then renames",
    )


def _finish(arrivals: list[Arrival]) -> tuple[Arrival, ...]:
    return tuple(sorted(arrivals, key=lambda a: (a.at_s, a.key)))


def assembly(*, seed: int = 272) -> Scenario:
    """The whole federation: 272 pupils (195 Laxey, 77 Dhoon), six staff, and every awkward arrival."""
    rng = random.Random(seed)
    specials = {17: ("Amy", "Cregeen"), 40: ("Oliver", "Kneale"), 220: ("Oliver", "Crellin")}
    rows = _register(rng, LAXEY_CLASSES + DHOON_CLASSES, specials=specials)
    assert len(rows) == 272 and sum(r.school == "Laxey" for r in rows) == 195
    no_consent = sorted(rng.sample([i for i in range(len(rows)) if i not in specials], 7))
    _withhold_consent(rows, no_consent)
    namer = _Namer(rows, rng)
    consented = [i for i in range(len(rows)) if rows[i].consent and i not in specials]
    absent = set(rng.sample(consented, 10)) | set(no_consent[:2])  # two without consent stay away, as asked
    shared = [40, 220]  # the two Olivers: no address on file, so neither has a link of its own
    renamers = rng.sample([i for i in consented if i not in absent], 2)
    leavers = rng.sample([i for i in consented if i not in absent and i not in renamers], 3)
    rejoiner = next(i for i in consented if i not in absent and i not in renamers and i not in leavers)
    duplicated = next(i for i in consented if i not in absent and i not in renamers + leavers + [rejoiner] and namer.initial_is_unique(rows[i]))
    forwarded = next(i for i in consented if i not in absent and i not in renamers + leavers + [rejoiner, duplicated])
    skip = set(specials) | set(renamers) | {rejoiner}
    # Every consented family has an address on file, and so a link of its own, but the two Olivers'.
    families = tuple(i for i in range(len(rows)) if rows[i].consent and i not in shared)
    linked = frozenset(families)
    arrivals = _pupil_arrivals(rows, namer, rng, absent=absent, skip=skip, spread_s=240.0, linked=linked)

    def replace(key: str, **changes: object) -> None:
        for n, a in enumerate(arrivals):
            if a.key == key:
                values = {**a.__dict__, **changes}
                arrivals[n] = Arrival(**values)  # type: ignore[arg-type]

    for i in leavers:
        replace(f"p{i:03d}", behaviour=Behaviour.LEAVES, after_s=45.0, note="leaves after 45 s")
    dup_key = f"p{duplicated:03d}"
    replace(dup_key, at_s=20.0)
    forwarded_key = f"p{forwarded:03d}"
    replace(forwarded_key, at_s=30.0)
    amy, oliver_a, oliver_b = rows[17], rows[40], rows[220]
    staff_names = [s.name for s in STAFF]
    arrivals += [
        Arrival("host", 0.0, "Kirsty Christian", Verdict.STAFF, identity="staff-0", email=STAFF[0].email, note="the host"),
        Arrival("s1", 8.0, staff_names[1], Verdict.STAFF, identity="staff-1", email=STAFF[1].email, note="staff, signed in"),
        Arrival(
            "s2", 35.0, f"{staff_names[2]} (Dhoon)", Verdict.STAFF, identity="staff-2", email=STAFF[2].email,
            note="staff, signed in, school in brackets",
        ),
        Arrival("s3", 61.0, staff_names[3], Verdict.STAFF, identity="staff-3", email=STAFF[3].email, note="staff, signed in"),
        Arrival("s4", 95.0, "Gareth's iPad", Verdict.STAFF, identity="staff-4", email=STAFF[4].email, note="staff, signed in on a device named for them"),
        Arrival("s5", 150.0, staff_names[5], Verdict.STAFF, identity="staff-5", email=STAFF[5].email, note="staff, signed in"),
        Arrival(
            "intruder",
            170.0,
            "Mrs Kelly",
            Verdict.DUPLICATE,
            identity="intruder",
            note="types a teacher's name from the letter, not signed in, while that teacher is already here",
        ),
        Arrival("p017", 58.0, f"Amy {amy.surname}", Verdict.CONSENTED, identity="pupil-17", link="p017", note="the real Amy"),
        Arrival(
            "impostor",
            205.0,
            f"{CYRILLIC_A}my {amy.surname}",
            Verdict.SUSPICIOUS,
            identity="impostor",
            note="Cyrillic capital A: looks like the real Amy, is not",
        ),
        Arrival(
            "p040", 88.0, "Oliver", Verdict.AMBIGUOUS, identity="pupil-40",
            note=f"two consented Olivers ({oliver_a.reg_group}, {oliver_b.reg_group}); no address on file, so no link of their own",
        ),
        Arrival("p220", 112.0, "Oliver's iPad", Verdict.AMBIGUOUS, identity="pupil-220", note="the other Oliver; nothing tells them apart"),
        Arrival(
            "forwarded",
            185.0,
            "Ben",
            Verdict.DUPLICATE,
            identity="forwarded",
            link=forwarded_key,
            note="someone the family forwarded their link to: a second device through one pupil's link",
        ),
        Arrival(
            "duplicate",
            150.0,
            next(a.display_name for a in arrivals if a.key == dup_key),
            Verdict.DUPLICATE,
            identity="duplicate-device",
            note="same name as a pupil admitted two minutes earlier, on another device",
        ),
        Arrival("grandad", 122.0, "Grandad", Verdict.NOT_ON_REGISTER, identity="grandad", note="an adult with no name given"),
        Arrival("device", 140.0, "Galaxy A52", Verdict.NOT_ON_REGISTER, identity="device", note="a device name, never renamed"),
        Arrival(
            "zoombomber",
            LOCK_AFTER_S + 20.0,
            "xX_RaidLord_Xx",
            Verdict.NOT_ON_REGISTER,
            identity="zoombomber",
            note="arrives after the 5-minute lock with a leaked link",
        ),
    ]
    for n, (i, device) in enumerate(zip(renamers, ("iPad", "DESKTOP-4HJ2K9"), strict=True)):
        arrivals.append(_renaming(rows, i, at_s=70.0 + 30 * n, device=device, after_s=20.0, linked=i in linked))
    row = rows[rejoiner]
    arrivals.append(
        Arrival(
            f"p{rejoiner:03d}",
            45.0,
            f"{row.known_as} {row.surname}",
            Verdict.CONSENTED,
            behaviour=Behaviour.REJOINS,
            after_s=60.0,
            rejoin_gap_s=15.0,
            identity=f"pupil-{rejoiner}",
            link=f"p{rejoiner:03d}",
            note="drops out (Wi-Fi) and rejoins through the family's link",
        )
    )
    return Scenario(
        name="assembly",
        title="Whole-school assembly, Laxey and Dhoon",
        meeting="assembly",
        register=tuple(rows),
        staff=STAFF,
        arrivals=_finish(arrivals),
        registration=0,
        families=families,
    )


def class_meeting(*, seed: int = 30) -> Scenario:
    """One class of 30: two without consent, a parent's phone, a device rename, a late arrival after the lock."""
    rng = random.Random(seed)
    rows = _register(rng, (("Laxey Y4", 30),), specials={})
    _withhold_consent(rows, [7, 21])
    namer = _Namer(rows, rng)
    absent = {3, 21}
    renamer, late = 12, 26
    arrivals = _pupil_arrivals(rows, namer, rng, absent=absent, skip={renamer, late}, spread_s=150.0)
    late_row = rows[late]
    arrivals += [
        Arrival("host", 0.0, "Kirsty Christian", Verdict.STAFF, identity="staff-0", email=STAFF[0].email, note="the host"),
        Arrival("s1", 20.0, "Joanne Kelly", Verdict.STAFF, identity="staff-1", email=STAFF[1].email, note="teaching assistant, signed in"),
        _renaming(rows, renamer, at_s=60.0, device="iPhone", after_s=15.0),
        Arrival(
            f"p{late:03d}",
            LOCK_AFTER_S + 30.0,
            f"{late_row.known_as} {late_row.surname}",
            Verdict.CONSENTED,
            identity=f"pupil-{late}",
            note="consented, but arrives after the lock",
        ),
    ]
    return Scenario(
        name="class",
        title="Year 4 class catch-up",
        meeting="class",
        register=tuple(rows),
        staff=STAFF[:2],
        arrivals=_finish(arrivals),
    )


def staff_meeting() -> Scenario:
    """A meeting of staff only (its topic says so): staff sign in to the school's Zoom account; a guest with the
    link types a pupil's first name, someone types a teacher's name without signing in, a device never renamed.

    Held to the staff-meeting profile, nobody is judged against the pupil register: the pupil's name is
    nobody on the staff list, and only signed-in staff may be admitted without the teacher's click."""
    pupils = assembly().register  # the school's register is loaded as for any session: it must not count here
    amy = pupils[17]
    return Scenario(
        name="staff",
        title="Staff meeting: end-of-term reports",
        meeting="staff",
        register=pupils,
        staff=STAFF,
        arrivals=_finish(
            [
                Arrival("host", 0.0, "Kirsty Christian", Verdict.STAFF, identity="staff-0", email=STAFF[0].email, note="the host"),
                Arrival("s1", 5.0, "Joanne Kelly", Verdict.STAFF, identity="staff-1", email=STAFF[1].email, note="staff, signed in"),
                Arrival(
                    "s2", 12.0, "Peter Corlett (Dhoon)", Verdict.STAFF, identity="staff-2", email=STAFF[2].email,
                    note="staff, signed in, school in brackets",
                ),
                Arrival("s4", 20.0, "Gareth's iPad", Verdict.STAFF, identity="staff-4", email=STAFF[4].email, note="staff, signed in on a device"),
                Arrival(
                    "guest", 28.0, amy.known_as, Verdict.NOT_ON_REGISTER, identity="guest",
                    note="someone with the link types a pupil's first name: not a member of staff, and never a pupil here",
                ),
                Arrival(
                    "claim", 36.0, "Sarah Kinrade", Verdict.STAFF, identity="claim",
                    note="types a teacher's name without signing in: a claim, held for the teacher's click",
                ),
                Arrival("device", 44.0, "Galaxy A52", Verdict.NOT_ON_REGISTER, identity="device", note="a device name, never renamed"),
            ]
        ),
    )


SCENARIOS: dict[str, Callable[[], Scenario]] = {"assembly": assembly, "class": class_meeting, "staff": staff_meeting}


# -- playing a scenario --------------------------------------------------------------------------
@dataclass
class ScenarioRun:
    """A scenario being played into the state on a background thread. ``stop()`` ends it early."""

    scenario: Scenario
    meeting_id: int
    participants: dict[str, list[int]] = field(default_factory=dict)  # arrival key -> in-meeting ids, each join
    refused: list[str] = field(default_factory=list)  # arrival keys Zoom turned away (locked, removed)
    error: str | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)

    def wait(self, timeout: float | None = None) -> bool:
        """True once every step has been played (or the run stopped)."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def done(self) -> bool:
        return self._thread is None or not self._thread.is_alive()


def _steps(scenario: Scenario) -> list[tuple[float, int, str, Arrival]]:
    steps: list[tuple[float, int, str, Arrival]] = []
    for n, a in enumerate(scenario.arrivals):
        steps.append((a.at_s, n, "arrive", a))
        if a.behaviour is Behaviour.LEAVES:
            steps.append((a.at_s + a.after_s, n, "leave", a))
        elif a.behaviour is Behaviour.RENAMES:
            steps.append((a.at_s + a.after_s, n, "rename", a))
        elif a.behaviour is Behaviour.REJOINS:
            steps.append((a.at_s + a.after_s, n, "leave", a))
            steps.append((a.at_s + a.after_s + a.rejoin_gap_s, n, "arrive", a))
    return sorted(steps, key=lambda s: (s[0], s[1], s[2] != "leave"))


def play(
    state: ZoomState,
    scenario: Scenario,
    *,
    speed: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
    meeting_id: int | None = None,
    start_meeting: bool = True,
    hooks: Iterable[tuple[float, Callable[[], object]]] = (),
) -> ScenarioRun:
    """Start playing arrivals into ``state``: ``speed`` 1.0 is real time, 60 plays a minute a second.

    ``hooks`` are (scenario second, function) pairs called on the playback thread in their place
    in the script, before arrivals of the same second: a host policy's "lock at 5 minutes" stays
    in step with the arrivals at any speed.
    """
    if speed <= 0:
        raise ValueError("speed must be above zero")
    target = meeting_id if meeting_id is not None else scenario.meeting_id(state)
    if start_meeting:
        state.start_meeting(target)
    run = ScenarioRun(scenario=scenario, meeting_id=target)
    steps = sorted(
        [(at_s, -1, "hook", fn) for at_s, fn in hooks] + _steps(scenario),  # type: ignore[misc]
        key=lambda s: (s[0], s[1], s[2] != "leave"),
    )

    def play_steps() -> None:
        began = clock()
        for at_s, _, action, arrival in steps:
            delay = began + at_s / speed - clock()
            stopped = run._stop.wait(delay) if delay > 0 else run._stop.is_set()
            if stopped:
                return
            try:
                if action == "hook":
                    arrival()
                    continue
                _perform(state, run, action, arrival)
            except RehearsalError as err:  # the meeting ended under the script: nothing more to play
                run.error = err.message
                return

    run._thread = threading.Thread(target=play_steps, name=f"rehearsal-{scenario.name}", daemon=True)
    run._thread.start()
    return run


def _perform(state: ZoomState, run: ScenarioRun, action: str, arrival: Arrival) -> None:
    ids = run.participants.setdefault(arrival.key, [])
    if action == "arrive":
        account = state.host_id if arrival.key == "host" else state.account_user(arrival.email) if arrival.email else ""
        row = Scenario.row_of(arrival.link) if arrival.link else None
        # The family's own link, if the school registered the family for this meeting; else the meeting's link.
        registrant = state.registrant_of(run.meeting_id, Scenario.family_address(row)) if row is not None else ""
        joined = state.arrive(
            run.meeting_id,
            arrival.display_name,
            identity=arrival.identity or arrival.key,
            account_user_id=account,
            registrant_id=registrant,
        )
        if joined is None:
            run.refused.append(arrival.key)
        else:
            ids.append(joined.user_id)
    elif ids and action == "leave":
        state.leave(run.meeting_id, ids[-1])
    elif ids and action == "rename" and arrival.rename_to:
        state.rename(run.meeting_id, ids[-1], arrival.rename_to)
