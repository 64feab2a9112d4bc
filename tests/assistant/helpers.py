"""Shared pieces for the host assistant's tests: the SDK key pair, a consented pupil still to come,
Zoom's REST client against the rehearsal Zoom, and waiting."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from zoomhost.system.config import Settings
from zoomhost.core.classifier import AdmissionClassifier
from zoomhost.core.session import LiveSession
from zoomhost.rehearsal.scenarios import Scenario
from zoomhost.rehearsal.server import RehearsalServer
from zoomhost.zoom.auth import ServerToServerSignIn, ZoomAuth
from zoomhost.zoom.client import ZoomClient
from zoomhost.zoom.credentials import ServerToServerCredentials

SDK_KEY = "rehearsalSdkKey01"
SDK_SECRET = "rehearsal-sdk-secret-0123456789abcdef"


def absent_consented_name(scenario: Scenario, session: LiveSession, classifier: AdmissionClassifier) -> str:
    """A display name the register accepts as a consented pupil who has not arrived."""
    present = {row.pupil_id for row in session.arrivals() if row.pupil_id is not None}
    for row in scenario.register:
        name = f"{row.forename} {row.surname}"
        verdict = classifier.classify(name, present=present)
        if verdict.verdict.value == "consented" and verdict.pupil is not None and verdict.pupil.id not in present:
            return name
    raise AssertionError("every consented pupil is already here")


def zoom_client(server: RehearsalServer) -> ZoomClient:
    creds = server.credentials
    sign_in = ServerToServerSignIn(
        credentials=ServerToServerCredentials(creds.account_id, creds.client_id, creds.client_secret),
        oauth_base=server.oauth_base,
    )
    return ZoomClient(settings=Settings(api_base=server.api_base, oauth_base=server.oauth_base), auth=ZoomAuth(sign_in))


async def until(predicate: Callable[[], bool], *, timeout: float = 15.0, what: str = "condition") -> None:
    """Wait (without blocking the loop) until ``predicate()`` holds; fail the test with ``what`` otherwise."""
    try:
        async with asyncio.timeout(timeout):
            while not predicate():
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None
