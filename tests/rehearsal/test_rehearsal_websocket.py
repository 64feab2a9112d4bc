"""The event WebSocket: who may connect, heartbeats, drops, and no replay after a drop (as Zoom)."""

from __future__ import annotations

import json
import time

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests.rehearsal.fixtures import account_token, rehearsal_server  # noqa: F401
from zoomhost.rehearsal.server import RehearsalServer


def _url(server: RehearsalServer, *, token: str | None = None, subscription: str | None = None) -> str:
    return f"{server.ws_base}?subscriptionId={subscription or server.subscription_id}&access_token={token or account_token(server)}"


def _wait_for_connections(server: RehearsalServer, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(server._connections) != count and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(server._connections) == count


def _next_event(ws) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(json.loads(ws.recv(timeout=5))["content"])


def test_a_wrong_token_or_subscription_is_refused_before_the_upgrade(rehearsal_server: RehearsalServer) -> None:
    with pytest.raises(InvalidStatus) as bad_token:
        connect(_url(rehearsal_server, token="forged"))
    assert bad_token.value.response.status_code == 401
    assert json.loads(bad_token.value.response.body) == {"code": 124, "message": "Invalid access token."}
    with pytest.raises(InvalidStatus) as bad_subscription:
        connect(_url(rehearsal_server, subscription="someone-elses"))
    assert bad_subscription.value.response.status_code == 404


def test_events_missed_while_disconnected_are_not_replayed(rehearsal_server: RehearsalServer) -> None:
    server, state = rehearsal_server, rehearsal_server.state
    meeting = state.class_meeting_id
    state.start_meeting(meeting)
    token = account_token(server)
    with connect(_url(server, token=token)) as ws:
        _wait_for_connections(server, 1)
        state.arrive(meeting, "Before the drop")
        assert _next_event(ws)["payload"]["object"]["participant"]["user_name"] == "Before the drop"
        assert server.faults.drop_websockets() == 1
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
        assert closed.value.rcvd is None, "a dropped network sends no close frame"
    _wait_for_connections(server, 0)
    state.arrive(meeting, "During the drop")
    with connect(_url(server, token=token)) as ws:
        _wait_for_connections(server, 1)
        state.arrive(meeting, "After the drop")
        assert _next_event(ws)["payload"]["object"]["participant"]["user_name"] == "After the drop"
    assert [p.display_name for p in state.waiting_room(meeting)] == ["Before the drop", "During the drop", "After the drop"]


def test_sockets_drop_on_a_schedule_until_switched_off(rehearsal_server: RehearsalServer) -> None:
    server = rehearsal_server
    server.faults.drop_websockets_every(0.3)
    drops = 0
    for _ in range(2):
        with connect(_url(server)) as ws:
            with pytest.raises(ConnectionClosed):
                while True:
                    ws.send(json.dumps({"module": "heartbeat"}))
                    ws.recv(timeout=3)
            drops += 1
    server.faults.drop_websockets_every(None)
    with connect(_url(server)) as ws:
        time.sleep(0.6)
        ws.send(json.dumps({"module": "heartbeat"}))
        assert json.loads(ws.recv(timeout=3))["success"] is True
    assert drops == 2 and server.faults.status()["injected"]["websocket_drops"] >= 2


def test_expiring_tokens_closes_the_socket_with_the_reason(rehearsal_server: RehearsalServer) -> None:
    with connect(_url(rehearsal_server)) as ws:
        _wait_for_connections(rehearsal_server, 1)
        rehearsal_server.faults.expire_tokens()
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd is not None and closed.value.rcvd.reason == "Access token is expired."


def test_a_client_that_stops_sending_heartbeats_is_cut_off() -> None:
    with RehearsalServer(heartbeat_timeout_s=0.3) as server:
        with connect(_url(server)) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=5)
    assert closed.value.rcvd is not None and "heartbeat" in closed.value.rcvd.reason
