"""The Meeting SDK adapter against a fake binding with exactly the names of zoom-meeting-sdk 0.0.27.

The fake is played by the rehearsal binding on a real rehearsal ZoomState; every attribute the
adapter reaches is checked against the published listing, and against the real module when it
is installed.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from tests.assistant.fake_binding import SURFACE, FakeBinding
from tests.assistant.helpers import SDK_KEY, SDK_SECRET
from tests.conftest import require
from zoomhost.rehearsal.binding import ENUMS, RehearsalBinding
from zoomhost.assistant.sdk_adapter import OPTIONAL_NAMES, AssistantError, SdkAdapter, make_sdk_jwt
from zoomhost.assistant.wire import COHOST_INSTRUCTION, AssistantStatus
from zoomhost.core.control import Capability
from zoomhost.core.events import EventKind, MeetingEvent
from zoomhost.rehearsal.state import ZoomState


class Watch:
    """The adapter's events and statuses, and a way to wait for them (callbacks come on another thread)."""

    def __init__(self) -> None:
        self.events: list[MeetingEvent] = []
        self.statuses: list[AssistantStatus] = []
        self._lock = threading.Lock()

    def event(self, event: MeetingEvent) -> None:
        with self._lock:
            self.events.append(event)

    def status(self, status: AssistantStatus) -> None:
        with self._lock:
            self.statuses.append(status)

    def kinds(self, participant_id: str) -> list[EventKind]:
        return [e.kind for e in self.events if e.participant_id == participant_id]

    @staticmethod
    def until(predicate: Callable[[], bool], what: str = "condition") -> None:
        deadline = time.monotonic() + 10
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(0.01)


def joined(
    *, cohost: bool = True, binding: Any = None, state: ZoomState | None = None, passcode: str | None = None
) -> tuple[SdkAdapter, Watch, ZoomState, Any]:
    state = state or ZoomState()
    state.register_sdk_app(SDK_KEY, SDK_SECRET)
    meeting = state.class_meeting_id
    state.start_meeting(meeting)
    state.host_admits_assistant(meeting, cohost=cohost)  # the teacher's action, ready for when it arrives
    backend = RehearsalBinding(state=state)
    sdk = binding(backend) if binding else FakeBinding(backend)
    watch = Watch()
    adapter = SdkAdapter(binding=sdk, on_event=watch.event, on_status=watch.status)
    adapter.start(sdk_jwt=make_sdk_jwt(sdk_key=SDK_KEY, sdk_secret=SDK_SECRET))
    adapter.join(meeting_number=meeting, passcode=state.meetings[meeting].password if passcode is None else passcode)
    expected = "co-host" if cohost else "attendee"
    if passcode is None:
        watch.until(lambda: adapter.status.rights == expected, f"the assistant to be {expected}")
    return adapter, watch, state, sdk


def test_fake_has_exactly_the_published_names_and_refuses_others() -> None:
    fake = FakeBinding(RehearsalBinding(state=ZoomState()))
    assert set(dir(fake)) == set(SURFACE.kinds) and len(SURFACE.kinds) > 400
    with pytest.raises(AttributeError):
        fake.LockMeeting  # noqa: B018 - not bound in 0.0.27
    assert fake.recorder.violations == ["LockMeeting"]
    service = fake.CreateMeetingService()
    with pytest.raises(TypeError):
        service.GetMeetingWaitingRoomController().AdmitToMeeting("16778240")  # an id is an int
    with pytest.raises(TypeError):
        fake.MeetingParticipantsCtrlEventCallbacks(onSomethingElseCallback=print)


def test_rehearsal_binding_publishes_only_names_and_values_the_real_binding_has() -> None:
    for enum in ENUMS:
        assert SURFACE.kinds[enum.__name__] == "enum"
        assert {m.name for m in enum} <= SURFACE.members[enum.__name__], enum.__name__
    assert {m.name for m in ENUMS[0]} == SURFACE.members["SDKError"]  # every SDKError, for the messages
    assert not any(name in SURFACE.kinds for name in OPTIONAL_NAMES)
    assert not any(name in members for name in OPTIONAL_NAMES for members in SURFACE.members.values())


