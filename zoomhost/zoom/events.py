"""Zoom's WebSocket event subscription, turned into the core's meeting events.

Zoom sends webhook bodies over ``{ws_base}?subscriptionId=…&access_token=…`` wrapped as
``{"module": "message", "content": "<webhook JSON>"}``, expects ``{"module": "heartbeat"}``
every 30 s (and answers each), and replays nothing after a disconnect. It accepts the handshake
even with a bad token or subscription, then says so as ``{"module": "build_connection",
"success": false, "content": "…"}`` and closes.

So the stream never storms: a refusal renews the token once, and every failed attempt waits
longer (doubling, with jitter, up to a cap) until a connection has proved healthy (a heartbeat
answered or an event delivered); only that resets the wait. A connection that had worked and is
lost opens a gap: the stream says so once (``STREAM_LOST``) and once more when a connection
proves healthy again (``STREAM_BACK``), whatever happened in between; the engine then asks
Zoom's Dashboard who came and went meanwhile, or tells the teacher what may have been missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import ssl
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode, urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from zoomhost.system.config import Settings
from zoomhost.core.events import PARTICIPANT_UUID, ZOOM_EVENT_KINDS, EventKind, MeetingEvent
from zoomhost.core.zoom_times import zoom_time
from zoomhost.system.redact import redact
from zoomhost.zoom.auth import ZoomAuth
from zoomhost.zoom.identity import identity_from_participant
from zoomhost.zoom.tls import UNTRUSTED, untrusted_certificate, zoom_ssl_context
from zoomhost.zoom.errors import (
    ConnectionFailed,
    NotFound,
    RateLimited,
    ServerError,
    TimedOut,
    ZoomError,
)

log = logging.getLogger(__name__)

MAX_FRAME = 1 << 20
#: However fast a rehearsal plays, a heartbeat goes at most this often (seconds of real time): two unanswered
#: in a row close the connection, and during an arrival burst Zoom's answer can queue behind the frames.
MIN_HEARTBEAT_PERIOD = 1.0


class UnreadableEvent(ValueError):
    """A frame or webhook body that is not what Zoom sends (logged and skipped)."""


class UnknownInstance(Exception):
    """An event that names its meeting only by the instance's UUID (``object.id`` is optional in some
    of Zoom's events, ``object.uuid`` never), for an instance not yet known to be any meeting's."""

    def __init__(self, uuid: str) -> None:
        super().__init__("an event of a meeting instance not yet known")
        self.uuid = uuid


#: Events of not-yet-known instances held until an event says whose they are (then read, or dropped).
PENDING_LIMIT = 2000


def meeting_event_from_webhook(
    body: Mapping[str, Any],
    *,
    source: str = "websocket",
    meeting_id: str | None = None,
    instances: Mapping[str, str] | None = None,
) -> MeetingEvent | None:
    """The core event for one webhook body, None for events the panel does not follow.

    ``participant_id`` is Zoom's in-meeting user id (as a string): the one the Meeting SDK uses.
    With ``meeting_id``, another meeting's event is None as soon as its meeting is read, before
    anything about its participant is (an account's subscription carries every meeting's people).
    Raises UnreadableEvent when a followed event lacks what identifies it. Zoom's documents make
    ``object.id`` optional in some events (``meeting.participant_joined``) and ``object.uuid`` required:
    such an event's meeting is the one ``instances`` (instance UUID -> meeting ID) knows its UUID as,
    and UnknownInstance is raised for a UUID it does not know yet.
    """
    name = body.get("event")
    kind = ZOOM_EVENT_KINDS.get(name) if isinstance(name, str) else None
    if kind is None:
        return None
    payload = body.get("payload")
    obj = payload.get("object") if isinstance(payload, Mapping) else None
    if not isinstance(obj, Mapping):
        raise UnreadableEvent(f"{name} without payload.object")
    said_id = obj.get("id")
    uuid_text = obj.get("uuid")
    if said_id in (None, "") or isinstance(said_id, (dict, list, bool)):
        if not isinstance(uuid_text, str) or not uuid_text:
            raise UnreadableEvent(f"{name} without payload.object.id or payload.object.uuid")
        known = (instances or {}).get(uuid_text)
        if known is None:
            raise UnknownInstance(uuid_text)
        said_id = known
    if meeting_id is not None and str(said_id) != str(meeting_id):
        return None  # another meeting's: none of this panel's business, and never logged
    meeting_id = str(said_id)
    instance = str(uuid_text or meeting_id)
    event_ts = body.get("event_ts")
    fallback = (
        datetime.fromtimestamp(event_ts / 1000, tz=timezone.utc)
        if isinstance(event_ts, (int, float)) and not isinstance(event_ts, bool) and 0 < event_ts < 1e14
        else None
    )
    if kind in (EventKind.STARTED, EventKind.ENDED):
        stamp_text = obj.get("end_time") if kind is EventKind.ENDED else obj.get("start_time")
        at = zoom_time(stamp_text) or fallback or datetime.now(timezone.utc)
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
    at = zoom_time(stamp_text) or fallback
    if at is None:
        raise UnreadableEvent(f"{name} without a time")
    if fallback is not None and timedelta(0) <= fallback - at < timedelta(seconds=1):
        at = fallback  # Zoom's stamps are whole seconds; event_ts, in the same second, keeps two steps in order
    raw_name = person.get("user_name")
    display = raw_name if isinstance(raw_name, str) else ""  # MeetingEvent cuts it to the one limit
    extra: dict[str, str] = {}
    reason = person.get("leave_reason")
    if isinstance(reason, str) and reason:
        extra["leave_reason"] = reason[:200]
    uuid = person.get("participant_uuid")
    if isinstance(uuid, str) and uuid:
        extra[PARTICIPANT_UUID] = uuid  # the same person whatever user_id this event gives them
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
    return _module_and_body(_decode(raw))


def _decode(raw: str | bytes) -> dict[str, Any]:
    try:
        frame = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise UnreadableEvent("a frame that is not JSON") from exc
    if not isinstance(frame, dict):
        raise UnreadableEvent("a frame that is not a JSON object")
    return frame


def _module_and_body(frame: dict[str, Any]) -> tuple[str, Mapping[str, Any] | None]:
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


@dataclass(frozen=True)
class StreamProbe:
    """One try of the event stream (Test connection): whether Zoom answered, and if not, why (plain words)."""

    answered: bool
    problem: str = ""


def _unknown_subscription() -> NotFound:
    return NotFound(
        "Zoom does not know this event subscription, so zoomhost cannot hear arrivals.",
        hint="Check the subscription ID in zoomhost's settings against the school's Zoom app.",
        status=404,
    )


class _Refused(Exception):
    """Zoom's ``build_connection`` failure: the connection was accepted and then refused."""

    def __init__(self, content: str) -> None:
        super().__init__(content)
        self.content = content


