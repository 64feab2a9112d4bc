"""The event WebSocket: who may connect (refused as Zoom refuses: a ``build_connection`` message after an
accepted handshake), heartbeats answered as Zoom answers them, drops, and no replay after a drop."""

from __future__ import annotations

import json
import time

import pytest
from websockets.exceptions import ConnectionClosed
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


def _refused(url: str) -> tuple[dict, int]:
    """Connect (the handshake is accepted, as Zoom's is), then read Zoom's refusal and the close."""
    with connect(url) as ws:
        frame = json.loads(ws.recv(timeout=5))
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd is not None, "closed with a close frame, not dropped"
    return frame, closed.value.rcvd.code


def test_a_wrong_token_or_subscription_is_accepted_then_refused_as_a_build_connection_message(rehearsal_server: RehearsalServer) -> None:
    server = rehearsal_server
    frame, code = _refused(_url(server, token="forged"))
    assert frame == {"module": "build_connection", "success": False, "content": "Invalid Token"} and code == 1008
    frame, _ = _refused(_url(server, subscription="someone-elses"))
    assert frame["module"] == "build_connection" and frame["success"] is False and "ubscription" in frame["content"]
    token = account_token(server)
    server.faults.expire_tokens()
    frame, _ = _refused(_url(server, token=token))
    assert frame == {"module": "build_connection", "success": False, "content": "Token is expired."}
    assert [outcome for _, outcome in server.event_attempts] == [
        "refused: Invalid Token",
        "refused: Subscription not found: check the subscriptionId.",
        "refused: Token is expired.",
    ]
    assert not server._connections  # nobody refused is ever sent an event


def test_a_refusing_spell_refuses_even_fresh_tokens_until_it_ends(rehearsal_server: RehearsalServer) -> None:
    server = rehearsal_server
    server.faults.apply({"refuse_event_tokens": {"seconds": 0.5}})
    frame, _ = _refused(_url(server, token=account_token(server)))
    assert frame["content"] == "Invalid Token"
    time.sleep(0.6)
    with connect(_url(server, token=account_token(server))) as ws:
        ws.send(json.dumps({"module": "heartbeat"}))
        assert json.loads(ws.recv(timeout=5))["module"] == "heartbeat"
    assert server.faults.status()["injected"]["event_token_refusals"] == 1


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
        assert json.loads(ws.recv(timeout=3)) == {"module": "heartbeat", "success": True, "content": "live", "header": {}}
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


def test_only_zoom_s_heartbeat_message_keeps_the_stream_open_not_pings_or_other_frames() -> None:
    """Zoom's stream asks for ``{"module":"heartbeat"}``: WebSocket pings and other messages do not count."""
    with RehearsalServer(heartbeat_timeout_s=2.0) as server:
        with connect(_url(server)) as ws:
            started = time.monotonic()
            with pytest.raises(ConnectionClosed) as closed:
                while time.monotonic() - started < 10:
                    ws.ping()
                    ws.send(json.dumps({"module": "ping"}))
                    time.sleep(0.1)
                    try:
                        while True:
                            ws.recv(timeout=0.01)
                    except TimeoutError:
                        pass
        assert closed.value.rcvd is not None and "heartbeat" in closed.value.rcvd.reason

        with connect(_url(server)) as ws:
            started = time.monotonic()
            while time.monotonic() - started < 4.0:  # well past the timeout, with heartbeats
                ws.send(json.dumps({"module": "heartbeat"}))
                assert json.loads(ws.recv(timeout=5)) == {"module": "heartbeat", "success": True, "content": "live", "header": {}}
                time.sleep(0.1)
            _wait_for_connections(server, 1)
