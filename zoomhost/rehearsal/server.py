"""The rehearsal Zoom on loopback: Zoom's REST paths, its OAuth endpoints and its event WebSocket.

One aiohttp application serves all three from one ``ZoomState``, on its own asyncio loop in
a background thread, so a test, a benchmark or the app's rehearsal mode can talk to it over
real sockets while also reading and steering the state in-process (moto's
``ThreadedMotoServer`` shape). It enforces what Zoom enforces: a valid bearer token carrying
the scopes the operation lists (Zoom's 4711 otherwise), 404 for unknown meetings, the
100-updates budget, per-second limits by category and plan, host-only access for user tokens,
and the Dashboard only on plans that have it (Pro, the default, has not). Its event socket
accepts every handshake and reports a bad token or subscription as a ``build_connection``
message before closing, as Zoom's does; the strictness switches are in ``faults``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import collections
import hashlib
import json
import logging
import secrets
import socket
import threading
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from zoomhost.core.zoom_times import zoom_text
from zoomhost.rehearsal.faults import Faults
from zoomhost.rehearsal.schemas import MEETING_PATCH, REGISTRANT_ADD, REGISTRANTS_BATCH, SETTINGS_PATCH, check_body
from zoomhost.rehearsal.state import LEAVE_REASON_KEY, REPORTED_ID_KEY, ZOOM_EVENTS, RehearsalError, ZoomState

log = logging.getLogger(__name__)

TOKEN_LIFETIME_S = 3600
PAGE_TOKEN_LIFETIME_S = 15 * 60  # a next_page_token expires after 15 minutes (the documents)
HEARTBEAT_TIMEOUT_S = 90.0  # a client that sends no heartbeat for this long is cut off
#: The scopes a rehearsal's Server-to-Server app holds unless it is given others: a school app made before
#: Zoom's granular scopes (zoomhost's own rehearsals give theirs the setup guide's list).
CLASSIC_SCOPES: tuple[str, ...] = (
    "meeting:read:admin",
    "meeting:write:admin",
    "user:read:admin",
    "user:write:admin",
    "account:read:admin",
    "dashboard_meetings:read:admin",
    "group:read:admin",
)
#: A teacher's own sign-in (user OAuth): a user who is not an admin can grant only user-level scopes.
USER_SCOPES = "meeting:read meeting:write user:read user:write"
#: Per-second limits by the documents' "Rate Limit Label", per plan (Zoom's published table;
#: Education is counted with Business).
RATE_LIMITS = {
    "pro": {"light": 30, "medium": 20, "heavy": 10},
    "business": {"light": 80, "medium": 60, "heavy": 40},
    "education": {"light": 80, "medium": 60, "heavy": 40},
}


@dataclass(frozen=True)
class Route:
    """One operation of Zoom's REST API the rehearsal serves: its handler, the documents' "Rate Limit Label", and the
    scopes its ``security`` lists in Zoom's OpenAPI documents (a token needs one of them; none is not allowed)."""

    method: str
    path: str
    handler: str  # the name of the server's method that answers it
    category: str  # "light", "medium" or "heavy"
    scopes: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.scopes:
            raise ValueError(f"{self.method} {self.path} names no scopes: Zoom checks a token's scopes on every operation")


#: Every REST operation the rehearsal serves (tests/rehearsal checks the scopes against the documents).
ROUTES: tuple[Route, ...] = (
    Route("GET", "/v2/users/{userId}", "_get_user", "light", ("user:read", "user:write", "user:read:admin", "user:write:admin", "user_profile", "user_info:read", "user:read:user", "user:read:user:admin")),
    Route("GET", "/v2/users/{userId}/settings", "_get_settings", "medium", ("user:read", "user:write", "user:read:admin", "user:write:admin", "user:read:settings", "user:read:settings:admin")),
    Route("GET", "/v2/users/{userId}/token", "_get_user_token", "light", ("user:read", "user:write", "user:read:admin", "user:write:admin", "user_profile", "user:read:token", "user:read:token:admin")),
    Route("PATCH", "/v2/users/{userId}/settings", "_patch_settings", "medium", ("user:write:admin", "user:write", "user:update:settings", "user:update:settings:admin")),
    Route("GET", "/v2/users/{userId}/meetings", "_list_meetings", "medium", ("meeting:read:admin", "meeting:read", "meeting:read:list_meetings", "meeting:read:list_meetings:admin")),
    Route("GET", "/v2/accounts/{accountId}/settings", "_get_account_settings", "medium", ("account:read:admin", "account:read:settings:admin", "account:read:settings:master")),
    Route("GET", "/v2/accounts/{accountId}/lock_settings", "_get_lock_settings", "medium", ("account:read:admin", "account:read:lock_settings:master")),
    Route("GET", "/v2/groups/{groupId}/lock_settings", "_get_group_lock_settings", "medium", ("group:read:admin", "group:write:admin", "group:read:lock_settings:admin")),
    Route("GET", "/v2/users", "_list_users", "medium", ("user:read", "user:write", "user:read:admin", "user:write:admin", "user:read:list_users:admin")),
    Route("GET", "/v2/meetings/{meetingId}", "_get_meeting", "light", ("meeting:read", "meeting:read:admin", "meeting:read:meeting", "meeting:read:meeting:admin")),
    Route("PATCH", "/v2/meetings/{meetingId}", "_patch_meeting", "light", ("meeting:write", "meeting:write:admin", "meeting:update:meeting:admin", "meeting:update:meeting")),
    Route("PUT", "/v2/meetings/{meetingId}/status", "_meeting_status", "light", ("meeting:write:admin", "meeting:write", "meeting:update:status", "meeting:update:status:admin")),
    Route("POST", "/v2/meetings/{meetingId}/batch_registrants", "_batch_registrants", "heavy", ("meeting:write", "meeting:write:admin", "meeting:write:batch_registrants", "meeting:write:batch_registrants:admin")),
    Route("POST", "/v2/meetings/{meetingId}/registrants", "_add_registrant", "light", ("meeting:write:admin", "meeting:write", "meeting:write:registrant", "meeting:write:registrant:admin")),
    Route("GET", "/v2/meetings/{meetingId}/registrants", "_list_registrants", "medium", ("meeting:read:admin", "meeting:read", "meeting:read:list_registrants", "meeting:read:list_registrants:admin")),
    Route("GET", "/v2/metrics/meetings/{meetingId}/participants", "_dashboard_participants", "heavy", ("dashboard_meetings:read:admin", "dashboard:read:admin", "dashboard:read:list_meeting_participants:admin")),
    Route("GET", "/v2/past_meetings/{meetingId}/participants", "_past_participants", "medium", ("meeting:read:admin", "meeting:read", "meeting:read:list_past_participants", "meeting:read:list_past_participants:admin")),
    Route("GET", "/v2/report/meetings/{meetingId}/participants", "_report_participants", "heavy", ("report:read:admin", "report:read:list_meeting_participants:admin")),
)  # fmt: skip
ROUTE_SCOPES: dict[tuple[str, str], tuple[str, ...]] = {(r.method, r.path): r.scopes for r in ROUTES}
MISSING_SCOPE = 4711  # Zoom's code for a token without the operation's scopes (HTTP 400)
#: Zoom's answer to a heartbeat on the event socket (the design notes, §2 "Event stream facts").
HEARTBEAT_ANSWER = {"module": "heartbeat", "success": True, "content": "live", "header": {}}
#: What the event socket says before closing on a bad connection (Zoom's wording is not documented).
BAD_SUBSCRIPTION = "Subscription not found: check the subscriptionId."
BAD_TOKEN = "Invalid Token"
EXPIRED_EVENT_TOKEN = "Token is expired."
INVALID_TOKEN = (124, "Invalid access token.")
EXPIRED_TOKEN = (124, "Access token is expired.")
NO_DASHBOARD = (200, "Only available for paid accounts that have dashboard feature enabled.")
ZOOM_BODY = web.ResponseKey("zoom_body", object)  # the JSON body as sent, kept for contract tests
TOKEN = web.RequestKey("token", object)


