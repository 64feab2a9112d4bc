"""Bringing up the host assistant for a live session, and bringing it up again after it drops.

An :class:`AssistantLauncher` is the ``connect_assistant`` a ``LiveController`` calls: it starts
the assistant (its own process, as the panel runs it, or in this process on a rehearsal
Zoom's state), connects with a fresh session token, asks it to join the meeting and returns
as soon as Zoom has answered: the assistant is in the meeting, or waits there for as long as it
takes (for the host to start the meeting, to be admitted from the waiting room, to be made
co-host), which the engine shows the teacher. It never gives up on a wait and starts again: a
second assistant would only queue behind the first. Each call starts a fresh assistant, so a
crashed one is simply replaced. A refusal that starting again cannot change (GLib missing, the
SDK key refused, the meeting closed to it) is ``AssistantUnavailable``.

From outside: the meeting, its passcode, how to sign a Meeting SDK token, how to end the meeting,
and, to rehearse, the rehearsal Zoom (its bridge's address, or its state, which makes the fake
SDK binding the assistant plays on here): the assistant never imports the rehearsal.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from zoomhost.system import redact
from zoomhost.assistant.client import AssistantChannel
from zoomhost.assistant.fallback import EndMeeting
from zoomhost.assistant.process import RunningAssistant, Standby, start_assistant
from zoomhost.assistant.sdk_adapter import AssistantError, AssistantUnavailable
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
        zak: Callable[[], Awaitable[str]] | None = None,
        answer_timeout: float = 60.0,
        standby: Standby | None = None,
    ) -> None:
        """``zak``: fetches a fresh ZAK of the Zoom user the school gave the assistant (it then joins as
        that user); ``answer_timeout``: how long Zoom may take to say where the assistant landed;
        ``standby``: where an assistant process may already be standing by (taken instead of starting one)."""
        redact.register_secret(passcode)
        self._meeting_number = int(meeting_number)
        self._passcode = passcode
        self._sdk_jwt = sdk_jwt
        self._end_meeting = end_meeting
        self._rehearsal_url = rehearsal_url
        self._rehearsal_state = rehearsal_state
        self._zak = zak
        self._answer_timeout = answer_timeout
        self._standby = standby
        self._process: RunningAssistant | None = None
        self._server: Any = None
        self.launches = 0

    @property
    def pid(self) -> int | None:
        """The running assistant process's id (None when it runs in this process)."""
        return self._process.pid if self._process is not None else None

    async def __call__(self, on_event: EventCallback) -> AssistantChannel:
        """A fresh assistant, in the meeting or waiting to be; ``on_event`` hears its events from the first
        (its own participant's id while it waits, too)."""
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
        standing_by = await self._standby.take(rehearsal_url=self._rehearsal_url) if self._standby is not None else None
        self._process = standing_by or await start_assistant(rehearsal_url=self._rehearsal_url)
        return self._process.url, self._process.token

    async def _join(self, channel: AssistantChannel) -> AssistantStatus:
        """Join, and return once Zoom has said where the assistant is: in the meeting, or waiting."""
        zak = await self._zak() if self._zak is not None else ""
        if zak:
            redact.register_secret(zak)
        before = channel.status
        await channel.join(meeting_number=self._meeting_number, passcode=self._passcode, sdk_jwt=self._sdk_jwt(), zak=zak)
        try:
            status = await channel.wait_for_status(
                lambda s, b=before: s is not b and (s.can_host or s.waiting or s.over), timeout=self._answer_timeout
            )
        except TimeoutError:
            raise AssistantError("Zoom did not answer the host assistant's request to join in time.") from None
        if status.state == "failed":
            raise AssistantUnavailable(f"The host assistant could not join: {status.message}")
        if status.state == "ended":
            raise AssistantUnavailable("The host assistant could not join: the meeting has ended.")
        return status

    async def _stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            await process.stop(timeout=4.0)
        server, self._server = self._server, None
        if server is not None:
            await server.close()
