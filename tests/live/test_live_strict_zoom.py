"""The proof against a Zoom as strict as its documents: the 272-pupil assembly played headless with every
strictness switch on at once, and compared with an undisturbed run.

On (the disturbed run): a Pro plan (no Dashboard), late, duplicated and reordered events from a seed,
participant ids that change on admission, and a token that fails mid-session: every token expires
and for a minute of the meeting every event token is refused, a gap that hides the two departures
the script has in it. The host assistant plays in this process.

Then: every scripted arrival is journaled once; nobody is admitted twice, or without a consented or
staff verdict (by the journal and by the rehearsal Zoom's own account); the failing minute costs a
handful of connection attempts, one token renewal and one "may have been missed" alarm; both hidden
departures are in the journal; and the summary equals the undisturbed run's.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.live.helpers import ADMISSIBLE, UNISSUED, check_journal, without_the_unissued_link
from zoomhost.app.rehearse import RehearsalResult, rehearse
from zoomhost.core.journal import JournalKind, SessionJournal, SessionJournals
from zoomhost.core.summary import STILL_WAITING, SessionSummary
from zoomhost.rehearsal.binding import RehearsalBridge
from zoomhost.rehearsal.scenarios import assembly
from zoomhost.rehearsal.server import RehearsalServer
from zoomhost.system.runtime import AsyncRunner

pytestmark = pytest.mark.slow

SPEED = 20.0
FAILING_FROM_S, FAILING_FOR_S = 190.0, 60.0  # scenario seconds: a minute around the departures at 212 s and 226.7 s
HIDDEN_DEPARTURES = ("Ivy Radcliffe", "Finley Smith")
SWITCHES = {
    "event_disorder": {"seed": 2026, "late_rate": 0.3, "late_ms": 250, "duplicate_rate": 0.15},
    "participant_ids": "new_on_admission",
}


@dataclass
class Played:
    result: RehearsalResult
    server: RehearsalServer
    happened: list[dict[str, Any]] = field(default_factory=list)  # the rehearsal Zoom's own account of the meeting
    failing: tuple[float, float] = (0.0, 0.0)  # monotonic window of the failing minute

    def journal(self) -> SessionJournal:
        """The run's journal, in the home the run had (each test has a home of its own)."""
        return SessionJournals(self.result.journal.parent).open(self.result.summary.session_id)

    def summary(self) -> dict[str, Any]:
        with self.journal() as journal:
            return SessionSummary.from_journal(journal).comparable()


@contextmanager
def rehearsal_zoom(**switches: Any) -> Iterator[tuple[RehearsalServer, AsyncRunner]]:
    """A rehearsal Zoom on a Pro plan in this process, with a bridge for the in-process host assistant."""
    with RehearsalServer() as server, AsyncRunner(name="bridge") as runner:
        bridge = RehearsalBridge(state=server.state)
        server.assistant_bridge_url = runner.run(bridge.start(), timeout=10)
        if switches:
            server.faults.apply(switches)
        try:
            yield server, runner
        finally:
            runner.run(bridge.close(), timeout=10)


def _play(*, disturb: bool) -> Played:
    with rehearsal_zoom(**(SWITCHES if disturb else {})) as (server, _):
        happened: list[dict[str, Any]] = []
        server.state.subscribe(happened.append)
        played = Played(result=None, server=server, happened=happened)  # type: ignore[arg-type]
        stop = threading.Event()

        def fail_mid_session() -> None:
            while not server.scenario_runs and not stop.wait(0.005):
                pass
            t0 = time.monotonic()
            if stop.wait(max(0.0, t0 + FAILING_FROM_S / SPEED - time.monotonic())):
                return
            minute = FAILING_FOR_S / SPEED
            server.faults.apply({"expire_tokens": True, "refuse_event_tokens": {"seconds": minute}})
            played.failing = (time.monotonic(), time.monotonic() + minute)

        disturber = threading.Thread(target=fail_mid_session, daemon=True)
        if disturb:
            disturber.start()
        try:
            with AsyncRunner(name="rehearse") as runner:
                played.result = runner.run(
                    rehearse(scenario="assembly", speed=SPEED, server=server.api_base, assistant="in-process"), timeout=240
                )
        finally:
            stop.set()
            if disturb:
                disturber.join(5)
    return played


@pytest.fixture(scope="module")
def runs() -> tuple[Played, Played]:
    return _play(disturb=False), _play(disturb=True)


