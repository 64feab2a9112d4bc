"""The rehearsal Zoom's strictness switches: as strict as Zoom's documents, each one a test can turn on.

Plans (Pro has no Dashboard), the scopes each kind of token carries, late / duplicated / reordered
events from a seed, and participant ids that change between the waiting room and the meeting.
"""

from __future__ import annotations

import json
import time
from collections import Counter

import httpx
import pytest
from websockets.sync.client import connect

from tests.contract.spec import ZoomSpec
from tests.rehearsal.contract import check_all
from tests.rehearsal.fixtures import account_token, api_client, rehearsal_server  # noqa: F401
from zoomhost.rehearsal.faults import DisorderPlan, EventDisorder
from zoomhost.rehearsal.server import ROUTE_SCOPES, ROUTES, RehearsalServer, Route
from zoomhost.rehearsal.state import ZoomState


def _user_token(server: RehearsalServer) -> str:
    from tests.rehearsal.test_rehearsal_oauth import pkce_sign_in

    return pkce_sign_in(server)["access_token"]


def test_every_route_needs_the_scopes_zoom_documents_for_it(rehearsal_server: RehearsalServer) -> None:
    spec = ZoomSpec.load()
    served = set(rehearsal_server._categories)
    assert served == set(ROUTE_SCOPES), "every API route the rehearsal serves has its scopes, and no other"
    for (method, path), scopes in ROUTE_SCOPES.items():
        template = path.removeprefix("/v2")
        (security,) = [s["openapi_oauth"] for s in spec.operation(method, template)["security"] if "openapi_oauth" in s]
        assert set(scopes) == set(security), f"{method} {template}: {sorted(set(scopes) ^ set(security))}"


def test_no_route_the_rehearsal_serves_goes_without_a_scope_check(rehearsal_server: RehearsalServer) -> None:  # noqa: F811
    """Each REST route is served from the one table that names its scopes, so none can be added unchecked."""
    with pytest.raises(ValueError, match="names no scopes"):
        Route("GET", "/v2/users/{userId}/invented", "_get_user", "light", ())
    assert all(route.scopes for route in ROUTES)
    runner = rehearsal_server._runner
    assert runner is not None
    served = {
        (route.method, route.resource.canonical)
        for route in runner.app.router.routes()
        if route.resource is not None and route.resource.canonical.startswith("/v2/") and route.method != "*"
    }
    assert served == set(ROUTE_SCOPES) == {(r.method, r.path) for r in ROUTES}
    with api_client(rehearsal_server, _user_token(rehearsal_server)) as api:  # user-level scopes only
        locks = api.get("/accounts/me/lock_settings")
    assert locks.status_code == 400 and locks.json()["code"] == 4711, "an admin's read needs an admin's scope"


def test_a_teachers_own_token_gets_zooms_4711_outside_its_scopes(rehearsal_server: RehearsalServer) -> None:
    server, state = rehearsal_server, rehearsal_server.state
    state.plan = "business"  # so the Dashboard's refusal below is about the token, not the plan
    state.start_meeting(state.class_meeting_id)
    meeting = state.class_meeting_id
    with api_client(server, _user_token(server)) as api:
        assert api.get("/users/me/settings").status_code == 200  # user-level scopes are enough for these
        assert api.get(f"/meetings/{meeting}").status_code == 200
        dashboard = api.get(f"/metrics/meetings/{meeting}/participants", params={"type": "live"})
        account = api.get("/accounts/me/settings")
        report = api.get(f"/report/meetings/{meeting}/participants")
    assert dashboard.status_code == 403 and dashboard.json() == {  # the Dashboard document answers 403 Forbidden
        "code": 4711,
        "message": "Invalid access token, does not contain scopes:[dashboard:read:list_meeting_participants:admin].",
    }
    assert account.status_code == 400 and account.json()["code"] == 4711 and "account:read:settings:admin" in account.json()["message"]
    assert report.json()["code"] == 4711
    with api_client(server) as api:  # the school's Server-to-Server app has them
        assert api.get(f"/metrics/meetings/{meeting}/participants", params={"type": "live"}).status_code == 200
        assert api.get("/accounts/me/settings").status_code == 200


@pytest.mark.parametrize(("plan", "dashboard"), [("pro", False), ("business", True), ("education", True)])
def test_the_plan_decides_the_dashboard_and_pro_is_the_default(plan: str, dashboard: bool) -> None:
    assert ZoomState().plan == "pro"
    with RehearsalServer(plan=plan) as server:
        server.state.start_meeting(server.state.class_meeting_id)
        with api_client(server) as api:
            answer = api.get(f"/metrics/meetings/{server.state.class_meeting_id}/participants", params={"type": "live"})
        assert (answer.status_code == 200) is dashboard
        if not dashboard:
            assert answer.json()["code"] == 200 and "dashboard feature" in answer.json()["message"]
        assert server.faults.status()["plan"] == plan
    with pytest.raises(ValueError, match="unknown plan"):
        RehearsalServer(plan="enterprise-plus")


