"""A zoomhost killed with SIGKILL mid-assembly loses nothing it showed and records nothing twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from tests.core.live_helpers import MEETING, T0, Clock, assembly_classify, assembly_stream, journals
from zoomhost.core.journal import JournalKind, SessionJournal
from zoomhost.core.session import LiveSession
from zoomhost.core.summary import SessionSummary

REPO = Path(__file__).resolve().parents[2]
SHOWN_BEFORE_KILL = 150


def _new_journal() -> SessionJournal:
    return journals().create(meeting_id=MEETING, topic="Assembly", planned_minutes=30, started_at=T0, rehearsal=True)


def _undisturbed() -> tuple[LiveSession, SessionJournal]:
    journal = _new_journal()
    session = LiveSession(journal=journal, classify=assembly_classify, expected_pupils=108, clock=Clock())
    for item in assembly_stream():
        session.apply(item)
    return session, journal


def _kill_mid_stream(session_id: str) -> list[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", f"from tests.core.live_helpers import play_assembly_printing as p; p({session_id!r})"],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    shown = []
    try:
        for line in child.stdout:
            shown.append(line.strip())
            if len(shown) == SHOWN_BEFORE_KILL:
                child.send_signal(signal.SIGKILL)
                break
    finally:
        child.kill()
        child.wait(timeout=30)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL, "the child finished before it could be killed"
    return shown


def test_sigkill_mid_assembly_loses_nothing_shown_and_duplicates_nothing() -> None:
    reference, reference_journal = _undisturbed()

    journal = _new_journal()
    session_id = journal.session_id
    journal.close()
    shown = _kill_mid_stream(session_id)

    with journals().open(session_id) as crashed:
        stored = [entry.event_key for entry in crashed.entries()]
        assert set(shown) <= set(stored), "something shown before the crash is missing from the journal"
        assert len(stored) < len(reference_journal.entries()), "the kill did not land mid-stream"

        # Restart: the state is rebuilt from the journal, then every event is heard again
        # (reconnect and reconciliation), and the meeting runs to its end.
        resumed = LiveSession.resume(journal=crashed, classify=assembly_classify, expected_pupils=108, clock=Clock())
        for item in assembly_stream():
            resumed.apply(item)

        entries = crashed.entries()
        keys = [entry.event_key for entry in entries]
        assert len(keys) == len(set(keys))
        arrivals = Counter(e.participant_id for e in entries if e.kind is JournalKind.ARRIVAL)
        sent = Counter(e.participant_id for e in assembly_stream() if e.kind == "waiting_joined")
        assert arrivals == sent, "every arrival the meeting sent is in the journal exactly once"
        admissions = Counter(e.participant_id for e in entries if e.kind is JournalKind.ADMITTED)
        assert max(admissions.values()) == 1

        assert resumed.snapshot() == reference.snapshot()
        after = SessionSummary.from_journal(crashed)
    before = SessionSummary.from_journal(reference_journal)
    reference_journal.close()
    assert after.comparable() == before.comparable()
    assert {k: v for k, v in after.as_dict().items() if k != "session"} == {
        k: v for k, v in before.as_dict().items() if k != "session"
    }