def test_a_whole_session_uses_only_names_the_binding_has() -> None:
    adapter, watch, state, sdk = joined()
    state.sdk_rules.stop_share_own_only = False  # every control answers "done" here; what StopShare can stop is tested below
    meeting = state.class_meeting_id
    pupil = state.arrive(meeting, "Amy B")
    other = state.arrive(meeting, "Zoe L")
    watch.until(lambda: adapter.poll() or watch.kinds(str(other.user_id)), "the arrivals")
    for outcome in (
        adapter.admit(pupil.user_id),
        adapter.mute_all(allow_self_unmute=False),
        adapter.allow_chat(False),
        adapter.lock_share(),
        adapter.stop_share(),
        adapter.lock(),
        adapter.unlock(),
        adapter.put_in_waiting_room(pupil.user_id),
        adapter.remove(other.user_id),
    ):
        assert outcome.ok, outcome.message
    adapter.poll()
    adapter.leave()
    unexpected = [name for name in sdk.recorder.violations if name.split(".")[-1] not in OPTIONAL_NAMES]
    assert unexpected == []
    assert ("IMeetingWaitingRoomController", "AdmitToMeeting") in sdk.recorder.touched
    assert ("IMeetingAudioController", "MuteAudio") in sdk.recorder.touched


def test_adapter_names_exist_in_the_installed_sdk(tmp_path) -> None:
    require(importlib.util.find_spec("zoom_meeting_sdk") is not None, "zoom-meeting-sdk (the assistant extra) is not installed")
    adapter, watch, state, sdk = joined()
    meeting = state.class_meeting_id
    person = state.arrive(meeting, "Amy B")
    watch.until(lambda: adapter.poll() or watch.kinds(str(person.user_id)), "the arrival")
    adapter.admit(person.user_id)
    adapter.mute_all(allow_self_unmute=False)
    adapter.lock()
    adapter.remove(person.user_id)
    # The real binding is loaded in a process of its own, as the assistant loads it: once loaded,
    # the SDK logs into its folder for the life of the process, which must not be this test run's.
    probe = {
        "touched": sorted(sdk.recorder.touched),
        "callback_kwargs": sorted(sdk.recorder.callback_kwargs),
        "optional": sorted(OPTIONAL_NAMES),
    }
    script = """
import json, sys
from zoomhost.assistant.sdk_binding import import_meeting_sdk
real = import_meeting_sdk()
probe = json.loads(sys.stdin.read())
missing = [f"{owner}.{name}" for owner, name in probe["touched"] if not hasattr(getattr(real, owner) if owner else real, name)]
missing += [f"{cls}({kw}=)" for cls, kw in probe["callback_kwargs"] if f"{kw}:" not in (getattr(real, cls).__init__.__doc__ or "")]
present = [name for name in probe["optional"] if hasattr(real, name) or hasattr(real.IMeetingService, name)]
print(json.dumps({"missing": missing, "optional_present": present}))
"""
    env = {**os.environ, "ZOOMHOST_HOME": str(tmp_path / "sdk-probe-home")}
    env.pop("SSB_HOME", None)
    proc = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps(probe), capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert found == {"missing": [], "optional_present": []}
    assert "failed to open file" not in proc.stderr


def test_sdk_jwt_has_the_claims_zoom_documents() -> None:
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    token = make_sdk_jwt(sdk_key=SDK_KEY, sdk_secret=SDK_SECRET, now=now)
    claims = jwt.decode(token, SDK_SECRET, algorithms=["HS256"], options={"verify_exp": False})
    assert claims["appKey"] == SDK_KEY
    assert claims["tokenExp"] == claims["exp"]
    assert claims["exp"] - claims["iat"] == 2 * 3600 and claims["iat"] <= int(now.timestamp())
    with pytest.raises(AssistantError, match="Meeting SDK key and secret"):
        make_sdk_jwt(sdk_key="", sdk_secret=SDK_SECRET)
    with pytest.raises(ValueError):
        make_sdk_jwt(sdk_key=SDK_KEY, sdk_secret=SDK_SECRET, lifetime=timedelta(minutes=5))


