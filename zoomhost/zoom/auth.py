"""Signing in to Zoom: Server-to-Server OAuth, user OAuth with PKCE, and the token every call carries.

A *token source* knows how to get a fresh access token (``ServerToServerSignIn``,
``UserSignIn``); :class:`ZoomAuth` is the ``httpx.Auth`` that caches it, renews it in the
background before it expires (so an urgent call such as "end for all" never waits for a
token fetch while a warm token exists), and renews once when Zoom answers 401 / code 124.
The OAuth exchanges themselves are authlib's.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import inspect
import json
import logging
import time
import warnings
import webbrowser
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import httpx
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError

with warnings.catch_warnings():
    # authlib announces it will prefer the "httpx2" distribution; the httpx it supports today is ours.
    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import AsyncOAuth2Client

from zoomhost.system.config import Settings
from zoomhost.system.redact import register_secret
from zoomhost.zoom.client import answer_size_cap
from zoomhost.zoom.credentials import CredentialStore, ServerToServerCredentials, UserOAuthCredentials
from zoomhost.zoom.errors import AuthError, ZoomError, error_from_exception, error_from_response
from zoomhost.zoom.scopes import REDIRECT_PATH
from zoomhost.zoom.tls import zoom_ssl_context

if TYPE_CHECKING:  # the sign-in listener's web server loads only when a teacher signs in
    from aiohttp import web

log = logging.getLogger(__name__)

CALLBACK_PATH = REDIRECT_PATH  # the setup guide gives this path as the app's redirect address


@dataclass(frozen=True)
class AccessToken:
    value: str = field(repr=False)  # never shown, even in a traceback
    expires_at: float = 0.0  # seconds since the epoch
    refresh_token: str | None = field(default=None, repr=False)
    scopes: frozenset[str] | None = None  # what Zoom says it granted ("scope"); None when it did not say


class TokenSource(Protocol):
    """Anything that can fetch a fresh access token."""

    async def fetch(self) -> AccessToken: ...


def _token_from(raw: dict[str, Any], *, clock: Callable[[], float] = time.time) -> AccessToken:
    value = raw.get("access_token")
    if not isinstance(value, str) or not value:
        raise AuthError("Zoom's sign-in answer held no access token.")
    register_secret(value)
    refresh = raw.get("refresh_token") if isinstance(raw.get("refresh_token"), str) else None
    register_secret(refresh)
    expires_at = raw.get("expires_at")
    if not isinstance(expires_at, (int, float)):
        expires_in = raw.get("expires_in")
        expires_at = clock() + (float(expires_in) if isinstance(expires_in, (int, float)) else 3600.0)
    scope = raw.get("scope")
    scopes = frozenset(scope.split()) if isinstance(scope, str) else None
    return AccessToken(value=value, expires_at=float(expires_at), refresh_token=refresh, scopes=scopes)


def _raise_for_token_error(response: httpx.Response) -> httpx.Response:
    """authlib compliance hook: a refused token request becomes a typed error, never a KeyError."""
    if response.status_code < 400:
        return response
    if response.status_code in (400, 401, 403):
        try:
            body = json.loads(response.content or b"{}")
        except ValueError:
            body = {}
        reason = body.get("reason") or body.get("error_description") or body.get("message") if isinstance(body, dict) else None
        error = body.get("error") if isinstance(body, dict) else None
        if error == "invalid_grant":
            raise AuthError(
                "Zoom's sign-in for this computer has expired or was withdrawn.",
                hint="Run `zoomhost sign-in` again.",
                message=reason,
                status=response.status_code,
            )
        raise AuthError(
            "Zoom did not accept the app's credentials.",
            hint="Check the account ID, client ID and client secret with `zoomhost credentials set`.",
            message=reason,
            status=response.status_code,
        )
    raise error_from_response(response, what="sign-in")


@contextlib.asynccontextmanager
async def _oauth_client(
    *, client_id: str, client_secret: str, transport: httpx.AsyncBaseTransport | None, timeout: float, **kwargs: Any
) -> AsyncGenerator[AsyncOAuth2Client, None]:
    client = AsyncOAuth2Client(
        client_id=client_id,
        client_secret=client_secret,
        token_endpoint_auth_method="client_secret_basic",
        transport=transport,
        timeout=timeout,
        verify=zoom_ssl_context(),  # the operating system's certificates too (a school's HTTPS filter)
        event_hooks={"response": [answer_size_cap()]},
        **kwargs,
    )
    client.register_compliance_hook("access_token_response", _raise_for_token_error)
    client.register_compliance_hook("refresh_token_response", _raise_for_token_error)
    try:
        yield client
    except OAuthError as exc:
        raise AuthError(
            "Zoom refused the sign-in.", hint="Check the app's credentials, or sign in again.", message=str(exc.error)
        ) from None
    except httpx.TransportError as exc:
        raise error_from_exception(exc, what="sign-in") from None
    finally:
        await client.aclose()


class ServerToServerSignIn:
    """A school-owned Server-to-Server OAuth app: account credentials grant, about 1 h, no refresh token."""

    def __init__(
        self,
        *,
        credentials: ServerToServerCredentials,
        oauth_base: str,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 20.0,
    ) -> None:
        self._credentials = credentials
        self._token_url = f"{oauth_base.rstrip('/')}/oauth/token"
        self._transport = transport
        self._timeout = timeout
        register_secret(credentials.client_secret)

    @property
    def account_id(self) -> str:
        """The Zoom account these credentials belong to: the school's own account."""
        return self._credentials.account_id

    async def fetch(self) -> AccessToken:
        c = self._credentials
        async with _oauth_client(
            client_id=c.client_id, client_secret=c.client_secret, transport=self._transport, timeout=self._timeout
        ) as oauth:
            raw = await oauth.fetch_token(self._token_url, grant_type="account_credentials", account_id=c.account_id)
        return _token_from(dict(raw))


