"""Every answer the rehearsal Zoom gives over REST matches Zoom's documents, path by path."""

from __future__ import annotations

import dataclasses

import pytest

from tests.contract.spec import ContractViolation
from tests.rehearsal.contract import check_all, check_response, closed
from tests.rehearsal.fixtures import api_client, rehearsal_server  # noqa: F401
from zoomhost.rehearsal.server import RehearsalServer
from zoomhost.rehearsal.state import SAFE_GROUP_ID

#: The operations the rehearsal serves; the test below proves each one is exercised and valid.
SERVED = {
    ("GET", "/users/{userId}", 200),
    ("GET", "/users/{userId}/settings", 200),
    ("GET", "/users/{userId}/token", 200),
    ("PATCH", "/users/{userId}/settings", 204),
    ("GET", "/users/{userId}/meetings", 200),
    ("GET", "/users", 200),
    ("GET", "/accounts/{accountId}/settings", 200),
    ("GET", "/accounts/{accountId}/lock_settings", 200),
    ("GET", "/accounts/{accountId}/lock_settings", 400),
    ("GET", "/groups/{groupId}/lock_settings", 200),
    ("GET", "/meetings/{meetingId}", 200),
    ("PATCH", "/meetings/{meetingId}", 204),
    ("PUT", "/meetings/{meetingId}/status", 204),
    ("POST", "/meetings/{meetingId}/batch_registrants", 201),
    ("POST", "/meetings/{meetingId}/registrants", 201),
    ("GET", "/meetings/{meetingId}/registrants", 200),
    ("GET", "/metrics/meetings/{meetingId}/participants", 200),
    ("GET", "/past_meetings/{meetingId}/participants", 200),
    ("GET", "/report/meetings/{meetingId}/participants", 200),
}


def test_every_served_path_answers_as_documented(rehearsal_server: RehearsalServer) -> None:
    server = rehearsal_server
    # The school's app was also given the report scope zoomhost does not ask for, so the report path answers too.
    server.credentials = dataclasses.replace(server.credentials, scopes=(*server.credentials.scopes, "report:read:admin"))
    state = server.state
    state.plan = "business"  # the Dashboard answers on Business and Education plans only
    host, assembly, pmi = state.host_id, state.assembly_meeting_id, state.pmi_meeting_id
    with api_client(server) as api:
        assert api.get(f"/users/{host}").json()["email"].endswith("@sch.im")
        assert api.get(f"/users/{host}/settings").json()["in_meeting"]["chat"] is True
        assert "meeting_security" in api.get(f"/users/{host}/settings", params={"option": "meeting_security"}).json()
        assert api.get(f"/users/{state.assistant_user_id}/token", params={"type": "zak"}).json()["token"]
        assert api.patch(f"/users/{host}/settings", json={"in_meeting": {"chat": False}}).status_code == 204
        assert len(api.get(f"/users/{host}/meetings", params={"type": "upcoming"}).json()["meetings"]) == 3
        assert {u["id"] for u in api.get("/users").json()["users"]} >= {host}
        assert api.get("/accounts/me/settings").status_code == 200
        assert api.get("/accounts/me/lock_settings").status_code == 200
        assert api.get("/accounts/someoneElse0001/lock_settings").json()["code"] == 2001  # a 400, as documented
        assert api.get(f"/groups/{SAFE_GROUP_ID}/lock_settings").status_code == 200
        api.get(f"/users/{host}/meetings", params={"type": "scheduled", "page_size": 1})
        assert api.get(f"/meetings/{assembly}").json()["settings"]["waiting_room"] is True
        assert api.get(f"/meetings/{pmi}").json()["type"] == 4
        assert api.patch(f"/meetings/{assembly}", json={"settings": {"approval_type": 0}}).status_code == 204
        batch = api.post(
            f"/meetings/{assembly}/batch_registrants",
            json={"registrants": [{"email": f"family{n}@example.org", "first_name": f"Pupil{n}"} for n in range(3)]},
        )
        assert batch.status_code == 201 and len(batch.json()["registrants"]) == 3
        one = api.post(f"/meetings/{assembly}/registrants", json={"email": "late@example.org", "first_name": "Late"})
        assert one.status_code == 201
        listed = api.get(f"/meetings/{assembly}/registrants", params={"page_size": 2}).json()
        assert listed["total_records"] == 4 and len(listed["registrants"]) == 2 and listed["next_page_token"]
        state.start_meeting(assembly)
        state.arrive(assembly, "Isla Quayle")
        admitted = state.arrive(assembly, "Noah Kermode")
        assert admitted is not None and state.admit(assembly, admitted.user_id)
        live = api.get(f"/metrics/meetings/{assembly}/participants", params={"type": "live"}).json()
        assert {p["status"] for p in live["participants"]} == {"in_meeting", "in_waiting_room"}
        assert api.put(f"/meetings/{assembly}/status", json={"action": "end"}).status_code == 204
        assert api.get(f"/metrics/meetings/{assembly}/participants", params={"type": "past"}).status_code == 200
        past = api.get(f"/past_meetings/{assembly}/participants").json()
        # Isla was never let in: Zoom lists her too, with the waiting room's status, so only Noah attended.
        assert [(p["name"], p["status"]) for p in past["participants"]] == [("Isla Quayle", "in_waiting_room"), ("Noah Kermode", "in_meeting")]
        report = api.get(f"/report/meetings/{assembly}/participants").json()
        assert report["total_records"] == 2 and [p["name"] for p in report["participants"] if p["status"] == "in_meeting"] == ["Noah Kermode"]
        # errors, checked for Zoom's error shape
        assert api.get("/meetings/123").json()["code"] == 3001
    covered, _ = check_all(server.exchanges, [])
    assert SERVED <= covered, f"not exercised: {sorted(SERVED - covered)}"


