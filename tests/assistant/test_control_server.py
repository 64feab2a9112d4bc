"""The control connection over real loopback sockets: the token, TLS, replayed command ids, order, and
what a bad message, an oversized batch or a flood of refused connections gets."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import ssl
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from tests.assistant.helpers import SDK_KEY, SDK_SECRET, until
from tests.conftest import require_executable
from zoomhost.assistant import wire
from zoomhost.assistant.client import AssistantChannel
from zoomhost.rehearsal.binding import RehearsalBinding
from zoomhost.assistant.sdk_adapter import AssistantError, make_sdk_jwt
from zoomhost.assistant.server import AssistantServer, tls_context
from zoomhost.core.control import new_command_id
from zoomhost.rehearsal.state import ZoomState

TOKEN = "a-session-token-for-tests-0123456789"


@asynccontextmanager
async def serving(state: ZoomState, **options: Any) -> AsyncIterator[AssistantServer]:
    state.register_sdk_app(SDK_KEY, SDK_SECRET)
    state.start_meeting(state.class_meeting_id)
    state.host_admits_assistant(state.class_meeting_id)  # the teacher's action, ready for when it arrives
    server = AssistantServer(binding=RehearsalBinding(state=state), token=TOKEN, poll_interval=0.05, **options)
    await server.start()
    try:
        yield server
    finally:
        await server.close()


async def joined_channel(server: AssistantServer, state: ZoomState, **options: Any) -> AssistantChannel:
    scheme = "wss" if "ssl_context" in options else "ws"
    channel = AssistantChannel(url=f"{scheme}://127.0.0.1:{server.port}", token=TOKEN, **options)
    await channel.connect()
    meeting = state.class_meeting_id
    await channel.join(
        meeting_number=meeting, passcode=state.meetings[meeting].password, sdk_jwt=make_sdk_jwt(sdk_key=SDK_KEY, sdk_secret=SDK_SECRET)
    )
    await channel.wait_for_status(lambda status: status.can_host)
    return channel


def test_wrong_or_missing_token_is_refused_before_anything_is_said() -> None:
    async def scenario() -> None:
        state = ZoomState()
        async with serving(state) as server:
            url = f"ws://127.0.0.1:{server.port}"
            with pytest.raises(AssistantError, match="token is wrong"):
                await AssistantChannel(url=url, token=TOKEN[:-1] + "x").connect()
            with pytest.raises(InvalidStatus) as refused:
                await websockets.connect(url)
            assert refused.value.response.status_code == 401
            with pytest.raises(InvalidStatus):
                await websockets.connect(url, additional_headers={"Authorization": f"Basic {TOKEN}"})
            channel = AssistantChannel(url=url, token=TOKEN)
            await channel.connect()  # the right token is let in
            assert channel.connected and channel.status.state == "idle"
            await channel.close()

    asyncio.run(scenario())


def test_listening_beyond_loopback_needs_tls() -> None:
    with pytest.raises(AssistantError, match="without TLS"):
        AssistantServer(binding=RehearsalBinding(state=ZoomState()), token=TOKEN, host="0.0.0.0")
    with pytest.raises(AssistantError, match="too short"):
        AssistantServer(binding=RehearsalBinding(state=ZoomState()), token="short")


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    openssl = require_executable("openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def test_tls_on_all_addresses_carries_commands(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)

    async def scenario() -> None:
        state = ZoomState()
        async with serving(state, host="0.0.0.0", ssl_context=tls_context(cert_file=str(cert), key_file=str(key))) as server:
            trusting = ssl.create_default_context(cafile=str(cert))
            channel = await joined_channel(server, state, ssl_context=trusting)
            heard: list[str] = []
            channel.on_event(lambda e: heard.append(f"{e.kind}:{e.participant_id}"))
            pupil = state.arrive(state.class_meeting_id, "Amy B")
            await until(lambda: f"waiting_joined:{pupil.user_id}" in heard, what="the arrival over TLS")
            assert (await channel.admit(str(pupil.user_id))).ok
            await channel.close()
            with pytest.raises(AssistantError):  # plain WebSocket to a TLS listener does not get through
                await AssistantChannel(url=f"ws://127.0.0.1:{server.port}", token=TOKEN).connect()
        with pytest.raises(AssistantError, match="certificate"):
            tls_context(cert_file=str(tmp_path / "missing.pem"), key_file=str(key))

    asyncio.run(scenario())


def test_a_replayed_command_id_is_answered_but_never_carried_out_twice() -> None:
    async def scenario() -> None:
        state = ZoomState()
        admitted: list[str] = []
        async with serving(state) as server:
            first = await joined_channel(server, state)  # the host admitted the assistant itself: not counted here
            state.subscribe(lambda e: admitted.append(e["payload"]["object"]["participant"]["user_id"]) if e["event"] == "meeting.participant_admitted" else None)
            pupil = state.arrive(state.class_meeting_id, "Amy B")
            command_id = new_command_id()
            result = await first.admit(str(pupil.user_id), command_id=command_id)
            assert result.ok and not result.replayed
            await first.close()
            # The panel lost the answer and reconnects: it sends the same command again.
            second = AssistantChannel(url=f"ws://127.0.0.1:{server.port}", token=TOKEN)
            await second.connect()
            state.put_in_waiting_room(state.class_meeting_id, pupil.user_id)  # even if admitting again would "work"
            again = await second.admit(str(pupil.user_id), command_id=command_id)
            assert again.ok and again.replayed and again.message == result.message
            assert [cid for cid, _ in server.executed].count(command_id) == 1
            assert admitted == [str(pupil.user_id)]
            assert state.participant(state.class_meeting_id, pupil.user_id).where == "waiting"
            await second.close()

    asyncio.run(scenario())


def test_pipelined_commands_run_in_the_order_sent_and_events_are_not_lost_on_reconnect() -> None:
    async def scenario() -> None:
        state = ZoomState()
        async with serving(state) as server:
            channel = await joined_channel(server, state)
            meeting = state.class_meeting_id
            arrivals: list[str] = []
            channel.on_event(lambda e: arrivals.append(e.participant_id) if e.kind == "waiting_joined" else None)
            people = [state.arrive(meeting, f"Pupil {n}") for n in range(40)]
            ids = [str(p.user_id) for p in people]
            await until(lambda: set(ids) <= set(arrivals), what="forty arrivals")
            command_ids = [new_command_id() for _ in ids]
            results = await channel.admit_many(ids, command_ids=command_ids)
            assert [r.command_id for r in results] == command_ids and all(r.ok for r in results)
            assert [cid for cid, _ in server.executed if cid in command_ids] == command_ids
            assistant = set(state.live[meeting].sdk_roles)  # the assistant is in the meeting too, as Zoom has it
            await until(lambda: {str(p.user_id) for p in state.in_meeting(meeting) if p.user_id not in assistant} == set(ids), what="everyone in")
            await channel.close()
            # Events that happen while the panel is away are kept and replayed when it comes back.
            state.leave(meeting, people[0].user_id)
            await asyncio.sleep(0.3)
            back = AssistantChannel(url=f"ws://127.0.0.1:{server.port}", token=TOKEN)
            replayed: list[str] = []
            back.on_event(lambda e: replayed.append(f"{e.kind}:{e.participant_id}"))
            await back.connect()
            await until(lambda: f"left:{ids[0]}" in replayed, what="the missed departure")
            await back.close()

    asyncio.run(scenario())


# -- what a bad or hostile message gets --------------------------------------------------------------
class RawPanel:
    """A panel speaking the wire protocol by hand over a real loopback WebSocket, to send what no panel would."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.heard: list[dict[str, Any]] = []

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def next_of(self, kind: str, *, timeout: float = 5.0) -> dict[str, Any]:
        """The next message of ``kind`` (a batch's messages are read one by one)."""
        async with asyncio.timeout(timeout):
            while True:
                for index, message in enumerate(self.heard):
                    if message["type"] == kind:
                        return self.heard.pop(index)
                frame = json.loads(await self.connection.recv())
                self.heard.extend(frame["messages"] if frame["type"] == "batch" else [frame])


