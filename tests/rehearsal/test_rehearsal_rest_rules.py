"""The rehearsal refuses what Zoom refuses, with Zoom's codes, so a client meets the real failures."""

from __future__ import annotations

import copy
import dataclasses
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.rehearsal.contract import check_all
from tests.rehearsal.fixtures import account_token, api_client, rehearsal_server  # noqa: F401
from zoomhost.rehearsal.server import RehearsalServer
from zoomhost.rehearsal.state import DAILY_MEETING_UPDATES, RehearsalError, ZoomState


def test_no_token_a_wrong_token_and_an_expired_token_are_code_124(rehearsal_server: RehearsalServer) -> None:
    server = rehearsal_server
    meeting = f"{server.api_base}/meetings/{server.state.assembly_meeting_id}"
    assert httpx.get(meeting).json() == {"code": 124, "message": "Invalid access token."}
    assert httpx.get(meeting, headers={"Authorization": "Bearer nonsense"}).status_code == 401
    token = account_token(server)
    assert httpx.get(meeting, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    server.faults.expire_tokens()
    expired = httpx.get(meeting, headers={"Authorization": f"Bearer {token}"})
    assert expired.status_code == 401 and expired.json() == {"code": 124, "message": "Access token is expired."}


def test_tokens_run_out_after_their_lifetime() -> None:
    with RehearsalServer(token_lifetime_s=0.3) as server:
        with api_client(server) as api:
            assert api.get(f"/meetings/{server.state.class_meeting_id}").status_code == 200
            import time

            time.sleep(0.4)
            assert api.get(f"/meetings/{server.state.class_meeting_id}").json()["code"] == 124


def test_unknown_meetings_and_users_are_404_with_zoom_codes(rehearsal_server: RehearsalServer) -> None:
    with api_client(rehearsal_server) as api:
        gone = api.get("/meetings/99999999999")
        assert gone.status_code == 404 and gone.json() == {"code": 3001, "message": "Meeting does not exist: 99999999999."}
        assert api.put("/meetings/99999999999/status", json={"action": "end"}).json()["code"] == 3001
        assert api.get("/users/nobody@example.org").json()["code"] == 1001
        # An account-level (Server-to-Server) token has no "me": the host is named by the meeting's host_id.
        assert api.get("/users/me/settings").json()["code"] == 1001
    check_all(rehearsal_server.exchanges, [])


def test_the_hundredth_meeting_update_is_the_last_of_the_day(rehearsal_server: RehearsalServer) -> None:
    meeting = rehearsal_server.state.class_meeting_id
    rehearsal_server.rate_limits[rehearsal_server.state.plan]["light"] = 10_000  # this test is about the daily budget
    first = rehearsal_server.state.now()
    with api_client(rehearsal_server) as api:
        remaining = []
        for n in range(DAILY_MEETING_UPDATES):
            response = api.patch(f"/meetings/{meeting}", json={"agenda": f"version {n}"})
            assert response.status_code == 204
            remaining.append(int(response.headers["X-RateLimit-Remaining"]))
        refused = api.patch(f"/meetings/{meeting}", json={"agenda": "one too many"})
        assert api.get(f"/meetings/{meeting}").json()["agenda"] == "version 99"
    assert remaining[0] == 99 and remaining[-1] == 0
    assert refused.status_code == 429
    assert refused.json()["message"].startswith("You have exceeded the daily rate limit (100) of Meeting Create/Update")
    # "a maximum of 100 times within a 24-hour period": free again 24 hours after the first of them, not at midnight
    free_at = datetime.fromisoformat(refused.headers["Retry-After"].replace("Z", "+00:00"))
    assert timedelta(hours=24) <= free_at - first.replace(microsecond=0) <= timedelta(hours=24, seconds=5)


def test_the_daily_budget_is_any_24_hours_not_a_calendar_day() -> None:
    """100 updates just before midnight leave none just after it: Zoom counts a rolling 24 hours."""
    now = [datetime(2026, 3, 9, 23, 50, tzinfo=UTC)]
    state = ZoomState(clock=lambda: now[0])
    meeting = state.class_meeting_id
    for n in range(DAILY_MEETING_UPDATES):
        state.update_meeting(meeting, {"agenda": f"version {n}"})
    now[0] += timedelta(minutes=20)  # 00:10 the next day
    assert state.updates_remaining(state.host_id) == 0
    with pytest.raises(RehearsalError) as refused:
        state.update_meeting(meeting, {"agenda": "after midnight"})
    assert refused.value.status == 429
    now[0] += timedelta(hours=23, minutes=41)  # 24 hours and a minute after the first
    assert state.update_meeting(meeting, {"agenda": "the next day"}) == DAILY_MEETING_UPDATES - 1


def test_a_patch_of_the_wrong_kind_is_refused_and_changes_nothing(rehearsal_server: RehearsalServer) -> None:
    meeting = rehearsal_server.state.assembly_meeting_id
    with api_client(rehearsal_server) as api:
        bad = api.patch(f"/meetings/{meeting}", json={"topic": "New topic", "settings": {"waiting_room": "yes"}})
        assert bad.status_code == 400 and bad.json()["code"] == 300
        after = api.get(f"/meetings/{meeting}").json()
        assert after["topic"] != "New topic" and after["settings"]["waiting_room"] is True
        assert api.patch(f"/meetings/{meeting}", content=b"not json").json()["code"] == 300
    assert rehearsal_server.state.updates_used(rehearsal_server.state.host_id) == 0, "a refused update costs nothing"


def test_per_second_limits_follow_the_plan_and_the_category(rehearsal_server: RehearsalServer) -> None:
    server = rehearsal_server
    server.credentials = dataclasses.replace(server.credentials, scopes=(*server.credentials.scopes, "report:read:admin"))
    server.state.plan = "pro"  # heavy: 10 a second
    with api_client(server) as api:
        statuses = [api.get(f"/report/meetings/{server.state.assembly_meeting_id}/participants").status_code for _ in range(14)]
        light = api.get(f"/meetings/{server.state.assembly_meeting_id}")
    assert statuses.count(429) >= 3, statuses  # 14 in well under a second: at most 10 get through
    assert light.status_code == 200, "another category has its own allowance"
    limited = next(ex for ex in server.exchanges if ex.status == 429)
    assert "per-second rate limit" in limited.response_body["message"]


def test_a_teachers_own_token_cannot_touch_a_colleagues_meeting(rehearsal_server: RehearsalServer) -> None:
    server, state = rehearsal_server, rehearsal_server.state
    server.oauth_user_id = state.outsider_id
    token = _user_token(server)
    outsider_meeting = next(m.id for m in state.meetings.values() if m.host_id == state.outsider_id)
    with api_client(server, token) as api:
        assert api.get("/users/me").json()["id"] == state.outsider_id
        assert api.patch(f"/meetings/{outsider_meeting}", json={"agenda": "mine"}).status_code == 204
        refused = api.patch(f"/meetings/{state.class_meeting_id}", json={"agenda": "not mine"})
        assert refused.status_code == 400 and refused.json()["code"] == 3000
        assert api.put(f"/meetings/{state.class_meeting_id}/status", json={"action": "end"}).status_code == 400
        assert api.get(f"/users/{state.host_id}/settings").status_code == 400
    assert state.meeting(state.class_meeting_id).agenda == ""


def test_dashboard_answers_only_on_a_plan_that_has_it(rehearsal_server: RehearsalServer) -> None:
    server, state = rehearsal_server, rehearsal_server.state
    assert state.plan == "pro" and not state.has_dashboard(), "a rehearsal is a Pro account unless a test says otherwise"
    server.faults.apply({"plan": "business"})
    state.start_meeting(state.class_meeting_id)
    for n in range(35):
        state.arrive(state.class_meeting_id, f"Pupil {n}")
    with api_client(server) as api:
        path = f"/metrics/meetings/{state.class_meeting_id}/participants"
        first = api.get(path, params={"type": "live"}).json()
        second = api.get(path, params={"type": "live", "next_page_token": first["next_page_token"]}).json()
        assert first["total_records"] == 35 and len(first["participants"]) == 30 and len(second["participants"]) == 5
        assert second["next_page_token"] == ""
        state.plan = "pro"
        refused = api.get(path, params={"type": "live"})
    assert refused.status_code == 400
    assert refused.json() == {"code": 200, "message": "Only available for paid accounts that have dashboard feature enabled."}
    check_all(server.exchanges, [])


def test_batch_registration_needs_registration_on(rehearsal_server: RehearsalServer) -> None:
    meeting = rehearsal_server.state.class_meeting_id
    body = {"registrants": [{"email": "family@example.org", "first_name": "Isla"}]}
    with api_client(rehearsal_server) as api:
        refused = api.post(f"/meetings/{meeting}/batch_registrants", json=body)
        assert refused.status_code == 400 and refused.json()["code"] == 404
        api.patch(f"/meetings/{meeting}", json={"settings": {"approval_type": 0}})
        links = api.post(f"/meetings/{meeting}/batch_registrants", json=body).json()["registrants"]
        too_many = api.post(f"/meetings/{meeting}/batch_registrants", json={"registrants": body["registrants"] * 31})
    assert links[0]["join_url"] and links[0]["email"] == "family@example.org"
    assert too_many.status_code == 400


def test_registrations_are_checked_against_zooms_documented_bodies(rehearsal_server: RehearsalServer) -> None:
    """A registration with a field Zoom does not read, a name past 64 characters, a missing first name or an
    address that is not one is Zoom's 300 naming the field, and nobody in that batch is registered."""
    state = rehearsal_server.state
    meeting = state.class_meeting_id
    family = {"email": "family@example.org", "first_name": "Isla"}
    with api_client(rehearsal_server) as api:
        api.patch(f"/meetings/{meeting}", json={"settings": {"approval_type": 0}})
        for row, field in (
            ({**family, "surname": "Khan"}, "registrants.0.surname"),
            ({**family, "email": "family at example.org"}, "registrants.0.email"),
            ({**family, "email": "family@example"}, "registrants.0.email"),
            ({**family, "email": "Isla's mum <family@example.org>"}, "registrants.0.email"),
            ({"email": "family@example.org"}, "registrants.0"),
        ):
            refused = api.post(f"/meetings/{meeting}/batch_registrants", json={"registrants": [family, row]})
            assert refused.status_code == 400, row
            assert refused.json() == {"code": 300, "message": f"Invalid field: {field.replace('.0', '.1')}."}, row
        for body, field in (
            ({**family, "first_name": "I" * 65}, "first_name"),
            ({**family, "language": "en-GB"}, "language"),
            ({**family, "email": "family@@example.org"}, "email"),
        ):
            refused = api.post(f"/meetings/{meeting}/registrants", json=body)
            assert refused.status_code == 400 and refused.json() == {"code": 300, "message": f"Invalid field: {field}."}, body
        assert state.list_registrants(meeting) == []  # nothing of a refused body is applied
        one = api.post(f"/meetings/{meeting}/registrants", json={**family, "language": "en-US", "auto_approve": True})
        batch = api.post(f"/meetings/{meeting}/batch_registrants", json={"auto_approve": True, "registrants": [family]})
    assert one.status_code == 201 and batch.status_code == 201
    assert [r["email"] for r in state.list_registrants(meeting)] == ["family@example.org"]
    check_all(rehearsal_server.exchanges, [])


def _user_token(server: RehearsalServer) -> str:
    from tests.rehearsal.test_rehearsal_oauth import pkce_sign_in

    return pkce_sign_in(server)["access_token"]


def test_ending_a_meeting_that_is_not_running_is_an_error_not_204(rehearsal_server: RehearsalServer) -> None:
    """Zoom answers ``PUT /meetings/{id}/status`` with one of its listed errors unless the meeting can be ended."""
    state = rehearsal_server.state
    with api_client(rehearsal_server) as api:
        not_started = api.put(f"/meetings/{state.class_meeting_id}/status", json={"action": "end"})
        assert not_started.status_code == 400 and not_started.json()["code"] == 3000
        state.start_meeting(state.class_meeting_id)
        assert api.put(f"/meetings/{state.class_meeting_id}/status", json={"action": "end"}).status_code == 204
        again = api.put(f"/meetings/{state.class_meeting_id}/status", json={"action": "end"})
        assert again.status_code == 400 and again.json()["code"] == 3000
        assert api.put("/meetings/not-a-number/status", json={"action": "end"}).status_code in (400, 404)


def test_a_meeting_passcode_must_follow_zooms_characters_and_the_hosts_passcode_requirement(rehearsal_server: RehearsalServer) -> None:
    """Zoom: at most 10 letters, digits and @ - _ *; and what the host's ``meeting_password_requirement`` asks."""
    state = rehearsal_server.state
    meeting = state.class_meeting_id
    requirement = state.user_settings[state.host_id]["schedule_meeting"]["meeting_password_requirement"]
    assert requirement["length"] == 8 and requirement["have_number"] and requirement["consecutive_characters_length"] == 4
    before = state.meeting(meeting).password
    with api_client(rehearsal_server) as api:
        for weak in ("pass word1", "pässwort12", "12345678901", "abc9!xyz", "onlyletters", "x7y2", "abcd7xyz", "k7777mnp"):
            refused = api.patch(f"/meetings/{meeting}", json={"password": weak})
            assert refused.status_code == 400 and refused.json()["code"] == 300, weak
            assert "password" in refused.json()["message"]
        assert state.meeting(meeting).password == before  # nothing was changed by a refused update
        assert api.patch(f"/meetings/{meeting}", json={"password": "k7m2-q9x*"}).status_code == 204
        state.user_settings[state.host_id]["schedule_meeting"]["meeting_password_requirement"].update(
            have_special_character=True, have_upper_and_lower_characters=True
        )
        assert api.patch(f"/meetings/{meeting}", json={"password": "k7m2q9xa"}).status_code == 400
        assert api.patch(f"/meetings/{meeting}", json={"password": "k7M2-q9xa"}).status_code == 204
    assert state.meeting(meeting).password == "k7M2-q9xa"
    assert state.updates_used(state.host_id) == 2  # refused updates do not count


def test_meeting_and_settings_updates_are_checked_against_zooms_documented_bodies(rehearsal_server: RehearsalServer) -> None:
    """An unknown field, a value outside an enum or of the wrong type is Zoom's 300 naming the field; nothing is applied."""
    state = rehearsal_server.state
    meeting = state.class_meeting_id
    settings_before = copy.deepcopy(state.meeting(meeting).settings)
    user_before = copy.deepcopy(state.user_settings[state.host_id])
    with api_client(rehearsal_server) as api:
        for body, field in (
            ({"settings": {"waiting_room": True, "waiting_rom": True}}, "settings.waiting_rom"),
            ({"settings": {"auto_recording": "everywhere"}}, "settings.auto_recording"),
            ({"settings": {"jbh_time": 7}}, "settings.jbh_time"),
            ({"settings": {"approval_type": "0"}}, "settings.approval_type"),
            ({"topc": "Assembly"}, "topc"),
        ):
            refused = api.patch(f"/meetings/{meeting}", json=body)
            assert refused.status_code == 400 and refused.json() == {"code": 300, "message": f"Invalid field: {field}."}, body
        for body, option, field in (
            ({"in_meeting": {"chat": False, "chatt": False}}, None, "in_meeting.chatt"),
            ({"in_meeting": {"allow_participants_chat_with": 9}}, None, "in_meeting.allow_participants_chat_with"),
            ({"meeting_security": {"waiting_room": "yes"}}, "meeting_security", "meeting_security.waiting_room"),
            # Zoom takes each documented body only with its own option: security settings only with
            # option=meeting_security, the user's settings only without one, and no other option.
            ({"meeting_security": {"waiting_room": True}}, None, "meeting_security"),
            ({"in_meeting": {"chat": False}}, "meeting_security", "in_meeting"),
            ({"in_meeting": {"chat": False}}, "everything", "option"),
        ):
            params = {"option": option} if option else {}
            refused = api.patch(f"/users/{state.host_id}/settings", json=body, params=params)
            assert refused.status_code == 400 and refused.json() == {"code": 300, "message": f"Invalid field: {field}."}, (body, option)
        assert api.get(f"/users/{state.host_id}/settings", params={"option": "everything"}).json()["code"] == 300
        assert api.patch(f"/meetings/{meeting}", json={"settings": {"jbh_time": 5, "auto_recording": "none"}}).status_code == 204
        assert api.patch(f"/users/{state.host_id}/settings", json={"in_meeting": {"chat": False}}).status_code == 204
    assert state.updates_used(state.host_id) == 1
    assert {k: v for k, v in state.meeting(meeting).settings.items() if k not in ("jbh_time", "auto_recording")} == {
        k: v for k, v in settings_before.items() if k not in ("jbh_time", "auto_recording")
    }
    assert state.user_settings[state.host_id]["meeting_security"] == user_before["meeting_security"]


def test_the_rehearsals_request_schemas_are_zooms_documents_own() -> None:
    """resources/rehearsal/request-schemas.json is what tools/rehearsal_schemas.py takes from the documents."""
    import importlib.util
    import json
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("rehearsal_schemas_tool", repo / "tools" / "rehearsal_schemas.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    stored = json.loads((repo / "resources" / "rehearsal" / "request-schemas.json").read_text(encoding="utf-8"))
    assert stored == tool.extract(repo / "tests" / "data" / "zoom-api")


def test_paging_and_the_dashboards_type_and_meeting_ids_are_as_strict_as_zooms_documents(rehearsal_server: RehearsalServer) -> None:
    """``page_size`` above 300 is refused (not clamped), a ``next_page_token`` lasts 15 minutes, the Dashboard's
    ``type`` is live, past or pastOne, and a meeting ID is its digits only."""
    server, state = rehearsal_server, rehearsal_server.state
    state.plan = "business"
    host = state.host_id
    with api_client(server) as api:
        for size in ("301", "0", "-1", "ten"):
            refused = api.get(f"/users/{host}/meetings", params={"page_size": size})
            assert refused.status_code == 400 and refused.json()["code"] == 300, size
        first = api.get(f"/users/{host}/meetings", params={"page_size": 1}).json()
        assert first["next_page_token"]
        assert api.get(f"/users/{host}/meetings", params={"page_size": 1, "next_page_token": first["next_page_token"]}).status_code == 200
        import zoomhost.rehearsal.server as server_module

        lifetime = server_module.PAGE_TOKEN_LIFETIME_S
        server_module.PAGE_TOKEN_LIFETIME_S = 0.0  # as if 15 minutes had gone by
        try:
            stale = api.get(f"/users/{host}/meetings", params={"page_size": 1, "next_page_token": first["next_page_token"]})
        finally:
            server_module.PAGE_TOKEN_LIFETIME_S = lifetime
        assert stale.status_code == 400 and "expired" in stale.json()["message"]
        state.start_meeting(state.class_meeting_id)
        wrong_type = api.get(f"/metrics/meetings/{state.class_meeting_id}/participants", params={"type": "everyone"})
        assert wrong_type.status_code == 400 and wrong_type.json()["code"] == 300
        assert api.get(f"/metrics/meetings/{state.class_meeting_id}/participants", params={"type": "live"}).status_code == 200
        for lenient in (f"+{state.class_meeting_id}", f"{state.class_meeting_id}_", f"%20{state.class_meeting_id}"):
            assert api.get(f"/meetings/{lenient}").status_code == 404, lenient


def test_a_token_carries_only_the_scopes_the_schools_app_was_given(rehearsal_server: RehearsalServer) -> None:
    """Scopes come from the app's credentials: an app without the Dashboard scope gets Zoom's 4711 there, and only there."""
    server, state = rehearsal_server, rehearsal_server.state
    state.plan = "business"
    state.start_meeting(state.class_meeting_id)
    without = tuple(scope for scope in server.credentials.scopes if scope != "dashboard_meetings:read:admin")
    server.credentials = dataclasses.replace(server.credentials, scopes=without)
    with api_client(server) as api:
        refused = api.get(f"/metrics/meetings/{state.class_meeting_id}/participants", params={"type": "live"})
        assert refused.status_code == 403 and refused.json()["code"] == 4711  # the Dashboard document's 403 Forbidden
        assert api.get(f"/meetings/{state.class_meeting_id}").status_code == 200
    issued = httpx.post(
        f"{server.oauth_base}/oauth/token",
        data={"grant_type": "account_credentials", "account_id": server.credentials.account_id},
        auth=(server.credentials.client_id, server.credentials.client_secret),
    ).json()
    assert issued["scope"].split() == list(without)


def test_a_meeting_uuid_with_slashes_reaches_its_meeting_only_double_encoded(rehearsal_server: RehearsalServer) -> None:
    """Zoom: a UUID that begins with / or holds // must be double-encoded; encoded once it is not found."""
    from urllib.parse import quote

    state = rehearsal_server.state
    live = state.start_meeting(state.class_meeting_id)
    live.uuid = "/Ab//cD+eF9gHiJkLmNo=="
    state.end_meeting(state.class_meeting_id)
    once = quote(live.uuid, safe="")
    with api_client(rehearsal_server) as api:
        assert api.get(f"/past_meetings/{quote(once, safe='')}/participants").status_code == 200
        single = api.get(f"/past_meetings/{once}/participants")
        assert single.status_code == 404 and single.json()["code"] == 3001
    plain = state.start_meeting(state.class_meeting_id)
    state.end_meeting(state.class_meeting_id)
    assert plain.uuid.endswith("==") and not plain.uuid.startswith("/") and "//" not in plain.uuid
    with api_client(rehearsal_server) as api:
        plain_once = quote(plain.uuid, safe="")
        assert api.get(f"/past_meetings/{plain_once}/participants").status_code == 200
        # an ordinary UUID encoded twice is taken as it is ("…%3D%3D"): not found
        assert api.get(f"/past_meetings/{quote(plain_once, safe='')}/participants").status_code == 404


def test_meeting_lists_follow_the_documents_types_and_a_one_off_meeting_expires(rehearsal_server: RehearsalServer) -> None:
    """type=scheduled is "all valid previous (unexpired) meetings, live meetings, and upcoming": a one-off meeting
    whose date was more than 30 days ago is no longer listed; previous_meetings lists only meetings already over."""
    state = rehearsal_server.state
    host = state.users[state.host_id].email
    old = state.meetings[state.class_meeting_id]
    state.meetings[old.id] = dataclasses.replace(old, start_time=state.now() - timedelta(days=31))
    with api_client(rehearsal_server) as api:
        def ids(kind: str) -> set[int]:
            answer = api.get(f"/users/{host}/meetings", params={"type": kind, "page_size": 300})
            assert answer.status_code == 200, answer.text
            return {row["id"] for row in answer.json()["meetings"]}

        assert old.id not in ids("scheduled") and state.assembly_meeting_id in ids("scheduled")
        assert ids("previous_meetings") == {old.id}
        assert old.id not in ids("upcoming") and state.assembly_meeting_id in ids("upcoming")
        assert api.get(f"/users/{host}/meetings", params={"type": "expired"}).json()["code"] == 300
        # Expired, it is gone for the meeting operations: read, update, registration (their documents' 404 3001) ...
        gone = {"code": 3001, "message": f"Meeting does not exist: {old.id}."}
        assert api.get(f"/meetings/{old.id}").json() == gone
        assert api.patch(f"/meetings/{old.id}", json={"agenda": "again"}).json() == gone
        assert api.post(f"/meetings/{old.id}/batch_registrants", json={"registrants": [{"email": "f@example.org", "first_name": "Isla"}]}).json() == gone
    check_all(rehearsal_server.exchanges, [])


def test_an_expired_meetings_past_instance_is_still_reported(rehearsal_server: RehearsalServer) -> None:
    """... while what happened in it stays readable by its ID, as the reports and past-meeting documents keep it."""
    state = rehearsal_server.state
    state.plan = "business"
    meeting = state.class_meeting_id
    state.start_meeting(meeting)
    state.arrive(meeting, "Isla Quayle")
    assert state.end_meeting(meeting)
    state.meetings[meeting] = dataclasses.replace(state.meetings[meeting], start_time=state.now() - timedelta(days=31))
    assert not state.is_live(meeting)
    with api_client(rehearsal_server) as api:
        assert api.get(f"/meetings/{meeting}").json()["code"] == 3001
        past = api.get(f"/past_meetings/{meeting}/participants")
        assert past.status_code == 200 and [p["name"] for p in past.json()["participants"]] == ["Isla Quayle"]
    check_all(rehearsal_server.exchanges, [])
