"""`zoomhost doctor` (and so Settings ▸ Test connection) reads the scopes Zoom granted the token and
compares them with zoomhost's one list: a missing scope fails, naming the feature and the scope to
add; a scope beyond need warns, naming it. The Zoom is the rehearsal Zoom over loopback, issuing
tokens with the scopes chosen here, as a school's app on Zoom's App Marketplace would."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from zoomhost import cli
from zoomhost.rehearsal.server import RehearsalCredentials, RehearsalServer
from zoomhost.rehearsal.state import ZoomState
from zoomhost.system.config import Settings, save_settings
from zoomhost.zoom.scopes import SERVER_TO_SERVER_SCOPES


def doctor_against(scopes: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    state = ZoomState()
    state.plan = "business"  # so the Dashboard answers and only the scopes decide
    credentials = RehearsalCredentials.generate(account_id=state.account_id, scopes=tuple(scopes))
    with RehearsalServer(state=state, credentials=credentials) as server:
        monkeypatch.setenv("ZOOMHOST_API_BASE", server.api_base)
        monkeypatch.setenv("ZOOMHOST_OAUTH_BASE", server.oauth_base)
        monkeypatch.setenv("ZOOMHOST_WS_BASE", server.ws_base)
        monkeypatch.setenv("ZOOMHOST_SUBSCRIPTION_ID", server.subscription_id)
        monkeypatch.setenv("ZOOMHOST_ACCOUNT_ID", credentials.account_id)
        monkeypatch.setenv("ZOOMHOST_CLIENT_ID", credentials.client_id)
        monkeypatch.setenv("ZOOMHOST_CLIENT_SECRET", credentials.client_secret)
        save_settings(Settings(host_email=state.users[state.host_id].email))
        status = cli.main(["doctor", "--json"])
    checks = {c["id"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    return status, checks


@pytest.fixture(autouse=True)
def _no_stray_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("ZOOMHOST_SCHOOL_SETTINGS", raising=False)
    yield


def test_the_scopes_the_guide_gives_pass(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    status, checks = doctor_against(list(SERVER_TO_SERVER_SCOPES), monkeypatch, capsys)
    assert checks["zoom_scopes"]["status"] == "pass", checks["zoom_scopes"]
    assert "every scope zoomhost needs, and no more" in checks["zoom_scopes"]["detail"]
    assert status == 0, [c for c in checks.values() if c["status"] == "fail"]


def test_a_missing_scope_fails_naming_the_feature_and_the_scope(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # account:read:admin (for the admins' locks) would allow the account's settings too: both go
    short = [s for s in SERVER_TO_SERVER_SCOPES if s not in ("meeting:update:status:admin", "account:read:settings:admin", "account:read:admin")]
    status, checks = doctor_against(short, monkeypatch, capsys)
    assert status == 3
    scopes = checks["zoom_scopes"]
    assert scopes["status"] == "fail"
    assert "End for all (and the panic key) needs meeting:update:status:admin" in scopes["detail"]
    assert "Reading the account's settings (renaming) needs account:read:settings:admin" in scopes["detail"]
    assert "App Marketplace" in scopes["detail"]
    # And Zoom (the rehearsal, as strict as its documents) really refuses what the missing scope allows.
    assert checks["zoom_reading_the_accounts_settings"]["status"] != "pass"


def test_scopes_beyond_need_warn_naming_them(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    extra = ["report:read:admin", "meeting:delete:meeting:admin"]
    status, checks = doctor_against([*SERVER_TO_SERVER_SCOPES, *extra], monkeypatch, capsys)
    scopes = checks["zoom_scopes"]
    assert scopes["status"] == "warn"
    assert "Beyond what zoomhost needs: meeting:delete:meeting:admin, report:read:admin." in scopes["detail"]
    assert "Remove them" in scopes["detail"]
    assert status == 0  # too many is a warning, not a failure


def test_classic_scopes_are_understood(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # An app made before Zoom's granular scopes: its broad scopes cover zoomhost; the report scope is beyond need.
    classic = ["meeting:read:admin", "meeting:write:admin", "user:read:admin", "user:write:admin", "account:read:admin",
               "group:read:admin", "dashboard_meetings:read:admin", "report:read:admin"]
    _status, checks = doctor_against(classic, monkeypatch, capsys)
    scopes = checks["zoom_scopes"]
    assert scopes["status"] == "warn" and "Beyond what zoomhost needs: report:read:admin." in scopes["detail"], scopes


def test_every_rehearsal_zoomhost_starts_grants_exactly_the_scopes_the_guide_asks_a_school_for() -> None:
    """The window's rehearsal, `zoomhost rehearsal` and `zoomhost rehearse` all start the rehearsal Zoom the one
    way: its Server-to-Server app holds the guide's scopes, so a rehearsal's Scopes line neither fails nor warns."""
    from zoomhost.app.rehearsal_zoom import new_rehearsal_server
    from zoomhost.zoom.scopes import check_scopes

    server = new_rehearsal_server(plan="business")
    granted = list(server.credentials.scopes)
    assert sorted(granted) == sorted(SERVER_TO_SERVER_SCOPES) and server.state.plan == "business"
    report = check_scopes(granted, own_sign_in=False, assistant_user=False)
    assert not report.missing and not report.extra