@asynccontextmanager
async def raw_panel(server: AssistantServer) -> AsyncIterator[RawPanel]:
    async with websockets.connect(
        f"ws://127.0.0.1:{server.port}", additional_headers={"Authorization": f"Bearer {TOKEN}"}
    ) as connection:
        panel = RawPanel(connection)
        await panel.next_of("hello")
        yield panel


BAD_MESSAGES = [
    ({"type": "subscribe", "after": "abc"}, "'after' must be a whole number"),
    ({"type": "subscribe", "after": -1}, "'after' must be a whole number"),
    ({"type": "subscribe", "after": 2.5}, "'after' must be a whole number"),
    ({"type": "subscribe", "after": True}, "'after' must be a whole number"),
    ({"type": "subscribe", "after": {"x": 1}}, "'after' must be a whole number"),
    ({"type": "subscribe", "after": 0, "batches": "yes"}, "'batches' must be true or false"),
    ({"type": "join", "meeting_number": "81234567890x", "sdk_jwt": "j"}, "meeting number"),
    ({"type": "join", "meeting_number": 8.5, "sdk_jwt": "j"}, "meeting number"),
    ({"type": "join", "meeting_number": True, "sdk_jwt": "j"}, "meeting number"),
    ({"type": "join", "meeting_number": 812345678, "passcode": 123456, "sdk_jwt": "j"}, "passcode must be text"),
    ({"type": "join", "meeting_number": 812345678, "sdk_jwt": ["j"]}, "needs the SDK token"),
    ({"type": "join", "meeting_number": 812345678}, "needs the SDK token"),
    ({"type": "command", "command_id": "c1", "command": "admit", "args": {"participant_id": [1]}}, "must be a participant's id"),
    ({"type": "command", "command_id": "c1", "command": "admit", "args": {"participant_id": True}}, "must be a participant's id"),
    ({"type": "command", "command_id": "c1", "command": "admit", "args": {"participant_id": "9" * 65}}, "must be a participant's id"),
    ({"type": "command", "command_id": "c1", "command": "allow_chat", "args": {"allowed": "no"}}, "must be true or false"),
    ({"type": "command", "command_id": "c1", "command": "mute_all", "args": {"allow_self_unmute": 0}}, "must be true or false"),
    ({"type": "command", "command_id": "c1", "command": "lock", "args": {"everyone": True}}, "takes no everyone"),
    ({"type": "command", "command_id": "c1", "command": "lock", "bulk": "yes"}, "'bulk' must be true or false"),
    ({"type": "command", "command_id": "c1", "command": ["lock"]}, "is not a command the assistant knows"),
    ({"type": "command", "command_id": 7, "command": "lock"}, "without a command id"),
    ({"type": "command", "command_id": "c1", "command": "lock", "args": [1]}, "were not an object"),
]


