"""The rehearsal Zoom holds the host assistant to the Meeting SDK's rules, each a switch (``SdkRules``).

Each test drives the real adapter (``SdkAdapter``) on the rehearsal binding over a real rehearsal
``ZoomState``, with every rule on as by default, and where it says so with one rule turned off, to
show the switch is what makes the difference.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt

from tests.assistant.helpers import SDK_KEY, SDK_SECRET
from tests.rehearsal.fixtures import rehearsal_server  # noqa: F401 - pytest fixture
from zoomhost.assistant.sdk_adapter import SdkAdapter, make_sdk_jwt
from zoomhost.assistant.wire import ADMIT_INSTRUCTION, COHOST_INSTRUCTION, START_INSTRUCTION, AssistantStatus
from zoomhost.core.control import Capability
from zoomhost.core.events import EventKind, MeetingEvent
from zoomhost.core.events import ASSISTANT_SELF
from zoomhost.rehearsal.binding import RehearsalBinding
from zoomhost.rehearsal.sdk_rules import SdkRules
from zoomhost.rehearsal.server import RehearsalServer
from zoomhost.rehearsal.state import ZoomState


class Assistant:
    """The adapter on a rehearsal binding, with what it said (callbacks come on the binding's main loop)."""

    def __init__(self, state: ZoomState, *, sdk_jwt: str | None = None) -> None:
        state.register_sdk_app(SDK_KEY, SDK_SECRET)
        self.state = state
        self.events: list[MeetingEvent] = []
        self.statuses: list[AssistantStatus] = []
        self._lock = threading.Lock()
        self.adapter = SdkAdapter(binding=RehearsalBinding(state=state), on_event=self._event, on_status=self._status)
        self.adapter.start(sdk_jwt=sdk_jwt or make_sdk_jwt(sdk_key=SDK_KEY, sdk_secret=SDK_SECRET))

    def _event(self, event: MeetingEvent) -> None:
        with self._lock:
            self.events.append(event)

    def _status(self, status: AssistantStatus) -> None:
        with self._lock:
            self.statuses.append(status)

    def join(self, meeting: int, *, zak: str = "") -> None:
        self.adapter.join(meeting_number=meeting, passcode=self.state.meetings[meeting].password, zak=zak)

    @property
    def status(self) -> AssistantStatus:
        return self.adapter.status

    def until(self, predicate: Callable[[AssistantStatus], bool], what: str) -> AssistantStatus:
        deadline = time.monotonic() + 10
        while not predicate(self.adapter.status):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; the assistant is {self.adapter.status}")
            time.sleep(0.01)
        return self.adapter.status

    def own_ids(self) -> list[str]:
        with self._lock:
            return [e.participant_id or "" for e in self.events if e.extra.get(ASSISTANT_SELF) == "true"]


def zoom_heard(state: ZoomState) -> list[tuple[str, str]]:
    """What Zoom's event stream announces from now on: (event, participant id)."""
    heard: list[tuple[str, str]] = []
    state.subscribe(lambda e: heard.append((e["event"], str(e["payload"]["object"].get("participant", {}).get("user_id", "")))))
    return heard


def sdk_participant(state: ZoomState, meeting: int) -> Any:
    (user_id,) = state.live[meeting].sdk_roles
    return state.live[meeting].participants[user_id]


def test_the_assistant_waits_in_the_waiting_room_says_which_participant_it_is_and_has_no_controls() -> None:
    state = ZoomState()
    meeting = state.class_meeting_id
    state.start_meeting(meeting)
    heard = zoom_heard(state)
    a = Assistant(state)
    a.join(meeting)
    status = a.until(lambda s: s.state == "waiting_room", "the waiting room")
    assert status.instruction == ADMIT_INSTRUCTION and not status.can_host
    assert "admit Safeguarding assistant from the waiting room" in ADMIT_INSTRUCTION and "Make co-host" in ADMIT_INSTRUCTION
    me = sdk_participant(state, meeting)
    assert me.where == "waiting" and me.display_name == "Safeguarding assistant"
    assert ("meeting.participant_joined_waiting_room", str(me.user_id)) in heard  # Zoom announces it like anyone
    assert a.own_ids() == [str(me.user_id)]  # and it says, by id, that this waiting participant is itself
    pupil = state.arrive(meeting, "Amy B")
    refused = a.adapter.admit(pupil.user_id)
    assert not refused.ok and "waiting room" in refused.message and "Make co-host" in refused.message
    assert state.participant(meeting, pupil.user_id).where == "waiting"
    assert not any(info.available for info in a.adapter.capabilities().values())

    assert state.host_admits_assistant(meeting) == 1  # the teacher's one action: admit it, make it co-host
    a.until(lambda s: s.can_host, "co-host rights")
    assert a.status.rights == "co-host" and state.sdk_role(meeting, me.user_id) == "cohost"
    a.adapter.poll()
    assert a.adapter.admit(pupil.user_id).ok
    assert state.participant(meeting, pupil.user_id).where == "meeting"


def test_switched_off_the_assistant_skips_the_waiting_room_and_is_co_host_at_once() -> None:
    state = ZoomState()
    state.sdk_rules.waiting_room = False
    state.sdk_rules.cohost_only_when_made = False
    meeting = state.class_meeting_id
    state.start_meeting(meeting)
    a = Assistant(state)
    a.join(meeting)
    a.until(lambda s: s.can_host, "co-host rights without anyone's click")
    assert not any(s.state == "waiting_room" for s in a.statuses)
    assert sdk_participant(state, meeting).where == "meeting"


def test_admitted_but_not_made_co_host_it_sees_nobody_waiting_and_asks_for_the_one_click() -> None:
    state = ZoomState()
    meeting = state.class_meeting_id
    state.start_meeting(meeting)
    a = Assistant(state)
    a.join(meeting)
    a.until(lambda s: s.state == "waiting_room", "the waiting room")
    state.host_admits_assistant(meeting, cohost=False)  # admitted, nothing more
    status = a.until(lambda s: s.state == "in_meeting", "the meeting")
    assert status.rights == "attendee" and status.instruction == COHOST_INSTRUCTION
    state.arrive(meeting, "Amy B")
    a.adapter.poll()
    assert not any(e.kind is EventKind.WAITING_JOINED and e.extra.get(ASSISTANT_SELF) != "true" for e in a.events)
    assert not a.adapter.mute_all(allow_self_unmute=False).ok and not state.live[meeting].muted_all
    assert state.make_cohost(meeting, sdk_participant(state, meeting).user_id)  # Participants ▸ Make co-host
    a.until(lambda s: s.can_host, "co-host rights")
    assert a.adapter.mute_all(allow_self_unmute=False).ok and state.live[meeting].muted_all


def test_before_the_host_starts_the_meeting_the_assistant_waits_for_the_host_then_goes_on_joining() -> None:
    state = ZoomState()
    meeting = state.class_meeting_id
    a = Assistant(state)
    a.join(meeting)
    status = a.until(lambda s: s.state == "waiting_for_host", "the wait for the host")
    assert status.instruction == START_INSTRUCTION and meeting not in state.live
    state.start_meeting(meeting)
    a.until(lambda s: s.state == "waiting_room", "the waiting room once the meeting has started")

    lenient = ZoomState()
    lenient.sdk_rules.wait_for_host = False
    b = Assistant(lenient)
    b.join(lenient.class_meeting_id)
    failed = b.until(lambda s: s.state == "failed", "the refusal")
    assert "has not started" in failed.message


def test_the_jwt_must_be_signed_with_the_sdk_apps_secret_and_not_have_expired() -> None:
    state = ZoomState()
    meeting = state.class_meeting_id
    state.start_meeting(meeting)
    forged = make_sdk_jwt(sdk_key=SDK_KEY, sdk_secret="not-the-apps-secret-0123456789abcdef")
    a = Assistant(state, sdk_jwt=forged)
    a.join(meeting)
    refused = a.until(lambda s: s.state == "failed", "the refusal of a forged token")
    assert "does not accept the assistant's sign-in token" in refused.message
    assert not state.live[meeting].sdk_roles  # it never got in

    old = datetime.now(UTC) - timedelta(hours=3)
    expired = make_sdk_jwt(sdk_key=SDK_KEY, sdk_secret=SDK_SECRET, now=old, lifetime=timedelta(hours=2))
    assert state.check_sdk_jwt(expired) == "AUTHRET_JWTTOKENWRONG"
    too_long = jwt.encode({"appKey": SDK_KEY, "iat": int(time.time()), "exp": int(time.time()) + 49 * 3600, "tokenExp": int(time.time()) + 49 * 3600}, SDK_SECRET, algorithm="HS256")
    assert state.check_sdk_jwt(too_long) == "AUTHRET_JWTTOKENWRONG"
    assert state.check_sdk_jwt(make_sdk_jwt(sdk_key=SDK_KEY, sdk_secret=SDK_SECRET)) == "AUTHRET_SUCCESS"
    assert state.check_sdk_jwt(make_sdk_jwt(sdk_key="anotherApp0000001", sdk_secret=SDK_SECRET)) == "AUTHRET_JWTTOKENWRONG"

    state.sdk_rules.check_jwt = False
    assert state.check_sdk_jwt(forged) == "AUTHRET_SUCCESS"  # the switch is what refused it


def test_stop_share_stops_only_the_assistants_own_share_and_says_so() -> None:
    state = ZoomState()
    meeting = state.class_meeting_id
    state.start_meeting(meeting)
    state.host_admits_assistant(meeting)
    a = Assistant(state)
    a.join(meeting)
    a.until(lambda s: s.can_host, "co-host rights")
    nobody = a.adapter.stop_share()
    assert not nobody.ok and "no share of its own" in nobody.message and nobody.manual_step == "In Zoom: Security ▸ untick Share Screen"
    pupil = state.arrive(meeting, "Amy B")
    state.admit(meeting, pupil.user_id)
    assert state.start_share(meeting, pupil.user_id)
    outcome = a.adapter.stop_share()
    assert not outcome.ok and "Nobody is sharing" not in outcome.message
    assert "stops only a share the assistant started" in outcome.message and outcome.manual_step
    assert state.sharing_user(meeting) == pupil.user_id  # the pupil's share goes on
    info = a.adapter.capabilities()[Capability.STOP_SHARE]
    assert not info.available and "never a pupil's" in info.explanation and info.manual_step

    state.sdk_rules.stop_share_own_only = False
    assert a.adapter.stop_share().ok and state.sharing_user(meeting) is None  # the switch is what kept it going


def test_a_meeting_outside_the_sdk_apps_account_needs_a_zak() -> None:
    state = ZoomState()
    state.sdk_app_account = "anotherSchoolAccount1"  # the SDK app belongs to another account
    meeting = state.class_meeting_id
    state.start_meeting(meeting)
    a = Assistant(state)
    a.join(meeting)
    failed = a.until(lambda s: s.state == "failed", "the refusal")
    assert "access key" in failed.message and not state.live[meeting].sdk_roles

    b = Assistant(state)
    b.join(meeting, zak=state.issue_zak(state.assistant_user_id))
    b.until(lambda s: s.state in ("waiting_room", "in_meeting"), "the join with a ZAK")

    lenient = ZoomState()
    lenient.sdk_app_account = "anotherSchoolAccount1"
    lenient.sdk_rules.outside_account_needs_token = False
    lenient.start_meeting(lenient.class_meeting_id)
    c = Assistant(lenient)
    c.join(lenient.class_meeting_id)
    c.until(lambda s: s.state == "waiting_room", "the join the switch lets through")


def test_as_the_meetings_alternative_host_with_its_users_zak_it_comes_straight_in_as_co_host() -> None:
    state = ZoomState()
    meeting = state.class_meeting_id
    email = state.users[state.assistant_user_id].email
    state.update_meeting(meeting, {"settings": {"alternative_hosts": email}})
    state.start_meeting(meeting)
    a = Assistant(state)
    a.join(meeting, zak=state.issue_zak(state.assistant_user_id))
    status = a.until(lambda s: s.state in ("in_meeting", "waiting_room", "failed"), "the join")
    a.until(lambda s: s.can_host, "co-host rights with no click")
    assert status.state == "in_meeting" and not any(s.state == "waiting_room" for s in a.statuses)
    me = sdk_participant(state, meeting)
    assert me.account_user_id == state.assistant_user_id and state.sdk_role(meeting, me.user_id) == "cohost"

    # The same user, not an alternative host of this meeting, waits like anyone else.
    other = ZoomState()
    other.start_meeting(other.class_meeting_id)
    b = Assistant(other)
    b.join(other.class_meeting_id, zak=other.issue_zak(other.assistant_user_id))
    b.until(lambda s: s.state == "waiting_room", "the waiting room")
    # A ZAK Zoom never issued is refused.
    c = Assistant(other)
    c.join(other.class_meeting_id, zak="not-a-zak")
    assert c.until(lambda s: s.state == "failed", "the refusal").state == "failed"


def test_renaming_switched_off_keeps_names_in_the_meeting_as_they_were_admitted() -> None:
    state = ZoomState()
    meeting = state.class_meeting_id
    state.start_meeting(meeting)
    state.host_admits_assistant(meeting)
    a = Assistant(state)
    a.join(meeting)
    a.until(lambda s: s.can_host, "co-host rights")
    inside = state.arrive(meeting, "Amy B")
    state.admit(meeting, inside.user_id)
    waiting = state.arrive(meeting, "iPad")
    outcome = a.adapter.allow_rename(False)
    assert outcome.ok and "Renaming is off" in outcome.message and not state.live[meeting].rename_allowed
    assert not state.rename(meeting, inside.user_id, "Someone Else")  # in the meeting: refused
    assert state.participant(meeting, inside.user_id).display_name == "Amy B"
    assert state.rename(meeting, waiting.user_id, "Ava Quayle")  # the waiting room is not the meeting


def test_the_rehearsal_hosts_action_is_an_admin_route_too(rehearsal_server: RehearsalServer) -> None:  # noqa: F811
    state = rehearsal_server.state
    meeting = state.class_meeting_id
    state.start_meeting(meeting)
    a = Assistant(state)
    a.join(meeting)
    a.until(lambda s: s.state == "waiting_room", "the waiting room")
    admin = rehearsal_server.api_base.removesuffix("/v2")
    answer = httpx.post(f"{admin}/_rehearsal/assistant", json={"meeting_id": meeting})
    assert answer.status_code == 200 and answer.json()["assistants"] == 1
    a.until(lambda s: s.can_host, "co-host rights")
    assert httpx.post(f"{admin}/_rehearsal/assistant", json={"nothing": 1}).status_code == 400
    assert set(SdkRules().as_dict().values()) == {True} and set(SdkRules.lenient().as_dict().values()) == {False}


def test_a_meeting_that_requires_authentication_lets_the_assistant_in_only_signed_in() -> None:
    state = ZoomState()
    meeting = state.class_meeting_id
    state.update_meeting(meeting, {"settings": {"meeting_authentication": True}})
    state.start_meeting(meeting)
    a = Assistant(state)
    a.join(meeting)  # a guest: the SDK JWT alone, no Zoom user
    failed = a.until(lambda s: s.state == "failed", "the refusal")
    assert "signed in to Zoom" in failed.message and "assistant's Zoom user" in failed.message
    assert not state.live[meeting].sdk_roles, "Zoom let a guest into a meeting for authenticated users only"

    b = Assistant(state)
    b.join(meeting, zak=state.issue_zak(state.assistant_user_id))  # signed in as the school's user
    b.until(lambda s: s.state == "waiting_room", "the signed-in join")

    lenient = ZoomState()
    lenient.sdk_rules.sign_in_when_required = False
    lenient.update_meeting(lenient.class_meeting_id, {"settings": {"meeting_authentication": True}})
    lenient.start_meeting(lenient.class_meeting_id)
    c = Assistant(lenient)
    c.join(lenient.class_meeting_id)
    c.until(lambda s: s.state == "waiting_room", "the guest join the switch lets through")
