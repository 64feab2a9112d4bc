"""Zoom's WebSocket event subscription, turned into the core's meeting events.

Zoom sends webhook bodies over ``{ws_base}?subscriptionId=…&access_token=…`` wrapped as
``{"module": "message", "content": "<webhook JSON>"}``, expects ``{"module": "heartbeat"}``
every 30 s, and replays nothing after a disconnect. So the stream reconnects with backoff
and a fresh token, and then asks the Dashboard who is there now (where the plan has it);
otherwise it tells the panel that arrivals may have been missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from zoomhost.system.config import Settings
from zoomhost.core.events import EventKind, MeetingEvent
from zoomhost.system.redact import redact
from zoomhost.zoom.auth import ZoomAuth
from zoomhost.zoom.client import LiveParticipant, ZoomClient
from zoomhost.zoom.identity import identity_from_participant
from zoomhost.zoom.errors import (
    ConnectionFailed,
    NotFound,
    PlanDoesNotAllow,
    RateLimited,
    ServerError,
    TimedOut,
    ZoomError,
)

log = logging.getLogger(__name__)

ZOOM_EVENT_KINDS: Mapping[str, EventKind] = {
    "meeting.participant_joined_waiting_room": EventKind.WAITING_JOINED,
    "meeting.participant_left_waiting_room": EventKind.WAITING_LEFT,
    "meeting.participant_admitted": EventKind.ADMITTED,
    "meeting.participant_put_in_waiting_room": EventKind.PUT_BACK,
    "meeting.participant_joined": EventKind.JOINED,
    "meeting.participant_left": EventKind.LEFT,
    "meeting.started": EventKind.STARTED,
    "meeting.ended": EventKind.ENDED,
}
MAX_NAME = 200  # Zoom's own limit is far lower; a longer name is cut, never dropped (it may be a zoombomber)
MAX_FRAME = 1 << 20


class UnreadableEvent(ValueError):
    """A frame or webhook body that is not what Zoom sends (logged and skipped)."""


def _utc(text: object) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def meeting_event_from_webhook(body: Mapping[str, Any], *, source: str = "websocket") -> MeetingEvent | None:
    """The core event for one webhook body, None for events the panel does not follow.

    ``participant_id`` is Zoom's in-meeting user id (as a string): the one the Meeting SDK uses.
    Raises UnreadableEvent when a followed event lacks what identifies it.
    """
    name = body.get("event")
    kind = ZOOM_EVENT_KINDS.get(name) if isinstance(name, str) else None
    if kind is None:
        return None
    payload = body.get("payload")
    obj = payload.get("object") if isinstance(payload, Mapping) else None
    if not isinstance(obj, Mapping) or obj.get("id") in (None, ""):
        raise UnreadableEvent(f"{name} without payload.object.id")
    meeting_id = str(obj["id"])
    instance = str(obj.get("uuid") or meeting_id)
    event_ts = body.get("event_ts")
    fallback = (
        datetime.fromtimestamp(event_ts / 1000, tz=timezone.utc)
        if isinstance(event_ts, (int, float)) and not isinstance(event_ts, bool) and 0 < event_ts < 1e14
        else None
    )
    if kind in (EventKind.STARTED, EventKind.ENDED):
        stamp_text = obj.get("end_time") if kind is EventKind.ENDED else obj.get("start_time")
        at = _utc(stamp_text) or fallback or datetime.now(timezone.utc)
        return MeetingEvent(
            kind=kind, meeting_id=meeting_id, at=at, event_id=f"{name}:{instance}:{stamp_text or event_ts}", source=source
        )
    person = obj.get("participant")
    if not isinstance(person, Mapping):
        raise UnreadableEvent(f"{name} without payload.object.participant")
    user_id = person.get("user_id")
    if user_id in (None, "") or isinstance(user_id, (dict, list, bool)):
        raise UnreadableEvent(f"{name} without participant.user_id")
    stamp_text = person.get("leave_time") or person.get("join_time") or person.get("date_time")
    at = _utc(stamp_text) or fallback
    if at is None:
        raise UnreadableEvent(f"{name} without a time")
    raw_name = person.get("user_name")
    display = raw_name if isinstance(raw_name, str) else ""
    extra: dict[str, str] = {}
    if len(display) > MAX_NAME:
        display = display[:MAX_NAME]
        extra["name_truncated"] = "true"
    reason = person.get("leave_reason")
    if isinstance(reason, str) and reason:
        extra["leave_reason"] = reason[:200]
    return MeetingEvent(
        kind=kind,
        meeting_id=meeting_id,
        at=at,
        event_id=f"{name}:{instance}:{user_id}:{stamp_text or event_ts}",
        participant_id=str(user_id),
        display_name=display,
        source=source,
        extra=extra,
        identity=identity_from_participant(person),
    )


def read_frame(raw: str | bytes) -> tuple[str, Mapping[str, Any] | None]:
    """(module, webhook body or None) for one frame of Zoom's event WebSocket."""
    try:
        frame = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UnreadableEvent("a frame that is not JSON") from exc
    if not isinstance(frame, dict):
        raise UnreadableEvent("a frame that is not a JSON object")
    module = frame.get("module")
    if module != "message":
        return str(module), None
    if frame.get("success") is False:
        raise UnreadableEvent("Zoom reported an unsuccessful message")
    content = frame.get("content")
    try:
        body = json.loads(content) if isinstance(content, (str, bytes)) else content
    except (ValueError, UnicodeDecodeError) as exc:
        raise UnreadableEvent("message content that is not JSON") from exc
    if not isinstance(body, dict):
        raise UnreadableEvent("message content that is not a JSON object")
    return "message", body