def test_without_cohost_the_teacher_gets_the_one_click_and_no_control_pretends_to_work() -> None:
    adapter, watch, state, sdk = joined(cohost=False)
    assert adapter.status.instruction == COHOST_INSTRUCTION
    assert COHOST_INSTRUCTION == "In Zoom: Participants ▸ hover Safeguarding assistant ▸ More ▸ Make co-host"
    caps = adapter.capabilities()
    assert not any(info.available for info in caps.values())
    assert "Make co-host" in caps[Capability.ADMIT].explanation
    person = state.arrive(state.class_meeting_id, "Amy B")
    adapter.poll()
    outcome = adapter.admit(person.user_id)
    assert not outcome.ok and "Make co-host" in outcome.message
    assert state.participant(state.class_meeting_id, person.user_id).where == "waiting"
    sdk._backend.make_cohost()  # the teacher's click
    watch.until(lambda: adapter.status.rights == "co-host", "co-host rights")
    assert adapter.admit(person.user_id).ok
    assert any(e.kind is EventKind.HOST_CHANGED and e.extra["role"] == "co-host" for e in watch.events)


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("SDKERR_NO_PERMISSION", "Make co-host"),
        ("SDKERR_TOO_FREQUENT_CALL", "slow down"),
        ("SDKERR_INVALID_PARAMETER", "may have left"),
        ("SDKERR_FILETRANSFER_ERROR", "SDKERR_FILETRANSFER_ERROR"),  # no sentence of its own: named as it is
    ],
)
def test_sdk_errors_become_sentences(error: str, words: str) -> None:
    adapter, watch, state, sdk = joined()
    person = state.arrive(state.class_meeting_id, "Amy B")
    adapter.poll()
    sdk.fail("AdmitToMeeting", error)
    outcome = adapter.admit(person.user_id)
    assert not outcome.ok and words in outcome.message
    assert state.participant(state.class_meeting_id, person.user_id).where == "waiting"


def test_wrong_passcode_is_said_plainly() -> None:
    adapter, watch, state, sdk = joined(passcode="not-it")
    watch.until(lambda: adapter.status.state == "failed", "the join to fail")
    assert adapter.status.message == "Zoom did not accept the meeting passcode."
    assert not adapter.admit(1).ok


def test_callbacks_become_meeting_events() -> None:
    adapter, watch, state, sdk = joined()
    meeting = state.class_meeting_id
    stays, leaves, renames = (state.arrive(meeting, name) for name in ("Amy B", "Zoe L", "Mo K"))
    adapter.poll()
    state.leave(meeting, leaves.user_id)
    state.rename(meeting, renames.user_id, "Mohammed K")
    adapter.poll()
    assert adapter.admit(stays.user_id).ok
    watch.until(lambda: EventKind.JOINED in watch.kinds(str(stays.user_id)), "the join callback")
    state.leave(meeting, stays.user_id)
    watch.until(lambda: EventKind.LEFT in watch.kinds(str(stays.user_id)), "the leave callback")
    assert watch.kinds(str(stays.user_id)) == [EventKind.WAITING_JOINED, EventKind.ADMITTED, EventKind.JOINED, EventKind.LEFT]
    assert watch.kinds(str(leaves.user_id)) == [EventKind.WAITING_JOINED, EventKind.WAITING_LEFT]
    assert watch.kinds(str(renames.user_id)) == [EventKind.WAITING_JOINED, EventKind.WAITING_RENAMED]
    renamed = [e for e in watch.events if e.kind is EventKind.WAITING_RENAMED][0]
    assert renamed.display_name == "Mohammed K" and renamed.source == "assistant"
    assert len({e.event_id for e in watch.events}) == len(watch.events)


