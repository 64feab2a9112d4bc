"""A Meeting SDK binding played by the rehearsal Zoom, so the real adapter and server run in rehearsal.

``RehearsalBinding`` has the names, callback classes and enum values of ``zoom-meeting-sdk``
0.0.27 that the assistant uses, and carries them out on the rehearsal ``ZoomState``: the
same state the rehearsal REST server and its event WebSocket serve, so an admission made
here is announced there. Like the real binding it has no ``LockMeeting`` and no waiting-room
callbacks (``with_lock_meeting=True`` adds the former, to rehearse a binding that has it).

It is held to Zoom's rules for a Meeting SDK app, as strictly as the state's ``sdk_rules`` say
(``zoomhost.rehearsal.sdk_rules``, each rule with the Zoom document it rests on): the JWT is
checked against the SDK app's secret; joining puts the assistant into the meeting as a
participant of its own (the state's), so it waits in the waiting room like anyone else, waits
for a host who has not started the meeting, and has host controls only once the host makes it
co-host, or when it joins with the ZAK of one of the meeting's alternative hosts; ``StopShare``
stops only its own share; a meeting outside the SDK app's account needs a ZAK; a meeting that
requires authentication lets it in only signed in (with a ZAK).

Like the real SDK it runs one main loop (``sdk_main_loop``, one thread): its callbacks come there,
later than the call that caused them, and the assistant makes every SDK call there too.

The state may live in another process: ``RehearsalBridge`` serves a ``ZoomState``'s host
controls and events on loopback, and ``RemoteZoomState`` is its client, so that
``zoomhost assistant --rehearsal ws://127.0.0.1:PORT`` runs as a real, killable process.

Like the real SDK, which keeps the meeting's participants in the process, the binding keeps
what the meeting's events said about each participant and answers ``GetUserByUserID`` and
``GetWaitingRoomUserInfoByID`` from that, going to the state only for someone it has heard
nothing about; ``GetWaitingRoomLst`` always asks the state (and, as in Zoom, shows nobody to a
participant without host rights). Once the meeting has ended, the lists are empty and host
controls answer ``SDKERR_NOT_IN_MEETING``, as in Zoom.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from enum import Enum
from typing import Any

import jwt
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from zoomhost.assistant.main_loop import QueueMainLoop
from zoomhost.assistant.sdk_adapter import AssistantError

log = logging.getLogger(__name__)

# The enum values the binding publishes (copied from the 0.0.27 listing; a test compares them).
SDKError = Enum(
    "SDKError",
    "SDKERR_SUCCESS SDKERR_NO_IMPL SDKERR_WRONG_USAGE SDKERR_INVALID_PARAMETER SDKERR_MODULE_LOAD_FAILED "
    "SDKERR_MEMORY_FAILED SDKERR_SERVICE_FAILED SDKERR_UNINITIALIZE SDKERR_UNAUTHENTICATION "
    "SDKERR_NORECORDINGINPROCESS SDKERR_TRANSCODER_NOFOUND SDKERR_VIDEO_NOTREADY SDKERR_NO_PERMISSION "
    "SDKERR_UNKNOWN SDKERR_OTHER_SDK_INSTANCE_RUNNING SDKERR_INTERNAL_ERROR SDKERR_NO_AUDIODEVICE_ISFOUND "
    "SDKERR_NO_VIDEODEVICE_ISFOUND SDKERR_TOO_FREQUENT_CALL SDKERR_FAIL_ASSIGN_USER_PRIVILEGE "
    "SDKERR_MEETING_DONT_SUPPORT_FEATURE SDKERR_MEETING_NOT_SHARE_SENDER SDKERR_MEETING_YOU_HAVE_NO_SHARE "
    "SDKERR_MEETING_VIEWTYPE_PARAMETER_IS_WRONG SDKERR_MEETING_ANNOTATION_IS_OFF SDKERR_SETTING_OS_DONT_SUPPORT "
    "SDKERR_EMAIL_LOGIN_IS_DISABLED SDKERR_HARDWARE_NOT_MEET_FOR_VB SDKERR_NEED_USER_CONFIRM_RECORD_DISCLAIMER "
    "SDKERR_NO_SHARE_DATA SDKERR_SHARE_CANNOT_SUBSCRIBE_MYSELF SDKERR_NOT_IN_MEETING SDKERR_NOT_JOIN_AUDIO "
    "SDKERR_HARDWARE_DONT_SUPPORT SDKERR_DOMAIN_DONT_SUPPORT SDKERR_MEETING_REMOTE_CONTROL_IS_OFF "
    "SDKERR_FILETRANSFER_ERROR",
    start=0,
)
AuthResult = Enum(
    "AuthResult",
    "AUTHRET_SUCCESS AUTHRET_KEYORSECRETEMPTY AUTHRET_KEYORSECRETWRONG AUTHRET_ACCOUNTNOTSUPPORT "
    "AUTHRET_ACCOUNTNOTENABLESDK AUTHRET_UNKNOWN AUTHRET_SERVICE_BUSY AUTHRET_NONE AUTHRET_OVERTIME "
    "AUTHRET_NETWORKISSUE AUTHRET_CLIENT_INCOMPATIBLE AUTHRET_JWTTOKENWRONG AUTHRET_LIMIT_EXCEEDED_EXCEPTION",
    start=0,
)
MeetingStatus = Enum(
    "MeetingStatus",
    "MEETING_STATUS_IDLE MEETING_STATUS_CONNECTING MEETING_STATUS_WAITINGFORHOST MEETING_STATUS_INMEETING "
    "MEETING_STATUS_DISCONNECTING MEETING_STATUS_RECONNECTING MEETING_STATUS_FAILED MEETING_STATUS_ENDED "
    "MEETING_STATUS_UNKNOWN MEETING_STATUS_LOCKED MEETING_STATUS_UNLOCKED MEETING_STATUS_IN_WAITING_ROOM "
    "MEETING_STATUS_WEBINAR_PROMOTE MEETING_STATUS_WEBINAR_DEPROMOTE MEETING_STATUS_JOIN_BREAKOUT_ROOM "
    "MEETING_STATUS_LEAVE_BREAKOUT_ROOM",
    start=0,
)
# The failure codes the rehearsal answers with (the listing's names; the numbers are the rehearsal's own).
MeetingFailCode = Enum(
    "MeetingFailCode",
    {
        "MEETING_SUCCESS": 0,
        "MEETING_FAIL_PASSWORD_ERR": 4,
        "MEETING_FAIL_MEETING_NOT_START": 7,
        "MEETING_FAIL_MEETING_NOT_EXIST": 8,
        "MEETING_FAIL_CONFLOCKED": 12,
        "MEETING_FAIL_CANNOT_START_TOKENEXPIRE": 17,
        "MEETING_FAIL_ENFORCE_LOGIN": 23,
        "CONF_FAIL_REMOVED_BY_HOST": 31,
        "MEETING_FAIL_APP_CAN_NOT_ANONYMOUS_JOIN_MEETING": 43,
        "MEETING_FAIL_ON_BEHALF_TOKEN_INVALID": 44,
    },
)
UserRole = Enum(
    "UserRole",
    "USERROLE_NONE USERROLE_HOST USERROLE_COHOST USERROLE_PANELIST USERROLE_BREAKOUTROOM_MODERATOR USERROLE_ATTENDEE",
    start=0,
)
LeaveMeetingCmd = Enum("LeaveMeetingCmd", "LEAVE_MEETING END_MEETING", start=0)
SDKUserType = Enum("SDKUserType", "SDK_UT_NORMALUSER SDK_UT_WITHOUT_LOGIN", start=0)
SDK_LANGUAGE_ID = Enum("SDK_LANGUAGE_ID", "LANGUAGE_Unknown LANGUAGE_English", start=0)

ENUMS = (SDKError, AuthResult, MeetingStatus, MeetingFailCode, UserRole, LeaveMeetingCmd, SDKUserType, SDK_LANGUAGE_ID)

OK = SDKError.SDKERR_SUCCESS
_ROLES = {"host": UserRole.USERROLE_HOST, "cohost": UserRole.USERROLE_COHOST, "attendee": UserRole.USERROLE_ATTENDEE}


def _callbacks_class(name: str, members: tuple[str, ...]) -> type:
    """A callbacks class like the binding's: keyword arguments ``<member>Callback``, each optional."""

    def __init__(self: Any, **callbacks: Callable[..., None]) -> None:
        allowed = {f"{member}Callback" for member in members}
        unknown = set(callbacks) - allowed
        if unknown:
            raise TypeError(f"{name}.__init__() got unexpected keyword arguments {sorted(unknown)}")
        self._callbacks = callbacks

    def _fire(self: Any, member: str, *args: Any) -> None:
        callback = self._callbacks.get(f"{member}Callback")
        if callback is not None:
            callback(*args)

    return type(name, (), {"__init__": __init__, "fire": _fire, "_surface_class": name})


