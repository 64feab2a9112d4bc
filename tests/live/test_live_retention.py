"""Retention on the rehearsal assembly: when the session closes, what is past its retention goes by itself,
the journal keeps only what its summary needs (the summary is the same), no log line carries a
display name, and an account-wide event stream's other meetings never reach a log, the journal or the panel."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import ClassVar

import pytest

from tests.core.sqlite_files import found
from tests.live.helpers import check_journal, until
from tests.live.rig import live_rig
from tests.rehearsal.fixtures import rehearsal_server  # noqa: F401 - pytest fixture
from zoomhost.app.rehearse import rehearse
from zoomhost.app.retention import SESSION_CLOSED, START_UP
from zoomhost.app.services import retention_log, session_journals
from zoomhost.core.journal import JournalEntry, SessionJournal, SessionJournals
from zoomhost.core.models import Verdict
from zoomhost.core.summary import SessionSummary
from zoomhost.rehearsal.scenarios import Arrival, Behaviour, Scenario, assembly, class_meeting, play
from zoomhost.rehearsal.server import RehearsalServer
from zoomhost.system import logs, paths
from zoomhost.system.runtime import AsyncRunner


class _Snapshotting(SessionJournal):
    """A journal that remembers its entries as they were before its first rewrite (the test's only window
    on the journal as the session left it)."""

    before: ClassVar[dict[str, list[JournalEntry]]] = {}

    def rewrite(self, entries):  # noqa: ANN001, ANN201
        self.before.setdefault(self.session_id, self.entries())
        return super().rewrite(entries)


def _log_as_zoomhost_does(caplog: pytest.LogCaptureFixture) -> None:
    """Everything zoomhost logs, as `zoomhost -v` writes it to its log file (libraries at warnings only)."""
    caplog.set_level(logging.DEBUG)
    for library in logs.QUIET_LIBRARIES:
        caplog.set_level(logging.WARNING, logger=library)


def _old_session(days: int) -> str:
    started = datetime.now(UTC) - timedelta(days=days)
    with session_journals().create(meeting_id="123", topic="Old assembly", planned_minutes=30, started_at=started, rehearsal=True) as j:
        return j.session_id


def _typed_names(scenario: Scenario) -> set[str]:
    return {a.display_name for a in scenario.arrivals} | {a.rename_to for a in scenario.arrivals if a.rename_to}


def _surnames_typed(scenario: Scenario) -> set[str]:
    """Names families typed with a pupil's whole surname (the register keeps only its initial), for pupils
    who were no incident: none of them may stay in the journal once the session has closed."""
    evidence = {a.display_name for a in scenario.arrivals if a.expected in (Verdict.DUPLICATE, Verdict.SUSPICIOUS)}
    typed = set()
    for arrival in scenario.arrivals:
        if not arrival.key.startswith("p") or arrival.at_s >= scenario.lock_after_s:
            continue
        row = scenario.register[int(arrival.key[1:])]
        for name in (arrival.display_name, arrival.rename_to):
            if name and row.surname.casefold() in name.casefold() and name not in evidence:
                typed.add(name)
    return typed


def test_the_assembly_closes_to_what_its_summary_needs_and_forgets_what_is_due(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    old = _old_session(40)
    monkeypatch.setattr(SessionJournals, "journal_type", _Snapshotting)
    _log_as_zoomhost_does(caplog)
    scenario = assembly()
    with AsyncRunner(name="test-rehearse") as runner:
        result = runner.run(rehearse(scenario="assembly", speed=50, autopilot=True), timeout=180)
    session_id = result.summary.session_id

    # The summary from the journal as the session left it equals the one from the closed journal.
    before = _Snapshotting.before[session_id]
    with session_journals().open(session_id) as journal:
        info = journal.info
        check_journal(journal, scenario)
        closed = SessionSummary.from_journal(journal)
    as_left = SessionSummary.from_entries(
        before, meeting_id=info.meeting_id, topic=info.topic, session_id=info.session_id,
        started_at=info.started_at, planned_minutes=info.planned_minutes, rehearsal=info.rehearsal,
    )
    assert closed.as_dict() == as_left.as_dict() == result.summary.as_dict()
    assert result.summary.counts["arrivals"] == sum(2 if a.behaviour is Behaviour.REJOINS else 1 for a in scenario.arrivals) == 274

    # The journal's files keep no pupil's whole surname as typed; the incidents' names stay as evidence.
    surnames = _surnames_typed(scenario)
    assert len(surnames) > 100
    folder = session_journals().folder
    assert found(folder, surnames) == {}
    evidence = [a.display_name for a in scenario.arrivals if a.key in ("duplicate", "impostor", "zoombomber", "intruder", "forwarded")]
    assert set(found(folder, evidence)) == set(evidence)

    # Retention ran when the session closed: the old session is gone, said, and in the retention log.
    assert old not in session_journals().session_ids()
    assert result.retention is not None and result.retention.message == "1 session older than 30 days deleted"
    assert "1 session older than 30 days deleted" in result.text()
    (record,) = retention_log().records()
    assert (record.trigger, record.sessions_deleted, record.journals_minimised) == (SESSION_CLOSED, (old,), (session_id,))

    # No log line, here or in the host assistant's process, carries a display name.
    names = _typed_names(scenario)
    logged = [r.getMessage() for r in caplog.records] + [
        path.read_text(encoding="utf-8", errors="replace") for path in paths.log_dir().rglob("*") if path.is_file()
    ]
    leaks = sorted({name for name in names for line in logged if name in line})
    assert leaks == []


def test_rehearse_from_the_command_line_forgets_at_start_up_and_says_so() -> None:
    old = _old_session(31)
    done = subprocess.run(
        [sys.executable, "-m", "zoomhost", "rehearse", "--scenario", "class", "--speed", "60", "--headless", "--json"],
        capture_output=True, text=True, timeout=180,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)  # the JSON is one object: what retention did is said on stderr
    assert "zoomhost: 1 session older than 30 days deleted" in done.stderr.splitlines()
    assert old not in session_journals().session_ids()
    assert [r.trigger for r in retention_log().records()] == [START_UP, SESSION_CLOSED]
    with session_journals().open(out["session_id"]) as journal:
        assert journal.rewritten_through() == journal.last_seq()  # closed, and cut to what its summary needs
        check_journal(journal, class_meeting())


# Another teacher's lesson on the same Zoom account, heard on the same account-wide event stream.
OTHER = ("Wilhelmina Otherschool", "Bartholomew Elsewhere", "Ignatius Notours (Year 2)")
UNREADABLE = "Unreadable Ourclassname"


def test_another_meetings_people_never_reach_a_log_the_journal_or_the_panel(
    rehearsal_server: RehearsalServer, caplog: pytest.LogCaptureFixture  # noqa: F811
) -> None:
    _log_as_zoomhost_does(caplog)
    asyncio.run(_other_meeting(rehearsal_server))
    text = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.text.count("skipped an event zoomhost could not read") == 1  # ours; the other meeting's is not even read
    assert [name for name in (*OTHER, UNREADABLE) if name in text] == []
    assert found(paths.log_dir(), OTHER) == {} and found(session_journals().folder, OTHER) == {}


async def _other_meeting(server: RehearsalServer) -> None:
    ours = class_meeting()
    state = server.state
    async with live_rig(server, ours) as r:
        session = r.controller.session
        await r.controller.listening()
        other_meeting = state.assembly_meeting_id
        lesson = Scenario(
            name="other", title="Another lesson", meeting="assembly", register=(), staff=(),
            arrivals=tuple(Arrival(f"o{n}", 0.05 * n, name, Verdict.NOT_ON_REGISTER, behaviour=Behaviour.WAITS) for n, name in enumerate(OTHER)),
        )
        run = play(state, lesson, speed=1.0, meeting_id=other_meeting)
        assert await asyncio.to_thread(run.wait, 20)
        for user_id in [uid for ids in run.participants.values() for uid in ids]:
            state.admit(other_meeting, user_id)  # admitted, joined: more of their events on the stream
        # Frames zoomhost cannot read (no participant id), the other meeting's and ours: skipped, and
        # logged as skipped without what they said.
        for meeting, name in ((other_meeting, OTHER[0]), (r.meeting, UNREADABLE)):
            frame = json.dumps({"module": "message", "success": True, "content": json.dumps(
                {"event": "meeting.participant_joined_waiting_room", "event_ts": 1,
                 "payload": {"object": {"id": str(meeting), "participant": {"user_name": name}}}}
            )})
            for connection in list(server._connections):  # noqa: SLF001 - the server's own send queue, as if Zoom sent it
                connection.queue.put_nowait(frame)
        state.start_meeting(r.meeting)
        last = state.arrive(r.meeting, "Ava Ourclass")  # after everything above on the same stream
        await until(lambda: session.participant(str(last.user_id)) is not None, what="our own arrival")
        await asyncio.sleep(0.3)  # the assistant's own view catches up too
        journaled = "\n".join(repr(e) for e in session.journal.entries())
        heard = "\n".join(repr(batch) for batch in r.heard)
        assert "Ava Ourclass" in journaled and "Ava Ourclass" in heard
        assert [name for name in OTHER if name in journaled or name in heard] == []
        assert {row.display_name for row in session.arrivals()} == {"Ava Ourclass"}
