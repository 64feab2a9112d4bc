"""The fault-tolerance proof: the 272-pupil assembly played headless while everything goes wrong.

Two runs of ``zoomhost rehearse --scenario assembly --headless --server …``, each against its own
external ``zoomhost rehearsal serve`` process: one undisturbed, one while the rehearsal Zoom drops
the event socket every few seconds, answers storms of 429s (each form of Retry-After) and bursts
of 5xx, expires every token mid-session, while the host assistant process is killed (and must be
replaced) and zoomhost itself is SIGKILLed and started again (and must pick the session up).

Then, from the rehearsal Zoom's own records: every arrival it sent is in the journal exactly once;
nobody was admitted twice, or while the same pupil was already in, or without being consented
pupil or staff; the summary equals the undisturbed run's (apart from times and incidents); and no
file zoomhost wrote (its data, config, log and cache folders, the exports, and its home, temporary
and XDG folders, which point inside its home here), nothing it printed, and no host assistant's
environment or command line read while it ran holds the client secret, a token, the passcode or
a join link, although the Zoom app's credentials were in zoomhost's own environment as a script
would set them.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.live.helpers import waited_for_the_teacher
from tests.faults.rig import (
    AssistantWatch,
    RehearsalZoom,
    Secrets,
    alive,
    assistants_of,
    clean_env,
    finish,
    scan,
    start_rehearse,
    wait_for,
)
from zoomhost.app.services import session_journals, summary_template
from zoomhost.core.journal import JournalKind, SessionJournal
from zoomhost.core.models import Verdict
from zoomhost.core.summary import SessionSummary
from zoomhost.rehearsal.scenarios import Behaviour, assembly

pytestmark = pytest.mark.slow

SPEED = 10.0  # the assembly's 5½ minutes in about 33 seconds
DROP_EVERY_S = 2.0  # real seconds between cuts of every event socket
# Scenario seconds. The assistant dies after the two pupils who leave at 184 s and 187 s are in;
# zoomhost dies in the quiet stretch before the 5-minute lock where nobody leaves, renames or
# rejoins, so an outage changes when people are admitted, never who.
#
# Who a family is (their own link) comes from Zoom's event stream, which drops every few seconds
# and replays nothing, or from Zoom's live participant list. A pupil heard in a drop waits for
# the list; a storm on the list or zoomhost's death keeps them waiting, and a pupil due to leave
# could leave before anyone said who they were: held, which is right, but then the two runs differ
# in who, not when. So a storm starts, and zoomhost is killed, only while no pupil due to leave is
# waiting (``leavers_waiting``): every fault still meets zoomhost, and never decides who gets in.
KILL_ASSISTANT_AT_S = 150.0
KILL_ZOOMHOST_AT_S = 200.0
STORMS_UNTIL_S = 270.0  # no new storm after this: the end-for-all must not meet a half-spent one
RETRY_AFTER_FORMS = ("seconds", "http_date", "iso_date", "absent")
SERVER_ERRORS = (503, 500, 502)
ARRIVALS = ("meeting.participant_joined_waiting_room", "meeting.participant_joined")
ADMISSIBLE = {Verdict.CONSENTED.value, Verdict.STAFF.value}
#: The assembly's pupils who leave (or drop out) a little after arriving, by the name they type.
LEAVERS = frozenset(a.display_name for a in assembly().arrivals if a.behaviour in (Behaviour.LEAVES, Behaviour.REJOINS))


@dataclass
class Played:
    """One headless run of the assembly and what the rehearsal Zoom recorded of it."""

    home: Path
    folder: Path
    output: dict[str, Any]
    records: dict[str, Any]
    injected: dict[str, int] = field(default_factory=dict)
    storms: list[str] = field(default_factory=list)  # each fault that met zoomhost, in order
    assistant_pids: list[list[int]] = field(default_factory=list)  # [first], [its replacement]
    orphaned_assistants: list[int] = field(default_factory=list)
    printed: str = ""
    assistant_environments: dict[int, bytes] = field(default_factory=dict)  # pid -> environment and command line
    own_environments: dict[int, bytes] = field(default_factory=dict)  # each zoomhost process's, as it started

    def journal(self) -> SessionJournal:
        os.environ["ZOOMHOST_HOME"] = str(self.home)  # the test's own home is restored by its fixture
        return session_journals().open(self.output["session_id"])


class Storms(threading.Thread):
    """Injects 429 storms and 5xx bursts one after another, each once zoomhost has met the last."""

    def __init__(self, zoom: RehearsalZoom, *, until: float) -> None:
        super().__init__(name="storms", daemon=True)
        self.zoom = zoom
        self.until = until
        self.met: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        plan: list[tuple[str, dict[str, Any], str]] = [
            (f"429 Retry-After {form}", {"rate_limit": {"count": 2, "retry_after": form, "seconds": 1}}, "rate_limited_pending")
            for form in RETRY_AFTER_FORMS
        ]
        plan += [(f"{status} burst", {"server_errors": {"count": 3, "status": status}}, "server_errors_pending") for status in SERVER_ERRORS]
        for name, switch, pending in plan:
            while leavers_waiting(self.zoom) and not self.stop.is_set() and time.monotonic() <= self.until:
                time.sleep(0.2)  # not while a pupil due to leave waits for Zoom to say who they are
            if self.stop.is_set() or time.monotonic() > self.until:
                return
            self.zoom.faults(**switch)
            while self.zoom.fault_status()[pending] and not self.stop.is_set():
                if time.monotonic() > self.until:
                    self.zoom.faults(**{next(iter(switch)): {"count": 0}})  # withdraw it: too late in the meeting
                    return
                time.sleep(0.1)
            self.met.append(name)


def _play(folder: Path, *, disturb: bool) -> Played:
    folder.mkdir(parents=True)
    home = folder / "zoomhost-home"
    passcode = "P" + secrets.token_urlsafe(12)[:9]  # Zoom allows 10 characters
    zoom = RehearsalZoom(home=folder / "rehearsal-zoom-home", passcode=passcode)
    stderr = folder / "zoomhost-stderr.txt"
    processes: list[subprocess.Popen[str]] = []
    storms: Storms | None = None
    played = Played(home=home, folder=folder, output={}, records={})
    watch = AssistantWatch()
    watch.start()
    try:
        records = zoom.records()
        meeting = records["assembly"]
        # A script that runs zoomhost gives it the Zoom app's credentials this way: none may reach the assistant.
        credentials = {"ZOOMHOST_ACCOUNT_ID": "rehearsal-account", "ZOOMHOST_CLIENT_ID": "rehearsal-client",
                       "ZOOMHOST_CLIENT_SECRET": records["client_secret"]}  # fmt: skip

        def rehearse() -> subprocess.Popen[str]:
            process = start_rehearse(api_base=zoom.api_base, home=home, speed=SPEED, log=stderr, env=credentials)
            watch.watch(process.pid)
            return process

        if disturb:
            zoom.faults(drop_websockets_every=DROP_EVERY_S)
        processes.append(rehearse())
        if disturb:
            first = processes[0]
            t0 = wait_for(lambda: zoom.meeting_is_live(meeting) and time.monotonic(), timeout=60, what="the assembly to start")

            def at(scenario_s: float) -> None:
                time.sleep(max(0.0, t0 + scenario_s / SPEED - time.monotonic()))

            storms = Storms(zoom, until=t0 + STORMS_UNTIL_S / SPEED)
            storms.start()
            at(60.0)
            zoom.faults(expire_tokens=True)
            played.storms.append("every token expired")

            at(KILL_ASSISTANT_AT_S)
            assistants = wait_for(lambda: assistants_of(first.pid), timeout=15, what="zoomhost's host assistant process")
            for pid in assistants:
                os.kill(pid, signal.SIGKILL)
            replacement = wait_for(
                lambda: [p for p in assistants_of(first.pid) if p not in assistants],
                timeout=20,
                what="zoomhost to start a new host assistant after the first was killed",
            )
            played.assistant_pids = [assistants, replacement]

            at(KILL_ZOOMHOST_AT_S)
            wait_for(lambda: not leavers_waiting(zoom), timeout=8, every=0.2, what="every pupil due to leave to be let in")
            left_behind = assistants_of(first.pid)
            first.send_signal(signal.SIGKILL)
            first.wait()
            try:
                wait_for(lambda: not any(alive(p) for p in left_behind), timeout=15, what="")
            except AssertionError:
                played.orphaned_assistants = [p for p in left_behind if alive(p)]
            processes.append(rehearse())
        played.output = finish(processes[-1], timeout=240)
        if storms is not None:
            storms.stop.set()
            storms.join(10)
            played.storms += storms.met
        status = zoom.fault_status()
        played.injected = dict(status["injected"])
        played.records = zoom.records()
        _export(played)
    finally:
        watch.finish()
        played.assistant_environments = dict(watch.assistants)
        played.own_environments = dict(watch.parents)
        if storms is not None:
            storms.stop.set()
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        for pid in played.orphaned_assistants:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        zoom.stop()
        played.printed = stderr.read_text(encoding="utf-8", errors="replace") if stderr.exists() else ""
    return played


def _export(played: Played) -> None:
    """Export the summary as a teacher would (CSV and PDF), so the exports are scanned too."""
    exports = played.home / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    for kind in ("csv", "pdf"):
        subprocess.run(
            [sys.executable, "-m", "zoomhost", "summary", "export", "--format", kind, "--out", str(exports / f"summary.{kind}"), played.output["session_id"]],
            env=clean_env(played.home),
            check=True,
            capture_output=True,
            timeout=120,
        )


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Played, Played]:
    base = tmp_path_factory.mktemp("faults")
    undisturbed = _play(base / "undisturbed", disturb=False)
    disturbed = _play(base / "disturbed", disturb=True)
    return undisturbed, disturbed


# -- what the rehearsal Zoom recorded ------------------------------------------------------------------
def _events(records: dict[str, Any], key: str) -> list[tuple[str, str, str]]:
    """(event name, participant user id, display name) of the assembly's participant events, in order."""
    meeting = str(records["assembly"])
    out = []
    for event in records[key]:
        obj = event["payload"]["object"]
        person = obj.get("participant")
        if obj.get("id") == meeting and person:
            out.append((event["event"], str(person["user_id"]), person.get("user_name", "")))
    return out


