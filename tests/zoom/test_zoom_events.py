"""Live events over the rehearsal Zoom's WebSocket: framing, heartbeats, dropped connections,
expired tokens, reconciliation from the Dashboard, and hostile payloads."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.zoom.rehearsal_zoom import CLASS, RehearsalZoom, rehearsal_zoom  # noqa: F401
from zoomhost.core.events import EventKind, MeetingEvent
from zoomhost.zoom.auth import ServerToServerSignIn, ZoomAuth
from zoomhost.zoom.errors import ConnectionFailed
from zoomhost.zoom.events import EventStream, UnreadableEvent, meeting_event_from_webhook, read_frame

WEBHOOKS = Path(__file__).resolve().parents[1] / "data" / "zoom-api" / "ZoomMeetingsAPI.webhooks.json"


def _stream(zoom: RehearsalZoom, client, **kwargs) -> EventStream:  # noqa: ANN001
    return EventStream(
        settings=zoom.settings,
        auth=client.auth,
        meeting_id=str(CLASS),
        client=client,
        heartbeat_interval=kwargs.pop("heartbeat_interval", 0.2),
        reconnect_base=0.05,
        reconnect_max=0.2,
        **kwargs,
    )


async def _collect_until(stream: EventStream, done: Callable[[list[MeetingEvent]], bool], timeout: float = 15) -> list[MeetingEvent]:
    got: list[MeetingEvent] = []

    async def consume() -> None:
        async for event in stream:
            got.append(event)
            if done(got):
                return

    try:
        await asyncio.wait_for(consume(), timeout)
    finally:
        await stream.aclose()
    return got


async def _until_connected(stream: EventStream, count: int = 1) -> None:
    while stream.connections < count:
        await asyncio.sleep(0.02)


def test_arrivals_admissions_and_departures_arrive_as_core_events(rehearsal_zoom: RehearsalZoom) -> None:
    state = rehearsal_zoom.server.state
    state.start_meeting(CLASS)

    async def run() -> list[MeetingEvent]:
        async with rehearsal_zoom.client() as client:
            stream = _stream(rehearsal_zoom, client)
            task = asyncio.create_task(_collect_until(stream, lambda got: any(e.kind is EventKind.ENDED for e in got)))
            await _until_connected(stream)
            ava = state.arrive(CLASS, "Ava B (Year 4)")
            state.admit(CLASS, ava.user_id)
            state.put_in_waiting_room(CLASS, ava.user_id)
            state.leave(CLASS, ava.user_id)
            await asyncio.sleep(0.5)  # a few heartbeats go by
            state.end_meeting(CLASS)
            events = await task
            assert stream.heartbeats_answered >= 1
            return events

    events = asyncio.run(run())
    kinds = [e.kind for e in events]
    assert kinds == [
        EventKind.WAITING_JOINED,
        EventKind.ADMITTED,
        EventKind.JOINED,
        EventKind.PUT_BACK,
        EventKind.WAITING_LEFT,
        EventKind.ENDED,
    ]
    first = events[0]
    assert first.display_name == "Ava B (Year 4)"
    assert first.participant_id and first.participant_id.isdigit()  # the in-meeting id the Meeting SDK uses
    assert first.meeting_id == str(CLASS) and first.at.tzinfo is not None and first.source == "websocket"
    assert len({e.event_id for e in events}) == len(events)


def test_after_a_dropped_connection_missed_arrivals_are_reconciled_from_the_dashboard(rehearsal_zoom: RehearsalZoom) -> None:
    state = rehearsal_zoom.server.state
    state.start_meeting(CLASS)

    async def run() -> tuple[list[MeetingEvent], int]:
        async with rehearsal_zoom.client() as client:
            stream = _stream(rehearsal_zoom, client)
            task = asyncio.create_task(
                _collect_until(stream, lambda got: any(e.display_name == "After Drop" and e.source == "websocket" for e in got))
            )
            await _until_connected(stream)
            state.arrive(CLASS, "Before Drop")
            await asyncio.sleep(0.3)
            rehearsal_zoom.server.faults.drop_websockets()
            state.arrive(CLASS, "Missed While Away")  # nobody connected: Zoom delivers nothing, replays nothing
            await _until_connected(stream, 2)
            await asyncio.sleep(0.3)
            state.arrive(CLASS, "After Drop")
            return await task, stream.connections

    events, connections = asyncio.run(run())
    assert connections >= 2
    by_name = {e.display_name: e for e in events}
    assert by_name["Before Drop"].source == "websocket"
    missed = by_name["Missed While Away"]
    assert (missed.kind, missed.source) == (EventKind.WAITING_JOINED, "reconcile")
    assert by_name["After Drop"].source == "websocket"
    # Someone already known is not announced twice by the reconciliation.
    assert [e.display_name for e in events].count("Before Drop") == 1
    assert not any(e.kind is EventKind.MAY_HAVE_MISSED for e in events)


def test_without_a_dashboard_the_panel_is_told_arrivals_may_have_been_missed(rehearsal_zoom: RehearsalZoom) -> None:
    state = rehearsal_zoom.server.state
    state.plan = "pro"
    state.start_meeting(CLASS)

    async def run() -> list[MeetingEvent]:
        async with rehearsal_zoom.client() as client:
            stream = _stream(rehearsal_zoom, client)
            task = asyncio.create_task(_collect_until(stream, lambda got: any(e.kind is EventKind.MAY_HAVE_MISSED for e in got)))
            await _until_connected(stream)
            rehearsal_zoom.server.faults.drop_websockets()
            return await task

    events = asyncio.run(run())
    warning = events[-1]
    assert warning.kind is EventKind.MAY_HAVE_MISSED and warning.meeting_id == str(CLASS)
    assert "Dashboard" in warning.extra["reason"]


def test_an_expired_token_closes_the_socket_and_the_stream_comes_back_with_a_fresh_one(rehearsal_zoom: RehearsalZoom) -> None:
    state = rehearsal_zoom.server.state
    state.start_meeting(CLASS)

    async def run() -> tuple[list[MeetingEvent], int]:
        async with rehearsal_zoom.client() as client:
            stream = _stream(rehearsal_zoom, client)
            task = asyncio.create_task(_collect_until(stream, lambda got: any(e.display_name == "Later" for e in got)))
            await _until_connected(stream)
            rehearsal_zoom.server.faults.expire_tokens()
            await _until_connected(stream, 2)
            await asyncio.sleep(0.2)
            state.arrive(CLASS, "Later")
            return await task, client.auth.fetch_count

    events, fetches = asyncio.run(run())
    assert fetches == 2
    assert events[-1].display_name == "Later"


def test_hostile_frames_are_skipped_and_the_stream_carries_on(rehearsal_zoom: RehearsalZoom, caplog) -> None:  # noqa: ANN001
    state = rehearsal_zoom.server.state
    live = state.start_meeting(CLASS)
    server = rehearsal_zoom.server
    hostile = [
        "this is not json",
        json.dumps(["a", "list"]),
        json.dumps({"module": "message", "success": True, "content": "{not json"}),
        json.dumps({"module": "message", "success": True, "content": json.dumps({"event": "meeting.participant_joined_waiting_room", "payload": {}})}),
        json.dumps({"module": "message", "success": True, "content": json.dumps(
            {"event": "meeting.participant_joined_waiting_room", "event_ts": 1, "payload": {"object": {"id": str(CLASS), "participant": {"user_name": "no id"}}}}
        )}),
    ]
    huge = "Z" * 100_000

    async def run() -> list[MeetingEvent]:
        async with rehearsal_zoom.client() as client:
            stream = _stream(rehearsal_zoom, client)
            task = asyncio.create_task(_collect_until(stream, lambda got: any(e.display_name == "Still Heard" for e in got)))
            await _until_connected(stream)
            for conn in list(server._connections):  # the server's own send queue, as if Zoom sent these
                for frame in hostile:
                    conn.queue.put_nowait(frame)
            state.arrive(CLASS, huge)
            state.arrive(CLASS, "Still Heard")
            events = await task
            assert stream.skipped == len(hostile)
            return events

    events = asyncio.run(run())
    assert live is not None
    names = [e.display_name for e in events]
    assert names[-1] == "Still Heard"
    long_one = next(e for e in events if e.extra.get("name_truncated"))
    assert len(long_one.display_name or "") == 200  # cut, not dropped: a bomber with a huge name is still seen
    assert "could not read" in caplog.text


def test_every_documented_example_of_a_followed_event_becomes_a_core_event() -> None:
    webhooks = json.loads(WEBHOOKS.read_text(encoding="utf-8"))["webhooks"]
    for name, kind in [
        ("meeting.participant_joined_waiting_room", EventKind.WAITING_JOINED),
        ("meeting.participant_left_waiting_room", EventKind.WAITING_LEFT),
        ("meeting.participant_admitted", EventKind.ADMITTED),
        ("meeting.participant_put_in_waiting_room", EventKind.PUT_BACK),
        ("meeting.participant_joined", EventKind.JOINED),
        ("meeting.participant_left", EventKind.LEFT),
        ("meeting.started", EventKind.STARTED),
        ("meeting.ended", EventKind.ENDED),
    ]:
        example = json.loads(webhooks[name]["post"]["requestBody"]["content"]["application/json"]["examples"]["json-example"]["value"])
        frame = json.dumps({"module": "message", "success": True, "content": json.dumps(example)})
        module, body = read_frame(frame)
        event = meeting_event_from_webhook(body)
        assert module == "message" and event is not None
        assert event.kind is kind and event.meeting_id == "1234567890"
        if event.participant_id is not None:
            assert event.participant_id == "1234567890" and event.display_name == "Jill Chill"
        assert meeting_event_from_webhook(body).event_id == event.event_id  # stable for one happening


def test_events_the_panel_does_not_follow_are_ignored_and_broken_ones_refused() -> None:
    assert meeting_event_from_webhook({"event": "meeting.sharing_started", "payload": {}}) is None
    with pytest.raises(UnreadableEvent):
        meeting_event_from_webhook({"event": "meeting.participant_left", "payload": {"object": {"id": "1"}}})
    with pytest.raises(UnreadableEvent):
        read_frame("{")


def test_a_token_endpoint_that_fails_for_a_moment_does_not_end_the_stream(rehearsal_zoom: RehearsalZoom) -> None:
    state = rehearsal_zoom.server.state
    state.start_meeting(CLASS)
    real = ServerToServerSignIn(credentials=rehearsal_zoom.credentials, oauth_base=rehearsal_zoom.settings.oauth_base)

    class FlakyNetwork:
        """The rehearsal's token endpoint cannot fail on demand; the network in front of it can."""

        attempts = 0

        async def fetch(self):  # noqa: ANN201
            FlakyNetwork.attempts += 1
            if FlakyNetwork.attempts <= 2:
                raise ConnectionFailed("zoomhost could not reach Zoom for sign-in.")
            return await real.fetch()

    async def run() -> list[MeetingEvent]:
        async with rehearsal_zoom.client(auth=ZoomAuth(FlakyNetwork())) as client:
            stream = _stream(rehearsal_zoom, client)
            task = asyncio.create_task(_collect_until(stream, lambda got: any(e.display_name == "Patient" for e in got)))
            await _until_connected(stream)
            state.arrive(CLASS, "Patient")
            return await task

    assert [e.display_name for e in asyncio.run(run())] == ["Patient"]
    assert FlakyNetwork.attempts == 3


