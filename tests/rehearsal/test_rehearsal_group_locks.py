"""The rehearsal Zoom serves GET /groups/{groupId}/lock_settings as Zoom's documents describe it, and a
teacher in a group (``group_ids`` of GET /users/{userId}) whose admin locked the protocol's settings."""

from __future__ import annotations

from tests.rehearsal.contract import check_all, check_response
from tests.rehearsal.fixtures import api_client, rehearsal_server  # noqa: F401 - the fixture
from zoomhost.core.preflight import LOCKED_SETTINGS
from zoomhost.rehearsal.server import RehearsalServer


def test_the_group_locks_answer_as_documented(rehearsal_server: RehearsalServer) -> None:  # noqa: F811
    server = rehearsal_server
    state = server.state
    with api_client(server) as api:
        deputy = api.get(f"/users/{state.deputy_id}").json()
        host = api.get(f"/users/{state.host_id}").json()
        (group,) = deputy["group_ids"]
        plain = api.get(f"/groups/{group}/lock_settings")
        security = api.get(f"/groups/{group}/lock_settings", params={"option": "meeting_security"})
        unknown = api.get("/groups/noSuchGroup000/lock_settings")
        odd = api.get(f"/groups/{group}/lock_settings", params={"option": "everything"})
    assert host["group_ids"] == []  # the other teachers are in no group
    assert plain.status_code == security.status_code == 200
    assert check_response("GET", f"/v2/groups/{group}/lock_settings", 200, plain.json()) == "/groups/{groupId}/lock_settings"
    check_response("GET", f"/v2/groups/{group}/lock_settings", 200, security.json())
    assert set(security.json()) == {"meeting_security"} and "meeting_security" not in plain.json()
    merged = {**plain.json(), **security.json()}
    for path, label in LOCKED_SETTINGS:  # this group's admin locked every setting the protocol depends on …
        section, key = path.split(".")
        assert merged[section].get(key, True) is True, label
    assert "encryption_type" not in merged["meeting_security"]  # … and the documents give this one as a string: left out
    assert (unknown.status_code, unknown.json()["code"]) == (404, 4130)
    check_response("GET", "/v2/groups/noSuchGroup000/lock_settings", 404, unknown.json())
    assert (odd.status_code, odd.json()["code"]) == (400, 300)
    covered, _ = check_all(server.exchanges, [])
    assert ("GET", "/groups/{groupId}/lock_settings", 200) in covered


def test_a_token_without_a_group_scope_is_told_which_scope_is_missing(zoomhost_home) -> None:  # noqa: ANN001
    from zoomhost.rehearsal.server import RehearsalCredentials

    credentials = RehearsalCredentials.generate(account_id="lxdFederation0Zm1", scopes=("user:read:admin", "meeting:read:admin"))
    with RehearsalServer(credentials=credentials) as server, api_client(server) as api:
        (group,) = api.get(f"/users/{server.state.deputy_id}").json()["group_ids"]
        answer = api.get(f"/groups/{group}/lock_settings")
    assert answer.status_code == 400 and answer.json()["code"] == 4711
    assert "group:read:lock_settings:admin" in answer.json()["message"]
