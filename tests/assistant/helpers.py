"""Shared pieces for the host assistant's tests: a live session on the assembly register,
Zoom's REST client and event stream against the rehearsal Zoom, and waiting helpers."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import websockets

from tests.rehearsal.fixtures import account_token
from zoomhost.app.services import session_journals
from zoomhost.system.config import Settings
from zoomhost.core.classifier import AdmissionClassifier
from zoomhost.core.control import EventCallback, Listeners
from zoomhost.core.events import MeetingEvent
from zoomhost.core.models import Pupil, StaffMember
from zoomhost.core.session import LiveSession
from zoomhost.rehearsal.scenarios import Scenario
from zoomhost.rehearsal.server import RehearsalServer
from zoomhost.zoom.auth import ServerToServerSignIn, ZoomAuth
from zoomhost.zoom.client import ZoomClient
from zoomhost.zoom.credentials import ServerToServerCredentials
from zoomhost.zoom.events import ZOOM_EVENT_KINDS

SDK_KEY = "rehearsalSdkKey01"
SDK_SECRET = "rehearsal-sdk-secret-0123456789abcdef"


def live_session(scenario: Scenario, *, meeting_id: int) -> tuple[LiveSession, AdmissionClassifier]:
    """A live session with a real journal, classifying against the scenario's register."""
    pupils = [
        Pupil(n, row.forename, row.preferred_name or None, row.surname[:1], row.reg_group, row.consent)
        for n, row in enumerate(scenario.register, start=1)
    ]
    staff = [StaffMember(n, row.name, row.email) for n, row in enumerate(scenario.staff, start=1)]
    classifier = AdmissionClassifier(pupils=pupils, staff=staff)
    journal = session_journals().create(
        meeting_id=str(meeting_id), topic="assembly", planned_minutes=30, started_at=datetime.now(UTC), rehearsal=True
    )
    session = LiveSession(
        journal=journal,
        classify=lambda name, present: classifier.classify(name, present=present),
        expected_pupils=sum(p.consent for p in pupils),
    )
    return session, classifier


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




class RestEventStream:
    """Zoom's event WebSocket as the panel hears it (a plain reading of the webhook bodies)."""

    def __init__(self, server: RehearsalServer) -> None:
        self._server = server
        self._listeners = Listeners()
        self._task: asyncio.Task[None] | None = None
        self.heard = 0

    def subscribe(self, callback: EventCallback) -> Callable[[], None]:
        return self._listeners.on_event(callback)

    async def start(self) -> None:
        token = await asyncio.to_thread(account_token, self._server)
        url = f"{self._server.ws_base}?subscriptionId={self._server.subscription_id}&access_token={token}"
        connection = await websockets.connect(url)
        self._task = asyncio.create_task(self._read(connection))
        await asyncio.sleep(0.05)

    async def _read(self, connection: Any) -> None:
        async with connection:
            async for raw in connection:
                frame = json.loads(raw)
                if frame.get("module") != "message":
                    continue
                body = json.loads(frame["content"])
                kind = ZOOM_EVENT_KINDS.get(body["event"])
                if kind is None:
                    continue
                obj = body["payload"]["object"]
                person = obj.get("participant") or {}
                self.heard += 1
                self._listeners.emit_event(
                    MeetingEvent(
                        kind=kind,
                        meeting_id=str(obj["id"]),
                        at=datetime.fromtimestamp(body["event_ts"] / 1000, tz=UTC),
                        event_id=f"ws-{body['event']}-{person.get('user_id', '')}-{body['event_ts']}",
                        participant_id=person.get("user_id"),
                        display_name=person.get("user_name"),
                        source="websocket",
                    )
                )

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


async def until(predicate: Callable[[], bool], *, timeout: float = 15.0, what: str = "condition") -> None:
    """Wait (without blocking the loop) until ``predicate()`` holds; fail the test with ``what`` otherwise."""
    try:
        async with asyncio.timeout(timeout):
            while not predicate():
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None
