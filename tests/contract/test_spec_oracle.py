"""The oracle itself must reject what Zoom's documents reject, or every contract test is hollow."""

from __future__ import annotations

import pytest

from tests.contract.spec import ContractViolation, ZoomSpec, example_from_schema


def test_request_paths_map_to_templates() -> None:
    spec = ZoomSpec.load()
    assert spec.match("GET", "/v2/meetings/85746065432") == "/meetings/{meetingId}"
    assert spec.match("PUT", "/v2/meetings/85746065432/status") == "/meetings/{meetingId}/status"
    assert spec.match("GET", "/v2/users/me/settings") == "/users/{userId}/settings"
    assert spec.match("GET", "/v2/metrics/meetings/1/participants") == "/metrics/meetings/{meetingId}/participants"
    with pytest.raises(ContractViolation):
        spec.match("POST", "/v2/meetings/1/admit")


def test_examples_validate_and_wrong_types_do_not() -> None:
    spec = ZoomSpec.load()
    meeting = example_from_schema(spec.response_schema("GET", "/meetings/{meetingId}", 200))
    spec.validate_response("GET", "/meetings/{meetingId}", 200, meeting)
    meeting["settings"]["waiting_room"] = "yes please"
    with pytest.raises(ContractViolation, match="waiting_room"):
        spec.validate_response("GET", "/meetings/{meetingId}", 200, meeting)


def test_end_meeting_body_is_checked() -> None:
    spec = ZoomSpec.load()
    spec.validate_request_body("PUT", "/meetings/{meetingId}/status", {"action": "end"})
    with pytest.raises(ContractViolation):
        spec.validate_request_body("PUT", "/meetings/{meetingId}/status", {"action": "explode"})


def test_waiting_room_event_schema_requires_participant() -> None:
    spec = ZoomSpec.load()
    event = example_from_schema(spec.event_schema("meeting.participant_joined_waiting_room"))
    event["event"] = "meeting.participant_joined_waiting_room"
    spec.validate_event(event)
    del event["payload"]["object"]["participant"]
    with pytest.raises(ContractViolation, match="participant"):
        spec.validate_event(event)


def test_user_settings_patch_is_accepted_despite_overlapping_alternatives() -> None:
    spec = ZoomSpec.load()
    spec.validate_request_body("PATCH", "/users/{userId}/settings", {"in_meeting": {"chat": False}})
    with pytest.raises(ContractViolation):
        spec.validate_request_body("PATCH", "/users/{userId}/settings", {"in_meeting": {"chat": "off"}})