@dataclass(frozen=True)
class RehearsalCredentials:
    """What a school would paste from its Server-to-Server app; the rehearsal accepts these."""

    account_id: str
    client_id: str
    client_secret: str
    #: What the school's administrator ticked for the app: every token it issues carries these, no more.
    scopes: tuple[str, ...] = CLASSIC_SCOPES

    def __post_init__(self) -> None:
        if isinstance(self.scopes, str):  # a space-separated string would be read as one scope per character
            raise TypeError("RehearsalCredentials.scopes is a tuple of scope names, not one string")

    @classmethod
    def generate(cls, *, account_id: str, scopes: tuple[str, ...] = CLASSIC_SCOPES) -> RehearsalCredentials:
        return cls(account_id=account_id, client_id=secrets.token_urlsafe(16), client_secret=secrets.token_urlsafe(24), scopes=scopes)


@dataclass(frozen=True)
class Exchange:
    """One API request and the answer the rehearsal gave (kept for contract tests)."""

    method: str
    path: str
    query: dict[str, str]
    request_body: Any
    status: int
    response_body: Any


@dataclass
class _Token:
    user_id: str | None  # None: an account-level (Server-to-Server) token
    expires_at: float
    scope: str
    revoked: bool = False


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    method: str
    user_id: str
    expires_at: float


@dataclass(eq=False)
class _Connection:
    ws: web.WebSocketResponse
    transport: asyncio.BaseTransport | None
    token: str
    queue: asyncio.Queue[str] = field(default_factory=asyncio.Queue)


class TokenStore:
    """Opaque access tokens, one-use authorisation codes and rotating refresh tokens."""

    def __init__(self, *, lifetime_s: float) -> None:
        self._lock = threading.Lock()
        self.lifetime_s = lifetime_s
        self._access: dict[str, _Token] = {}
        self._refresh: dict[str, str] = {}  # refresh token -> user id
        self._codes: dict[str, _Grant] = {}

    def issue(self, *, user_id: str | None, scope: str) -> tuple[str, int]:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._access[token] = _Token(user_id=user_id, expires_at=time.monotonic() + self.lifetime_s, scope=scope)
        return token, int(self.lifetime_s)

    def issue_refresh(self, *, user_id: str) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._refresh[token] = user_id
        return token

    def rotate_refresh(self, token: str) -> str | None:
        """Spend a refresh token: the user it was for, or None when unknown or already spent."""
        with self._lock:
            return self._refresh.pop(token, None)

    def check(self, token: str) -> tuple[_Token | None, tuple[int, str] | None]:
        with self._lock:
            record = self._access.get(token)
        if record is None:
            return None, INVALID_TOKEN
        if record.revoked or time.monotonic() >= record.expires_at:
            return None, EXPIRED_TOKEN
        return record, None

    def expire_all(self) -> int:
        with self._lock:
            for record in self._access.values():
                record.revoked = True
            return len(self._access)

    def add_code(self, grant: _Grant) -> str:
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = grant
        return code

    def take_code(self, code: str) -> _Grant | None:
        with self._lock:
            grant = self._codes.pop(code, None)
        if grant is None or time.monotonic() >= grant.expires_at:
            return None
        return grant


class _PerSecondLimiter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)

    def allow(self, category: str, limit: int) -> bool:
        now = time.monotonic()
        with self._lock:
            seen = self._seen[category]
            while seen and now - seen[0] >= 1.0:
                seen.popleft()
            if len(seen) >= limit:
                return False
            seen.append(now)
            return True


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


#: ``option`` on GET and PATCH /users/{userId}/settings, as the documents enumerate it.
SETTINGS_OPTIONS = frozenset({"meeting_authentication", "recording_authentication", "meeting_security"})


def _settings_option(request: web.Request) -> str | None:
    option = request.query.get("option")
    if option is not None and option not in SETTINGS_OPTIONS:
        raise RehearsalError(400, 300, "Invalid field: option.")
    return option


