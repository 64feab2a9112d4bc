"""Admit-all in few frames, the waiting room kept one participant at a time, and a calm assistant after the end."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import warnings

import pytest
import websockets

from tests.assistant.helpers import until
from tests.assistant.test_control_server import TOKEN, joined_channel, serving
from tests.assistant.test_sdk_adapter import joined
from zoomhost.rehearsal.binding import RehearsalBridge, RemoteZoomState
from zoomhost.core.control import new_command_id
from zoomhost.core.events import EventKind
from zoomhost.rehearsal.state import ZoomState


def test_a_batch_of_commands_is_carried_out_in_order_and_a_panel_that_reads_no_batches_gets_one_message_each() -> None:
    async def scenario() -> None:
        state = ZoomState()
        async with serving(state) as server:
            meeting = state.class_meeting_id
            channel = await joined_channel(server, state)  # the assistant is in, and co-host
            people = [str(state.arrive(meeting, f"Pupil {n}").user_id) for n in range(12)]
            await until(lambda: len(state.waiting_room(meeting)) == 12, what="twelve waiting")
            async with websockets.connect(f"ws://127.0.0.1:{server.port}", additional_headers={"Authorization": f"Bearer {TOKEN}"}) as ws:
                hello = json.loads(await ws.recv())
                assert hello["type"] == "hello" and hello["batches"] is True
                await ws.send(json.dumps({"type": "subscribe", "after": hello["last_seq"]}))  # says nothing of batches
                ids = [new_command_id() for _ in people]
                commands = [
                    {"type": "command", "command_id": cid, "command": "admit", "args": {"participant_id": pid}, "bulk": True}
                    for pid, cid in zip(people, ids, strict=True)
                ]
                await ws.send(json.dumps({"type": "batch", "messages": commands}))
                results = []
                async with asyncio.timeout(15):
                    while len(results) < len(ids):
                        message = json.loads(await ws.recv())
                        assert message["type"] != "batch", "a panel that reads no batches was sent one"
                        if message["type"] == "result":
                            results.append(message)
                assert [r["command_id"] for r in results] == ids and all(r["ok"] for r in results)
                assert [cid for cid, _ in server.executed if cid in ids] == ids, "carried out in the order sent"

                await ws.send(json.dumps({"type": "batch", "messages": [{"type": "batch", "messages": []}]}))
                async with asyncio.timeout(15):
                    while (message := json.loads(await ws.recv()))["type"] != "error":
                        pass
                assert "held another batch" in message["message"]
            await channel.close()

    asyncio.run(scenario())


def test_a_put_back_is_reported_by_looking_at_that_participant_only() -> None:
    adapter, watch, state, sdk = joined()
    meeting = state.class_meeting_id
    pupil = state.arrive(meeting, "Amy B")
    adapter.poll()
    assert adapter.admit(pupil.user_id).ok
    pid = str(pupil.user_id)
    watch.until(lambda: EventKind.JOINED in watch.kinds(pid), "the join callback")
    waiting_room = sdk._backend.services[0].GetMeetingWaitingRoomController()
    scans = []
    listing = waiting_room.GetWaitingRoomLst
    waiting_room.GetWaitingRoomLst = lambda: scans.append(1) or listing()
    state.put_in_waiting_room(meeting, pupil.user_id)
    watch.until(lambda: watch.kinds(pid)[-2:] == [EventKind.LEFT, EventKind.WAITING_JOINED], "the put-back")
    assert not scans, "the whole waiting room was listed for one participant's move"


def test_after_the_meeting_ends_those_waiting_are_gone_and_the_assistant_says_so_calmly(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    adapter, watch, state, sdk = joined()
    meeting = state.class_meeting_id
    inside = [state.arrive(meeting, name) for name in ("Amy B", "Zoe L", "Mo K")]
    adapter.poll()
    for person in inside[:2]:
        assert adapter.admit(person.user_id).ok
    watch.until(lambda: all(EventKind.JOINED in watch.kinds(str(p.user_id)) for p in inside[:2]), "the joins")
    state.end_meeting(meeting)
    watch.until(lambda: adapter.status.state == "ended", "the end")
    kinds = [(e.kind, e.participant_id) for e in watch.events]
    waiting_left = kinds.index((EventKind.WAITING_LEFT, str(inside[2].user_id)))
    assert waiting_left < kinds.index((EventKind.ENDED, None)), "whoever was waiting is reported gone before the end"
    adapter.poll()
    assert not adapter.admit(inside[2].user_id).ok
    errors = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not errors, [r.getMessage() for r in errors]
    said = [r for r in caplog.records if "has ended" in r.getMessage()]
    assert len(said) <= 1


def test_the_remote_rehearsal_state_opens_its_connection_the_supported_way() -> None:
    state = ZoomState()
    state.start_meeting(state.class_meeting_id)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    bridge = RehearsalBridge(state=state)
    url = asyncio.run_coroutine_threadsafe(bridge.start(), loop).result(10)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            remote = RemoteZoomState(url)
            heard: list[dict] = []
            remote.subscribe(heard.append)
            assert remote.is_live(state.class_meeting_id)
            person = state.arrive(state.class_meeting_id, "Amy B")
            assert [p.user_id for p in remote.waiting_room(state.class_meeting_id)] == [person.user_id]
            assert any(e["event"] == "meeting.participant_joined_waiting_room" for e in heard), "the events came before the answer"
            remote.close()
    finally:
        asyncio.run_coroutine_threadsafe(bridge.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
