"""The panel's side of the control connection: ``AssistantChannel`` commands a host assistant.

Commands are sent as soon as they are asked for (admit-all sends every admit at once, in
one frame, and collects the results), each with its command id, so a retry after a lost
answer is never carried out twice. When the connection drops, every command still waiting is answered with
the Zoom step to check by hand, and the panel is told so that it can fall back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI

from zoomhost.assistant import wire
from zoomhost.assistant.fallback import EndMeeting, end_over_rest
from zoomhost.assistant.sdk_adapter import AssistantError
from zoomhost.core.control import (
    ZOOM_CLIENT_STEPS,
    Capability,
    CapabilityInfo,
    CommandResult,
    ConnectionCallback,
    ConnectionChange,
    ConnectionState,
    EventCallback,
    How,
    Listeners,
    new_command_id,
)

log = logging.getLogger(__name__)

class AssistantChannel:
    """A ``ControlChannel`` carried by a host assistant over its WebSocket control connection."""

    name = "assistant"

    def __init__(
        self,
        *,
        url: str,
        token: str,
        ssl_context: ssl.SSLContext | None = None,
        end_meeting: EndMeeting | None = None,
        command_timeout: float = 20.0,
    ) -> None:
        self._url = url
        self._token = token
        self._ssl = ssl_context
        self._end_meeting = end_meeting
        self._timeout = command_timeout
        self._listeners = Listeners()
        self._status_listeners: list[Callable[[wire.AssistantStatus], None]] = []
        self._connection: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._waiting: dict[str, asyncio.Future[CommandResult]] = {}
        self._results: dict[str, CommandResult] = {}
        self._capabilities: dict[Capability, CapabilityInfo] = {}
        self._last_seq = 0
        self._batches = False  # the assistant reads ``batch`` messages (it said so in its hello)
        self._closing = False
        self._connected = False
        self.status = wire.AssistantStatus(state="idle", rights="none", message="Not connected to the assistant.")

    # -- connection ------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._connected

    async def connect(self) -> None:
        """Connect and present the session token; refused or unreachable raises AssistantError."""
        try:
            self._connection = await connect(
                self._url,
                additional_headers={"Authorization": f"Bearer {self._token}"},
                ssl=self._ssl,
                open_timeout=10,
                ping_interval=5,
                ping_timeout=10,
                max_size=2**22,
                compression=None,  # small JSON messages: compressing costs more than it saves, and mixes secrets with names
            )
        except InvalidStatus as err:
            if err.response.status_code == 401:
                raise AssistantError(
                    "The host assistant refused the connection: the session token is wrong.",
                    hint="Restart the assistant from the panel, or copy its token again.",
                ) from err
            raise AssistantError(f"The host assistant refused the connection ({err.response.status_code}).") from err
        except (OSError, InvalidURI, InvalidHandshake, TimeoutError, ssl.SSLError) as err:
            raise AssistantError(
                f"The host assistant at {self._url} cannot be reached ({err.__class__.__name__}).",
                hint="Check that it is running and that the address is right.",
            ) from err
        hello = wire.decode(await self._connection.recv())
        if hello.get("type") != "hello":
            raise AssistantError("The host assistant did not greet the panel; is the address right?")
        self._take_status(hello)
        self._batches = bool(hello.get("batches"))
        await self._connection.send(wire.encode({"type": "subscribe", "after": self._last_seq, "batches": True}))
        self._connected = True
        self._reader = asyncio.create_task(self._read(self._connection))
        self._listeners.emit_connection(
            ConnectionChange(ConnectionState.CONNECTED, self.name, "The host assistant is connected.")
        )

    async def join(self, *, meeting_number: int, passcode: str, sdk_jwt: str, zak: str = "") -> None:
        """Ask the assistant to sign in with the SDK JWT and join the meeting (with ``zak``, as that Zoom user)."""
        message: dict[str, Any] = {"type": "join", "meeting_number": int(meeting_number), "passcode": passcode, "sdk_jwt": sdk_jwt}
        if zak:
            message["zak"] = zak
        await self._send_message(message)

    async def wait_for_status(self, predicate: Callable[[wire.AssistantStatus], bool], *, timeout: float = 30.0) -> wire.AssistantStatus:
        """Wait until the assistant's status satisfies ``predicate`` (e.g. it is co-host)."""
        async with asyncio.timeout(timeout):
            while not predicate(self.status):
                await asyncio.sleep(0.02)
        return self.status

    async def close(self) -> None:
        self._closing = True
        if self._connection is not None:
            await self._connection.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        self._connected = False

    def on_event(self, callback: EventCallback) -> Callable[[], None]:
        return self._listeners.on_event(callback)

    def on_connection(self, callback: ConnectionCallback) -> Callable[[], None]:
        return self._listeners.on_connection(callback)

    def on_status(self, callback: Callable[[wire.AssistantStatus], None]) -> Callable[[], None]:
        """Hear every status the assistant reports from now on (waiting for the host, admitted, made co-host …)."""
        self._status_listeners.append(callback)
        return lambda: self._status_listeners.remove(callback) if callback in self._status_listeners else None

    def capabilities(self) -> dict[Capability, CapabilityInfo]:
        caps = dict(self._capabilities)
        if not self._connected:
            caps = {
                cap: CapabilityInfo(cap, False, How.MANUAL, info.label, "The host assistant is not connected.", ZOOM_CLIENT_STEPS[cap])
                for cap, info in caps.items()
            }
        if self._end_meeting is not None:
            caps[Capability.END_FOR_ALL] = CapabilityInfo(
                Capability.END_FOR_ALL,
                True,
                How.REST,
                "End meeting for all",
                "Ends the meeting for everyone through Zoom's API.",
                ZOOM_CLIENT_STEPS[Capability.END_FOR_ALL],
            )
        return caps

    def _take_status(self, message: dict[str, Any]) -> None:
        self.status = wire.AssistantStatus.from_dict(message["status"])
        self._capabilities = {
            info.capability: info for info in (CapabilityInfo.from_dict(item) for item in message["capabilities"])
        }
        for callback in list(self._status_listeners):
            try:
                callback(self.status)
            except Exception:  # noqa: BLE001 - a broken listener must not stop the others hearing it
                log.exception("a status listener failed")

    async def _read(self, connection: ClientConnection) -> None:
        try:
            async for raw in connection:
                try:
                    messages = wire.unbatch(wire.decode(raw))
                except wire.WireError as err:
                    log.warning("ignored a message from the assistant: %s", err)
                    continue
                for message in messages:
                    try:
                        self._dispatch(message)
                    except (wire.WireError, KeyError, ValueError, TypeError) as err:
                        log.warning("ignored a message from the assistant: %s", err)
        except ConnectionClosed:
            pass
        finally:
            self._dropped()

    def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "event":
            seq = int(message["seq"])
            if seq <= self._last_seq:
                return
            self._last_seq = seq
            self._listeners.emit_event(wire.event_from_dict(message["event"]))
        elif kind == "result":
            result = CommandResult.from_dict(message)
            self._results[result.command_id] = result
            future = self._waiting.pop(result.command_id, None)
            if future is not None and not future.done():
                future.set_result(result)
        elif kind == "status":
            self._take_status(message)
        elif kind == "error":
            log.warning("the assistant did not understand a message: %s", message.get("message"))

    def _dropped(self) -> None:
        was_connected, self._connected = self._connected, False
        for command_id, future in list(self._waiting.items()):
            if not future.done():
                future.set_result(self._unconfirmed(command_id, getattr(future, "capability", None)))
        self._waiting.clear()
        if was_connected and not self._closing:
            self._listeners.emit_connection(
                ConnectionChange(
                    ConnectionState.DROPPED,
                    self.name,
                    "The host assistant stopped answering. Commands waiting for it were not confirmed.",
                )
            )

    def _unconfirmed(self, command_id: str, capability: Capability | None) -> CommandResult:
        step = ZOOM_CLIENT_STEPS.get(capability) if capability else None
        return CommandResult(
            command_id=command_id,
            ok=False,
            message="The host assistant went away before confirming this; check it in Zoom.",
            capability=capability,
            how=How.MANUAL,
            manual_step=step,
        )

    # -- commands ------------------------------------------------------------------------------

    async def _send_message(self, message: dict[str, Any]) -> None:
        if self._connection is None or not self._connected:
            raise AssistantError("The host assistant is not connected.")
        try:
            await self._connection.send(wire.encode(message))
        except ConnectionClosed as err:
            raise AssistantError("The host assistant is not connected.") from err

    def _start_command(
        self, name: str, args: dict[str, Any], command_id: str | None, *, capability: Capability
    ) -> tuple[str, asyncio.Future[CommandResult]]:
        command_id, future, message = self._prepare_command(name, args, command_id, capability=capability)
        if message is not None:
            asyncio.ensure_future(self._send_or_fail([(command_id, message)]))
        return command_id, future

    def _prepare_command(
        self, name: str, args: dict[str, Any], command_id: str | None, *, capability: Capability, bulk: bool = False
    ) -> tuple[str, asyncio.Future[CommandResult], dict[str, Any] | None]:
        """The command's id, the future its result will be set on, and the message to send (None: answered already)."""
        command_id = command_id or new_command_id()
        future: asyncio.Future[CommandResult] = asyncio.get_running_loop().create_future()
        future.capability = capability  # type: ignore[attr-defined] - read back if the connection drops
        if command_id in self._results:
            stored = self._results[command_id]
            future.set_result(replace(stored, replayed=True))
            return command_id, future, None
        if not self._connected or self._connection is None:
            future.set_result(self._unconfirmed(command_id, capability))
            return command_id, future, None
        self._waiting[command_id] = future
        return command_id, future, {"type": "command", "command_id": command_id, "command": name, "args": args, "bulk": bulk}

    async def _send_or_fail(self, commands: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Send the commands (in batches when the assistant reads them); any not sent are answered as unconfirmed."""
        size = wire.BATCH_LIMIT if self._batches else 1
        for start in range(0, len(commands), size):
            chunk = commands[start : start + size]
            try:
                await self._send_message(wire.batch([message for _, message in chunk]))
            except AssistantError:
                for command_id, _ in commands[start:]:
                    future = self._waiting.pop(command_id, None)
                    if future is not None and not future.done():
                        future.set_result(self._unconfirmed(command_id, getattr(future, "capability", None)))
                return

    async def _command(
        self, name: str, args: dict[str, Any], command_id: str | None, *, capability: Capability
    ) -> CommandResult:
        command_id, future = self._start_command(name, args, command_id, capability=capability)
        return await self._await(command_id, future, capability)

    async def _await(self, command_id: str, future: asyncio.Future[CommandResult], capability: Capability) -> CommandResult:
        return (await self._collect([(command_id, future)], capability))[0]

    async def _collect(
        self, started: Sequence[tuple[str, asyncio.Future[CommandResult]]], capability: Capability
    ) -> list[CommandResult]:
        """Each command's result, in order; one that has no answer within the timeout is left to the teacher."""
        waiting = [future for _, future in started if not future.done()]
        if waiting:
            await asyncio.wait(waiting, timeout=self._timeout)
        results = []
        for command_id, future in started:
            if future.done():
                results.append(future.result())
                continue
            self._waiting.pop(command_id, None)
            results.append(
                CommandResult(
                    command_id=command_id,
                    ok=False,
                    message="The host assistant did not answer in time; check it in Zoom.",
                    capability=capability,
                    how=How.MANUAL,
                    manual_step=ZOOM_CLIENT_STEPS[capability],
                )
            )
        return results

    async def admit(self, participant_id: str, *, command_id: str | None = None) -> CommandResult:
        return await self._command("admit", {"participant_id": participant_id}, command_id, capability=Capability.ADMIT)

    async def admit_many(
        self, participant_ids: Sequence[str], *, command_ids: Sequence[str] | None = None
    ) -> list[CommandResult]:
        """Admit each of these (the panel chose them); all are sent at once, results come back in order."""
        ids = list(command_ids) if command_ids is not None else [new_command_id() for _ in participant_ids]
        if len(ids) != len(participant_ids):
            raise ValueError("one command id per participant")
        started = [
            self._prepare_command("admit", {"participant_id": pid}, cid, capability=Capability.ADMIT_ALL, bulk=True)
            for pid, cid in zip(participant_ids, ids, strict=True)
        ]
        to_send = [(cid, message) for cid, _, message in started if message is not None]
        if to_send:
            asyncio.ensure_future(self._send_or_fail(to_send))
        return await self._collect([(cid, future) for cid, future, _ in started], Capability.ADMIT_ALL)

    async def put_in_waiting_room(self, participant_id: str, *, command_id: str | None = None) -> CommandResult:
        return await self._command(
            "put_in_waiting_room", {"participant_id": participant_id}, command_id, capability=Capability.PUT_IN_WAITING_ROOM
        )

    async def remove(self, participant_id: str, *, command_id: str | None = None) -> CommandResult:
        return await self._command("remove", {"participant_id": participant_id}, command_id, capability=Capability.REMOVE)

    async def mute_all(self, *, allow_self_unmute: bool = False, command_id: str | None = None) -> CommandResult:
        return await self._command(
            "mute_all", {"allow_self_unmute": allow_self_unmute}, command_id, capability=Capability.MUTE_ALL
        )

    async def allow_chat(self, allowed: bool, /, *, command_id: str | None = None) -> CommandResult:
        return await self._command("allow_chat", {"allowed": allowed}, command_id, capability=Capability.CHAT_OFF)

    async def stop_share(self, *, command_id: str | None = None) -> CommandResult:
        return await self._command("stop_share", {}, command_id, capability=Capability.STOP_SHARE)

    async def allow_rename(self, allowed: bool, /, *, command_id: str | None = None) -> CommandResult:
        return await self._command("allow_rename", {"allowed": allowed}, command_id, capability=Capability.RENAME_OFF)

    async def lock_share(self, *, command_id: str | None = None) -> CommandResult:
        return await self._command("lock_share", {}, command_id, capability=Capability.LOCK_SHARE)

    async def lock(self, *, command_id: str | None = None) -> CommandResult:
        return await self._command("lock", {}, command_id, capability=Capability.LOCK)

    async def unlock(self, *, command_id: str | None = None) -> CommandResult:
        return await self._command("unlock", {}, command_id, capability=Capability.UNLOCK)

    async def end_for_all(self, *, command_id: str | None = None) -> CommandResult:
        """Through Zoom's API when the panel has it (a co-host cannot end a meeting), else through the assistant."""
        command_id = command_id or new_command_id()
        if command_id in self._results:
            return replace(self._results[command_id], replayed=True)
        if self._end_meeting is not None:
            result = await end_over_rest(self._end_meeting, command_id=command_id)
            if result.ok or not self._connected:
                self._results[command_id] = result
                return result
        return await self._command("end_for_all", {}, command_id, capability=Capability.END_FOR_ALL)

