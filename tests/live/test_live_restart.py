"""zoomhost killed (SIGKILL) in the middle of a headless rehearsal, and started again: it picks the session up
from its journal and the summary equals an undisturbed run's, but for the families who came through their own
link while it was down: Zoom's live participant list cannot say so, and they wait for the teacher."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.live.helpers import check_journal, journal_of, notes, waited_for_the_teacher
from zoomhost.app.services import session_journals
from zoomhost.core.journal import JournalKind
from zoomhost.core.summary import SessionSummary
from zoomhost.live.notes import LiveNote
from zoomhost.app.rehearse import rehearse
from zoomhost.rehearsal.scenarios import assembly
from zoomhost.system.runtime import AsyncRunner


@pytest.fixture
def served() -> Iterator[str]:
    """`zoomhost rehearsal serve` in its own process: the rehearsal Zoom outlives the zoomhost it serves.

    On a Business plan: the pick-up checks Zoom's Dashboard, which a Pro plan does not have."""
    process = subprocess.Popen(
        [sys.executable, "-m", "zoomhost", "rehearsal", "serve", "--plan", "business"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        api_base = ""
        for line in process.stdout:
            if line.strip().startswith("API base:"):
                api_base = line.split(":", 1)[1].strip()
            if "Press Ctrl-C" in line:
                break
        assert api_base.startswith("http://127.0.0.1:")
        yield api_base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _command(api_base: str, speed: float) -> list[str]:
    return [sys.executable, "-m", "zoomhost", "rehearse", "--scenario", "assembly", "--speed", str(speed), "--headless", "--json", "--server", api_base]


def _arrived(name: str) -> bool:
    """Whether the session now being played has journaled an arrival under ``name``."""
    sessions = session_journals().list_sessions()
    if not sessions:
        return False
    with session_journals().open(sessions[0].session_id) as journal:
        return any(e.kind is JournalKind.ARRIVAL and e.display_name == name for e in journal.entries())


# Zoom replays nothing: a pupil who arrives and gives up waiting (45 s of scenario time) entirely
# while zoomhost is dead is never admitted, so the outage must stay shorter than that. At 6x a
# restart on a loaded machine (a few seconds) stays well inside it.
SPEED = 6


def test_sigkill_mid_assembly_then_restart_resumes_and_matches_an_undisturbed_run(served: str) -> None:
    scenario = assembly()
    first = subprocess.Popen(_command(served, SPEED), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not _arrived("Grandad"):  # two minutes into the script, the busiest part of the arrivals
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the rehearsal never got going"
            time.sleep(0.05)
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.communicate()
    killed = session_journals().list_sessions()[0]

    second = subprocess.run(_command(served, SPEED), capture_output=True, text=True, timeout=180)
    assert second.returncode == 0, second.stderr
    out = json.loads(second.stdout)
    assert out["resumed"] and out["session_id"] == killed.session_id
    journal = session_journals().open(out["session_id"])
    check_journal(journal, scenario)
    resumed = notes(journal, LiveNote.RESUMED)
    assert [n.detail["how"] for n in resumed] == ["reconciled"]
    entries = journal.entries()
    assert sum(1 for e in entries if e.kind is JournalKind.NOTE and e.detail.get("stage") == "started") == 1

    # The same scenario, undisturbed, on the same rehearsal Zoom.
    with AsyncRunner(name="reference") as runner:
        reference = runner.run(rehearse(scenario="assembly", speed=50, server=served), timeout=120)
    assert not reference.resumed
    expected = reference.summary.comparable()
    got = SessionSummary.from_journal(journal).comparable()
    picked_up = {e.display_name for e in entries if e.kind is JournalKind.ARRIVAL and e.detail.get("source") == "reconcile"}
    waited = waited_for_the_teacher(expected, got, picked_up=picked_up, told=journal_of(entries))
    assert got["counts"] == expected["counts"]
    done, undisturbed = Counter(map(tuple, got["host_actions"])), Counter(map(tuple, expected["host_actions"]))
    assert (done - undisturbed, undisturbed - done) == (Counter(), Counter()), "host actions differ"
    assert got == expected
    differ = ("session_id", "journal", "resumed", "speed", "stream_gaps", "admitted", "not_admitted", "admitted_by", "held")
    undisturbed_run = reference.as_dict()
    assert {k: v for k, v in out.items() if k not in differ} == {k: v for k, v in undisturbed_run.items() if k not in differ}
    assert out["held"] == undisturbed_run["held"] + waited, "each family the pick-up could not vouch for waited, held"
    assert (out["admitted"], out["not_admitted"], out["admitted_by"]) == (
        got["counts"]["admitted"], got["counts"]["not_admitted"], got["counts"]["admitted_by"]
    )
    journal.close()

