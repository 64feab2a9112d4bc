"""Every event the rehearsal pushes over its WebSocket is framed as Zoom frames it and matches the webhook documents."""

from __future__ import annotations

import json
import time

from websockets.sync.client import connect

from tests.rehearsal.contract import check_all
from tests.rehearsal.fixtures import account_token, rehearsal_server  # noqa: F401
from zoomhost.rehearsal.server import RehearsalServer
from zoomhost.rehearsal.state import ZOOM_EVENTS


def _read_events(ws, *, until: str, timeout: float = 10.0) -> list[dict]:  # type: ignore[no-untyped-def]
    events: list[dict] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frame = json.loads(ws.recv(timeout=deadline - time.monotonic()))
        assert frame["module"] == "message" and frame["success"] is True
        assert isinstance(frame["content"], str), "the event travels as a JSON string inside the frame"
        events.append(json.loads(frame["content"]))
        if events[-1]["event"] == until:
            return events
    raise AssertionError(f"no {until} within {timeout}s; got {[e['event'] for e in events]}")


def test_each_meeting_event_arrives_framed_and_as_documented(rehearsal_server: RehearsalServer) -> None:
    server, state = rehearsal_server, rehearsal_server.state
    meeting = state.class_meeting_id
    url = f"{server.ws_base}?subscriptionId={server.subscription_id}&access_token={account_token(server)}"
    with connect(url) as ws:
        ws.send(json.dumps({"module": "heartbeat"}))
        # answered as Zoom answers (the design notes, §2 "Event stream facts")
        assert json.loads(ws.recv(timeout=5)) == {"module": "heartbeat", "success": True, "content": "live", "header": {}}
        state.start_meeting(meeting)
        waiting = state.arrive(meeting, "Isla Quayle")
        gives_up = state.arrive(meeting, "Noah Kermode")
        assert waiting is not None and gives_up is not None
        state.leave(meeting, gives_up.user_id)
        state.admit(meeting, waiting.user_id)
        state.put_in_waiting_room(meeting, waiting.user_id)
        state.admit(meeting, waiting.user_id)
        state.rename(meeting, waiting.user_id, "Isla Q")  # no Zoom event exists for this: none is sent
        state.mute_all(meeting, allow_self_unmute=False)  # nor for the in-meeting controls
        state.leave(meeting, waiting.user_id)
        state.end_meeting(meeting)
        events = _read_events(ws, until="meeting.ended")
    names = [e["event"] for e in events]
    assert names == [
        "meeting.started",
        "meeting.participant_joined_waiting_room",
        "meeting.participant_joined_waiting_room",
        "meeting.participant_left_waiting_room",
        "meeting.participant_left",  # Zoom's "Leave waiting room." for the same exit
        "meeting.participant_admitted",
        "meeting.participant_joined",
        "meeting.participant_put_in_waiting_room",
        "meeting.participant_admitted",
        "meeting.participant_joined",
        "meeting.participant_left",
        "meeting.ended",
    ]
    isla = [e["payload"]["object"]["participant"] for e in events if e["payload"]["object"].get("participant", {}).get("user_name") == "Isla Quayle"]
    assert {p["user_id"] for p in isla} == {str(waiting.user_id)}, "one in-meeting id for one stay"
    assert {p["participant_uuid"] for p in isla} == {waiting.participant_uuid}
    noah = [e for e in events if e["payload"]["object"].get("participant", {}).get("user_name") == "Noah Kermode"]
    assert [(e["event"], e["payload"]["object"]["participant"].get("leave_reason")) for e in noah[1:]] == [
        ("meeting.participant_left_waiting_room", None),
        ("meeting.participant_left", "Leave waiting room."),
    ]
    _, covered = check_all([], events)
    assert covered == ZOOM_EVENTS


def test_a_whole_assembly_of_events_validates(rehearsal_server: RehearsalServer) -> None:
    from zoomhost.rehearsal.scenarios import assembly, play

    server = rehearsal_server
    url = f"{server.ws_base}?subscriptionId={server.subscription_id}&access_token={account_token(server)}"
    with connect(url) as ws:
        time.sleep(0.05)
        run = play(server.state, assembly(), speed=5000)
        assert run.wait(20)
        server.state.admit_all(run.meeting_id)
        server.state.end_meeting(run.meeting_id)
        events = _read_events(ws, until="meeting.ended", timeout=30)
    joined_waiting = [e for e in events if e["event"] == "meeting.participant_joined_waiting_room"]
    assert len(joined_waiting) == len(assembly().arrivals)  # everyone but the host waits; the rejoiner waits twice
    check_all([], events)
