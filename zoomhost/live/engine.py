"""The live-session engine: one running meeting, joining Zoom's events, the host controls and the journal.

A :class:`LiveController` lives on the I/O thread's asyncio loop (``zoomhost.system.runtime``). Arrivals
heard from Zoom's event stream and from the host assistant go into the :class:`LiveSession`,
which journals each happening once whichever source heard it first; every teacher command is
journaled with a command id before it is sent, so a retry never admits or removes twice; the
listener hears each batch of changes (the live panel turns that into a Qt signal).

Group commit. Events are queued as they are heard and applied in batches of at most
``EVENT_BATCH``, each batch journaled in one fully synced transaction and only then handed to
the listener; between batches the loop gets a turn, so a 272-arrival burst never holds up
the auto-lock, the panic key or a teacher's click for more than one batch. A batch is taken
``EVENT_GATHER`` after its first event (at once when it is full), so events that trickle in,
as an admit-all's admissions do, share a sync to disk instead of paying one each. Admit-all journals
its commands, and then their results, a batch at a time too. Around that
it keeps the protocol's clocks (auto-lock N minutes after the start, the planned length), falls
back to the Zoom client's own buttons when the assistant drops and takes it back when it
returns, runs the opt-in autopilot, and after a crash picks the session up from its journal and
checks it against Zoom's live participant list.

Changes that are not about a participant (the channel fell back, the autopilot was switched on,
the planned length was reached, a Zoom step was shown) are journaled as ``NOTE`` entries through
``LiveSession.record_note``; the session notes host changes and the assistant's own participant
itself. Read them with :func:`note_of`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import Counter, deque
from collections.abc import (
    AsyncIterable,
    Awaitable,
    Callable,
    Collection,
    Iterable,
    Sequence,
)
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from zoomhost.assistant.fallback import EndMeeting, end_over_rest
from zoomhost.core.control import (
    ZOOM_CLIENT_STEPS,
    Capability,
    CapabilityInfo,
    CommandResult,
    ConnectionChange,
    ConnectionState,
    ControlChannel,
    EventCallback,
    How,
    new_command_id,
)
from zoomhost.core.errors import ZoomhostError
from zoomhost.core.events import EventKind, MeetingEvent
from zoomhost.core.journal import (
    Actor,
    JournalError,
    JournalKind,
    utc_now,
)
from zoomhost.core.session import (
    Arrival,
    CommandOutcome,
    LiveSession,
    ParticipantState,
    SessionChange,
    SessionNote,
)
from zoomhost.zoom.client import LiveParticipant
from zoomhost.zoom.errors import NotFound

log = logging.getLogger(__name__)

Listener = Callable[[Sequence[SessionChange]], None]
#: Connects a host assistant whose events go to the callback from the first one, and returns its channel
#: once it is in the meeting (raises ZoomhostError if it cannot).
ConnectAssistant = Callable[[EventCallback], Awaitable[ControlChannel]]
#: Who is in the meeting and its waiting room now (Zoom's Dashboard).
Roster = Callable[[], Awaitable[Sequence[LiveParticipant]]]

_PRESENT = (ParticipantState.WAITING, ParticipantState.IN_MEETING)
_FRESH = timedelta(seconds=2)  # a row changed this recently is newer than any roster snapshot
_AUTOPILOT_TRIES = 3  # an admission that keeps failing is left to the teacher
_RESENDABLE = frozenset({"mute_all", "chat_off", "stop_share", "lock_share", "lock", "unlock"})
#: Events applied and journaled in one transaction before the loop gets a turn (a few ms of work).
EVENT_BATCH = 32
#: How long the first event of a batch waits for others to share its transaction (seconds).
EVENT_GATHER = 0.003


class LiveNote(StrEnum):
    """What a ``NOTE`` journal entry written by the engine is about (``entry.detail["note"]``)."""

    CHANNEL = "channel"  # detail: state (connected | fallen_back | events_lost), channel, message
    AUTOPILOT = "autopilot"  # detail: on, message
    TIMER = "timer"  # detail: stage (planned_length_reached | planned_length_exceeded), message
    MANUAL_STEP = "manual_step"  # a control only the teacher can do: detail step, capability, command_id
    PANIC = "panic"  # the panic key: detail command_id
    RESUMED = "resumed"  # picked up after a restart: detail how (reconciled | may_have_missed), message
    # Written by the session itself (``SessionNote``), read here too so the panel needs one function:
    HOST_CHANGED = SessionNote.HOST_CHANGED.value  # someone became host or co-host: detail role; display name
    ASSISTANT = SessionNote.ASSISTANT.value  # this participant id is the host assistant itself
    ASSISTANT_SEEN = SessionNote.ASSISTANT_SEEN.value  # Zoom reported the assistant's own participant: detail event


def note_of(change: SessionChange) -> LiveNote | None:
    """The kind of engine note a change carries, or None for every other change."""
    if change.kind is not JournalKind.NOTE:
        return None
    try:
        return LiveNote(str(change.entry.detail.get("note")))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class AdmitAllOutcome:
    """What admit-all did: how many the register allowed, and what became of them."""

    asked: int
    admitted: int
    failed: int
    manual: int  # the channel can only show the Zoom step for these
    results: tuple[CommandResult, ...] = ()


class LiveController:
    """One running session. Call everything from the I/O loop; ``listener`` is called there too."""

    def __init__(
        self,
        *,
        session: LiveSession,
        fallback: ControlChannel,
        channel: ControlChannel | None = None,
        connect_assistant: ConnectAssistant | None = None,
        streams: Sequence[AsyncIterable[MeetingEvent]] = (),
        end_meeting: EndMeeting | None = None,
        roster: Roster | None = None,
        listener: Listener | None = None,
        clock: Callable[[], datetime] = utc_now,
        auto_lock_after: timedelta | None = timedelta(minutes=5),
        planned_length: timedelta | None = None,
        overrun_warning: timedelta = timedelta(minutes=5),
        time_scale: float = 1.0,
        clocks_from: datetime | None = None,
        autopilot: bool | None = None,
        assistant_ids: Collection[str] = (),
    ) -> None:
        """``assistant_ids``: participant ids the host assistant reported as its own (never a name)."""
        if time_scale <= 0:
            raise ValueError("time_scale must be above zero")
        self._session = session
        self._fallback = fallback
        self._primary = channel
        self._current = channel or fallback
        self._connect_assistant = connect_assistant
        self._streams = list(streams)
        self._end_meeting = end_meeting
        self._roster = roster
        self._listener = listener
        self._clock = clock
        self._auto_lock_after = auto_lock_after
        self._planned_length = planned_length
        self._overrun = overrun_warning
        self._scale = time_scale
        self._origin = clocks_from
        self._meeting_id = session.journal.info.meeting_id
        entries = session.journal.entries()
        self._resumed = bool(entries)
        self._lock_done = any(entry.kind is JournalKind.LOCK for entry in entries)
        journaled = [e.detail.get("on") for e in entries if e.kind is JournalKind.NOTE and e.detail.get("note") == LiveNote.AUTOPILOT]
        self._autopilot = bool(journaled[-1]) if autopilot is None and journaled else bool(autopilot)
        self._autopilot_announce = autopilot is not None and bool(autopilot) != bool(journaled[-1] if journaled else False)
        self._admitting: dict[str, asyncio.Future[CommandResult]] = {}
        self._admitted: set[str] = set()  # admissions Zoom confirmed to the channel; its event may still be on the way
        self._autopilot_tries: Counter[str] = Counter()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._unsubscribe: list[Callable[[], None]] = []
        self._wake_autopilot = asyncio.Event()
        self._clocks_changed = asyncio.Event()
        self._connecting: asyncio.Task[None] | None = None
        self._resendable: list[tuple[str, str]] = []
        self._assistant_ids = tuple(assistant_ids)
        self._inbox: deque[MeetingEvent] = deque()  # heard, not yet journaled
        self._drain_handle: asyncio.Handle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._started = False
        self._closed = False

    # -- what the panel reads ----------------------------------------------------------------
    @property
    def session(self) -> LiveSession:
        return self._session

    @property
    def channel(self) -> ControlChannel:
        """The channel commands go to now: the assistant, or the fallback while it is away."""
        return self._current

    @property
    def fallen_back(self) -> bool:
        return self._current is self._fallback and self._primary is not None

    @property
    def resumed(self) -> bool:
        """True when this session was picked up from an existing journal."""
        return self._resumed

    @property
    def autopilot(self) -> bool:
        return self._autopilot

    def capabilities(self) -> dict[Capability, CapabilityInfo]:
        return self._current.capabilities()

    @property
    def clocks_from(self) -> datetime:
        """Where the session's clocks count from: ``count_from``, else the meeting's start."""
        return self._origin or self._session.started_at

    @property
    def lock_deadline(self) -> datetime | None:
        """When auto-lock will lock the meeting; None once locked (by anyone) or when auto-lock is off."""
        if self._auto_lock_after is None or self._lock_done or self._session.locked or self._session.ended:
            return None
        return self.clocks_from + self._auto_lock_after / self._scale

    def seconds_until_lock(self) -> float | None:
        """For the panel's countdown: seconds of session time left (0 when due), None when there is no countdown."""
        deadline = self.lock_deadline
        if deadline is None:
            return None
        return max(0.0, (deadline - self._clock()).total_seconds() * self._scale)

    @property
    def planned_end(self) -> datetime | None:
        if self._planned_length is None:
            return None
        return self.clocks_from + self._planned_length / self._scale

    # -- life ---------------------------------------------------------------------------------
    async def start(self) -> None:
        """Listen to every source, pick up a resumed session, then run the clocks and the autopilot."""
        if self._started:
            return
        self._started = True
        self._loop = asyncio.get_running_loop()
        for participant_id in self._assistant_ids:
            self.record_assistant_participant(participant_id)
        for channel in {id(c): c for c in (self._fallback, self._primary) if c is not None}.values():
            self._subscribe(channel)
        for stream in self._streams:
            self._spawn(self._consume(stream))
        if self._autopilot_announce:
            self._publish(self._autopilot_note())
        if not self._streams:
            self._publish(
                self._note(
                    LiveNote.CHANNEL,
                    state="events_lost",
                    channel="zoom-events",
                    message="No Zoom event subscription is set: arrivals are heard only through the host assistant.",
                )
            )
        if self._resumed:
            try:
                await self.listening()
            except TimeoutError:
                log.warning("Zoom's event stream is not connected yet; checking the roster anyway")
            await self._pick_up()
        if self._primary is None and self._connect_assistant is not None:
            self._connecting = self._spawn(self._connect_loop())
        self._spawn(self._auto_lock_loop())
        self._spawn(self._planned_length_loop())
        self._spawn(self._autopilot_loop())
        self._wake_autopilot.set()

    async def listening(self, *, timeout: float = 15.0) -> None:
        """Wait until every event stream is connected: Zoom replays nothing that happened before."""
        async with asyncio.timeout(timeout):
            while not all(getattr(stream, "connections", 1) >= 1 for stream in self._streams):
                await asyncio.sleep(0.01)

    async def wait_for_assistant(self, *, timeout: float = 30.0) -> bool:
        """Wait until an assistant carries the commands (True), or give up after ``timeout`` (False)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while self._current is self._fallback:
                    await asyncio.sleep(0.02)
        return self._current is not self._fallback

    def count_from(self, moment: datetime) -> None:
        """Count the session's clocks (auto-lock, planned length) from ``moment`` instead of the meeting's start."""
        self._origin = moment
        self._clocks_changed.set()

    async def close(self) -> None:
        """Stop listening and close the channels; the journal stays open for the summary."""
        if self._closed:
            return
        self._closed = True
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        self._drain_all()  # what was heard before closing is journaled, not dropped
        for stream in self._streams:
            closer = getattr(stream, "aclose", None)
            if closer is not None:
                with contextlib.suppress(Exception):
                    await closer()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for channel in {id(c): c for c in (self._primary, self._fallback) if c is not None}.values():
            with contextlib.suppress(Exception):
                await channel.close()

    # -- commands -------------------------------------------------------------------------------
    async def admit(self, participant_id: str, *, actor: str = Actor.TEACHER, command_id: str | None = None) -> CommandResult:
        """Admit one person from the waiting room (the teacher may admit anyone; the autopilot never does)."""
        if participant_id in self._admitting:
            return await asyncio.shield(self._admitting[participant_id])
        row = self._session.participant(participant_id)
        admitted = row is not None and (row.state is ParticipantState.IN_MEETING or (participant_id in self._admitted and not row.held))
        if admitted and command_id is None:
            return CommandResult("", True, "Already in the meeting.", Capability.ADMIT, participant_id, how=self._how(Capability.ADMIT))
        results = await self._admit([participant_id], actor=actor, capability=Capability.ADMIT, command_ids=[command_id] if command_id else None)
        return results[0]

    async def admit_all_consented(self, *, actor: str = Actor.TEACHER) -> AdmitAllOutcome:
        """Admit exactly ``session.admissible_waiting()``: consented pupils and staff, not held, not after the lock."""
        wanted = self._not_yet_admitted()
        results = await self._admit(wanted, actor=actor, capability=Capability.ADMIT_ALL) if wanted else []
        return AdmitAllOutcome(
            asked=len(wanted),
            admitted=sum(1 for r in results if r.ok),
            failed=sum(1 for r in results if not r.ok and not r.manual_step),
            manual=sum(1 for r in results if not r.ok and r.manual_step is not None),
            results=tuple(results),
        )

    async def hold(self, participant_id: str, *, actor: str = Actor.TEACHER) -> CommandResult:
        """Keep someone waiting (admit-all and the autopilot pass them by), or put them back from the meeting."""
        row = self._session.participant(participant_id)
        if row is not None and row.state is ParticipantState.IN_MEETING:
            return await self._command(
                Capability.PUT_IN_WAITING_ROOM,
                lambda ch, cid: ch.put_in_waiting_room(participant_id, command_id=cid),
                actor=actor,
                participant_id=participant_id,
            )
        if row is None or row.state is not ParticipantState.WAITING:
            return CommandResult("", False, "That person is not in the waiting room or the meeting.", Capability.PUT_IN_WAITING_ROOM, participant_id, how="zoomhost")
        self._publish(self._session.hold(participant_id, actor=actor))
        return CommandResult("", True, "Held in the waiting room: admit-all passes them by.", Capability.PUT_IN_WAITING_ROOM, participant_id, how="zoomhost")

    async def remove(self, participant_id: str, *, actor: str = Actor.TEACHER) -> CommandResult:
        return await self._command(
            Capability.REMOVE, lambda ch, cid: ch.remove(participant_id, command_id=cid), actor=actor, participant_id=participant_id
        )

    async def mute_all(self, *, actor: str = Actor.TEACHER, allow_self_unmute: bool = False) -> CommandResult:
        return await self._command(
            Capability.MUTE_ALL, lambda ch, cid: ch.mute_all(allow_self_unmute=allow_self_unmute, command_id=cid), actor=actor
        )

    async def chat_off(self, *, actor: str = Actor.TEACHER) -> CommandResult:
        return await self._command(Capability.CHAT_OFF, lambda ch, cid: ch.allow_chat(False, command_id=cid), actor=actor)

    async def stop_share(self, *, actor: str = Actor.TEACHER) -> CommandResult:
        return await self._command(Capability.STOP_SHARE, lambda ch, cid: ch.stop_share(command_id=cid), actor=actor)

    async def lock_share(self, *, actor: str = Actor.TEACHER) -> CommandResult:
        return await self._command(Capability.LOCK_SHARE, lambda ch, cid: ch.lock_share(command_id=cid), actor=actor)

    async def lock(self, *, actor: str = Actor.TEACHER) -> CommandResult:
        """Lock: from this moment every arrival is held and flagged, whatever the channel manages to do."""
        self._drain_all()  # whoever was heard before the lock arrived before it
        self._publish(self._session.lock(actor))
        self._lock_done = True
        self._clocks_changed.set()
        return await self._command(Capability.LOCK, lambda ch, cid: ch.lock(command_id=cid), actor=actor)

    async def unlock(self, *, actor: str = Actor.TEACHER) -> CommandResult:
        return await self._command(Capability.UNLOCK, lambda ch, cid: ch.unlock(command_id=cid), actor=actor)

    async def end_for_all(self, *, actor: str = Actor.TEACHER) -> CommandResult:
        """End the meeting for everyone; if the channel cannot, through Zoom's API."""

        async def send(channel: ControlChannel, command_id: str) -> CommandResult:
            result = await channel.end_for_all(command_id=command_id)
            if not result.ok and self._end_meeting is not None and result.how != How.REST:
                return await end_over_rest(self._end_meeting, command_id=command_id)
            return result

        return await self._command(Capability.END_FOR_ALL, send, actor=actor)

    async def panic(self) -> CommandResult:
        """End for all at once: Zoom's API (warm token) and the channel in parallel, no queue, no question."""
        command_id = new_command_id()
        channel = self._current
        senders: list[asyncio.Task[CommandResult]] = []
        if self._end_meeting is not None:
            senders.append(asyncio.ensure_future(end_over_rest(self._end_meeting, command_id=command_id)))
        if self._end_meeting is None or channel.capabilities().get(Capability.END_FOR_ALL, _NO_CAP).how != How.REST:
            senders.append(asyncio.ensure_future(channel.end_for_all(command_id=new_command_id())))
        await asyncio.sleep(0)  # the requests leave before the journal's disk write
        changes = self._note(LiveNote.PANIC, actor=Actor.TEACHER, key=f"panic:{command_id}", command_id=command_id)
        changes += self._session.record_command(Capability.END_FOR_ALL.value, actor=Actor.TEACHER, command_id=command_id)
        self._publish(changes)
        result: CommandResult | None = None
        for finished in asyncio.as_completed(senders):
            try:
                outcome = await finished
            except ZoomhostError as err:
                outcome = self._failed(command_id, Capability.END_FOR_ALL, None, err)
            if outcome.ok or result is None:
                result = outcome
            if outcome.ok:
                break
        assert result is not None
        result = CommandResult(**{**_fields(result), "command_id": command_id})
        return self._finish(result)

    async def confirm_manual_step(self, step: str, *, command_id: str | None = None, actor: str = Actor.TEACHER) -> None:
        """The teacher did ``step`` in the Zoom client; with the command's id, that command counts as done."""
        changes = self._session.record_manual_confirmation(step, actor=actor)
        if command_id is not None and not self._session.command_done(command_id):
            with contextlib.suppress(ValueError):
                changes += self._session.record_result(command_id, True, "Done by hand in Zoom, confirmed by the teacher.")
        self._publish(changes)

    def record_assistant_participant(self, participant_id: str) -> None:
        """The host assistant reported ``participant_id`` as itself: journaled, never classified, alarmed or counted."""
        self._publish(self._session.record_assistant_participant(participant_id, at=self._clock()))

    async def set_autopilot(self, on: bool) -> None:
        """Switch the autopilot (off until the teacher turns it on); the panel hears it as a change."""
        if bool(on) == self._autopilot:
            return
        self._autopilot = bool(on)
        self._publish(self._autopilot_note())
        self._wake_autopilot.set()

    # -- sending and journaling ---------------------------------------------------------------
    async def _command(
        self,
        capability: Capability,
        send: Callable[[ControlChannel, str], Awaitable[CommandResult]],
        *,
        actor: str,
        participant_id: str | None = None,
        command_id: str | None = None,
    ) -> CommandResult:
        command_id = command_id or new_command_id()
        if self._session.command_done(command_id):
            return CommandResult(command_id, True, "Already done.", capability, participant_id, how=self._how(capability), replayed=True)
        self._publish(
            self._session.record_command(capability.value, actor=actor, participant_id=participant_id, command_id=command_id)
        )
        try:
            result = await send(self._current, command_id)
        except ZoomhostError as err:
            result = self._failed(command_id, capability, participant_id, err)
        return self._finish(result)

    async def _admit(
        self, participant_ids: Sequence[str], *, actor: str, capability: Capability, command_ids: Sequence[str] | None = None
    ) -> list[CommandResult]:
        """Journal each admission, send them all at once (pipelined), then journal each result."""
        ids = list(command_ids) if command_ids is not None else [new_command_id() for _ in participant_ids]
        loop = asyncio.get_running_loop()
        for pid in participant_ids:
            self._admitting[pid] = loop.create_future()
        pairs = list(zip(participant_ids, ids, strict=True))
        try:
            self._publish(self._session.record_commands(capability.value, actor=actor, commands=pairs))
        except BaseException as err:
            for pid in participant_ids:  # nothing was sent: whoever waits on these hears why
                future = self._admitting.pop(pid, None)
                if future is not None and not future.done():
                    future.set_exception(err)
                    future.exception()  # retrieved: nobody else may be waiting on it
            raise
        channel = self._current
        try:
            if len(participant_ids) == 1 and capability is Capability.ADMIT:
                results = [await channel.admit(participant_ids[0], command_id=ids[0])]
            else:
                results = await channel.admit_many(list(participant_ids), command_ids=ids)
        except ZoomhostError as err:
            results = [self._failed(cid, capability, pid, err) for pid, cid in zip(participant_ids, ids, strict=True)]
        for pid, result in zip(participant_ids, results, strict=True):
            if result.ok:
                self._admitted.add(pid)
        try:
            return self._finish_all(results)
        finally:
            for pid, result in zip(participant_ids, results, strict=True):
                future = self._admitting.pop(pid, None)
                if future is not None and not future.done():
                    future.set_result(result)

    def _finish(self, result: CommandResult) -> CommandResult:
        return self._finish_all([result])[0]

    def _finish_all(self, results: Sequence[CommandResult]) -> list[CommandResult]:
        """Journal the results (and the Zoom step for each that needs the teacher), all in one transaction each."""
        outcomes = [
            CommandOutcome(r.command_id, r.ok, f"{r.message} ({r.manual_step})" if not r.ok and r.manual_step else r.message)
            for r in results
        ]
        changes = self._session.record_results(outcomes)
        manual = [r for r in results if not r.ok and r.manual_step]
        if manual:
            changes += self._session.record_notes(
                LiveNote.MANUAL_STEP.value,
                notes=[
                    (
                        f"manual:{r.command_id}:{uuid.uuid4().hex[:12]}",
                        {
                            "step": r.manual_step,
                            "capability": r.capability.value if r.capability else None,
                            "command_id": r.command_id,
                            "participant_id": r.participant_id,
                        },
                    )
                    for r in manual
                ],
                at=self._clock(),
            )
        self._publish(changes)
        return list(results)

    @staticmethod
    def _failed(command_id: str, capability: Capability, participant_id: str | None, err: ZoomhostError) -> CommandResult:
        return CommandResult(
            command_id, False, err.user_text(), capability, participant_id, how=How.MANUAL, manual_step=ZOOM_CLIENT_STEPS[capability]
        )

    def _how(self, capability: Capability) -> str:
        return str(self._current.capabilities().get(capability, _NO_CAP).how)

    def _note(self, note: LiveNote, *, actor: str = Actor.SYSTEM, key: str | None = None, **detail: Any) -> list[SessionChange]:
        return self._session.record_note(note.value, actor=actor, key=key, detail=detail, at=self._clock())

    def _autopilot_note(self) -> list[SessionChange]:
        message = (
            "Autopilot is on: consented pupils and staff are admitted as they arrive; everyone else waits for you."
            if self._autopilot
            else "Autopilot is off: nobody is admitted without your click."
        )
        return self._note(LiveNote.AUTOPILOT, actor=Actor.TEACHER, on=self._autopilot, message=message)

    def _publish(self, changes: Sequence[SessionChange]) -> None:
        if not changes:
            return
        for change in changes:
            if change.kind is JournalKind.LOCK:
                self._lock_done = True
            if change.kind in (JournalKind.SESSION_STARTED, JournalKind.LOCK, JournalKind.SESSION_ENDED, JournalKind.END):
                self._clocks_changed.set()
        if self._listener is not None:
            try:
                self._listener(changes)
            except Exception:  # noqa: BLE001 - a broken panel must not stop the session being journaled
                log.exception("the live session's listener failed")
        if self._autopilot:
            self._wake_autopilot.set()

    # -- events ---------------------------------------------------------------------------------
    def _on_event(self, event: MeetingEvent) -> None:
        """Every source's events are queued for the session, which journals each happening once
        (late copies included); a burst is applied a batch at a time, soon after, in order."""
        if self._closed or (event.meeting_id and event.meeting_id != self._meeting_id):
            return
        self._inbox.append(event)
        loop = self._loop
        if loop is None or loop.is_closed():
            self._drain_all()
        elif self._drain_handle is None:
            self._drain_handle = loop.call_later(EVENT_GATHER, self._drain)
        elif len(self._inbox) >= EVENT_BATCH and isinstance(self._drain_handle, asyncio.TimerHandle):
            self._drain_handle.cancel()  # a full batch goes at once
            self._drain_handle = loop.call_soon(self._drain)

    def _drain(self) -> None:
        """Apply one batch of the queued events; the loop gets a turn before the next batch."""
        self._drain_handle = None
        batch = [self._inbox.popleft() for _ in range(min(EVENT_BATCH, len(self._inbox)))]
        self._apply_events(batch)
        if self._inbox and self._loop is not None and not self._loop.is_closed():
            self._drain_handle = self._loop.call_soon(self._drain)

    def _drain_all(self) -> None:
        """Apply everything queued now (before a pick-up's own events, and when closing)."""
        if self._drain_handle is not None:
            self._drain_handle.cancel()
            self._drain_handle = None
        while self._inbox:
            self._apply_events([self._inbox.popleft() for _ in range(min(EVENT_BATCH, len(self._inbox)))])

    def _apply_events(self, events: Sequence[MeetingEvent]) -> None:
        if not events:
            return
        try:
            changes = self._session.apply_many(events)
        except JournalError:
            log.exception("%d meeting events could not be journaled", len(events))
            return
        except Exception:  # noqa: BLE001 - one bad event must not cost the others in its batch
            log.exception("a batch of meeting events failed; applying them one at a time")
            changes = []
            for event in events:
                try:
                    changes += self._session.apply(event)
                except Exception:  # noqa: BLE001 - a live meeting must go on
                    log.exception("a meeting event could not be applied")
        self._publish(changes)

    def _apply_now(self, event: MeetingEvent) -> None:
        """Apply ``event`` at once, after everything heard before it (the pick-up reads the state next)."""
        self._drain_all()
        self._apply_events([event])

    async def _consume(self, stream: AsyncIterable[MeetingEvent]) -> None:
        try:
            async for event in stream:
                self._on_event(event)
        except asyncio.CancelledError:
            raise
        except ZoomhostError as err:
            self._publish(self._note(LiveNote.CHANNEL, state="events_lost", channel="zoom-events", message=err.user_text()))

    def _subscribe(self, channel: ControlChannel, *, events: bool = True) -> None:
        if events:
            self._unsubscribe.append(channel.on_event(self._on_event))
        self._unsubscribe.append(channel.on_connection(lambda change, ch=channel: self._connection_changed(ch, change)))

    def _connection_changed(self, channel: ControlChannel, change: ConnectionChange) -> None:
        if channel is not self._primary or change.state is not ConnectionState.DROPPED or self._closed:
            return
        self._current = self._fallback
        self._publish(
            self._note(
                LiveNote.CHANNEL,
                state=ConnectionState.FALLEN_BACK.value,
                channel=self._fallback.name,
                message=f"{change.message} Use the Zoom steps shown on each button; End for all still works from here.",
            )
        )
        if self._connect_assistant is not None and (self._connecting is None or self._connecting.done()):
            self._connecting = self._spawn(self._connect_loop())

    async def _connect_loop(self) -> None:
        """Connect (or reconnect) the host assistant in the background, with backoff, until it works."""
        delay = 0.25
        while not self._closed and not self._session.ended:
            assert self._connect_assistant is not None
            try:
                channel = await self._connect_assistant(self._on_event)
            except (ZoomhostError, OSError) as err:
                log.warning("the host assistant could not be connected: %s", err)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
                continue
            old, self._primary = self._primary, channel
            self._subscribe(channel, events=False)  # its events have come to _on_event from the first
            self._current = channel
            self._publish(
                self._note(LiveNote.CHANNEL, state=ConnectionState.CONNECTED.value, channel=channel.name, message="The host assistant is connected.")
            )
            if old is not None and old is not self._fallback:
                with contextlib.suppress(Exception):
                    await old.close()
            await self._resend_unanswered()
            self._wake_autopilot.set()
            return

    # -- the clocks -----------------------------------------------------------------------------
    async def _sleep_until(self, when: Callable[[], datetime | None]) -> bool:
        """Sleep until ``when()`` (re-read whenever the clocks change); False when there is nothing to wait for."""
        while not self._closed:
            self._clocks_changed.clear()
            moment = when()
            if moment is None:
                await self._clocks_changed.wait()
                continue
            delay = (moment - self._clock()).total_seconds()
            if delay <= 0:
                return True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._clocks_changed.wait(), delay)
        return False

    async def _auto_lock_loop(self) -> None:
        while await self._sleep_until(lambda: self.lock_deadline):
            if self.lock_deadline is not None:
                await self.lock(actor=Actor.SYSTEM)

    async def _planned_length_loop(self) -> None:
        stages = (
            ("planned_length_reached", timedelta(0), "The planned length of the session has been reached."),
            ("planned_length_exceeded", self._overrun, "The session has run well over its planned length."),
        )
        for stage, after, message in stages:
            if not await self._sleep_until(lambda a=after: None if self.planned_end is None or self._session.ended else self.planned_end + a / self._scale):
                return
            key = f"timer:{stage}"
            if not self._session.journal.has(f"note:{key}"):
                self._publish(self._note(LiveNote.TIMER, key=key, stage=stage, message=message))

    # -- the autopilot --------------------------------------------------------------------------
    async def _autopilot_loop(self) -> None:
        while not self._closed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake_autopilot.wait(), 0.5)
            self._wake_autopilot.clear()
            if self._autopilot:
                self._autopilot_step()

    def _autopilot_step(self) -> None:
        """Admit consented pupils and staff as they arrive; never after the lock, never anyone else."""
        session = self._session
        if session.locked or session.ended or not self.capabilities().get(Capability.ADMIT, _NO_CAP).available:
            return
        wanted = [pid for pid in self._not_yet_admitted() if self._autopilot_tries[pid] < _AUTOPILOT_TRIES]
        if not wanted:
            return
        self._autopilot_tries.update(wanted)
        self._spawn(self._admit(wanted, actor=Actor.AUTOPILOT, capability=Capability.ADMIT))

    def _not_yet_admitted(self) -> list[str]:
        """``admissible_waiting()`` less those being admitted now, or admitted with Zoom's event still to come."""
        return [
            row.participant_id
            for row in self._session.admissible_waiting()
            if row.participant_id not in self._admitting and row.participant_id not in self._admitted
        ]

    # -- picking up after a restart -------------------------------------------------------------
    async def _pick_up(self) -> None:
        """After a crash: check the journal's picture against Zoom's roster, then settle unanswered commands."""
        taken = self._clock()
        people: Sequence[LiveParticipant] | None = None
        why = "no live participant list to check against"
        if self._roster is not None:
            try:
                people = await self._roster()
            except NotFound:
                self._apply_now(MeetingEvent(EventKind.ENDED, self._meeting_id, taken, f"reconcile:ended:{self._meeting_id}", source="reconcile"))
                why = "the meeting is no longer running"
            except ZoomhostError as err:
                why = err.user_text()
        if people is None:
            self._apply_now(
                MeetingEvent(
                    EventKind.MAY_HAVE_MISSED,
                    self._meeting_id,
                    taken,
                    f"may_have_missed:resume:{self._meeting_id}:{taken.isoformat()}",
                    source="reconcile",
                    extra={"reason": why[:300]},
                )
            )
            how, message = "may_have_missed", f"zoomhost restarted and could not check who came meanwhile ({why})."
        else:
            events = reconcile_events(self._session, people, meeting_id=self._meeting_id, taken=taken)
            deadline = self.lock_deadline
            for event in events:
                if deadline is not None and event.at >= deadline and not self._session.locked:
                    await self.lock(actor=Actor.SYSTEM)  # the auto-lock fell while zoomhost was away
                self._apply_now(event)
            how, message = "reconciled", f"zoomhost restarted and checked Zoom's participant list ({len(events)} changes)."
        self._settle_unanswered()
        self._publish(self._note(LiveNote.RESUMED, how=how, message=message))
        if self._primary is not None:
            await self._resend_unanswered()

    def _settle_unanswered(self) -> None:
        """Commands sent before the crash with no answer: confirmed from what Zoom shows now, or marked unconfirmed."""
        commands = self._session.snapshot()["commands"]
        assert isinstance(commands, dict)
        outcomes: list[CommandOutcome] = []
        for command_id, command in commands.items():
            if command["ok"] is not None:
                continue
            name, pid = command["name"], command["participant_id"]
            row = self._session.participant(pid) if pid else None
            if name in _RESENDABLE:
                self._resendable.append((name, command_id))
                continue
            done = {
                "admit": row is not None and row.state is ParticipantState.IN_MEETING,
                "admit_all": row is not None and row.state is ParticipantState.IN_MEETING,
                "put_in_waiting_room": row is not None and row.state is ParticipantState.WAITING,
                "remove": row is not None and row.state not in _PRESENT,
                "end_for_all": self._session.ended,
            }.get(name, False)
            message = (
                "Confirmed from Zoom's participant list after zoomhost restarted."
                if done
                else "zoomhost stopped before Zoom confirmed this; check it in Zoom."
            )
            outcomes.append(CommandOutcome(command_id, done, message))
        self._publish(self._session.record_results(outcomes))

    async def _resend_unanswered(self) -> None:
        """Send each meeting-wide control left unanswered by a crash again, under its own command id."""
        pending, self._resendable = self._resendable, []
        for name, command_id in pending:
            await self._resend(name, command_id)

    async def _resend(self, name: str, command_id: str) -> None:
        sends: dict[str, Callable[[ControlChannel, str], Awaitable[CommandResult]]] = {
            "mute_all": lambda ch, cid: ch.mute_all(command_id=cid),
            "chat_off": lambda ch, cid: ch.allow_chat(False, command_id=cid),
            "stop_share": lambda ch, cid: ch.stop_share(command_id=cid),
            "lock_share": lambda ch, cid: ch.lock_share(command_id=cid),
            "lock": lambda ch, cid: ch.lock(command_id=cid),
            "unlock": lambda ch, cid: ch.unlock(command_id=cid),
        }
        try:
            result = await sends[name](self._current, command_id)
        except ZoomhostError as err:
            result = self._failed(command_id, Capability(name), None, err)
        self._finish(result)

    # -- tasks ----------------------------------------------------------------------------------
    def _spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a live-session task failed", exc_info=task.exception())


