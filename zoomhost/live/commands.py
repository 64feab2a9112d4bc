"""The teacher's commands: each journaled with its command id before it is sent, and its result after.

A retry under the same command id is answered from the journal, never sent twice; an admission
already under way is joined, not sent again. Admissions go to the channel pipelined, and
admit-all journals its commands a chunk at a time, each chunk synced before it is sent (the first
goes out while the next is written), and each chunk's results as they come back.
A result the channel could not carry out is journaled with the exact Zoom step for the teacher
(a ``MANUAL_STEP`` note), and the teacher's confirmation closes the command. Lock holds every
later arrival whatever the channel manages to do; End for all falls back to Zoom's API; the
panic key sends over both at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from zoomhost.assistant.fallback import EndMeeting, end_over_rest
from zoomhost.core.control import (
    ZOOM_CLIENT_STEPS,
    Capability,
    CommandResult,
    ControlChannel,
    How,
    new_command_id,
)
from zoomhost.core.errors import ZoomhostError
from zoomhost.core.journal import Actor
from zoomhost.core.session import CommandOutcome, LiveSession, ParticipantState
from zoomhost.live.channels import Channels
from zoomhost.live.intake import Intake
from zoomhost.live.notes import LiveNote, NoteWriter

#: Sends one command over a channel under a command id.
Send = Callable[[ControlChannel, str], Awaitable[CommandResult]]

#: How each meeting-wide control is sent; all of them are safe to send again after a restart.
_RESENDS: dict[str, Send] = {
    "mute_all": lambda ch, cid: ch.mute_all(command_id=cid),
    "chat_off": lambda ch, cid: ch.allow_chat(False, command_id=cid),
    "stop_share": lambda ch, cid: ch.stop_share(command_id=cid),
    "lock_share": lambda ch, cid: ch.lock_share(command_id=cid),
    "lock": lambda ch, cid: ch.lock(command_id=cid),
    "unlock": lambda ch, cid: ch.unlock(command_id=cid),
}
RESENDABLE = frozenset(_RESENDS)


#: Admit-all's first chunk: journaled and sent on its own, so Zoom starts on it while the rest are written.
FIRST_CHUNK = 32
#: Admissions sent (and their results journaled) together: the last lot's results are all that is
#: journaled after Zoom has done the last admission.
SEND_BATCH = 64


def admission_chunks(count: int) -> list[int]:
    """How many admissions each journal transaction holds (each synced before any of it is sent): the first
    ``FIRST_CHUNK``, then each twice the one before (the last takes what is left), so each is written while
    Zoom carries out the ones before it and Zoom never waits for the journal."""
    sizes: list[int] = []
    size, left = FIRST_CHUNK, count
    while left > 0:
        take = left if left < 2 * size else size
        sizes.append(take)
        left -= take
        size *= 2
    return sizes


async def _let_it_leave() -> None:
    """Two turns of the loop: the chunk's send is scheduled on the first and written to the socket on the second."""
    await asyncio.sleep(0)
    await asyncio.sleep(0)


@dataclass(frozen=True, slots=True)
class AdmitAllOutcome:
    """What admit-all did: how many the register allowed, and what became of them."""

    asked: int
    admitted: int
    failed: int
    manual: int  # the channel can only show the Zoom step for these
    results: tuple[CommandResult, ...] = ()


