"""The rehearsal's bridge answers a host control first and then tells every listener what it caused, in order."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator

import pytest
from websockets.sync.client import connect

from zoomhost.rehearsal.binding import RehearsalBridge, RemoteZoomState
from zoomhost.rehearsal.state import ZoomState


@pytest.fixture
def bridged() -> Iterator[tuple[ZoomState, str]]:
    state = ZoomState()
    state.start_meeting(state.class_meeting_id)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    bridge = RehearsalBridge(state=state)
    url = asyncio.run_coroutine_threadsafe(bridge.start(), loop).result(10)
    try:
        yield state, url
    finally:
        asyncio.run_coroutine_threadsafe(bridge.close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


def _admissions(frames: list[dict]) -> list[tuple[str, str]]:
    return [
        (e["event"], e["payload"]["object"]["participant"]["user_id"])
        for frame in frames
        for e in frame.get("events", ())
        if e["event"] in ("meeting.participant_admitted", "meeting.participant_joined")
    ]


def test_an_admission_is_answered_before_its_events_which_then_follow_in_order(bridged: tuple[ZoomState, str]) -> None:
    state, url = bridged
    meeting = state.class_meeting_id
    person = state.arrive(meeting, "Amy B")
    with connect(url, compression=None) as ws:
        ws.send(json.dumps({"id": 1, "method": "admit", "args": [meeting, person.user_id]}))
        answer = json.loads(ws.recv(10))
        assert answer["id"] == 1 and answer["result"] is True
        assert _admissions([answer]) == [], "Zoom's answer does not wait for the notifications it causes"
        heard: list[dict] = []
        while len(_admissions(heard)) < 2:
            heard.append(json.loads(ws.recv(10)))
    who = str(person.user_id)
    assert _admissions(heard) == [("meeting.participant_admitted", who), ("meeting.participant_joined", who)]
    assert [p.user_id for p in state.in_meeting(meeting)] == [person.user_id]


def test_every_listener_hears_every_admission_once_in_the_order_they_were_made(bridged: tuple[ZoomState, str]) -> None:
    state, url = bridged
    meeting = state.class_meeting_id
    people = [state.arrive(meeting, f"Pupil {n}").user_id for n in range(40)]
    admitting, listening = RemoteZoomState(url), RemoteZoomState(url)
    heard_by_admitter: list[dict] = []
    heard_by_listener: list[dict] = []
    admitting.subscribe(heard_by_admitter.append)
    listening.subscribe(heard_by_listener.append)
    try:
        for user_id in people:
            assert admitting.admit(meeting, user_id) is True
        expected = [(kind, str(user_id)) for user_id in people for kind in ("meeting.participant_admitted", "meeting.participant_joined")]
        for heard in (heard_by_admitter, heard_by_listener):
            deadline = threading.Event()
            for _ in range(500):  # until the last admission's events have come (each listener's own reader thread)
                if len(_admissions([{"events": list(heard)}])) >= len(expected):
                    break
                deadline.wait(0.02)
            assert _admissions([{"events": list(heard)}]) == expected
    finally:
        admitting.close()
        listening.close()


def test_a_change_made_while_an_answer_is_on_its_way_is_heard_after_the_events_that_answer_held() -> None:
    state = ZoomState()
    meeting = state.class_meeting_id
    state.start_meeting(meeting)
    first, second = state.arrive(meeting, "Amy B"), state.arrive(meeting, "Ben C")
    heard: list[str] = []
    state.subscribe(lambda e: heard.append(f"{e['event']} {e['payload']['object'].get('participant', {}).get('user_name')}"))
    with state.answer_first():
        state.admit(meeting, first.user_id)
        assert heard == [], "held until the answer is on its way"
    state.admit(meeting, second.user_id)  # another change before the held events were delivered: it comes after them
    state.deliver_held()
    assert heard == [
        "meeting.participant_admitted Amy B",
        "meeting.participant_joined Amy B",
        "meeting.participant_admitted Ben C",
        "meeting.participant_joined Ben C",
    ]