def test_a_name_from_the_sdk_is_cut_to_the_event_streams_limit_and_says_so() -> None:
    from zoomhost.core.events import MAX_DISPLAY_NAME as MAX_NAME
    from zoomhost.zoom.events import meeting_event_from_webhook

    adapter, watch, state, sdk = joined()
    meeting = state.class_meeting_id
    long_name = "Amy B" + "\u200b" * 10_000  # a 10,005-character name
    pupil = state.arrive(meeting, long_name)
    adapter.poll()
    watch.until(lambda: EventKind.WAITING_JOINED in watch.kinds(str(pupil.user_id)), "the arrival")
    heard = [e for e in watch.events if e.participant_id == str(pupil.user_id)][0]
    # The same name over Zoom's event stream, for comparison.
    streamed = meeting_event_from_webhook(
        {"event": "meeting.participant_joined_waiting_room", "event_ts": 1,
         "payload": {"object": {"id": str(meeting), "participant": {"user_id": str(pupil.user_id), "user_name": long_name,
                                                                     "date_time": "2024-01-01T09:00:00Z"}}}}
    )  # fmt: skip
    assert streamed is not None
    assert heard.display_name == streamed.display_name == long_name[:MAX_NAME]
    assert heard.extra.get("name_truncated") == streamed.extra.get("name_truncated") == "true"
    short = state.arrive(meeting, "Zoe L")
    adapter.poll()
    watch.until(lambda: EventKind.WAITING_JOINED in watch.kinds(str(short.user_id)), "the second arrival")
    ordinary = [e for e in watch.events if e.participant_id == str(short.user_id)][0]
    assert ordinary.display_name == "Zoe L" and "name_truncated" not in ordinary.extra


def test_lock_without_lockmeeting_holds_every_later_arrival() -> None:
    adapter, watch, state, sdk = joined()
    meeting = state.class_meeting_id
    assert adapter.lock_method == "waiting_room_hold"
    assert adapter.capabilities()[Capability.LOCK].label == "Lock (hold every later arrival)"
    assert adapter.lock().ok
    late = state.arrive(meeting, "Amy B")
    adapter.poll()
    arrival = [e for e in watch.events if e.participant_id == str(late.user_id)][0]
    # held, and with the persistent id Zoom's event stream knows them by (whatever user id it gives them)
    assert arrival.extra == {"held": "arrived after lock", "participant_uuid": late.participant_uuid}
    assert not adapter.admit(late.user_id, bulk=True).ok  # admit-all passes them by
    assert adapter.admit(late.user_id).ok  # the teacher may still let them in, one by one


def test_lockmeeting_is_used_where_a_binding_has_it() -> None:
    adapter, watch, state, sdk = joined(binding=lambda backend: RehearsalBinding(state=backend.state, with_lock_meeting=True))
    assert adapter.lock_method == "lock_meeting"
    assert adapter.capabilities()[Capability.LOCK].label == "Lock meeting"
    assert adapter.lock().ok
    assert state.arrive(state.class_meeting_id, "Amy B") is None  # Zoom turns them away
    assert adapter.unlock().ok
    assert state.arrive(state.class_meeting_id, "Amy B") is not None


def test_ending_for_all_needs_host_not_cohost() -> None:
    adapter, watch, state, sdk = joined()
    outcome = adapter.end_for_all()
    assert not outcome.ok and "Only the meeting's host" in outcome.message and state.is_live(state.class_meeting_id)
    assert not adapter.capabilities()[Capability.END_FOR_ALL].available
    sdk._backend.make_host()
    watch.until(lambda: adapter.status.rights == "host", "host rights")
    assert adapter.end_for_all().ok and not state.is_live(state.class_meeting_id)


def test_the_assistant_says_which_participant_is_itself() -> None:
    adapter, watch, _state, _sdk = joined()
    watch.until(lambda: any(e.extra.get("assistant_self") == "true" for e in watch.events), "the assistant's own id")
    (own,) = [e for e in watch.events if e.extra.get("assistant_self") == "true"]
    assert own.source == "assistant" and own.participant_id and own.kind.value == "joined"
    adapter.leave()