def test_the_closed_reading_rejects_an_invented_field() -> None:
    """The stricter reading is not hollow: a field the documents do not list is refused."""
    with pytest.raises(ContractViolation, match="invented"):
        check_response("GET", "/v2/users/abc", 200, {"id": "abc", "type": 1, "invented": True})
    schema = closed({"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}}, {"type": "object", "properties": {"b": {"type": "integer"}}}]})
    assert schema["additionalProperties"] is False and set(schema["properties"]) == {"a", "b"}


def test_settings_alternatives_are_told_apart_when_closed() -> None:
    check_response("GET", "/v2/users/me/settings", 200, {"in_meeting": {"chat": False}})
    check_response("GET", "/v2/users/me/settings", 200, {"meeting_security": {"waiting_room": True}})
    with pytest.raises(ContractViolation):
        check_response("GET", "/v2/users/me/settings", 200, {"in_meeting": {"chat": "off"}})


@pytest.mark.parametrize("option", ["meeting_authentication", "recording_authentication"])
def test_an_authentication_option_answers_only_that_options_body(rehearsal_server: RehearsalServer, option: str) -> None:  # noqa: F811
    """Zoom answers ``option=meeting_authentication`` (or ``recording_authentication``) with that option's flag and
    the authentication profiles, not the user's settings: an app reading it gets what Zoom would give it."""
    server = rehearsal_server
    with api_client(server) as api:
        answer = api.get(f"/users/{server.state.host_id}/settings", params={"option": option})
    assert answer.status_code == 200
    body = answer.json()
    assert body[option] is False and body["authentication_options"], body
    assert not {"in_meeting", "schedule_meeting", "recording", "meeting_security"} & set(body), "none of the user's other settings"
    check_response("GET", "/v2/users/me/settings", 200, body)


def test_the_hosts_meeting_authentication_options_are_answered_as_the_account_has_them(rehearsal_server: RehearsalServer) -> None:  # noqa: F811
    """``option=meeting_authentication`` lists the options a meeting's ``authentication_option`` may name, with each
    one's ``id``, ``type`` and ``domains``; an account whose admin added no domains option answers without one."""
    server = rehearsal_server
    state = server.state
    with api_client(server) as api:
        body = api.get(f"/users/{state.host_id}/settings", params={"option": "meeting_authentication"}).json()
        check_response("GET", "/v2/users/me/settings", 200, body)
        by_type = {o["type"]: o for o in body["authentication_options"]}
        assert by_type["enforce_login"]["default_option"] is True
        assert by_type["enforce_login_with_domains"]["domains"] == "sch.im" and by_type["enforce_login_with_domains"]["id"]
        state.meeting_authentication_options = [o for o in state.meeting_authentication_options if o["type"] == "enforce_login"]
        again = api.get(f"/users/{state.host_id}/settings", params={"option": "meeting_authentication"}).json()
    check_response("GET", "/v2/users/me/settings", 200, again)
    assert [o["type"] for o in again["authentication_options"]] == ["enforce_login"]
