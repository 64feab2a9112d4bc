"""The live session: who is waiting, who is in, what the host did, and what needs the teacher's eye.

Every change is first written to the session journal and only then applied, and the
state is only ever changed by replaying journal entries (``_fold``). So the state after
a crash, rebuilt by ``LiveSession.resume``, is exactly the state that was on screen,
and the same happening heard twice (from Zoom's event stream and from the host
assistant, or replayed after a reconnect) changes nothing the second time.

Group commit. Events that arrive together (a burst on the event stream, a batch from the
assistant) go in through ``apply_many``, and an admit-all's commands and results through
``record_commands`` / ``record_results``: each item is worked out against the state the
items before it left (folded provisionally, then rolled back), and all their entries are
journaled in ONE fully synced transaction before the state changes and anything is shown.

Late copies. One participant id only moves on: waiting, in the meeting, gone (Zoom gives a
new id to whoever rejoins, and reports a put-back as its own event). Zoom stamps its events
to the whole second by its own clock, the host assistant to the microsecond by ours, so the
slower source's report of a step can carry a later stamp than the faster source's report of
the next one. So a report that would move someone back (in the meeting or gone -> waiting,
gone -> in the meeting, waiting after a put-back -> left the meeting) is a late copy, and is
ignored, when it comes from another source than the report that moved them on and is stamped
less than ``LATE_COPY_SLACK`` after it. From the same source it is news: each source reports
one person's steps in order. The Meeting SDK hears a put-back as a leave and, at once, a new
wait; that pair from one source within the slack is journaled as the put-back it is (held).

Matching a participant. Zoom's ``user_id`` is "assigned when they join", and the waiting room
and the meeting are joined separately, so Zoom's events and its Dashboard may give one person a
new ``user_id`` on admission or a put-back; ``participant_uuid`` stays the same for the whole
meeting. So a row keeps the id it was first heard under, and a report under another id is taken
as that row's when it carries the row's ``participant_uuid`` while the row is still here (a
person who left and comes back is a new arrival, as Zoom makes them one). The account user's id
(``participant_user_id``) and the registrant id are not identities: two devices may share them.
The journal keeps only a digest of the ``participant_uuid``, enough to match after a restart.

Zoom's word on an admission. When Zoom reports someone let in from the waiting room while the last
admit of them has no answer yet, or failed unconfirmed (the host assistant went away mid-command),
that admit is journaled as done (``ADMISSION_SEEN_IN_ZOOM``): the teacher is not sent to check in
Zoom what Zoom has already said, and a later answer from the channel changes nothing.

The assistant's own participant (an id the assistant reported for itself, never a name) is
journaled as a note, and is never classified, alarmed about or counted.

Evidence. An arrival is classified on its name and on who Zoom says it is (the event's
``ZoomIdentity``: a registration link, a sign-in). Only Zoom's event stream carries that; the host
assistant reports names alone. So when the assistant is heard first and Zoom's event with the
identity comes after, the row is classified again (an ``IDENTIFIED`` entry), and the identity
heard once is kept for every later rename. Admit all and the autopilot admit only rows whose
classification says ``admit``. Who is already here (a pupil, a staff member, a registration link)
is counted from the rows, so a second arrival through a link in use, or naming a staff member
already here, is a duplicate. Where one link may join from one device only, Zoom drops the first
device as a second arrives through it, and reports the arrival first; the assistant may hear the
drop before Zoom's event stream says whose link the newcomer used. So a link whose holder only the
assistant saw go stays in use, until Zoom's stream reports that departure too (a ``left_confirmed``
note), for anyone Zoom says arrived before that second: the newcomer is still caught, and a family
coming back through their link after dropping out (a later second) is not.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
import uuid
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from zoomhost.core.classifier import Presence
from zoomhost.core.events import ASSISTANT_SELF, NO_IDENTITY, PARTICIPANT_UUID, EventKind, MeetingEvent, ZoomIdentity
from zoomhost.core.journal import Actor, JournalEntry, JournalKind, SessionJournal, utc_now
from zoomhost.core.models import Classification, Evidence, Verdict, admits

log = logging.getLogger(__name__)

#: The admission check: (display name, who is already here, who Zoom says this is) -> verdict.
#: Who is here is a ``Presence`` (a Collection of the pupil ids here, for a check that needs no more).
Classify = Callable[[str, Collection[int], ZoomIdentity], Classification]

# Commands whose success changes what the session knows (admissions and put-backs are
# reported by Zoom itself, so they are not listed here).
COMMAND_EFFECTS: dict[str, JournalKind] = {
    "mute_all": JournalKind.MUTE_ALL,
    "chat_off": JournalKind.CHAT_OFF,
    "lock_share": JournalKind.SHARE_LOCKED,
    "end_for_all": JournalKind.END,
    "remove": JournalKind.REMOVED,
    "lock": JournalKind.LOCK,
    "unlock": JournalKind.UNLOCK,
}


#: How far apart two sources' stamps of one step can be: Zoom's whole seconds plus the two clocks' skew.
LATE_COPY_SLACK = timedelta(seconds=2)
#: ``MeetingEvent.extra`` and journal detail key: the id a report came under, when it was matched to a
#: row first heard under another id (see "Matching a participant" above).
HEARD_AS = "heard_as"
#: Journal detail key: a digest of the row's ``participant_uuid`` (never the id itself).
UUID_DIGEST = "uuid"


def participant_uuid_digest(participant_uuid: object) -> str | None:
    """What the journal keeps of Zoom's ``participant_uuid``: enough to match it again, not the id."""
    if not isinstance(participant_uuid, str) or not participant_uuid:
        return None
    return hashlib.sha256(f"participant_uuid:{participant_uuid}".encode()).hexdigest()[:24]


class SessionNote(StrEnum):
    """What a ``NOTE`` journal entry written by the session itself is about (``entry.detail["note"]``)."""

    HOST_CHANGED = "host_changed"  # someone became host or co-host, or lost co-host: detail role, event_id, source
    ASSISTANT = "assistant"  # this participant id is the host assistant itself
    ASSISTANT_SEEN = "assistant_seen"  # an event about the assistant's own participant: detail event, event_id, source
    ALARM_SEEN = "alarm_seen"  # the teacher pressed Seen on an alarm: detail alarm (its kind), alarm_key (its entry's key)
    ADMISSION = "admission"  # how Admit all and the autopilot admit pupils: detail links (True: by their own link)
    LEFT_CONFIRMED = "left_confirmed"  # Zoom's stream reports a departure the assistant heard first: its link is free


class ParticipantState(StrEnum):
    WAITING = "waiting"
    IN_MEETING = "in_meeting"
    LEFT_WAITING_ROOM = "left_waiting_room"  # left without being admitted
    LEFT = "left"  # left the meeting
    REMOVED = "removed"


_PRESENT = (ParticipantState.WAITING, ParticipantState.IN_MEETING)
_GONE_STEP = 2  # left the waiting room, left the meeting, removed
_STEP = {ParticipantState.WAITING: 0, ParticipantState.IN_MEETING: 1}
_EVENT_STEP = {EventKind.WAITING_JOINED: 0, EventKind.WAITING_RENAMED: 0, EventKind.ADMITTED: 1, EventKind.JOINED: 1}
_CLASSIFIED = (JournalKind.ARRIVAL, JournalKind.RENAMED, JournalKind.IDENTIFIED)
_LEAVING = (EventKind.LEFT, EventKind.WAITING_LEFT)
_ADMITS = ("admit", "admit_all")  # the commands that let someone in from the waiting room
#: An admit's result when Zoom reported the admission before the channel answered (or instead of it).
ADMISSION_SEEN_IN_ZOOM = "Admitted: Zoom reported it."