def leavers_waiting(zoom: RehearsalZoom) -> list[str]:
    """The pupils due to leave soon after arriving (``LEAVERS``) whom Zoom has in its waiting room now."""
    waiting: dict[str, str] = {}
    for name, uid, display in _events(zoom.records(), "happened"):
        if name == ARRIVALS[0] and display in LEAVERS:
            waiting[uid] = display
        elif name in ("meeting.participant_admitted", "meeting.participant_left_waiting_room", "meeting.participant_left"):
            waiting.pop(uid, None)
    return sorted(waiting.values())


def sent_arrivals(records: dict[str, Any]) -> set[str]:
    """Every arrival Zoom sent on the event socket: a waiting-room join, or a join that skipped the waiting room."""
    through_waiting_room = {uid for name, uid, _ in _events(records, "happened") if name == ARRIVALS[0]}
    sent = set()
    for name, uid, _ in _events(records, "sent"):
        if name == ARRIVALS[0] or (name == ARRIVALS[1] and uid not in through_waiting_room):
            sent.add(uid)
    return sent


# -- the proof ---------------------------------------------------------------------------------------
def test_the_faults_really_happened(runs: tuple[Played, Played]) -> None:
    undisturbed, disturbed = runs
    assert not undisturbed.output["resumed"] and sum(undisturbed.injected.values()) == 0
    assert disturbed.output["resumed"], "the restarted zoomhost did not pick up the session it was running"
    assert disturbed.injected["websocket_drops"] >= 5
    assert disturbed.injected["token_expiries"] >= 1
    assert disturbed.injected["rate_limited"] >= 2 * len(RETRY_AFTER_FORMS)
    assert disturbed.injected["server_errors"] >= 3
    for form in RETRY_AFTER_FORMS:
        assert f"429 Retry-After {form}" in disturbed.storms, f"the {form} storm never met zoomhost: {disturbed.storms}"
    assert any(name.endswith("burst") for name in disturbed.storms), disturbed.storms
    assert len(disturbed.assistant_pids) == 2 and disturbed.assistant_pids[1], "the killed assistant was not replaced"
    assert not disturbed.orphaned_assistants, "the host assistant outlived the zoomhost that started it"
    assert len(disturbed.records["access_tokens"]) >= 3  # the first, after expiry, after the restart
    assert "Traceback" not in disturbed.printed and "Traceback" not in undisturbed.printed


