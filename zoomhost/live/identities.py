"""Who Zoom says someone is, asked for when Zoom's event stream has not said it.

Where the meeting requires registration, Admit all and the autopilot admit a pupil only through
their own link and a staff member only when signed in, and only Zoom says either. The host assistant
hears names alone. When the stream drops, Zoom replays nothing, so someone the assistant heard during
the gap waits by name alone; and a departure only the assistant saw keeps that family's link counted
as in use. So while anyone has waited a moment with nothing from Zoom about who they are, or such a
departure is unconfirmed, the watch reads the live participant list (once a second at most) and hands
the session what it says: the same events Zoom would have sent, from source ``reconcile``.

What the live list can say is less than the stream: a sign-in (``participant_user_id``, ``email``),
never a registration link. Zoom's Dashboard document: ``registrant_id`` "does not return if the
`type` query parameter is the `live` value". So a signed-in staff member the assistant alone heard
is recognised, but a pupil who came through their family's own link in the gap is not: their link
stays unconfirmed and they wait for the teacher's click (the autopilot and Admit all pass them by),
as anyone does whom zoomhost cannot vouch for. Once the list has listed someone it has said all it
will about them, and they no longer keep the watch reading it (a heavy call on Zoom's side).

From outside: the session, the list (``ZoomClient.live_participants``, asked with a short retry:
the watch asks again a second later anyway), the clock.
Without a Dashboard on the school's plan there is nothing to ask: those arrivals wait for the teacher.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from zoomhost.core.errors import ZoomhostError
from zoomhost.core.events import EventKind, MeetingEvent
from zoomhost.core.session import LiveSession, ParticipantState
from zoomhost.live.intake import Intake
from zoomhost.live.lifetime import Lifetime
from zoomhost.core.zoom_times import zoom_time
from zoomhost.live.pickup import Roster, roster_ids
from zoomhost.zoom.client import LiveParticipant
from zoomhost.zoom.errors import PlanDoesNotAllow

log = logging.getLogger(__name__)

#: How long Zoom's event stream gets to say who someone is before the live list is asked.
GRACE = timedelta(seconds=1)
#: At most one read of the live list this often (it is a heavy call on Zoom's side).
INTERVAL_S = 1.0


class IdentityWatch:
    """Reads Zoom's live participant list while the session waits on who Zoom says someone is."""

    def __init__(
        self,
        *,
        session: LiveSession,
        roster: Roster | None,
        intake: Intake,
        lifetime: Lifetime,
        clock: Callable[[], datetime],
        interval_s: float = INTERVAL_S,
    ) -> None:
        self._session = session
        self._roster = roster
        self._intake = intake
        self._lifetime = lifetime
        self._clock = clock
        self._interval = interval_s
        self._meeting_id = session.journal.info.meeting_id
        self.reads = 0  # live lists read so far
        self._listed: set[str] = set()  # rows the live list has listed: it has said all it can of them

    async def run(self) -> None:
        if self._roster is None:
            return
        while not self._lifetime.closed:
            await asyncio.sleep(self._interval)
            if self._session.ended or not self._session.links_in_use or not self._waiting_on_zoom():
                continue
            try:
                people = await self._roster()
            except PlanDoesNotAllow:
                log.info("no Dashboard on this plan: arrivals heard by name alone wait for the teacher")
                return
            except ZoomhostError as err:
                log.info("the live participant list could not be read (%s); asking again soon", err)
                continue
            self.reads += 1
            self._listed.update(roster_ids(self._session, person)[0] for person in people)
            for event in identity_events(self._session, people, meeting_id=self._meeting_id, taken=self._clock()):
                self._intake.apply_now(event)

    def _waiting_on_zoom(self) -> bool:
        """Someone here a moment with nothing from Zoom about who they are and not yet on the live list,
        or a departure Zoom has not confirmed."""
        before = self._clock() - GRACE
        for row in self._session.arrivals():
            if row.gone_by_assistant and (row.last_change or row.arrived_at) <= before:
                return True
            if row.state in (ParticipantState.WAITING, ParticipantState.IN_MEETING) and not row.identity:
                if row.arrived_at <= before and row.participant_id not in self._listed:
                    return True
        return False


def identity_events(
    session: LiveSession, people: Sequence[LiveParticipant], *, meeting_id: str, taken: datetime
) -> list[MeetingEvent]:
    """What Zoom's live list says that the session lacks: a present participant's sign-in (the list
    has no registration links), and that a departure only the assistant heard is real (its link is
    free again)."""
    events: list[MeetingEvent] = []
    listed: set[str] = set()
    for person in people:
        pid, ids = roster_ids(session, person)
        listed.add(pid)
        row = session.participant(pid)
        if row is None or row.state not in (ParticipantState.WAITING, ParticipantState.IN_MEETING):
            continue  # arrivals and departures are the event stream's and the pick-up's to report
        if not person.identity.adds_to(row.identity):
            continue
        kind = EventKind.WAITING_JOINED if row.state is ParticipantState.WAITING else EventKind.JOINED
        said = person.identity
        events.append(
            MeetingEvent(
                kind=kind,
                meeting_id=meeting_id,
                at=zoom_time(person.join_time) or taken,  # when Zoom says they came: a link's other holder is compared with it
                event_id=f"identity:{meeting_id}:{pid}:{said.registrant_id}:{said.user_id}:{said.email}",
                participant_id=pid,
                display_name=row.display_name,
                source="reconcile",
                extra=ids,
                identity=said,
            )
        )
    for row in session.arrivals():
        if row.gone_by_assistant and row.participant_id not in listed:
            events.append(
                MeetingEvent(
                    kind=EventKind.LEFT,
                    meeting_id=meeting_id,
                    at=taken,
                    event_id=f"identity:{meeting_id}:{row.participant_id}:gone",
                    participant_id=row.participant_id,
                    display_name=row.display_name,
                    source="reconcile",
                )
            )
    return events
