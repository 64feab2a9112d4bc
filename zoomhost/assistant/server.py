"""The host assistant's control server: the panel connects here to command the Meeting SDK.

A WebSocket server on loopback by default. Every connection must present the per-session
secret (``Authorization: Bearer …``, compared in constant time) or is refused before the
upgrade; a non-loopback address needs TLS. Commands carry ids and run one at a time in the
order they arrived; a command id seen before gets its stored result and is never carried
out twice. Meeting events are numbered and kept, so a panel that reconnects asks for the
ones it missed.

Every field of every message is checked (``wire.check_*``): a bad one gets an error reply
and the connection carries on; a batch larger than ``wire.BATCH_LIMIT`` is refused whole.
Refused connections (no token) are logged as a count at most once a minute, so a flood of
them cannot push the real lines out of the rotating log.

Every Meeting SDK call (signing in, joining, each command, each look at the waiting room,
leaving) is made on the one thread that runs the SDK's main loop (``main_loop``: GLib for
Zoom's binding, the rehearsal binding's own loop in rehearsal), where the SDK's callbacks come
too. Commands that arrive together (admit-all's, in one batch) are handed to that thread
together and carried out there back to back, each result sent as soon as it is known;
results and events that are ready together go to the panel in one frame.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import ssl
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from zoomhost.assistant import wire
from zoomhost.assistant.main_loop import SdkMainLoop, main_loop_for
from zoomhost.assistant.sdk_adapter import AssistantError, Outcome, SdkAdapter
from zoomhost.core.control import Capability, CommandResult, How
from zoomhost.core.events import MeetingEvent
from zoomhost.system.config import is_loopback_host

log = logging.getLogger(__name__)

EVENT_BUFFER = 50_000  # a 272-pupil assembly produces a few thousand events
REFUSALS_LOGGED_EVERY = 60.0  # seconds: a flood of refused connections is one log line a minute, not one each


def tls_context(*, cert_file: str, key_file: str) -> ssl.SSLContext:
    """A server TLS context from a certificate and key (PEM files)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(certfile=cert_file, keyfile=key_file)
    except (OSError, ssl.SSLError) as err:
        raise AssistantError(
            f"The TLS certificate or key could not be read ({err.__class__.__name__}).",
            hint="Give a PEM certificate with --tls-cert and its private key with --tls-key.",
        ) from err
    return context


@dataclass(eq=False)
class _Client:
    connection: ServerConnection
    outbox: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    subscribed: bool = False
    batches: bool = False  # the panel reads ``batch`` messages


@dataclass(frozen=True, slots=True)
class _Queued:
    command_id: str
    name: str
    args: dict[str, Any]
    bulk: bool
    client: _Client