class AlarmKind(StrEnum):
    NOT_ALLOWED_IN = "not_allowed_in"  # someone not consented or staff was admitted or joined
    DUPLICATE = "duplicate"
    SUSPICIOUS = "suspicious"
    ARRIVAL_AFTER_LOCK = "arrival_after_lock"
    MAY_HAVE_MISSED = "may_have_missed"


@dataclass(frozen=True, slots=True)
class Alarm:
    """Something the teacher must not miss, in words they can act on."""

    kind: AlarmKind
    at: datetime
    message: str
    participant_id: str | None
    display_name: str | None
    event_key: str

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "at": self.at.isoformat(),
            "message": self.message,
            "participant_id": self.participant_id,
            "display_name": self.display_name,
        }


@dataclass(frozen=True, slots=True)
class Arrival:
    """One participant's latest row in the live panel."""

    participant_id: str
    display_name: str
    arrived_at: datetime
    verdict: Verdict
    pupil_id: int | None
    pupil_label: str | None
    staff_name: str | None
    reasons: tuple[str, ...]
    state: ParticipantState
    held: bool = False
    after_lock: bool = False
    admitted_at: datetime | None = None
    times_admitted: int = 0
    last_change: datetime | None = None
    evidence: Evidence = Evidence.NAME  # what the verdict rests on: own link, signed in, or the typed name
    admit: bool = False  # Admit all and the autopilot may admit this row (``models.admits``)
    staff_id: int | None = None
    identity: ZoomIdentity = NO_IDENTITY  # what Zoom said of who this is, as far as it is kept
    gone_by_assistant: bool = False  # left, as only the assistant has said so far: the link is still in use

    @property
    def link_label(self) -> str | None:
        """Whose link this came through (first name and initial), for an arrival through a family's own link."""
        if self.evidence is not Evidence.LINK or not self.pupil_label:
            return None
        label = self.pupil_label
        return label[: label.rfind(" (")] if label.endswith(")") and " (" in label else label

    def as_dict(self) -> dict[str, object]:
        return {
            "participant_id": self.participant_id,
            "display_name": self.display_name,
            "arrived_at": self.arrived_at.isoformat(),
            "verdict": self.verdict.value,
            "pupil_id": self.pupil_id,
            "pupil_label": self.pupil_label,
            "staff_name": self.staff_name,
            "reasons": list(self.reasons),
            "state": self.state.value,
            "held": self.held,
            "after_lock": self.after_lock,
            "admitted_at": self.admitted_at.isoformat() if self.admitted_at else None,
            "times_admitted": self.times_admitted,
            "last_change": self.last_change.isoformat() if self.last_change else None,
            "evidence": self.evidence.value,
            "admit": self.admit,
            "staff_id": self.staff_id,
            "identity": self.identity.as_dict(),
        }


@dataclass(frozen=True, slots=True)
class SessionChange:
    """What one journaled entry changed: the entry, the participant's new row, the alarm raised."""

    entry: JournalEntry
    participant: Arrival | None = None
    alarm: Alarm | None = None

    @property
    def kind(self) -> JournalKind:
        return self.entry.kind


@dataclass(frozen=True, slots=True)
class SessionCounts:
    waiting: int  # in the waiting room and not held
    held: int  # in the waiting room, held (by the host, or arrived after the lock)
    admitted: int  # in the meeting now
    left: int  # left the waiting room or the meeting, or removed
    consented_not_arrived: int


@dataclass(frozen=True, slots=True)
class _Command:
    """A journaled command; replaced, never changed in place, so a state checkpoint can share it."""

    name: str
    actor: str
    participant_id: str | None
    at: datetime | None = None  # when it was journaled, before it was sent
    ok: bool | None = None
    failures: int = 0
    message: str = ""


@dataclass
class _State:
    people: dict[str, Arrival] = field(default_factory=dict)
    seen_events: set[str] = field(default_factory=set)
    alarms: list[Alarm] = field(default_factory=list)
    commands: dict[str, _Command] = field(default_factory=dict)
    controls: set[str] = field(default_factory=set)
    confirmations: list[tuple[str, str]] = field(default_factory=list)
    locked: bool = False
    ended: bool = False
    ended_by_zoom: bool = False
    started_at: datetime | None = None
    stream_gaps: int = 0
    assistant_ids: set[str] = field(default_factory=set)  # the host assistant's own participant ids
    last_source: dict[str, str] = field(default_factory=dict)  # who reported each participant's last step
    last_kind: dict[str, JournalKind] = field(default_factory=dict)  # and what that step was
    present: Counter[tuple[str, object]] = field(default_factory=Counter)  # ``_claims`` of every row -> how many
    links_in_use: bool | None = None  # the last ADMISSION note: pupils are admitted by their own link
    staff_only: bool = False  # the last ADMISSION note: a meeting of staff only (``core.profiles``)
    uuids: dict[str, str] = field(default_factory=dict)  # participant_uuid digest -> the row last heard with it
    aliases: dict[str, str] = field(default_factory=dict)  # another id a row was reported under -> the row's id

    def set_row(self, pid: str, row: Arrival | None) -> Arrival | None:
        """Put (or, with None, drop) a participant's row, keeping ``present`` in step; returns the old row."""
        old = self.people.pop(pid, None) if row is None else self.people.get(pid)
        if row is not None:
            self.people[pid] = row
        before, after = (_claims(old) if old else ()), (_claims(row) if row else ())
        if before != after:
            for key in before:
                self.present[key] -= 1
                if self.present[key] <= 0:
                    del self.present[key]
            for key in after:
                self.present[key] += 1
        return old

    def checkpoint(self) -> _State:
        """A copy that later folds leave alone (the values inside are immutable, the containers are copied)."""
        return replace(
            self,
            people=dict(self.people),
            seen_events=set(self.seen_events),
            alarms=list(self.alarms),
            commands=dict(self.commands),
            controls=set(self.controls),
            confirmations=list(self.confirmations),
            assistant_ids=set(self.assistant_ids),
            last_source=dict(self.last_source),
            last_kind=dict(self.last_kind),
            present=Counter(self.present),
            uuids=dict(self.uuids),
            aliases=dict(self.aliases),
        )


@dataclass(frozen=True, slots=True)
class CommandOutcome:
    """How one command went, for ``LiveSession.record_results``."""

    command_id: str
    ok: bool
    message: str = ""


