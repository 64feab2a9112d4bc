"""Bringing up the host assistant for a live session, and bringing it up again after it drops.

An :class:`AssistantLauncher` is the ``connect_assistant`` a ``LiveController`` calls: it starts
the assistant (its own process, as the panel runs it, or in this process on a rehearsal
Zoom's state), connects with a fresh session token, asks it to join the meeting and waits
until it is in. Each call starts a fresh assistant, so a crashed one is simply replaced.

From outside: the meeting, its passcode, how to sign a Meeting SDK token, how to end the meeting,
and, to rehearse, the rehearsal Zoom (its bridge's address, or its state, which makes the fake
SDK binding the assistant plays on here): the assistant never imports the rehearsal.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Callable
from typing import Any, Protocol

from zoomhost.system import redact
from zoomhost.assistant.client import AssistantChannel
from zoomhost.assistant.fallback import EndMeeting
from zoomhost.assistant.process import RunningAssistant, start_assistant
from zoomhost.assistant.sdk_adapter import AssistantError
from zoomhost.assistant.wire import AssistantStatus
from zoomhost.core.control import EventCallback


class InProcessZoom(Protocol):
    """A simulated Zoom the assistant can play on in this process (the rehearsal's ``ZoomState`` or ``RemoteZoomState``)."""

    def sdk_binding(self) -> Any:
        """A fresh Meeting SDK binding that carries out the assistant's calls on this Zoom."""
        ...


class AssistantLauncher:
    """Starts, connects and joins a host assistant; ``await launcher()`` gives its channel.

    ``rehearsal_url`` plays the assistant on a rehearsal Zoom through its bridge (a child process);
    ``rehearsal_state`` plays it in this process on a rehearsal Zoom's state, on the SDK binding it
    makes (no process to start);
    with neither, the real Meeting SDK assistant process is started (Linux, ``assistant`` extra).
    """

    def __init__(
        self,
        *,
        meeting_number: int,
        passcode: str,
        sdk_jwt: Callable[[], str],
        end_meeting: EndMeeting | None,
        rehearsal_url: str | None = None,
        rehearsal_state: InProcessZoom | None = None,
        join_timeout: float = 30.0,
    ) -> None:
        redact.register_secret(passcode)
        self._meeting_number = int(meeting_number)
        self._passcode = passcode
        self._sdk_jwt = sdk_jwt
        self._end_meeting = end_meeting
        self._rehearsal_url = rehearsal_url
        self._rehearsal_state = rehearsal_state
        self._join_timeout = join_timeout
        self._process: RunningAssistant | None = None
        self._server: Any = None
        self.launches = 0

    @property
    def pid(self) -> int | None:
        """The running assistant process's id (None when it runs in this process)."""
        return self._process.pid if self._process is not None else None

    async def __call__(self, on_event: EventCallback) -> AssistantChannel:
        """A fresh assistant in the meeting; ``on_event`` hears its events from the first (even while joining)."""
        await self._stop()
        url, token = await self._start()
        self.launches += 1
        channel = AssistantChannel(url=url, token=token, end_meeting=self._end_meeting)
        channel.on_event(on_event)
        try:
            await channel.connect()
            await self._join(channel)
        except BaseException:
            with contextlib.suppress(Exception):
                await channel.close()
            await self._stop()
            raise
        return channel

    async def close(self) -> None:
        await self._stop()

    async def _start(self) -> tuple[str, str]:
        if self._rehearsal_state is not None:
            from zoomhost.assistant.server import AssistantServer

            token = secrets.token_urlsafe(32)
            redact.register_secret(token)
            self._server = AssistantServer(binding=self._rehearsal_state.sdk_binding(), token=token)
            port = await self._server.start()
            return f"ws://127.0.0.1:{port}", token
        self._process = await start_assistant(rehearsal_url=self._rehearsal_url)
        return self._process.url, self._process.token

    async def _join(self, channel: AssistantChannel) -> AssistantStatus:
        """Join, and try again while Zoom says the meeting has not started yet; return once in the meeting."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._join_timeout
        while True:
            before = channel.status
            await channel.join(meeting_number=self._meeting_number, passcode=self._passcode, sdk_jwt=self._sdk_jwt())
            left = max(0.1, deadline - loop.time())
            try:
                status = await channel.wait_for_status(
                    lambda s, b=before: s is not b and (s.can_host or s.state in ("in_meeting", "failed", "ended")),
                    timeout=left,
                )
                if status.state == "in_meeting" and not status.can_host:
                    # The teacher's one click (Make co-host) may follow; the panel shows it meanwhile.
                    with contextlib.suppress(TimeoutError):
                        status = await channel.wait_for_status(lambda s: s.can_host, timeout=min(2.0, left))
            except TimeoutError:
                raise AssistantError("The host assistant did not get into the meeting in time.") from None
            if status.state == "in_meeting":
                return status
            if loop.time() >= deadline:
                raise AssistantError(f"The host assistant could not join: {status.message}")
            await asyncio.sleep(0.2)

    async def _stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            await process.stop(timeout=4.0)
        server, self._server = self._server, None
        if server is not None:
            await server.close()
