"""A gap in Zoom's event stream, as the engine handles it: said once when it starts and once when it
ends; then who came and who left meanwhile, from the Dashboard (Business, Education), or, on a Pro plan,
one alarm that says when the stream was down and that arrivals and departures may have been missed.

No host assistant here: the event stream is the only ear, so what the gap hid is visible.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from tests.live.helpers import notes, until
from tests.live.rig import settings_for
from zoomhost.app.rehearse import ScenarioRegister
from zoomhost.app.services import session_journals
from zoomhost.app.session import start_session
from zoomhost.core.journal import JournalKind
from zoomhost.core.session import ParticipantState, SessionChange
from zoomhost.live.engine import LiveController
from zoomhost.live.notes import LiveNote
from zoomhost.live.state import NoticeKind, notices_in
from zoomhost.rehearsal.scenarios import class_meeting
from zoomhost.rehearsal.server import RehearsalServer
from zoomhost.zoom.auth import ServerToServerSignIn, ZoomAuth
from zoomhost.zoom.client import ZoomClient
from zoomhost.zoom.credentials import ServerToServerCredentials

SCALE = 20.0  # the stream's waits and heartbeat twenty times faster than against a real Zoom


@dataclass
class Heard:
    server: RehearsalServer
    meeting: int
    controller: LiveController
    batches: list[Sequence[SessionChange]] = field(default_factory=list)

    def pid(self, name: str) -> str:
        return next(row.participant_id for row in self.controller.session.arrivals() if row.display_name == name)


@asynccontextmanager
async def listening(server: RehearsalServer) -> AsyncIterator[Heard]:
    scenario = class_meeting()
    meeting = scenario.meeting_id(server.state)
    creds = server.credentials
    auth = ZoomAuth(
        ServerToServerSignIn(
            credentials=ServerToServerCredentials(creds.account_id, creds.client_id, creds.client_secret), oauth_base=server.oauth_base
        )
    )
    zoom = ZoomClient(settings=settings_for(server), auth=auth)
    batches: list[Sequence[SessionChange]] = []
    controller = await start_session(
        settings=settings_for(server),
        zoom=zoom,
        auth=auth,
        register=ScenarioRegister.of(scenario),
        journals=session_journals(),
        meeting_id=str(meeting),
        rehearsal=True,
        listener=batches.append,
        autopilot=False,
        auto_lock_after=timedelta(hours=1),
        time_scale=SCALE,
    )
    try:
        await controller.listening()
        yield Heard(server, meeting, controller, batches)
    finally:
        await controller.close()
        await zoom.aclose()


async def _gap_hiding(heard: Heard, *, leavers: list[int], newcomer: str) -> None:
    """The stream is cut and every token refused for a while; meanwhile ``leavers`` leave and ``newcomer`` arrives."""
    server, state, meeting = heard.server, heard.server.state, heard.meeting
    await asyncio.sleep(2.2)  # what changed in the last two seconds is newer than any roster (pickup's _FRESH)
    server.faults.apply({"refuse_event_tokens": {"seconds": 1.0}, "drop_websockets": True})
    await asyncio.sleep(0.2)
    for user_id in leavers:
        state.leave(meeting, user_id)
    state.arrive(meeting, newcomer)
    journal = heard.controller.session.journal
    await until(lambda: any(n.detail.get("state") == "events_back" for n in notes(journal, LiveNote.CHANNEL)), what="the stream to come back")


async def _two_admitted(heard: Heard, *names: str) -> list[int]:
    state, meeting = heard.server.state, heard.meeting
    people = [state.arrive(meeting, name) for name in names]
    for person in people:
        state.admit(meeting, person.user_id)
    session = heard.controller.session
    await until(lambda: len(session.in_meeting()) == len(names), what="the admissions to be heard")
    return [person.user_id for person in people]


@pytest.mark.parametrize("plan", ["business", "education"])
def test_after_a_gap_the_dashboard_says_who_left_and_who_came(plan: str) -> None:
    async def run() -> Heard:
        with RehearsalServer(plan=plan) as server:
            server.state.start_meeting(server.state.class_meeting_id)
            async with listening(server) as heard:
                leavers = await _two_admitted(heard, "Phoebe Corlett", "Sophie Cregeen")
                await _gap_hiding(heard, leavers=leavers, newcomer="Came In The Gap")
                return heard

    heard = asyncio.run(run())
    session = heard.controller.session
    assert session.participant(heard.pid("Phoebe Corlett")).state is ParticipantState.LEFT
    assert session.participant(heard.pid("Sophie Cregeen")).state is ParticipantState.LEFT
    assert session.participant(heard.pid("Came In The Gap")).state is ParticipantState.WAITING
    entries = session.journal.entries()
    reconciled = [e for e in entries if e.detail.get("source") == "reconcile"]
    assert sorted((e.kind.value, e.display_name) for e in reconciled) == [
        ("arrival", "Came In The Gap"),
        ("left", "Phoebe Corlett"),
        ("left", "Sophie Cregeen"),
    ]
    assert not [e for e in entries if e.kind is JournalKind.ALARM], "reconciled: nothing may have been missed"
    channel = [n.detail for n in notes(session.journal, LiveNote.CHANNEL)]
    assert [d["state"] for d in channel].count("events_lost") == 1 and [d["state"] for d in channel].count("events_back") == 1
    back = next(d for d in channel if d["state"] == "events_back")
    assert "1 arrived and 2 left meanwhile" in back["message"]
    told = [n for batch in heard.batches for n in notices_in(batch)]
    assert [n.kind for n in told].count(NoticeKind.CHANNEL_LOST) == 1
    assert any(n.kind is NoticeKind.CHANNEL and "2 left" in n.message for n in told)


def test_on_a_pro_plan_one_gap_is_one_alarm_saying_what_may_have_been_missed() -> None:
    async def run() -> Heard:
        with RehearsalServer() as server:  # Pro: no Dashboard
            server.state.start_meeting(server.state.class_meeting_id)
            async with listening(server) as heard:
                leavers = await _two_admitted(heard, "Phoebe Corlett", "Sophie Cregeen")
                await _gap_hiding(heard, leavers=leavers, newcomer="Came In The Gap")
                heard.attempts = sum(1 for _, outcome in server.event_attempts if outcome.startswith("refused"))  # type: ignore[attr-defined]
                return heard

    heard = asyncio.run(run())
    session = heard.controller.session
    assert heard.attempts >= 2, "the gap took several attempts"  # type: ignore[attr-defined]
    (alarm,) = session.alarms()  # one, however many attempts the gap took
    assert alarm.kind.value == "may_have_missed"
    assert "arrivals and departures" in alarm.message and "between" in alarm.message
    assert "Dashboard" in alarm.message, "and why zoomhost could not check"
    # Nobody is taken for gone, or for arrived, on a guess.
    assert session.participant(heard.pid("Phoebe Corlett")).state is ParticipantState.IN_MEETING
    assert "Came In The Gap" not in [row.display_name for row in session.arrivals()]
    summary_gaps = sum(1 for e in session.journal.entries() if e.kind is JournalKind.STREAM_GAP)
    assert summary_gaps == 1


def test_a_new_id_on_admission_is_no_departure_and_no_arrival_when_reconciling() -> None:
    async def run() -> Heard:
        with RehearsalServer(plan="business") as server:
            server.faults.apply({"participant_ids": "new_on_admission"})
            server.state.start_meeting(server.state.class_meeting_id)
            async with listening(server) as heard:
                await _two_admitted(heard, "Phoebe Corlett", "Sophie Cregeen")
                await _gap_hiding(heard, leavers=[], newcomer="Came In The Gap")
                return heard

    heard = asyncio.run(run())
    session = heard.controller.session
    entries = session.journal.entries()
    assert sum(e.kind is JournalKind.ARRIVAL for e in entries) == 3
    assert [row.state for row in session.arrivals()] == [ParticipantState.IN_MEETING] * 2 + [ParticipantState.WAITING]
    assert not [e for e in entries if e.kind in (JournalKind.LEFT, JournalKind.ALARM)]
    heard_as = [e.detail["heard_as"] for e in entries if e.kind is JournalKind.ADMITTED]
    assert len(heard_as) == 2 and all(h not in {r.participant_id for r in session.arrivals()} for h in heard_as)


def test_a_pupil_who_leaves_the_waiting_room_is_heard_once_and_never_counted_as_attending() -> None:
    """Zoom says a waiting-room exit twice (``participant_left_waiting_room`` and ``participant_left`` with "Leave waiting
    room."): one exit is journaled, and the summary counts her as not admitted, not as attending."""
    from zoomhost.core.summary import SessionSummary

    async def run() -> Heard:
        with RehearsalServer() as server:
            server.state.start_meeting(server.state.class_meeting_id)
            async with listening(server) as heard:
                state, meeting = server.state, heard.meeting
                phoebe = state.arrive(meeting, "Phoebe Corlett")
                session = heard.controller.session
                await until(lambda: any(r.display_name == "Phoebe Corlett" for r in session.arrivals()), what="her arrival")
                state.leave(meeting, phoebe.user_id)
                await until(lambda: session.participant(heard.pid("Phoebe Corlett")).state is ParticipantState.LEFT_WAITING_ROOM, what="her exit")
                await asyncio.sleep(0.5)  # Zoom's second word on the same exit arrives meanwhile
                exits = [e for e in server.sent_events if e["event"] in ("meeting.participant_left_waiting_room", "meeting.participant_left")]
                assert [e["event"] for e in exits] == ["meeting.participant_left_waiting_room", "meeting.participant_left"]
                return heard

    heard = asyncio.run(run())
    journal = heard.controller.session.journal
    hers = [e.kind for e in journal.entries() if e.display_name == "Phoebe Corlett"]
    assert hers == [JournalKind.ARRIVAL, JournalKind.LEFT_WAITING_ROOM]
    summary = SessionSummary.from_journal(journal)
    assert summary.counts["pupils_attended"] == 0 and summary.counts["admitted"] == 0 and summary.counts["not_admitted"] == 1