def test_the_switches_really_were_on(runs: tuple[Played, Played]) -> None:
    calm, stormy = runs
    assert calm.server.faults.status()["plan"] == stormy.server.faults.status()["plan"] == "pro"
    injected = stormy.server.faults.status()["injected"]
    assert injected["late_events"] > 20 and injected["duplicate_events"] > 10 and injected["event_token_refusals"] >= 2
    assert sum(calm.server.faults.status()["injected"].values()) == 0
    # Zoom's reports gave the admitted a new user_id: the same participant_uuid under two ids.
    ids_by_uuid: dict[str, set[str]] = {}
    for event in stormy.server.sent_events:
        person = event["payload"]["object"].get("participant")
        if person:
            ids_by_uuid.setdefault(person["participant_uuid"], set()).add(person["user_id"])
    assert sum(1 for ids in ids_by_uuid.values() if len(ids) >= 2) >= 100


@pytest.mark.parametrize("which", ["undisturbed", "disturbed"])
def test_every_arrival_is_journaled_once_and_nobody_admitted_twice_or_unchecked(runs: tuple[Played, Played], which: str) -> None:
    played = runs[0] if which == "undisturbed" else runs[1]
    with played.journal() as journal:
        entries = check_journal(journal, assembly())  # every scripted arrival once; journal admissions once each, all consented/staff
    classified = (JournalKind.ARRIVAL, JournalKind.RENAMED, JournalKind.IDENTIFIED)  # identified: Zoom said who it was
    verdict = {e.participant_id: e.verdict for e in entries if e.kind in classified}
    # The host assistant waited in the waiting room too, and the teacher's one step let it in: not zoomhost's doing.
    assistant = {e.participant_id for e in entries if e.kind is JournalKind.NOTE and e.detail.get("note") == "assistant"}
    assert played.result.as_dict()["assistant"] == {"launches": 1, "teacher_steps": 1}
    admitted: Counter[str] = Counter()
    for event in played.happened:  # the rehearsal Zoom's own account (the Meeting SDK's ids: the journal's)
        if event["event"] == "meeting.participant_admitted":
            uid = str(event["payload"]["object"]["participant"]["user_id"])
            if uid in assistant:
                continue
            admitted[uid] += 1
            assert verdict.get(uid) in ADMISSIBLE, f"{uid} was admitted but judged {verdict.get(uid)}"
    assert admitted and max(admitted.values()) == 1
    assert not [e for e in entries if e.kind is JournalKind.ALARM and e.detail.get("alarm") == "not_allowed_in"]


def test_a_failing_minute_costs_a_handful_of_attempts_and_one_alarm(runs: tuple[Played, Played]) -> None:
    _, stormy = runs
    start, end = stormy.failing
    assert end > start, "the token never failed"
    attempts = [t for t, outcome in stormy.server.event_attempts if start <= t <= end + 0.05]
    refused = [t for t, outcome in stormy.server.event_attempts if outcome.startswith("refused")]
    # Doubling from 1 s with jitter to a 30 s cap: at most 9 tries in a minute (it was about 60 before).
    assert 2 <= len(attempts) <= 9, len(attempts)
    assert len(refused) == len(attempts) - sum(1 for t, o in stormy.server.event_attempts if start <= t <= end + 0.05 and o == "accepted")
    with stormy.journal() as journal:
        entries = journal.entries()
    gaps = [e for e in entries if e.kind is JournalKind.STREAM_GAP]
    missed = [e for e in entries if e.kind is JournalKind.ALARM and e.detail.get("alarm") == "may_have_missed"]
    assert len(gaps) == len(missed) == 1, "one gap, one alarm, however many attempts it took"
    assert "arrivals and departures" in missed[0].detail["message"]
    channel = [e.detail for e in entries if e.kind is JournalKind.NOTE and e.detail.get("note") == "channel" and e.detail.get("channel") == "zoom-events"]
    assert [d["state"] for d in channel] == ["events_lost", "events_back"]


def test_the_departures_the_gap_hid_are_journaled(runs: tuple[Played, Played]) -> None:
    for played in runs:
        with played.journal() as journal:
            gone = [e for e in journal.entries() if e.kind in (JournalKind.LEFT, JournalKind.LEFT_WAITING_ROOM)]
        # The session has closed, so the journal names pupils as the register does (first name, initial, class).
        for typed in HIDDEN_DEPARTURES:
            first, surname = typed.split()
            assert any((e.pupil_label or "").startswith(f"{first} {surname[0]}.") for e in gone), typed


NOT_BY_LINK = "Zoom does not say this came through the family's own link: this meeting admits pupils by link, so admit by hand if it is them"


STREAM = "websocket"  # the source of what Zoom's event stream reports (``MeetingEvent.source``)