@pytest.mark.parametrize("which", ["undisturbed", "disturbed"])
def test_every_arrival_zoom_sent_is_in_the_journal_exactly_once(runs: tuple[Played, Played], which: str) -> None:
    played = runs[0] if which == "undisturbed" else runs[1]
    sent = sent_arrivals(played.records)
    # Zoom sends only to a connected socket and replays nothing: with drops every few seconds and
    # zoomhost down for a while, far fewer arrivals go out on it (the assistant hears the rest).
    assert len(sent) >= (250 if which == "undisturbed" else 20)
    with played.journal() as journal:
        entries = journal.entries()
    journaled = Counter(e.participant_id for e in entries if e.kind is JournalKind.ARRIVAL)
    # The host assistant arrives too, as Zoom puts it in the waiting room: once it has said which participant
    # it is, Zoom's word of it is journaled as that (a note), not as anyone's arrival.
    assistant = {e.participant_id for e in entries if e.kind is JournalKind.NOTE and e.detail.get("note") in ("assistant", "assistant_seen")}
    happened = {uid for _, uid, _ in _events(played.records, "happened")}
    missing = sorted(sent - set(journaled) - assistant)
    twice = sorted(pid for pid, n in journaled.items() if n > 1)
    phantoms = sorted(set(journaled) - happened)
    assert not missing, f"{len(missing)} arrivals Zoom sent are not in the journal: {missing[:10]}"
    assert not twice, f"journaled as arriving more than once: {twice[:10]}"
    assert not phantoms, f"journaled arrivals Zoom never had: {phantoms[:10]}"


