"""Drives Zoom's Meeting SDK (the ``zoom-meeting-sdk`` Python binding) for the host assistant.

The adapter signs in with an SDK JWT, joins the meeting as "Safeguarding assistant", works
out whether it has co-host rights (and which click grants them), turns SDK callbacks into
``MeetingEvent``s and carries out host controls, turning ``SDKError`` values into sentences.

It takes the binding as a parameter and calls only names that 0.0.27 really has (a test
checks every attribute it touches against the published listing). Names that a later binding
may add (``LockMeeting``, waiting-room callbacks) are probed with ``hasattr``, never assumed.
0.0.27 has no way to receive waiting-room callbacks in Python (``IMeetingWaitingRoomEvent``
has no constructor and no callbacks class), so the waiting room is watched by polling
``GetWaitingRoomLst``. Everything else is kept incrementally: a callback, a leave or a
command about one participant looks up that participant only, never the whole room.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from zoomhost.system import redact
from zoomhost.assistant.wire import (
    ADMIT_INSTRUCTION,
    COHOST_INSTRUCTION,
    DISPLAY_NAME,
    START_INSTRUCTION,
    AssistantStatus,
)
from zoomhost.core.control import ZOOM_CLIENT_STEPS, Capability, CapabilityInfo, How
from zoomhost.core.errors import ZoomhostError
from zoomhost.core.events import ASSISTANT_SELF, PARTICIPANT_UUID, EventKind, MeetingEvent

log = logging.getLogger(__name__)

#: Names a binding may or may not have; the adapter only ever probes these with hasattr.
OPTIONAL_NAMES = frozenset({"LockMeeting", "UnlockMeeting", "MeetingWaitingRoomEventCallbacks"})

#: Zoom's rules for the SDK JWT: at least 30 minutes, at most 48 hours.
JWT_LIFETIME = timedelta(hours=2)


class AssistantError(ZoomhostError):
    """The host assistant could not start, sign in or join."""


class AssistantUnavailable(AssistantError):
    """The host assistant cannot work here as things stand, and starting it again will not change that
    (GLib missing, the SDK key refused, the meeting closed to it): the panel falls back at once and says why."""


def make_sdk_jwt(*, sdk_key: str, sdk_secret: str, now: datetime | None = None, lifetime: timedelta = JWT_LIFETIME) -> str:
    """The JWT the Meeting SDK signs in with, signed with the SDK app's secret (HS256).

    Signed on the panel's side, so the SDK secret never leaves the teacher's keyring.
    """
    if not sdk_key or not sdk_secret:
        raise AssistantError(
            "The Meeting SDK key and secret are not set.",
            hint="Add them in Settings ▸ Zoom account (they come from the school's Meeting SDK app).",
        )
    if not timedelta(minutes=30) <= lifetime <= timedelta(hours=48):
        raise ValueError("an SDK JWT lives between 30 minutes and 48 hours")
    import jwt  # only the panel signs: the host assistant's own process never loads it (nor cryptography)

    issued = (now or datetime.now(UTC)) - timedelta(seconds=30)  # a little slack for clock drift
    expires = issued + lifetime
    token = jwt.encode(
        {
            "appKey": sdk_key,
            "iat": int(issued.timestamp()),
            "exp": int(expires.timestamp()),
            "tokenExp": int(expires.timestamp()),
        },
        sdk_secret,
        algorithm="HS256",
    )
    redact.register_secret(token)
    return token


#: SDKError names as sentences a teacher can act on.
SDK_ERRORS: dict[str, str] = {
    "SDKERR_NO_PERMISSION": f"Zoom refused: the assistant is not co-host. {COHOST_INSTRUCTION}.",
    "SDKERR_WRONG_USAGE": "Zoom refused that now; the person may already have left or moved.",
    "SDKERR_INVALID_PARAMETER": "Zoom does not know that participant any more; they may have left.",
    "SDKERR_NOT_IN_MEETING": "The assistant is not in the meeting.",
    "SDKERR_UNINITIALIZE": "The Meeting SDK has not started; restart the assistant.",
    "SDKERR_UNAUTHENTICATION": "The assistant is not signed in to Zoom; check the Meeting SDK key and secret.",
    "SDKERR_TOO_FREQUENT_CALL": "Zoom asked the assistant to slow down; try again in a moment.",
    "SDKERR_MEETING_DONT_SUPPORT_FEATURE": "This meeting does not allow that control (check the account's meeting settings).",
    "SDKERR_NO_IMPL": "This version of the Meeting SDK cannot do that.",
    "SDKERR_OTHER_SDK_INSTANCE_RUNNING": "Another Meeting SDK program is running on this computer; close it and restart the assistant.",
    "SDKERR_MEETING_NOT_SHARE_SENDER": (
        "Someone else is sharing, and Zoom's Meeting SDK stops only a share the assistant started itself: "
        "stop it in Zoom."
    ),
    "SDKERR_MEETING_YOU_HAVE_NO_SHARE": (
        "The assistant has no share of its own to stop, and Zoom's Meeting SDK cannot stop anyone else's: "
        "if someone is sharing, stop it in Zoom."
    ),
    "SDKERR_SERVICE_FAILED": "Zoom's SDK service failed; do it in the Zoom client.",
    "SDKERR_INTERNAL_ERROR": "Zoom's SDK hit an internal error; do it in the Zoom client.",
    "SDKERR_MEMORY_FAILED": "Zoom's SDK ran out of memory; restart the assistant.",
    "SDKERR_MODULE_LOAD_FAILED": "Zoom's SDK could not load a part it needs; reinstall the assistant.",
    "SDKERR_UNKNOWN": "Zoom's SDK failed without saying why; do it in the Zoom client.",
}

#: AuthResult names (signing in with the SDK JWT) as sentences.
AUTH_ERRORS: dict[str, str] = {
    "AUTHRET_KEYORSECRETEMPTY": "The Meeting SDK key or secret is empty.",
    "AUTHRET_KEYORSECRETWRONG": "Zoom does not accept the Meeting SDK key or secret.",
    "AUTHRET_JWTTOKENWRONG": "Zoom does not accept the assistant's sign-in token; check the Meeting SDK key and secret.",
    "AUTHRET_OVERTIME": "The assistant's sign-in token has expired; check this computer's clock.",
    "AUTHRET_ACCOUNTNOTSUPPORT": "This Zoom account does not support the Meeting SDK.",
    "AUTHRET_ACCOUNTNOTENABLESDK": "The Meeting SDK is not enabled for this Zoom account.",
    "AUTHRET_NETWORKISSUE": "The assistant cannot reach Zoom; check the network.",
    "AUTHRET_SERVICE_BUSY": "Zoom is busy; try starting the assistant again in a minute.",
    "AUTHRET_CLIENT_INCOMPATIBLE": "This Meeting SDK version is too old for Zoom; update the assistant.",
    "AUTHRET_LIMIT_EXCEEDED_EXCEPTION": "Zoom's limit for Meeting SDK sign-ins was reached; try again later.",
}

#: Why a meeting that requires authentication turns the assistant away, and what the teacher can do.
ENFORCE_LOGIN_WORDS = (
    "This meeting lets in only people signed in to Zoom (its settings require authentication), and the host "
    "assistant had no Zoom sign-in that passes it. Set the assistant's Zoom user in Settings to a user of the "
    "school's account on the domains the meeting allows, then start the session again."
)

#: MeetingFailCode names (joining) as sentences.
JOIN_ERRORS: dict[str, str] = {
    "MEETING_FAIL_PASSWORD_ERR": "Zoom did not accept the meeting passcode.",
    "MEETING_FAIL_MEETING_NOT_EXIST": "Zoom says this meeting does not exist; check the meeting number.",
    "MEETING_FAIL_MEETING_NOT_START": "The meeting has not started yet; start it in Zoom first.",
    "MEETING_FAIL_MEETING_OVER": "The meeting has already ended.",
    "MEETING_FAIL_CONFLOCKED": "The meeting is locked; unlock it in Zoom (Security ▸ Lock Meeting) so the assistant can join.",
    "MEETING_FAIL_MEETING_USER_FULL": "The meeting is full.",
    "CONF_FAIL_REMOVED_BY_HOST": "The assistant was removed from this meeting and cannot rejoin.",
    "MEETING_FAIL_APP_CAN_NOT_ANONYMOUS_JOIN_MEETING": (
        "Zoom lets the assistant into a meeting outside its Meeting SDK app's account only with a Zoom user's "
        "access key (ZAK): set the assistant's Zoom user in Settings, or host the meeting from the school's account."
    ),
    "MEETING_FAIL_CANNOT_START_TOKENEXPIRE": "Zoom did not accept the access key (ZAK) of the assistant's Zoom user; it may have expired.",
    "MEETING_FAIL_ON_BEHALF_TOKEN_INVALID": "Zoom did not accept the on-behalf token the assistant joined with.",
    "MEETING_FAIL_BLOCKED_BY_ACCOUNT_ADMIN": "The Zoom account's administrator blocks this app from joining.",
    "MEETING_FAIL_NEED_SIGN_IN_FOR_PRIVATE_MEETING": "Only signed-in users may join this meeting.",
    "MEETING_FAIL_ENFORCE_LOGIN": ENFORCE_LOGIN_WORDS,
    "MEETING_FAIL_HOST_DISALLOW_OUTSIDE_USER_JOIN": "The meeting only admits users of the school's account.",
    "MEETING_FAIL_CONNECTION_ERR": "The assistant could not connect to the meeting; check the network.",
}


def _myself(me: Any) -> dict[str, str]:
    """What an event about the assistant itself carries: that it is itself, and its persistent id (Zoom's
    participant_uuid), by which the panel knows it under whatever user id Zoom's event stream gives it."""
    extra = {ASSISTANT_SELF: "true"}
    getter = getattr(me, "GetPersistentId", None)
    persistent = getter() if getter is not None else None
    if isinstance(persistent, str) and persistent:
        extra[PARTICIPANT_UUID] = persistent  # MeetingEvent caps its length
    return extra


