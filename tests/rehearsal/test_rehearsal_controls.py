"""The host controls the rehearsal plays as the Meeting SDK assistant, on the same state as REST and events."""

from __future__ import annotations

import pytest

from zoomhost.rehearsal.state import CONTROL_EVENT, RENAMED_EVENT, RehearsalError, ZoomState


@pytest.fixture
def live() -> tuple[ZoomState, int, list[dict]]:
    state = ZoomState()
    events: list[dict] = []
    state.subscribe(events.append)
    meeting = state.class_meeting_id
    state.start_meeting(meeting)
    return state, meeting, events


def test_admit_one_and_admit_all_move_people_from_the_waiting_room(live) -> None:  # type: ignore[no-untyped-def]
    state, meeting, events = live
    people = [state.arrive(meeting, name) for name in ("Isla Quayle", "Noah Kermode", "Ruby Teare")]
    assert state.admit(meeting, people[0].user_id) is True
    assert state.admit(meeting, people[0].user_id) is False, "admitting twice does nothing the second time"
    assert state.admit_all(meeting) == 2
    assert [p.display_name for p in state.in_meeting(meeting)] == ["Isla Quayle", "Noah Kermode", "Ruby Teare"]
    assert state.waiting_room(meeting) == []
    assert [e["event"] for e in events].count("meeting.participant_admitted") == 3


def test_put_back_and_remove_and_a_removed_person_cannot_return(live) -> None:  # type: ignore[no-untyped-def]
    state, meeting, events = live
    pupil = state.arrive(meeting, "Isla Quayle", identity="isla-ipad")
    state.admit(meeting, pupil.user_id)
    assert state.put_in_waiting_room(meeting, pupil.user_id)
    assert [p.user_id for p in state.waiting_room(meeting)] == [pupil.user_id]
    assert state.expel(meeting, pupil.user_id)
    assert events[-1]["event"] == "meeting.participant_left_waiting_room"
    assert state.arrive(meeting, "Isla Quayle", identity="isla-ipad") is None
    stranger = state.arrive(meeting, "Stranger")
    state.admit(meeting, stranger.user_id)
    state.expel(meeting, stranger.user_id)
    assert events[-1]["payload"]["object"]["participant"]["leave_reason"] == "Removed by host."


def test_a_locked_meeting_turns_new_joiners_away(live) -> None:  # type: ignore[no-untyped-def]
    state, meeting, _ = live
    state.set_locked(meeting, True)
    assert state.arrive(meeting, "xX_RaidLord_Xx") is None
    state.set_locked(meeting, False)
    assert state.arrive(meeting, "Late pupil") is not None


def test_in_meeting_controls_are_state_and_reach_the_assistant_side_only(live) -> None:  # type: ignore[no-untyped-def]
    state, meeting, events = live
    sharer = state.arrive(meeting, "Noah Kermode")
    state.admit(meeting, sharer.user_id)
    assert state.start_share(meeting, sharer.user_id)
    state.stop_share(meeting)
    state.lock_share(meeting, True)
    assert not state.start_share(meeting, sharer.user_id)
    state.mute_all(meeting, allow_self_unmute=False)
    state.set_chat_allowed(meeting, False)
    room = state.live_meeting(meeting)
    assert (room.muted_all, room.allow_self_unmute, room.chat_allowed, room.share_locked) == (True, False, False, True)
    controls = [e["rehearsal"]["control"] for e in events if e["event"] == CONTROL_EVENT]
    assert controls == ["stop_share", "lock_share", "mute_all", "chat_allowed"]


def test_a_rename_keeps_the_same_person_and_a_rejoin_gets_a_new_id(live) -> None:  # type: ignore[no-untyped-def]
    state, meeting, events = live
    device = state.arrive(meeting, "iPad", identity="ruby")
    state.rename(meeting, device.user_id, "Ruby Teare")
    assert events[-1]["event"] == RENAMED_EVENT and events[-1]["rehearsal"]["old_user_name"] == "iPad"
    assert state.waiting_room(meeting)[0].display_name == "Ruby Teare"
    state.leave(meeting, device.user_id)
    again = state.arrive(meeting, "Ruby Teare", identity="ruby")
    assert again.user_id != device.user_id and again.participant_uuid == device.participant_uuid


def test_end_for_all_empties_the_meeting_and_attendance_remains(live) -> None:  # type: ignore[no-untyped-def]
    state, meeting, events = live
    stays = state.arrive(meeting, "Isla Quayle")
    state.admit(meeting, stays.user_id)
    state.arrive(meeting, "Still waiting")
    assert state.end_meeting(meeting) is True
    assert state.end_meeting(meeting) is False
    assert events[-1]["event"] == "meeting.ended"
    with pytest.raises(RehearsalError):
        state.waiting_room(meeting)
    # Zoom lists the one never let in as well, marked as in the waiting room: only Isla attended.
    assert [(row["name"], row["status"]) for row in state.attendance(meeting)] == [
        ("Isla Quayle", "in_meeting"),
        ("Still waiting", "in_waiting_room"),
    ]
