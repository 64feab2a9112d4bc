"""Admit all, journaled a chunk at a time: no admission reaches Zoom before its command is synced to the journal."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from tests.live.helpers import until
from tests.live.rig import live_rig
from tests.rehearsal.fixtures import rehearsal_server  # noqa: F401 - pytest fixture
from zoomhost.core.journal import JournalKind
from zoomhost.live import commands as commands_module
from zoomhost.live.commands import FIRST_CHUNK, admission_chunks
from zoomhost.rehearsal.scenarios import assembly, play
from zoomhost.rehearsal.server import RehearsalServer


def test_admission_chunks_start_small_and_cover_everyone_once() -> None:
    # The first chunk is sent while the rest are journaled: each chunk is one synced transaction before it is sent.
    assert admission_chunks(0) == [] and admission_chunks(1) == [1]
    assert admission_chunks(250) == [FIRST_CHUNK, 2 * FIRST_CHUNK, 250 - 3 * FIRST_CHUNK]
    for count in range(1, 2000):
        sizes = admission_chunks(count)
        assert sum(sizes) == count and all(size >= 1 for size in sizes)
        assert sizes[0] == (count if count < 2 * FIRST_CHUNK else FIRST_CHUNK)  # a small admit-all is one chunk
        # each chunk twice the one before, written while Zoom carries out those before it; the last takes what is
        # left rather than leave a sliver for a transaction of its own
        assert sizes[:-1] == [FIRST_CHUNK * 2**n for n in range(len(sizes) - 1)]
        assert len(sizes) == 1 or sizes[-1] < 4 * sizes[-2]


async def _panel_agrees_with_zoom(session: Any, state: Any, meeting: Any) -> None:
    """The panel has heard everything Zoom said of its waiting room: who is there, and by the names they have now (the
    scenario's renames come last: a device that becomes a pupil's name is admissible only from then on)."""
    await until(
        lambda: {(row.participant_id, row.display_name) for row in session.waiting()}
        == {(str(p.user_id), p.display_name) for p in state.waiting_room(meeting)},
        what="the panel to see the whole waiting room, by the names Zoom has for them now",
    )


@asynccontextmanager
async def _assembly_waiting(server: RehearsalServer) -> AsyncIterator[tuple[Any, list[str]]]:
    """The assembly played into the waiting room, the host assistant in, and the panel agreeing with Zoom: the rig and
    the consented pupils Admit all would ask for (several chunks of them)."""
    scenario = assembly()
    async with live_rig(server, scenario, auto_lock_after=None) as r:
        await r.controller.listening()
        run = play(r.state, scenario, speed=5000)
        assert await r.controller.wait_for_assistant(timeout=20)
        await asyncio.to_thread(run.wait, 30)
        await _panel_agrees_with_zoom(r.controller.session, r.state, r.meeting)
        wanted = [row.participant_id for row in r.controller.session.admissible_waiting()]
        assert len(wanted) > 3 * FIRST_CHUNK
        yield r, wanted


def test_every_admission_is_synced_to_the_journal_before_zoom_carries_it_out(rehearsal_server: RehearsalServer) -> None:  # noqa: F811
    asyncio.run(_admit_all(rehearsal_server))


async def _admit_all(server: RehearsalServer) -> None:
    async with _assembly_waiting(server) as (r, wanted):
        c, session, state = r.controller, r.controller.session, r.state

        # Zoom's side of each admission looks at the journal file first, through a connection of its own:
        # only what was committed (and synced) is there.
        on_disk = sqlite3.connect(f"file:{session.journal.path}?mode=ro", uri=True, check_same_thread=False)
        admitted_in_zoom: list[str] = []
        unjournaled: list[str] = []
        journaled_when_first_admitted: list[int] = []
        real_admit = state.admit

        def admit(meeting_id: Any, user_id: int) -> bool:
            commands = {
                pid
                for (pid,) in on_disk.execute("SELECT participant_id FROM entries WHERE kind = ?", (JournalKind.COMMAND.value,))
            }
            if not admitted_in_zoom:
                journaled_when_first_admitted.append(len(commands & set(wanted)))
            if str(user_id) not in commands:
                unjournaled.append(str(user_id))
            admitted_in_zoom.append(str(user_id))
            return real_admit(meeting_id, user_id)

        state.admit = admit
        try:
            outcome = await c.admit_all_consented()
        finally:
            del state.admit
            on_disk.close()
        assert (outcome.asked, outcome.admitted, outcome.failed) == (len(wanted), len(wanted), 0)
        assert not unjournaled, "Zoom was asked to admit someone whose command was not yet in the journal"
        assert admitted_in_zoom == wanted, "Zoom admits them once each, in the teacher's order"
        assert journaled_when_first_admitted[0] >= FIRST_CHUNK
        await until(lambda: not session.admissible_waiting(), what="every consented pupil to be shown in")
        sent = {e.detail["command_id"] for e in session.journal.entries(kinds=[JournalKind.COMMAND]) if e.detail["name"] == "admit_all"}
        done = {e.detail["command_id"] for e in session.journal.entries(kinds=[JournalKind.COMMAND_RESULT]) if e.detail["ok"]}
        assert len(sent) == len(wanted) and sent <= done, "every admission's result is journaled"


def test_an_admit_all_cancelled_midway_leaves_nobody_stuck_being_admitted(
    rehearsal_server: RehearsalServer, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    async def cancelled_between_chunks() -> None:  # the session closing, just as the first chunk has gone to Zoom
        task = asyncio.current_task()
        assert task is not None
        task.cancel()
        await asyncio.sleep(0)

    monkeypatch.setattr(commands_module, "_let_it_leave", cancelled_between_chunks)
    asyncio.run(_cancelled_midway(rehearsal_server))


async def _cancelled_midway(server: RehearsalServer) -> None:
    """The session closing cancels an admit-all after Zoom has begun on it: every pupil it had not yet carried out is
    free again, so Admit all passes nobody by for good and the teacher's own Admit answers."""
    async with _assembly_waiting(server) as (r, wanted):
        c, session, state = r.controller, r.controller.session, r.state
        admitted_in_zoom: list[str] = []
        real_admit = state.admit

        def admit(meeting_id: Any, user_id: int) -> bool:
            admitted_in_zoom.append(str(user_id))
            return real_admit(meeting_id, user_id)

        state.admit = admit
        try:
            outcome = await asyncio.gather(c.admit_all_consented(), return_exceptions=True)
            assert isinstance(outcome[0], asyncio.CancelledError)
            commands = c._commands  # noqa: SLF001 - what the engine still thinks it is admitting
            await until(lambda: not commands._admitting, what="every admission to be settled or given up")  # noqa: SLF001
            await _panel_agrees_with_zoom(session, state, r.meeting)
            left = [row.participant_id for row in session.admissible_waiting()]
            assert left, "cancelled early enough that some pupils still wait"
            result = await asyncio.wait_for(c.admit(left[0]), timeout=10)  # answered, not stuck behind the cancelled batch
            assert result.ok
        finally:
            del state.admit