MeetingServiceEventCallbacks = _callbacks_class(
    "MeetingServiceEventCallbacks", ("onMeetingStatusChanged", "onMeetingParameterNotification")
)
AuthServiceEventCallbacks = _callbacks_class("AuthServiceEventCallbacks", ("onAuthenticationReturn",))
MeetingParticipantsCtrlEventCallbacks = _callbacks_class(
    "MeetingParticipantsCtrlEventCallbacks",
    ("onUserJoin", "onUserLeft", "onHostChangeNotification", "onCoHostChangeNotification", "onUserNamesChanged"),
)


class InitParam:
    _surface_class = "InitParam"

    def __init__(self) -> None:
        self.strWebDomain = ""
        self.strSupportUrl = ""
        self.enableGenerateDump = False
        self.enableLogByDefault = False
        self.emLanguageID = SDK_LANGUAGE_ID.LANGUAGE_Unknown


class AuthContext:
    _surface_class = "AuthContext"

    def __init__(self) -> None:
        self.jwt_token = ""


class JoinParam4WithoutLogin:
    _surface_class = "JoinParam4WithoutLogin"

    def __init__(self) -> None:
        self.meetingNumber = 0
        self.userName = ""
        self.psw = ""
        self.isVideoOff = False
        self.isAudioOff = False
        self.userZAK = ""
        self.onBehalfToken = ""
        self.customer_key = ""


class JoinParam:
    _surface_class = "JoinParam"

    def __init__(self) -> None:
        self.userType = SDKUserType.SDK_UT_NORMALUSER
        self.param = JoinParam4WithoutLogin()