@pytest.mark.parametrize("which", ["undisturbed", "disturbed"])
def test_nobody_is_admitted_twice_or_without_consent(runs: tuple[Played, Played], which: str) -> None:
    played = runs[0] if which == "undisturbed" else runs[1]
    with played.journal() as journal:
        entries = journal.entries()
    verdict: dict[str, str | None] = {}
    pupil: dict[str, int | None] = {}
    for e in entries:  # the latest classification: on arrival, on a rename, or once Zoom said who it was
        if e.kind in (JournalKind.ARRIVAL, JournalKind.RENAMED, JournalKind.IDENTIFIED) and e.participant_id:
            verdict[e.participant_id] = e.verdict
            pupil[e.participant_id] = e.pupil_id
    # The host assistant waits in the waiting room as Zoom puts it there, and the teacher (here the rehearsal
    # host) lets it in: each said which participant it is, and zoomhost never admitted it.
    assistant = {e.participant_id for e in entries if e.kind is JournalKind.NOTE and e.detail.get("note") == "assistant"}
    assert assistant, "the host assistant never said which participant it is"
    in_meeting: dict[int, str] = {}  # pupil id -> the participant admitted as them
    admissions: Counter[str] = Counter()
    for name, uid, display in _events(played.records, "happened"):  # Zoom's own account of who got in
        if name == "meeting.participant_admitted" and uid in assistant:
            assert not [e for e in entries if e.kind is JournalKind.COMMAND and e.participant_id == uid]
            continue
        if name == "meeting.participant_admitted":
            admissions[uid] += 1
            assert verdict.get(uid) in ADMISSIBLE, f"{display!r} was admitted but zoomhost judged them {verdict.get(uid)}"
            who = pupil.get(uid)
            if who is not None:
                assert who not in in_meeting, f"pupil {who} admitted as {uid} while already in as {in_meeting[who]}"
                in_meeting[who] = uid
        elif name == "meeting.participant_left":
            in_meeting = {p: u for p, u in in_meeting.items() if u != uid}
    assert admissions, "Zoom admitted nobody: the policy never ran"
    assert max(admissions.values()) == 1, f"admitted twice: {[u for u, n in admissions.items() if n > 1]}"
    journal_admitted = Counter(e.participant_id for e in entries if e.kind is JournalKind.ADMITTED)
    assert max(journal_admitted.values()) == 1
    assert not [e.display_name for e in entries if e.kind is JournalKind.ADMITTED and e.verdict not in ADMISSIBLE]
    assert "not_allowed_in" not in [e.detail.get("alarm") for e in entries if e.kind is JournalKind.ALARM]