_NO_CAP = CapabilityInfo(Capability.ADMIT, False, How.MANUAL, "", "")


def _fields(result: CommandResult) -> dict[str, Any]:
    return {name: getattr(result, name) for name in CommandResult.__slots__}


def reconcile_events(
    session: LiveSession, people: Iterable[LiveParticipant], *, meeting_id: str, taken: datetime
) -> list[MeetingEvent]:
    """The events that bring the session in line with Zoom's roster taken at ``taken``, in time order.

    Rows that changed within a moment of ``taken`` are left alone: the live events about them are
    newer than the snapshot.
    """
    events: list[MeetingEvent] = []
    seen: set[str] = set()

    def event(kind: EventKind, pid: str, at: datetime, name: str | None, stamp: str) -> None:
        events.append(
            MeetingEvent(
                kind=kind,
                meeting_id=meeting_id,
                at=at,
                event_id=f"reconcile:{kind.value}:{meeting_id}:{pid}:{stamp}",
                participant_id=pid,
                display_name=name,
                source="reconcile",
            )
        )

    def fresh(row: Arrival) -> bool:
        return row.last_change is not None and row.last_change >= taken - _FRESH

    for person in people:
        pid = person.participant_id
        seen.add(pid)
        waiting = person.in_waiting_room
        row = session.participant(pid)
        if row is None or row.state not in _PRESENT:
            joined = _when(person.join_time) or taken
            event(EventKind.WAITING_JOINED if waiting else EventKind.JOINED, pid, min(joined, taken), person.display_name, person.join_time or taken.isoformat())
        elif fresh(row):
            continue
        elif row.state is ParticipantState.WAITING and not waiting:
            event(EventKind.ADMITTED, pid, taken, person.display_name, taken.isoformat())
        elif row.state is ParticipantState.IN_MEETING and waiting:
            event(EventKind.PUT_BACK, pid, taken, person.display_name, taken.isoformat())
        elif waiting and person.display_name and person.display_name != row.display_name:
            event(EventKind.WAITING_RENAMED, pid, taken, person.display_name, taken.isoformat())
    for row in session.arrivals():
        if row.state in _PRESENT and row.participant_id not in seen and not fresh(row):
            event(EventKind.LEFT, row.participant_id, taken, row.display_name, taken.isoformat())
    return sorted(events, key=lambda e: e.at)


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None