def test_disorder_is_the_same_for_the_same_seed_and_different_for_another() -> None:
    def draws(seed: int) -> list[list[float]]:
        plan = DisorderPlan(EventDisorder(seed=seed, late_rate=0.5, late_ms=300, duplicate_rate=0.3))
        return [plan.delays() for _ in range(200)]

    first, again, other = draws(7), draws(7), draws(8)
    assert first == again and first != other
    assert sum(len(d) == 2 for d in first) > 20 and sum(d[0] > 0 for d in first) > 50
    with pytest.raises(ValueError):
        EventDisorder(late_rate=1.5)
    with pytest.raises(ValueError, match="unknown event_disorder"):
        EventDisorder.from_json({"seed": 1, "jitter": 3})


def test_events_come_late_twice_and_out_of_order_on_the_socket(rehearsal_server: RehearsalServer) -> None:
    server, state = rehearsal_server, rehearsal_server.state
    meeting = state.class_meeting_id
    state.start_meeting(meeting)
    server.faults.apply({"event_disorder": {"seed": 3, "late_rate": 0.5, "late_ms": 300, "duplicate_rate": 0.4}})
    url = f"{server.ws_base}?subscriptionId={server.subscription_id}&access_token={account_token(server)}"
    with connect(url) as ws:
        deadline = time.monotonic() + 5
        while not server._connections and time.monotonic() < deadline:
            time.sleep(0.01)
        names = [f"Pupil {n:02d}" for n in range(30)]
        for name in names:
            state.arrive(meeting, name)
        got: list[dict] = []
        try:
            while True:
                got.append(json.loads(json.loads(ws.recv(timeout=1.5))["content"]))
        except TimeoutError:
            pass
    heard = [e["payload"]["object"]["participant"]["user_name"] for e in got]
    assert set(heard) == set(names), "late, never lost"
    copies = Counter(heard)
    assert any(n == 2 for n in copies.values()), "some came twice"
    firsts = list(dict.fromkeys(heard))
    assert firsts != names, "some came out of order"
    assert server.faults.status()["injected"]["duplicate_events"] == sum(n - 1 for n in copies.values())
    check_all([], got)  # every copy is still a documented event


def test_participant_ids_can_change_on_admission_as_zooms_reports_allow(rehearsal_server: RehearsalServer) -> None:
    server, state = rehearsal_server, rehearsal_server.state
    state.plan = "business"
    meeting = state.class_meeting_id
    server.faults.apply({"participant_ids": "new_on_admission"})
    state.start_meeting(meeting)
    in_process: list[dict] = []
    state.subscribe(in_process.append)  # what a rehearsal host assistant in this process hears
    url = f"{server.ws_base}?subscriptionId={server.subscription_id}&access_token={account_token(server)}"
    with connect(url) as ws:
        deadline = time.monotonic() + 5
        while not server._connections and time.monotonic() < deadline:
            time.sleep(0.01)
        ava = state.arrive(meeting, "Ava Kinrade")
        assert ava is not None
        state.admit(meeting, ava.user_id)
        with api_client(server) as api:
            (row,) = api.get(f"/metrics/meetings/{meeting}/participants", params={"type": "live"}).json()["participants"]
        state.leave(meeting, ava.user_id)
        sent = [json.loads(json.loads(ws.recv(timeout=5))["content"]) for _ in range(4)]
    people = [(e["event"], e["payload"]["object"]["participant"]) for e in sent]
    assert [name for name, _ in people] == [
        "meeting.participant_joined_waiting_room",
        "meeting.participant_admitted",
        "meeting.participant_joined",
        "meeting.participant_left",
    ]
    waiting_id, meeting_ids = people[0][1]["user_id"], {p["user_id"] for _, p in people[1:]}
    assert waiting_id == str(ava.user_id) and len(meeting_ids) == 1 and waiting_id not in meeting_ids
    assert {p["participant_uuid"] for _, p in people} == {ava.participant_uuid}, "the same person for the whole meeting"
    assert row["user_id"] in meeting_ids and row["participant_uuid"] == ava.participant_uuid
    # The Meeting SDK's view (the rehearsal assistant) keeps one id; only Zoom's reports change it.
    sdk_ids = {e["payload"]["object"]["participant"]["user_id"] for e in in_process if e["payload"]["object"].get("participant")}
    assert sdk_ids == {str(ava.user_id)}
    check_all([], sent)


def test_switches_are_refused_when_unknown_and_reported_when_set(rehearsal_server: RehearsalServer) -> None:
    admin = f"{rehearsal_server.oauth_base}/_rehearsal/faults"
    assert httpx.post(admin, json={"plan": "platinum"}).status_code == 400
    assert httpx.post(admin, json={"participant_ids": "sometimes"}).status_code == 400
    status = httpx.post(admin, json={"event_disorder": {"seed": 4}, "refuse_event_tokens": {"seconds": 30}}).json()
    assert status["event_disorder"]["seed"] == 4 and 25 < status["refusing_event_tokens_for"] <= 30
    status = httpx.post(admin, json={"reset": True}).json()
    assert status["event_disorder"] is None and status["refusing_event_tokens_for"] == 0
