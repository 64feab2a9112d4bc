"""The channels the teacher's commands go to: the host assistant while it is there, the Zoom client's own buttons when not.

Owns which channel carries commands now. When the assistant drops, commands go to the fallback
(each control shown as the exact Zoom step, End for all still working over Zoom's API) and a
``CHANNEL`` note says so; the assistant is connected in the background, with backoff, at the
start and again after each drop, and takes the commands back once it is in the meeting. Events
from every channel go to the intake from the first one, even while an assistant is joining.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from zoomhost.core.control import (
    Capability,
    CapabilityInfo,
    ConnectionChange,
    ConnectionState,
    ControlChannel,
    EventCallback,
    How,
)
from zoomhost.core.errors import ZoomhostError
from zoomhost.core.session import LiveSession
from zoomhost.live.intake import Intake
from zoomhost.live.lifetime import Lifetime
from zoomhost.live.notes import LiveNote, NoteWriter

log = logging.getLogger(__name__)

#: Connects a host assistant whose events go to the callback from the first one, and returns its channel
#: once it is in the meeting (raises ZoomhostError if it cannot).
ConnectAssistant = Callable[[EventCallback], Awaitable[ControlChannel]]


class Channels:
    """The assistant's channel (once there is one), the fallback, and which of them carries commands now."""

    def __init__(
        self,
        *,
        session: LiveSession,
        fallback: ControlChannel,
        assistant: ControlChannel | None,
        connect_assistant: ConnectAssistant | None,
        intake: Intake,
        note: NoteWriter,
        lifetime: Lifetime,
        on_connected: Callable[[], Awaitable[None]],
    ) -> None:
        """``on_connected`` runs each time an assistant has connected and carries the commands."""
        self._session = session
        self._fallback = fallback
        self._primary = assistant
        self._current = assistant or fallback
        self._connect_assistant = connect_assistant
        self._intake = intake
        self._note = note
        self._lifetime = lifetime
        self._on_connected = on_connected
        self._unsubscribe: list[Callable[[], None]] = []
        self._connecting: asyncio.Task[None] | None = None

    @property
    def current(self) -> ControlChannel:
        """The channel commands go to now: the assistant, or the fallback while it is away."""
        return self._current

    @property
    def assistant(self) -> ControlChannel | None:
        """The assistant's channel given or last connected (still set while fallen back), None before any."""
        return self._primary

    @property
    def fallen_back(self) -> bool:
        return self._current is self._fallback and self._primary is not None

    def capabilities(self) -> dict[Capability, CapabilityInfo]:
        return self._current.capabilities()

    def info(self, capability: Capability) -> CapabilityInfo:
        """What the current channel says about ``capability``; unavailable and manual when it says nothing."""
        return self._current.capabilities().get(capability, CapabilityInfo(capability, False, How.MANUAL, "", ""))

    # -- life ---------------------------------------------------------------------------------
    def listen(self) -> None:
        """Hear the events and connection changes of the channels there are now."""
        for channel in {id(c): c for c in (self._fallback, self._primary) if c is not None}.values():
            self._subscribe(channel)

    def connect_in_background(self) -> None:
        """Start connecting the assistant, unless a channel was given or there is no way to connect one."""
        if self._primary is None and self._connect_assistant is not None:
            self._connecting = self._lifetime.spawn(self._connect_loop())

    async def wait_for_assistant(self, *, timeout: float) -> bool:
        """Wait until an assistant carries the commands (True), or give up after ``timeout`` (False)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while self._current is self._fallback:
                    await asyncio.sleep(0.02)
        return self._current is not self._fallback

    def stop_listening(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

    async def close(self) -> None:
        for channel in {id(c): c for c in (self._primary, self._fallback) if c is not None}.values():
            with contextlib.suppress(Exception):
                await channel.close()

    # -- falling back and coming back -------------------------------------------------------------
    def _subscribe(self, channel: ControlChannel, *, events: bool = True) -> None:
        if events:
            self._unsubscribe.append(channel.on_event(self._intake.hear))
        self._unsubscribe.append(channel.on_connection(lambda change, ch=channel: self._connection_changed(ch, change)))

    def _connection_changed(self, channel: ControlChannel, change: ConnectionChange) -> None:
        if channel is not self._primary or change.state is not ConnectionState.DROPPED or self._lifetime.closed:
            return
        self._current = self._fallback
        self._intake.publish(
            self._note(
                LiveNote.CHANNEL,
                state=ConnectionState.FALLEN_BACK.value,
                channel=self._fallback.name,
                message=f"{change.message} Use the Zoom steps shown on each button; End for all still works from here.",
            )
        )
        if self._connect_assistant is not None and (self._connecting is None or self._connecting.done()):
            self._connecting = self._lifetime.spawn(self._connect_loop())

    async def _connect_loop(self) -> None:
        """Connect (or reconnect) the host assistant in the background, with backoff, until it works."""
        delay = 0.25
        while not self._lifetime.closed and not self._session.ended:
            assert self._connect_assistant is not None
            try:
                channel = await self._connect_assistant(self._intake.hear)
            except (ZoomhostError, OSError) as err:
                log.warning("the host assistant could not be connected: %s", err)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
                continue
            old, self._primary = self._primary, channel
            self._subscribe(channel, events=False)  # its events have come to the intake from the first
            self._current = channel
            self._intake.publish(
                self._note(LiveNote.CHANNEL, state=ConnectionState.CONNECTED.value, channel=channel.name, message="The host assistant is connected.")
            )
            if old is not None and old is not self._fallback:
                with contextlib.suppress(Exception):
                    await old.close()
            await self._on_connected()
            return
