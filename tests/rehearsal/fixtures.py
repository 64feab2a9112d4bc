"""The rehearsal Zoom as a pytest fixture, and small functions to talk to it as a client would.

Import into a test module (or a conftest) with
``from tests.rehearsal.fixtures import rehearsal_server  # noqa: F401``.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from zoomhost.rehearsal.server import RehearsalServer
from zoomhost.rehearsal.state import ZoomState


@pytest.fixture
def rehearsal_server() -> Iterator[RehearsalServer]:
    """A fresh rehearsal Zoom on a free loopback port, stopped after the test."""
    with RehearsalServer(state=ZoomState()) as server:
        yield server


def account_token(server: RehearsalServer) -> str:
    """A Server-to-Server token, fetched the way a school's app does."""
    creds = server.credentials
    response = httpx.post(
        f"{server.oauth_base}/oauth/token",
        data={"grant_type": "account_credentials", "account_id": creds.account_id},
        auth=(creds.client_id, creds.client_secret),
    )
    response.raise_for_status()
    return response.json()["access_token"]


def api_client(server: RehearsalServer, token: str | None = None) -> httpx.Client:
    """An httpx client on the rehearsal API base with a bearer token (a fresh account token by default)."""
    return httpx.Client(
        base_url=server.api_base,
        headers={"Authorization": f"Bearer {token or account_token(server)}"},
        timeout=10,
    )