@dataclass
class _User:
    """IUserInfo for one rehearsal participant (or the assistant itself)."""

    _surface_class = "IUserInfo"
    user_id: int
    name: str
    where: str
    role: UserRole = UserRole.USERROLE_ATTENDEE
    myself: bool = False
    persistent_id: str = ""  # Zoom's participant_uuid: the same person for the whole meeting

    def GetUserID(self) -> int:  # noqa: N802 - the binding's names
        return self.user_id

    def GetPersistentId(self) -> str:  # noqa: N802
        return self.persistent_id

    def GetUserName(self) -> str:  # noqa: N802
        return self.name

    def IsInWaitingRoom(self) -> bool:  # noqa: N802
        return self.where == "waiting"

    def GetUserRole(self) -> UserRole:  # noqa: N802
        return self.role

    def IsHost(self) -> bool:  # noqa: N802
        return self.role is UserRole.USERROLE_HOST

    def IsMySelf(self) -> bool:  # noqa: N802
        return self.myself


#: Where a participant is after each of the rehearsal Zoom's events.
_WHERE_AFTER = {
    "meeting.participant_joined_waiting_room": "waiting",
    "meeting.participant_put_in_waiting_room": "waiting",
    "meeting.participant_joined": "meeting",
    "meeting.participant_left_waiting_room": "left",
    "meeting.participant_left": "left",
}


class _Meeting:
    """What one assistant session knows: which meeting, where it is itself and with which role."""

    def __init__(self, binding: RehearsalBinding) -> None:
        self.binding = binding
        self.meeting_id: int | None = None
        self.my_id: int | None = None  # the assistant's own participant, once Zoom has taken it in
        self.my_where = ""  # waiting | meeting | "" (not in the meeting, or still joining)
        self.my_uuid = ""  # its participant_uuid, as Zoom's events give it
        self.role = UserRole.USERROLE_ATTENDEE
        self.participant_events: Any = None
        self.known: dict[int, tuple[str, str]] = {}  # user id -> (name, where), as the meeting's events said
        self.uuids: dict[int, str] = {}  # user id -> participant_uuid, as the meeting's events said
        self.ended = False
        self._said_ended = False

    @property
    def state(self) -> Any:
        return self.binding.state

    def host_rights(self) -> bool:
        return self.my_where == "meeting" and self.role in (UserRole.USERROLE_HOST, UserRole.USERROLE_COHOST)

    def heard(self, name: str, person: dict[str, Any]) -> None:
        """Keep what one of this meeting's events says about a participant (called in the events' order)."""
        if name == "meeting.ended":
            self.ended = True
            return
        if not person.get("user_id"):
            return
        user_id = int(person["user_id"])
        if person.get("participant_uuid"):
            self.uuids[user_id] = str(person["participant_uuid"])
        display_name = str(person.get("user_name") or "")
        where = _WHERE_AFTER.get(name) or self.known.get(user_id, ("", ""))[1]
        if where:  # any other event (an admission, a rename) keeps where they are and brings their name up to date
            self.known[user_id] = (display_name, where)

    def person(self, user_id: int) -> _User | None:
        if user_id == self.my_id and self.my_where:
            return _User(user_id, self.binding.display_name, self.my_where, self.role, myself=True, persistent_id=self.my_uuid)
        if self.my_where != "meeting":
            return None  # from the waiting room (or outside) the assistant sees nobody
        if user_id in self.known:
            name, where = self.known[user_id]
        else:
            found = self.query(lambda: self.state.participant(self.meeting_id, user_id), None)
            if found is None:
                return None
            name, where = found.display_name, found.where
            self.uuids.setdefault(user_id, getattr(found, "participant_uuid", "") or "")
        if where == "left" or self.ended:
            return None
        return _User(user_id, name, where, persistent_id=self.uuids.get(user_id, ""))

    def query(self, ask: Callable[[], Any], ended_answer: Any) -> Any:
        """Ask the state about the meeting; once it has ended, the answer Zoom gives then (and one calm line in the log)."""
        if not self.ended:
            try:
                return ask()
            except Exception:
                if not self.ended:  # the meeting's end is heard before any answer that came after it
                    raise
        if not self._said_ended:
            self._said_ended = True
            log.info("the rehearsal meeting has ended; the assistant has nothing more to watch")
        return ended_answer

    def controlled(self, change: Callable[[], object]) -> SDKError:
        """Carry out a host control: refused without co-host rights, WRONG_USAGE when Zoom would refuse."""
        if self.meeting_id is None or self.my_where != "meeting":
            return SDKError.SDKERR_NOT_IN_MEETING
        if not self.host_rights():
            return SDKError.SDKERR_NO_PERMISSION
        done = self.query(change, SDKError.SDKERR_NOT_IN_MEETING)
        if done is SDKError.SDKERR_NOT_IN_MEETING:
            return done
        return OK if done is not False else SDKError.SDKERR_WRONG_USAGE


