"""The engine and the host assistant's own participant, and the host changes the assistant hears."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

from tests.core.live_helpers import CONSENTED, MEETING, T0, Clock, classify, event
from tests.live.helpers import until
from tests.live.rig import live_rig
from tests.rehearsal.fixtures import rehearsal_server  # noqa: F401 - pytest fixture
from zoomhost.app.services import session_journals
from zoomhost.assistant.fallback import ManualChannel
from zoomhost.core.events import EventKind as K
from zoomhost.core.events import MeetingEvent
from zoomhost.core.journal import JournalKind
from zoomhost.core.session import AlarmKind, LiveSession, SessionChange
from zoomhost.live.engine import LiveController
from zoomhost.live.notes import LiveNote, note_of
from zoomhost.rehearsal.scenarios import class_meeting, play
from zoomhost.rehearsal.server import RehearsalServer

NAME = "Safeguarding assistant"


class _Stream:
    """Zoom's event stream as the engine reads it: connected, then these events in order."""

    connections = 1

    def __init__(self, events: Sequence[MeetingEvent]) -> None:
        self._events = list(events)

    def __aiter__(self) -> AsyncIterator[MeetingEvent]:
        return self._each()

    async def _each(self) -> AsyncIterator[MeetingEvent]:
        for item in self._events:
            yield item
        await asyncio.Event().wait()  # stays open, as a live subscription does


def test_a_controller_told_the_assistants_id_never_alarms_about_it_but_does_about_a_namesake() -> None:
    asyncio.run(_namesake())


async def _namesake() -> None:
    journal = session_journals().create(meeting_id=MEETING, topic="Assembly", planned_minutes=30, started_at=T0, rehearsal=True)
    session = LiveSession(journal=journal, classify=classify, expected_pupils=CONSENTED, clock=Clock())
    stream = _Stream(
        [
            event(K.WAITING_JOINED, "16777216", NAME, seconds=2),
            event(K.ADMITTED, "16777216", seconds=4),
            event(K.WAITING_JOINED, "16779264", NAME, seconds=30),  # a zoombomber using the assistant's name
            event(K.ADMITTED, "16779264", seconds=31),
        ]
    )
    heard: list[Sequence[SessionChange]] = []
    controller = LiveController(
        session=session, fallback=ManualChannel(end_meeting=None), streams=[stream], listener=heard.append,
        clock=Clock(), auto_lock_after=None, assistant_ids=["16777216"],
    )  # fmt: skip
    await controller.start()
    try:
        await until(lambda: session.participant("16779264") is not None and session.alarms(), timeout=5, what="the namesake")
        assert [(a.kind, a.participant_id) for a in session.alarms()] == [(AlarmKind.NOT_ALLOWED_IN, "16779264")]
        assert [row.participant_id for row in session.arrivals()] == ["16779264"]
        seen = [note_of(c) for batch in heard for c in batch if c.entry.participant_id == "16777216"]
        assert seen == [LiveNote.ASSISTANT, LiveNote.ASSISTANT_SEEN, LiveNote.ASSISTANT_SEEN]
    finally:
        await controller.close()


def test_the_assistant_made_co_host_is_journaled_as_a_host_change_not_an_arrival(rehearsal_server: RehearsalServer) -> None:
    asyncio.run(_made_cohost(rehearsal_server))


async def _made_cohost(server: RehearsalServer) -> None:
    scenario = class_meeting()
    async with live_rig(server, scenario) as r:
        session = r.controller.session
        await r.controller.listening()
        run = play(r.state, scenario, speed=5000)  # the meeting starts, the class arrives
        assert await r.controller.wait_for_assistant(timeout=20)
        await asyncio.to_thread(run.wait, 30)

        def host_changes() -> list:
            return [e for e in session.journal.entries() if e.kind is JournalKind.NOTE and e.detail.get("note") == "host_changed"]

        await until(lambda: host_changes(), timeout=10, what="the assistant's co-host change in the journal")
        change = host_changes()[0]
        (assistant,) = r.state.live[r.meeting].sdk_roles  # the participant Zoom has for the assistant
        assert session.assistant_ids == {str(assistant)}  # it said so itself
        assert (change.participant_id, change.detail["role"], change.detail["source"]) == (str(assistant), "co-host", "assistant")
        assert any(note_of(c) is LiveNote.HOST_CHANGED for batch in r.heard for c in batch)
        assert session.participant(str(assistant)) is None and session.alarms() == []
