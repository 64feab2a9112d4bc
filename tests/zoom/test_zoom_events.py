"""Live events over the rehearsal Zoom's WebSocket: framing, heartbeats, dropped connections,
expired and refused tokens (never a reconnect storm), gaps said once, and hostile payloads."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from websockets.asyncio.server import serve

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
        heartbeat_interval=kwargs.pop("heartbeat_interval", 0.2),
        reconnect_base=kwargs.pop("reconnect_base", 0.05),
        reconnect_max=kwargs.pop("reconnect_max", 0.2),
        **kwargs,
    )


def _people(events: list[MeetingEvent]) -> list[MeetingEvent]:
    return [e for e in events if e.kind not in (EventKind.STREAM_LOST, EventKind.STREAM_BACK)]


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
        EventKind.LEFT,  # Zoom's participant_left "Leave waiting room." for the same exit
        EventKind.ENDED,
    ]
    assert events[-2].extra.get("leave_reason") == "Leave waiting room."
    first = events[0]
    assert first.display_name == "Ava B (Year 4)"
    assert first.participant_id and first.participant_id.isdigit()  # the in-meeting id the Meeting SDK uses
    assert first.meeting_id == str(CLASS) and first.at.tzinfo is not None and first.source == "websocket"
    assert len({e.event_id for e in events}) == len(events)


def test_a_dropped_connection_is_one_gap_said_once_lost_and_once_back(rehearsal_zoom: RehearsalZoom) -> None:
    state = rehearsal_zoom.server.state
    state.start_meeting(CLASS)

    async def run() -> tuple[list[MeetingEvent], EventStream]:
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
            return await task, stream

    events, stream = asyncio.run(run())
    assert stream.connections == 2 and stream.gaps == 1
    kinds = [e.kind for e in events]
    assert kinds.count(EventKind.STREAM_LOST) == 1 and kinds.count(EventKind.STREAM_BACK) == 1
    lost, back = (next(e for e in events if e.kind is k) for k in (EventKind.STREAM_LOST, EventKind.STREAM_BACK))
    assert kinds.index(EventKind.STREAM_LOST) < kinds.index(EventKind.STREAM_BACK)
    assert back.extra["since"] == lost.at.isoformat() and int(back.extra["attempts"]) >= 1
    # The stream does not guess who came meanwhile: the engine asks Zoom's Dashboard, or says what may be missing.
    assert [e.display_name for e in _people(events)] == ["Before Drop", "After Drop"]


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
    assert fetches == 2  # the first token, and one renewal once Zoom refused the expired one
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


# -- never a storm ---------------------------------------------------------------------------------
ZOOM_BASE, ZOOM_CAP = 1.0, 30.0  # the stream's own defaults, as against a real Zoom
SCALE = 20.0  # a minute of the stream's clock in three seconds


def test_a_token_refused_for_a_minute_costs_a_handful_of_attempts_one_renewal_and_one_gap(rehearsal_zoom: RehearsalZoom) -> None:
    """Zoom refuses every token for a minute (on the stream's clock): the token is renewed once, each
    later attempt waits twice as long up to the cap, and the whole minute is one gap, said once."""
    server, state = rehearsal_zoom.server, rehearsal_zoom.server.state
    state.start_meeting(CLASS)
    minute = 60.0 / SCALE

    async def run() -> tuple[list[MeetingEvent], EventStream, int, float]:
        async with rehearsal_zoom.client() as client:
            stream = _stream(
                rehearsal_zoom, client, reconnect_base=ZOOM_BASE, reconnect_max=ZOOM_CAP, heartbeat_interval=30.0,
                time_scale=SCALE, rng=random.Random(13).random,
            )  # fmt: skip
            task = asyncio.create_task(_collect_until(stream, lambda got: any(e.display_name == "Heard Again" for e in got), timeout=30))
            await _until_connected(stream)
            fetched = client.auth.fetch_count
            started = time.monotonic()
            server.faults.apply({"expire_tokens": True, "refuse_event_tokens": {"seconds": minute}})
            while stream.connections < 2:
                await asyncio.sleep(0.02)
            state.arrive(CLASS, "Heard Again")
            return await task, stream, client.auth.fetch_count - fetched, started

    events, stream, renewals, started = asyncio.run(run())
    in_the_minute = [t for t, outcome in server.event_attempts if outcome.startswith("refused") and started <= t <= started + minute]
    # With Zoom's real settings (1 s doubling to 30 s, jitter) a failing minute is at most 9 attempts; before,
    # every accepted handshake reset the wait, and the same token was tried about once a second: 60.
    assert 3 <= len(in_the_minute) <= 9, len(in_the_minute)
    assert renewals == 1 and stream.renewals == 1, "renewed once, not on every refusal"
    assert stream.refusals == len([o for _, o in server.event_attempts if o.startswith("refused")])
    kinds = [e.kind for e in events]
    assert kinds.count(EventKind.STREAM_LOST) == 1 and kinds.count(EventKind.STREAM_BACK) == 1, "one gap, said once"
    assert "Invalid Token" in next(e for e in events if e.kind is EventKind.STREAM_BACK).extra["reason"]
    # the gap's reason is worded as Test connection words the same refusal
    assert next(e for e in events if e.kind is EventKind.STREAM_BACK).extra["reason"] == "Zoom refused the event subscription: Invalid Token"
    assert events[-1].display_name == "Heard Again"


def test_the_wait_doubles_with_jitter_up_to_the_cap_and_only_a_proved_connection_resets_it() -> None:
    from zoomhost.system.config import Settings

    settings = Settings(subscription_id="sub", ws_base="ws://127.0.0.1:9/ws")
    low = EventStream(settings=settings, auth=None, reconnect_base=1, reconnect_max=30, rng=lambda: 0.0)  # type: ignore[arg-type]
    high = EventStream(settings=settings, auth=None, reconnect_base=1, reconnect_max=30, rng=lambda: 1.0)  # type: ignore[arg-type]
    assert [low.backoff(n) for n in range(1, 8)] == [0.5, 1, 2, 4, 8, 15, 15]
    assert [high.backoff(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    assert high.backoff(10_000) == 30  # no overflow after a very long outage


def test_a_socket_that_opens_but_never_answers_is_not_healthy(rehearsal_zoom: RehearsalZoom) -> None:
    """A handshake alone proves nothing: with no heartbeat answered, the wait keeps growing and nothing is 'connected'."""
    opened: list[float] = []

    async def silent(ws) -> None:  # noqa: ANN001 - accepts, reads, never answers
        opened.append(time.monotonic())
        async for _ in ws:
            pass

    async def run() -> EventStream:
        async with serve(silent, "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            settings = type(rehearsal_zoom.settings)(subscription_id="sub", ws_base=f"ws://127.0.0.1:{port}/ws")
            async with rehearsal_zoom.client() as client:
                stream = EventStream(
                    settings=settings, auth=client.auth, heartbeat_interval=0.1, reconnect_base=0.1, reconnect_max=1.0,
                    rng=lambda: 1.0,
                )  # fmt: skip
                task = asyncio.create_task(_collect_until(stream, lambda got: False, timeout=2.5))
                with pytest.raises(TimeoutError):
                    await task
                return stream

    stream = asyncio.run(run())
    assert stream.connections == 0 and stream.heartbeats_answered == 0
    # each try: two unanswered heartbeats (0.2 s), then 0.1, 0.2, 0.4, 0.8 s… never reset by the handshake
    assert 3 <= len(opened) <= 5, len(opened)


def test_test_connection_probe_passes_only_when_zoom_answers(rehearsal_zoom: RehearsalZoom) -> None:
    server = rehearsal_zoom.server

    async def run() -> list:  # type: ignore[type-arg]
        async with rehearsal_zoom.client() as client:
            stream = EventStream(settings=rehearsal_zoom.settings, auth=client.auth)
            answered = await stream.probe(timeout=5)
            server.faults.apply({"refuse_event_tokens": {"seconds": 5}})
            refused = await stream.probe(timeout=5)
            server.faults.apply({"refuse_event_tokens": {"seconds": 0}})
            wrong = EventStream(settings=type(rehearsal_zoom.settings)(subscription_id="old-one", ws_base=rehearsal_zoom.settings.ws_base), auth=client.auth)
            unknown = await wrong.probe(timeout=5)
            return [answered, refused, unknown]

    answered, refused, unknown = asyncio.run(run())
    assert answered.answered and not answered.problem
    assert not refused.answered and refused.problem == "Zoom refused the event subscription: Invalid Token"
    assert not unknown.answered and "Subscription not found" in unknown.problem


def test_two_steps_in_one_second_keep_their_order_and_the_participant_uuid_is_kept() -> None:
    def body(event: str, ts: int) -> dict:
        return {
            "event": event,
            "event_ts": ts,
            "payload": {"object": {"id": "85746352901", "participant": {
                "user_id": "16778240", "user_name": "Amy B", "participant_uuid": "UUID-Amy", "date_time": "2024-03-08T10:30:00Z",
            }}},
        }  # fmt: skip

    waiting = meeting_event_from_webhook(body("meeting.participant_joined_waiting_room", 1709893800120))
    admitted = meeting_event_from_webhook(body("meeting.participant_admitted", 1709893800870))
    assert waiting is not None and admitted is not None
    assert waiting.at < admitted.at and waiting.at.second == admitted.at.second == 0
    assert waiting.extra["participant_uuid"] == "UUID-Amy"
    stale = meeting_event_from_webhook(body("meeting.participant_admitted", 1709893900000))  # event_ts far from the stamp
    assert stale is not None and stale.at.isoformat() == "2024-03-08T10:30:00+00:00"


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


def test_a_rehearsal_played_fast_still_gives_zoom_a_real_second_to_answer_each_heartbeat() -> None:
    """At 100,000 times real speed a 30 s heartbeat would go every 0.3 ms, and a busy moment (271 arrivals
    queued ahead of Zoom's answer) would read as a dead connection: reconnects and a 'may have missed' alarm."""
    from zoomhost.system.config import Settings
    from zoomhost.zoom.events import MIN_HEARTBEAT_PERIOD

    settings = Settings(subscription_id="sub", ws_base="ws://127.0.0.1:9/ws")
    period = lambda **kw: EventStream(settings=settings, auth=None, **kw).heartbeat_period  # type: ignore[arg-type]  # noqa: E731
    assert period(heartbeat_interval=30.0) == 30.0
    assert period(heartbeat_interval=30.0, time_scale=20.0) == 1.5  # the stream's clock, while it is slower than the floor
    assert period(heartbeat_interval=30.0, time_scale=100_000.0) == MIN_HEARTBEAT_PERIOD
    assert period(heartbeat_interval=0.2) == 0.2  # an interval asked for below the floor is kept as asked


def test_a_joined_event_without_the_optional_meeting_id_is_read_by_its_instance_uuid(rehearsal_zoom: RehearsalZoom) -> None:
    """Zoom's ``meeting.participant_joined`` requires only ``object.uuid``: the rehearsal leaves ``object.id`` out, and
    zoomhost still follows that arrival once an event has said whose instance it is, never another meeting's."""
    from tests.zoom.rehearsal_zoom import ASSEMBLY

    state = rehearsal_zoom.server.state
    for meeting in (CLASS, ASSEMBLY):
        state.meetings[meeting].settings["waiting_room_options"] = {"who_goes_to_waiting_room": "users_not_in_account"}
        state.start_meeting(meeting)  # before zoomhost listens: its meeting.started is never heard
    colleague = state.users[state.outsider_id]

    async def run() -> list[MeetingEvent]:
        async with rehearsal_zoom.client() as client:
            stream = _stream(rehearsal_zoom, client)
            task = asyncio.create_task(_collect_until(stream, lambda got: len(_people(got)) >= 2))
            await _until_connected(stream)
            state.arrive(CLASS, "Mr Kermode", account_user_id=colleague.id)  # staff of the account: straight in
            state.arrive(ASSEMBLY, "Someone Else", account_user_id=colleague.id)  # another meeting's: never shown
            await asyncio.sleep(0.3)
            state.arrive(CLASS, "Ava B (Year 4)")  # into the waiting room: this event names meeting and instance
            return await task

    events = _people(asyncio.run(run()))
    assert [(e.kind, e.display_name, e.meeting_id) for e in events] == [
        (EventKind.JOINED, "Mr Kermode", str(CLASS)),
        (EventKind.WAITING_JOINED, "Ava B (Year 4)", str(CLASS)),
    ]
    joined = [e for e in rehearsal_zoom.server.sent_events if e["event"] == "meeting.participant_joined"]
    assert joined and all("id" not in e["payload"]["object"] and e["payload"]["object"]["uuid"] for e in joined)


def test_with_the_running_instances_uuid_known_an_arrival_named_by_uuid_only_is_read_at_once(rehearsal_zoom: RehearsalZoom) -> None:
    """The Live panel reads the meeting before it listens: a running meeting's UUID lets the first event be read."""
    state = rehearsal_zoom.server.state
    state.meetings[CLASS].settings["waiting_room_options"] = {"who_goes_to_waiting_room": "users_not_in_account"}
    live = state.start_meeting(CLASS)

    async def run() -> list[MeetingEvent]:
        async with rehearsal_zoom.client() as client:
            stream = _stream(rehearsal_zoom, client, instance_uuids=[live.uuid])
            task = asyncio.create_task(_collect_until(stream, lambda got: len(_people(got)) >= 1, timeout=10))
            await _until_connected(stream)
            state.arrive(CLASS, "Mr Kermode", account_user_id=state.outsider_id)  # straight in: one joined event, no ID
            return await task

    events = _people(asyncio.run(run()))
    assert [(e.kind, e.display_name) for e in events] == [(EventKind.JOINED, "Mr Kermode")]
