"""The live-session engine: one running meeting, joining Zoom's events, the host controls and the journal.

A :class:`LiveController` lives on the I/O thread's asyncio loop (``zoomhost.system.runtime``) and
is what the live panel, the headless rehearsal and the tests drive. It owns a few collaborators
and wires them together; each module of this package owns one seam:

- ``intake``: every source's events queued, journaled in batches (group commit) and published to
  the listener, which the live panel turns into a Qt signal;
- ``commands``: every teacher command journaled with a command id before it is sent (a retry
  never admits or removes twice), its result after, with the Zoom step when only the teacher can;
- ``channels``: the host assistant while it is there, the Zoom client's own buttons when it drops,
  and connecting it again in the background;
- ``clocks``: the protocol's clocks (auto-lock N minutes after the start, the planned length);
- ``autopilot``: the opt-in autopilot;
- ``pickup``: after a crash, or a gap in Zoom's event stream, the session checked against Zoom's
  live participant list (arrivals and departures), or the teacher told what may have been missed;
- ``identities``: who Zoom says someone is, read from Zoom's live participant list when its event
  stream has not said it (a link or a sign-in the assistant cannot hear);
- ``notes``: what the engine journals that is not about a participant (:func:`note_of`);
- ``lifetime``: the background tasks, cancelled together on close.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable, Callable, Collection, Sequence
from datetime import datetime, timedelta

from zoomhost.assistant.fallback import EndMeeting
from zoomhost.assistant.wire import AssistantStatus
from zoomhost.core.control import (
    Capability,
    CapabilityInfo,
    CommandResult,
    ControlChannel,
)
from zoomhost.core.events import MeetingEvent
from zoomhost.core.journal import Actor, JournalEntry, JournalKind, utc_now
from zoomhost.core.session import LiveSession
from zoomhost.live.autopilot import Autopilot
from zoomhost.live.channels import Channels, ConnectAssistant
from zoomhost.live.clocks import Clocks
from zoomhost.live.commands import AdmitAllOutcome, Commands
from zoomhost.live.identities import IdentityWatch
from zoomhost.live.intake import EVENT_BATCH, EVENT_GATHER, Intake, Listener
from zoomhost.live.lifetime import Lifetime
from zoomhost.live.notes import LiveNote, NoteWriter, note_of
from zoomhost.live.pickup import Pickup, Roster

__all__ = [
    "EVENT_BATCH",
    "EVENT_GATHER",
    "AdmitAllOutcome",
    "ConnectAssistant",
    "Listener",
    "LiveController",
    "LiveNote",
    "Roster",
    "note_of",
]

log = logging.getLogger(__name__)


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
        identity_roster: Roster | None = None,
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
        """``assistant_ids``: participant ids the host assistant reported as its own (never a name).
        ``identity_roster``: the live participant list asked while the session waits on who Zoom says someone
        is (asked again every second, so it should give up quickly); else ``roster``."""
        self._session = session
        self._clock = clock
        self._assistant_ids = tuple(assistant_ids)
        self._started = False
        journaled = session.journal.entries()
        note = NoteWriter(session, clock)
        self._lifetime = lifetime = Lifetime()
        self._intake = intake = Intake(session=session, streams=streams, listener=listener, note=note, lifetime=lifetime)
        self._clocks = clocks = Clocks(
            session=session,
            clock=clock,
            auto_lock_after=auto_lock_after,
            planned_length=planned_length,
            overrun_warning=overrun_warning,
            time_scale=time_scale,
            clocks_from=clocks_from,
            journaled=journaled,
            lock=lambda: self.lock(actor=Actor.SYSTEM),
            intake=intake,
            note=note,
            lifetime=lifetime,
        )
        self._channels = channels = Channels(
            session=session,
            fallback=fallback,
            assistant=channel,
            connect_assistant=connect_assistant,
            intake=intake,
            note=note,
            lifetime=lifetime,
            on_connected=self._assistant_connected,
        )
        self._commands = commands = Commands(
            session=session, channels=channels, intake=intake, note=note, clock=clock, end_meeting=end_meeting, on_lock=clocks.locked
        )
        commands.renaming_off = _renaming_switched_off(journaled)
        self._autopilot = Autopilot(
            session=session,
            channels=channels,
            commands=commands,
            intake=intake,
            note=note,
            lifetime=lifetime,
            requested=autopilot,
            journaled=journaled,
        )
        self._pickup = Pickup(
            session=session,
            roster=roster,
            clock=clock,
            journaled=journaled,
            intake=intake,
            note=note,
            clocks=clocks,
            channels=channels,
            commands=commands,
        )
        self._identities = IdentityWatch(
            session=session, roster=identity_roster or roster, intake=intake, lifetime=lifetime, clock=clock
        )
        intake.watch(clocks.saw)
        intake.watch(self._autopilot.saw)
        intake.on_stream_change(self._pickup.stream_changed)

    # -- what the panel reads ----------------------------------------------------------------
    @property
    def session(self) -> LiveSession:
        return self._session

    @property
    def channel(self) -> ControlChannel:
        """The channel commands go to now: the assistant, or the fallback while it is away."""
        return self._channels.current

    @property
    def fallen_back(self) -> bool:
        return self._channels.fallen_back

    @property
    def assistant_waiting(self) -> AssistantStatus | None:
        """The host assistant's status while it waits for the host or the teacher (``instruction``: the one thing to do)."""
        return self._channels.assistant_waiting

    @property
    def assistant_attempts(self) -> int:
        """How many host assistants this session has started (one, unless one could not start or dropped)."""
        return self._channels.attempts

    @property
    def renaming_off(self) -> bool:
        """The host assistant switched "Rename Themselves" off in this meeting."""
        return self._commands.renaming_off

    @property
    def resumed(self) -> bool:
        """True when this session was picked up from an existing journal."""
        return self._pickup.resumed

    @property
    def autopilot(self) -> bool:
        return self._autopilot.on

    def capabilities(self) -> dict[Capability, CapabilityInfo]:
        return self._channels.capabilities()

    @property
    def clocks_from(self) -> datetime:
        """Where the session's clocks count from: ``count_from``, else the meeting's start."""
        return self._clocks.clocks_from

    @property
    def lock_deadline(self) -> datetime | None:
        """When auto-lock will lock the meeting; None once locked (by anyone) or when auto-lock is off."""
        return self._clocks.lock_deadline

    def seconds_until_lock(self) -> float | None:
        """For the panel's countdown: seconds of session time left (0 when due), None when there is no countdown."""
        return self._clocks.seconds_until_lock()

    @property
    def planned_end(self) -> datetime | None:
        return self._clocks.planned_end

    # -- life ---------------------------------------------------------------------------------
    async def start(self) -> None:
        """Listen to every source, pick up a resumed session, then run the clocks and the autopilot."""
        if self._started:
            return
        self._started = True
        self._intake.start()
        for participant_id in self._assistant_ids:
            self.record_assistant_participant(participant_id)
        self._channels.listen()
        self._intake.listen()
        self._autopilot.announce()
        self._intake.note_if_deaf()
        if self._pickup.resumed:
            try:
                await self.listening()
            except TimeoutError:
                log.warning("Zoom's event stream is not connected yet; checking the roster anyway")
            await self._pickup.pick_up()
        self._channels.connect_in_background()
        self._lifetime.spawn(self._clocks.run_auto_lock())
        self._lifetime.spawn(self._clocks.run_planned_length())
        self._lifetime.spawn(self._autopilot.run())
        self._lifetime.spawn(self._identities.run())
        self._autopilot.wake()

    async def listening(self, *, timeout: float = 15.0) -> None:
        """Wait until every event stream is connected: Zoom replays nothing that happened before."""
        await self._intake.listening(timeout=timeout)

    async def wait_for_assistant(self, *, timeout: float = 30.0) -> bool:
        """Wait until an assistant carries the commands (True), or give up after ``timeout`` (False)."""
        return await self._channels.wait_for_assistant(timeout=timeout)

    async def wait_until_assistant_settled(self, *, timeout: float = 10.0) -> bool:
        """Wait until the assistant carries the commands, waits for the teacher or the host, or will not come."""
        return await self._channels.wait_until_settled(timeout=timeout)

    def count_from(self, moment: datetime) -> None:
        """Count the session's clocks (auto-lock, planned length) from ``moment`` instead of the meeting's start."""
        self._clocks.count_from(moment)

    async def close(self) -> None:
        """Stop listening and close the channels; the journal stays open for the summary."""
        if self._lifetime.closed:
            return
        self._lifetime.close()
        self._channels.stop_listening()
        await self._intake.close()  # what was heard before closing is journaled, not dropped
        await self._lifetime.cancel_tasks()
        await self._channels.close()

    async def _assistant_connected(self) -> None:
        """An assistant carries the commands again: renaming goes off (the protocol's names stay as checked),
        what a crash left unanswered goes to it, and the autopilot looks."""
        self._autopilot.wake()
        await self._commands.rename_off(actor=Actor.SYSTEM)
        await self._pickup.resend_unanswered()

    # -- commands -------------------------------------------------------------------------------
    async def admit(self, participant_id: str, *, actor: str = Actor.TEACHER, command_id: str | None = None) -> CommandResult:
        """Admit one person from the waiting room (the teacher may admit anyone; the autopilot never does)."""
        return await self._commands.admit(participant_id, actor=actor, command_id=command_id)

    async def admit_all_consented(self, *, actor: str = Actor.TEACHER) -> AdmitAllOutcome:
        """Admit exactly ``session.admissible_waiting()``: consented pupils and staff, not held, not after the lock."""
        return await self._commands.admit_all_consented(actor=actor)

    async def hold(self, participant_id: str, *, actor: str = Actor.TEACHER) -> CommandResult:
        """Keep someone waiting (admit-all and the autopilot pass them by), or put them back from the meeting."""
        return await self._commands.hold(participant_id, actor=actor)

    async def remove(self, participant_id: str, *, actor: str = Actor.TEACHER) -> CommandResult:
        return await self._commands.remove(participant_id, actor=actor)

    async def mute_all(self, *, actor: str = Actor.TEACHER, allow_self_unmute: bool = False) -> CommandResult:
        return await self._commands.mute_all(actor=actor, allow_self_unmute=allow_self_unmute)

    async def chat_off(self, *, actor: str = Actor.TEACHER) -> CommandResult:
        return await self._commands.chat_off(actor=actor)

    async def stop_share(self, *, actor: str = Actor.TEACHER) -> CommandResult:
        return await self._commands.stop_share(actor=actor)

    async def lock_share(self, *, actor: str = Actor.TEACHER) -> CommandResult:
        return await self._commands.lock_share(actor=actor)

    async def lock(self, *, actor: str = Actor.TEACHER) -> CommandResult:
        """Lock: from this moment every arrival is held and flagged, whatever the channel manages to do."""
        return await self._commands.lock(actor=actor)

    async def unlock(self, *, actor: str = Actor.TEACHER) -> CommandResult:
        return await self._commands.unlock(actor=actor)

    async def end_for_all(self, *, actor: str = Actor.TEACHER) -> CommandResult:
        """End the meeting for everyone; if the channel cannot, through Zoom's API."""
        return await self._commands.end_for_all(actor=actor)

    async def panic(self) -> CommandResult:
        """End for all at once: Zoom's API (warm token) and the channel in parallel, no queue, no question."""
        return await self._commands.panic()

    async def alarm_seen(self, alarm_key: str, *, actor: str = Actor.TEACHER) -> None:
        """The teacher marked an alarm (its journal key, ``Alarm.event_key``) as seen: journaled with who and when."""
        self._commands.alarm_seen(alarm_key, actor=actor)

    async def confirm_manual_step(self, step: str, *, command_id: str | None = None, actor: str = Actor.TEACHER) -> None:
        """The teacher did ``step`` in the Zoom client; with the command's id, that command counts as done."""
        await self._commands.confirm_manual_step(step, command_id=command_id, actor=actor)

    async def rename_off(self, *, actor: str = Actor.TEACHER) -> CommandResult | None:
        """Switch "Rename Themselves" off in the running meeting (None: it is off already)."""
        return await self._commands.rename_off(actor=actor)

    def record_assistant_participant(self, participant_id: str) -> None:
        """The host assistant reported ``participant_id`` as itself: journaled, never classified, alarmed or counted."""
        self._intake.publish(self._session.record_assistant_participant(participant_id, at=self._clock()))

    async def set_autopilot(self, on: bool) -> None:
        """Switch the autopilot (off until the teacher turns it on); the panel hears it as a change."""
        self._autopilot.switch(on)


def _renaming_switched_off(journaled: Sequence[JournalEntry]) -> bool:
    """Whether a picked-up session's journal shows renaming switched off by the assistant."""
    sent = {e.detail.get("command_id") for e in journaled if e.kind is JournalKind.COMMAND and e.detail.get("name") == "rename_off"}
    return any(
        e.kind is JournalKind.COMMAND_RESULT and e.detail.get("ok") and e.detail.get("command_id") in sent for e in journaled
    )
