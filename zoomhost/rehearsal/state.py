"""One simulated Zoom account: users, their settings, meetings, and the live meetings' rooms.

The rehearsal REST server, its WebSocket and the rehearsal host assistant all read and
change this one state, so what a test does through one door is seen through the others
(moto's and fakeredis's shape). Every change to a live meeting is announced to subscribers
as the webhook body Zoom documents for it, in the order it happened.

One re-entrant lock guards everything; subscriber callbacks run under it, so they must
only hand the event on (queue it, schedule it), never block. A host control can be answered
before its events go out (``answer_first``), as Zoom answers the Meeting SDK at once.

A host assistant run in the same process plays on the state through ``sdk_binding()``, the
fake Meeting SDK it makes, so the assistant's launcher never has to import the rehearsal.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import itertools
import secrets
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from zoomhost.core.events import ZOOM_EVENT_KINDS
from zoomhost.core.zoom_times import zoom_text, zoom_time
from zoomhost.rehearsal.sdk_rules import JWT_LONGEST_S, JWT_SHORTEST_S, ZAK_LIFETIME_S, ZAK_LONGEST_S, SdkRules

Clock = Callable[[], datetime]
EventCallback = Callable[[dict[str, Any]], None]

#: Zoom's daily budget of meeting create/update calls per host (documents: 100 requests per day).
DAILY_MEETING_UPDATES = 100

#: Events the WebSocket subscription may carry (the ones zoomhost follows); anything else a subscriber sees is rehearsal-only.
ZOOM_EVENTS = frozenset(ZOOM_EVENT_KINDS)
#: Not a Zoom webhook (Zoom sends none for a rename); the assistant side hears it as the SDK would.
RENAMED_EVENT = "rehearsal.participant_renamed"
#: Live controls Zoom only offers in-meeting (Meeting SDK); announced to the assistant side only.
CONTROL_EVENT = "rehearsal.host_control"
#: Someone was made co-host (or lost it): not a webhook; the Meeting SDK hears it as a callback.
ROLE_EVENT = "rehearsal.role_changed"
#: Key of an event dict holding the ``user_id`` Zoom's own reports give the participant, when it is
#: not the Meeting SDK's (``participant_ids = "new_on_admission"``); never sent to a client.
REPORTED_ID_KEY = "rehearsal_reported_user_id"
#: Key of a waiting-room exit's event holding why they left (the server words Zoom's ``participant_left`` from it).
LEAVE_REASON_KEY = "rehearsal_leave_reason"

FIRST_PARTICIPANT_ID = 16778240  # Zoom's in-meeting user ids are large and step by 1024
PARTICIPANT_ID_STEP = 1024


def _uuid_like(seed: str) -> str:
    """Zoom's meeting and participant UUIDs look like base64 of 16 bytes; deterministic from a seed."""
    import base64

    digest = hashlib.sha256(seed.encode("utf-8")).digest()[:16]
    return base64.b64encode(digest).decode("ascii")