class Commands:
    """Sends the teacher's (and the autopilot's and the clocks') commands to the current channel, journaling both ends."""

    def __init__(
        self,
        *,
        session: LiveSession,
        channels: Channels,
        intake: Intake,
        note: NoteWriter,
        clock: Callable[[], datetime],
        end_meeting: EndMeeting | None,
        on_lock: Callable[[], None],
    ) -> None:
        """``end_meeting`` ends the meeting over Zoom's API; ``on_lock`` is told the moment the session locks."""
        self._session = session
        self._channels = channels
        self._intake = intake
        self._note = note
        self._clock = clock
        self._end_meeting = end_meeting
        self._on_lock = on_lock
        self._admitting: dict[str, asyncio.Future[CommandResult]] = {}
        self._admitted: set[str] = set()  # admissions Zoom confirmed to the channel; its event may still be on the way
        self.renaming_off = False  # the host assistant switched renaming off in this meeting (as the journal says)

    # -- admitting ------------------------------------------------------------------------------
    async def admit(self, participant_id: str, *, actor: str = Actor.TEACHER, command_id: str | None = None) -> CommandResult:
        """Admit one person from the waiting room (the teacher may admit anyone; the autopilot never does)."""
        if participant_id in self._admitting:
            return await asyncio.shield(self._admitting[participant_id])
        row = self._session.participant(participant_id)
        admitted = row is not None and (row.state is ParticipantState.IN_MEETING or (participant_id in self._admitted and not row.held))
        if admitted and command_id is None:
            return CommandResult("", True, "Already in the meeting.", Capability.ADMIT, participant_id, how=self._how(Capability.ADMIT))
        results = await self.admit_many([participant_id], actor=actor, capability=Capability.ADMIT, command_ids=[command_id] if command_id else None)
        return results[0]

    async def admit_all_consented(self, *, actor: str = Actor.TEACHER) -> AdmitAllOutcome:
        """Admit exactly ``session.admissible_waiting()``: consented pupils and staff, not held, not after the lock."""
        wanted = self.not_yet_admitted()
        results = await self.admit_many(wanted, actor=actor, capability=Capability.ADMIT_ALL) if wanted else []
        return AdmitAllOutcome(
            asked=len(wanted),
            admitted=sum(1 for r in results if r.ok),
            failed=sum(1 for r in results if not r.ok and not r.manual_step),
            manual=sum(1 for r in results if not r.ok and r.manual_step is not None),
            results=tuple(results),
        )

    def not_yet_admitted(self) -> list[str]:
        """``admissible_waiting()`` less those being admitted now, or admitted with Zoom's event still to come."""
        return [
            row.participant_id
            for row in self._session.admissible_waiting()
            if row.participant_id not in self._admitting and row.participant_id not in self._admitted
        ]

    async def admit_many(
        self, participant_ids: Sequence[str], *, actor: str, capability: Capability, command_ids: Sequence[str] | None = None
    ) -> list[CommandResult]:
        """Journal each admission, send them (pipelined), then journal each result.

        The admissions are journaled a chunk at a time (``admission_chunks``), each chunk one synced
        transaction before any of it is sent: the first is small, so Zoom starts on it while the rest are
        written. They are sent in lots of ``SEND_BATCH``, and each lot's results are journaled as they
        come back, while the later lots are carried out."""
        ids = list(command_ids) if command_ids is not None else [new_command_id() for _ in participant_ids]
        loop = asyncio.get_running_loop()
        for pid in participant_ids:
            self._admitting[pid] = loop.create_future()
        pairs = list(zip(participant_ids, ids, strict=True))
        channel = self._channels.current
        single = len(pairs) == 1 and capability is Capability.ADMIT
        sent: list[tuple[list[tuple[str, str]], asyncio.Future[list[CommandResult]]]] = []
        failure: BaseException | None = None
        offset = 0
        results: list[CommandResult] = []
        try:
            for size in admission_chunks(len(pairs)):
                chunk = pairs[offset : offset + size]
                try:
                    self._intake.publish(self._session.record_commands(capability.value, actor=actor, commands=chunk))
                except BaseException as err:
                    failure = err  # this chunk and the rest are not sent; those sent already are seen through
                    self._give_up([pid for pid, _ in pairs[offset:]], err)
                    break
                offset += size
                for start in range(0, len(chunk), SEND_BATCH):  # each lot's results come back, and are journaled, on their own
                    lot = chunk[start : start + SEND_BATCH]
                    sent.append((lot, asyncio.ensure_future(self._carry_out(channel, lot, capability, single=single))))
                if offset < len(pairs):
                    await _let_it_leave()  # on the wire before the next chunk's journal write holds the loop
            while sent:
                chunk, carrying = sent[0]
                chunk_results = await carrying
                sent.pop(0)
                for (pid, _), result in zip(chunk, chunk_results, strict=True):
                    if result.ok:
                        self._admitted.add(pid)
                try:
                    results += self._finish_all(chunk_results)
                finally:
                    self._settle(chunk, chunk_results)
        except BaseException as err:  # cancelled (the session closing) before every chunk was journaled and sent
            self._give_up([pid for pid, _ in pairs[offset:]], err)  # none of these is left "being admitted"
            raise
        finally:
            for chunk, carrying in sent:  # the journal failed (or we were cancelled): whoever waits still hears
                carrying.add_done_callback(lambda done, chunk=chunk: self._settle_from(chunk, done))
        if failure is not None:
            raise failure
        return results

    async def _carry_out(
        self, channel: ControlChannel, chunk: Sequence[tuple[str, str]], capability: Capability, *, single: bool
    ) -> list[CommandResult]:
        pids, cids = [pid for pid, _ in chunk], [cid for _, cid in chunk]
        try:
            if single:
                return [await channel.admit(pids[0], command_id=cids[0])]
            return await channel.admit_many(pids, command_ids=cids)
        except ZoomhostError as err:
            return [self._failed(cid, capability, pid, err) for pid, cid in chunk]

    def _settle(self, chunk: Sequence[tuple[str, str]], results: Sequence[CommandResult]) -> None:
        for (pid, _), result in zip(chunk, results, strict=True):
            future = self._admitting.pop(pid, None)
            if future is not None and not future.done():
                future.set_result(result)

    def _settle_from(self, chunk: Sequence[tuple[str, str]], done: asyncio.Future[list[CommandResult]]) -> None:
        if done.cancelled():  # (asking a cancelled future for its exception raises)
            self._give_up([pid for pid, _ in chunk], asyncio.CancelledError())
        elif (err := done.exception()) is not None:
            self._give_up([pid for pid, _ in chunk], err)
        else:
            self._settle(chunk, done.result())

    def _give_up(self, participant_ids: Sequence[str], err: BaseException) -> None:
        for pid in participant_ids:  # nothing was sent for these: whoever waits on them hears why
            future = self._admitting.pop(pid, None)
            if future is not None and not future.done():
                future.set_exception(err)
                future.exception()  # retrieved: nobody else may be waiting on it

    # -- the other controls ---------------------------------------------------------------------
    async def hold(self, participant_id: str, *, actor: str = Actor.TEACHER) -> CommandResult:
        """Keep someone waiting (admit-all and the autopilot pass them by), or put them back from the meeting."""
        row = self._session.participant(participant_id)
        if row is not None and row.state is ParticipantState.IN_MEETING:
            return await self.send(
                Capability.PUT_IN_WAITING_ROOM,
                lambda ch, cid: ch.put_in_waiting_room(participant_id, command_id=cid),
                actor=actor,
                participant_id=participant_id,
            )
        if row is None or row.state is not ParticipantState.WAITING:
            return CommandResult("", False, "That person is not in the waiting room or the meeting.", Capability.PUT_IN_WAITING_ROOM, participant_id, how="zoomhost")
        self._intake.publish(self._session.hold(participant_id, actor=actor))
        return CommandResult("", True, "Held in the waiting room: admit-all passes them by.", Capability.PUT_IN_WAITING_ROOM, participant_id, how="zoomhost")

    async def remove(self, participant_id: str, *, actor: str = Actor.TEACHER) -> CommandResult:
        return await self.send(
            Capability.REMOVE, lambda ch, cid: ch.remove(participant_id, command_id=cid), actor=actor, participant_id=participant_id
        )

    async def mute_all(self, *, actor: str = Actor.TEACHER, allow_self_unmute: bool = False) -> CommandResult:
        return await self.send(
            Capability.MUTE_ALL, lambda ch, cid: ch.mute_all(allow_self_unmute=allow_self_unmute, command_id=cid), actor=actor
        )

    async def chat_off(self, *, actor: str = Actor.TEACHER) -> CommandResult:
        return await self.send(Capability.CHAT_OFF, _RESENDS["chat_off"], actor=actor)

    async def stop_share(self, *, actor: str = Actor.TEACHER) -> CommandResult:
        return await self.send(Capability.STOP_SHARE, _RESENDS["stop_share"], actor=actor)

    async def lock_share(self, *, actor: str = Actor.TEACHER) -> CommandResult:
        return await self.send(Capability.LOCK_SHARE, _RESENDS["lock_share"], actor=actor)

    async def rename_off(self, *, actor: str = Actor.SYSTEM) -> CommandResult | None:
        """Switch "Rename Themselves" off in the running meeting (once it is off, not again); journaled both ends."""
        if self.renaming_off:
            return None
        result = await self.send(Capability.RENAME_OFF, lambda ch, cid: ch.allow_rename(False, command_id=cid), actor=actor)
        self.renaming_off = self.renaming_off or result.ok
        return result

    async def lock(self, *, actor: str = Actor.TEACHER) -> CommandResult:
        """Lock: from this moment every arrival is held and flagged, whatever the channel manages to do."""
        self._intake.drain_all()  # whoever was heard before the lock arrived before it
        command_id = new_command_id()
        self._intake.publish(self._session.lock(actor, command_id=command_id))  # one lock: the record joins it to Zoom's answer
        self._on_lock()
        return await self.send(Capability.LOCK, _RESENDS["lock"], actor=actor, command_id=command_id)

    async def unlock(self, *, actor: str = Actor.TEACHER) -> CommandResult:
        return await self.send(Capability.UNLOCK, _RESENDS["unlock"], actor=actor)

    async def end_for_all(self, *, actor: str = Actor.TEACHER) -> CommandResult:
        """End the meeting for everyone; if the channel cannot, through Zoom's API."""

        async def send(channel: ControlChannel, command_id: str) -> CommandResult:
            result = await channel.end_for_all(command_id=command_id)
            if not result.ok and self._end_meeting is not None and result.how != How.REST:
                return await end_over_rest(self._end_meeting, command_id=command_id)
            return result

        return await self.send(Capability.END_FOR_ALL, send, actor=actor)

    async def panic(self) -> CommandResult:
        """End for all at once: Zoom's API (warm token) and the channel in parallel, no queue, no question."""
        command_id = new_command_id()
        channel = self._channels.current
        senders: list[asyncio.Task[CommandResult]] = []
        if self._end_meeting is not None:
            senders.append(asyncio.ensure_future(end_over_rest(self._end_meeting, command_id=command_id)))
        if self._end_meeting is None or self._channels.info(Capability.END_FOR_ALL).how != How.REST:
            senders.append(asyncio.ensure_future(channel.end_for_all(command_id=new_command_id())))
        await asyncio.sleep(0)  # the requests leave before the journal's disk write
        changes = self._note(LiveNote.PANIC, actor=Actor.TEACHER, key=f"panic:{command_id}", command_id=command_id)
        changes += self._session.record_command(Capability.END_FOR_ALL.value, actor=Actor.TEACHER, command_id=command_id)
        self._intake.publish(changes)
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
        result = replace(result, command_id=command_id)
        return self._finish(result)

    def alarm_seen(self, alarm_key: str, *, actor: str = Actor.TEACHER) -> None:
        """The teacher pressed Seen on the alarm journaled under ``alarm_key``: journaled (who, when, which alarm)."""
        self._intake.publish(self._session.record_alarm_seen(alarm_key, actor=actor, at=self._clock()))

    async def confirm_manual_step(self, step: str, *, command_id: str | None = None, actor: str = Actor.TEACHER) -> None:
        """The teacher did ``step`` in the Zoom client; with the command's id, that command counts as done."""
        changes = self._session.record_manual_confirmation(step, actor=actor)
        if command_id is not None and not self._session.command_done(command_id):
            with contextlib.suppress(ValueError):
                changes += self._session.record_result(command_id, True, "Done by hand in Zoom, confirmed by the teacher.")
        self._intake.publish(changes)

    # -- sending and journaling ---------------------------------------------------------------
    async def send(
        self,
        capability: Capability,
        send: Send,
        *,
        actor: str,
        participant_id: str | None = None,
        command_id: str | None = None,
    ) -> CommandResult:
        """Journal the command, ``send`` it over the current channel and journal its result; a known id is not sent again."""
        command_id = command_id or new_command_id()
        if self._session.command_done(command_id):
            return CommandResult(command_id, True, "Already done.", capability, participant_id, how=self._how(capability), replayed=True)
        self._intake.publish(
            self._session.record_command(capability.value, actor=actor, participant_id=participant_id, command_id=command_id)
        )
        try:
            result = await send(self._channels.current, command_id)
        except ZoomhostError as err:
            result = self._failed(command_id, capability, participant_id, err)
        return self._finish(result)

    async def resend(self, name: str, command_id: str) -> None:
        """Send a meeting-wide control (one of ``RESENDABLE``) again under its own command id, and journal the result."""
        try:
            result = await _RESENDS[name](self._channels.current, command_id)
        except ZoomhostError as err:
            result = self._failed(command_id, Capability(name), None, err)
        self._finish(result)

    def _finish(self, result: CommandResult) -> CommandResult:
        return self._finish_all([result])[0]

    def _finish_all(self, results: Sequence[CommandResult]) -> list[CommandResult]:
        """Journal the results (and the Zoom step for each that needs the teacher), all in one transaction each."""
        outcomes = [
            CommandOutcome(r.command_id, r.ok, f"{r.message} ({r.manual_step})" if not r.ok and r.manual_step else r.message)
            for r in results
        ]
        changes = self._session.record_results(outcomes)
        # Zoom may have said it was done while the channel failed to (an admission it reported): no step then.
        manual = [r for r in results if not r.ok and r.manual_step and not self._session.command_done(r.command_id)]
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
        self._intake.publish(changes)
        return list(results)

    @staticmethod
    def _failed(command_id: str, capability: Capability, participant_id: str | None, err: ZoomhostError) -> CommandResult:
        return CommandResult(
            command_id, False, err.user_text(), capability, participant_id, how=How.MANUAL, manual_step=ZOOM_CLIENT_STEPS[capability]
        )

    def _how(self, capability: Capability) -> str:
        return str(self._channels.info(capability).how)