def describe(name: str, table: dict[str, str]) -> str:
    return table.get(name) or f"Zoom's Meeting SDK answered {name}."


def _name(value: Any) -> str:
    return str(getattr(value, "name", value))


#: What the Meeting SDK can stop of a share, as the panel says it.
STOP_SHARE_LIMIT = (
    "Zoom's Meeting SDK stops only a share the assistant started itself, never a pupil's: "
    "a pupil's share is stopped in Zoom. Lock share (the assistant) stops anyone else starting one."
)


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    message: str
    manual_step: str | None = None  # the step in the Zoom client when only the teacher can do it


class SdkAdapter:
    """One Meeting SDK session: sign in, join, watch, and carry out host controls.

    Call ``start``/``join``/commands/``poll`` from one thread (the SDK's); callbacks may come
    from any thread. ``on_event`` and ``on_status`` must be quick and thread-safe.
    """

    def __init__(
        self,
        *,
        binding: Any,
        on_event: Callable[[MeetingEvent], None],
        on_status: Callable[[AssistantStatus], None],
        web_domain: str = "https://zoom.us",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sdk = binding
        self._on_event = on_event
        self._on_status = on_status
        self._web_domain = web_domain
        self._clock = clock
        self._lock = threading.RLock()
        self._meeting_service: Any = None
        self._auth_service: Any = None
        self._callbacks: list[Any] = []  # the binding keeps only a pointer: keep the objects alive
        self._authenticated = False
        self._pending_join: tuple[int, str, str, str] | None = None
        self._meeting_id = ""
        self._my_id: int | None = None
        self._waiting: dict[int, str] = {}
        self._in_meeting: set[int] = set()
        self._held: set[int] = set()  # arrived after the meeting was locked
        self._locked = False
        self._look_now = False  # rights just came: look at the waiting room before saying so
        self._counters: defaultdict[tuple[str, int], int] = defaultdict(int)
        self._status = AssistantStatus(state="idle", rights="none", message="The assistant has not started.")

    # -- state ---------------------------------------------------------------------------

    @property
    def status(self) -> AssistantStatus:
        return self._status

    @property
    def lock_method(self) -> str:
        service = self._meeting_service
        if service is not None and hasattr(service, "LockMeeting") and hasattr(service, "UnlockMeeting"):
            return "lock_meeting"
        return "waiting_room_hold"

    def _set_status(self, state: str, rights: str, message: str, instruction: str | None = None) -> None:
        self._status = AssistantStatus(
            state=state, rights=rights, message=message, instruction=instruction, lock_method=self.lock_method
        )
        self._on_status(self._status)

    def capabilities(self) -> dict[Capability, CapabilityInfo]:
        """What the assistant can do right now, and what each button says."""
        status = self._status
        locks = self.lock_method == "lock_meeting"
        labels = {
            Capability.ADMIT: "Admit",
            Capability.ADMIT_ALL: "Admit all consented",
            Capability.PUT_IN_WAITING_ROOM: "Put in waiting room",
            Capability.REMOVE: "Remove",
            Capability.MUTE_ALL: "Mute all (no self-unmute)",
            Capability.CHAT_OFF: "Chat off",
            Capability.STOP_SHARE: "Stop share",
            Capability.LOCK_SHARE: "Lock share",
            Capability.LOCK: "Lock meeting" if locks else "Lock (hold every later arrival)",
            Capability.UNLOCK: "Unlock meeting" if locks else "Unlock (stop holding arrivals)",
            Capability.END_FOR_ALL: "End meeting for all",
            Capability.RENAME_OFF: "Renaming off",
        }
        explanations = {
            Capability.LOCK: (
                "Zoom's Lock Meeting: nobody else can join."
                if locks
                else "This Meeting SDK cannot lock a meeting: the waiting room is switched on for everyone "
                "and every later arrival is held and flagged; Admit all never admits them."
            ),
            Capability.ADMIT_ALL: "Admits, one by one, everyone waiting whom the register says may come in.",
            Capability.RENAME_OFF: "Switches off “Rename Themselves” in the running meeting.",
        }
        result: dict[Capability, CapabilityInfo] = {}
        for capability, label in labels.items():
            needs_host = capability is Capability.END_FOR_ALL
            available = status.can_host and (status.rights == "host" or not needs_host)
            if capability is Capability.STOP_SHARE:
                # Never a pupil's share: the button shows the Zoom step and says why.
                result[capability] = CapabilityInfo(
                    capability=capability,
                    available=False,
                    how=How.MANUAL,
                    label=label,
                    explanation=STOP_SHARE_LIMIT,
                    manual_step=ZOOM_CLIENT_STEPS[capability],
                )
                continue
            if available:
                explanation = explanations.get(capability, "Done by the host assistant in the meeting.")
            elif needs_host and status.can_host:
                explanation = "Only the meeting's host can end it for everyone; zoomhost does it through Zoom's API."
            else:
                explanation = status.message + (f" {status.instruction}." if status.instruction else "")
            result[capability] = CapabilityInfo(
                capability=capability,
                available=available,
                how=How.ASSISTANT,
                label=label,
                explanation=explanation,
                manual_step=ZOOM_CLIENT_STEPS[capability],
            )
        return result

    # -- signing in and joining ------------------------------------------------------------

    def start(self, *, sdk_jwt: str) -> None:
        """Initialise the SDK and sign in; joining follows when Zoom says the sign-in worked."""
        sdk = self._sdk
        redact.register_secret(sdk_jwt)
        param = sdk.InitParam()
        param.strWebDomain = self._web_domain
        param.strSupportUrl = self._web_domain
        param.enableGenerateDump = False
        param.enableLogByDefault = False  # the SDK's own logs would hold participants' names
        param.emLanguageID = sdk.SDK_LANGUAGE_ID.LANGUAGE_English
        self._check(sdk.InitSDK(param), "start the Meeting SDK")
        self._meeting_service = sdk.CreateMeetingService()
        self._auth_service = sdk.CreateAuthService()
        meeting_events = sdk.MeetingServiceEventCallbacks(onMeetingStatusChangedCallback=self._meeting_status_changed)
        auth_events = sdk.AuthServiceEventCallbacks(onAuthenticationReturnCallback=self._authentication_returned)
        self._callbacks += [meeting_events, auth_events]
        self._check(self._meeting_service.SetEvent(meeting_events), "listen to the meeting")
        self._check(self._auth_service.SetEvent(auth_events), "listen to the sign-in")
        self._set_status("authenticating", "none", "The assistant is signing in to Zoom.")
        context = sdk.AuthContext()
        context.jwt_token = sdk_jwt
        self._check(self._auth_service.SDKAuth(context), "sign in to Zoom")

    def _check(self, result: Any, doing: str) -> None:
        if result != self._sdk.SDKERR_SUCCESS:
            message = f"The assistant could not {doing}: {describe(_name(result), SDK_ERRORS)}"
            self._set_status("failed", "none", message)
            raise AssistantError(message)

    def _authentication_returned(self, result: Any) -> None:
        with self._lock:
            if result != self._sdk.AUTHRET_SUCCESS:
                self._set_status("failed", "none", describe(_name(result), AUTH_ERRORS))
                return
            self._authenticated = True
            pending, self._pending_join = self._pending_join, None
        if pending:
            self._join_now(*pending)
        else:
            self._set_status("idle", "none", "The assistant is signed in and waiting for a meeting to join.")

    def join(self, *, meeting_number: int, passcode: str, display_name: str = DISPLAY_NAME, zak: str = "") -> None:
        """Join as ``display_name``; with ``zak`` (a Zoom user's ZAK), as that user: the meeting's
        alternative host, when the school made it one, skips the waiting room and is co-host at once."""
        redact.register_secret(passcode)
        if zak:
            redact.register_secret(zak)
        with self._lock:
            if not self._authenticated:
                self._pending_join = (meeting_number, passcode, display_name, zak)
                return
        self._join_now(meeting_number, passcode, display_name, zak)

    def _join_now(self, meeting_number: int, passcode: str, display_name: str, zak: str = "") -> None:
        sdk = self._sdk
        self._meeting_id = str(meeting_number)
        join_param = sdk.JoinParam()
        join_param.userType = sdk.SDKUserType.SDK_UT_WITHOUT_LOGIN
        param = join_param.param
        param.meetingNumber = int(meeting_number)
        param.userName = display_name
        param.psw = passcode
        param.isVideoOff = True
        param.isAudioOff = True
        if zak:
            param.userZAK = zak
        self._set_status("joining", "none", "The assistant is joining the meeting.")
        self._check(self._meeting_service.Join(join_param), "join the meeting")

    def _meeting_status_changed(self, status: Any, result: int) -> None:
        sdk = self._sdk
        if status == sdk.MEETING_STATUS_INMEETING:
            self._entered()
        elif status == sdk.MEETING_STATUS_WAITINGFORHOST:
            self._set_status(
                "waiting_for_host",
                "none",
                "The meeting has not started yet: the assistant waits for its host.",
                START_INSTRUCTION,
            )
        elif status == sdk.MEETING_STATUS_IN_WAITING_ROOM:
            self._in_waiting_room()
        elif status == sdk.MEETING_STATUS_FAILED:
            self._set_status("failed", "none", describe(self._fail_code_name(result), JOIN_ERRORS))
        elif status == sdk.MEETING_STATUS_ENDED:
            with self._lock:
                # Whoever was still waiting has gone with the meeting (the event stream may have missed it).
                for user_id in list(self._waiting):
                    self._not_waiting_now(user_id)
                self._set_status("ended", "none", "The meeting has ended.")
            self._emit(EventKind.ENDED, None, None)

    def _in_waiting_room(self) -> None:
        """Zoom holds the assistant in the waiting room: say which participant it is, and the one thing to do."""
        with self._lock:
            controller = self._meeting_service.GetMeetingParticipantsController()
            me = controller.GetMySelfUser() if controller is not None else None
            self._my_id = me.GetUserID() if me is not None else None
            self._in_meeting.clear()
            self._waiting.clear()
            self._set_status("waiting_room", "none", "The assistant is waiting in the meeting's waiting room.", ADMIT_INSTRUCTION)
        if self._my_id is not None:
            # The panel hears this waiting-room arrival from Zoom too: the assistant's own word (its id,
            # never its name) keeps it from being shown, classified or admitted as anyone else.
            self._emit(EventKind.WAITING_JOINED, self._my_id, DISPLAY_NAME, **_myself(me))

    def _fail_code_name(self, code: int) -> str:
        try:
            return _name(self._sdk.MeetingFailCode(code))
        except (ValueError, TypeError):
            return f"meeting failure code {code}"

    def _entered(self) -> None:
        sdk = self._sdk
        service = self._meeting_service
        with self._lock:
            self._waiting_ctrl = service.GetMeetingWaitingRoomController()
            self._participants_ctrl = service.GetMeetingParticipantsController()
            self._audio_ctrl = service.GetMeetingAudioController()
            self._share_ctrl = service.GetMeetingShareController()
            participant_events = sdk.MeetingParticipantsCtrlEventCallbacks(
                onUserJoinCallback=self._users_joined,
                onUserLeftCallback=self._users_left,
                onHostChangeNotificationCallback=self._host_changed,
                onCoHostChangeNotificationCallback=self._cohost_changed,
            )
            self._callbacks.append(participant_events)
            self._participants_ctrl.SetEvent(participant_events)
            if hasattr(sdk, "MeetingWaitingRoomEventCallbacks"):  # a later binding may deliver these
                waiting_events = sdk.MeetingWaitingRoomEventCallbacks(
                    onWaitingRoomUserJoinCallback=self._look_at,
                    onWaitingRoomUserLeftCallback=self._look_at,
                    onWaitingRoomUserNameChangedCallback=lambda user_id, _name: self._look_at(user_id),
                )
                self._callbacks.append(waiting_events)
                self._waiting_ctrl.SetEvent(waiting_events)
            me = self._participants_ctrl.GetMySelfUser()
            self._my_id = me.GetUserID() if me is not None else None
            self._in_meeting = set(self._participants_ctrl.GetParticipantsList())
            role = me.GetUserRole() if me is not None else None
        if self._my_id is not None:
            # Say which participant is the assistant itself, so the panel never classifies or
            # alarms about it; the session trusts only this, never the display name.
            self._emit(EventKind.JOINED, self._my_id, DISPLAY_NAME, **_myself(me))
        self._rights_now(role)

    def _rights_now(self, role: Any) -> None:
        """Say the assistant's rights; with host rights, what it now sees of the waiting room goes first,
        so the panel knows who waits (and under which names) before it hands the assistant a command."""
        with self._lock:
            if role in (self._sdk.USERROLE_HOST, self._sdk.USERROLE_COHOST):
                self._look_now = True
                try:
                    self.poll()
                finally:
                    self._look_now = False
            self._update_rights(role)

    def _update_rights(self, role: Any) -> None:
        sdk = self._sdk
        if role == sdk.USERROLE_HOST:
            self._set_status("in_meeting", "host", "The assistant is host of the meeting.")
        elif role == sdk.USERROLE_COHOST:
            self._set_status("in_meeting", "co-host", "The assistant is co-host and ready.")
        else:
            self._set_status(
                "in_meeting",
                "attendee",
                "The assistant is in the meeting but is not co-host yet.",
                COHOST_INSTRUCTION,
            )

    # -- callbacks ---------------------------------------------------------------------------

    def _emit(self, kind: EventKind, user_id: int | None, name: str | None, **extra: str) -> None:
        if user_id is not None and user_id != self._my_id and PARTICIPANT_UUID not in extra:
            persistent = self._persistent_id(user_id)
            if persistent:
                extra[PARTICIPANT_UUID] = persistent  # how Zoom's event stream knows them, whatever user id it gives
        key = (kind.value, -1 if user_id is None else user_id)
        self._counters[key] += 1
        event = MeetingEvent(
            kind=kind,
            meeting_id=self._meeting_id,
            at=self._clock(),
            event_id=f"assistant-{self._meeting_id}-{kind.value}-{key[1]}-{self._counters[key]}",
            participant_id=None if user_id is None else str(user_id),
            display_name=name,
            source="assistant",
            extra=extra,  # MeetingEvent cuts the name to the same limit as Zoom's stream's
        )
        self._on_event(event)

    def _persistent_id(self, user_id: int) -> str | None:
        """The participant's persistent id (Zoom's participant_uuid), where the SDK still knows them."""
        for lookup in (
            getattr(getattr(self, "_participants_ctrl", None), "GetUserByUserID", None),
            getattr(getattr(self, "_waiting_ctrl", None), "GetWaitingRoomUserInfoByID", None),
        ):
            user = lookup(user_id) if lookup is not None else None
            getter = getattr(user, "GetPersistentId", None)
            if getter is not None:
                value = getter()
                if isinstance(value, str) and value:
                    return value
        return None

    def _user_name(self, user_id: int) -> str | None:
        user = self._participants_ctrl.GetUserByUserID(user_id)
        return user.GetUserName() if user is not None else None

    def _users_joined(self, user_ids: Any, _names: str = "") -> None:
        with self._lock:
            for user_id in list(user_ids):
                if user_id == self._my_id or user_id in self._in_meeting:
                    continue
                user = self._participants_ctrl.GetUserByUserID(user_id)
                if user is not None and user.IsInWaitingRoom():
                    continue  # a waiting-room arrival: the waiting-room watch reports it
                name = user.GetUserName() if user is not None else self._waiting.get(user_id)
                self._in_meeting.add(user_id)
                if user_id in self._waiting:
                    del self._waiting[user_id]
                    held = user_id in self._held
                    self._held.discard(user_id)
                    self._emit(EventKind.ADMITTED, user_id, name, **({"held": "arrived after lock"} if held else {}))
                    self._emit(EventKind.JOINED, user_id, name)
                elif self._locked and self.lock_method == "waiting_room_hold":
                    # Came straight in after the lock: hold them like every other late arrival.
                    self._emit(EventKind.JOINED, user_id, name, held="arrived after lock", action="put in waiting room")
                    self._held.add(user_id)
                    self._waiting_ctrl.PutInWaitingRoom(user_id)
                else:
                    self._emit(EventKind.JOINED, user_id, name)

    def _users_left(self, user_ids: Any, _names: str = "") -> None:
        with self._lock:
            left = [user_id for user_id in list(user_ids) if user_id in self._in_meeting]
            for user_id in left:
                self._in_meeting.discard(user_id)
                self._emit(EventKind.LEFT, user_id, None)
        for user_id in left:
            self._look_at(user_id)  # someone put back in the waiting room leaves the meeting and appears there

    def _host_changed(self, user_id: int) -> None:
        with self._lock:
            self._emit(EventKind.HOST_CHANGED, user_id, self._user_name(user_id), role="host")
            if user_id == self._my_id:
                self._rights_now(self._sdk.USERROLE_HOST)
            elif self._status.rights == "host":
                self._update_rights(self._participants_ctrl.GetMySelfUser().GetUserRole())

    def _cohost_changed(self, user_id: int, is_cohost: bool) -> None:
        with self._lock:
            role = "co-host" if is_cohost else "attendee"
            self._emit(EventKind.HOST_CHANGED, user_id, self._user_name(user_id), role=role)
            if user_id == self._my_id and self._status.rights != "host":
                self._rights_now(self._sdk.USERROLE_COHOST if is_cohost else None)

    def poll(self) -> None:
        """Compare the waiting room with what was last seen, and report arrivals, departures and renames."""
        with self._lock:
            if self._status.state != "in_meeting" and not self._look_now:
                return
            now_waiting = {uid for uid in self._waiting_ctrl.GetWaitingRoomLst() if uid != self._my_id}
            for user_id in now_waiting:
                info = self._waiting_ctrl.GetWaitingRoomUserInfoByID(user_id)
                self._waiting_now(user_id, info.GetUserName() if info is not None else "")
            for user_id in set(self._waiting) - now_waiting:
                self._not_waiting_now(user_id)

    def _look_at(self, user_id: int) -> None:
        """What became of one participant in the waiting room (a callback, a leave or a command was about them)."""
        with self._lock:
            if self._status.state != "in_meeting" or user_id == self._my_id:
                return
            info = self._waiting_ctrl.GetWaitingRoomUserInfoByID(user_id)
            if info is not None:
                self._waiting_now(user_id, info.GetUserName() or "")
            elif user_id in self._waiting:
                self._not_waiting_now(user_id)

    def _waiting_now(self, user_id: int, name: str) -> None:
        """``user_id`` is in the waiting room under ``name``: an arrival, a rename, or nothing new. Hold the lock."""
        if user_id not in self._waiting:
            self._waiting[user_id] = name
            self._in_meeting.discard(user_id)
            if self._locked:
                self._held.add(user_id)
            extra = {"held": "arrived after lock"} if user_id in self._held else {}
            self._emit(EventKind.WAITING_JOINED, user_id, name, **extra)
        elif name and name != self._waiting[user_id]:
            self._waiting[user_id] = name
            self._emit(EventKind.WAITING_RENAMED, user_id, name)

    def _not_waiting_now(self, user_id: int) -> None:
        """``user_id`` was waiting and is not any more: admitted (its join callback missed), or gone. Hold the lock."""
        name = self._waiting.pop(user_id)
        self._held.discard(user_id)
        user = self._participants_ctrl.GetUserByUserID(user_id)
        if user is not None and not user.IsInWaitingRoom():  # admitted; the join callback was missed
            self._in_meeting.add(user_id)
            self._emit(EventKind.ADMITTED, user_id, name)
            self._emit(EventKind.JOINED, user_id, name)
        else:
            self._emit(EventKind.WAITING_LEFT, user_id, name)

    # -- host controls -------------------------------------------------------------------------

    def _result(self, result: Any, done: str) -> Outcome:
        if result == self._sdk.SDKERR_SUCCESS:
            return Outcome(True, done)
        return Outcome(False, describe(_name(result), SDK_ERRORS))

    def _ready(self) -> Outcome | None:
        if self._status.state != "in_meeting":
            return Outcome(False, self._status.message + (f" {self._status.instruction}." if self._status.instruction else ""))
        if not self._status.can_host:  # Zoom would refuse every host control (and shows it nobody waiting)
            return Outcome(False, SDK_ERRORS["SDKERR_NO_PERMISSION"])
        return None

    def admit(self, user_id: int, *, bulk: bool = False) -> Outcome:
        with self._lock:
            if (refusal := self._ready()) is not None:
                return refusal
            if user_id not in self._waiting and user_id not in self._in_meeting:
                self._look_at(user_id)  # an arrival the watch has not reported yet
            if user_id in self._in_meeting:
                return Outcome(True, "Already in the meeting.")
            if user_id not in self._waiting:
                return Outcome(False, "That person is no longer in the waiting room.")
            if bulk and user_id in self._held:
                return Outcome(False, "Held: arrived after the meeting was locked. Admit them on their own if you are sure.")
        # Outside the lock: the join callbacks of those admitted before go on while Zoom answers this one.
        return self._result(self._waiting_ctrl.AdmitToMeeting(user_id), "Admitted.")

    def put_in_waiting_room(self, user_id: int) -> Outcome:
        with self._lock:
            if (refusal := self._ready()) is not None:
                return refusal
            if user_id in self._waiting:
                return Outcome(True, "Already in the waiting room.")
            return self._result(self._waiting_ctrl.PutInWaitingRoom(user_id), "Put in the waiting room.")

    def remove(self, user_id: int) -> Outcome:
        with self._lock:
            if (refusal := self._ready()) is not None:
                return refusal
            if user_id not in self._waiting and user_id not in self._in_meeting:
                self._look_at(user_id)
            if user_id in self._waiting:
                return self._result(self._waiting_ctrl.ExpelUser(user_id), "Removed from the waiting room.")
            if user_id not in self._in_meeting:
                return Outcome(True, "Already gone.")
            return self._result(self._participants_ctrl.ExpelUser(user_id), "Removed from the meeting.")

    def mute_all(self, *, allow_self_unmute: bool) -> Outcome:
        with self._lock:
            if (refusal := self._ready()) is not None:
                return refusal
            muted = self._result(self._audio_ctrl.MuteAudio(0, allow_self_unmute), "Everyone is muted.")
            if not muted.ok:
                return muted
            policy = self._result(
                self._participants_ctrl.AllowParticipantsToUnmuteSelf(allow_self_unmute),
                "Everyone is muted"
                + (" and may unmute themselves." if allow_self_unmute else " and cannot unmute themselves."),
            )
            return policy if policy.ok else Outcome(False, f"Everyone is muted, but: {policy.message}")

    def allow_chat(self, allowed: bool) -> Outcome:
        with self._lock:
            if (refusal := self._ready()) is not None:
                return refusal
            return self._result(
                self._participants_ctrl.AllowParticipantsToChat(allowed), "Chat is on." if allowed else "Chat is off."
            )

    def stop_share(self) -> Outcome:
        """Stops the assistant's own share; never a pupil's (the SDK cannot), which the answer says, with the Zoom step."""
        with self._lock:
            if (refusal := self._ready()) is not None:
                return refusal
            result = self._share_ctrl.StopShare()
            if result == self._sdk.SDKERR_SUCCESS:
                return Outcome(True, "The assistant's own share is stopped.")
            return Outcome(False, describe(_name(result), SDK_ERRORS), manual_step=ZOOM_CLIENT_STEPS[Capability.STOP_SHARE])

    def allow_rename(self, allowed: bool) -> Outcome:
        """Zoom's "Rename Themselves" for the running meeting (the SDK's AllowParticipantsToRename)."""
        with self._lock:
            if (refusal := self._ready()) is not None:
                return refusal
            outcome = self._result(
                self._participants_ctrl.AllowParticipantsToRename(allowed),
                "Participants may rename themselves." if allowed else "Renaming is off: nobody can change their name in the meeting.",
            )
            if outcome.ok:
                return outcome
            return Outcome(False, outcome.message, manual_step=ZOOM_CLIENT_STEPS[Capability.RENAME_OFF] if not allowed else None)

    def lock_share(self) -> Outcome:
        with self._lock:
            if (refusal := self._ready()) is not None:
                return refusal
            return self._result(self._share_ctrl.LockShare(True), "Only the host can share now.")

    def lock(self) -> Outcome:
        with self._lock:
            if (refusal := self._ready()) is not None:
                return refusal
            if self.lock_method == "lock_meeting":
                outcome = self._result(self._meeting_service.LockMeeting(), "The meeting is locked.")
            else:
                outcome = self._result(
                    self._waiting_ctrl.EnableWaitingRoomOnEntry(True),
                    "Locked: everyone now arrives in the waiting room, and every later arrival is held and flagged.",
                )
            if outcome.ok:
                self._locked = True
            return outcome

    def unlock(self) -> Outcome:
        with self._lock:
            if (refusal := self._ready()) is not None:
                return refusal
            if self.lock_method == "lock_meeting":
                outcome = self._result(self._meeting_service.UnlockMeeting(), "The meeting is unlocked.")
            else:
                # The waiting room stays on (the protocol wants it); only the hold on late arrivals ends.
                outcome = Outcome(True, "Unlocked: later arrivals are no longer held (the waiting room stays on).")
            if outcome.ok:
                self._locked = False
            return outcome

    def end_for_all(self) -> Outcome:
        with self._lock:
            if (refusal := self._ready()) is not None:
                return refusal
            if self._status.rights != "host":
                return Outcome(False, "Only the meeting's host can end it for everyone; a co-host cannot.")
            return self._result(self._meeting_service.Leave(self._sdk.END_MEETING), "The meeting has ended for everyone.")

    def leave(self) -> None:
        """Leave the meeting (without ending it) and release the SDK; used when the assistant stops."""
        sdk = self._sdk
        with self._lock:
            if self._meeting_service is not None:
                if self._status.state == "in_meeting":
                    self._meeting_service.Leave(sdk.LEAVE_MEETING)
                sdk.DestroyMeetingService(self._meeting_service)
                self._meeting_service = None
            if self._auth_service is not None:
                sdk.DestroyAuthService(self._auth_service)
                self._auth_service = None
                sdk.CleanUPSDK()