class LiveSession:
    """The state of one live meeting, kept in step with its journal."""

    def __init__(
        self,
        *,
        journal: SessionJournal,
        classify: Classify,
        expected_pupils: int = 0,
        clock: Callable[[], datetime] = utc_now,
        assistant_ids: Collection[str] = (),
        links_in_use: bool | None = None,
        staff_only: bool = False,
    ) -> None:
        """``assistant_ids``: participant ids the host assistant reported as its own (journaled here).
        ``links_in_use``: the meeting requires registration, so pupils are admitted automatically only
        through their own link (journaled when it differs from what the journal last said).
        ``staff_only``: the meeting is held to the staff-meeting profile (nobody is judged against the
        pupil register), journaled with ``links_in_use``."""
        self._journal = journal
        self._classify = classify
        self._expected = expected_pupils
        self._clock = clock
        self._state = _State()
        for entry in journal.entries():
            self._fold(entry)
        for participant_id in assistant_ids:
            self.record_assistant_participant(participant_id)
        if links_in_use is not None and (
            self._state.links_in_use is not bool(links_in_use) or self._state.staff_only is not bool(staff_only)
        ):
            detail: dict[str, object] = {"note": SessionNote.ADMISSION.value, "links": bool(links_in_use)}
            if staff_only:
                detail["staff_only"] = True
            self._commit(
                [
                    JournalEntry(
                        at=self._clock(),
                        kind=JournalKind.NOTE,
                        event_key=f"admission:{uuid.uuid4().hex}",
                        actor=Actor.SYSTEM,
                        detail=detail,
                    )
                ]
            )

    @classmethod
    def resume(
        cls,
        *,
        journal: SessionJournal,
        classify: Classify,
        expected_pupils: int = 0,
        clock: Callable[[], datetime] = utc_now,
        assistant_ids: Collection[str] = (),
        links_in_use: bool | None = None,
        staff_only: bool = False,
    ) -> LiveSession:
        """The session exactly as it was, rebuilt from its journal (after a crash or a restart)."""
        return cls(
            journal=journal,
            classify=classify,
            expected_pupils=expected_pupils,
            clock=clock,
            assistant_ids=assistant_ids,
            links_in_use=links_in_use,
            staff_only=staff_only,
        )

    # -- meeting events ------------------------------------------------------------------

    def apply(self, event: MeetingEvent) -> list[SessionChange]:
        """Take in one meeting event; returns what changed (nothing for a repeat or a stale event)."""
        return self._commit(self._event_entries(event))

    def apply_many(self, events: Iterable[MeetingEvent]) -> list[SessionChange]:
        """Take in events that arrived together, in order, journaled in one transaction; returns what changed.

        The same as ``apply`` on each in turn, except that a failed write leaves all of them out.
        """
        return self._commit_together([lambda event=event: self._event_entries(event) for event in events])

    def match(self, participant_id: str, participant_uuid: str | None = None) -> str:
        """The id of the row a report about ``participant_id`` (with Zoom's ``participant_uuid``) is about:
        its own id when known or new, else the row still here that was heard with that ``participant_uuid``."""
        state = self._state
        if participant_id in state.people or participant_id in state.assistant_ids:
            return participant_id
        owner = state.aliases.get(participant_id)
        if owner is not None:
            return owner
        digest = participant_uuid_digest(participant_uuid)
        candidate = state.uuids.get(digest) if digest else None
        if candidate is not None and candidate in state.assistant_ids:
            return candidate  # the host assistant itself, under the new id Zoom gave it (on admission)
        row = state.people.get(candidate) if candidate else None
        if row is not None and row.state in _PRESENT:
            return row.participant_id
        return participant_id

    def _matched(self, event: MeetingEvent) -> MeetingEvent:
        """``event`` about the row it concerns (see ``match``), saying which id it came under."""
        if not event.participant_id:
            return event
        owner = self.match(event.participant_id, event.extra.get(PARTICIPANT_UUID))
        if owner == event.participant_id:
            return event
        return replace(event, participant_id=owner, extra={**event.extra, HEARD_AS: event.participant_id})

    def _event_entries(self, event: MeetingEvent) -> list[JournalEntry]:
        """What one event adds to the journal, against the state as it is now."""
        if event.event_id in self._state.seen_events:
            return []
        if event.source == "assistant" and event.extra.get(ASSISTANT_SELF) == "true" and event.participant_id:
            return self._assistant_entries(event)  # its own word about its own id: never matched to another
        event = self._matched(event)
        if event.kind is EventKind.STARTED:
            if self._has_started_entry:
                return []
            return [self._event_entry(JournalKind.SESSION_STARTED, event)]
        if event.kind is EventKind.ENDED:
            if self._state.ended_by_zoom:
                return []
            return [self._event_entry(JournalKind.SESSION_ENDED, event)]
        if event.kind is EventKind.MAY_HAVE_MISSED:
            gap = self._event_entry(JournalKind.STREAM_GAP, event)
            # The source may say what exactly may have been missed (when the stream was down, and why).
            message = str(event.extra.get("message") or "") or None
            return [gap, self._alarm_entry(gap, AlarmKind.MAY_HAVE_MISSED, None, message=message)]
        if event.kind is EventKind.HOST_CHANGED:
            # Who is host or co-host belongs in a safeguarding record, but nobody arrived.
            return [self._event_note(SessionNote.HOST_CHANGED, event, role=event.extra.get("role", ""))]
        if not event.participant_id:
            log.warning("ignored a %s event without a participant id", event.kind)
            return []
        pid = event.participant_id
        if pid in self._state.assistant_ids:
            return [self._event_note(SessionNote.ASSISTANT_SEEN, event, event=event.kind.value)]
        row = self._state.people.get(pid)
        if row is not None and row.gone_by_assistant and event.kind in _LEAVING and event.source != "assistant":
            return [self._event_note(SessionNote.LEFT_CONFIRMED, event)]
        if row is not None and self._late_copy(event, row):
            # Zoom's stamp (whole seconds) can be older than the assistant's report of the same step:
            # a late copy still says who someone is.
            if row.state in _PRESENT and event.kind not in _LEAVING:
                return self._identified(event, row)
            return []
        return self._participant_entries(event, row)

    def _assistant_entries(self, event: MeetingEvent) -> list[JournalEntry]:
        """The host assistant says this participant (and, with its ``participant_uuid``, whatever id Zoom's
        events give it) is itself: journaled once, then each such event is only seen."""
        pid = str(event.participant_id)
        digest = participant_uuid_digest(event.extra.get(PARTICIPANT_UUID))
        known = pid in self._state.assistant_ids and (digest is None or self._state.uuids.get(digest) == pid)
        entries = [] if known else [self._assistant_entry(pid, at=event.at, uuid_digest=digest)]
        return [*entries, self._event_note(SessionNote.ASSISTANT_SEEN, event, event=event.kind.value)]

    def _late_copy(self, event: MeetingEvent, row: Arrival) -> bool:
        """An event older than what we know (a replay), or another source's late report of a step
        this participant has already moved on from (the rule is in the module's docstring)."""
        last = row.last_change
        if last is None:
            return False
        if event.at < last:
            return True
        if event.at >= last + LATE_COPY_SLACK or event.source == self._state.last_source.get(row.participant_id):
            return False
        step = _EVENT_STEP.get(event.kind)
        if step is not None:
            return step < _STEP.get(row.state, _GONE_STEP)
        # "Left the meeting" for someone just put back: the other source's view of the same put-back.
        return event.kind is EventKind.LEFT and self._state.last_kind.get(row.participant_id) is JournalKind.PUT_BACK

    def _participant_entries(self, event: MeetingEvent, row: Arrival | None) -> list[JournalEntry]:
        kind = event.kind
        state = row.state if row else None
        if kind in (EventKind.WAITING_JOINED, EventKind.WAITING_RENAMED) and row and self._put_back_as_heard(event, row):
            # The Meeting SDK hears a put-back as a leave and, at once, a new wait: held, as Zoom's put-back is.
            put_back = self._event_entry(JournalKind.PUT_BACK, event, row)
            if event.display_name and event.display_name != row.display_name:
                return [put_back, *self._classified(JournalKind.RENAMED, event, _next_row(row, put_back), key_suffix=":renamed")]
            return [put_back]
        if kind is EventKind.WAITING_JOINED:
            if state is ParticipantState.WAITING:
                if row and event.display_name and event.display_name != row.display_name:
                    return self._classified(JournalKind.RENAMED, event, row)
                return self._identified(event, row)  # the same arrival heard again, perhaps now with who it is
            return self._classified(JournalKind.ARRIVAL, event, row)
        if kind is EventKind.WAITING_RENAMED:
            if row is None or state not in _PRESENT:
                return self._classified(JournalKind.ARRIVAL, event, row)
            if state is ParticipantState.WAITING and event.display_name and event.display_name != row.display_name:
                return self._classified(JournalKind.RENAMED, event, row)
            return self._identified(event, row)
        if kind is EventKind.WAITING_LEFT:
            if state is ParticipantState.WAITING:
                return self._left(JournalKind.LEFT_WAITING_ROOM, event, row)
            return []
        if kind in (EventKind.ADMITTED, EventKind.JOINED):
            if state is ParticipantState.IN_MEETING:
                # "joined" that follows "admitted", or the same admission heard twice (perhaps now with who it is)
                return self._identified(event, row)
            journal_kind = JournalKind.ADMITTED if kind is EventKind.ADMITTED else JournalKind.JOINED
            entries: list[JournalEntry] = []
            if state is not ParticipantState.WAITING:
                # We never saw this person wait (missed event, or no waiting room): classify now.
                entries = self._classified(JournalKind.ARRIVAL, event, row, key_suffix=":arrival", direct=True)
                row = self._preview(row, entries[0])
            elif row is not None and event.identity.adds_to(row.identity):
                # Heard by name alone while waiting; Zoom says who it was as they come in: checked with it.
                entries = self._classified(JournalKind.IDENTIFIED, event, row, key_suffix=":identified")
                row = self._preview(row, entries[0])
            entry = self._event_entry(journal_kind, event, row)
            entries.append(entry)
            if state is ParticipantState.WAITING:
                entries += self._admission_confirmed(event, _next_row(row, entry) if row else None)
            if row is not None and not row.verdict.admissible:
                entries.append(self._alarm_entry(entry, AlarmKind.NOT_ALLOWED_IN, row))
            return entries
        if kind is EventKind.PUT_BACK:
            if state is ParticipantState.IN_MEETING:
                return [self._event_entry(JournalKind.PUT_BACK, event, row)]
            return []
        if kind is EventKind.LEFT:
            if state is ParticipantState.IN_MEETING:
                return self._left(JournalKind.LEFT, event, row)
            if state is ParticipantState.WAITING:
                return self._left(JournalKind.LEFT_WAITING_ROOM, event, row)
            return []
        log.warning("ignored an event of kind %s", kind)
        return []

    def _admission_confirmed(self, event: MeetingEvent, row: Arrival | None) -> list[JournalEntry]:
        """Zoom says someone waiting was let in while the last admit of them had no answer, or a failure
        (the host assistant went away before confirming it): Zoom's word is the answer, so that admit is
        done, not a step for the teacher to check."""
        pid = event.participant_id
        for command_id, command in reversed(self._state.commands.items()):
            if command.participant_id != pid or command.name not in _ADMITS:
                continue
            if command.ok or (command.at is not None and command.at > event.at + LATE_COPY_SLACK):
                return []
            detail = {"command_id": command_id, "name": command.name, "ok": True, "message": ADMISSION_SEEN_IN_ZOOM}
            return [
                self._action_entry(
                    JournalKind.COMMAND_RESULT,
                    actor=command.actor,
                    row=row,
                    participant_id=pid,
                    key=f"result:{command_id}:ok",
                    detail=detail,
                )
            ]
        return []

    def _link_released(self, who: ZoomIdentity, event: MeetingEvent) -> tuple[tuple[str, object], ...]:
        """The arrival's registration link, when a device that came through it left no earlier than this
        arrival: the link was still in use when they arrived. Zoom pushes the first device out as a second
        arrives through one link, and its events may come late or out of order, so the departure can be heard
        before the arrival that caused it; and a departure only the assistant has reported (stamped to the
        millisecond, where Zoom stamps the arrival to the second) is that first device too."""
        link = who.registrant_id
        if not link:
            return ()
        for row in self._state.people.values():
            if (
                row.state not in _PRESENT
                and row.identity.registrant_id == link
                and row.participant_id != event.participant_id
                and row.last_change is not None
                and row.last_change >= event.at
            ):
                return (("link", link),)
        return ()

    def _identified(self, event: MeetingEvent, row: Arrival | None) -> list[JournalEntry]:
        """Zoom says who a participant is that we had heard by name alone: classified again, with it."""
        if row is None or not event.identity.adds_to(row.identity):
            return []
        return self._classified(JournalKind.IDENTIFIED, event, row, key_suffix=":identified")

    def _put_back_as_heard(self, event: MeetingEvent, row: Arrival) -> bool:
        """Back in the waiting room within the slack of leaving the meeting, by the same source's word."""
        pid = row.participant_id
        return (
            row.state is ParticipantState.LEFT
            and self._state.last_kind.get(pid) is JournalKind.LEFT
            and self._state.last_source.get(pid) == event.source
            and row.last_change is not None
            and event.at < row.last_change + LATE_COPY_SLACK
        )

    def _left(self, kind: JournalKind, event: MeetingEvent, row: Arrival | None) -> list[JournalEntry]:
        """A leave; with a remove of this participant still unanswered, the leave is that remove's doing."""
        entry = self._event_entry(kind, event, row)
        pending = self._pending_remove(event.participant_id, at=event.at)
        if pending is None or row is None:
            return [entry]
        command_id, command = pending
        return [entry, self._removal_entry(command_id, command, _next_row(row, entry), at=event.at)]

    def _pending_remove(self, participant_id: str | None, *, at: datetime) -> tuple[str, _Command] | None:
        for command_id, command in self._state.commands.items():
            if (
                command.name == "remove"
                and command.participant_id == participant_id
                and command.ok is None
                and (command.at is None or command.at <= at + LATE_COPY_SLACK)
            ):
                return command_id, command
        return None

    def _removal_entry(self, command_id: str, command: _Command, row: Arrival | None, *, at: datetime) -> JournalEntry:
        """The REMOVED effect of a remove; one key whichever came first, Zoom's leave or the command's result."""
        return replace(
            self._action_entry(
                JournalKind.REMOVED,
                actor=command.actor,
                row=row,
                participant_id=command.participant_id,
                key=f"result:{command_id}:effect",
                detail={"command_id": command_id},
            ),
            at=at,
        )

    def _classified(
        self,
        kind: JournalKind,
        event: MeetingEvent,
        row: Arrival | None,
        *,
        key_suffix: str = "",
        direct: bool = False,
    ) -> list[JournalEntry]:
        """An arrival or rename with its verdict, plus the alarms that verdict raises."""
        name = (event.display_name if kind is not JournalKind.IDENTIFIED else None) or (row.display_name if row else "") or ""
        who = event.identity.merged(row.identity) if row is not None else event.identity
        # Who is already here: everyone in the meeting, and those waiting as that pupil or staff member
        # (not those already flagged, or one impostor waiting would make the real pupil a "duplicate"
        # too), and every registration link in use, less this participant's own row.
        own = self._state.people.get(event.participant_id or "")
        present = _Present(self._state, _claims(own) if own is not None else (), also=self._link_released(who, event))
        try:
            result = self._classify(name, present, who)
        except Exception as err:  # noqa: BLE001 - a live meeting must go on; the arrival is simply not admissible
            # The error's own words may quote the name: the log gets what failed and where, never who.
            where = traceback.extract_tb(err.__traceback__)[-1] if err.__traceback__ else None
            log.error(
                "the admission check failed for arrival %s (%s at %s:%s)",
                event.event_id,
                type(err).__name__,
                where.filename.rsplit("/", 1)[-1] if where else "?",
                where.lineno if where else "?",
            )
            result = Classification(Verdict.SUSPICIOUS, reasons=("zoomhost could not check this name",))
        after_lock = (row.after_lock if kind is not JournalKind.ARRIVAL and row else False) or (
            self._state.locked and kind is JournalKind.ARRIVAL
        )
        detail: dict[str, Any] = {
            "event_id": event.event_id,
            "source": event.source,
            "reasons": list(result.reasons),
            "after_lock": after_lock,
            "evidence": result.evidence.value,
            "admit": bool(result.admit),
            **_ids(event),
        }
        kept = _kept(who, result.evidence)
        if kept:
            detail["identity"] = kept.as_dict()
        if result.verdict is Verdict.DUPLICATE and who.registrant_id and present.link_here(who.registrant_id):
            detail["link_in_use"] = True
        if result.pupil is not None:
            detail["pupil"] = {
                "first_name": result.pupil.known_as,
                "surname_initial": result.pupil.surname_initial,
                "class": result.pupil.class_label,
            }
        if result.staff is not None:
            detail["staff"] = {"id": result.staff.id, "name": result.staff.name}
        if direct:
            detail["direct"] = True
        entry = JournalEntry(
            at=event.at,
            kind=kind,
            event_key=f"event:{event.event_id}{key_suffix}",
            participant_id=event.participant_id,
            display_name=name,
            verdict=result.verdict.value,
            pupil_id=result.pupil.id if result.pupil else None,
            pupil_label=result.pupil.label() if result.pupil else None,
            actor=Actor.ZOOM,
            detail=detail,
        )
        entries = [entry]
        preview = self._preview(row, entry)
        # Zoom saying who someone is raises an alarm only where it changes the verdict: the same
        # incident heard from the assistant first is not a second one.
        again = kind is JournalKind.IDENTIFIED and row is not None and row.verdict is result.verdict
        if result.verdict is Verdict.DUPLICATE and not again:
            entries.append(self._alarm_entry(entry, AlarmKind.DUPLICATE, preview))
        if result.verdict is Verdict.SUSPICIOUS and not again:
            entries.append(self._alarm_entry(entry, AlarmKind.SUSPICIOUS, preview))
        if after_lock and kind is JournalKind.ARRIVAL:
            entries.append(self._alarm_entry(entry, AlarmKind.ARRIVAL_AFTER_LOCK, preview))
        return entries

    def _event_entry(self, kind: JournalKind, event: MeetingEvent, row: Arrival | None = None) -> JournalEntry:
        return JournalEntry(
            at=event.at,
            kind=kind,
            event_key=f"event:{event.event_id}",
            participant_id=event.participant_id,
            display_name=row.display_name if row else event.display_name,
            verdict=row.verdict.value if row else None,
            pupil_id=row.pupil_id if row else None,
            pupil_label=row.pupil_label if row else None,
            actor=Actor.ZOOM,
            detail={"event_id": event.event_id, "source": event.source, **_ids(event)},
        )

    def _event_note(self, note: SessionNote, event: MeetingEvent, /, **detail: str) -> JournalEntry:
        return JournalEntry(
            at=event.at,
            kind=JournalKind.NOTE,
            event_key=f"event:{event.event_id}",
            participant_id=event.participant_id,
            display_name=event.display_name,
            actor=Actor.ZOOM,
            detail={"note": note.value, "event_id": event.event_id, "source": event.source, **detail},
        )

    def _assistant_entry(self, participant_id: str, *, at: datetime | None = None, uuid_digest: str | None = None) -> JournalEntry:
        """``participant_id`` is the host assistant; with its ``participant_uuid``'s digest, so is whatever new
        id Zoom's event stream gives it later (on admission)."""
        return JournalEntry(
            at=at or self._clock(),
            kind=JournalKind.NOTE,
            event_key=f"assistant:{participant_id}" + (f":{uuid_digest}" if uuid_digest else ""),
            participant_id=participant_id,
            actor=Actor.ASSISTANT,
            detail={"note": SessionNote.ASSISTANT.value, **({UUID_DIGEST: uuid_digest} if uuid_digest else {})},
        )

    def _alarm_entry(self, cause: JournalEntry, kind: AlarmKind, row: Arrival | None, *, message: str | None = None) -> JournalEntry:
        return JournalEntry(
            at=cause.at,
            kind=JournalKind.ALARM,
            event_key=f"{cause.event_key}:alarm:{kind.value}",
            participant_id=cause.participant_id,
            display_name=row.display_name if row else None,
            verdict=row.verdict.value if row else None,
            pupil_id=row.pupil_id if row else None,
            pupil_label=row.pupil_label if row else None,
            actor=Actor.SYSTEM,
            detail={"alarm": kind.value, "message": message[:600] if message else _alarm_message(kind, row)},  # the name whole: the panel shortens it
        )

    # -- the host's actions --------------------------------------------------------------

    def lock(self, actor: str = Actor.SYSTEM, *, command_id: str | None = None) -> list[SessionChange]:
        """From now on every arrival is held and flagged, and never admitted by admit-all.

        ``command_id``: the lock command sent to Zoom for it, so the record shows one lock with Zoom's answer."""
        if self._state.locked:
            return []
        detail = {"command_id": command_id} if command_id else None
        return self._commit([self._action_entry(JournalKind.LOCK, actor=actor, detail=detail)])

    def unlock(self, actor: str = Actor.SYSTEM) -> list[SessionChange]:
        if not self._state.locked:
            return []
        return self._commit([self._action_entry(JournalKind.UNLOCK, actor=actor)])

    def hold(self, participant_id: str, *, actor: str) -> list[SessionChange]:
        """Keep someone in the waiting room: admit-all passes them by until the teacher admits them."""
        row = self._state.people.get(participant_id)
        if row is None or row.state is not ParticipantState.WAITING or row.held:
            return []
        return self._commit([self._action_entry(JournalKind.HELD, actor=actor, row=row)])

    def record_command(
        self, name: str, *, actor: str, participant_id: str | None = None, command_id: str
    ) -> list[SessionChange]:
        """Journal a command before it is sent; nothing new (an empty list) when it is a retry."""
        return self.record_commands(name, actor=actor, commands=[(participant_id, command_id)])

    def record_commands(
        self, name: str, *, actor: str, commands: Iterable[tuple[str | None, str]]
    ) -> list[SessionChange]:
        """Journal several commands of one kind before they are sent (``commands``: participant id, command id
        pairs), in one transaction; retries (command ids already journaled) are left out."""
        entries: list[JournalEntry] = []
        taken: set[str] = set()
        for participant_id, command_id in commands:
            if command_id in self._state.commands or command_id in taken:
                continue
            taken.add(command_id)
            row = self._state.people.get(participant_id) if participant_id else None
            entries.append(
                self._action_entry(
                    JournalKind.COMMAND,
                    actor=actor,
                    row=row,
                    participant_id=participant_id,
                    key=f"command:{command_id}",
                    detail={"command_id": command_id, "name": name},
                )
            )
        return self._commit(entries)

    def record_result(self, command_id: str, ok: bool, message: str = "") -> list[SessionChange]:
        """Journal how a command went; a success also records its effect (muted, removed, ended …)."""
        return self._commit(self._result_entries(command_id, ok, message))

    def record_results(self, outcomes: Iterable[CommandOutcome]) -> list[SessionChange]:
        """``record_result`` for each of several commands that finished together, in one transaction."""
        return self._commit_together(
            [lambda o=outcome: self._result_entries(o.command_id, o.ok, o.message) for outcome in outcomes]
        )

    def _result_entries(self, command_id: str, ok: bool, message: str) -> list[JournalEntry]:
        command = self._state.commands.get(command_id)
        if command is None:
            raise ValueError(f"no command {command_id!r} was recorded before its result")
        if command.ok:
            return []
        row = self._state.people.get(command.participant_id) if command.participant_id else None
        key = f"result:{command_id}:ok" if ok else f"result:{command_id}:failed:{command.failures}"
        detail = {"command_id": command_id, "name": command.name, "ok": bool(ok), "message": message}
        entries = [
            self._action_entry(
                JournalKind.COMMAND_RESULT,
                actor=command.actor,
                row=row,
                participant_id=command.participant_id,
                key=key,
                detail=detail,
            )
        ]
        effect = COMMAND_EFFECTS.get(command.name)
        if ok and effect is JournalKind.REMOVED:
            if self._removal_is_news(command, row):
                entries.append(self._removal_entry(command_id, command, row, at=self._clock()))
        elif ok and effect is not None and self._effect_is_news(effect):
            entries.append(
                self._action_entry(
                    effect,
                    actor=command.actor,
                    row=row,
                    participant_id=command.participant_id,
                    key=f"result:{command_id}:effect",
                    detail={"command_id": command_id},
                )
            )
        return entries

    def command_done(self, command_id: str) -> bool:
        """True once the command has succeeded: a retry must not send it again."""
        command = self._state.commands.get(command_id)
        return bool(command and command.ok)

    def record_manual_confirmation(self, step: str, *, actor: str) -> list[SessionChange]:
        """The teacher says they did a step in the Zoom client that zoomhost cannot do itself."""
        return self._commit([self._action_entry(JournalKind.MANUAL_STEP_CONFIRMED, actor=actor, detail={"step": step})])

    def record_note(
        self,
        note: str,
        *,
        actor: str = Actor.SYSTEM,
        detail: Mapping[str, Any] | None = None,
        key: str | None = None,
        at: datetime | None = None,
    ) -> list[SessionChange]:
        """Journal something that is not about a participant (the channel fell back, a timer warned …).

        ``note`` goes into ``detail["note"]``; ``key`` makes the note once-only (journal key ``note:<key>``).
        Nothing is returned when a note with that key is already in the journal.
        """
        return self.record_notes(note, actor=actor, notes=[(key, detail or {})], at=at)

    def record_notes(
        self,
        note: str,
        *,
        actor: str = Actor.SYSTEM,
        notes: Iterable[tuple[str | None, Mapping[str, Any]]],
        at: datetime | None = None,
    ) -> list[SessionChange]:
        """``record_note`` for several notes of one kind (``notes``: key, detail pairs), in one transaction."""
        if note in SessionNote.__members__.values():
            raise ValueError(f"the session writes {note!r} notes itself")
        when = at or self._clock()
        entries = [
            JournalEntry(
                at=when,
                kind=JournalKind.NOTE,
                event_key=f"note:{key or uuid.uuid4().hex}",
                actor=actor,
                detail={**dict(detail), "note": str(note)},
            )
            for key, detail in notes
        ]
        return self._commit(entries)

    def record_alarm_seen(self, alarm_key: str, *, actor: str = Actor.TEACHER, at: datetime | None = None) -> list[SessionChange]:
        """The teacher marked the alarm journaled under ``alarm_key`` as seen (once: a second press adds nothing).

        The entry names the alarm's kind and person (its participant id, never the name again)."""
        alarm = next((a for a in self._state.alarms if a.event_key == alarm_key), None)
        if alarm is None:
            raise ValueError(f"no alarm {alarm_key!r} in this session")
        entry = JournalEntry(
            at=at or self._clock(),
            kind=JournalKind.NOTE,
            event_key=f"seen:{alarm_key}",
            participant_id=alarm.participant_id,
            actor=Actor(actor).value,
            detail={"note": SessionNote.ALARM_SEEN.value, "alarm": alarm.kind.value, "alarm_key": alarm_key},
        )
        return self._commit([entry])

    def record_assistant_participant(self, participant_id: str, *, at: datetime | None = None) -> list[SessionChange]:
        """The host assistant says ``participant_id`` is itself: never classified, alarmed about or counted.

        Only ever call this with an id the assistant reported for itself (the SDK's own user): its
        display name proves nothing, anyone can call themselves "Safeguarding assistant". A row
        already shown for that id is dropped, with the alarms it raised.
        """
        if not participant_id or participant_id in self._state.assistant_ids:
            return []
        return self._commit([self._assistant_entry(participant_id, at=at)])

    @property
    def assistant_ids(self) -> frozenset[str]:
        """The participant ids that are the host assistant itself."""
        return frozenset(self._state.assistant_ids)

    def _removal_is_news(self, command: _Command, row: Arrival | None) -> bool:
        """Still here, or gone since the remove was sent (Zoom's leave came before the result)."""
        if row is None or row.state is ParticipantState.REMOVED:
            return False
        if row.state in _PRESENT:
            return True
        return command.at is None or row.last_change is None or row.last_change >= command.at - LATE_COPY_SLACK

    def _effect_is_news(self, effect: JournalKind) -> bool:
        if effect is JournalKind.LOCK:
            return not self._state.locked
        if effect is JournalKind.UNLOCK:
            return self._state.locked
        return True

    def _action_entry(
        self,
        kind: JournalKind,
        *,
        actor: str,
        row: Arrival | None = None,
        participant_id: str | None = None,
        key: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> JournalEntry:
        return JournalEntry(
            at=self._clock(),
            kind=kind,
            event_key=key or f"{kind.value}:{uuid.uuid4().hex}",
            participant_id=row.participant_id if row else participant_id,
            display_name=row.display_name if row else None,
            verdict=row.verdict.value if row else None,
            pupil_id=row.pupil_id if row else None,
            pupil_label=row.pupil_label if row else None,
            actor=Actor(actor).value,
            detail=dict(detail or {}),
        )

    # -- journal first, then state -------------------------------------------------------

    def _commit(self, entries: list[JournalEntry]) -> list[SessionChange]:
        changes = []
        for stored in self._journal.record(entries):
            if stored is not None:  # an entry already in the journal is already in the state
                changes.append(self._fold(stored))
        return changes

    def _commit_together(self, steps: Sequence[Callable[[], list[JournalEntry]]]) -> list[SessionChange]:
        """Run each step against the state the steps before it left, then journal all their entries at once.

        The steps' entries are folded provisionally and the state rolled back before the one
        transaction, so the state still only ever changes by folding what the journal stored.
        """
        if len(steps) <= 1:
            return self._commit(steps[0]() if steps else [])
        saved = self._state.checkpoint()
        entries: list[JournalEntry] = []
        try:
            for step in steps:
                produced = step()
                for entry in produced:
                    self._fold(entry)
                entries += produced
        finally:
            self._state = saved
        return self._commit(entries)

    def _preview(self, row: Arrival | None, entry: JournalEntry) -> Arrival:
        """The row ``entry`` would produce, without changing anything."""
        return _next_row(row, entry)

    def _fold(self, entry: JournalEntry) -> SessionChange:
        """Apply one journal entry to the state: the only place the state changes."""
        state = self._state
        event_id = entry.detail.get("event_id")
        if event_id:
            state.seen_events.add(str(event_id))
        kind = entry.kind
        row: Arrival | None = None
        alarm: Alarm | None = None
        if kind in _ROW_KINDS and entry.participant_id:
            pid = entry.participant_id
            digest, heard_as = entry.detail.get(UUID_DIGEST), entry.detail.get(HEARD_AS)
            if digest:
                state.uuids[str(digest)] = pid
            if heard_as and heard_as != pid:
                state.aliases[str(heard_as)] = pid
            previous = state.people.get(pid)
            if pid not in state.assistant_ids and (previous is not None or kind in _CLASSIFIED):
                row = _next_row(previous, entry)
                state.set_row(pid, row)
                if kind is not JournalKind.HELD:
                    state.last_source[pid] = str(entry.detail.get("source") or entry.actor)
                    state.last_kind[pid] = kind
        elif kind is JournalKind.ALARM:
            alarm = Alarm(
                kind=AlarmKind(entry.detail["alarm"]),
                at=entry.at,
                message=str(entry.detail.get("message", "")),
                participant_id=entry.participant_id,
                display_name=entry.display_name,
                event_key=entry.event_key,
            )
            state.alarms.append(alarm)
        elif kind is JournalKind.COMMAND:
            state.commands[entry.detail["command_id"]] = _Command(
                name=entry.detail["name"], actor=entry.actor, participant_id=entry.participant_id, at=entry.at
            )
        elif kind is JournalKind.COMMAND_RESULT:
            command_id = entry.detail["command_id"]
            command = state.commands.get(command_id)
            if command is not None:
                ok = bool(entry.detail.get("ok"))
                state.commands[command_id] = replace(
                    command,
                    message=str(entry.detail.get("message", "")),
                    ok=ok,
                    failures=command.failures + (0 if ok else 1),
                )
        elif kind is JournalKind.LOCK:
            state.locked = True
        elif kind is JournalKind.UNLOCK:
            state.locked = False
        elif kind in (JournalKind.MUTE_ALL, JournalKind.CHAT_OFF, JournalKind.SHARE_LOCKED):
            state.controls.add(kind.value)
        elif kind is JournalKind.END:
            state.ended = True
        elif kind is JournalKind.SESSION_ENDED:
            state.ended = state.ended_by_zoom = True
        elif kind is JournalKind.SESSION_STARTED:
            state.started_at = state.started_at or entry.at
        elif kind is JournalKind.MANUAL_STEP_CONFIRMED:
            state.confirmations.append((str(entry.detail.get("step", "")), entry.actor))
        elif kind is JournalKind.STREAM_GAP:
            state.stream_gaps += 1
        elif kind is JournalKind.NOTE and entry.detail.get("note") == SessionNote.ADMISSION:
            state.links_in_use = bool(entry.detail.get("links"))
            state.staff_only = bool(entry.detail.get("staff_only"))
        elif kind is JournalKind.NOTE and entry.detail.get("note") == SessionNote.LEFT_CONFIRMED and entry.participant_id:
            gone = state.people.get(entry.participant_id)
            if gone is not None and gone.gone_by_assistant:
                row = replace(gone, gone_by_assistant=False)
                state.set_row(entry.participant_id, row)
        elif kind is JournalKind.NOTE and entry.detail.get("note") == SessionNote.ASSISTANT and entry.participant_id:
            pid = entry.participant_id
            state.assistant_ids.add(pid)
            if entry.detail.get(UUID_DIGEST):
                state.uuids[str(entry.detail[UUID_DIGEST])] = pid
            if state.set_row(pid, None) is not None:  # heard (by name only) before the assistant said it was itself
                state.alarms = [a for a in state.alarms if a.participant_id != pid]
            state.last_source.pop(pid, None)
            state.last_kind.pop(pid, None)
        return SessionChange(entry=entry, participant=row, alarm=alarm)

    @property
    def _has_started_entry(self) -> bool:
        return self._state.started_at is not None

    # -- what the panel shows ------------------------------------------------------------

    @property
    def journal(self) -> SessionJournal:
        return self._journal

    @property
    def locked(self) -> bool:
        return self._state.locked

    @property
    def ended(self) -> bool:
        return self._state.ended

    @property
    def started_at(self) -> datetime:
        """When the meeting started (Zoom's start event), or when the session was opened."""
        return self._state.started_at or self._journal.info.started_at

    @property
    def expected_pupils(self) -> int:
        return self._expected

    def participant(self, participant_id: str) -> Arrival | None:
        return self._state.people.get(participant_id)

    def arrivals(self) -> list[Arrival]:
        """Each participant's latest row, in order of first arrival."""
        return list(self._state.people.values())

    def waiting(self) -> list[Arrival]:
        return [row for row in self._state.people.values() if row.state is ParticipantState.WAITING]

    def in_meeting(self) -> list[Arrival]:
        return [row for row in self._state.people.values() if row.state is ParticipantState.IN_MEETING]

    @property
    def links_in_use(self) -> bool:
        """Whether pupils are admitted automatically only through their own link (the meeting requires registration)."""
        return bool(self._state.links_in_use)

    @property
    def staff_only(self) -> bool:
        """Whether the meeting is held to the staff-meeting profile: only signed-in staff are admitted automatically,
        and nobody is judged against the pupil register."""
        return self._state.staff_only

    def admissible_waiting(self) -> list[Arrival]:
        """Who admit-all may admit: what the admission check said may be admitted (consented pupils, by
        link where links are in use; signed-in staff), not held, not after the lock, not already in."""
        inside = {row.pupil_id for row in self.in_meeting() if row.pupil_id is not None}
        chosen: list[Arrival] = []
        for row in self.waiting():
            if not row.admit or not row.verdict.admissible or row.held or row.after_lock:
                continue
            if row.pupil_id is not None:
                if row.pupil_id in inside:
                    continue
                inside.add(row.pupil_id)  # never two rows for the same pupil
            chosen.append(row)
        return chosen

    def counts(self) -> SessionCounts:
        rows = self._state.people.values()
        arrived = {row.pupil_id for row in rows if row.verdict is Verdict.CONSENTED and row.pupil_id is not None}
        waiting = [row for row in rows if row.state is ParticipantState.WAITING]
        return SessionCounts(
            waiting=sum(1 for row in waiting if not row.held),
            held=sum(1 for row in waiting if row.held),
            admitted=sum(1 for row in rows if row.state is ParticipantState.IN_MEETING),
            left=sum(1 for row in rows if row.state not in _PRESENT),
            consented_not_arrived=max(0, self._expected - len(arrived)),
        )

    def alarms(self) -> list[Alarm]:
        return list(self._state.alarms)

    def snapshot(self) -> dict[str, object]:
        """Everything the session knows, as plain data: equal before a crash and after ``resume``."""
        state = self._state
        return {
            "people": [row.as_dict() for row in state.people.values()],
            "alarms": [alarm.as_dict() for alarm in state.alarms],
            "commands": {
                cid: {
                    "name": c.name,
                    "actor": c.actor,
                    "participant_id": c.participant_id,
                    "ok": c.ok,
                    "failures": c.failures,
                    "message": c.message,
                }
                for cid, c in sorted(state.commands.items())
            },
            "controls": sorted(state.controls),
            "confirmations": list(state.confirmations),
            "locked": state.locked,
            "ended": state.ended,
            "started_at": self.started_at.isoformat(),
            "stream_gaps": state.stream_gaps,
            "assistant_ids": sorted(state.assistant_ids),
            "seen_events": sorted(state.seen_events),
        }


def _ids(event: MeetingEvent) -> dict[str, str]:
    """What a journal entry keeps of the ids an event came with, so matching survives a restart."""
    found: dict[str, str] = {}
    digest = participant_uuid_digest(event.extra.get(PARTICIPANT_UUID))
    if digest:
        found[UUID_DIGEST] = digest
    heard_as = event.extra.get(HEARD_AS)
    if heard_as:
        found[HEARD_AS] = heard_as
    return found


def _claims(row: Arrival) -> tuple[tuple[str, object], ...]:
    """What a row counts as here, for the next arrival's check (nothing once it has gone).

    ``pupil``: in the meeting, or waiting as a consented pupil (not those already flagged, or one
    impostor waiting would make the real pupil a "duplicate" too); ``pupil+``: of those, in the
    meeting or through their own link (an arrival through a link is compared with these only).
    ``staff`` and ``staff+`` likewise, signed in; ``link``: waiting or in through that link.
    """
    if row.state not in _PRESENT:
        return ()
    inside = row.state is ParticipantState.IN_MEETING
    claims: list[tuple[str, object]] = []
    if row.identity.registrant_id:
        claims.append(("link", row.identity.registrant_id))
    if row.pupil_id is not None and (inside or row.verdict is Verdict.CONSENTED):
        claims.append(("pupil", row.pupil_id))
        if inside or row.evidence is Evidence.LINK:
            claims.append(("pupil+", row.pupil_id))
    if row.staff_id is not None and (inside or row.verdict is Verdict.STAFF):
        claims.append(("staff", row.staff_id))
        if inside or row.evidence is Evidence.SIGNED_IN:
            claims.append(("staff+", row.staff_id))
    return tuple(claims)


def _kept(identity: ZoomIdentity, evidence: Evidence) -> ZoomIdentity:
    """What the journal keeps of who Zoom says someone is: the registration link (it is how a passed-on
    link is caught), and the sign-in only where it is the school's (never an outsider's address)."""
    if evidence is Evidence.SIGNED_IN:
        return identity
    return ZoomIdentity(registrant_id=identity.registrant_id)


class _Present(Presence, Collection[int]):
    """Who is already here (``_State.present``), less what the arriving participant's own row counts for,
    and the link released by a departure stamped no earlier than the arrival being checked (``also``,
    ``LiveSession._link_released``: a second device pushing the first out, whoever reported the departure).
    """

    __slots__ = ("_also", "_counts", "_own")

    def __init__(self, state: _State, own: tuple[tuple[str, object], ...], *, also: tuple[tuple[str, object], ...] = ()) -> None:
        super().__init__(())
        self._counts = state.present
        self._own = own
        self._also = also

    def _has(self, key: tuple[str, object]) -> bool:
        return key in self._also or self._counts.get(key, 0) - (key in self._own) > 0

    def pupil_here(self, pupil_id: int) -> bool:
        return self._has(("pupil", pupil_id))

    def pupil_vouched(self, pupil_id: int) -> bool:
        return self._has(("pupil+", pupil_id))

    def staff_here(self, staff_id: int) -> bool:
        return self._has(("staff", staff_id))

    def staff_vouched(self, staff_id: int) -> bool:
        return self._has(("staff+", staff_id))

    def link_here(self, registrant_id: str) -> bool:
        return self._has(("link", registrant_id))

    def __contains__(self, pupil_id: object) -> bool:
        return self._has(("pupil", pupil_id))

    def __iter__(self) -> Iterator[int]:
        return (key[1] for key in self._counts if key[0] == "pupil" and self._has(key))  # type: ignore[misc]

    def __len__(self) -> int:
        return sum(1 for _ in self)


_ROW_KINDS = frozenset(
    {
        JournalKind.ARRIVAL,
        JournalKind.RENAMED,
        JournalKind.IDENTIFIED,
        JournalKind.LEFT_WAITING_ROOM,
        JournalKind.ADMITTED,
        JournalKind.JOINED,
        JournalKind.LEFT,
        JournalKind.PUT_BACK,
        JournalKind.HELD,
        JournalKind.REMOVED,
    }
)


def _next_row(previous: Arrival | None, entry: JournalEntry) -> Arrival:
    """The participant's row after ``entry`` (a pure function of the two: replay gives the same rows)."""
    kind = entry.kind
    last = entry.at if previous is None or previous.last_change is None else max(previous.last_change, entry.at)
    if kind in _CLASSIFIED:
        staff = entry.detail.get("staff")
        verdict = Verdict(entry.verdict)
        evidence = Evidence(entry.detail.get("evidence", Evidence.NAME.value))
        admit = entry.detail.get("admit")
        classified = {
            "display_name": entry.display_name or "",
            "verdict": verdict,
            "pupil_id": entry.pupil_id,
            "pupil_label": entry.pupil_label,
            "staff_name": staff["name"] if staff else None,
            "staff_id": staff.get("id") if staff else None,
            "reasons": tuple(entry.detail.get("reasons", ())),
            "last_change": last,
            "evidence": evidence,
            # a journal from before evidence was kept: as the rule says for a name alone
            "admit": bool(admit) if admit is not None else admits(verdict, evidence, links_in_use=False),
            "identity": ZoomIdentity.from_dict(entry.detail.get("identity")),
        }
        if kind is not JournalKind.ARRIVAL and previous is not None:
            return replace(previous, **classified)
        after_lock = bool(entry.detail.get("after_lock"))
        return Arrival(
            participant_id=entry.participant_id or "",
            arrived_at=entry.at,
            state=ParticipantState.WAITING,
            held=after_lock,
            after_lock=after_lock,
            times_admitted=previous.times_admitted if previous else 0,
            **classified,
        )
    assert previous is not None
    if kind in (JournalKind.ADMITTED, JournalKind.JOINED):
        return replace(
            previous,
            state=ParticipantState.IN_MEETING,
            held=False,
            admitted_at=entry.at,
            times_admitted=previous.times_admitted + 1,
            last_change=last,
        )
    if kind is JournalKind.PUT_BACK:
        return replace(previous, state=ParticipantState.WAITING, held=True, last_change=last)
    if kind is JournalKind.HELD:
        return replace(previous, held=True)
    if kind in (JournalKind.LEFT_WAITING_ROOM, JournalKind.LEFT):
        gone = ParticipantState.LEFT_WAITING_ROOM if kind is JournalKind.LEFT_WAITING_ROOM else ParticipantState.LEFT
        by_assistant = entry.detail.get("source") == "assistant" and bool(previous.identity.registrant_id)
        return replace(previous, state=gone, last_change=last, gone_by_assistant=by_assistant)
    if kind is JournalKind.REMOVED:
        return replace(previous, state=ParticipantState.REMOVED, held=False, gone_by_assistant=False)
    raise ValueError(f"{kind} does not change a participant")


def _alarm_message(kind: AlarmKind, row: Arrival | None) -> str:
    name = f"“{row.display_name}”" if row and row.display_name else "Someone"
    if kind is AlarmKind.NOT_ALLOWED_IN:
        verdict = row.verdict.value.replace("_", " ") if row else "unchecked"
        return f"{name} ({verdict}) is in the meeting but is not a consented pupil or staff: check and remove if needed."
    link = row.link_label if row else None
    if kind in (AlarmKind.DUPLICATE, AlarmKind.SUSPICIOUS) and row is not None and link:
        # Through a family's own link: the reasons say whose link, and what does not fit.
        return f"{name}: {'; '.join(row.reasons)}. Check before admitting."
    if kind is AlarmKind.DUPLICATE:
        if row is not None and row.pupil_label is None and row.staff_name:
            return (
                f"{name} names staff member {row.staff_name}, who is already here: possibly someone using a "
                "staff name. Check before admitting."
            )
        who = row.pupil_label if row and row.pupil_label else "a pupil"
        return f"{name} matches {who}, who is already here: possibly someone using a pupil's name. Check before admitting."
    if kind is AlarmKind.SUSPICIOUS:
        return f"{name} has hidden or look-alike characters or is not a name: do not admit without checking."
    if kind is AlarmKind.ARRIVAL_AFTER_LOCK:
        return f"{name} arrived after the meeting was locked and is held in the waiting room."
    return (
        "The meeting's event stream dropped: some arrivals or departures may have been missed. "
        "Check Zoom's Participants list."
    )
