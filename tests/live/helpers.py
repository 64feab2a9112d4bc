"""Shared pieces for the live engine's tests: what a journal must show after a rehearsal, and waiting."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from zoomhost.core.journal import JournalEntry, JournalKind, SessionJournal
from zoomhost.core.models import Verdict
from zoomhost.core.summary import STILL_WAITING
from zoomhost.live.notes import LiveNote
from zoomhost.rehearsal.scenarios import Behaviour, Scenario

ADMISSIBLE = {Verdict.CONSENTED.value, Verdict.STAFF.value}


def scripted_names(scenario: Scenario) -> Counter[str]:
    """Each join the script makes, by the name it arrives under (a pupil who rejoins arrives twice)."""
    names: Counter[str] = Counter()
    for arrival in scenario.arrivals:
        names[arrival.display_name] += 2 if arrival.behaviour is Behaviour.REJOINS else 1
    return names


def expected_verdicts(scenario: Scenario) -> dict[str, int]:
    """The script's verdicts per participant at the end: after a rename, and once per join."""
    counts = Counter({verdict.value: 0 for verdict in Verdict})
    for arrival in scenario.arrivals:
        final = arrival.expected_after_rename if arrival.behaviour is Behaviour.RENAMES and arrival.expected_after_rename else arrival.expected
        counts[final.value] += 2 if arrival.behaviour is Behaviour.REJOINS else 1
    return dict(counts)


def kept_names(scenario: Scenario) -> Counter[str | None]:
    """Each join the script makes (under the autopilot), by the name a closed session's journal keeps it
    under: a pupil's first name, initial and class, the staff list's name for staff, the name as typed
    for incident evidence (a duplicate, a look-alike, an arrival after the lock), else no name at all."""
    staff = {f"staff-{n}": member.name for n, member in enumerate(scenario.staff)}
    names: Counter[str | None] = Counter()
    for arrival in scenario.arrivals:
        final = arrival.expected_after_rename if arrival.behaviour is Behaviour.RENAMES else arrival.expected
        if arrival.expected in (Verdict.DUPLICATE, Verdict.SUSPICIOUS) or arrival.at_s >= scenario.lock_after_s:
            kept: str | None = arrival.display_name
        elif arrival.expected is Verdict.STAFF:
            kept = staff[arrival.identity]
        elif arrival.key.startswith("p") and final in (Verdict.CONSENTED, Verdict.NO_CONSENT) and arrival.expected is final:
            row = scenario.register[int(arrival.key[1:])]
            kept = f"{row.known_as} {row.surname[0]}. ({row.reg_group})"
        else:  # not on the register, ambiguous, or a device name the pupil renamed later
            kept = None
        names[kept] += 2 if arrival.behaviour is Behaviour.REJOINS else 1
    return names


def check_journal(journal: SessionJournal, scenario: Scenario) -> list[JournalEntry]:
    """The rules every rehearsal journal keeps: each scripted arrival once, nobody admitted twice or unchecked.

    Once the session has closed, its journal keeps each arrival under the name :func:`kept_names` says.
    """
    entries = journal.entries()
    # The host assistant arrives too, as Zoom puts it in the waiting room; it says which participant it is,
    # and from then on it is nobody's arrival. Zoom's own report of it may be journaled first.
    assistant = assistant_ids(journal)
    assert assistant, "the host assistant never said which participant it is"
    arrivals = [e for e in entries if e.kind is JournalKind.ARRIVAL and e.participant_id not in assistant]
    assert len({e.participant_id for e in arrivals}) == len(arrivals), "a participant was journaled as arriving twice"
    closed = bool(journal.rewritten_through())
    expected = kept_names(scenario) if closed else scripted_names(scenario)
    # Heard by name alone first (the host assistant) and then from Zoom with who it is: a closed journal
    # keeps the arrival under the name Zoom's word gave it (a device name alone is kept as no name).
    identified = {e.participant_id: e.display_name for e in entries if e.kind is JournalKind.IDENTIFIED} if closed else {}
    kept = Counter(identified.get(e.participant_id, e.display_name) for e in arrivals)
    assert kept == expected, "an arrival was lost or doubled"
    admissions = Counter(e.participant_id for e in entries if e.kind in (JournalKind.ADMITTED, JournalKind.JOINED))
    assert not assistant & set(admissions), "the host assistant was admitted as if it were a participant"
    assert max(admissions.values()) == 1, f"admitted twice: {[p for p, n in admissions.items() if n > 1]}"
    wrongly = [(e.display_name, e.verdict) for e in entries if e.kind is JournalKind.ADMITTED and e.verdict not in ADMISSIBLE]
    assert not wrongly, f"admitted without consent: {wrongly}"
    alarms = [e.detail["alarm"] for e in entries if e.kind is JournalKind.ALARM]
    assert "not_allowed_in" not in alarms
    return entries


def assistant_ids(journal: SessionJournal) -> set[str]:
    """The participant ids the host assistant reported as its own, as the journal has them."""
    return {e.participant_id for e in notes(journal, LiveNote.ASSISTANT) if e.participant_id}