class RehearsalError(Exception):
    """A request Zoom would refuse; ``status``/``code``/``message`` are what Zoom answers."""

    def __init__(self, status: int, code: int, message: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


def meeting_not_found(meeting_id: object) -> RehearsalError:
    return RehearsalError(404, 3001, f"Meeting does not exist: {meeting_id}.")


def user_not_found(user_id: object) -> RehearsalError:
    return RehearsalError(404, 1001, f"User does not exist: {user_id}.")


@dataclass
class SimUser:
    id: str
    email: str
    first_name: str
    last_name: str
    pmi: int
    type: int = 2  # 2 = licensed
    role_name: str = "Member"
    timezone: str = "Europe/Isle_of_Man"
    group_ids: tuple[str, ...] = ()  # the web groups the user belongs to (GET /users/{userId} ``group_ids``)
    created_at: datetime = field(default_factory=lambda: datetime(2020, 3, 23, 9, 0, tzinfo=UTC))

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


#: A one-off meeting's ID expires this long after its date (Zoom: "non-recurring meetings expire 30 days after
#: the scheduled date"); the meeting lists leave it out from then on.
EXPIRES_AFTER = timedelta(days=30)

@dataclass
class SimMeeting:
    id: int
    host_id: str
    topic: str
    type: int  # 2 scheduled, 4 personal meeting room
    start_time: datetime
    duration: int
    password: str
    settings: dict[str, Any]
    agenda: str = ""
    timezone: str = "Europe/Isle_of_Man"
    created_at: datetime = field(default_factory=lambda: datetime(2024, 9, 2, 8, 0, tzinfo=UTC))
    registrants: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SimParticipant:
    """One person's presence in a live meeting. ``user_id`` is the in-meeting id the Meeting SDK uses."""

    user_id: int
    participant_uuid: str
    display_name: str
    email: str = ""
    account_user_id: str = ""  # the Zoom user's id when signed in to the account, else ""
    registrant_id: str = ""
    where: str = "waiting"  # waiting | meeting | left
    arrived_at: datetime | None = None
    joined_at: datetime | None = None
    left_at: datetime | None = None
    leave_reason: str = ""
    identity: str = ""  # the person behind the device, stable across rejoins (rehearsal bookkeeping)
    zoom_user_id: int | None = None  # what Zoom's events and Dashboard call them now, when not ``user_id``

    @property
    def in_waiting_room(self) -> bool:
        return self.where == "waiting"

    @property
    def reported_id(self) -> int:
        """The ``user_id`` Zoom's events and Dashboard give this participant now (see ``participant_ids``)."""
        return self.zoom_user_id if self.zoom_user_id is not None else self.user_id


@dataclass
class LiveMeeting:
    meeting: SimMeeting
    uuid: str
    started_at: datetime
    ended_at: datetime | None = None
    participants: dict[int, SimParticipant] = field(default_factory=dict)  # every join, by in-meeting id
    locked: bool = False
    chat_allowed: bool = True
    share_locked: bool = False
    sharing_user_id: int | None = None
    muted_all: bool = False
    allow_self_unmute: bool = True
    rename_allowed: bool = True  # "Allow participants to rename themselves", as the host has it now
    removed_identities: set[str] = field(default_factory=set)
    sdk_roles: dict[int, str] = field(default_factory=dict)  # a Meeting SDK app's in-meeting id -> attendee | cohost | host


class ZoomState:
    """The whole rehearsal account. Thread-safe: every public method takes the one lock."""

    def __init__(self, *, clock: Clock | None = None, plan: str = "pro", seed: int = 2020) -> None:
        self._lock = threading.RLock()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._seed = seed
        self.plan = plan  # "pro" (the default, as Zoom's cheapest paid plan) has no Dashboard; "business" and "education" do
        #: "stable": one ``user_id`` per stay, as the Meeting SDK sees it; "new_on_admission": Zoom's events and
        #: Dashboard give a new one on each move between the waiting room and the meeting (``participant_uuid`` stays).
        self.participant_ids = "stable"
        self.account_id = "lxdFederation0Zm1"
        self.school_domain = "sch.im"
        self.users: dict[str, SimUser] = {}
        self.user_settings: dict[str, dict[str, Any]] = {}
        self.account_settings: dict[str, dict[str, Any]] = _starting_account_settings()
        self.lock_settings: dict[str, dict[str, Any]] = _starting_lock_settings()
        #: Groups of users (GET /groups/{groupId}/lock_settings): group id -> what its admin has locked.
        self.group_lock_settings: dict[str, dict[str, dict[str, Any]]] = {}
        #: The account's meeting authentication options (GET /users/{userId}/settings?option=meeting_authentication
        #: ``authentication_options``), every host's: the one marked ``default_option`` decides a meeting that
        #: requires authentication and names no ``authentication_option`` of its own.
        self.meeting_authentication_options: list[dict[str, Any]] = _starting_authentication_options()
        #: A group's own authentication options, in place of the account's for its members (an admin sets them
        #: per group as per account): a host's are the first of their groups' that has some, else the account's.
        self.group_authentication_options: dict[str, list[dict[str, Any]]] = {}
        self.meetings: dict[int, SimMeeting] = {}
        self.live: dict[int, LiveMeeting] = {}
        self.past: dict[int, list[LiveMeeting]] = {}
        #: Each host's meeting updates (when they were made): Zoom allows 100 "within a 24-hour period".
        self._updates: dict[str, list[datetime]] = {}
        self._subscribers: list[EventCallback] = []
        self._outbox: deque[dict[str, Any]] = deque()  # happened, not yet delivered (in order)
        self._holding = 0  # calls answered before their events are delivered (``answer_first``)
        self._delivering = False
        self._participant_ids = itertools.count(FIRST_PARTICIPANT_ID, PARTICIPANT_ID_STEP)
        self._registrant_ids = itertools.count(1)
        # The Meeting SDK side: the school's SDK app (its key and secret sign the assistant's JWT),
        # the account it belongs to, the ZAKs handed out, and the rules it is held to.
        self.sdk_rules = SdkRules()
        self.sdk_app = (secrets.token_urlsafe(12), secrets.token_urlsafe(24))
        self.sdk_apps: dict[str, str] = {self.sdk_app[0]: self.sdk_app[1]}
        self.sdk_app_account = self.account_id
        self._zaks: dict[str, tuple[str, datetime]] = {}
        self._assistant_orders: dict[int, bool] = {}  # meeting -> the host admits an SDK app as it arrives (True: and makes it co-host)
        self._populate()

    def sdk_binding(self) -> Any:
        """A fresh Meeting SDK binding played on this account, for a host assistant in this process."""
        from zoomhost.rehearsal.binding import RehearsalBinding

        return RehearsalBinding(state=self)

    # -- the account as the rehearsal starts --------------------------------------------------
    def _populate(self) -> None:
        host = SimUser(
            id="KdYKjnimT4KPd8FFgQt9FQ",
            email="k.christian@sch.im",
            first_name="Kirsty",
            last_name="Christian",
            pmi=4738291056,
            role_name="Admin",
        )
        outsider = SimUser(
            id="z8yBXksmRgWpYxnLdhfQ2w",
            email="mr.quirk.teaching@gmail.com",
            first_name="Daniel",
            last_name="Quirk",
            pmi=6120937784,
        )
        assistant = SimUser(
            id="sG7aTQmVRnOe3YbKpW5c1A",
            email="safeguarding.assistant@sch.im",
            first_name="Safeguarding",
            last_name="Assistant",
            pmi=5529018834,
        )
        deputy = SimUser(
            id="Wq4rPz7LSeKm2VbN9tYc3g",
            email="m.kelly@sch.im",
            first_name="Martin",
            last_name="Kelly",
            pmi=7301846625,
            group_ids=(SAFE_GROUP_ID,),
        )
        # The safe teacher's group: its admin has locked every setting the protocol depends on.
        self.group_lock_settings[SAFE_GROUP_ID] = _safe_group_lock_settings()
        # ... whose admin also gave it a sign-in option of its own: the same domain under another id.
        self.group_authentication_options[SAFE_GROUP_ID] = _starting_authentication_options(domains_option=SAFE_GROUP_DOMAINS_OPTION)
        for user in (host, outsider, assistant, deputy):
            self.users[user.id] = user
            self.user_settings[user.id] = _starting_settings()
        # A second teacher whose settings already keep the protocol: the account audit shows both kinds.
        self.user_settings[deputy.id] = _safe_settings()
        self.deputy_id = deputy.id
        # The outsider's settings already follow the protocol apart from sharing: two hosts, two pictures.
        self.user_settings[outsider.id]["in_meeting"].update(chat=False, private_chat=False, file_transfer=False)
        self.host_id = host.id
        self.outsider_id = outsider.id
        self.assistant_user_id = assistant.id  # a licensed user a school may give the host assistant
        today = self.now().replace(hour=10, minute=0, second=0, microsecond=0)
        assembly = SimMeeting(
            id=85746065432,
            host_id=host.id,
            topic="Whole-school assembly: Laxey and Dhoon",
            type=2,
            start_time=today + timedelta(days=1),
            duration=30,
            password="assembly",  # weak on purpose: the checklist should ask for a stronger one
            settings=_meeting_settings(waiting_room=True, mute_upon_entry=False, join_before_host=True),
            agenda="Friday celebration assembly",
        )
        class_meeting = SimMeeting(
            id=83920174655,
            host_id=host.id,
            topic="Year 4 class catch-up",
            type=2,
            start_time=today + timedelta(days=1, hours=3),
            duration=30,
            password="Lx7q2Hw9",
            settings=_meeting_settings(waiting_room=True, mute_upon_entry=True, join_before_host=False),
        )
        pmi_meeting = SimMeeting(
            id=host.pmi,
            host_id=host.id,
            topic="Kirsty Christian's Personal Meeting Room",
            type=4,
            start_time=datetime(2020, 3, 23, 9, 0, tzinfo=UTC),
            duration=0,
            password="",  # the personal room breaks the protocol twice: no passcode, no waiting room
            settings=_meeting_settings(waiting_room=False, mute_upon_entry=False, join_before_host=True, use_pmi=True),
        )
        outsider_meeting = SimMeeting(
            id=81234509876,
            host_id=outsider.id,
            topic="Year 6 maths club",
            type=2,
            start_time=today + timedelta(days=2),
            duration=45,
            password="Mq83kTz1",
            settings=_meeting_settings(waiting_room=True, mute_upon_entry=True, join_before_host=False),
        )
        safe_meeting = SimMeeting(
            id=87410293365,
            host_id=deputy.id,
            topic="Year 5 class catch-up",
            type=2,
            start_time=today + timedelta(days=3),
            duration=30,
            password="Tq8vNz3kR",
            settings=_meeting_settings(waiting_room=True, mute_upon_entry=True, join_before_host=False),
        )
        safe_meeting.settings.update(participant_video=False)
        # A meeting of staff only (its topic says so): held to the staff-meeting profile. Not yet limited to
        # signed-in staff, so the checklist has something to fix and anyone with the link reaches the waiting room.
        staff_meeting = SimMeeting(
            id=86203318471,
            host_id=host.id,
            topic="Staff meeting: end-of-term reports",
            type=2,
            start_time=today + timedelta(days=1, hours=6),
            duration=30,
            password="Rk4mW8zqT",
            settings=_meeting_settings(waiting_room=True, mute_upon_entry=True, join_before_host=False),
        )
        for meeting in (assembly, class_meeting, pmi_meeting, outsider_meeting, safe_meeting, staff_meeting):
            self.meetings[meeting.id] = meeting
        self.assembly_meeting_id = assembly.id
        self.class_meeting_id = class_meeting.id
        self.staff_meeting_id = staff_meeting.id
        self.pmi_meeting_id = pmi_meeting.id

    # -- basics --------------------------------------------------------------------------------
    def scenario_meetings(self) -> dict[str, int]:
        """Which of the account's meetings each kind of rehearsal plays in (``Scenario.meeting`` -> meeting id)."""
        return {"assembly": self.assembly_meeting_id, "class": self.class_meeting_id, "staff": self.staff_meeting_id}

    def now(self) -> datetime:
        return self._clock()

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    def has_dashboard(self) -> bool:
        """Zoom's Dashboard API: "Prerequisites: A Business or higher plan" (Education included)."""
        return self.plan in ("business", "education")

    def _moved_rooms(self, participant: SimParticipant) -> None:
        """A move between the waiting room and the meeting: with ``new_on_admission``, a new id in Zoom's reports."""
        if self.participant_ids == "new_on_admission":
            participant.zoom_user_id = next(self._participant_ids)

    def resolve_user(self, user_id: str) -> SimUser:
        with self._lock:
            user = self.users.get(user_id) or next((u for u in self.users.values() if u.email == user_id), None)
            if user is None:
                raise user_not_found(user_id)
            return user

    def meeting(self, meeting_id: int | str) -> SimMeeting:
        with self._lock:
            # A meeting ID is its digits and nothing else: no spaces, signs or underscores, as in Zoom's paths.
            if isinstance(meeting_id, int) and not isinstance(meeting_id, bool):
                found = self.meetings.get(meeting_id)
            elif isinstance(meeting_id, str) and meeting_id.isascii() and meeting_id.isdigit():
                found = self.meetings.get(int(meeting_id))
            else:
                found = None
            if found is None:
                raise meeting_not_found(meeting_id)
            return found

    def scheduled_meeting(self, meeting_id: int | str) -> SimMeeting:
        """The meeting a ``/meetings/{meetingId}`` operation names: an expired one-off meeting (``EXPIRES_AFTER`` its
        date, not running) no longer exists for them, Zoom's 404 3001 "Meeting does not exist" as their documents
        give it. Its past instances stay readable through the reports and past-meeting operations."""
        with self._lock:
            meeting = self.meeting(meeting_id)
            if self._expired(meeting):
                raise meeting_not_found(meeting_id)
            return meeting

    def _expired(self, meeting: SimMeeting) -> bool:
        return meeting.type == 2 and meeting.id not in self.live and meeting.start_time + EXPIRES_AFTER < self.now()

    # -- users and settings (REST) --------------------------------------------------------------
    def user_payload(self, user_id: str) -> dict[str, Any]:
        with self._lock:
            user = self.resolve_user(user_id)
            return {
                "id": user.id,
                "account_id": self.account_id,
                "created_at": zoom_text(user.created_at),
                "user_created_at": zoom_text(user.created_at),
                "dept": "",
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "display_name": user.display_name,
                "language": "en-GB",
                "personal_meeting_url": f"https://zoom.us/j/{user.pmi}",
                "pmi": user.pmi,
                "role_name": user.role_name,
                "status": "active",
                "timezone": user.timezone,
                "type": user.type,
                "use_pmi": False,
                "verified": 1,
                "group_ids": list(user.group_ids),
            }

    def settings_payload(self, user_id: str, *, option: str | None = None) -> dict[str, Any]:
        """``GET /users/{userId}/settings``: the user's settings; ``option=meeting_security`` that part alone, and
        ``option=meeting_authentication`` / ``recording_authentication`` that option's body alone, as Zoom answers."""
        with self._lock:
            settings = self.user_settings[self.resolve_user(user_id).id]
            if option == "meeting_authentication":
                return {
                    "meeting_authentication": settings.get("schedule_meeting", {}).get("meeting_authentication") is True,
                    "allow_authentication_exception": False,
                    "authentication_options": copy.deepcopy(self._authentication_options_of(user_id)),
                }
            if option == "recording_authentication":
                return _recording_authentication_settings()
            return _part_or_rest(settings, option)

    def _authentication_options_of(self, user_id: str) -> list[dict[str, Any]]:
        """The meeting authentication options a host's meetings may name: their group's, else the account's."""
        user = self.resolve_user(user_id)
        for group in user.group_ids:
            if group in self.group_authentication_options:
                return self.group_authentication_options[group]
        return self.meeting_authentication_options

    def update_settings(self, user_id: str, patch: Mapping[str, Any]) -> None:
        with self._lock:
            settings = self.user_settings[self.resolve_user(user_id).id]
            _merge_checked(settings, patch, where="")

    def users_payload(self, *, status: str = "active") -> list[dict[str, Any]]:
        """``GET /users``: every user of the account (all active in the rehearsal), as Zoom lists them."""
        with self._lock:
            if status != "active":
                return []
            rows = []
            for user in self.users.values():
                full = self.user_payload(user.id)
                # the fields Zoom's documents list for GET /users (no ``language``: that is GET /users/{userId}'s)
                rows.append({k: full[k] for k in ("id", "email", "first_name", "last_name", "display_name", "type", "pmi", "timezone", "status", "user_created_at")})
            return rows

    def lock_settings_payload(self, account_id: str, *, option: str | None = None) -> dict[str, Any]:
        """``GET /accounts/{accountId}/lock_settings``: what the admin has locked (``option=meeting_security`` apart)."""
        with self._lock:
            if account_id not in ("me", self.account_id):  # 400 here, as documented (account settings say 404)
                raise RehearsalError(400, 2001, f"Account does not exist: {account_id}.")
            return _part_or_rest(self.lock_settings, option)

    def group_lock_settings_payload(self, group_id: str, *, option: str | None = None) -> dict[str, Any]:
        """``GET /groups/{groupId}/lock_settings``: what the group's admin has locked (``option=meeting_security`` apart)."""
        with self._lock:
            locks = self.group_lock_settings.get(group_id)
            if locks is None:
                raise RehearsalError(404, 4130, f"Group does not exist: {group_id[:40]}.")
            return _part_or_rest(locks, option)

    def account_settings_payload(self, account_id: str, *, option: str | None = None) -> dict[str, Any]:
        """``GET /accounts/{accountId}/settings``: "me" (or this account's id) is the rehearsal's account."""
        with self._lock:
            if account_id not in ("me", self.account_id):
                raise RehearsalError(404, 2001, f"Account does not exist: {account_id}.")
            if option == "meeting_security":
                return {"meeting_security": copy.deepcopy(self.account_settings["meeting_security"])}
            if option is not None:
                raise RehearsalError(400, 300, f"The rehearsal Zoom does not serve the account's {option} settings.")
            return {k: copy.deepcopy(v) for k, v in self.account_settings.items() if k != "meeting_security"}

    # -- meetings (REST) -------------------------------------------------------------------------
    def meeting_payload(self, meeting_id: int | str) -> dict[str, Any]:
        with self._lock:
            meeting = self.meeting(meeting_id)
            host = self.users[meeting.host_id]
            live = self.live.get(meeting.id)
            payload: dict[str, Any] = {
                "uuid": live.uuid if live else _uuid_like(f"{meeting.id}-scheduled"),
                "id": meeting.id,
                "host_id": meeting.host_id,
                "host_email": host.email,
                "topic": meeting.topic,
                "type": meeting.type,
                "status": "started" if live else "waiting",
                "start_time": zoom_text(meeting.start_time),
                "duration": meeting.duration,
                "timezone": meeting.timezone,
                "agenda": meeting.agenda,
                "created_at": zoom_text(meeting.created_at),
                "start_url": f"https://zoom.us/s/{meeting.id}?zak=rehearsal",
                "join_url": f"https://zoom.us/j/{meeting.id}",
                "password": meeting.password,
                "h323_password": meeting.password,
                "pstn_password": meeting.password,
                "encrypted_password": meeting.password,
                "pre_schedule": False,
                "settings": copy.deepcopy(meeting.settings),
                "creation_source": "web_portal",
            }
            if meeting.type == 4:
                payload["pmi"] = str(meeting.id)
                del payload["start_time"], payload["duration"]
            if meeting.settings.get("approval_type") in (0, 1):
                payload["registration_url"] = f"https://zoom.us/meeting/register/{_uuid_like(str(meeting.id))[:22]}"
            return payload

    def list_meetings(self, user_id: str, *, kind: str = "scheduled") -> list[dict[str, Any]]:
        """As the documents' ``type`` says: ``scheduled``, every meeting not expired (a one-off meeting expires
        ``EXPIRES_AFTER`` its date, Zoom's rule); ``upcoming``, those not yet over; ``previous_meetings``, those
        already over."""
        with self._lock:
            user = self.resolve_user(user_id)
            now = self.now()
            rows = []
            for meeting in sorted(self.meetings.values(), key=lambda m: m.start_time):
                if meeting.host_id != user.id or meeting.type == 4:
                    continue
                over = meeting.start_time + timedelta(minutes=meeting.duration) < now
                if kind in ("upcoming", "upcoming_meetings") and over:
                    continue
                if kind == "previous_meetings" and not over:
                    continue
                if kind == "scheduled" and self._expired(meeting):
                    continue
                full = self.meeting_payload(meeting.id)
                rows.append({k: full[k] for k in ("uuid", "id", "host_id", "topic", "type", "start_time", "duration", "timezone", "agenda", "created_at", "join_url")})
            return rows

    def updates_used(self, host_id: str) -> int:
        with self._lock:
            return len(self._recent_updates(host_id))

    def _recent_updates(self, host_id: str) -> list[datetime]:
        """The host's updates in the 24 hours before now (older ones are forgotten)."""
        since = self.now() - timedelta(hours=24)
        recent = [at for at in self._updates.get(host_id, []) if at > since]
        self._updates[host_id] = recent
        return recent

    def updates_remaining(self, host_id: str) -> int:
        return max(0, DAILY_MEETING_UPDATES - self.updates_used(host_id))

    def update_meeting(self, meeting_id: int | str, patch: Mapping[str, Any]) -> int:
        """Apply a PATCH; returns the host's remaining updates today. Refused past Zoom's daily 100."""
        with self._lock:
            meeting = self.meeting(meeting_id)
            recent = self._recent_updates(meeting.host_id)
            used = len(recent)
            if used >= DAILY_MEETING_UPDATES:
                # "a maximum of 100 times within a 24-hour period": the next one is allowed 24 hours after
                # the oldest of the last 100, not at midnight.
                free_at = recent[-DAILY_MEETING_UPDATES] + timedelta(hours=24)
                raise RehearsalError(
                    429,
                    429,
                    "You have exceeded the daily rate limit (100) of Meeting Create/Update API requests "
                    f"permitted for this particular user. You may resume these requests at {zoom_text(free_at)}.",
                    headers={
                        "X-RateLimit-Type": "Daily-limit",
                        "X-RateLimit-Limit": str(DAILY_MEETING_UPDATES),
                        "X-RateLimit-Remaining": "0",
                        "Retry-After": zoom_text(free_at),
                    },
                )
            staged = copy.deepcopy(meeting.settings)
            if "settings" in patch:
                if not isinstance(patch["settings"], Mapping):
                    raise RehearsalError(400, 300, "Invalid field: settings.")
                _merge_checked(staged, patch["settings"], where="settings.")
                if "alternative_hosts" in patch["settings"]:
                    self._check_alternative_hosts(meeting, str(staged.get("alternative_hosts") or ""))
            top = {"topic": str, "agenda": str, "password": str, "duration": int, "timezone": str, "start_time": str}
            for key, kind in top.items():
                if key in patch and not isinstance(patch[key], kind):
                    raise RehearsalError(400, 300, f"Invalid field: {key}.")
            if "password" in patch:
                requirement = self.user_settings[meeting.host_id].get("schedule_meeting", {}).get("meeting_password_requirement")
                _check_passcode(patch["password"], requirement if isinstance(requirement, Mapping) else {})
            if "start_time" in patch:
                start = zoom_time(patch["start_time"])  # read as zoomhost reads Zoom's times
                if start is None:
                    raise RehearsalError(400, 300, "Invalid field: start_time.")
                meeting.start_time = start
            for key in ("topic", "agenda", "password", "duration", "timezone"):
                if key in patch:
                    setattr(meeting, key, patch[key])
            meeting.settings = staged
            recent.append(self.now())
            return DAILY_MEETING_UPDATES - used - 1

    def _check_alternative_hosts(self, meeting: SimMeeting, text: str) -> None:
        """Zoom takes as alternative hosts only licensed users of the same account, never the host."""
        for entry in (part.strip() for part in text.replace(",", ";").split(";")):
            if not entry:
                continue
            user = next((u for u in self.users.values() if entry.lower() in (u.id.lower(), u.email.lower())), None)
            if user is None or user.type != 2 or user.id == meeting.host_id:
                raise RehearsalError(400, 300, f"Invalid field: settings.alternative_hosts ({entry[:80]} is not a licensed user of this account).")

    def add_registrants(
        self, meeting_id: int | str, registrants: Iterable[Mapping[str, Any]], *, batch: bool = True, auto_approve: bool = False
    ) -> list[dict[str, Any]]:
        """``POST /meetings/{id}/batch_registrants`` (or, ``batch=False``, ``POST …/registrants``, one person). On a
        meeting whose host approves each registration (``approval_type`` 1) a registration is pending, and its link
        opens nothing, unless the call asked ``auto_approve`` ("automatically approve the registrants that are added
        via this API")."""
        with self._lock:
            meeting = self.meeting(meeting_id)
            if meeting.type != 2:
                raise RehearsalError(
                    400,
                    303,
                    "This API can only be used for scheduled meeting(meeting type: 2). "
                    "Batch registration is not supported for other meeting types.",
                )
            over = meeting.start_time + timedelta(minutes=meeting.duration) < self.now() and meeting.id not in self.live
            if batch and over:  # the batch document's 400 3038; a meeting running past its planned end is not over
                raise RehearsalError(
                    400,
                    3038,
                    "Meeting is over, you can not register now. If you have any questions, please contact the Meeting host.",
                )
            if not _registration_required(meeting):
                raise RehearsalError(400, 404, f"Registration has not been enabled for this meeting: {meeting.id}.")
            return self._register(meeting, registrants, approved=auto_approve or meeting.settings.get("approval_type") == 0)

    def list_registrants(self, meeting_id: int | str, *, status: str = "approved") -> list[dict[str, Any]]:
        """``GET /meetings/{id}/registrants`` rows with that ``status``: approved, or pending the host's approval."""
        with self._lock:
            meeting = self.meeting(meeting_id)
            if not _registration_required(meeting):
                raise RehearsalError(400, 404, f"Registration has not been enabled for this meeting: {meeting.id}.")
            return [
                {
                    "id": r["registrant_id"],
                    "email": r["email"],
                    "first_name": r["first_name"],
                    "last_name": r["last_name"],
                    "status": r["status"],
                    "create_time": zoom_text(meeting.created_at),
                    "join_url": r["join_url"],
                    "participant_pin_code": r["participant_pin_code"],
                }
                for r in meeting.registrants
                if r["status"] == status
            ]

    def _register(self, meeting: SimMeeting, registrants: Iterable[Mapping[str, Any]], *, approved: bool) -> list[dict[str, Any]]:
        """Register each address, approved or pending; one already registered for the meeting gets its registration
        (and link) back, approved now if this call approves."""
        rows = list(registrants)
        for row in rows:
            if not isinstance(row, Mapping) or not row.get("email") or not row.get("first_name"):
                raise RehearsalError(400, 300, "Each registrant needs an email and a first_name.")
        added = []
        for row in rows:
            known = _registration(meeting, str(row["email"]))
            if known is not None:
                if approved:
                    known["status"] = "approved"  # asked again, now with approval: a pending registration is let in
                added.append(known)
                continue
            registrant_id = _uuid_like(f"{meeting.id}-reg-{next(self._registrant_ids)}")[:22]
            token = secrets.token_urlsafe(16)
            record = {
                "registrant_id": registrant_id,
                "email": str(row["email"]),
                "first_name": str(row["first_name"]),
                "last_name": str(row.get("last_name", "")),
                "join_url": f"https://zoom.us/w/{meeting.id}?tk={token}",
                "participant_pin_code": 100000 + len(meeting.registrants),
                "status": "approved" if approved else "pending",
            }
            meeting.registrants.append(record)
            added.append(record)
        return added

    # -- the live meeting -----------------------------------------------------------------------
    def subscribe(self, callback: EventCallback) -> Callable[[], None]:
        """Hear every change as a webhook-shaped event dict; returns the unsubscribe function."""
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    @contextlib.contextmanager
    def answer_first(self) -> Iterator[None]:
        """Changes made inside announce themselves only at the next ``deliver_held()`` (or the next change
        after this ends): a caller can answer a host control before the events it caused go out, as Zoom's
        server answers the Meeting SDK's call without waiting on other clients' notifications. Events
        keep their order: nothing made meanwhile overtakes them."""
        with self._lock:
            self._holding += 1
            try:
                yield
            finally:
                self._holding -= 1

    def deliver_held(self) -> None:
        """Announce what ``answer_first`` held back (and anything behind it), in the order it happened."""
        with self._lock:
            self._deliver()

    def _deliver(self) -> None:
        if self._delivering:
            return  # a subscriber's own change: the delivery under way takes it next, in order
        self._delivering = True
        try:
            while self._outbox:
                event = self._outbox.popleft()
                for callback in list(self._subscribers):
                    callback(_event_copy(event))
        finally:
            self._delivering = False

    def live_meeting(self, meeting_id: int | str) -> LiveMeeting:
        with self._lock:
            meeting = self.meeting(meeting_id)
            live = self.live.get(meeting.id)
            if live is None:
                raise RehearsalError(404, 3001, f"Meeting {meeting.id} is not in progress.")
            return live

    def is_live(self, meeting_id: int | str) -> bool:
        with self._lock:
            return self.meeting(meeting_id).id in self.live

    def start_meeting(self, meeting_id: int | str) -> LiveMeeting:
        """The host starts the meeting (idempotent); emits ``meeting.started`` the first time."""
        with self._lock:
            meeting = self.meeting(meeting_id)
            if meeting.id in self.live:
                return self.live[meeting.id]
            instance = len(self.past.get(meeting.id, [])) + 1
            live = LiveMeeting(meeting=meeting, uuid=_uuid_like(f"{self._seed}-{meeting.id}-{instance}"), started_at=self.now())
            self.live[meeting.id] = live
            self._emit("meeting.started", live, None)
            return live

    def arrive(
        self,
        meeting_id: int | str,
        display_name: str,
        *,
        identity: str | None = None,
        account_user_id: str = "",
        registrant_id: str = "",
    ) -> SimParticipant | None:
        """Someone opens a join link: the meeting's own, or a registrant's own (``registrant_id``),
        signed in to a user of the account (``account_user_id``) or not. Returns None when Zoom would
        turn them away (locked, removed, a registration link that is not this meeting's, a registration
        still waiting for the host's approval).

        Zoom reports an address (``email``) only for someone signed in to the account. Where the
        meeting requires registration, someone without a link of their own registers at the door:
        approved at once when approval is automatic (a registrant Zoom made, not one the school
        issued), otherwise left waiting for the host's approval, outside the meeting. Where one
        link may join from one device only (``allow_multiple_devices`` off), a second device through
        a link pushes the first out, after it has arrived.
        """
        with self._lock:
            live = self.live_meeting(meeting_id)
            identity = identity or display_name
            if live.locked or identity in live.removed_identities:
                return None
            meeting = live.meeting
            settings = meeting.settings
            user = self.users.get(account_user_id) if account_user_id else None
            if account_user_id and user is None:
                raise ValueError(f"no user {account_user_id!r} in the rehearsal account")
            if settings.get("meeting_authentication") and not _may_sign_in(user, settings, self._authentication_options_of(meeting.host_id)):
                return None  # Zoom: only authenticated users (on the domains of the meeting's option) can join this meeting
            if registrant_id:
                if not any(r["registrant_id"] == registrant_id and r["status"] == "approved" for r in meeting.registrants):
                    return None  # Zoom: this registration link is not valid for this meeting, or awaits the host's approval
            elif _registration_required(meeting) and meeting.host_id != account_user_id:
                if settings.get("approval_type") != 0:
                    return None  # registered at the door, waiting for the host's approval
                email = user.email if user else f"{_uuid_like(identity)[:10].lower()}@registered.example"
                first, _, last = display_name.partition(" ")
                (record,) = self._register(meeting, [{"email": email, "first_name": first or "Guest", "last_name": last}], approved=True)
                registrant_id = record["registrant_id"]
            earlier = next((p for p in live.participants.values() if p.identity == identity), None)
            participant = SimParticipant(
                user_id=next(self._participant_ids),
                participant_uuid=earlier.participant_uuid if earlier else _uuid_like(f"{live.uuid}-{identity}"),
                display_name=display_name,
                email=user.email if user else "",
                account_user_id=account_user_id,
                registrant_id=registrant_id,
                arrived_at=self.now(),
                identity=identity,
            )
            pushed_out = [
                p
                for p in live.participants.values()
                if registrant_id and p.registrant_id == registrant_id and p.where != "left"
            ] if not settings.get("allow_multiple_devices") else []
            live.participants[participant.user_id] = participant
            bypass = meeting.host_id == account_user_id or (
                settings.get("waiting_room_options", {}).get("who_goes_to_waiting_room") == "users_not_in_account"
                and bool(account_user_id)
            )
            if settings.get("waiting_room") and not bypass:
                self._emit("meeting.participant_joined_waiting_room", live, participant)
            else:
                self._join(live, participant)
            for earlier_device in pushed_out:
                self._depart(live, earlier_device, f"{earlier_device.display_name} got disconnected from the meeting.")
            return participant

    def account_user(self, email: str, *, name: str = "") -> str:
        """The id of the account's user with this address, added (a licensed member) if the account has none."""
        with self._lock:
            for user in self.users.values():
                if user.email == email:
                    return user.id
            first, _, last = (name or email.split("@")[0]).partition(" ")
            user = SimUser(
                id=_uuid_like(f"user-{email}")[:22],
                email=email,
                first_name=first,
                last_name=last,
                pmi=5000000000 + int(hashlib.sha256(email.encode()).hexdigest()[:8], 16) % 999999999,
            )
            self.users[user.id] = user
            self.user_settings[user.id] = _starting_settings()
            return user.id

    def registrant_of(self, meeting_id: int | str, email: str) -> str:
        """The registrant id the meeting holds for this address ("" if none): whose link a family opens."""
        with self._lock:
            meeting = self.meeting(meeting_id)
            known = _registration(meeting, email)
            return known["registrant_id"] if known else ""

    def _join(self, live: LiveMeeting, participant: SimParticipant) -> None:
        participant.where = "meeting"
        participant.joined_at = self.now()
        self._emit("meeting.participant_joined", live, participant)

    def leave(self, meeting_id: int | str, user_id: int, *, reason: str | None = None) -> bool:
        """The participant closes Zoom (from the waiting room or the meeting)."""
        with self._lock:
            live = self.live_meeting(meeting_id)
            participant = live.participants.get(int(user_id))
            if participant is None or participant.where == "left":
                return False
            self._depart(live, participant, reason or f"{participant.display_name} left the meeting.")
            return True

    def _depart(self, live: LiveMeeting, participant: SimParticipant, reason: str) -> None:
        was_waiting = participant.in_waiting_room
        participant.where = "left"
        participant.left_at = self.now()
        participant.leave_reason = reason
        if live.sharing_user_id == participant.user_id:
            live.sharing_user_id = None
        if was_waiting:
            self._emit("meeting.participant_left_waiting_room", live, participant)
        else:
            self._emit("meeting.participant_left", live, participant)

    def rename(self, meeting_id: int | str, user_id: int, display_name: str) -> bool:
        with self._lock:
            live = self.live_meeting(meeting_id)
            participant = live.participants.get(int(user_id))
            if participant is None or participant.where == "left":
                return False
            if participant.where == "meeting" and not live.rename_allowed:
                return False  # the host switched "Allow participants to rename themselves" off
            old = participant.display_name
            participant.display_name = display_name
            self._emit(RENAMED_EVENT, live, participant, extra={"old_user_name": old})
            return True

    def start_share(self, meeting_id: int | str, user_id: int) -> bool:
        """A participant tries to share their screen; refused while sharing is locked."""
        with self._lock:
            live = self.live_meeting(meeting_id)
            participant = live.participants.get(int(user_id))
            if participant is None or participant.where != "meeting" or live.share_locked:
                return False
            live.sharing_user_id = participant.user_id
            return True

    # -- host controls (what the rehearsal plays as the Meeting SDK host assistant) ----------------
    def admit(self, meeting_id: int | str, user_id: int) -> bool:
        with self._lock:
            live = self.live_meeting(meeting_id)
            participant = live.participants.get(int(user_id))
            if participant is None or not participant.in_waiting_room:
                return False
            self._moved_rooms(participant)
            self._emit("meeting.participant_admitted", live, participant)
            self._join(live, participant)
            return True

    def admit_all(self, meeting_id: int | str) -> int:
        with self._lock:
            return sum(self.admit(meeting_id, p.user_id) for p in self.waiting_room(meeting_id))

    def put_in_waiting_room(self, meeting_id: int | str, user_id: int) -> bool:
        with self._lock:
            live = self.live_meeting(meeting_id)
            participant = live.participants.get(int(user_id))
            if participant is None or participant.where != "meeting" or participant.account_user_id == live.meeting.host_id:
                return False
            participant.where = "waiting"
            if live.sharing_user_id == participant.user_id:
                live.sharing_user_id = None
            self._moved_rooms(participant)
            self._emit("meeting.participant_put_in_waiting_room", live, participant)
            return True

    def expel(self, meeting_id: int | str, user_id: int) -> bool:
        """Remove; as Zoom's default, a removed person cannot rejoin this meeting."""
        with self._lock:
            live = self.live_meeting(meeting_id)
            participant = live.participants.get(int(user_id))
            if participant is None or participant.where == "left" or participant.account_user_id == live.meeting.host_id:
                return False
            reason = "Removed by host from waiting room." if participant.in_waiting_room else "Removed by host."
            live.removed_identities.add(participant.identity)
            self._depart(live, participant, reason)
            return True

    def mute_all(self, meeting_id: int | str, *, allow_self_unmute: bool) -> None:
        with self._lock:
            live = self.live_meeting(meeting_id)
            live.muted_all = True
            live.allow_self_unmute = allow_self_unmute
            self._control(live, "mute_all", allow_self_unmute=allow_self_unmute)

    def set_chat_allowed(self, meeting_id: int | str, allowed: bool) -> None:
        with self._lock:
            live = self.live_meeting(meeting_id)
            live.chat_allowed = bool(allowed)
            self._control(live, "chat_allowed", allowed=bool(allowed))

    def stop_share(self, meeting_id: int | str) -> None:
        with self._lock:
            live = self.live_meeting(meeting_id)
            live.sharing_user_id = None
            self._control(live, "stop_share")

    def lock_share(self, meeting_id: int | str, locked: bool) -> None:
        with self._lock:
            live = self.live_meeting(meeting_id)
            live.share_locked = bool(locked)
            if locked:
                live.sharing_user_id = None
            self._control(live, "lock_share", locked=bool(locked))

    def set_rename_allowed(self, meeting_id: int | str, allowed: bool) -> None:
        """Security ▸ "Rename Themselves" (the Meeting SDK's ``AllowParticipantsToRename``)."""
        with self._lock:
            live = self.live_meeting(meeting_id)
            live.rename_allowed = bool(allowed)
            self._control(live, "rename_allowed", allowed=bool(allowed))

    def set_locked(self, meeting_id: int | str, locked: bool) -> None:
        """Zoom's Security ▸ Lock Meeting: nobody new can join, not even into the waiting room."""
        with self._lock:
            live = self.live_meeting(meeting_id)
            live.locked = bool(locked)
            self._control(live, "locked", locked=bool(locked))

    def end_meeting(self, meeting_id: int | str) -> bool:
        """End for everyone: each person leaves, then ``meeting.ended``. False when it was not running."""
        with self._lock:
            meeting = self.meeting(meeting_id)
            live = self.live.get(meeting.id)
            if live is None:
                return False
            for participant in list(live.participants.values()):
                if participant.where != "left":
                    self._depart(live, participant, "Host ended the meeting.")
            live.ended_at = self.now()
            del self.live[meeting.id]
            self.past.setdefault(meeting.id, []).append(live)
            self._emit("meeting.ended", live, None)
            return True

    def waiting_room(self, meeting_id: int | str) -> list[SimParticipant]:
        with self._lock:
            live = self.live_meeting(meeting_id)
            return [copy.copy(p) for p in live.participants.values() if p.where == "waiting"]

    def in_meeting(self, meeting_id: int | str) -> list[SimParticipant]:
        with self._lock:
            live = self.live_meeting(meeting_id)
            return [copy.copy(p) for p in live.participants.values() if p.where == "meeting"]

    def participant(self, meeting_id: int | str, user_id: int) -> SimParticipant | None:
        with self._lock:
            live = self.live_meeting(meeting_id)
            found = live.participants.get(int(user_id))
            return copy.copy(found) if found else None

    # -- the Meeting SDK app (the host assistant) as Zoom treats it: ``sdk_rules`` says how strictly --
    def register_sdk_app(self, key: str, secret: str) -> None:
        """Another Meeting SDK app of this account (its key and secret), whose JWTs are then accepted."""
        with self._lock:
            self.sdk_apps[key] = secret

    def check_sdk_jwt(self, token: str) -> str:
        """Zoom's answer to ``SDKAuth`` with ``token``: an ``AuthResult`` name (``AUTHRET_SUCCESS`` when it signs in)."""
        with self._lock:
            rules, apps, now = self.sdk_rules, dict(self.sdk_apps), self.now()
        if not token:
            return "AUTHRET_KEYORSECRETEMPTY"
        try:
            header = jwt.get_unverified_header(token)
            claims = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return "AUTHRET_JWTTOKENWRONG"
        shaped = all(isinstance(claims.get(key), int) for key in ("iat", "exp", "tokenExp")) and isinstance(claims.get("appKey"), str)
        if not shaped:
            return "AUTHRET_JWTTOKENWRONG"
        if not rules.check_jwt:
            return "AUTHRET_SUCCESS"
        secret = apps.get(claims["appKey"])
        if secret is None or header.get("alg") != "HS256":
            return "AUTHRET_JWTTOKENWRONG"
        try:
            jwt.decode(token, secret, algorithms=["HS256"], options={"verify_exp": False})
        except jwt.PyJWTError:
            return "AUTHRET_JWTTOKENWRONG"  # signed with another secret, or altered
        stamp = int(now.timestamp())
        lifetime = claims["exp"] - claims["iat"]
        if claims["iat"] > stamp + 60 or not JWT_SHORTEST_S <= lifetime <= JWT_LONGEST_S:
            return "AUTHRET_JWTTOKENWRONG"
        if claims["exp"] <= stamp or claims["tokenExp"] <= stamp or claims["tokenExp"] < claims["iat"] + JWT_SHORTEST_S:
            return "AUTHRET_JWTTOKENWRONG"  # expired
        return "AUTHRET_SUCCESS"

    def issue_zak(self, user_id: str, *, ttl: int | None = None) -> str:
        """``GET /users/{userId}/token?type=zak``: a ZAK for that user (two hours unless ``ttl`` says otherwise)."""
        with self._lock:
            user = self.resolve_user(user_id)
            life = ZAK_LIFETIME_S if ttl is None else ttl
            if not 1 <= life <= ZAK_LONGEST_S:
                raise RehearsalError(400, 300, "Invalid field: ttl.")
            token = secrets.token_urlsafe(48)
            self._zaks[token] = (user.id, self.now() + timedelta(seconds=life))
            return token

    def _zak_user(self, zak: str) -> SimUser | None:
        found = self._zaks.get(zak)
        if found is None or found[1] <= self.now():
            return None
        return self.users.get(found[0])

    def _alternative_hosts(self, meeting: SimMeeting) -> set[str]:
        text = str(meeting.settings.get("alternative_hosts") or "")
        return {part.strip().lower() for part in text.replace(",", ";").split(";") if part.strip()}

    def sdk_join(
        self,
        meeting_id: int | str,
        *,
        display_name: str,
        passcode: str,
        app_key: str,
        zak: str = "",
        on_behalf: str = "",
        customer_key: str = "",
    ) -> dict[str, Any]:
        """A Meeting SDK app joins. The answer: ``{"failed": MeetingFailCode name}``, ``{"status": "waiting_for_host"}``,
        or ``{"status": "waiting_room" | "in_meeting", "user_id": …, "role": attendee | cohost | host}``."""
        with self._lock:
            rules = self.sdk_rules
            try:
                meeting = self.meeting(meeting_id)
            except RehearsalError:
                return {"failed": "MEETING_FAIL_MEETING_NOT_EXIST"}
            if meeting.password and passcode != meeting.password:
                return {"failed": "MEETING_FAIL_PASSWORD_ERR"}
            user = self._zak_user(zak) if zak else None
            if zak and user is None:
                return {"failed": "MEETING_FAIL_CANNOT_START_TOKENEXPIRE"}
            if on_behalf:
                return {"failed": "MEETING_FAIL_ON_BEHALF_TOKEN_INVALID"}  # the rehearsal hands out no on-behalf tokens
            if rules.outside_account_needs_token and self.sdk_app_account != self.account_id and user is None:
                return {"failed": "MEETING_FAIL_APP_CAN_NOT_ANONYMOUS_JOIN_MEETING"}
            if (
                rules.sign_in_when_required
                and meeting.settings.get("meeting_authentication")
                and not _may_sign_in(user, meeting.settings, self._authentication_options_of(meeting.host_id))
            ):
                return {"failed": "MEETING_FAIL_ENFORCE_LOGIN"}  # only authenticated users can join this meeting
            if meeting.id not in self.live:
                return {"status": "waiting_for_host"} if rules.wait_for_host else {"failed": "MEETING_FAIL_MEETING_NOT_START"}
            live = self.live[meeting.id]
            identity = f"sdk:{app_key}:{user.id if user else display_name}"
            if live.locked:
                return {"failed": "MEETING_FAIL_CONFLOCKED"}
            if identity in live.removed_identities:
                return {"failed": "CONF_FAIL_REMOVED_BY_HOST"}
            account_user = user.id if user else ""
            alternative = user is not None and bool({user.id.lower(), user.email.lower()} & self._alternative_hosts(meeting))
            role = "host" if account_user == meeting.host_id else "cohost" if alternative else "attendee"
            if role == "attendee" and not rules.cohost_only_when_made:
                role = "cohost"
            participant = SimParticipant(
                user_id=next(self._participant_ids),
                participant_uuid=_uuid_like(f"{live.uuid}-{identity}"),
                display_name=display_name,
                email=user.email if user else "",
                account_user_id=account_user,
                arrived_at=self.now(),
                identity=identity,
            )
            live.participants[participant.user_id] = participant
            live.sdk_roles[participant.user_id] = role
            options = meeting.settings.get("waiting_room_options") or {}
            bypass = (
                not rules.waiting_room
                or role in ("host", "cohost")
                or (bool(account_user) and options.get("who_goes_to_waiting_room") == "users_not_in_account")
            )
            if meeting.settings.get("waiting_room") and not bypass:
                self._emit("meeting.participant_joined_waiting_room", live, participant)
            else:
                self._join(live, participant)
            order = self._assistant_orders.pop(meeting.id, None)
            if order is not None:
                self._carry_out_order(live, participant.user_id, cohost=order)
            return {
                "status": "waiting_room" if participant.in_waiting_room else "in_meeting",
                "user_id": participant.user_id,
                "participant_uuid": participant.participant_uuid,
                "role": live.sdk_roles[participant.user_id],
            }

    def sdk_role(self, meeting_id: int | str, user_id: int) -> str:
        """attendee | cohost | host, as Zoom has this SDK app now ("" for anyone else)."""
        with self._lock:
            return self.live_meeting(meeting_id).sdk_roles.get(int(user_id), "")

    def make_cohost(self, meeting_id: int | str, user_id: int, cohost: bool = True) -> bool:
        """The host's Participants ▸ Make co-host (or Withdraw co-host permission) on someone in the meeting."""
        with self._lock:
            live = self.live_meeting(meeting_id)
            participant = live.participants.get(int(user_id))
            if participant is None or participant.where != "meeting" or live.sdk_roles.get(participant.user_id) == "host":
                return False
            live.sdk_roles[participant.user_id] = "cohost" if cohost else "attendee"
            self._emit(ROLE_EVENT, live, participant, extra={"role": "cohost" if cohost else "attendee"})
            return True

    def host_admits_assistant(self, meeting_id: int | str, *, cohost: bool = True) -> int:
        """The teacher's one action for the host assistant: admit it from the waiting room and make it co-host.

        Done for every Meeting SDK app there now; with none there yet, for the next one to arrive in
        this meeting (once). Returns how many were there now.
        """
        with self._lock:
            meeting = self.meeting(meeting_id)
            live = self.live.get(meeting.id)
            present = [uid for uid in live.sdk_roles if live.participants[uid].where != "left"] if live is not None else []
            if not present:
                self._assistant_orders[meeting.id] = cohost
                return 0
            for user_id in present:
                self._carry_out_order(live, user_id, cohost=cohost)  # type: ignore[arg-type]
            return len(present)

    def _carry_out_order(self, live: LiveMeeting, user_id: int, *, cohost: bool) -> None:
        participant = live.participants[user_id]
        if participant.in_waiting_room:
            self.admit(live.meeting.id, user_id)
        if cohost and live.sdk_roles.get(user_id) == "attendee":
            self.make_cohost(live.meeting.id, user_id)

    def sdk_stop_share(self, meeting_id: int | str, user_id: int, *, host_rights: bool) -> str:
        """``StopShare`` by the SDK app ``user_id``: "stopped", or the SDKError name Zoom answers."""
        with self._lock:
            live = self.live_meeting(meeting_id)
            sharer = live.sharing_user_id
            if sharer is None:
                return "SDKERR_MEETING_YOU_HAVE_NO_SHARE" if self.sdk_rules.stop_share_own_only else "stopped"
            if sharer != int(user_id):
                if self.sdk_rules.stop_share_own_only:
                    return "SDKERR_MEETING_NOT_SHARE_SENDER"  # the SDK stops its own share, never a participant's
                if not host_rights:
                    return "SDKERR_NO_PERMISSION"
            self.stop_share(meeting_id)
            return "stopped"

    def sharing_user(self, meeting_id: int | str) -> int | None:
        with self._lock:
            return self.live_meeting(meeting_id).sharing_user_id

    # -- rosters (Dashboard, past meetings, reports) ----------------------------------------------
    def live_roster(self, meeting_id: int | str) -> list[dict[str, Any]]:
        """``GET /metrics/meetings/{id}/participants?type=live`` rows: who is there now."""
        with self._lock:
            live = self.live_meeting(meeting_id)
            rows = []
            for p in live.participants.values():
                # Zoom lists those who left too ("appears as many times as they joined"), with their leave_time.
                row = {
                    "id": p.account_user_id,
                    "participant_user_id": p.account_user_id,
                    "user_id": str(p.reported_id),
                    "participant_uuid": p.participant_uuid,
                    "user_name": p.display_name,
                    "join_time": zoom_text(p.joined_at or p.arrived_at or live.started_at),
                    "status": "in_waiting_room" if p.where == "waiting" or (p.where == "left" and p.joined_at is None) else "in_meeting",
                    "role": "host" if p.account_user_id == live.meeting.host_id else "attendee",
                    "device": "Windows",
                    "network_type": "Wifi",
                }
                if p.email:
                    row["email"] = p.email
                if p.where == "left":
                    row["leave_time"] = zoom_text(p.left_at or self.now())
                    row["leave_reason"] = p.leave_reason
                # No registrant_id: Zoom's Dashboard document says it "does not return if the `type` query
                # parameter is the `live` value" (only the past lists carry it, and only when asked for).
                rows.append(row)
            return rows

    def past_instance(self, meeting_ref: int | str) -> LiveMeeting:
        """An ended meeting by its ID (the latest instance) or by one instance's UUID."""
        with self._lock:
            for instances in self.past.values():
                for instance in instances:
                    if instance.uuid == meeting_ref:
                        return instance
            meeting = self.meeting(meeting_ref)
            instances = self.past.get(meeting.id)
            if not instances:
                raise RehearsalError(404, 3001, f"Meeting {meeting.id} not found or has expired.")
            return instances[-1]

    def attendance(self, meeting_ref: int | str) -> list[dict[str, Any]]:
        """Past meeting / report rows of an ended instance: one per stay in the meeting."""
        with self._lock:
            last = self.past_instance(meeting_ref)
            rows = []
            for p in last.participants.values():
                if p.joined_at is None:
                    # Never let in: Zoom still lists them, with "status": "in_waiting_room".
                    arrived = p.arrived_at or last.started_at
                    left = p.left_at or last.ended_at or self.now()
                    rows.append(
                        {
                            "id": p.account_user_id,
                            "user_id": str(p.reported_id),
                            "name": p.display_name,
                            "user_email": p.email,
                            "join_time": zoom_text(arrived),
                            "leave_time": zoom_text(left),
                            "duration": max(0, int((left - arrived).total_seconds())),
                            "failover": False,
                            "status": "in_waiting_room",
                        }
                    )
                    continue
                left = p.left_at or last.ended_at or self.now()
                rows.append(
                    {
                        "id": p.account_user_id,
                        "user_id": str(p.reported_id),
                        "name": p.display_name,
                        "user_email": p.email,
                        "join_time": zoom_text(p.joined_at),
                        "leave_time": zoom_text(left),
                        "duration": max(0, int((left - p.joined_at).total_seconds())),
                        "failover": False,
                        "status": "in_meeting",
                    }
                )
            return rows

    # -- events ----------------------------------------------------------------------------------
    def _control(self, live: LiveMeeting, control: str, **values: Any) -> None:
        self._emit(CONTROL_EVENT, live, None, extra={"control": control, **values})

    def _emit(self, name: str, live: LiveMeeting, participant: SimParticipant | None, *, extra: Mapping[str, Any] | None = None) -> None:
        now = self.now()
        meeting = live.meeting
        obj: dict[str, Any] = {
            "id": str(meeting.id),
            "uuid": live.uuid,
            "host_id": meeting.host_id,
            "topic": meeting.topic,
            "type": meeting.type,
            "start_time": zoom_text(live.started_at),
            "timezone": meeting.timezone,
            "duration": meeting.duration,
        }
        if name == "meeting.ended":
            obj["end_time"] = zoom_text(live.ended_at or now)
        if participant is not None:
            # Zoom's rule: the account user's id and address only for someone signed in to the host's
            # account; empty strings for everyone else (documents: "returns an empty string value").
            person: dict[str, Any] = {
                "user_id": str(participant.user_id),
                "user_name": participant.display_name,
                "id": participant.account_user_id,
                "participant_user_id": participant.account_user_id,
                "participant_uuid": participant.participant_uuid,
                "email": participant.email,
            }
            if participant.registrant_id:
                person["registrant_id"] = participant.registrant_id
            if name == "meeting.participant_joined":
                person["join_time"] = zoom_text(participant.joined_at or now)
            elif name == "meeting.participant_left":
                person["leave_time"] = zoom_text(participant.left_at or now)
                person["leave_reason"] = participant.leave_reason
            else:
                person["date_time"] = zoom_text(now)
            obj["participant"] = person
        event: dict[str, Any] = {
            "event": name,
            "event_ts": int(now.timestamp() * 1000),
            "payload": {"account_id": self.account_id, "object": obj},
        }
        if extra:
            event["rehearsal"] = dict(extra)
        if name == "meeting.participant_left_waiting_room" and participant is not None:
            event[LEAVE_REASON_KEY] = participant.leave_reason or ""
        if participant is not None and participant.zoom_user_id is not None:
            # Subscribers in this process (the rehearsal assistant) keep the Meeting SDK's id; the
            # event socket sends Zoom's (the server swaps it in: ``REPORTED_ID_KEY``).
            event[REPORTED_ID_KEY] = str(participant.reported_id)
        self._outbox.append(event)
        if not self._holding:
            self._deliver()


def _event_copy(value: Any) -> Any:
    """A subscriber's own copy of an event (JSON-shaped: dicts, lists and plain values), as ``copy.deepcopy``
    would make it, in a fraction of the time: every admission announces two events to every subscriber."""
    kind = type(value)
    if kind is dict:
        return {key: _event_copy(item) if type(item) in _CONTAINERS else item for key, item in value.items()}
    if kind is list or kind is tuple or kind is set:
        return kind(_event_copy(item) if type(item) in _CONTAINERS else item for item in value)
    if kind in _IMMUTABLE:
        return value
    return copy.deepcopy(value)  # anything else, as before


_CONTAINERS = frozenset({dict, list, tuple, set})
_IMMUTABLE = frozenset({str, int, float, bool, type(None), datetime})


#: A meeting passcode, as Zoom's document for ``password`` says: "a maximum length of 10 characters and only
#: alphanumeric characters and the ``@``, ``-``, ``_``, and ``*`` characters".
PASSCODE_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@-_*")
PASSCODE_SPECIALS = frozenset("@-_*")


def _check_passcode(passcode: str, requirement: Mapping[str, Any]) -> None:
    """Zoom's passcode rules for a meeting, and the host's ``meeting_password_requirement`` when set: Zoom's 300."""

    def refuse(why: str) -> RehearsalError:
        return RehearsalError(400, 300, f"Invalid field: password. The passcode {why}.")

    if len(passcode) > 10:
        raise refuse("must be 10 characters or less")
    if not passcode and requirement:
        raise refuse("is required by the account's passcode requirement")
    if any(ch not in PASSCODE_CHARACTERS for ch in passcode):
        raise refuse("may only contain letters, digits and @ - _ *")
    if not passcode:
        return
    length = requirement.get("length")
    if isinstance(length, int) and not isinstance(length, bool) and len(passcode) < length:
        raise refuse(f"must be at least {length} characters long")
    numeric = requirement.get("only_allow_numeric") is True  # Zoom's portal then greys out the letter and special rules
    if numeric and not passcode.isdigit():
        raise refuse("may only contain digits")
    if not numeric and requirement.get("have_letter") is True and not any(ch.isalpha() for ch in passcode):
        raise refuse("must contain a letter")
    if requirement.get("have_number") is True and not any(ch.isdigit() for ch in passcode):
        raise refuse("must contain a digit")
    if not numeric and requirement.get("have_special_character") is True and not any(ch in PASSCODE_SPECIALS for ch in passcode):
        raise refuse("must contain one of @ - _ *")
    if not numeric and requirement.get("have_upper_and_lower_characters") is True and (passcode.lower() == passcode or passcode.upper() == passcode):
        raise refuse("must contain both upper- and lower-case letters")
    run = requirement.get("consecutive_characters_length")
    if isinstance(run, int) and not isinstance(run, bool) and run > 0:
        # "if you provide 4, there can only be a maximum of 3 consecutive characters"
        for start in range(len(passcode) - run + 1):
            window = passcode[start : start + run]
            steps = {ord(b) - ord(a) for a, b in zip(window, window[1:])}
            if len(steps) == 1 and steps <= {-1, 0, 1}:
                raise refuse(f"may not contain {run} repeated or consecutive characters")


def _part_or_rest(settings: Mapping[str, Any], option: str | None) -> dict[str, Any]:
    """Settings Zoom answers in two parts (a user's, the account's and a group's locks): ``option=meeting_security``
    gives that part alone, no option everything else; any other option is Zoom's 300."""
    if option == "meeting_security":
        return {"meeting_security": copy.deepcopy(settings["meeting_security"])}
    if option is not None:
        raise RehearsalError(400, 300, f"Invalid field: option={option[:30]}.")
    return {k: copy.deepcopy(v) for k, v in settings.items() if k != "meeting_security"}


SCHOOL_DOMAINS_OPTION = "signin_school_7Qm2"
SAFE_GROUP_DOMAINS_OPTION = "signin_group_3Kv9"  # the safe teachers' group's own option for the school's domain
PLAIN_SIGN_IN_OPTION = "signin_zoom_0Kf3"


def _starting_authentication_options(*, domains_option: str = SCHOOL_DOMAINS_OPTION) -> list[dict[str, Any]]:
    """The school's authentication options: "Sign in to Zoom" (any Zoom account, the default, as Zoom sets up an
    account) and one an admin added for the school's own domain (type ``enforce_login_with_domains``)."""
    return [
        {"id": PLAIN_SIGN_IN_OPTION, "name": "Sign in to Zoom", "type": "enforce_login", "default_option": True, "visible": True},
        {
            "id": domains_option, "name": "Sign in to Zoom with the school's domain", "type": "enforce_login_with_domains",
            "domains": "sch.im", "default_option": False, "visible": True,
        },
    ]  # fmt: skip


def _recording_authentication_settings() -> dict[str, Any]:
    """A user's ``option=recording_authentication`` answer: the documents' own shape, the option's flag and
    ``authentication_options`` at the top, nothing of the user's other settings."""
    return {
        "recording_authentication": False,
        "authentication_options": [
            {"id": "signin_account_5Tr8", "name": "Signed-in users in my account", "type": "internally", "default_option": True, "visible": True},
        ],
    }  # fmt: skip


def _registration_required(meeting: SimMeeting) -> bool:
    """Zoom's rule: a scheduled meeting whose approval type is automatic (0) or by the host (1)."""
    return meeting.type == 2 and meeting.settings.get("approval_type") in (0, 1)


def _merge_checked(target: dict[str, Any], patch: Mapping[str, Any], *, where: str) -> None:
    """Deep-merge a PATCH body; a value of the wrong kind for a known field is Zoom's 300."""
    for key, value in patch.items():
        current = target.get(key)
        if isinstance(value, Mapping):
            if current is not None and not isinstance(current, dict):
                raise RehearsalError(400, 300, f"Invalid field: {where}{key}.")
            _merge_checked(target.setdefault(key, {}), value, where=f"{where}{key}.")
            continue
        if current is not None and not _same_kind(current, value):
            raise RehearsalError(400, 300, f"Invalid field: {where}{key}.")
        target[key] = copy.deepcopy(value)


def _same_kind(current: Any, value: Any) -> bool:
    if isinstance(current, bool) or isinstance(value, bool):
        return isinstance(current, bool) and isinstance(value, bool)
    if isinstance(current, int | float):
        return isinstance(value, int | float)
    return type(current) is type(value)


def _domain_list(text: object) -> set[str]:
    return {d.strip().lower().lstrip("@") for d in str(text or "").replace(";", ",").split(",") if d.strip().lstrip("@")}


def _meeting_authentication_option(settings: Mapping[str, Any], options: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The authentication option a meeting requires: its ``authentication_option`` ("the type of authentication
    required for users to join a meeting ... the ``authentication_options`` array's ``id`` value in the Get user
    settings API response"), else the host's ``default_option``. An id none of the host's options has: None."""
    chosen = settings.get("authentication_option")
    if chosen:
        return next((o for o in options if o.get("id") == chosen), None)
    return next((o for o in options if o.get("default_option") is True), None)


def _may_sign_in(user: SimUser | None, settings: Mapping[str, Any], options: Iterable[Mapping[str, Any]]) -> bool:
    """Whether someone signed in as ``user`` (None: not signed in) passes a meeting's authentication, given the
    host's authentication ``options``. Signed in, always. Domains restrict only where the meeting's option is
    of type ``enforce_login_with_domains`` ("Only users from specific domains can join meetings. The list of
    domains is defined in the ``domains`` field"): then the address must be on that option's domains and, where
    the meeting lists its own ``authentication_domains`` ("the domains that are authenticated"), on those too.
    Any other option (plain sign-in, an unknown id) lets in whoever is signed in, whatever domains the meeting
    lists. Domains match whole (no wildcards): stricter than Zoom, never kinder."""
    if user is None:
        return False
    option = _meeting_authentication_option(settings, options)
    if option is None or option.get("type") != "enforce_login_with_domains":
        return True
    domain = user.email.rsplit("@", 1)[-1].lower()
    listed = _domain_list(settings.get("authentication_domains"))
    return domain in _domain_list(option.get("domains")) and (not listed or domain in listed)


def _meeting_settings(*, waiting_room: bool, mute_upon_entry: bool, join_before_host: bool, use_pmi: bool = False) -> dict[str, Any]:
    return {
        "host_video": True,
        "participant_video": True,
        "join_before_host": join_before_host,
        "jbh_time": 0,
        "mute_upon_entry": mute_upon_entry,
        "watermark": False,
        "use_pmi": use_pmi,
        "approval_type": 2,
        "audio": "both",
        "auto_recording": "none",
        "enforce_login": False,
        "enforce_login_domains": "",
        "alternative_hosts": "",
        "close_registration": False,
        "show_share_button": False,
        "allow_multiple_devices": False,
        "registrants_confirmation_email": True,
        "waiting_room": waiting_room,
        "waiting_room_options": {"mode": "follow_setting"},
        "registrants_email_notification": True,
        "meeting_authentication": False,
        "encryption_type": "enhanced_encryption",
        "email_notification": True,
        "private_meeting": False,
        "focus_mode": False,
        "continuous_meeting_chat": {"enable": False},
    }


def _starting_settings() -> dict[str, dict[str, Any]]:
    """A teacher's settings before the checklist: several of them against the school's protocol."""
    return {
        "schedule_meeting": {
            "host_video": True,
            "participants_video": True,
            "join_before_host": True,
            "embed_password_in_join_link": True,
            "require_password_for_scheduled_meetings": True,
            "require_password_for_instant_meetings": True,
            "require_password_for_pmi_meetings": "all",
            "meeting_password_requirement": {
                "length": 8,
                "have_letter": True,
                "have_number": True,
                "have_special_character": False,
                "only_allow_numeric": False,
                "have_upper_and_lower_characters": False,
                "consecutive_characters_length": 4,
                "weak_enhance_detection": True,
            },
        },
        "in_meeting": {
            "chat": True,
            "private_chat": True,
            "allow_participants_chat_with": 1,
            "allow_users_save_chats": 2,
            "file_transfer": True,
            "screen_sharing": True,
            "who_can_share_screen": "all",
            "who_can_share_screen_when_someone_is_sharing": "all",
            "annotation": True,
            "whiteboard": True,
            "remote_control": False,
            "breakout_room": False,
            "polling": True,
            "waiting_room": False,
            "non_verbal_feedback": True,
            "meeting_reactions": True,
            "join_from_desktop": True,  # families join from a browser, as the protocol expects
            "join_from_mobile": True,
            "show_a_join_from_your_browser_link": True,
            "co_host": True,
            "custom_data_center_regions": False,  # Zoom may route the meeting through any region, China included
            "data_center_regions": [],
            "allow_live_streaming": False,
            "live_streaming_facebook": False,
            "workplace_by_facebook": False,
            "live_streaming_youtube": False,
            "custom_live_streaming_service": False,
        },
        "recording": {
            "local_recording": True,
            "cloud_recording": False,
            "auto_recording": "none",
        },
        "feature": {
            "meeting_capacity": 300,
            "large_meeting": False,
        },
        "meeting_security": {
            "auto_security": True,
            "waiting_room": False,
            "embed_password_in_join_link": True,
            "meeting_password": True,
            "require_password_for_scheduled_meeting": True,
            "pmi_password": True,
            "phone_password": False,
            "only_authenticated_can_join_from_webclient": False,
            "block_user_domain": False,
            "encryption_type": "enhanced_encryption",
            "end_to_end_encrypted_meetings": False,
            "waiting_room_settings": {
                "participants_to_place_in_waiting_room": 1,
                "users_who_can_admit_participants_from_waiting_room": 1,  # anyone who skipped it may admit: against the protocol
                "whitelisted_domains_for_waiting_room": "",
            },
        },
    }


def _safe_settings() -> dict[str, dict[str, Any]]:
    """A host whose settings already keep the protocol (the deputy head's, in the rehearsal)."""
    settings = _starting_settings()
    settings["schedule_meeting"].update(join_before_host=False, embed_password_in_join_link=False)
    settings["in_meeting"].update(
        chat=False, private_chat=False, file_transfer=False, who_can_share_screen="host",
        who_can_share_screen_when_someone_is_sharing="host", annotation=False, whiteboard=False,
        custom_data_center_regions=True, data_center_regions=["DE", "IE", "NL", "US"],
    )
    settings["recording"].update(local_recording=False, cloud_recording=False)
    settings["meeting_security"].update(embed_password_in_join_link=False, waiting_room=True)
    settings["meeting_security"]["waiting_room_settings"]["users_who_can_admit_participants_from_waiting_room"] = 0
    return settings


def _starting_lock_settings() -> dict[str, dict[str, Any]]:
    """What the school's admin has locked (GET /accounts/{accountId}/lock_settings): the waiting room and
    passcodes, not yet the rest of what the protocol depends on."""
    return {
        "schedule_meeting": {"join_before_host": False, "embed_password_in_join_link": False, "meeting_authentication": False},
        "in_meeting": {
            "chat": False, "private_chat": False, "file_transfer": False, "screen_sharing": False, "annotation": False,
            "whiteboard": False, "allow_live_streaming": False, "co_host": False, "custom_data_center_regions": False,
            "breakout_room": False,
        },
        "recording": {"local_recording": False, "cloud_recording": False, "auto_recording": False},
        "meeting_security": {
            "waiting_room": True, "meeting_password": True, "pmi_password": True, "encryption_type": False,
            "only_authenticated_can_join_from_webclient": False, "embed_password_in_join_link": False,
        },
    }


SAFE_GROUP_ID = "tR6hQe2JSXa0C9k1mVbN4w"


def _safe_group_lock_settings() -> dict[str, dict[str, Any]]:
    """A group whose admin locked everything the protocol depends on (``core.preflight.LOCKED_SETTINGS``) but the
    encryption: Zoom's documents give a group's ``meeting_security.encryption_type`` lock as a string (the
    encryption chosen), not as locked or not, so the rehearsal leaves it out and the account's answer stands."""
    locks = _starting_lock_settings()
    for section in locks.values():
        for key in section:
            section[key] = True
    del locks["meeting_security"]["encryption_type"]
    return locks


def _starting_account_settings() -> dict[str, dict[str, Any]]:
    """The school account as an admin left it: renaming allowed, which the checklist flags (only an admin may change it)."""
    return {
        "schedule_meeting": {
            "host_video": True,
            "participant_video": True,
            "join_before_host": True,
            "require_password_for_scheduled_meetings": True,
            "require_password_for_instant_meetings": True,
        },
        "in_meeting": {
            "allow_participants_to_rename": True,
            "chat": True,
            "private_chat": True,
            "allow_participants_chat_with": 1,
            "allow_users_save_chats": 2,
            "file_transfer": True,
            "screen_sharing": True,
            "who_can_share_screen": "all",
            "who_can_share_screen_when_someone_is_sharing": "all",
            "annotation": True,
            "whiteboard": True,
            "remote_control": False,
            "breakout_room": False,
            "polling": True,
            "non_verbal_feedback": True,
            "meeting_reactions": True,
            "join_from_desktop": True,
            "join_from_mobile": True,
            "show_a_join_from_your_browser_link": True,
        },
        "recording": {
            "local_recording": True,
            "cloud_recording": False,
            "auto_recording": "none",
        },
        "feature": {"meeting_capacity": 300},
        "meeting_security": {
            "auto_security": True,
            "waiting_room": True,
            "embed_password_in_join_link": True,
            "meeting_password": True,
            "require_password_for_scheduled_meeting": True,
            "pmi_password": True,
            "phone_password": False,
            "only_authenticated_can_join_from_webclient": False,
            "block_user_domain": False,
            "encryption_type": "enhanced_encryption",
            "end_to_end_encrypted_meetings": False,
        },
    }


def _registration(meeting: SimMeeting, email: str) -> dict[str, Any] | None:
    """The meeting's registration for ``email`` (any case), if it has one: Zoom keeps one per address."""
    return next((r for r in meeting.registrants if r["email"].casefold() == email.casefold()), None)
