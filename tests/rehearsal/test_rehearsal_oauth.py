"""Sign-in against the rehearsal: Server-to-Server, and user OAuth with PKCE and a real loopback redirect."""

from __future__ import annotations

import base64
import hashlib
import http.server
import secrets
import threading
import urllib.parse
from typing import Any

import httpx

from tests.rehearsal.fixtures import rehearsal_server  # noqa: F401
from zoomhost.rehearsal.server import RehearsalServer


def pkce_sign_in(server: RehearsalServer, *, verifier: str | None = None, tamper: bool = False) -> dict[str, Any]:
    """The browser leg of user OAuth: authorise, follow the redirect to a real loopback listener, swap the code."""
    verifier = verifier or secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    heard: dict[str, str] = {}

    class Listener(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            heard.update(dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query)))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"You can close this window.")

        def log_message(self, *args: object) -> None:
            return

    listener = http.server.HTTPServer(("127.0.0.1", 0), Listener)
    redirect_uri = f"http://127.0.0.1:{listener.server_address[1]}/callback"
    thread = threading.Thread(target=listener.handle_request, daemon=True)
    thread.start()
    try:
        state = secrets.token_urlsafe(8)
        params = {
            "response_type": "code",
            "client_id": server.credentials.client_id,
            "redirect_uri": redirect_uri,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": state,
        }
        httpx.get(f"{server.oauth_base}/oauth/authorize", params=params, follow_redirects=True, timeout=5)
        thread.join(5)
    finally:
        listener.server_close()
    assert heard.get("state") == state
    if "error" in heard:
        return heard
    response = httpx.post(
        f"{server.oauth_base}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": heard["code"],
            "redirect_uri": redirect_uri,
            "code_verifier": ("x" + verifier) if tamper else verifier,
        },
        auth=(server.credentials.client_id, server.credentials.client_secret),
    )
    return response.json()


def test_server_to_server_sign_in_checks_every_credential(rehearsal_server: RehearsalServer) -> None:
    server, creds = rehearsal_server, rehearsal_server.credentials
    url = f"{server.oauth_base}/oauth/token"
    ok = httpx.post(url, data={"grant_type": "account_credentials", "account_id": creds.account_id}, auth=(creds.client_id, creds.client_secret))
    body = ok.json()
    assert ok.status_code == 200 and body["token_type"] == "bearer" and body["expires_in"] == 3600 and "refresh_token" not in body
    wrong_secret = httpx.post(url, data={"grant_type": "account_credentials", "account_id": creds.account_id}, auth=(creds.client_id, "guess"))
    assert wrong_secret.status_code == 400 and wrong_secret.json()["error"] == "invalid_client"
    wrong_account = httpx.post(url, data={"grant_type": "account_credentials", "account_id": "other"}, auth=(creds.client_id, creds.client_secret))
    assert wrong_account.status_code == 400 and wrong_account.json()["error"] == "invalid_request"
    in_query = httpx.post(url, params={"grant_type": "account_credentials", "account_id": creds.account_id}, auth=(creds.client_id, creds.client_secret))
    assert in_query.status_code == 200, "Zoom's own examples put the grant in the query string"


def test_pkce_sign_in_gives_a_token_for_the_signed_in_teacher(rehearsal_server: RehearsalServer) -> None:
    tokens = pkce_sign_in(rehearsal_server)
    assert tokens["refresh_token"] and tokens["scope"]
    me = httpx.get(f"{rehearsal_server.api_base}/users/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.json()["id"] == rehearsal_server.state.host_id


def test_a_wrong_code_verifier_gets_no_token(rehearsal_server: RehearsalServer) -> None:
    assert pkce_sign_in(rehearsal_server, tamper=True)["error"] == "invalid_grant"


def test_a_teacher_who_declines_is_sent_back_with_an_error(rehearsal_server: RehearsalServer) -> None:
    rehearsal_server.oauth_decision = "deny"
    assert pkce_sign_in(rehearsal_server)["error"] == "access_denied"


def test_only_a_loopback_redirect_is_accepted(rehearsal_server: RehearsalServer) -> None:
    response = httpx.get(
        f"{rehearsal_server.oauth_base}/oauth/authorize",
        params={"response_type": "code", "client_id": rehearsal_server.credentials.client_id, "redirect_uri": "http://evil.example/cb"},
    )
    assert response.status_code == 400


def test_refresh_tokens_rotate_and_a_spent_one_is_refused(rehearsal_server: RehearsalServer) -> None:
    server = rehearsal_server
    first = pkce_sign_in(server)
    url = f"{server.oauth_base}/oauth/token"
    auth = (server.credentials.client_id, server.credentials.client_secret)
    second = httpx.post(url, data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}, auth=auth).json()
    assert second["refresh_token"] != first["refresh_token"] and second["access_token"] != first["access_token"]
    again = httpx.post(url, data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}, auth=auth)
    assert again.status_code == 400
    third = httpx.post(url, data={"grant_type": "refresh_token", "refresh_token": second["refresh_token"]}, auth=auth)
    assert third.status_code == 200
