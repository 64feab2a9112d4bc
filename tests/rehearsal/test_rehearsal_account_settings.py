"""The rehearsal Zoom answers GET /accounts/{accountId}/settings as Zoom's documents describe it.

The pre-flight rule on renaming reads only the account's settings; without this answer the
checklist could only say the setting is unknown in every rehearsal.
"""

from __future__ import annotations

from tests.rehearsal.contract import check_all, check_response
from tests.rehearsal.fixtures import api_client, rehearsal_server  # noqa: F401 - the fixture
from zoomhost.rehearsal.server import RehearsalServer


def test_the_account_settings_answer_as_documented_and_allow_renaming(rehearsal_server: RehearsalServer) -> None:  # noqa: F811
    server = rehearsal_server
    with api_client(server) as api:
        mine = api.get("/accounts/me/settings")
        by_id = api.get(f"/accounts/{server.state.account_id}/settings")
        security = api.get("/accounts/me/settings", params={"option": "meeting_security"})
    assert mine.status_code == by_id.status_code == security.status_code == 200
    template = check_response("GET", "/v2/accounts/me/settings", 200, mine.json())
    assert template == "/accounts/{accountId}/settings"
    # the rehearsal starts where the checklist has something to say: pupils could rename themselves
    assert mine.json()["in_meeting"]["allow_participants_to_rename"] is True
    assert by_id.json() == mine.json()
    assert security.json()["meeting_security"]["waiting_room"] is True
    covered, _ = check_all(server.exchanges, [])  # every answer recorded, the option's too, as documented
    assert ("GET", "/accounts/{accountId}/settings", 200) in covered


def test_another_account_is_not_found_in_zooms_words(rehearsal_server: RehearsalServer) -> None:  # noqa: F811
    with api_client(rehearsal_server) as api:
        answer = api.get("/accounts/someoneElse0001/settings")
    assert answer.status_code == 404
    assert answer.json() == {"code": 2001, "message": "Account does not exist: someoneElse0001."}
    check_response("GET", "/v2/accounts/someoneElse0001/settings", 404, answer.json())


def test_a_change_an_admin_makes_is_what_the_next_read_shows(rehearsal_server: RehearsalServer) -> None:  # noqa: F811
    """Tests and practice runs set the account as an admin would in the web portal."""
    state = rehearsal_server.state
    state.account_settings["in_meeting"]["allow_participants_to_rename"] = False
    with api_client(rehearsal_server) as api:
        body = api.get("/accounts/me/settings").json()
    assert body["in_meeting"]["allow_participants_to_rename"] is False
    check_response("GET", "/v2/accounts/me/settings", 200, body)