def test_half_a_character_in_a_typed_name_is_journaled_and_held_for_the_teacher() -> None:
    """JSON can carry a lone surrogate, which no file can store: the arrival must still be kept, and held."""
    from zoomhost.core.classifier import AdmissionClassifier
    from zoomhost.app.services import session_journals
    from zoomhost.core.models import Pupil, Verdict
    from zoomhost.core.session import LiveSession

    content = (
        '{"event": "meeting.participant_joined_waiting_room", "event_ts": 1700000000000, "payload": {"object":'
        ' {"id": "85746352901", "participant": {"user_id": "16778240", "user_name": "Amy B\\ud800",'
        ' "join_time": "2024-03-08T10:30:00Z"}}}}'
    )
    _, body = read_frame(json.dumps({"module": "message", "success": True, "content": content}))
    event = meeting_event_from_webhook(body)
    assert event is not None and event.display_name == "Amy B\ufffd"

    classifier = AdmissionClassifier(pupils=[Pupil(1, "Amy", None, "B", "3B", True)], staff=[])
    journal = session_journals().create(
        meeting_id="85746352901", topic="Assembly", planned_minutes=30, started_at=event.at, rehearsal=True
    )
    session = LiveSession(journal=journal, classify=lambda name, present, identity: classifier.classify(name, present=present, identity=identity))
    session.apply(event)
    row = session.participant("16778240")
    assert row.verdict is Verdict.SUSPICIOUS and "could not be read" in " ".join(row.reasons)
    with session_journals().open(journal.session_id) as again:
        assert [entry.display_name for entry in again.entries() if entry.participant_id == "16778240"][0] == "Amy B\ufffd"
    journal.close()