class UserSignIn:
    """A teacher's own Zoom sign-in (user OAuth): refresh tokens rotate, and each new one is kept."""

    def __init__(
        self,
        *,
        credentials: UserOAuthCredentials,
        oauth_base: str,
        save_refresh_token: Callable[[str], None],
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 20.0,
    ) -> None:
        self._credentials = credentials
        self._refresh_token = credentials.refresh_token
        self._token_url = f"{oauth_base.rstrip('/')}/oauth/token"
        self._save = save_refresh_token
        self._transport = transport
        self._timeout = timeout
        register_secret(credentials.client_secret)
        register_secret(credentials.refresh_token)

    async def fetch(self) -> AccessToken:
        if not self._refresh_token:
            raise AuthError("zoomhost is not signed in to Zoom on this computer.", hint="Run `zoomhost sign-in`.")
        c = self._credentials
        async with _oauth_client(
            client_id=c.client_id, client_secret=c.client_secret, transport=self._transport, timeout=self._timeout
        ) as oauth:
            raw = await oauth.refresh_token(self._token_url, refresh_token=self._refresh_token)
        token = _token_from(dict(raw))
        if token.refresh_token and token.refresh_token != self._refresh_token:
            # Zoom invalidates the old refresh token once the new one is used: keep the new one now.
            self._refresh_token = token.refresh_token
            self._save(token.refresh_token)
        return token


