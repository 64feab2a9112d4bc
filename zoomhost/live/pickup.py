"""Picking a session up after zoomhost stopped mid-meeting (a crash, a restart), or after a gap in
Zoom's event stream.

The journal already holds what the teacher saw; Zoom's live participant list (the Dashboard)
says what happened meanwhile. :func:`reconcile_events` turns the difference into events, the
departures as well as the arrivals, applied like any other (and the auto-lock that fell while
zoomhost was away is done in its place among them); with no list to check against (a Pro plan,
a teacher's own sign-in), the session gets one "may have missed" alarm saying when, and why.
Commands sent before the stop and never answered are settled from what Zoom shows now, or marked
unconfirmed; meeting-wide controls among them are sent again once an assistant carries the
commands. A ``RESUMED`` note tells the teacher which of these happened after a restart, and
``CHANNEL`` notes when the event stream was lost and when it came back (and what was found).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from zoomhost.core.errors import ZoomhostError
from zoomhost.core.events import NO_IDENTITY, PARTICIPANT_UUID, EventKind, MeetingEvent, ZoomIdentity
from zoomhost.core.journal import Actor, JournalEntry
from zoomhost.core.zoom_times import zoom_time
from zoomhost.core.session import HEARD_AS, Arrival, CommandOutcome, LiveSession, ParticipantState, SessionNote
from zoomhost.live.channels import Channels
from zoomhost.live.clocks import Clocks
from zoomhost.live.commands import RESENDABLE, Commands
from zoomhost.live.intake import Intake
from zoomhost.live.notes import LiveNote, NoteWriter
from zoomhost.zoom.client import LiveParticipant
from zoomhost.zoom.errors import NotFound

#: Who is in the meeting and its waiting room now (Zoom's Dashboard).
Roster = Callable[[], Awaitable[Sequence[LiveParticipant]]]

_PRESENT = (ParticipantState.WAITING, ParticipantState.IN_MEETING)
_FRESH = timedelta(seconds=2)  # a row changed this recently is newer than any roster snapshot


class Pickup:
    """Whether this session was picked up from an existing journal, and bringing it in line with Zoom."""

    def __init__(
        self,
        *,
        session: LiveSession,
        roster: Roster | None,
        clock: Callable[[], datetime],
        journaled: Sequence[JournalEntry],
        intake: Intake,
        note: NoteWriter,
        clocks: Clocks,
        channels: Channels,
        commands: Commands,
    ) -> None:
        """``journaled``: the session's journal as the controller was built (not empty means picked up)."""
        self._session = session
        self._roster = roster
        self._clock = clock
        self._meeting_id = session.journal.info.meeting_id
        # How pupils are admitted is journaled as the session opens: that alone is not a session to pick up.
        self._resumed = any(e.detail.get("note") != SessionNote.ADMISSION for e in journaled)
        self._intake = intake
        self._note = note
        self._clocks = clocks
        self._channels = channels
        self._commands = commands
        self._resendable: list[tuple[str, str]] = []
        # Each row as the journal left it when this run began: a row still so was last changed by the run
        # that stopped, and no live event about it is on its way (Zoom replays nothing).
        self._as_found = {row.participant_id: row.last_change for row in session.arrivals()}

    @property
    def resumed(self) -> bool:
        return self._resumed

    async def pick_up(self) -> None:
        """After a crash: check the journal's picture against Zoom's roster, then settle unanswered commands."""
        taken = self._clock()
        people: Sequence[LiveParticipant] | None = None
        why = "no live participant list to check against"
        if self._roster is not None:
            try:
                people = await self._roster()
            except NotFound:
                self._intake.apply_now(MeetingEvent(EventKind.ENDED, self._meeting_id, taken, f"reconcile:ended:{self._meeting_id}", source="reconcile"))
                why = "the meeting is no longer running"
            except ZoomhostError as err:
                why = err.user_text()
        if people is None:
            self._intake.apply_now(
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
            events = reconcile_events(self._session, people, meeting_id=self._meeting_id, taken=taken, as_found=self._as_found)
            await self._apply_reconciled(events)
            how, message = "reconciled", f"zoomhost restarted and checked Zoom's participant list ({len(events)} changes)."
        self._settle_unanswered()
        self._intake.publish(self._note(LiveNote.RESUMED, how=how, message=message))
        if self._channels.assistant is not None:
            await self.resend_unanswered()

    async def _apply_reconciled(self, events: Sequence[MeetingEvent]) -> None:
        deadline = self._clocks.lock_deadline
        for event in events:
            if deadline is not None and event.at >= deadline and not self._session.locked:
                await self._commands.lock(actor=Actor.SYSTEM)  # the auto-lock fell while zoomhost was not hearing
            self._intake.apply_now(event)

    # -- gaps in Zoom's event stream --------------------------------------------------------------
    async def stream_changed(self, event: MeetingEvent) -> None:
        """Zoom's event stream was lost (say so once), or is back after a gap (reconcile, or say what may be missing)."""
        if event.kind is EventKind.STREAM_LOST:
            reason = event.extra.get("reason", "")
            self._intake.publish(
                self._note(
                    LiveNote.CHANNEL,
                    key=f"note:{event.event_id}",
                    state="events_lost",
                    channel="zoom-events",
                    message=f"Zoom's event stream dropped at {_clock_time(event.at)}; zoomhost is reconnecting. "
                    "Until it is back, arrivals are heard only through the host assistant, where one is in the meeting."
                    + (f" ({reason})" if reason else ""),
                )
            )
        elif event.kind is EventKind.STREAM_BACK:
            since = zoom_time(event.extra.get("since")) or event.at
            await self.after_gap(since=since, back=event)

    async def after_gap(self, *, since: datetime, back: MeetingEvent) -> None:
        """The event stream is back: who came and went while it was down, from Zoom's roster; or one alarm
        saying that arrivals and departures between ``since`` and now may have been missed, and why."""
        taken = self._clock()
        self._intake.drain_all()
        people: Sequence[LiveParticipant] | None = None
        why = "no live participant list to check against"
        if self._roster is not None:
            try:
                people = await self._roster()
            except NotFound:
                why = "Zoom's participant list says the meeting is not running"
            except ZoomhostError as err:
                why = err.user_text()
        window = f"between {_clock_time(since)} and {_clock_time(taken)}"
        last = back.extra.get("reason", "")
        trouble = f"; the last try: {last.rstrip('.')}" if last else ""
        if people is None:
            self._intake.apply_now(
                MeetingEvent(
                    EventKind.MAY_HAVE_MISSED,
                    self._meeting_id,
                    taken,
                    f"may_have_missed:gap:{self._meeting_id}:{since.isoformat()}",
                    source="reconcile",
                    extra={
                        "reason": why[:300],
                        "message": f"Zoom's event stream was down {window}: arrivals and departures in that time may have "
                        f"been missed, because zoomhost could not check Zoom's participant list ({why[:300]}). "
                        "Check Zoom's Participants list.",
                    },
                )
            )
            found = "zoomhost could not check who came or left meanwhile."
        else:
            events = reconcile_events(self._session, people, meeting_id=self._meeting_id, taken=taken)
            await self._apply_reconciled(events)
            arrived = sum(1 for e in events if e.kind in (EventKind.WAITING_JOINED, EventKind.JOINED))
            left = sum(1 for e in events if e.kind is EventKind.LEFT)
            found = f"Zoom's participant list shows {arrived} arrived and {left} left meanwhile."
        self._intake.publish(
            self._note(
                LiveNote.CHANNEL,
                key=f"note:{back.event_id}",
                state="events_back",
                channel="zoom-events",
                message=f"Zoom's event stream is back (it was down {window}{trouble}). {found}",
            )
        )

    async def resend_unanswered(self) -> None:
        """Send each meeting-wide control left unanswered by a crash again, under its own command id."""
        pending, self._resendable = self._resendable, []
        for name, command_id in pending:
            await self._commands.resend(name, command_id)

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
            if name in RESENDABLE:
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
        self._intake.publish(self._session.record_results(outcomes))


def reconcile_events(
    session: LiveSession,
    people: Iterable[LiveParticipant],
    *,
    meeting_id: str,
    taken: datetime,
    as_found: Mapping[str, datetime | None] | None = None,
) -> list[MeetingEvent]:
    """The events that bring the session in line with Zoom's roster taken at ``taken``, in time order.

    Rows that changed within a moment of ``taken`` are left alone: the live events about them are
    newer than the snapshot. After a restart (``as_found``: each row's last change as the journal left
    it), a row changed last by the run that stopped is not: whatever Zoom did to them meanwhile (an
    admission that run asked for just before it stopped) is heard from the roster or never.
    """
    found = as_found or {}
    events: list[MeetingEvent] = []
    seen: set[str] = set()

    def event(
        kind: EventKind,
        pid: str,
        at: datetime,
        name: str | None,
        stamp: str,
        ids: dict[str, str] | None = None,
        identity: ZoomIdentity = NO_IDENTITY,
    ) -> None:
        events.append(
            MeetingEvent(
                kind=kind,
                meeting_id=meeting_id,
                at=at,
                event_id=f"reconcile:{kind.value}:{meeting_id}:{pid}:{stamp}",
                participant_id=pid,
                display_name=name,
                source="reconcile",
                extra=dict(ids or {}),
                identity=identity,
            )
        )

    def fresh(row: Arrival) -> bool:
        if row.participant_id in found and found[row.participant_id] == row.last_change:
            return False  # as the stopped run left it
        return row.last_change is not None and row.last_change >= taken - _FRESH

    for person in people:
        pid, ids = roster_ids(session, person)
        seen.add(pid)
        waiting = person.in_waiting_room
        row = session.participant(pid)
        if row is None or row.state not in _PRESENT:
            joined = zoom_time(person.join_time) or taken
            kind = EventKind.WAITING_JOINED if waiting else EventKind.JOINED
            event(kind, pid, min(joined, taken), person.display_name, person.join_time or taken.isoformat(), ids, person.identity)
        elif fresh(row):
            continue
        elif row.state is ParticipantState.WAITING and not waiting:
            event(EventKind.ADMITTED, pid, taken, person.display_name, taken.isoformat(), ids, person.identity)
        elif row.state is ParticipantState.IN_MEETING and waiting:
            event(EventKind.PUT_BACK, pid, taken, person.display_name, taken.isoformat(), ids, person.identity)
        elif waiting and person.display_name and person.display_name != row.display_name:
            event(EventKind.WAITING_RENAMED, pid, taken, person.display_name, taken.isoformat(), ids, person.identity)
    for row in session.arrivals():
        if row.state in _PRESENT and row.participant_id not in seen and not fresh(row):
            event(EventKind.LEFT, row.participant_id, taken, row.display_name, taken.isoformat())
    return sorted(events, key=lambda e: e.at)


def _clock_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%H:%M:%S")


def roster_ids(session: LiveSession, person: LiveParticipant) -> tuple[str, dict[str, str]]:
    """The row a person on Zoom's live list is (its user_id may not be the one the row was first heard under:
    matched by participant_uuid), and the ids an event about them carries (``HEARD_AS`` when they differ)."""
    pid = session.match(person.participant_id, person.participant_uuid)
    ids = {PARTICIPANT_UUID: person.participant_uuid} if person.participant_uuid else {}
    if pid != person.participant_id:
        ids[HEARD_AS] = person.participant_id
    return pid, ids