class EventStream:
    """Meeting events as they happen, through dropped connections. Iterate with ``async for``.

    ``meeting_id`` keeps only that meeting's events (a subscription covers the whole account)
    and is what is reconciled after a reconnect, through ``client`` when given.
    """

    def __init__(
        self,
        *,
        settings: Settings,
        auth: ZoomAuth,
        meeting_id: str | None = None,
        client: ZoomClient | None = None,
        heartbeat_interval: float = 30.0,
        reconnect_base: float = 1.0,
        reconnect_max: float = 30.0,
        open_timeout: float = 15.0,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if not settings.subscription_id:
            raise NotFound(
                "No Zoom event subscription is set, so zoomhost cannot hear arrivals.",
                hint="Set the subscription ID from the school's Zoom app in zoomhost's settings.",
            )
        self._settings = settings
        self._auth = auth
        self.meeting_id = meeting_id
        self._client = client
        self._heartbeat_interval = heartbeat_interval
        self._reconnect_base = reconnect_base
        self._reconnect_max = reconnect_max
        self._open_timeout = open_timeout
        self._rng = rng
        self._closed = False
        self._ws: ClientConnection | None = None
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._where: dict[str, tuple[str, str]] = {}  # participant id -> ("waiting" | "meeting", name)
        self.connections = 0  # successful connections so far (1 + reconnects)
        self.heartbeats_answered = 0
        self.skipped = 0  # frames that could not be read

    def _url(self, token: str) -> str:
        query = urlencode({"subscriptionId": self._settings.subscription_id, "access_token": token})
        return f"{self._settings.ws_base}?{query}"

    def __aiter__(self) -> AsyncIterator[MeetingEvent]:
        return self.events()

    async def aclose(self) -> None:
        self._closed = True
        if self._ws is not None:
            await self._ws.close()

    async def events(self) -> AsyncIterator[MeetingEvent]:
        failures = 0
        while not self._closed:
            try:
                token = await self._auth.token()
            except (ConnectionFailed, TimedOut, ServerError, RateLimited) as err:  # the network is back soon, maybe
                log.warning("event stream: no token yet (%s); trying again", err)
                failures += 1
                await asyncio.sleep(self._backoff(failures))
                continue
            try:
                async with connect(
                    self._url(token), max_size=MAX_FRAME, open_timeout=self._open_timeout, user_agent_header=None
                ) as ws:
                    self._ws = ws
                    self.connections += 1
                    failures = 0
                    beat = asyncio.create_task(self._heartbeat(ws))
                    try:
                        if self.connections > 1:
                            for event in await self._after_reconnect():
                                yield event
                        async for raw in ws:
                            for event in self._take(raw):
                                yield event
                    finally:
                        beat.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await beat
            except InvalidStatus as exc:
                status = exc.response.status_code
                if status == 401:
                    log.info("event stream: Zoom refused the token; fetching a new one")
                    with contextlib.suppress(ZoomError):
                        await self._auth.renewed(stale=token)
                elif status == 404:
                    raise NotFound(
                        "Zoom does not know this event subscription, so zoomhost cannot hear arrivals.",
                        hint="Check the subscription ID in zoomhost's settings against the school's Zoom app.",
                        status=404,
                    ) from None
                else:
                    log.warning("event stream: Zoom answered %s to the connection", status)
            except (ConnectionClosed, InvalidHandshake, OSError, TimeoutError) as exc:
                log.warning("event stream dropped: %s", redact(f"{type(exc).__name__}: {exc}")[:200])
            finally:
                self._ws = None
            if self._closed:
                break
            failures += 1
            await asyncio.sleep(self._backoff(failures))

    def _backoff(self, failures: int) -> float:
        ceiling = min(self._reconnect_max, self._reconnect_base * 2 ** (failures - 1))
        return ceiling * (0.5 + self._rng() / 2)

    async def _heartbeat(self, ws: ClientConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            while True:
                await asyncio.sleep(self._heartbeat_interval)
                await ws.send(json.dumps({"module": "heartbeat"}))

    # -- reading -------------------------------------------------------------------------------
    def _take(self, raw: str | bytes) -> list[MeetingEvent]:
        try:
            module, body = read_frame(raw)
            if module == "heartbeat":
                self.heartbeats_answered += 1
                return []
            if body is None:
                return []
            event = meeting_event_from_webhook(body)
        except UnreadableEvent as exc:
            self.skipped += 1
            sample = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
            log.warning("skipped an event zoomhost could not read (%s): %s", exc, redact(sample[:200]))
            return []
        if event is None or (self.meeting_id and event.meeting_id != self.meeting_id):
            return []
        return self._fresh([event])

    def _fresh(self, events: Iterable[MeetingEvent]) -> list[MeetingEvent]:
        """Drop events already passed on (Zoom may repeat one), and keep track of who is where."""
        out = []
        for event in events:
            if event.event_id in self._seen:
                continue
            self._seen[event.event_id] = None
            if len(self._seen) > 20000:
                self._seen.popitem(last=False)
            self._track(event)
            out.append(event)
        return out

    def _track(self, event: MeetingEvent) -> None:
        pid = event.participant_id
        if event.kind is EventKind.ENDED:
            self._where.clear()
        if pid is None:
            return
        if event.kind in (EventKind.WAITING_JOINED, EventKind.PUT_BACK):
            self._where[pid] = ("waiting", event.display_name or "")
        elif event.kind in (EventKind.ADMITTED, EventKind.JOINED):
            self._where[pid] = ("meeting", event.display_name or self._where.get(pid, ("", ""))[1])
        elif event.kind in (EventKind.WAITING_LEFT, EventKind.LEFT):
            self._where.pop(pid, None)

    # -- after a reconnect --------------------------------------------------------------------
    async def _after_reconnect(self) -> list[MeetingEvent]:
        """Who arrived while we were away, from the Dashboard; or a warning that we cannot know."""
        now = datetime.now(timezone.utc)
        if self._client is None or not self.meeting_id:
            return self._fresh([self._may_have_missed(now, "no live participant list to check against")])
        try:
            people = await self._client.live_participants(self.meeting_id)
        except PlanDoesNotAllow:
            return self._fresh([self._may_have_missed(now, "the Zoom plan has no Dashboard")])
        except ZoomError as err:
            return self._fresh([self._may_have_missed(now, str(err))])
        return self._fresh(self._reconciled(people, now))

    def _reconciled(self, people: Iterable[LiveParticipant], now: datetime) -> list[MeetingEvent]:
        events = []
        for person in people:
            where = "waiting" if person.in_waiting_room else "meeting"
            known = self._where.get(person.participant_id)
            if known is not None and known[0] == where:
                continue
            if known is None:
                kind = EventKind.WAITING_JOINED if where == "waiting" else EventKind.JOINED
            else:
                kind = EventKind.PUT_BACK if where == "waiting" else EventKind.ADMITTED
            stamp = person.join_time or now.isoformat()
            events.append(
                MeetingEvent(
                    kind=kind,
                    meeting_id=str(self.meeting_id),
                    at=_utc(person.join_time) or now,
                    event_id=f"reconcile:{kind.value}:{self.meeting_id}:{person.participant_id}:{stamp}",
                    participant_id=person.participant_id,
                    display_name=person.display_name[:MAX_NAME],
                    source="reconcile",
                    identity=person.identity,
                )
            )
        return events

    def _may_have_missed(self, now: datetime, why: str) -> MeetingEvent:
        return MeetingEvent(
            kind=EventKind.MAY_HAVE_MISSED,
            meeting_id=str(self.meeting_id or ""),
            at=now,
            event_id=f"may_have_missed:{self.meeting_id}:{self.connections}:{now.isoformat()}",
            source="websocket",
            extra={"reason": why[:300]},
        )