def _heard_while_the_stream_was_down(played: Played) -> set[str]:
    """The names whose arrival Zoom's event stream did not report first, in the run's journal: those that
    arrived between the stream's loss and its return, and those the host assistant (which hears names only)
    or the pick-up's read of the participant list reported before the stream did. The stream comes back on its own backoff, not the scenario's clock: on a
    loaded machine, at 20 times real speed, an arrival a minute of scenario time after the failing minute may
    still come before it, or only just after the assistant's word on it; the alarm is raised on the first."""
    with played.journal() as journal:
        entries = journal.entries()
    down = False
    names: set[str] = set()
    for entry in entries:
        if entry.kind is JournalKind.NOTE and entry.detail.get("note") == "channel" and entry.detail.get("channel") == "zoom-events":
            down = entry.detail.get("state") == "events_lost"
        elif entry.kind is JournalKind.ARRIVAL and entry.display_name and (down or entry.detail.get("source") != STREAM):
            names.add(entry.display_name)
    return names


def _unheard(expected: dict[str, Any], got: dict[str, Any], *, stream_down: set[str] = frozenset()) -> list[str]:
    """Families whose own-link arrival fell in the failing minute: Zoom's stream never said whose link it
    was (a Pro plan has no Dashboard to ask afterwards, and the Meeting SDK hears names only), so they
    wait for the teacher's click by name, with the reason, where the undisturbed run admitted them by link.
    Checks that, and takes them out of ``expected`` so the rest can be compared whole."""
    scenario = assembly()
    at_s = {f"{r.known_as} {r.surname[0]}. ({r.reg_group})": a.at_s for a in scenario.arrivals if a.key.startswith("p")
            for r in [scenario.register[int(a.key[1:])]]}  # fmt: skip
    waiting = [row for row in got["not_admitted"] if row not in expected["not_admitted"] and row["verdict"] == "consented"]
    unheard = sorted(row["who"] for row in waiting)
    for row in waiting:
        # still waiting when the meeting ended (Zoom empties the waiting room then: the record says they were waiting)
        assert (row["evidence"], row["reasons"][-1], row["outcome"]) == ("name", NOT_BY_LINK, STILL_WAITING), row
        assert FAILING_FROM_S - 2 <= at_s[row["who"]] <= FAILING_FROM_S + FAILING_FOR_S + 2, row["who"]
    gone = [row for row in expected["attendance"] if f"{row['first_name']} {row['surname_initial']}. ({row['class']})" in unheard]
    assert len(gone) == len(unheard) >= 10 and all(row["admitted_by"] == "link" for row in gone)
    expected["attendance"] = [row for row in expected["attendance"] if row not in gone]
    expected["host_actions"] = [a for a in expected["host_actions"] if not (a[:2] == ["admit", "autopilot"] and a[2] in unheard)]
    counts, n = expected["counts"], len(unheard)
    counts.update(admitted=counts["admitted"] - n, pupils_attended=counts["pupils_attended"] - n, not_admitted=counts["not_admitted"] + n)
    counts["admitted_by"] = {**counts["admitted_by"], "link": counts["admitted_by"]["link"] - n}
    # The look-alike name in the same minute: the same verdict, without the word on its link Zoom never sent.
    impostor = [row for row in expected["not_admitted"] if row["verdict"] == "suspicious"]
    for row in impostor:
        row["reasons"] = [reason for reason in row["reasons"] if reason != UNISSUED]
    for row in expected["incidents"]:  # and its incident, whose record gives the same reasons
        if row["kind"] == "suspicious":
            row["detail"] = row["detail"].replace(f"; {UNISSUED}", "")
            row["message"] = row["message"].replace(f"; {UNISSUED}", "")
    # A stranger who came while the stream was still away (it returns on its own backoff, not the scenario's clock)
    # is held alike; whether its record names the link depends on when the stream came back: compared without it.
    without_the_unissued_link(expected, got, names=stream_down)
    expected["incidents"] = sorted(expected["incidents"], key=lambda row: repr(sorted(row.items())))
    expected["not_admitted"] = sorted(expected["not_admitted"] + waiting, key=lambda row: repr(sorted(row.items())))
    return unheard


def test_the_summary_equals_an_undisturbed_runs(runs: tuple[Played, Played]) -> None:
    calm, stormy = runs
    expected, got = calm.summary(), stormy.summary()
    # all but the families whose link Zoom's stream could not report: checked there
    _unheard(expected, got, stream_down=_heard_while_the_stream_was_down(stormy))
    differing = sorted(key for key in expected if expected[key] != got.get(key))
    assert expected == got, f"the summaries differ in {differing}"
    assert expected["counts"]["admitted"] >= 200
    # every scripted join: 272 pupils' families and staff, one rejoining, the intruder and the forwarded link
    assert calm.result.as_dict()["arrivals"] == stormy.result.as_dict()["arrivals"] == 274