def _refusal_text(frame: Mapping[str, Any]) -> str:
    """What Zoom said when it refused the connection, as plain text (it is shown to the teacher)."""
    content = frame.get("content")
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)[:200] if content else ""
    text = "".join(ch if ch.isprintable() else " " for ch in text).strip()[:200]
    return text or "no reason given"


class EventStream:
    """Meeting events as they happen, through dropped connections. Iterate with ``async for``.

    ``meeting_id`` keeps only that meeting's events (a subscription covers the whole account).
    Besides the meeting's events it yields ``STREAM_LOST`` once when a working connection is lost
    and ``STREAM_BACK`` once when a connection has proved healthy again. ``reconnect_base`` and
    ``reconnect_max`` (seconds) bound the wait between failed attempts; ``time_scale`` runs every
    wait and the heartbeat that many times faster (a rehearsal played faster than real time).
    """

    def __init__(
        self,
        *,
        settings: Settings,
        auth: ZoomAuth,
        meeting_id: str | None = None,
        heartbeat_interval: float = 30.0,
        reconnect_base: float = 1.0,
        reconnect_max: float = 30.0,
        open_timeout: float = 15.0,
        rng: Callable[[], float] = random.random,
        time_scale: float = 1.0,
        clock: Callable[[], datetime] | None = None,
        instance_uuids: Iterable[str] = (),
    ) -> None:
        """``instance_uuids``: UUIDs already known to be instances of ``meeting_id`` (from Zoom's meeting
        details); others are learnt from the events that name both."""
        if not settings.subscription_id:
            raise NotFound(
                "No Zoom event subscription is set, so zoomhost cannot hear arrivals.",
                hint="Set the subscription ID from the school's Zoom app in zoomhost's settings.",
            )
        if time_scale <= 0:
            raise ValueError("time_scale must be above zero")
        self._settings = settings
        self._auth = auth
        self.meeting_id = meeting_id
        self._heartbeat_interval = heartbeat_interval
        self._reconnect_base = reconnect_base
        self._reconnect_max = reconnect_max
        self._open_timeout = open_timeout
        self._rng = rng
        self._scale = time_scale
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self._closed = False
        self._ws: ClientConnection | None = None
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._instances: dict[str, str] = {uuid: str(meeting_id) for uuid in instance_uuids if uuid and meeting_id}
        self._pending: dict[str, list[Mapping[str, Any]]] = {}
        self._pending_count = 0
        self._down_since: datetime | None = None  # a gap: when a working connection was lost
        self._gap_attempts = 0
        self.attempts = 0  # connections tried (each one a handshake with Zoom)
        self.connections = 0  # connections that proved healthy (Zoom answered a heartbeat or sent an event)
        self.heartbeats_answered = 0
        self.refusals = 0  # connections Zoom accepted and then refused (build_connection failures)
        self.renewals = 0  # tokens renewed because Zoom refused one
        self.gaps = 0  # working connections lost
        self.last_problem = ""  # the last thing that went wrong, in words (Zoom's own for a refusal)
        self.skipped = 0  # frames that could not be read
        # For a wss:// stream, one context for every connection: the operating system's certificates as well as
        # zoomhost's (reading the system's store again for each reconnect would only cost time).
        self._tls: dict[str, ssl.SSLContext] = {"ssl": zoom_ssl_context()} if settings.ws_base.startswith("wss:") else {}

    def _connect(self, token: str, open_timeout: float) -> connect:
        return connect(
            self._url(token),
            max_size=MAX_FRAME,
            open_timeout=open_timeout,
            user_agent_header=None,
            compression=None,  # small JSON events: inflating each costs the I/O thread more than it saves
            **self._tls,
        )

    def _url(self, token: str) -> str:
        query = urlencode({"subscriptionId": self._settings.subscription_id, "access_token": token})
        return f"{self._settings.ws_base}?{query}"

    def __aiter__(self) -> AsyncIterator[MeetingEvent]:
        return self.events()

    async def aclose(self) -> None:
        self._closed = True
        if self._ws is not None:
            await self._ws.close()

    @property
    def down(self) -> bool:
        """Whether a working connection has been lost and no new one has proved healthy yet."""
        return self._down_since is not None

    # -- the connection ------------------------------------------------------------------------
    async def events(self) -> AsyncIterator[MeetingEvent]:
        failures = 0  # attempts in a row that did not prove healthy
        renewed = False  # the token was renewed for a refusal since the stream last proved healthy
        while not self._closed:
            try:
                token = await self._auth.token()
            except (ConnectionFailed, TimedOut, ServerError, RateLimited) as err:  # the network is back soon, maybe
                log.warning("event stream: no token yet (%s); trying again", err)
                self.last_problem = err.user_text()
                failures += 1
                await self._pause(failures)
                continue
            self.attempts += 1
            if self._down_since is not None:
                self._gap_attempts += 1
            proved = False
            refused = False
            try:
                async with self._connect(token, self._open_timeout) as ws:
                    self._ws = ws
                    beat = asyncio.create_task(self._heartbeat(ws))
                    try:
                        async for raw in ws:
                            events, answered = self._take(raw)
                            if (answered or events) and not proved:
                                proved, failures, renewed = True, 0, False
                                self.connections += 1
                                back = self._back()
                                if back is not None:
                                    yield back
                            for event in events:
                                yield event
                    finally:
                        beat.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await beat
                self.last_problem = "Zoom closed the event stream."
            except _Refused as refusal:
                refused = True
                self.refusals += 1
                self.last_problem = self._problem(refusal)
                log.warning("event stream: Zoom refused the connection (%s)", redact(refusal.content))
            except InvalidStatus as exc:  # what an older Zoom, or a proxy in front of it, answers instead
                status = exc.response.status_code
                if status == 404:
                    raise _unknown_subscription() from None
                refused = status == 401
                self.last_problem = self._problem(exc)
                log.warning("event stream: Zoom answered %s to the connection", status)
            except (ConnectionClosed, InvalidHandshake, OSError, TimeoutError) as exc:
                self.last_problem = self._problem(exc)
                log.warning("event stream dropped: %s", redact(f"{type(exc).__name__}: {exc}")[:200])
            finally:
                self._ws = None
            if self._closed:
                break
            if refused and not renewed:
                renewed = True  # once: a second refusal of a fresh token is not the token's fault
                log.info("event stream: fetching a new token after Zoom refused one")
                with contextlib.suppress(ZoomError):
                    await self._auth.renewed(stale=token)
                    self.renewals += 1
            if proved:
                yield self._lost()
            failures += 1
            await self._pause(failures)

    def backoff(self, failures: int) -> float:
        """Seconds to wait after ``failures`` failed attempts in a row: doubling from the base up to the cap,
        each wait drawn between half and all of that (jitter, so many clients never retry in step)."""
        ceiling = min(self._reconnect_max, self._reconnect_base * 2 ** min(failures - 1, 30))
        return ceiling * (0.5 + self._rng() / 2)

    async def _pause(self, failures: int) -> None:
        await asyncio.sleep(self.backoff(failures) / self._scale)

    @property
    def heartbeat_period(self) -> float:
        """Seconds between heartbeats: the interval on the stream's clock, but a faster clock never brings it
        below ``MIN_HEARTBEAT_PERIOD`` of real time, the time a busy machine may take to answer one."""
        return max(self._heartbeat_interval / self._scale, min(self._heartbeat_interval, MIN_HEARTBEAT_PERIOD))

    async def _heartbeat(self, ws: ClientConnection) -> None:
        """A heartbeat at once (Zoom's answer proves the connection), then every interval; two unanswered
        in a row mean the connection is dead even if the socket looks open, so it is closed."""
        unanswered = 0
        with contextlib.suppress(ConnectionClosed):
            while True:
                before = self.heartbeats_answered
                await ws.send(json.dumps({"module": "heartbeat"}))
                await asyncio.sleep(self.heartbeat_period)
                unanswered = unanswered + 1 if self.heartbeats_answered == before else 0
                if unanswered >= 2:
                    log.warning("event stream: Zoom answered no heartbeat twice; reconnecting")
                    await ws.close()
                    return

    # -- gaps ----------------------------------------------------------------------------------
    def _lost(self) -> MeetingEvent:
        """A working connection is lost: the gap opens (said once, however many attempts follow)."""
        now = self._clock()
        self.gaps += 1
        self._down_since = now
        self._gap_attempts = 0
        return MeetingEvent(
            kind=EventKind.STREAM_LOST,
            meeting_id=str(self.meeting_id or ""),
            at=now,
            event_id=f"stream_lost:{self.meeting_id}:{self.gaps}:{now.isoformat()}",
            source="websocket",
            extra={"reason": self.last_problem[:300]},
        )

    def _back(self) -> MeetingEvent | None:
        """A connection proved healthy: the gap, if one was open, closes (said once)."""
        since, self._down_since = self._down_since, None
        if since is None:
            return None
        now = self._clock()
        return MeetingEvent(
            kind=EventKind.STREAM_BACK,
            meeting_id=str(self.meeting_id or ""),
            at=now,
            event_id=f"stream_back:{self.meeting_id}:{self.gaps}:{now.isoformat()}",
            source="websocket",
            extra={"since": since.isoformat(), "attempts": str(self._gap_attempts), "reason": self.last_problem[:300]},
        )

    # -- Test connection -----------------------------------------------------------------------
    async def probe(self, *, timeout: float) -> StreamProbe:
        """Connect, send one heartbeat and wait for Zoom's answer: whether the event stream really works.

        A refusal is tried once more with a renewed token (the first may have been stale).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        found = StreamProbe(False, "")
        token = ""
        for attempt in range(2):
            try:
                token = await self._auth.token() if attempt == 0 else await self._auth.renewed(stale=token)
            except ZoomError as err:
                return StreamProbe(False, err.user_text())
            left = deadline - loop.time()
            if left <= 0:
                break
            found = await self._probe_once(token, left)
            if found.answered or not found.problem.startswith("Zoom refused"):
                return found
        return found if found.problem else StreamProbe(False, f"Zoom's event stream did not answer within {timeout:.0f} seconds.")

    async def _probe_once(self, token: str, timeout: float) -> StreamProbe:
        try:
            async with asyncio.timeout(timeout):
                async with self._connect(token, timeout) as ws:
                    with contextlib.suppress(ConnectionClosed):  # a refusal may already be on its way: read it
                        await ws.send(json.dumps({"module": "heartbeat"}))
                    before = self.heartbeats_answered
                    async for raw in ws:
                        self._take(raw)  # the frames read as the stream reads them; a refusal raises
                        if self.heartbeats_answered > before:
                            return StreamProbe(True)
                    return StreamProbe(False, "Zoom closed the event stream without answering its heartbeat.")
        except TimeoutError:
            return StreamProbe(False, f"Zoom's event stream did not answer within {timeout:.0f} seconds.")
        except (_Refused, ConnectionClosed, InvalidHandshake, OSError) as exc:
            return StreamProbe(False, self._problem(exc))

    def _problem(self, exc: BaseException) -> str:
        """Why a connection to the event stream failed, in the teacher's words (the stream's and Test connection's)."""
        if isinstance(exc, _Refused):
            return f"Zoom refused the event subscription: {exc.content}"
        if isinstance(exc, InvalidStatus):
            status = exc.response.status_code
            if status == 404:
                return str(_unknown_subscription())
            return f"Zoom answered {status} to the event stream's connection."
        if untrusted_certificate(exc):
            return UNTRUSTED.format(host=urlsplit(self._settings.ws_base).hostname)
        if isinstance(exc, ConnectionClosed):
            return "The connection to Zoom's event stream dropped."
        return f"zoomhost could not reach Zoom's event stream ({type(exc).__name__})."

    # -- reading -------------------------------------------------------------------------------
    def _take(self, raw: str | bytes) -> tuple[list[MeetingEvent], bool]:
        """(new events, whether Zoom answered) for one frame; a refusal raises ``_Refused``."""
        try:
            frame = _decode(raw)
            module = frame.get("module")
            if module == "heartbeat":
                answered = frame.get("success") is not False
                self.heartbeats_answered += answered
                return [], answered
            if module == "build_connection":
                if frame.get("success") is False:
                    raise _Refused(_refusal_text(frame))
                return [], True  # Zoom saying the connection is built
            module, body = _module_and_body(frame)
            if body is None:
                return [], False
            released = self._learn(body)
            try:
                event = meeting_event_from_webhook(body, meeting_id=self.meeting_id, instances=self._instances)
            except UnknownInstance as unknown:
                if self.meeting_id is None:
                    raise UnreadableEvent("an event naming its meeting by an unknown instance only") from None
                self._hold(unknown.uuid, body)
                return self._fresh(released), True
        except UnreadableEvent as exc:
            self.skipped += 1  # what it said is not logged: it may carry anyone's name, from any meeting
            log.warning("skipped an event zoomhost could not read (%s; %d characters)", exc, len(raw))
            return [], False
        if event is None or (self.meeting_id and event.meeting_id != self.meeting_id):
            return self._fresh(released), True  # Zoom delivered something: the connection works
        return self._fresh([*released, event]), True

    def _learn(self, body: Mapping[str, Any]) -> list[MeetingEvent]:
        """Note which meeting an instance UUID belongs to (from an event that says both); the held events
        of that instance, read now when it is this stream's meeting (dropped, unread, when it is not)."""
        payload = body.get("payload")
        obj = payload.get("object") if isinstance(payload, Mapping) else None
        if not isinstance(obj, Mapping):
            return []
        said_id, uuid = obj.get("id"), obj.get("uuid")
        if said_id in (None, "") or isinstance(said_id, (dict, list, bool)) or not isinstance(uuid, str) or not uuid:
            return []
        if uuid in self._instances:
            return []
        self._instances[uuid] = str(said_id)
        held = self._pending.pop(uuid, [])
        self._pending_count -= len(held)
        if self.meeting_id is not None and str(said_id) != self.meeting_id:
            return []
        out = []
        for waiting in held:
            try:
                event = meeting_event_from_webhook(waiting, meeting_id=self.meeting_id, instances=self._instances)
            except (UnreadableEvent, UnknownInstance) as exc:
                self.skipped += 1
                log.warning("skipped a held event zoomhost could not read (%s)", exc)
                continue
            if event is not None:
                out.append(event)
        return out

    def _hold(self, uuid: str, body: Mapping[str, Any]) -> None:
        if self._pending_count >= PENDING_LIMIT:
            self.skipped += 1
            log.warning("skipped an event of a meeting instance not yet known: too many are waiting")
            return
        self._pending.setdefault(uuid, []).append(body)
        self._pending_count += 1

    def _fresh(self, events: Iterable[MeetingEvent]) -> list[MeetingEvent]:
        """Drop events already passed on (Zoom may send one again)."""
        out = []
        for event in events:
            if event.event_id in self._seen:
                continue
            self._seen[event.event_id] = None
            if len(self._seen) > 20000:
                self._seen.popitem(last=False)
            out.append(event)
        return out
