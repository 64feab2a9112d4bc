"""Shared pieces for the client's tests against the rehearsal Zoom over loopback sockets.

Every request the client sends is checked against Zoom's documents when a test ends.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator

from tests.contract.spec import ContractViolation, ZoomSpec
from tests.rehearsal.contract import closed
from zoomhost.system.config import Settings
from zoomhost.rehearsal.server import RehearsalServer
from zoomhost.rehearsal.state import ZoomState
from zoomhost.zoom.auth import ServerToServerSignIn, ZoomAuth
from zoomhost.zoom.client import ZoomClient
from zoomhost.zoom.credentials import ServerToServerCredentials
from zoomhost.zoom.ratelimit import RetryPolicy

QUICK_RETRY = RetryPolicy(max_attempts=5, base_delay=0.05, max_delay=0.3, max_retry_after=5, give_up_after=30)
ASSEMBLY = 85746065432  # the rehearsal's whole-school assembly (hosted by the school's admin)
CLASS = 83920174655


@dataclass
class RehearsalZoom:
    server: RehearsalServer
    settings: Settings

    @property
    def credentials(self) -> ServerToServerCredentials:
        c = self.server.credentials
        return ServerToServerCredentials(account_id=c.account_id, client_id=c.client_id, client_secret=c.client_secret)

    def auth(self, **kwargs: object) -> ZoomAuth:
        return ZoomAuth(
            ServerToServerSignIn(credentials=self.credentials, oauth_base=self.settings.oauth_base), **kwargs  # type: ignore[arg-type]
        )

    def client(self, *, auth: ZoomAuth | None = None, retry: RetryPolicy = QUICK_RETRY) -> ZoomClient:
        return ZoomClient(settings=self.settings, auth=auth or self.auth(), retry=retry)

    def sent(self, method: str | None = None, path_part: str = "") -> list:
        return [
            e for e in self.server.exchanges if (method is None or e.method == method) and path_part in e.path
        ]


def check_request(method: str, path: str, query: Mapping[str, str], body: Any) -> str:
    """One request the client sent: a documented operation, documented query, and a body that
    matches the documented schema closed to its listed properties (so an invented field fails,
    and the open ``oneOf`` branches of PATCH /users/{userId}/settings tell themselves apart)."""
    spec = ZoomSpec.load()
    template = spec.match(method, path)
    spec.validate_query(method, template, query)
    if body is not None:
        schema = closed(copy.deepcopy(spec.request_schema(method, template)))
        problems = list(OAS30Validator(schema).iter_errors(body))
        if problems:
            lines = [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:200]}" for e in problems[:8]]
            raise ContractViolation(f"request body of {method} {template} is not Zoom's:\n  " + "\n  ".join(lines))
    return template


def check_requests_against_documents(server: RehearsalServer) -> None:
    """Every request the client sent is a documented operation with documented query and body."""
    for exchange in list(server.exchanges):
        check_request(exchange.method, exchange.path, exchange.query, exchange.request_body)


@pytest.fixture
def rehearsal_zoom() -> Iterator[RehearsalZoom]:
    with RehearsalServer(state=ZoomState()) as server:
        settings = replace(
            Settings(),
            api_base=server.api_base,
            oauth_base=server.oauth_base,
            ws_base=server.ws_base,
            subscription_id=server.subscription_id,
            school_email_domain=server.state.school_domain,
        )
        yield RehearsalZoom(server=server, settings=settings)
        check_requests_against_documents(server)