class AssistantServer:
    """Serves one Meeting SDK session to the panel (and to a panel that reconnects)."""

    def __init__(
        self,
        *,
        binding: Any,
        token: str,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_context: ssl.SSLContext | None = None,
        poll_interval: float = 0.25,
        web_domain: str = "https://zoom.us",
        refusals_logged_every: float = REFUSALS_LOGGED_EVERY,
        main_loop: SdkMainLoop | None = None,
    ) -> None:
        """``main_loop``: the thread the SDK's calls are made on; by default the binding's own, else a GLib
        main loop (``AssistantUnavailable`` without GLib)."""
        if len(token) < 16:
            raise AssistantError("The assistant's session token is too short (16 characters at least).")
        if not is_loopback_host(host) and ssl_context is None:
            raise AssistantError(
                f"The assistant will not listen on {host} without TLS.",
                hint="Give --tls-cert and --tls-key, or listen on 127.0.0.1.",
            )
        self._token = token.encode()
        self._host = host
        self._port = port
        self._ssl = ssl_context
        self._poll_interval = poll_interval
        self._binding = binding
        self._web_domain = web_domain
        self._main_loop = main_loop if main_loop is not None else main_loop_for(binding)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: Server | None = None
        self._clients: set[_Client] = set()
        self._queue: asyncio.Queue[_Queued] = asyncio.Queue()
        self._results: dict[str, CommandResult] = {}
        self._pending: dict[str, asyncio.Future[CommandResult]] = {}
        self._events: deque[tuple[int, dict[str, Any]]] = deque(maxlen=EVENT_BUFFER)
        self._seq = 0
        self._refusals = 0
        self._refusal_interval = refusals_logged_every
        self._refusal_timer: asyncio.TimerHandle | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._started_sdk = False
        self.adapter = SdkAdapter(
            binding=binding, on_event=self._event_from_sdk, on_status=self._status_from_sdk, web_domain=web_domain
        )
        self.executed: list[tuple[str, str]] = []  # (command id, command) actually carried out, in order

    # -- life ------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the server has not started")
        return int(next(iter(self._server.sockets)).getsockname()[1])

    async def start(self) -> int:
        self._loop = asyncio.get_running_loop()
        self._server = await serve(
            self._serve_client,
            self._host,
            self._port,
            ssl=self._ssl,
            process_request=self._check_token,
            max_size=2**22,
            compression=None,  # small JSON messages: compressing costs more than it saves, and mixes secrets with names
            ping_interval=5,
            ping_timeout=10,
        )
        self._tasks.append(asyncio.create_task(self._run_commands()))
        self._tasks.append(asyncio.create_task(self._watch_waiting_room()))
        return self.port

    async def close(self) -> None:
        if self._refusal_timer is not None:
            self._refusal_timer.cancel()
            self._refusal_timer = None
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._started_sdk:
            try:
                await self._in_sdk_thread(self.adapter.leave)
            except Exception:  # noqa: BLE001 - leaving is best effort; the process is ending
                log.exception("the Meeting SDK did not shut down cleanly")
        self._main_loop.close()

    async def __aenter__(self) -> AssistantServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def main_loop(self) -> SdkMainLoop:
        return self._main_loop

    async def _in_sdk_thread(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run ``fn`` on the SDK's main-loop thread and wait for it here, without blocking this loop."""
        return await asyncio.wrap_future(self._main_loop.submit(lambda: fn(*args, **kwargs)))

    # -- the connection -------------------------------------------------------------------

    def _check_token(self, connection: ServerConnection, request: Request) -> Response | None:
        header = request.headers.get("Authorization", "")
        scheme, _, offered = header.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(offered.strip().encode(), self._token):
            return None
        self._refused()
        return connection.respond(HTTPStatus.UNAUTHORIZED, "The assistant needs its session token.\n")

    def _refused(self) -> None:
        """Count a refused connection; say so in the log at most once every ``REFUSALS_LOGGED_EVERY`` seconds.

        Anyone on this computer can knock; one line per knock would let a flood rotate the real
        log lines out of the log, so the knocks in each interval are told as one count.
        """
        self._refusals += 1
        if self._refusal_timer is not None:
            return
        self._report_refusals()

    def _report_refusals(self) -> None:
        count, self._refusals = self._refusals, 0
        if count == 0:
            self._refusal_timer = None
            return
        if count == 1:
            log.warning("refused a control connection without the session token")
        else:
            log.warning(
                "refused %d control connections without the session token in the last %.0f s", count, self._refusal_interval
            )
        loop = self._loop or asyncio.get_running_loop()
        self._refusal_timer = loop.call_later(self._refusal_interval, self._report_refusals)

    async def _serve_client(self, connection: ServerConnection) -> None:
        client = _Client(connection)
        self._clients.add(client)
        writer = asyncio.create_task(self._write(client))
        try:
            client.outbox.put_nowait(self._hello())
            async for raw in connection:
                try:
                    messages = wire.unbatch(wire.decode(raw))
                except wire.WireError as err:
                    client.outbox.put_nowait({"type": "error", "message": str(err)})
                    continue
                for message in messages:
                    try:
                        await self._handle(client, message)
                    except wire.WireError as err:
                        client.outbox.put_nowait({"type": "error", "message": str(err)})
                    except Exception:  # noqa: BLE001 - one message that cannot be handled must not cut the panel off
                        log.exception("a message on the control connection could not be handled")
                        client.outbox.put_nowait({"type": "error", "message": "The assistant could not handle that message."})
        except ConnectionClosed:
            pass
        finally:
            self._clients.discard(client)
            writer.cancel()

    async def _write(self, client: _Client) -> None:
        try:
            while True:
                messages = [await client.outbox.get()]
                while client.batches and len(messages) < wire.BATCH_LIMIT and not client.outbox.empty():
                    messages.append(client.outbox.get_nowait())  # ready together: one frame
                await client.connection.send(wire.encode(wire.batch(messages)))
        except ConnectionClosed:
            pass

    def _hello(self) -> dict[str, Any]:
        return {
            "type": "hello",
            "status": self.adapter.status.as_dict(),
            "capabilities": [info.as_dict() for info in self.adapter.capabilities().values()],
            "last_seq": self._seq,
            "batches": True,
        }

    async def _handle(self, client: _Client, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "subscribe":
            after, client.batches = wire.check_subscribe(message)
            for seq, event in list(self._events):
                if seq > after:
                    client.outbox.put_nowait({"type": "event", "seq": seq, "event": event})
            client.subscribed = True
        elif kind == "join":
            await self._join(client, message)
        elif kind == "command":
            self._accept_command(client, message)
        else:
            raise wire.WireError(f"'{kind[:40]}' is not a message the assistant knows.")

    async def _join(self, client: _Client, message: dict[str, Any]) -> None:
        meeting_number, passcode, sdk_jwt = wire.check_join(message)
        zak = wire.check_join_zak(message)
        if self.adapter.status.state in ("in_meeting", "joining", "authenticating", "waiting_for_host", "waiting_room"):
            client.outbox.put_nowait({"type": "status", **self._status_message()})
            return
        self._started_sdk = True
        try:
            await self._in_sdk_thread(self.adapter.start, sdk_jwt=sdk_jwt)
            await self._in_sdk_thread(self.adapter.join, meeting_number=meeting_number, passcode=passcode, zak=zak)
        except AssistantError:
            pass  # the adapter has already told every panel why, in a status message

    # -- commands ----------------------------------------------------------------------------

    def _accept_command(self, client: _Client, message: dict[str, Any]) -> None:
        command_id, name, args, bulk = wire.check_command(message)
        if command_id in self._results:
            stored = self._results[command_id]
            client.outbox.put_nowait(self._result_message(stored, replayed=True))
            return
        if command_id in self._pending:
            asyncio.create_task(self._send_when_done(client, self._pending[command_id]))
            return
        assert self._loop is not None
        self._pending[command_id] = self._loop.create_future()
        self._queue.put_nowait(_Queued(command_id, name, args, bulk, client))

    async def _send_when_done(self, client: _Client, future: asyncio.Future[CommandResult]) -> None:
        result = await asyncio.shield(future)
        client.outbox.put_nowait(self._result_message(result, replayed=True))

    @staticmethod
    def _result_message(result: CommandResult, *, replayed: bool = False) -> dict[str, Any]:
        data = result.as_dict()
        data["replayed"] = replayed
        return {"type": "result", **data}

    async def _run_commands(self) -> None:
        """One command at a time, in arrival order: the SDK sees exactly the order the teacher clicked.

        Everything queued is handed to the SDK's thread in one go (no hand-off per command);
        each result comes back to the loop as soon as that command is done.
        """
        while True:
            items = [await self._queue.get()]
            while not self._queue.empty():
                items.append(self._queue.get_nowait())
            await self._in_sdk_thread(self._execute_all, items)

    def _execute_all(self, items: list[_Queued]) -> None:
        """On the SDK's thread: carry out each command in order, telling the loop each outcome."""
        loop = self._loop
        assert loop is not None
        for item in items:
            try:
                outcome = self._execute(item)
            except Exception as err:  # noqa: BLE001 - a failing SDK call must not stop the queue
                log.exception("command %s failed inside the Meeting SDK", item.name)
                outcome = Outcome(False, f"The Meeting SDK failed ({err.__class__.__name__}); do it in the Zoom client.")
            try:
                loop.call_soon_threadsafe(self._finished, item, outcome)
            except RuntimeError:  # the server is closing: nobody is left to tell
                return

    def _finished(self, item: _Queued, outcome: Outcome) -> None:
        """Back on the loop: keep the result for retries and send it to the panel that asked."""
        participant = item.args.get("participant_id")
        capability = wire.COMMAND_CAPABILITY[item.name]
        if item.bulk:
            capability = Capability.ADMIT_ALL
        result = CommandResult(
            command_id=item.command_id,
            ok=outcome.ok,
            message=outcome.message,
            capability=capability,
            participant_id=None if participant is None else str(participant),
            how=How.MANUAL if outcome.manual_step else How.ASSISTANT,
            manual_step=outcome.manual_step,
        )
        self._results[item.command_id] = result
        self._pending.pop(item.command_id).set_result(result)
        if item.client in self._clients:
            item.client.outbox.put_nowait(self._result_message(result))

    def _execute(self, item: _Queued) -> Outcome:
        adapter = self.adapter
        args = item.args
        if item.name in ("admit", "put_in_waiting_room", "remove"):
            raw = str(args["participant_id"])
            if not (raw.isascii() and raw.isdigit()):  # no participant has an id that is not a number
                return Outcome(False, "That is not a participant the assistant knows.")
            user_id = int(raw)
            self.executed.append((item.command_id, item.name))
            if item.name == "admit":
                return adapter.admit(user_id, bulk=item.bulk)
            if item.name == "put_in_waiting_room":
                return adapter.put_in_waiting_room(user_id)
            return adapter.remove(user_id)
        self.executed.append((item.command_id, item.name))
        if item.name == "mute_all":
            return adapter.mute_all(allow_self_unmute=bool(args["allow_self_unmute"]))
        if item.name == "allow_chat":
            return adapter.allow_chat(bool(args["allowed"]))
        if item.name == "allow_rename":
            return adapter.allow_rename(bool(args["allowed"]))
        simple = {
            "stop_share": adapter.stop_share,
            "lock_share": adapter.lock_share,
            "lock": adapter.lock,
            "unlock": adapter.unlock,
            "end_for_all": adapter.end_for_all,
        }
        return simple[item.name]()

    # -- events and status ---------------------------------------------------------------------

    async def _watch_waiting_room(self) -> None:
        while True:
            await asyncio.sleep(self._poll_interval)
            try:
                await self._in_sdk_thread(self.adapter.poll)
            except Exception:  # noqa: BLE001 - keep watching; the next poll may work
                log.exception("watching the waiting room failed")

    def _event_from_sdk(self, event: MeetingEvent) -> None:
        self._to_loop(self._publish, event)

    def _to_loop(self, callback: Any, *args: Any) -> None:
        """Hand an SDK callback's news to the loop; once the server has stopped there is nobody to tell."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:  # closed between the check and the call
            log.debug("an SDK callback came after the control server stopped")

    def _publish(self, event: MeetingEvent) -> None:
        self._seq += 1
        data = wire.event_to_dict(event)
        self._events.append((self._seq, data))
        for client in self._clients:
            if client.subscribed:
                client.outbox.put_nowait({"type": "event", "seq": self._seq, "event": data})

    def _status_message(self) -> dict[str, Any]:
        return {
            "status": self.adapter.status.as_dict(),
            "capabilities": [info.as_dict() for info in self.adapter.capabilities().values()],
        }

    def _status_from_sdk(self, _status: wire.AssistantStatus) -> None:
        self._to_loop(self._broadcast_status)

    def _broadcast_status(self) -> None:
        message = {"type": "status", **self._status_message()}
        for client in self._clients:
            client.outbox.put_nowait(message)