def test_the_summary_after_faults_and_restarts_equals_an_undisturbed_runs(runs: tuple[Played, Played]) -> None:
    undisturbed, disturbed = runs
    with undisturbed.journal() as journal:
        calm = SessionSummary.from_journal(journal).comparable()
    with disturbed.journal() as journal:
        stormy = SessionSummary.from_journal(journal).comparable()
        # Whom Zoom's event stream never reported arriving (the restarts' pick-up found them on Zoom's live list,
        # or the host assistant heard them): nothing says whose link they used, so they wait for the teacher.
        unheard = {e.display_name for e in journal.entries() if e.kind is JournalKind.ARRIVAL and e.detail.get("source") != "websocket"}
    waited_for_the_teacher(calm, stormy, picked_up=unheard)
    differing = {key: (calm[key], stormy.get(key)) for key in calm if calm[key] != stormy.get(key)}
    assert calm == stormy, "the summaries differ in: " + ", ".join(
        f"{key} ({_difference(a, b)})" for key, (a, b) in differing.items()
    )
    assert calm["counts"]["admitted"] >= 200  # a real assembly, not two empty summaries


def _difference(a: Any, b: Any) -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        return "; ".join(f"{k}: {a.get(k)!r} vs {b.get(k)!r}" for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k))
    if isinstance(a, list) and isinstance(b, list):
        left, right = Counter(map(repr, a)), Counter(map(repr, b))
        return f"only undisturbed: {list((left - right).elements())[:4]}; only disturbed: {list((right - left).elements())[:4]}"
    return f"{a!r} vs {b!r}"


def test_no_file_zoomhost_wrote_nor_anything_it_printed_holds_a_secret(runs: tuple[Played, Played], tmp_path: Path) -> None:
    found = Secrets()
    for played in runs:
        records = played.records
        found.add("the client secret", [records["client_secret"]])
        found.add("an access token", records["access_tokens"])
        found.add("a refresh token", records["refresh_tokens"])
        found.add("a meeting passcode", records["passcodes"])
        found.add("a join link", records["join_urls"])
    found.add("a join link", ["zoom.us/j/", "zoom.us/w/", "pwd="])
    assert len(found.values["an access token"]) >= 4 and all(len(p) >= 8 for p in found.values["a meeting passcode"])

    # The scan finds what it looks for (a planted token in a copy of a real journal).
    canary = tmp_path / "canary"
    canary.mkdir()
    journal_copy = canary / "journal.sqlite3"
    with runs[1].journal() as journal:
        journal_copy.write_bytes(journal.path.read_bytes() + found.values["an access token"][-1].encode())
        html = SessionSummary.from_journal(journal).render_html(summary_template())
    assert scan([canary], found)[1] == [f"an access token in {journal_copy}"]
    # … and in an environment: zoomhost's own holds the client secret, as the script set it.
    own = {f"zoomhost's own environment (pid {pid})": env.decode(errors="replace") for p in runs for pid, env in p.own_environments.items()}
    assert own and all(finding.startswith("the client secret in") for finding in scan([], found, texts=own)[1])
    assert len(scan([], found, texts=own)[1]) == len(own)

    # Every host assistant, read while it ran: the first of each run, and the one that replaced the killed one.
    assistants = {
        f"the host assistant's environment and command line (pid {pid}, {p.folder.name})": env.decode(errors="replace")
        for p in runs
        for pid, env in p.assistant_environments.items()
    }
    assert len(runs[0].assistant_environments) >= 1 and len(runs[1].assistant_environments) >= 2, assistants.keys()
    for where, text in assistants.items():
        names_set = {entry.partition("=")[0] for entry in text.split("\0") if "=" in entry}
        assert not names_set & {"ZOOMHOST_CLIENT_SECRET", "ZOOMHOST_ACCOUNT_ID", "ZOOMHOST_CLIENT_ID", "ZOOMHOST_ASSISTANT_TOKEN"}, where
        assert "ZOOMHOST_HOME" in names_set, where  # it is the assistant's real environment that was read

    homes = [played.home for played in runs]
    printed = {f"what zoomhost printed ({p.folder.name})": p.printed + repr(p.output) for p in runs}
    files, findings = scan(homes, found, texts={**printed, **assistants, "the summary page": html})
    names = {path.name for path in files}
    assert "zoomhost.log" in names and {"summary.csv", "summary.pdf"} <= names
    assert any(name.endswith(".sqlite3") for name in names)
    folders = {path.relative_to(home).parts[0] for home in homes for path in files if path.is_relative_to(home)}
    assert {"data", "logs", "exports"} <= folders, folders  # zoomhost's journals, its log and the exports were all read
    log_lines = sum(len(path.read_text(errors="replace").splitlines()) for path in files if path.name.startswith("zoomhost.log"))
    assert log_lines > 20, "the verbose log is nearly empty: the scan would prove little"
    assert not findings, "secrets written down:\n  " + "\n  ".join(findings)