class RehearsalServer:
    """The rehearsal Zoom on a loopback port. ``start()``/``stop()`` or use it as a context manager."""

    def __init__(
        self,
        *,
        state: ZoomState | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        credentials: RehearsalCredentials | None = None,
        subscription_id: str | None = None,
        token_lifetime_s: float = TOKEN_LIFETIME_S,
        heartbeat_timeout_s: float = HEARTBEAT_TIMEOUT_S,
        plan: str | None = None,
    ) -> None:
        """``plan``: the account's plan (default: the state's, Pro unless it says otherwise)."""
        self.state = state or ZoomState()
        self.host = host
        self._requested_port = port
        self.credentials = credentials or RehearsalCredentials.generate(account_id=self.state.account_id)
        self.subscription_id = subscription_id or secrets.token_urlsafe(16)
        self.tokens = TokenStore(lifetime_s=token_lifetime_s)
        self.heartbeat_timeout_s = heartbeat_timeout_s
        self.faults = Faults()
        self.faults.bind(
            drop_websockets=self._drop_all_connections,
            expire_tokens=self._expire_all_tokens,
            drop_schedule_changed=self._restart_drop_clock,
            plan=(lambda: self.state.plan, self._set_plan),
            participant_ids=(lambda: self.state.participant_ids, self._set_participant_ids),
        )
        if plan is not None:
            self.faults.set_plan(plan)  # checked there, as a plan switched during a rehearsal is
        #: Who the browser is signed in as when the user-OAuth consent page is visited.
        self.oauth_user_id = self.state.host_id
        #: What that user answers on the consent page: "allow" or "deny".
        self.oauth_decision = "allow"
        self.exchanges: collections.deque[Exchange] = collections.deque(maxlen=20000)
        self.sent_events: collections.deque[dict[str, Any]] = collections.deque(maxlen=20000)
        #: Every event-socket connection attempt: (time.monotonic(), "accepted" | "refused: …").
        self.event_attempts: collections.deque[tuple[float, str]] = collections.deque(maxlen=20000)
        self.port = 0
        self._limiter = _PerSecondLimiter()
        self._categories: dict[tuple[str, str], str] = {}
        #: Per-second allowance by plan and category; a test may raise one to isolate another rule.
        self.rate_limits = {plan: dict(limits) for plan, limits in RATE_LIMITS.items()}
        self._connections: set[_Connection] = set()
        self._fan_outs: list[Callable[[], None]] = []  # events announced, not yet handed to the connections
        self._fan_outs_lock = threading.Lock()
        self._fan_out_due = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._stopping: asyncio.Event | None = None
        self._last_drop = 0.0
        self.scenario_runs: list[Any] = []
        #: Where a rehearsal host assistant reaches this state (a RehearsalBridge), when one is running.
        self.assistant_bridge_url: str | None = None

    # -- addresses --------------------------------------------------------------------------------
    @property
    def oauth_base(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.oauth_base}/v2"

    @property
    def ws_base(self) -> str:
        return f"ws://{self.host}:{self.port}/ws"

    # -- life cycle -------------------------------------------------------------------------------
    def __enter__(self) -> RehearsalServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> RehearsalServer:
        if self._thread is not None:
            return self
        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._requested_port))
        self.port = sock.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(self._open(sock))
            except BaseException as exc:  # noqa: BLE001 - reported to start() below
                failure.append(exc)
                ready.set()
                return
            ready.set()
            self._loop.run_until_complete(self._serve_until_stopped())
            self._loop.close()

        self._thread = threading.Thread(target=run, name="rehearsal-zoom", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            self._thread = None
            raise failure[0]
        self._unsubscribe = self.state.subscribe(self._on_state_event)
        log.info("rehearsal Zoom listening on %s", self.oauth_base)
        return self

    def stop(self) -> None:
        for run in list(self.scenario_runs):
            run.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._thread is None or self._loop is None:
            return
        loop = self._loop
        if self._stopping is not None:
            loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(15)
        self._thread = None

    async def _open(self, sock: socket.socket) -> None:
        self._stopping = asyncio.Event()
        app = web.Application(middlewares=[self._middleware], client_max_size=2**20)
        app.router.add_post("/oauth/token", self._oauth_token)
        app.router.add_get("/oauth/authorize", self._oauth_authorize)
        app.router.add_get("/ws", self._websocket)
        app.router.add_get("/_rehearsal/faults", self._admin_faults)
        app.router.add_post("/_rehearsal/faults", self._admin_faults)
        app.router.add_post("/_rehearsal/scenario", self._admin_scenario)
        app.router.add_delete("/_rehearsal/scenario", self._admin_scenario_stop)
        app.router.add_get("/_rehearsal/state", self._admin_state)
        app.router.add_get("/_rehearsal/connect", self._admin_connect)
        app.router.add_post("/_rehearsal/assistant", self._admin_assistant)
        for route in ROUTES:
            app.router.add_route(route.method, route.path, getattr(self, route.handler))
            self._categories[(route.method, route.path)] = route.category
        app.router.add_route("*", "/v2/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)  # the access log would carry tokens in URLs
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    async def _serve_until_stopped(self) -> None:
        assert self._stopping is not None
        ticker = asyncio.create_task(self._tick())
        await self._stopping.wait()
        ticker.cancel()
        for conn in list(self._connections):
            await conn.ws.close(code=1001, message=b"rehearsal Zoom stopped")
        if self._runner is not None:
            await self._runner.cleanup()

    async def _tick(self) -> None:
        """Once a second: scheduled socket drops, and closing sockets whose token has run out."""
        while True:
            await asyncio.sleep(0.1)
            every = self.faults.drop_every_s
            now = time.monotonic()
            if every and now - self._last_drop >= every:
                self._last_drop = now
                if self._connections:
                    self.faults.drop_websockets()
            for conn in list(self._connections):
                _, problem = self.tokens.check(conn.token)
                if problem is not None and not conn.ws.closed:
                    await conn.ws.close(code=1008, message=problem[1].encode())

    def _restart_drop_clock(self) -> None:
        self._last_drop = time.monotonic()  # the first scheduled drop comes one interval after switching on

    def _set_plan(self, plan: str) -> None:
        with self.state.lock:
            self.state.plan = plan

    def _set_participant_ids(self, mode: str) -> None:  # Faults.set_participant_ids checks the mode
        with self.state.lock:
            self.state.participant_ids = mode

    def _in_loop(self, fn: Callable[[], int]) -> int:
        """Run on the server's loop and wait (or run at once when already on it)."""
        loop = self._loop
        if loop is None or not loop.is_running():
            return fn()
        if threading.current_thread() is self._thread:
            return fn()
        done = threading.Event()
        result: list[int] = []

        def call() -> None:
            try:
                result.append(fn())
            finally:
                done.set()

        loop.call_soon_threadsafe(call)
        done.wait(5)
        return result[0] if result else 0

    def _drop_all_connections(self) -> int:
        def drop() -> int:
            count = 0
            for conn in list(self._connections):
                if conn.transport is not None and not conn.transport.is_closing():
                    conn.transport.abort()  # no close frame: what a dropped network looks like
                    count += 1
                self._connections.discard(conn)
            return count

        return self._in_loop(drop)

    def _expire_all_tokens(self) -> int:
        count = self.tokens.expire_all()

        def close() -> int:
            for conn in list(self._connections):
                if not conn.ws.closed:
                    asyncio.ensure_future(conn.ws.close(code=1008, message=EXPIRED_TOKEN[1].encode()))
            return 0

        self._in_loop(close)
        return count

    # -- events to the WebSocket ------------------------------------------------------------------
    def _on_state_event(self, event: dict[str, Any]) -> None:
        if event.get("event") not in ZOOM_EVENTS or self._loop is None:
            return
        event.pop("rehearsal", None)
        reported = event.pop(REPORTED_ID_KEY, None)
        person = event.get("payload", {}).get("object", {}).get("participant")
        if reported is not None and isinstance(person, dict):
            person["user_id"] = reported  # Zoom's id for them now, not the Meeting SDK's
        _as_zoom_may_send(event)
        events = [event, *_also_sent_by_zoom(event)]
        frames = [json.dumps({"module": "message", "success": True, "content": json.dumps(e, ensure_ascii=False)}) for e in events]
        delays = [self.faults.event_delays() for _ in frames]  # drawn here, in the order things happened: reproducible

        def send(to: list[_Connection], frame: str) -> None:
            for conn in to:
                if conn in self._connections:  # a connection dropped meanwhile gets nothing, as with Zoom
                    conn.queue.put_nowait(frame)

        def fan_out() -> None:
            if not self._connections:
                return  # as Zoom: nobody connected, nothing delivered, nothing replayed later
            self.sent_events.extend(events)
            listening = list(self._connections)
            assert self._loop is not None
            for frame, copies in zip(frames, delays):
                for delay in copies:
                    if delay <= 0:
                        send(listening, frame)
                    else:
                        self._loop.call_later(delay, send, listening, frame)

        with self._fan_outs_lock:  # one wake-up of the server's loop for events that happen together, in order
            self._fan_outs.append(fan_out)
            if self._fan_out_due:
                return
            self._fan_out_due = True
        try:
            self._loop.call_soon_threadsafe(self._fan_out_kept)
        except RuntimeError:  # the loop has closed: the server is stopping
            pass

    def _fan_out_kept(self) -> None:
        with self._fan_outs_lock:
            kept, self._fan_outs = self._fan_outs, []
            self._fan_out_due = False
        for fan_out in kept:
            fan_out()

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        """Zoom's event socket: the handshake is always accepted; a bad subscription or token is then
        reported as a ``build_connection`` failure and the socket closed."""
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        token = request.query.get("access_token", "")
        refusal = self._event_refusal(request.query.get("subscriptionId", ""), token)
        self.event_attempts.append((time.monotonic(), f"refused: {refusal}" if refusal else "accepted"))
        if refusal is not None:
            await ws.send_str(json.dumps({"module": "build_connection", "success": False, "content": refusal}))
            await ws.close(code=1008, message=refusal.encode()[:120])
            return ws
        conn = _Connection(ws=ws, transport=request.transport, token=token)
        self._connections.add(conn)
        sender = asyncio.create_task(self._send_loop(conn))
        # Only Zoom's own heartbeat message keeps the connection: a WebSocket ping, an unknown module
        # or any other frame does not (the stream's protocol asks for ``{"module":"heartbeat"}``).
        deadline = time.monotonic() + self.heartbeat_timeout_s
        try:
            while not ws.closed:
                try:
                    # The deadline covers the whole wait: a client's pings are answered inside receive()
                    # and must not stretch it.
                    async with asyncio.timeout(max(0.001, deadline - time.monotonic())):
                        msg = await ws.receive()
                except TimeoutError:
                    await ws.close(code=1000, message=b"no heartbeat received")
                    break
                if msg.type != WSMsgType.TEXT:
                    if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                        break
                    continue
                try:
                    module = json.loads(msg.data).get("module")
                except (ValueError, AttributeError):
                    module = None
                if module == "heartbeat":
                    deadline = time.monotonic() + self.heartbeat_timeout_s
                    await ws.send_str(json.dumps(HEARTBEAT_ANSWER))
                else:
                    await ws.send_str(json.dumps({"module": module or "unknown", "success": False, "content": "unknown module"}))
        finally:
            self._connections.discard(conn)
            sender.cancel()
        return ws

    def _event_refusal(self, subscription_id: str, token: str) -> str | None:
        """Why the event socket refuses this connection (Zoom's ``build_connection`` content), or None."""
        if not secrets.compare_digest(subscription_id.encode(), self.subscription_id.encode()):
            return BAD_SUBSCRIPTION
        record, problem = self.tokens.check(token)
        if problem is not None:
            return EXPIRED_EVENT_TOKEN if problem == EXPIRED_TOKEN else BAD_TOKEN
        if self.faults.event_token_refused():
            return BAD_TOKEN
        return None

    async def _send_loop(self, conn: _Connection) -> None:
        while True:
            frame = await conn.queue.get()
            if conn.ws.closed:
                return
            try:
                await conn.ws.send_str(frame)
            except (ConnectionError, RuntimeError):
                return

    # -- the middleware: latency, injected failures, auth, per-second limits, recording -------------
    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith("/_rehearsal/") or request.path == "/ws":
            return await handler(request)
        if self.faults.latency_ms:
            await asyncio.sleep(self.faults.latency_ms / 1000)
        if not request.path.startswith("/v2/"):
            return await handler(request)
        body = await _read_body(request)
        response = await self._api(request, handler)
        self.exchanges.append(
            Exchange(
                method=request.method,
                path=request.path,
                query=dict(request.query),
                request_body=body,
                status=response.status,
                response_body=response.get(ZOOM_BODY),
            )
        )
        return response

    async def _api(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        failure = self.faults.next_failure()
        if failure is not None:
            return _json(failure.status, failure.body, headers=failure.headers)
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return _error(401, *INVALID_TOKEN)
        record, problem = self.tokens.check(token.strip())
        if problem is not None:
            return _error(401, *problem)
        request[TOKEN] = record
        route = request.match_info.route
        canonical = (route.method, route.resource.canonical if route.resource else "")
        wanted = ROUTE_SCOPES.get(canonical, ())  # only the catch-all for unknown paths has none (and answers 404)
        if wanted and record is not None and not set(record.scope.split()) & set(wanted):
            granular = [scope for scope in wanted if _granular(scope)] or list(wanted)
            # The Dashboard's document answers such a token 403 Forbidden; Zoom's other operations, 400.
            status = 403 if canonical[1].startswith("/v2/metrics/") else 400
            return _error(status, MISSING_SCOPE, f"Invalid access token, does not contain scopes:[{', '.join(granular)}].")
        category = self._categories.get(canonical)
        if category is not None:
            limit = self.rate_limits.get(self.state.plan, self.rate_limits["pro"])[category]
            if not self._limiter.allow(category, limit):
                return _json(
                    429,
                    {"code": 429, "message": "You have reached the maximum per-second rate limit for this API. Try again later."},
                    headers={"X-RateLimit-Category": category.capitalize(), "X-RateLimit-Type": "QPS"},
                )
        try:
            return await handler(request)
        except RehearsalError as err:
            return _error(err.status, err.code, err.message, headers=err.headers)

    # -- REST: users and settings -----------------------------------------------------------------
    def _user_id(self, request: web.Request) -> str:
        """Resolve ``{userId}``: "me" means the signed-in user; an account token has no "me"."""
        token: _Token = request[TOKEN]  # type: ignore[assignment]
        asked = request.match_info["userId"]
        if asked == "me":
            if token.user_id is None:
                raise RehearsalError(404, 1001, "User does not exist: me.")
            return token.user_id
        user = self.state.resolve_user(asked)
        if token.user_id is not None and token.user_id != user.id:
            raise RehearsalError(400, 200, "No permission.")
        return user.id

    async def _get_user(self, request: web.Request) -> web.StreamResponse:
        return _json(200, self.state.user_payload(self._user_id(request)))

    async def _get_user_token(self, request: web.Request) -> web.StreamResponse:
        """``GET /users/{userId}/token``: a ZAK (``type=zak``); the rehearsal hands out no other kind."""
        kind = request.query.get("type", "token")
        if kind != "zak":
            return _error(400, 300, f"The rehearsal Zoom hands out only ZAKs (type=zak), not {kind[:20]!r}.")
        try:
            ttl = int(request.query["ttl"]) if "ttl" in request.query else None
        except ValueError:
            return _error(400, 300, "Invalid field: ttl.")
        return _json(200, {"token": self.state.issue_zak(self._user_id(request), ttl=ttl)})

    async def _get_settings(self, request: web.Request) -> web.StreamResponse:
        option = _settings_option(request)
        return _json(200, self.state.settings_payload(self._user_id(request), option=option))

    async def _patch_settings(self, request: web.Request) -> web.StreamResponse:
        option = _settings_option(request)
        body = await _json_object(request)
        user_id = self._user_id(request)
        # The body the option names, and only that one: the user's settings without an option.
        check_body(SETTINGS_PATCH, body, choice=option or "in_meeting")
        self.state.update_settings(user_id, body)
        return _no_content()

    async def _get_account_settings(self, request: web.Request) -> web.StreamResponse:
        option = request.query.get("option")
        return _json(200, self.state.account_settings_payload(request.match_info["accountId"], option=option))

    async def _get_lock_settings(self, request: web.Request) -> web.StreamResponse:
        option = request.query.get("option")
        return _json(200, self.state.lock_settings_payload(request.match_info["accountId"], option=option))

    async def _get_group_lock_settings(self, request: web.Request) -> web.StreamResponse:
        option = request.query.get("option")
        return _json(200, self.state.group_lock_settings_payload(request.match_info["groupId"], option=option))

    async def _list_users(self, request: web.Request) -> web.StreamResponse:
        """``GET /users``: an account token lists the account; a user's own token sees only that user."""
        token: _Token = request[TOKEN]  # type: ignore[assignment]
        status = request.query.get("status", "active")
        if status not in ("active", "inactive", "pending"):
            raise RehearsalError(400, 300, f"Invalid field: status={status[:20]}.")
        rows = self.state.users_payload(status=status)
        if token.user_id is not None:
            rows = [row for row in rows if row["id"] == token.user_id]
        page, next_token, size = _page(rows, request)
        return _json(
            200,
            {"page_size": size, "total_records": len(rows), "next_page_token": next_token, "page_count": _pages(rows, size), "page_number": 1, "users": page},
        )

    async def _list_meetings(self, request: web.Request) -> web.StreamResponse:
        kind = request.query.get("type", "scheduled")
        if kind not in ("scheduled", "live", "upcoming", "upcoming_meetings", "previous_meetings"):
            raise RehearsalError(400, 300, f"Invalid field: type={kind}.")
        rows = self.state.list_meetings(self._user_id(request), kind=kind)
        if kind == "live":
            rows = [row for row in rows if self.state.is_live(row["id"])]
        page, token, size = _page(rows, request)
        return _json(
            200,
            {"page_size": size, "total_records": len(rows), "next_page_token": token, "page_count": _pages(rows, size), "page_number": 1, "meetings": page},
        )

    # -- REST: meetings ---------------------------------------------------------------------------
    def _meeting_for(self, request: web.Request) -> int:
        """The meeting in the path (not an expired one), refused to a user token that is not its host."""
        meeting = self.state.scheduled_meeting(request.match_info["meetingId"])
        token: _Token = request[TOKEN]  # type: ignore[assignment]
        if token.user_id is not None and token.user_id != meeting.host_id:
            raise RehearsalError(400, 3000, "Cannot access meeting info.")
        return meeting.id

    async def _get_meeting(self, request: web.Request) -> web.StreamResponse:
        return _json(200, self.state.meeting_payload(self._meeting_for(request)))

    async def _patch_meeting(self, request: web.Request) -> web.StreamResponse:
        meeting_id = self._meeting_for(request)
        body = await _json_object(request)
        check_body(MEETING_PATCH, body)
        remaining = self.state.update_meeting(meeting_id, body)
        return _no_content(headers={"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": str(remaining), "X-RateLimit-Type": "Daily-limit"})

    async def _meeting_status(self, request: web.Request) -> web.StreamResponse:
        meeting_id = self._meeting_for(request)
        body = await _json_object(request)
        action = body.get("action")
        if action not in ("end", "recover"):
            raise RehearsalError(400, 300, "Invalid field: action.")
        if action == "end" and not self.state.end_meeting(meeting_id):
            # Zoom answers an error, never 204, for a meeting that is not running (its 400 codes: 3000, 3063, 3161).
            raise RehearsalError(400, 3000, f"Meeting {meeting_id} is not in progress, so it cannot be ended.")
        return _no_content()

    async def _batch_registrants(self, request: web.Request) -> web.StreamResponse:
        meeting_id = self._meeting_for(request)
        body = await _json_object(request)
        check_body(REGISTRANTS_BATCH, body)
        rows = body.get("registrants")
        if not isinstance(rows, list) or not rows:
            raise RehearsalError(400, 300, "Invalid field: registrants.")
        if len(rows) > 30:
            raise RehearsalError(400, 300, "Only 30 registrants can be added at once.")
        added = self.state.add_registrants(meeting_id, rows, auto_approve=body.get("auto_approve") is True)
        fields = ("email", "join_url", "registrant_id", "participant_pin_code")
        return _json(201, {"registrants": [{k: row[k] for k in fields} for row in added]})

    async def _add_registrant(self, request: web.Request) -> web.StreamResponse:
        meeting_id = self._meeting_for(request)
        body = await _json_object(request)
        check_body(REGISTRANT_ADD, body)
        person = {k: v for k, v in body.items() if k != "auto_approve"}
        (row,) = self.state.add_registrants(meeting_id, [person], batch=False, auto_approve=body.get("auto_approve") is True)
        meeting = self.state.meeting_payload(meeting_id)
        return _json(
            201,
            {
                "id": meeting_id,
                "join_url": row["join_url"],
                "registrant_id": row["registrant_id"],
                "start_time": meeting.get("start_time", zoom_text(self.state.now())),
                "topic": meeting["topic"],
                "occurrences": [],
                "participant_pin_code": row["participant_pin_code"],
            },
        )

    async def _list_registrants(self, request: web.Request) -> web.StreamResponse:
        meeting_id = self._meeting_for(request)
        status = request.query.get("status", "approved")
        if status not in ("pending", "approved", "denied"):
            raise RehearsalError(400, 300, f"Invalid field: status={status}.")
        rows = self.state.list_registrants(meeting_id, status=status)
        page, token, size = _page(rows, request)
        return _json(
            200,
            {"page_count": _pages(rows, size), "page_size": size, "total_records": len(rows), "next_page_token": token, "registrants": page},
        )

    # -- REST: rosters ----------------------------------------------------------------------------
    async def _dashboard_participants(self, request: web.Request) -> web.StreamResponse:
        token: _Token = request[TOKEN]  # type: ignore[assignment]
        if not self.state.has_dashboard():
            raise RehearsalError(400, *NO_DASHBOARD)
        if token.user_id is not None:
            raise RehearsalError(400, 200, "No permission.")
        kind = request.query.get("type", "live")
        if kind not in ("live", "past", "pastOne"):
            raise RehearsalError(400, 300, f"Invalid field: type ({kind[:20]!r} is not live, past or pastOne).")
        meeting_id = request.match_info["meetingId"]
        if kind == "live":
            rows = self.state.live_roster(meeting_id)
        else:
            rows = [
                {"id": r["id"], "user_id": r["user_id"], "user_name": r["name"], "join_time": r["join_time"], "leave_time": r["leave_time"], "status": r["status"]}
                for r in self.state.attendance(meeting_id)
            ]
        page, next_token, size = _page(rows, request)
        return _json(
            200,
            {"page_count": _pages(rows, size), "page_size": size, "total_records": len(rows), "next_page_token": next_token, "participants": page},
        )

    async def _past_participants(self, request: web.Request) -> web.StreamResponse:
        ref = _meeting_ref(request.match_info["meetingId"])
        token: _Token = request[TOKEN]  # type: ignore[assignment]
        instance = self.state.past_instance(ref)
        if token.user_id is not None and token.user_id != instance.meeting.host_id:
            raise RehearsalError(400, 3000, "Cannot access meeting info.")
        rows = self.state.attendance(ref)
        page, next_token, size = _page(rows, request)
        return _json(
            200,
            {"page_count": _pages(rows, size), "page_size": size, "total_records": len(rows), "next_page_token": next_token, "participants": page},
        )

    async def _report_participants(self, request: web.Request) -> web.StreamResponse:
        token: _Token = request[TOKEN]  # type: ignore[assignment]
        if token.user_id is not None:
            raise RehearsalError(400, 200, "No permission.")
        return await self._past_participants(request)

    async def _not_found(self, request: web.Request) -> web.StreamResponse:
        return _error(404, 404, f"The rehearsal Zoom does not offer {request.method} {request.path}.")

    # -- OAuth ------------------------------------------------------------------------------------
    def _client_from(self, request: web.Request, form: dict[str, str]) -> tuple[str | None, bool]:
        """(client id, secret verified). Basic auth when sent; a public PKCE client may send only its id."""
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("basic "):
            try:
                client_id, _, secret = base64.b64decode(header[6:].strip()).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None, False
            ok = secrets.compare_digest(client_id, self.credentials.client_id) and secrets.compare_digest(
                secret, self.credentials.client_secret
            )
            return (client_id if ok else None), ok
        client_id = form.get("client_id", "")
        if "client_secret" in form:
            ok = client_id == self.credentials.client_id and secrets.compare_digest(form["client_secret"], self.credentials.client_secret)
            return (client_id if ok else None), ok
        return (client_id if client_id == self.credentials.client_id else None), False

    async def _oauth_token(self, request: web.Request) -> web.StreamResponse:
        form = dict(request.query)
        if request.can_read_body:
            form.update({k: str(v) for k, v in (await request.post()).items()})
        grant = form.get("grant_type", "")
        client_id, verified = self._client_from(request, form)
        if grant == "account_credentials":
            if not verified:
                return _json(400, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"})
            if form.get("account_id") != self.credentials.account_id:
                return _json(400, {"reason": "Invalid account_id", "error": "invalid_request"})
            scope = " ".join(self.credentials.scopes)
            token, expires = self.tokens.issue(user_id=None, scope=scope)
            return _json(200, {"access_token": token, "token_type": "bearer", "expires_in": expires, "scope": scope, "api_url": self.oauth_base})
        if client_id is None:
            return _json(400, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"})
        if grant == "authorization_code":
            code = self.tokens.take_code(form.get("code", ""))
            if code is None or code.client_id != client_id:
                return _json(400, {"reason": "Invalid authorization code", "error": "invalid_grant"})
            if code.redirect_uri != form.get("redirect_uri", ""):
                return _json(400, {"reason": "Invalid redirect uri", "error": "invalid_request"})
            if not _pkce_ok(code, form.get("code_verifier")):
                return _json(400, {"reason": "Invalid code verifier", "error": "invalid_grant"})
            if not code.challenge and not verified:
                return _json(400, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"})
            return self._user_tokens(code.user_id)
        if grant == "refresh_token":
            user_id = self.tokens.rotate_refresh(form.get("refresh_token", ""))
            if user_id is None:
                return _json(400, {"reason": "Invalid Token!", "error": "invalid_request"})
            return self._user_tokens(user_id)
        return _json(400, {"reason": "Unsupported grant type", "error": "unsupported_grant_type"})

    def _user_tokens(self, user_id: str) -> web.StreamResponse:
        token, expires = self.tokens.issue(user_id=user_id, scope=USER_SCOPES)
        refresh = self.tokens.issue_refresh(user_id=user_id)
        return _json(
            200,
            {"access_token": token, "token_type": "bearer", "refresh_token": refresh, "expires_in": expires, "scope": USER_SCOPES, "api_url": self.oauth_base},
        )

    async def _oauth_authorize(self, request: web.Request) -> web.StreamResponse:
        """The consent page, already agreed: redirect back to the app's loopback listener with a code."""
        q = request.query
        redirect_uri = q.get("redirect_uri", "")
        parsed = urllib.parse.urlsplit(redirect_uri)
        if parsed.scheme != "http" or parsed.hostname not in ("127.0.0.1", "localhost", "::1"):
            return _json(400, {"reason": "The redirect URI must be a loopback address.", "error": "invalid_request"})
        if q.get("client_id") != self.credentials.client_id:
            return _json(400, {"reason": "Invalid client_id", "error": "invalid_client"})
        if q.get("response_type") != "code":
            return _json(400, {"reason": "Unsupported response type", "error": "unsupported_response_type"})
        method = q.get("code_challenge_method", "plain" if q.get("code_challenge") else "")
        if method not in ("", "plain", "S256"):
            return _json(400, {"reason": "Unsupported code challenge method", "error": "invalid_request"})
        params: dict[str, str] = {}
        if self.oauth_decision != "allow":
            params["error"] = "access_denied"
        else:
            params["code"] = self.tokens.add_code(
                _Grant(
                    client_id=self.credentials.client_id,
                    redirect_uri=redirect_uri,
                    challenge=q.get("code_challenge", ""),
                    method=method,
                    user_id=self.oauth_user_id,
                    expires_at=time.monotonic() + 300,
                )
            )
        if "state" in q:
            params["state"] = q["state"]
        separator = "&" if parsed.query else "?"
        raise web.HTTPFound(redirect_uri + separator + urllib.parse.urlencode(params))

    # -- admin routes for other processes (the GUI, the CLI, benchmarks) --------------------------------
    async def _admin_faults(self, request: web.Request) -> web.StreamResponse:
        if request.method == "GET":
            return web.json_response(self.faults.status())
        try:
            switches = await request.json()
            if not isinstance(switches, dict):
                raise ValueError("send a JSON object of fault switches")
            return web.json_response(self.faults.apply(switches))
        except (ValueError, TypeError, AttributeError) as err:
            return web.json_response({"message": str(err)}, status=400)

    async def _admin_scenario(self, request: web.Request) -> web.StreamResponse:
        from zoomhost.rehearsal.scenarios import SCENARIOS, play

        try:
            body = await request.json()
            name = body.get("name", "assembly")
            speed = float(body.get("speed", 1.0))
            if name not in SCENARIOS:
                raise ValueError(f"unknown scenario {name!r}; known: {sorted(SCENARIOS)}")
            if speed <= 0:
                raise ValueError("speed must be above zero")
        except (ValueError, TypeError, AttributeError) as err:
            return web.json_response({"message": str(err)}, status=400)
        for run in list(self.scenario_runs):
            run.stop()
        self.scenario_runs.clear()
        scenario = SCENARIOS[name]()
        run = play(self.state, scenario, speed=speed)
        self.scenario_runs.append(run)
        return web.json_response({"scenario": scenario.name, "meeting_id": run.meeting_id, "arrivals": len(scenario.arrivals), "speed": speed})

    async def _admin_scenario_stop(self, request: web.Request) -> web.StreamResponse:
        """Stop the scenario playing (a session that ended: nobody more arrives from its script)."""
        stopped = list(self.scenario_runs)
        self.scenario_runs.clear()
        for run in stopped:
            run.stop()
        return web.json_response({"stopped": len(stopped)})

    async def _admin_connect(self, request: web.Request) -> web.StreamResponse:
        """What a zoomhost process needs to use this rehearsal: its addresses and its (rehearsal-only) app credentials."""
        creds = self.credentials
        return web.json_response(
            {
                "api_base": self.api_base,
                "oauth_base": self.oauth_base,
                "ws_base": self.ws_base,
                "subscription_id": self.subscription_id,
                "account_id": creds.account_id,
                "client_id": creds.client_id,
                "client_secret": creds.client_secret,
                "assistant_bridge": self.assistant_bridge_url,
                "sdk_key": self.state.sdk_app[0],
                "sdk_secret": self.state.sdk_app[1],
                "meetings": self.state.scenario_meetings(),
                "host_email": self.state.users[self.state.host_id].email,
                "school_domain": self.state.school_domain,
                "assistant_email": self.state.users[self.state.assistant_user_id].email,
            }
        )

    async def _admin_assistant(self, request: web.Request) -> web.StreamResponse:
        """The teacher's one action for the host assistant, played by the rehearsal's host: admit it and make it co-host."""
        try:
            body = await request.json()
            meeting = int(body["meeting_id"])
            cohost = bool(body.get("cohost", True))
            present = self.state.host_admits_assistant(meeting, cohost=cohost)
        except (ValueError, TypeError, KeyError, AttributeError) as err:
            return web.json_response({"message": f"send {{\"meeting_id\": …}} ({err.__class__.__name__})"}, status=400)
        except RehearsalError as err:
            return web.json_response({"message": err.message}, status=err.status)
        return web.json_response({"meeting_id": meeting, "assistants": present, "cohost": cohost})

    async def _admin_state(self, request: web.Request) -> web.StreamResponse:
        with self.state.lock:
            live = {
                str(mid): {
                    "waiting": len(self.state.waiting_room(mid)),
                    "in_meeting": len(self.state.in_meeting(mid)),
                    "locked": m.locked,
                }
                for mid, m in self.state.live.items()
            }
        return web.json_response(
            {
                "live": live,
                "connections": len(self._connections),
                "event_attempts": len(self.event_attempts),
                "faults": self.faults.status(),
            }
        )


# -- small pieces ----------------------------------------------------------------------------------
#: What Zoom's documents leave out of ``required`` for an event's ``object``, and Zoom therefore may not
#: send: the rehearsal leaves it out, so a client relies only on what is required (``object.uuid``).
_OPTIONAL_OBJECT_FIELDS = {"meeting.participant_joined": ("id", "topic", "start_time")}


def _also_sent_by_zoom(event: dict[str, Any]) -> list[dict[str, Any]]:
    """Zoom's ``meeting.participant_left`` for someone who leaves (or is removed from) the waiting room: its
    ``leave_reason`` list has "Leave waiting room." and "Removed by host from waiting room." for them."""
    if event.get("event") != "meeting.participant_left_waiting_room":
        return []
    left = json.loads(json.dumps(event))
    left["event"] = "meeting.participant_left"
    person = left.get("payload", {}).get("object", {}).get("participant")
    if not isinstance(person, dict):
        return []
    person["leave_time"] = person.pop("date_time", "")
    removed = str(event.get(LEAVE_REASON_KEY, "")).startswith("Removed")
    person["leave_reason"] = "Removed by host from waiting room." if removed else "Leave waiting room."
    left.pop(LEAVE_REASON_KEY, None)
    event.pop(LEAVE_REASON_KEY, None)
    return [left]


def _as_zoom_may_send(event: dict[str, Any]) -> None:
    """Drop the optional fields Zoom may leave out: the meeting's ID where only its UUID is required, and a
    participant's account user ``id`` (and ``registrant_id``) when they have none."""
    obj = event.get("payload", {}).get("object", {})
    for key in _OPTIONAL_OBJECT_FIELDS.get(event.get("event", ""), ()):
        obj.pop(key, None)
    person = obj.get("participant")
    if isinstance(person, dict):
        for key in ("id", "registrant_id", "participant_uuid"):
            if person.get(key) in ("", None):
                person.pop(key, None)


def _json(status: int, body: Any, *, headers: dict[str, str] | None = None) -> web.Response:
    response = web.json_response(body, status=status, headers=headers, dumps=lambda o: json.dumps(o, ensure_ascii=False))
    response[ZOOM_BODY] = body
    return response


def _error(status: int, code: int, message: str, *, headers: dict[str, str] | None = None) -> web.Response:
    return _json(status, {"code": code, "message": message}, headers=headers)


def _no_content(*, headers: dict[str, str] | None = None) -> web.Response:
    response = web.Response(status=204, headers=headers)
    response[ZOOM_BODY] = None
    return response


async def _read_body(request: web.Request) -> Any:
    if not request.can_read_body:
        return None
    raw = await request.read()  # cached by aiohttp: the handler reads it again
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw.decode("utf-8", "replace")


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.read() or b"null")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise RehearsalError(400, 300, "Request Body should be a valid JSON object.")
    return body


def _page(rows: list[dict[str, Any]], request: web.Request) -> tuple[list[dict[str, Any]], str, int]:
    """Zoom's cursor paging: ``page_size`` (30 by default, 300 at most) and an opaque ``next_page_token``."""
    text = request.query.get("page_size", "30")
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 300:
        raise RehearsalError(400, 300, "Invalid field: page_size (1 to 300).")  # Zoom refuses, never clamps
    size = int(text)
    start = 0
    if request.query.get("next_page_token"):
        # "The expiration period for this token is 15 minutes."
        try:
            issued, _, offset = base64.urlsafe_b64decode(request.query["next_page_token"].encode()).decode().partition(":")
            start = int(offset)
            fresh = time.monotonic() - float(issued) < PAGE_TOKEN_LIFETIME_S
        except (ValueError, binascii.Error, UnicodeDecodeError):
            fresh = False
        if not fresh:
            raise RehearsalError(400, 300, "The next page token is invalid or expired.")
    end = start + size
    token = base64.urlsafe_b64encode(f"{time.monotonic():.3f}:{end}".encode()).decode() if end < len(rows) else ""
    return rows[start:end], token, size


def _meeting_ref(once: str) -> str:
    """A meeting ID or UUID from a path segment the server has decoded once. Zoom: "If the meeting UUID begins
    with a ``/`` or contains ``//``, you must double-encode it" – only such a UUID is decoded again; one encoded
    only once never reaches its meeting, and any other UUID is taken as it is."""
    if once.startswith("/") or "//" in once:
        raise RehearsalError(404, 3001, "Meeting does not exist: this UUID must be double-encoded.")
    if "%" in once:
        twice = urllib.parse.unquote(once)
        if twice.startswith("/") or "//" in twice:
            return twice
    return once


def _granular(scope: str) -> bool:
    """Zoom's granular scopes (``meeting:read:meeting:admin``) name the object; classic ones end at the action or ``:admin``."""
    parts = scope.split(":")
    return len(parts) >= 3 and parts[2] not in ("admin", "master")


def _pages(rows: list[Any], size: int) -> int:
    return max(1, -(-len(rows) // size))


def _pkce_ok(grant: _Grant, verifier: str | None) -> bool:
    if not grant.challenge:
        return True
    if not verifier:
        return False
    if grant.method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
        return secrets.compare_digest(expected, grant.challenge)
    return secrets.compare_digest(verifier, grant.challenge)