def test_every_bad_field_gets_an_error_reply_and_the_connection_carries_on() -> None:
    async def scenario() -> None:
        state = ZoomState()
        async with serving(state) as server:
            async with raw_panel(server) as panel:
                for message, words in BAD_MESSAGES:
                    await panel.send(message)
                    reply = await panel.next_of("error")
                    assert words in reply["message"], (message, reply)
                assert server.executed == []  # nothing bad was carried out
                # The same connection still works: subscribe, and a good command is answered.
                pupil = state.arrive(state.class_meeting_id, "Amy B")
                await panel.send({"type": "subscribe", "after": 0, "batches": True})
                await panel.send({"type": "command", "command_id": "good-1", "command": "admit", "args": {"participant_id": str(pupil.user_id)}})
                result = await panel.next_of("result")
                assert result["command_id"] == "good-1"
                assert [cid for cid, _ in server.executed] == ["good-1"]

    asyncio.run(scenario())


def test_a_batch_over_the_limit_is_refused_whole_and_one_at_the_limit_is_carried_out() -> None:
    def admits(count: int, prefix: str) -> dict[str, Any]:
        return {
            "type": "batch",
            "messages": [
                {"type": "command", "command_id": f"{prefix}-{n}", "command": "admit", "args": {"participant_id": str(10**9 + n)}, "bulk": True}
                for n in range(count)
            ],
        }

    async def scenario() -> None:
        state = ZoomState()
        async with serving(state) as server:
            channel = await joined_channel(server, state)  # the assistant is in the meeting, so admits really run
            async with raw_panel(server) as panel:
                await panel.send(admits(wire.BATCH_LIMIT + 1, "over"))
                reply = await panel.next_of("error")
                assert f"at most {wire.BATCH_LIMIT}" in reply["message"]
                await panel.send(admits(wire.BATCH_LIMIT, "at"))
                results = [await panel.next_of("result") for _ in range(wire.BATCH_LIMIT)]
                assert sorted(r["command_id"] for r in results) == sorted(f"at-{n}" for n in range(wire.BATCH_LIMIT))
                assert not [cid for cid, _ in server.executed if cid.startswith("over-")]
                assert len([cid for cid, _ in server.executed if cid.startswith("at-")]) == wire.BATCH_LIMIT
            await channel.close()

    asyncio.run(scenario())


def test_a_flood_of_connections_without_the_token_is_logged_as_a_count_not_line_by_line(caplog: pytest.LogCaptureFixture) -> None:
    knocks = 150

    async def scenario() -> None:
        state = ZoomState()
        async with serving(state, refusals_logged_every=0.5) as server:
            url = f"ws://127.0.0.1:{server.port}"
            for n in range(knocks):
                with pytest.raises(InvalidStatus):
                    await websockets.connect(url, additional_headers={"Authorization": f"Bearer wrong-{n}"})
            await asyncio.sleep(1.2)  # the interval ends: the held-back knocks are told as one count
            channel = AssistantChannel(url=url, token=TOKEN)
            await channel.connect()  # the real panel still gets in
            await channel.close()

    with caplog.at_level(logging.WARNING, logger="zoomhost.assistant.server"):
        asyncio.run(scenario())
    lines = [r.getMessage() for r in caplog.records if r.name == "zoomhost.assistant.server" and "refused" in r.getMessage()]
    assert 1 <= len(lines) <= 3, lines  # not one per knock
    told = sum(int(m.group(1)) if (m := re.search(r"refused (\d+) control", line)) else 1 for line in lines)
    assert told == knocks  # every knock is still counted
    assert any(f"refused {knocks - 1} control connections" in line for line in lines)