class _LoopbackRedirect:
    """A listener on 127.0.0.1 (a free port) that receives Zoom's redirect after sign-in.

    It answers only the request carrying this sign-in's ``state``: anything else that reaches
    the port (another page, another program, a forged answer) gets 400 and changes nothing,
    and the listener keeps waiting for Zoom's real redirect.
    """

    def __init__(self) -> None:
        self.received: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._runner: web.AppRunner | None = None
        self.redirect_uri = ""
        self.expected_state = ""  # set once the authorisation address is made; until then nothing is answered
        self.ignored = 0

    async def __aenter__(self) -> _LoopbackRedirect:
        from aiohttp import web

        app = web.Application()
        app.router.add_get(CALLBACK_PATH, self._callback)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.redirect_uri = f"http://127.0.0.1:{port}{CALLBACK_PATH}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _ours(self, request: web.Request) -> bool:
        offered = request.query.get("state", "")
        return bool(self.expected_state) and hmac.compare_digest(offered.encode(), self.expected_state.encode())

    async def _callback(self, request: web.Request) -> web.Response:
        from aiohttp import web

        if self.received.done() or not self._ours(request):
            self.ignored += 1
            log.warning("ignored a request to the sign-in listener that was not Zoom's answer to this sign-in")
            return web.Response(
                status=400, text="This is not the answer zoomhost is waiting for. Nothing was changed.", content_type="text/plain"
            )
        self.received.set_result(str(request.url))
        refused = "error" in request.query
        text = (
            "Zoom sign-in was not completed. You can close this tab and try again in zoomhost."
            if refused
            else "zoomhost is signed in to Zoom. You can close this tab."
        )
        return web.Response(text=text, content_type="text/plain")