class _WaitingRoomController:
    _surface_class = "IMeetingWaitingRoomController"

    def __init__(self, meeting: _Meeting) -> None:
        self._m = meeting
        self._on_entry = True
        self._listed: dict[int, _User] = {}  # from the last GetWaitingRoomLst: one round trip per look

    def GetWaitingRoomLst(self) -> list[int]:  # noqa: N802
        if not self._m.host_rights():
            self._listed = {}
            return []  # only the host and co-hosts see who is waiting
        people = self._m.query(lambda: self._m.state.waiting_room(self._m.meeting_id), [])
        self._listed = {
            p.user_id: _User(p.user_id, p.display_name, "waiting", persistent_id=getattr(p, "participant_uuid", "") or "")
            for p in people
            if p.user_id != self._m.my_id
        }
        return list(self._listed)

    def GetWaitingRoomUserInfoByID(self, user_id: int) -> _User | None:  # noqa: N802
        if not self._m.host_rights():
            return None
        if user_id in self._listed and user_id not in self._m.known:  # the list is all the binding knows
            return self._listed[user_id]
        person = self._m.person(user_id)
        return person if person is not None and person.where == "waiting" else None

    def AdmitToMeeting(self, user_id: int) -> SDKError:  # noqa: N802
        return self._m.controlled(lambda: self._m.state.admit(self._m.meeting_id, user_id))

    def AdmitAllToMeeting(self) -> SDKError:  # noqa: N802
        return self._m.controlled(lambda: self._m.state.admit_all(self._m.meeting_id) >= 0)

    def PutInWaitingRoom(self, user_id: int) -> SDKError:  # noqa: N802
        return self._m.controlled(lambda: self._m.state.put_in_waiting_room(self._m.meeting_id, user_id))

    def ExpelUser(self, user_id: int) -> SDKError:  # noqa: N802
        return self._m.controlled(lambda: self._m.state.expel(self._m.meeting_id, user_id))

    def EnableWaitingRoomOnEntry(self, enabled: bool) -> SDKError:  # noqa: N802
        def switch() -> None:
            self._on_entry = bool(enabled)

        return self._m.controlled(switch)

    def IsWaitingRoomOnEntryFlagOn(self) -> bool:  # noqa: N802
        return self._on_entry


class _ParticipantsController:
    _surface_class = "IMeetingParticipantsController"

    def __init__(self, meeting: _Meeting) -> None:
        self._m = meeting

    def SetEvent(self, events: Any) -> SDKError:  # noqa: N802
        self._m.participant_events = events
        return OK

    def GetMySelfUser(self) -> _User | None:  # noqa: N802
        return self._m.person(self._m.my_id) if self._m.my_id is not None else None

    def GetParticipantsList(self) -> list[int]:  # noqa: N802
        if self._m.my_where != "meeting":
            return []
        return [p.user_id for p in self._m.query(lambda: self._m.state.in_meeting(self._m.meeting_id), [])]

    def GetUserByUserID(self, user_id: int) -> _User | None:  # noqa: N802
        return self._m.person(user_id)

    def ExpelUser(self, user_id: int) -> SDKError:  # noqa: N802
        return self._m.controlled(lambda: self._m.state.expel(self._m.meeting_id, user_id))

    def AllowParticipantsToChat(self, allowed: bool) -> SDKError:  # noqa: N802
        return self._m.controlled(lambda: self._m.state.set_chat_allowed(self._m.meeting_id, bool(allowed)))

    def AllowParticipantsToUnmuteSelf(self, allowed: bool) -> SDKError:  # noqa: N802
        return self._m.controlled(lambda: self._m.binding.unmute_self.__setitem__(0, bool(allowed)))

    def AllowParticipantsToRename(self, allowed: bool) -> SDKError:  # noqa: N802
        return self._m.controlled(lambda: self._m.state.set_rename_allowed(self._m.meeting_id, bool(allowed)))


class _AudioController:
    _surface_class = "IMeetingAudioController"

    def __init__(self, meeting: _Meeting) -> None:
        self._m = meeting

    def MuteAudio(self, userid: int, allowUnmuteBySelf: bool = True) -> SDKError:  # noqa: N802, N803
        if userid != 0:
            return SDKError.SDKERR_NO_IMPL  # the rehearsal mutes everyone or no one
        return self._m.controlled(lambda: self._m.state.mute_all(self._m.meeting_id, allow_self_unmute=bool(allowUnmuteBySelf)))


class _ShareController:
    _surface_class = "IMeetingShareController"

    def __init__(self, meeting: _Meeting) -> None:
        self._m = meeting

    def StopShare(self) -> SDKError:  # noqa: N802
        """Its own share; another's only where the rules are lenient, and then only with host rights."""
        m = self._m
        if m.meeting_id is None or m.my_where != "meeting" or m.my_id is None:
            return SDKError.SDKERR_NOT_IN_MEETING
        answer = m.query(lambda: m.state.sdk_stop_share(m.meeting_id, m.my_id, host_rights=m.host_rights()), "SDKERR_NOT_IN_MEETING")
        return OK if answer == "stopped" else SDKError[answer]

    def LockShare(self, locked: bool) -> SDKError:  # noqa: N802
        return self._m.controlled(lambda: self._m.state.lock_share(self._m.meeting_id, bool(locked)))


