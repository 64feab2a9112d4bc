"""The opt-in autopilot: consented pupils and staff admitted as they arrive, and nobody else.

It is off until the teacher turns it on (a session picked up after a restart keeps the last
choice its journal shows), and each switch is an ``AUTOPILOT`` note the panel hears. It admits
exactly what admit-all would (``session.admissible_waiting()``), never after the lock, never
while the channel cannot admit, and leaves an admission that keeps failing to the teacher. It
looks again on every published change while it is on, when the assistant comes back, and twice
a second.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Sequence

from zoomhost.core.control import Capability
from zoomhost.core.journal import Actor, JournalEntry, JournalKind
from zoomhost.core.session import LiveSession, SessionChange
from zoomhost.live.channels import Channels
from zoomhost.live.commands import Commands
from zoomhost.live.intake import Intake
from zoomhost.live.lifetime import Lifetime
from zoomhost.live.notes import LiveNote, NoteWriter

_TRIES = 3  # an admission that keeps failing is left to the teacher


class Autopilot:
    """Whether the autopilot is on, and the loop that admits for it."""

    def __init__(
        self,
        *,
        session: LiveSession,
        channels: Channels,
        commands: Commands,
        intake: Intake,
        note: NoteWriter,
        lifetime: Lifetime,
        requested: bool | None,
        journaled: Sequence[JournalEntry],
    ) -> None:
        """``requested``: on or off as the session starts, None for what ``journaled`` (the journal so far) last said."""
        self._session = session
        self._channels = channels
        self._commands = commands
        self._intake = intake
        self._note = note
        self._lifetime = lifetime
        said = [e.detail.get("on") for e in journaled if e.kind is JournalKind.NOTE and e.detail.get("note") == LiveNote.AUTOPILOT]
        self._on = bool(said[-1]) if requested is None and said else bool(requested)
        self._announce = requested is not None and bool(requested) != bool(said[-1] if said else False)
        self._tries: Counter[str] = Counter()
        self._wake = asyncio.Event()

    @property
    def on(self) -> bool:
        return self._on

    def announce(self) -> None:
        """As the session starts: journal the switch when the teacher's choice differs from the journal's last one."""
        if self._announce:
            self._intake.publish(self._switch_note())

    def switch(self, on: bool) -> None:
        """Switch the autopilot; the panel hears it as a change."""
        if bool(on) == self._on:
            return
        self._on = bool(on)
        self._intake.publish(self._switch_note())
        self._wake.set()

    def wake(self) -> None:
        """Look at the waiting room again soon."""
        self._wake.set()

    def saw(self, changes: Sequence[SessionChange]) -> None:
        """Watches every published change: while on, each one is a reason to look again."""
        if self._on:
            self._wake.set()

    async def run(self) -> None:
        while not self._lifetime.closed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.5)
            self._wake.clear()
            if self._on:
                self._step()

    def _step(self) -> None:
        """Admit consented pupils and staff as they arrive; never after the lock, never anyone else."""
        session = self._session
        if session.locked or session.ended or not self._channels.info(Capability.ADMIT).available:
            return
        wanted = [pid for pid in self._commands.not_yet_admitted() if self._tries[pid] < _TRIES]
        if not wanted:
            return
        self._tries.update(wanted)
        self._lifetime.spawn(self._commands.admit_many(wanted, actor=Actor.AUTOPILOT, capability=Capability.ADMIT))

    def _switch_note(self) -> list[SessionChange]:
        message = (
            "Autopilot is on: consented pupils and staff are admitted as they arrive; everyone else waits for you."
            if self._on
            else "Autopilot is off: nobody is admitted without your click."
        )
        return self._note(LiveNote.AUTOPILOT, actor=Actor.TEACHER, on=self._on, message=message)