def notes(journal: SessionJournal, note: LiveNote) -> list[JournalEntry]:
    return [e for e in journal.entries() if e.kind is JournalKind.NOTE and e.detail.get("note") == note.value]


async def until(predicate: Callable[[], object], *, timeout: float = 20.0, what: str = "condition") -> None:
    """Wait (without blocking the loop) until ``predicate()`` holds; fail with ``what`` otherwise."""
    try:
        async with asyncio.timeout(timeout):
            while not predicate():
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


NOT_BY_LINK = "Zoom does not say this came through the family's own link: this meeting admits pupils by link, so admit by hand if it is them"
UNISSUED = "came through a registration link zoomhost did not issue: not one of the families' own links"


def without_the_unissued_link(*summaries: dict[str, Any], names: set[str | None]) -> None:
    """Each summary's records of ``names`` (not let in, or an incident) without the clause saying they came
    through a registration link zoomhost did not issue: only Zoom's event stream can say that, and these
    arrivals were first heard where it had not, so whether the clause is there depends on timing alone."""
    for summary in summaries:
        for row in summary["not_admitted"]:
            if row["verdict"] != "consented" and row["who"] in names:
                row["reasons"] = [reason for reason in row["reasons"] if reason != UNISSUED]
        for row in summary["incidents"]:
            if row["display_name"] in names and row["kind"] != "duplicate":
                row["detail"] = row["detail"].replace(f"; {UNISSUED}", "")
                row["message"] = row["message"].replace(f"; {UNISSUED}", "")


def journal_of(entries: Sequence[JournalEntry]) -> Callable[[str], str]:
    """For an assertion's message: everything the journal holds about the pupil labelled ``who`` (each row of
    theirs, by participant id), one line an entry, so a failure in CI says what happened to them."""

    def told(who: str) -> str:
        rows = {e.participant_id for e in entries if e.pupil_label == who and e.participant_id}
        lines = [
            f"{e.at:%H:%M:%S.%f} {e.kind.value} {e.participant_id} {e.display_name!r} {e.verdict} {e.actor} {e.detail}"
            for e in entries
            if e.participant_id in rows
        ]
        return "\n".join(lines[-40:])

    return told


def waited_for_the_teacher(
    expected: dict[str, Any], got: dict[str, Any], *, picked_up: set[str | None], told: Callable[[str], str] = str
) -> int:
    """Families who came through their own link while zoomhost was down (``picked_up``: the names the pick-up
    journaled as arrivals, from Zoom's live participant list): the pick-up finds them on Zoom's live
    participant list, which never says whose registration link someone used (Zoom's Dashboard document:
    ``registrant_id`` "does not return if the `type` query parameter is the `live` value"), so they wait for the
    teacher's click by name, with the reason, where the undisturbed run admitted them by link (and leave from the
    waiting room where the script has them leave before anyone clicked). Checks that, and
    takes them out of ``expected`` so the rest compares whole."""
    waiting = [row for row in got["not_admitted"] if row not in expected["not_admitted"] and row["verdict"] == "consented"]
    unheard = sorted(row["who"] for row in waiting)
    assert unheard, "nobody came through their link while zoomhost was down: the restart tested nothing of it"
    for row in waiting:
        # still waiting at the end, or gone from the waiting room when the script has the family leave before the
        # teacher clicked (the undisturbed run had admitted them and they left the meeting then)
        assert (row["evidence"], row["reasons"][-1]) == ("name", NOT_BY_LINK), f"{row}\n{told(row['who'])}"
        assert row["outcome"] in (STILL_WAITING, "left the waiting room"), f"{row}\n{told(row['who'])}"
        assert row["who"] in picked_up, f"{row['who']} was heard from Zoom's event stream, with its link"
    gone = [row for row in expected["attendance"] if f"{row['first_name']} {row['surname_initial']}. ({row['class']})" in unheard]
    assert len(gone) == len(unheard) and all(row["admitted_by"] == "link" for row in gone)
    expected["attendance"] = [row for row in expected["attendance"] if row not in gone]
    expected["host_actions"] = [a for a in expected["host_actions"] if not (a[:2] == ["admit", "autopilot"] and a[2] in unheard)]
    counts, n = expected["counts"], len(unheard)
    counts.update(admitted=counts["admitted"] - n, pupils_attended=counts["pupils_attended"] - n, not_admitted=counts["not_admitted"] + n)
    counts["admitted_by"] = {**counts["admitted_by"], "link": counts["admitted_by"]["link"] - n}
    # Someone through a link zoomhost never issued, picked up the same way: held alike, without the word on the link.
    without_the_unissued_link(expected, got, names=picked_up)
    expected["not_admitted"] = expected["not_admitted"] + waiting
    for summary in (expected, got):
        for key in ("incidents", "not_admitted"):
            summary[key] = sorted(summary[key], key=lambda row: repr(sorted(row.items())))
    return n
