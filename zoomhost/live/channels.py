"""The channels the teacher's commands go to: the host assistant while it is there, the Zoom client's own buttons when not.

Owns which channel carries commands now. The assistant is connected in the background at the
start; it carries the commands only once Zoom gives it host controls (co-host or host). Until
then it waits, for as long as the meeting runs: for the host to start the meeting, to be admitted
from the waiting room, to be made co-host. Each change of what it waits for is one ``CHANNEL`` note
(state ``assistant_waiting``) with the one thing the teacher must do, and it is never started again
while it waits. When the assistant drops, commands go to the fallback (each control shown as the
exact Zoom step, End for all still working over Zoom's API) and a ``CHANNEL`` note says so; it is
started again with backoff, a few times at most. A refusal starting again cannot change
(``AssistantUnavailable``: GLib missing, the SDK key refused, the meeting closed to it) falls back
at once and for good, saying why. Events from every channel go to the intake from the first one,
even while an assistant is joining or waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from zoomhost.assistant.sdk_adapter import AssistantUnavailable
from zoomhost.assistant.wire import AssistantStatus
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
#: once Zoom has taken it in or told it to wait (raises ZoomhostError if it cannot).
ConnectAssistant = Callable[[EventCallback], Awaitable[ControlChannel]]

#: How many times an assistant that could not be started, or dropped, is started again in one session.
MAX_ATTEMPTS = 5
#: The first wait before starting it again, and the longest (seconds); each failure doubles it.
RETRY_FIRST = 1.0
RETRY_CAP = 60.0
#: The ``CHANNEL`` note's state while the assistant waits for the teacher or the host.
ASSISTANT_WAITING = "assistant_waiting"


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
        self._status: AssistantStatus | None = None  # what the connected assistant said last
        self._waiting_said: tuple[str, str | None] | None = None  # the wait last told to the teacher
        self._failures = 0  # starts that failed or dropped since the assistant last carried the commands
        self._delay = RETRY_FIRST
        self._given_up: str | None = None  # why the assistant will not be started again this session
        self.attempts = 0  # assistants started in this session

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

    @property
    def assistant_status(self) -> AssistantStatus | None:
        """What the connected assistant said last (None before one connected)."""
        return self._status

    @property
    def assistant_waiting(self) -> AssistantStatus | None:
        """The assistant's status while it waits for the host or the teacher (its ``instruction`` says what to do)."""
        status = self._status
        if status is None or self._current is not self._fallback or not status.waiting:
            return None
        return status

    @property
    def given_up(self) -> str | None:
        """Why no assistant will be started again in this session, once that is so."""
        return self._given_up

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

    async def wait_until_settled(self, *, timeout: float) -> bool:
        """Wait until the assistant carries the commands, waits for the teacher or the host, or will not
        come (True), or give up after ``timeout`` (False): what the panel should show first is known."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while not self._settled():
                    await asyncio.sleep(0.02)
        return self._settled()

    def _settled(self) -> bool:
        connecting = self._connecting is not None and not self._connecting.done()
        return (
            self._current is not self._fallback
            or self.assistant_waiting is not None
            or self._given_up is not None
            or (not connecting and self._connect_assistant is None)
        )

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
        self._status = None
        self._waiting_said = None
        self._failures += 1
        again = self._connect_assistant is not None and not self._session.ended and self._failures < MAX_ATTEMPTS
        self._intake.publish(
            self._note(
                LiveNote.CHANNEL,
                state=ConnectionState.FALLEN_BACK.value,
                channel=self._fallback.name,
                message=f"{change.message} Use the Zoom steps shown on each button; End for all still works from here.",
            )
        )
        if not again:
            if self._connect_assistant is not None and not self._session.ended:
                self._give_up(f"The host assistant stopped {self._failures} times, so zoomhost does not start it again.")
            return
        if self._connecting is None or self._connecting.done():
            # Straight away after a first drop (the meeting goes on without host controls meanwhile), then backing off.
            after = 0.0 if self._failures <= 1 else self._next_delay()
            self._connecting = self._lifetime.spawn(self._connect_loop(after=after))

    def _next_delay(self) -> float:
        delay, self._delay = self._delay, min(self._delay * 2, RETRY_CAP)
        return delay

    async def _connect_loop(self, *, after: float = 0.0) -> None:
        """Connect (or reconnect) the host assistant in the background, with backoff, a few times at most."""
        if after:
            await asyncio.sleep(after)
        while not self._lifetime.closed and not self._session.ended:
            assert self._connect_assistant is not None
            self.attempts += 1
            try:
                channel = await self._connect_assistant(self._intake.hear)
            except AssistantUnavailable as err:
                log.warning("the host assistant cannot be used: %s", err)
                self._give_up(err.user_text())
                return
            except (ZoomhostError, OSError) as err:
                self._failures += 1
                log.warning("the host assistant could not be connected (%d of %d): %s", self._failures, MAX_ATTEMPTS, err)
                if self._failures >= MAX_ATTEMPTS:
                    self._give_up(f"The host assistant could not be started ({self._failures} tries): {_words(err)}")
                    return
                await asyncio.sleep(self._next_delay())
                continue
            await self._adopt(channel)
            return

    async def _adopt(self, channel: ControlChannel) -> None:
        """A newly connected assistant: hear its connection and its status; it carries the commands once it may."""
        old, self._primary = self._primary, channel
        self._subscribe(channel, events=False)  # its events have come to the intake from the first
        on_status = getattr(channel, "on_status", None)
        if on_status is not None:
            self._unsubscribe.append(on_status(lambda status, ch=channel: self._status_changed(ch, status)))
        if old is not None and old is not self._fallback:
            with contextlib.suppress(Exception):
                await old.close()
        status = getattr(channel, "status", None)
        if isinstance(status, AssistantStatus):
            self._status_changed(channel, status)
        else:  # a channel that says nothing of its status carries the commands as soon as it is connected
            self._take_commands(channel)

    def _status_changed(self, channel: ControlChannel, status: AssistantStatus) -> None:
        """What the assistant said of itself: carry the commands, wait (saying what for, once), or stop."""
        if channel is not self._primary or self._lifetime.closed:
            return
        self._status = status
        if status.can_host:
            if self._current is not channel:
                self._take_commands(channel)
            return
        if self._current is channel:
            self._current = self._fallback  # it lost its rights: put back in the waiting room, or co-host withdrawn
        if status.over:
            self._waiting_said = None
            if status.state == "failed" and self._given_up is None:
                self._give_up(status.message)
            return
        wait = (status.state, status.instruction)
        if status.waiting and wait != self._waiting_said:
            self._waiting_said = wait
            self._intake.publish(
                self._note(
                    LiveNote.CHANNEL,
                    state=ASSISTANT_WAITING,
                    channel=channel.name,
                    waiting_for=status.state,
                    message=status.message,
                    instruction=status.instruction or "",
                )
            )

    def _take_commands(self, channel: ControlChannel) -> None:
        self._current = channel
        self._waiting_said = None
        self._failures = 0
        self._delay = RETRY_FIRST
        self._intake.publish(
            self._note(
                LiveNote.CHANNEL,
                state=ConnectionState.CONNECTED.value,
                channel=channel.name,
                message="The host assistant is connected and has host controls.",
            )
        )
        self._lifetime.spawn(self._on_connected())

    def _give_up(self, why: str) -> None:
        """No assistant this session: say why once; the Zoom steps stand in for every control."""
        if self._given_up is not None or self._lifetime.closed:
            return
        self._given_up = why
        self._current = self._fallback
        self._intake.publish(
            self._note(
                LiveNote.CHANNEL,
                state=ConnectionState.FALLEN_BACK.value,
                channel=self._fallback.name,
                message=f"{why} Use the Zoom steps shown on each button; End for all still works from here.",
            )
        )


def _words(err: Any) -> str:
    return err.user_text() if isinstance(err, ZoomhostError) else f"{err.__class__.__name__}: {err}"