class _MeetingService:
    _surface_class = "IMeetingService"

    def __init__(self, binding: RehearsalBinding) -> None:
        self._b = binding
        self._m = _Meeting(binding)
        self._events: Any = None
        self._controllers = (
            _WaitingRoomController(self._m),
            _ParticipantsController(self._m),
            _AudioController(self._m),
            _ShareController(self._m),
        )
        self._unsubscribe: Callable[[], None] | None = None
        self._joining: dict[str, Any] | None = None  # what Join was given, until Zoom has taken the assistant in
        self._leaving = False

    def SetEvent(self, events: Any) -> SDKError:  # noqa: N802
        self._events = events
        return OK

    def GetMeetingWaitingRoomController(self) -> _WaitingRoomController:  # noqa: N802
        return self._controllers[0]

    def GetMeetingParticipantsController(self) -> _ParticipantsController:  # noqa: N802
        return self._controllers[1]

    def GetMeetingAudioController(self) -> _AudioController:  # noqa: N802
        return self._controllers[2]

    def GetMeetingShareController(self) -> _ShareController:  # noqa: N802
        return self._controllers[3]

    def GetMeetingStatus(self) -> MeetingStatus:  # noqa: N802
        where = self._m.my_where
        if where == "meeting":
            return MeetingStatus.MEETING_STATUS_INMEETING
        if where == "waiting":
            return MeetingStatus.MEETING_STATUS_IN_WAITING_ROOM
        return MeetingStatus.MEETING_STATUS_IDLE

    def _status(self, value: MeetingStatus, code: int = 0) -> None:
        self._b.later(lambda: self._events.fire("onMeetingStatusChanged", value, code))

    def Join(self, join_param: JoinParam) -> SDKError:  # noqa: N802
        b = self._b
        if not b.authenticated:
            return SDKError.SDKERR_UNAUTHENTICATION
        if self._m.meeting_id is not None:
            return SDKError.SDKERR_WRONG_USAGE  # already joining or in a meeting
        param = join_param.param
        b.display_name = param.userName
        self._m.meeting_id = int(param.meetingNumber)
        self._joining = {
            "display_name": param.userName,
            "passcode": param.psw,
            "app_key": b.app_key,
            "zak": getattr(param, "userZAK", "") or "",
            "on_behalf": getattr(param, "onBehalfToken", "") or "",
            "customer_key": getattr(param, "customer_key", "") or "",
        }
        self._leaving = False
        self._unsubscribe = b.state.subscribe(self._state_event)
        self._status(MeetingStatus.MEETING_STATUS_CONNECTING)
        b.later(self._try_join)
        return OK

    def _try_join(self) -> None:
        """On the main loop: ask Zoom to take the assistant in, and tell the adapter where it landed."""
        joining, number = self._joining, self._m.meeting_id
        if joining is None or number is None:
            return
        try:
            answer = self._b.state.sdk_join(number, **joining)
        except Exception:  # noqa: BLE001 - the rehearsal Zoom went away: Zoom's "could not connect"
            log.exception("the rehearsal Zoom did not answer the assistant's join")
            answer = {"failed": "MEETING_FAIL_MEETING_NOT_EXIST"}
        if "failed" in answer:
            self._gone()
            self._events.fire("onMeetingStatusChanged", MeetingStatus.MEETING_STATUS_FAILED, MeetingFailCode[answer["failed"]].value)
            return
        if answer["status"] == "waiting_for_host":
            self._events.fire("onMeetingStatusChanged", MeetingStatus.MEETING_STATUS_WAITINGFORHOST, 0)
            return  # joined for real when the meeting starts (see _on_event)
        self._joining = None
        m = self._m
        m.my_id = int(answer["user_id"])
        m.my_uuid = str(answer.get("participant_uuid") or "")
        m.role = _ROLES.get(str(answer.get("role")), UserRole.USERROLE_ATTENDEE)
        m.my_where = "waiting" if answer["status"] == "waiting_room" else "meeting"
        if m.my_where == "waiting":
            self._events.fire("onMeetingStatusChanged", MeetingStatus.MEETING_STATUS_IN_WAITING_ROOM, 0)
        else:
            self._events.fire("onMeetingStatusChanged", MeetingStatus.MEETING_STATUS_INMEETING, 0)
        if self._b.cohost_on_join:  # this binding's host makes it co-host at once (a test about something else)
            self._b.state.host_admits_assistant(number)

    def _gone(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._joining = None
        self._m.meeting_id = None
        self._m.my_where = ""

    def make_cohost(self) -> None:
        """What the teacher's click on Make co-host does (a test's shortcut: the rehearsal's host does it)."""
        if self._m.meeting_id is not None and self._m.my_id is not None:
            self._b.state.make_cohost(self._m.meeting_id, self._m.my_id)

    def make_host(self) -> None:
        self._m.role = UserRole.USERROLE_HOST
        self._participant_event("onHostChangeNotification", self._m.my_id)

    def _participant_event(self, member: str, *args: Any) -> None:
        events = self._m.participant_events
        if events is not None:
            events.fire(member, *args)

    def _state_event(self, event: dict[str, Any]) -> None:
        """Runs under the rehearsal state's lock, in the events' order: keep what it says about the participant
        at once (as the SDK's own list is up to date the moment Zoom moves someone), and queue the rest for the
        main loop; never call back in."""
        meeting = event.get("payload", {}).get("object", {})
        if str(meeting.get("id")) != str(self._m.meeting_id):
            return  # another meeting's
        name, person = str(event.get("event")), meeting.get("participant") or {}
        self._m.heard(name, person)
        self._b.later(lambda: self._on_event(name, person, event.get("rehearsal") or {}))

    def _on_event(self, name: str, person: dict[str, Any], extra: dict[str, Any]) -> None:
        """On the main loop, in the events' order: what the SDK tells the assistant about it."""
        m = self._m
        if m.meeting_id is None:
            return
        if name == "meeting.started" and self._joining is not None:
            self._try_join()  # the host has started it: the join that waited for the host goes on
            return
        user_id = int(person["user_id"]) if person.get("user_id") else None
        if user_id is not None and user_id == m.my_id:
            self._about_myself(name, extra)
            return
        if name == "meeting.ended":
            m.my_where = ""
            self._events.fire("onMeetingStatusChanged", MeetingStatus.MEETING_STATUS_ENDED, 0)
            return
        if user_id is None or m.my_where != "meeting":
            return  # from the waiting room the assistant hears nothing of the meeting
        if name == "meeting.participant_joined":
            self._participant_event("onUserJoin", [user_id], "")
        elif name in ("meeting.participant_left", "meeting.participant_put_in_waiting_room"):
            self._participant_event("onUserLeft", [user_id], "")
        elif name == "rehearsal.role_changed":
            self._participant_event("onCoHostChangeNotification", user_id, extra.get("role") == "cohost")

    def _about_myself(self, name: str, extra: dict[str, Any]) -> None:
        m = self._m
        if name == "meeting.participant_admitted" and m.my_where == "waiting":
            m.my_where = "meeting"
            self._events.fire("onMeetingStatusChanged", MeetingStatus.MEETING_STATUS_INMEETING, 0)
        elif name == "meeting.participant_put_in_waiting_room":
            m.my_where = "waiting"
            m.role = UserRole.USERROLE_ATTENDEE
            self._events.fire("onMeetingStatusChanged", MeetingStatus.MEETING_STATUS_IN_WAITING_ROOM, 0)
        elif name == "rehearsal.role_changed":
            m.role = _ROLES.get(str(extra.get("role")), UserRole.USERROLE_ATTENDEE)
            self._participant_event("onCoHostChangeNotification", m.my_id, m.role is UserRole.USERROLE_COHOST)
        elif name in ("meeting.participant_left", "meeting.participant_left_waiting_room") and not self._leaving:
            still_on = m.query(lambda: m.state.is_live(m.meeting_id), False)
            if still_on:  # removed by the host (when the meeting ends, its end says so)
                self._gone()
                self._events.fire("onMeetingStatusChanged", MeetingStatus.MEETING_STATUS_FAILED, MeetingFailCode.CONF_FAIL_REMOVED_BY_HOST.value)

    def Leave(self, command: LeaveMeetingCmd) -> SDKError:  # noqa: N802
        m = self._m
        if m.meeting_id is None:
            return SDKError.SDKERR_NOT_IN_MEETING
        if command is LeaveMeetingCmd.END_MEETING:
            if m.role is not UserRole.USERROLE_HOST or m.my_where != "meeting":
                return SDKError.SDKERR_NO_PERMISSION  # as in Zoom: a co-host cannot end the meeting
            self._b.state.end_meeting(m.meeting_id)
            return OK
        self._leaving = True
        if m.my_id is not None and m.my_where:
            with contextlib.suppress(Exception):  # the meeting may have ended already
                self._b.state.leave(m.meeting_id, m.my_id, reason=f"{self._b.display_name} left the meeting.")
        self._gone()
        return OK


class _LockingMeetingService(_MeetingService):
    """A meeting service from a binding that does bind Zoom's LockMeeting/UnlockMeeting."""

    def LockMeeting(self) -> SDKError:  # noqa: N802
        return self._m.controlled(lambda: self._b.state.set_locked(self._m.meeting_id, True))

    def UnlockMeeting(self) -> SDKError:  # noqa: N802
        return self._m.controlled(lambda: self._b.state.set_locked(self._m.meeting_id, False))


class _AuthService:
    _surface_class = "IAuthService"

    def __init__(self, binding: RehearsalBinding) -> None:
        self._b = binding
        self._events: Any = None

    def SetEvent(self, events: Any) -> SDKError:  # noqa: N802
        self._events = events
        return OK

    def SDKAuth(self, context: AuthContext) -> SDKError:  # noqa: N802
        """Zoom checks the JWT (signature, claims, expiry: the state's ``check_sdk_jwt``) and answers later."""
        token = context.jwt_token
        try:
            answer = str(self._b.state.check_sdk_jwt(token))
        except Exception:  # noqa: BLE001 - the rehearsal Zoom went away: Zoom's network trouble
            log.exception("the rehearsal Zoom did not answer the assistant's sign-in")
            answer = "AUTHRET_NETWORKISSUE"
        result = AuthResult[answer] if answer in AuthResult.__members__ else AuthResult.AUTHRET_UNKNOWN
        ok = result is AuthResult.AUTHRET_SUCCESS
        self._b.authenticated = ok
        if ok:
            self._b.app_key = str(jwt.decode(token, options={"verify_signature": False}).get("appKey") or "")
        self._b.later(lambda: self._events.fire("onAuthenticationReturn", result))
        return OK


class RehearsalBinding:
    """The binding the rehearsal assistant runs on. ``state`` is a ZoomState or a RemoteZoomState.

    ``cohost_on_join``: the rehearsal's host admits this assistant and makes it co-host as soon as it
    arrives (for tests about something else; the strict rules otherwise leave that to the teacher).
    """

    def __init__(self, *, state: Any, cohost_on_join: bool = False, with_lock_meeting: bool = False) -> None:
        self.state = state
        self.cohost_on_join = cohost_on_join
        self.with_lock_meeting = with_lock_meeting
        self.authenticated = False
        self.app_key = ""
        self.initialised = False
        self.display_name = ""
        self.unmute_self = [True]
        self.services: list[_MeetingService] = []
        self._main_loop = QueueMainLoop(name="rehearsal-sdk-main-loop")
        for enum in ENUMS:
            setattr(self, enum.__name__, enum)
            for member in enum:
                setattr(self, member.name, member)

    InitParam = InitParam
    AuthContext = AuthContext
    JoinParam = JoinParam
    JoinParam4WithoutLogin = JoinParam4WithoutLogin
    MeetingServiceEventCallbacks = MeetingServiceEventCallbacks
    AuthServiceEventCallbacks = AuthServiceEventCallbacks
    MeetingParticipantsCtrlEventCallbacks = MeetingParticipantsCtrlEventCallbacks

    @property
    def sdk_main_loop(self) -> QueueMainLoop:
        """The binding's one thread: its callbacks come here, and every SDK call must be made here."""
        return self._main_loop

    def later(self, callback: Callable[[], None]) -> None:
        """Deliver a callback on the binding's main loop, after the call that caused it returns."""
        self._main_loop.call_soon(callback)

    def InitSDK(self, param: InitParam) -> SDKError:  # noqa: N802
        self.initialised = True
        return OK

    def CreateMeetingService(self) -> _MeetingService:  # noqa: N802
        service = (_LockingMeetingService if self.with_lock_meeting else _MeetingService)(self)
        self.services.append(service)
        return service

    def CreateAuthService(self) -> _AuthService:  # noqa: N802
        return _AuthService(self)

    def DestroyMeetingService(self, service: _MeetingService) -> SDKError:  # noqa: N802
        return OK

    def DestroyAuthService(self, service: _AuthService) -> SDKError:  # noqa: N802
        return OK

    def CleanUPSDK(self) -> SDKError:  # noqa: N802
        self._main_loop.close()
        return OK

    def make_cohost(self) -> None:
        """The teacher clicks Make co-host on the assistant."""
        for service in self.services:
            service.make_cohost()

    def make_host(self) -> None:
        for service in self.services:
            service.make_host()


# -- the state in another process ------------------------------------------------------------------

#: The ZoomState methods the rehearsal binding calls, which the bridge serves.
BRIDGED = (
    "meeting_password", "is_live", "waiting_room", "in_meeting", "participant", "admit", "admit_all",
    "put_in_waiting_room", "expel", "mute_all", "set_chat_allowed", "stop_share", "lock_share",
    "set_locked", "end_meeting", "leave", "check_sdk_jwt", "sdk_join", "sdk_role", "sdk_stop_share",
    "set_rename_allowed", "make_cohost", "host_admits_assistant",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Person:
    user_id: int
    display_name: str
    where: str
    participant_uuid: str = ""


@dataclass(frozen=True, slots=True)
class _MeetingInfo:
    password: str


def _person(p: Any) -> dict[str, Any]:
    return {"user_id": p.user_id, "display_name": p.display_name, "where": p.where, "participant_uuid": p.participant_uuid}


class RehearsalBridge:
    """Serves one ZoomState's host controls and events on loopback, for a rehearsal assistant in another process.

    Each frame to a client is ``{"events": [...]}``, a reply ``{"id": …, "result" | "error": …}``, or both.
    A call is answered first, and the events it caused follow (``ZoomState.answer_first``), as Zoom's
    server answers the Meeting SDK without waiting on other clients' notifications; events that
    happened before the call go ahead of its answer, in its frame. Events from elsewhere that happen
    together share a frame, and every client hears every event in the order it happened. A client
    reads a frame's events before its answer.

    When a client goes away (its assistant process was killed), the participants it joined leave
    the meeting, as Zoom drops a client that stops answering.
    """

    def __init__(self, *, state: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = state
        self._host = host
        self._port = port
        self._server: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._clients: dict[ServerConnection, asyncio.Queue[str]] = {}  # each client's frames, sent in order
        self._unsubscribe: Callable[[], None] | None = None
        self._events: list[dict[str, Any]] = []  # happened, not yet sent
        self._events_lock = threading.Lock()
        self._flush_due = False
        self._loop_thread = 0
        self.url = ""

    async def start(self) -> str:
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._server = await serve(self._serve, self._host, self._port, compression=None)
        port = next(iter(self._server.sockets)).getsockname()[1]
        self.url = f"ws://{self._host}:{port}"
        self._unsubscribe = self.state.subscribe(self._state_event)
        return self.url

    async def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def _state_event(self, event: dict[str, Any]) -> None:
        """Runs on whichever thread changed the state: keep the event, and have the loop send what is kept."""
        loop = self._loop
        if loop is None:
            return
        with self._events_lock:
            self._events.append(event)
            if self._flush_due:
                return
            self._flush_due = True
        try:
            if threading.get_ident() == self._loop_thread:
                loop.call_soon(self._flush)  # the bridge's own call: no need to wake its loop
            else:
                loop.call_soon_threadsafe(self._flush)
        except RuntimeError:  # the loop has stopped: nobody is listening any more
            pass

    def _take_events(self) -> list[dict[str, Any]]:
        with self._events_lock:
            events, self._events = self._events, []
            self._flush_due = False
        return events

    def _flush(self, *, reply_to: ServerConnection | None = None, reply: dict[str, Any] | None = None) -> None:
        """Queue the kept events for every client, in one frame each (with ``reply`` for ``reply_to``)."""
        events = self._take_events()
        shared = json.dumps({"events": events}) if events else None  # written once for every listener
        for client, frames in self._clients.items():
            if client is reply_to and reply is not None:
                frames.put_nowait(json.dumps({"events": events, **reply} if events else reply))
            elif shared is not None:
                frames.put_nowait(shared)

    async def _serve(self, connection: ServerConnection) -> None:
        frames: asyncio.Queue[str] = asyncio.Queue()
        self._clients[connection] = frames
        writer = asyncio.ensure_future(self._write(connection, frames))
        joined: list[tuple[Any, int]] = []  # (meeting, participant) this client's assistant joined as
        try:
            async for raw in connection:
                request = json.loads(raw)
                # Straight on the loop: each call holds the state's lock for microseconds, as Zoom answers at once.
                with self.state.answer_first():
                    reply = self._call(request["method"], request.get("args", []), request.get("kwargs", {}))
                result = reply.get("result")
                if request["method"] == "sdk_join" and isinstance(result, dict) and "user_id" in result:
                    joined.append((request.get("args", [None])[0], int(result["user_id"])))
                self._flush(reply_to=connection, reply={"id": request["id"], **reply})
                # Then what the call caused, to every listener, once the answer is on its way.
                asyncio.get_running_loop().call_soon(self.state.deliver_held)
        except ConnectionClosed:
            pass
        finally:
            self._clients.pop(connection, None)
            writer.cancel()
            for meeting, user_id in joined:
                with contextlib.suppress(Exception):  # the meeting may have ended, or it left already
                    self.state.leave(meeting, user_id, reason="The host assistant's connection was lost.")

    @staticmethod
    async def _write(connection: ServerConnection, frames: asyncio.Queue[str]) -> None:
        try:
            while True:
                await connection.send(await frames.get())
        except ConnectionClosed:
            pass

    def _call(self, method: str, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
        if method not in BRIDGED:
            return {"error": f"not a bridged method: {method}"}
        try:
            if method == "meeting_password":
                return {"result": self.state.meeting(*args).password}
            result = getattr(self.state, method)(*args, **kwargs)
        except Exception as err:  # noqa: BLE001 - the caller hears the failure, the bridge goes on
            return {"error": f"{err.__class__.__name__}: {err}"}
        if isinstance(result, list):
            return {"result": [_person(p) for p in result]}
        if hasattr(result, "user_id"):
            return {"result": _person(result)}
        return {"result": result}


class RemoteZoomState:
    """A ZoomState in another process, through its RehearsalBridge (only what the rehearsal binding needs)."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self._open = contextlib.ExitStack()  # the connection lives as long as this object, closed by close()
        try:
            self._connection: ClientConnection = self._open.enter_context(connect(url, open_timeout=timeout, compression=None))
        except (OSError, TimeoutError) as err:
            raise AssistantError(
                f"The rehearsal Zoom at {url} cannot be reached.", hint="Start the rehearsal first."
            ) from err
        self._timeout = timeout
        self._ids = itertools.count(1)
        self._waiting: dict[int, Future[dict[str, Any]]] = {}
        self._subscribers: list[Callable[[dict[str, Any]], None]] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, name="rehearsal-bridge", daemon=True)
        self._reader.start()

    def sdk_binding(self) -> RehearsalBinding:
        """A fresh Meeting SDK binding played on the remote account, for a host assistant in this process."""
        return RehearsalBinding(state=self)

    def _read(self) -> None:
        try:
            for raw in self._connection:
                message = json.loads(raw)
                for event in message.get("events", ()):  # before the answer: they happened first
                    for callback in list(self._subscribers):
                        callback(event)
                if "id" not in message:
                    continue
                future = self._waiting.pop(message["id"], None)
                if future is not None:
                    future.set_result(message)
        except ConnectionClosed:
            pass
        for future in list(self._waiting.values()):
            future.set_result({"error": "the rehearsal Zoom went away"})

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        request_id = next(self._ids)
        future: Future[dict[str, Any]] = Future()
        self._waiting[request_id] = future
        with self._lock:
            self._connection.send(json.dumps({"id": request_id, "method": method, "args": list(args), "kwargs": kwargs}))
        reply = future.result(self._timeout)
        if "error" in reply:
            raise AssistantError(f"The rehearsal Zoom refused {method}: {reply['error']}")
        return reply["result"]

    def subscribe(self, callback: Callable[[dict[str, Any]], None]) -> Callable[[], None]:
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    def meeting(self, meeting_id: int) -> _MeetingInfo:
        return _MeetingInfo(password=self._call("meeting_password", meeting_id))

    def is_live(self, meeting_id: int) -> bool:
        return bool(self._call("is_live", meeting_id))

    def waiting_room(self, meeting_id: int) -> list[_Person]:
        return [_Person(**p) for p in self._call("waiting_room", meeting_id)]

    def in_meeting(self, meeting_id: int) -> list[_Person]:
        return [_Person(**p) for p in self._call("in_meeting", meeting_id)]

    def participant(self, meeting_id: int, user_id: int) -> _Person | None:
        found = self._call("participant", meeting_id, user_id)
        return _Person(**found) if found else None

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name in BRIDGED:
            return lambda *args, **kwargs: self._call(name, *args, **kwargs)
        raise AttributeError(name)

    def close(self) -> None:
        self._open.close()
