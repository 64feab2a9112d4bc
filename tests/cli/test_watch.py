"""`zoomhost watch`: a meeting followed from the command line over a real event socket, one line per change,
each arrival with the verdict `zoomhost dry-run` gives the same name against the same register."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from zoomhost.app.watch import WatchLine
from zoomhost.commands.dryrun import read_names
from zoomhost.core.models import Evidence
from zoomhost.rehearsal.server import RehearsalServer

DATA = Path(__file__).resolve().parents[1] / "data" / "dryrun"
REGISTER, STAFF, NAMES = DATA / "register.csv", DATA / "staff.csv", DATA / "names.txt"


def _env(server: RehearsalServer) -> dict[str, str]:
    creds = server.credentials
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZOOMHOST_") or k == "ZOOMHOST_HOME"}
    env.update(
        ZOOMHOST_ACCOUNT_ID=creds.account_id,
        ZOOMHOST_CLIENT_ID=creds.client_id,
        ZOOMHOST_CLIENT_SECRET=creds.client_secret,
        ZOOMHOST_API_BASE=server.api_base,
        ZOOMHOST_OAUTH_BASE=server.oauth_base,
        ZOOMHOST_WS_BASE=server.ws_base,
        ZOOMHOST_SUBSCRIPTION_ID=server.subscription_id,
    )
    return env


def _zoomhost(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "zoomhost", *args], env=env, capture_output=True, text=True, timeout=120)


class Watcher:
    """``zoomhost watch`` as a child process, its lines read as they come."""

    def __init__(self, meeting: int, env: dict[str, str], *extra: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "zoomhost", "watch", str(meeting), *extra],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def until(self, predicate: Any, *, timeout: float = 60, what: str = "a line") -> None:
        deadline = time.monotonic() + timeout
        while not any(predicate(line) for line in list(self.lines)):
            if self.process.poll() is not None and not self._reader.is_alive():
                raise AssertionError(f"zoomhost watch ended first: {self.lines} {self.process.stderr.read() if self.process.stderr else ''}")
            assert time.monotonic() < deadline, f"timed out waiting for {what}: {self.lines}"
            time.sleep(0.05)

    def finish(self, timeout: float = 60) -> tuple[int, str]:
        self.process.wait(timeout)  # stdout is the reader's alone: every line it printed is kept
        self._reader.join(5)
        assert self.process.stderr is not None
        err = self.process.stderr.read()
        self.process.stderr.close()
        assert self.process.stdout is not None
        self.process.stdout.close()
        return self.process.returncode, err


def test_watch_prints_each_change_and_the_verdicts_are_dry_runs(zoomhost_home: Path) -> None:
    names = [name for _, name, _ in read_names(NAMES)]
    with RehearsalServer() as server:  # a Pro account: no Dashboard is needed to watch
        state, meeting = server.state, server.state.class_meeting_id
        state.start_meeting(meeting)
        env = _env(server)
        assert _zoomhost("register", "import", str(REGISTER), env=env).returncode == 0
        assert _zoomhost("register", "import", "--staff", str(STAFF), env=env).returncode == 0
        watcher = Watcher(meeting, env, "--json", "--duration", "120")
        watcher.until(lambda line: '"state": "up"' in line, what="the watch to be listening")
        people = [state.arrive(meeting, name) for name in names]
        state.arrive(meeting, "Sarah Bloggs", account_user_id=state.account_user("s.bloggs@dhoon.example.org"))
        state.admit(meeting, people[0].user_id)
        state.leave(meeting, people[1].user_id)
        watcher.until(lambda line: '"kind": "left"' in line, what="the departure")
        state.end_meeting(meeting)
        code, err = watcher.finish()
    assert code == 0, err
    lines = [json.loads(line) for line in watcher.lines]
    assert {line["kind"] for line in lines} <= {"arrival", "admitted", "left", "alarm", "stream", "ended"}
    assert all(datetime.fromisoformat(line["time"]).tzinfo is not None for line in lines)
    arrivals = [line for line in lines if line["kind"] == "arrival"]
    signed_in = arrivals.pop()  # a staff member signed in to the school's Zoom account: who Zoom says she is
    assert (signed_in["name"], signed_in["verdict"], signed_in["staff"], signed_in["evidence"]) == (
        "Sarah Bloggs", "staff", "Sarah Bloggs", "signed_in"
    )
    assert [line["name"] for line in arrivals] == names, "each name exactly as typed, once, in order"

    dry = _zoomhost("dry-run", "--register", str(REGISTER), "--staff", str(STAFF), str(NAMES), "--json", env=env)
    assert dry.returncode == 0, dry.stderr
    judged = [json.loads(line) for line in dry.stdout.splitlines()]
    assert [(j["name"], j["verdict"], j["reasons"]) for j in judged] == [(a["name"], a["verdict"], a["reasons"]) for a in arrivals]
    assert [j["evidence"] for j in judged] == [a["evidence"] for a in arrivals] == ["name"] * len(names)
    assert {a["verdict"] for a in arrivals} >= {"consented", "ambiguous", "suspicious", "duplicate", "not_on_register"}

    admitted = [line for line in lines if line["kind"] == "admitted"]
    left = [line for line in lines if line["kind"] == "left"]
    assert [a["name"] for a in admitted] == [names[0]] and [x["name"] for x in left][:1] == [names[1]]
    assert lines[-1]["kind"] == "ended" and "ended" in lines[-1]["message"]
    assert any(line["kind"] == "alarm" and line.get("state") == "suspicious" for line in lines)
    assert "Watching" in lines[0]["message"]

    # The same journal as the Live panel: the session is kept, and its summary counts these arrivals.
    kept = json.loads(_zoomhost("summary", "show", "latest", "--json", env=env).stdout)
    assert kept["counts"]["arrivals"] == len(names) + 1  # and the signed-in staff member
    assert server.faults.status()["injected"]["event_token_refusals"] == 0


def test_a_gap_shows_as_the_stream_going_down_and_coming_back_with_what_may_have_been_missed(zoomhost_home: Path) -> None:
    with RehearsalServer() as server:
        state, meeting = server.state, server.state.class_meeting_id
        state.start_meeting(meeting)
        env = _env(server)
        watcher = Watcher(meeting, env, "--duration", "90")
        watcher.until(lambda line: line.split()[1:3] == ["stream", "up"], what="the watch to be listening")
        server.faults.apply({"refuse_event_tokens": {"seconds": 1.0}, "drop_websockets": True})
        watcher.until(lambda line: line.split()[1:3] == ["stream", "back"], what="the stream to come back")
        state.end_meeting(meeting)
        code, err = watcher.finish()
    assert code == 0, err
    text = "\n".join(watcher.lines)
    kinds = [line.split()[1] for line in watcher.lines]
    assert kinds.count("stream") == 3 and kinds.count("alarm") == 1 and kinds[-1] == "ended"
    assert "arrivals and departures in that time may have been missed" in text
    assert "Invalid Token" in text, "Zoom's own words for the refusal"


def test_without_an_event_subscription_watch_says_so_and_stops(zoomhost_home: Path) -> None:
    with RehearsalServer() as server:
        env = _env(server)
        del env["ZOOMHOST_SUBSCRIPTION_ID"]
        done = _zoomhost("watch", str(server.state.class_meeting_id), "--duration", "5", env=env)
        bad = _zoomhost("watch", "not-a-meeting", env=_env(server))
    assert done.returncode == 1 and "no event subscription is set" in done.stderr and "ZOOMHOST_SUBSCRIPTION_ID" in done.stderr
    assert bad.returncode == 1 and "is not a Zoom meeting ID" in bad.stderr
    assert not done.stdout and not bad.stdout


@pytest.mark.parametrize("evidence", [{"registrant": "matched"}, None])
def test_a_line_carries_evidence_only_when_the_arrival_does(evidence: object) -> None:
    line = WatchLine(kind="arrival", time=datetime(2026, 3, 6, 9, 0, tzinfo=UTC), name="Amy\u202eB", verdict="suspicious",
                     reasons=("hidden \u202e character",), evidence=evidence)  # fmt: skip
    data = line.as_dict()
    assert data["name"] == "Amy\u202eB" and data["reasons"] == ["hidden ⟦RLO⟧ character"]
    assert data.get("evidence") == evidence and ("evidence" in data) is (evidence is not None)
    assert "Amy⟦RLO⟧B" in line.text()


def test_a_line_says_what_the_verdict_rests_on() -> None:
    at = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
    staff = WatchLine(kind="arrival", time=at, name="Mr Kelly", verdict="staff", staff="Maxim Kelly", evidence=Evidence.NAME)
    linked = WatchLine(kind="arrival", time=at, name="Galaxy Tab", verdict="consented", pupil="Amy B.", evidence=Evidence.LINK)
    assert "staff (Maxim Kelly) [typed name only]" in staff.text() and staff.as_dict()["evidence"] == "name"
    assert "consented (Amy B.) [own link]" in linked.text() and linked.as_dict()["evidence"] == "link"


def test_watching_a_staff_meeting_judges_arrivals_against_the_staff_list_only(zoomhost_home: Path) -> None:
    """A meeting whose topic says staff (the school's words, as the checklist reads them) is held to the staff
    profile: a consented pupil's name typed at its door is nobody's match; a signed-in staff member is staff."""
    with RehearsalServer() as server:
        state, meeting = server.state, server.state.class_meeting_id
        state.meeting(meeting).topic = "Staff briefing: Friday"
        state.start_meeting(meeting)
        env = _env(server)
        assert _zoomhost("register", "import", str(REGISTER), env=env).returncode == 0
        assert _zoomhost("register", "import", "--staff", str(STAFF), env=env).returncode == 0
        watcher = Watcher(meeting, env, "--json", "--duration", "120")
        watcher.until(lambda line: '"state": "up"' in line, what="the watch to be listening")
        state.arrive(meeting, "Tom Wright 3B")  # a consented pupil on the register, by name
        state.arrive(meeting, "Sarah Bloggs", account_user_id=state.account_user("s.bloggs@dhoon.example.org"))
        watcher.until(lambda line: "Sarah Bloggs" in line, what="the staff member")
        state.end_meeting(meeting)
        code, err = watcher.finish()
    assert code == 0, err
    lines = [json.loads(line) for line in watcher.lines]
    assert lines[0]["profile"] == "staff" and "only staff signed in on the school's domains" in lines[0]["message"]
    tom, sarah = [line for line in lines if line["kind"] == "arrival"]
    assert tom["verdict"] == "not_on_register" and tom["pupil"] is None
    assert (sarah["verdict"], sarah["staff"], sarah["evidence"]) == ("staff", "Sarah Bloggs", "signed_in")
    # the same name at a class's door is the pupil: only the profile made the difference
    names = zoomhost_home / "tom.txt"
    names.write_text("Tom Wright 3B\n", encoding="utf-8")
    dry = _zoomhost("dry-run", "--register", str(REGISTER), "--staff", str(STAFF), str(names), "--json", env=env)
    assert json.loads(dry.stdout.splitlines()[0])["verdict"] == "consented", dry.stderr