async def sign_in_with_browser(
    *,
    client_id: str,
    client_secret: str,
    oauth_base: str,
    open_browser: Callable[[str], object] = webbrowser.open,
    timeout: float = 300.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AccessToken:
    """User OAuth with PKCE: open Zoom's sign-in page, wait for the loopback redirect, exchange the code.

    ``open_browser`` receives the authorisation address (tests pass a function that follows it
    with an HTTP client); if it returns an awaitable, that is awaited alongside the listener.
    """
    register_secret(client_secret)
    verifier = generate_token(64)
    base = oauth_base.rstrip("/")
    async with _LoopbackRedirect() as listener, _oauth_client(
        client_id=client_id,
        client_secret=client_secret,
        transport=transport,
        timeout=20.0,
        redirect_uri=listener.redirect_uri,
        code_challenge_method="S256",
    ) as oauth:
        url, state = oauth.create_authorization_url(f"{base}/oauth/authorize", code_verifier=verifier)
        listener.expected_state = state
        opened = open_browser(url)
        browsing = asyncio.ensure_future(opened) if inspect.isawaitable(opened) else None
        try:
            callback_url = await asyncio.wait_for(asyncio.shield(listener.received), timeout)
        except TimeoutError:
            raise AuthError(
                "Zoom sign-in did not finish in time.", hint="Run `zoomhost sign-in` again and finish in the browser."
            ) from None
        finally:
            if browsing is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(browsing, 5)
        query = httpx.URL(callback_url).params
        if "error" in query or "code" not in query:
            raise AuthError("Zoom sign-in was cancelled or refused.", hint="Run `zoomhost sign-in` again.", message=query.get("error"))
        if query.get("state") != state:
            raise AuthError("The sign-in answer did not match this request, so it was ignored.", hint="Run `zoomhost sign-in` again.")
        raw = await oauth.fetch_token(
            f"{base}/oauth/token", grant_type="authorization_code", code=query["code"], code_verifier=verifier
        )
    return _token_from(dict(raw))


class ZoomAuth(httpx.Auth):
    """Bearer token on every request: cached, renewed ahead of expiry in the background, renewed once on 401.

    Use one instance per event loop (it holds an asyncio lock and timer).
    """

    requires_response_body = True

    def __init__(
        self,
        source: TokenSource,
        *,
        renew_before: float = 300.0,
        min_validity: float = 15.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._source = source
        self._renew_before = renew_before
        self._min_validity = min_validity
        self._clock = clock
        self._token: AccessToken | None = None
        self._lock: asyncio.Lock | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._background: asyncio.Task[Any] | None = None
        self.fetch_count = 0  # how many tokens this provider has fetched (for diagnostics)

    @property
    def account_id(self) -> str | None:
        """The Zoom account a school-owned app's credentials belong to; None for a teacher's own sign-in."""
        value = getattr(self._source, "account_id", None)
        return value if isinstance(value, str) and value else None

    # -- the token --------------------------------------------------------------------------
    @property
    def has_warm_token(self) -> bool:
        return self._token is not None and self._clock() < self._token.expires_at - self._min_validity

    @property
    def granted_scopes(self) -> frozenset[str] | None:
        """The scopes Zoom granted the current token (None before a token, or when Zoom did not say)."""
        return self._token.scopes if self._token is not None else None

    async def warm(self) -> None:
        """Fetch a token now (before the meeting) so urgent calls later never wait for one."""
        await self.token()

    async def token(self) -> str:
        if self.has_warm_token:
            assert self._token is not None
            if self._clock() >= self._token.expires_at - self._renew_before:
                self._renew_in_background()
            return self._token.value
        return (await self._renew(stale=self._token.value if self._token else None)).value

    async def renewed(self, *, stale: str) -> str:
        """A token other than ``stale`` (which Zoom refused), fetching one unless someone already has."""
        return (await self._renew(stale=stale)).value

    async def _renew(self, *, stale: str | None) -> AccessToken:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            current = self._token
            if current is not None and current.value != stale and self.has_warm_token:
                return current  # someone else renewed while we waited
            token = await self._source.fetch()
            self.fetch_count += 1
            register_secret(token.value)
            self._token = token
            self._schedule(token)
            return token

    def _schedule(self, token: AccessToken) -> None:
        if self._timer is not None:
            self._timer.cancel()
        delay = max(1.0, token.expires_at - self._renew_before - self._clock())
        self._timer = asyncio.get_running_loop().call_later(delay, self._renew_in_background)

    def _renew_in_background(self) -> None:
        if self._background is not None and not self._background.done():
            return
        stale = self._token.value if self._token else None
        self._background = asyncio.get_running_loop().create_task(self._renew_quietly(stale))

    async def _renew_quietly(self, stale: str | None) -> None:
        try:
            await self._renew(stale=stale)
        except ZoomError as err:  # the current token still works; the next call will try again
            log.warning("background token renewal failed: %s", err)

    def forget(self) -> None:
        """Drop the cached token (after sign-out or a change of credentials)."""
        self._token = None

    async def aclose(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self._background is not None and not self._background.done():
            self._background.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._background

    # -- httpx.Auth -------------------------------------------------------------------------
    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("ZoomAuth works with httpx.AsyncClient only")
        yield request  # pragma: no cover - makes this a generator

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self.token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code in (400, 401, 403):
            await response.aread()  # (httpx's own flow would read it; this one is overridden)
        if _token_rejected(response):
            fresh = await self._renew(stale=token)
            request.headers["Authorization"] = f"Bearer {fresh.value}"
            yield request


def _token_rejected(response: httpx.Response) -> bool:
    if response.status_code == 401:
        return True
    if response.status_code in (400, 403):
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            body = json.loads(response.content or b"{}")
            return isinstance(body, dict) and body.get("code") == 124
    return False


def auth_from_store(
    *, settings: Settings, store: CredentialStore, transport: httpx.AsyncBaseTransport | None = None
) -> ZoomAuth:
    """The token provider the settings ask for, from the credentials kept on this computer."""
    if settings.auth_mode == "user_oauth":
        user = store.user_oauth()
        if user is None:
            raise AuthError(
                "zoomhost has no Zoom app client ID and secret to sign in with.",
                hint="Run `zoomhost credentials set client_id client_secret`, then `zoomhost sign-in`.",
            )
        if not user.refresh_token:
            raise AuthError("zoomhost is not signed in to Zoom on this computer.", hint="Run `zoomhost sign-in`.")
        return ZoomAuth(
            UserSignIn(
                credentials=user,
                oauth_base=settings.oauth_base,
                save_refresh_token=lambda token: store.set("user_refresh_token", token),
                transport=transport,
            )
        )
    school = store.server_to_server()
    if school is None:
        raise AuthError(
            "zoomhost has no Zoom credentials yet.",
            hint="Run `zoomhost credentials set` with the account ID, client ID and client secret "
            "of the school's Server-to-Server Zoom app.",
        )
    return ZoomAuth(ServerToServerSignIn(credentials=school, oauth_base=settings.oauth_base, transport=transport))
