"""The composition root: every service the application uses, built once and handed to the windows and commands.

No global application object: ``build_services()`` makes a :class:`Services` and the UI passes
it (or the parts a page needs) down through constructors; a command holds one for its run
(``command_services()``) and hands it to the same use cases. Building it is cheap on purpose:
the keyring, the Zoom client and, when no credentials are set, the rehearsal Zoom (a process of
its own on loopback, as Zoom is another computer) are brought up on the I/O thread the first time something needs them (``connect()``), so the
window paints at once. Rehearsal and production use the same client, HTTP and WebSocket code;
only the addresses and the app credentials differ. A command never falls back to a rehearsal:
it talks to the Zoom its credentials name, or says which credential is missing.

This is also where ``core`` is given what it may not find for itself: the sessions folder
(:func:`session_journals`), the register's file (:func:`register_store`), the retention log's
(:func:`retention_log`), zoomhost's own folders that no export may land in (:func:`own_folders`),
the summary page's template (:func:`summary_template`) and the incident report's
(:func:`incident_report_template`). Callers with no ``Services`` at hand
(a command, a page's worker function) take them from these functions, never from ``system``.
"""

from __future__ import annotations

import concurrent.futures
import functools
import logging
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from zoomhost.core.errors import ZoomhostError
from zoomhost.core.journal import SessionJournals
from zoomhost.core.register_store import RegisterStore
from zoomhost.system import config, paths, redact, resources
from zoomhost.system.config import Settings
from zoomhost.system.runtime import AsyncRunner

if TYPE_CHECKING:  # imported on the I/O thread when first needed: they are slow to load
    from zoomhost.core.retention import RetentionLog
    from zoomhost.app.rehearsal_zoom import EmbeddedRehearsalZoom, RehearsalZoomProcess
    from zoomhost.assistant.process import Standby
    from zoomhost.rehearsal.server import RehearsalServer

    RehearsalZoom = RehearsalZoomProcess | EmbeddedRehearsalZoom  # what the app asks of a rehearsal Zoom
    from zoomhost.zoom.auth import TokenSource, ZoomAuth
    from zoomhost.zoom.client import UpdateBudget, ZoomClient
    from zoomhost.zoom.credentials import CredentialStore

log = logging.getLogger(__name__)

Mode = Literal["rehearsal", "live"]


@dataclass(frozen=True, kw_only=True)
class Connection:
    """Which Zoom the app is talking to, and the client that talks to it."""

    mode: Mode
    settings: Settings  # the addresses in use: in rehearsal, the rehearsal Zoom's
    zoom: ZoomClient
    auth: ZoomAuth
    rehearsal: RehearsalZoom | None  # the rehearsal Zoom in use (its own process, or one lent in this process)
    reason: str  # one sentence saying why this mode, for the status bar
    owns_rehearsal: bool = True  # stopped with the connection (not when a caller lent it)

    @property
    def is_rehearsal(self) -> bool:
        return self.mode == "rehearsal"

    def account_wide(self) -> ZoomClient:
        """The same Zoom client with the school app's whole reach: every host in the account. Only the account
        audit asks for it; every other task's client (``zoom``) reaches one host (see zoom.reach)."""
        from zoomhost.zoom.reach import ACCOUNT_WIDE

        return self.zoom.with_reach(ACCOUNT_WIDE)

    def host_user(self) -> str:
        """Whose meetings and settings to read: "me" for a teacher's own sign-in, else the host's email."""
        if self.settings.auth_mode == "user_oauth" and not self.is_rehearsal:
            return "me"
        if self.settings.host_email:
            return self.settings.host_email
        raise ZoomhostError(
            "zoomhost does not know whose meetings to list: a school's Server-to-Server app has no single user.",
            hint="Enter the host's Zoom email address in Settings and save (or name it: `zoomhost meetings --user EMAIL`).",
        )


@dataclass(eq=False)
class Services:
    """Everything a window needs. Read ``credentials``/``connection`` and friends off the GUI thread only."""

    settings: Settings  # as configured (settings.json and the environment)
    register: RegisterStore
    journals: SessionJournals  # the sessions kept on this computer
    runner: AsyncRunner
    force_rehearsal: bool = False
    rehearsal_server: RehearsalServer | RehearsalZoomProcess | None = None  # use this rehearsal Zoom instead of starting one
    for_command: bool = False  # a command-line run: the credentials' Zoom or an error, never a rehearsal
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _credentials: CredentialStore | None = field(default=None, repr=False)
    _connection: concurrent.futures.Future[Connection] | None = field(default=None, repr=False)
    _scratch: Path | None = field(default=None, repr=False)
    _standby: Standby | None = field(default=None, repr=False)
    _closed: bool = field(default=False, repr=False)

    @property
    def closed(self) -> bool:
        return self._closed

    # -- secrets -------------------------------------------------------------------------------
    @property
    def credentials(self) -> CredentialStore:
        """The keyring-backed credential store (the first use asks the keyring: do it off the GUI thread)."""
        with self._lock:
            if self._credentials is None:
                from zoomhost.zoom.credentials import CredentialStore

                self._credentials = CredentialStore()
            return self._credentials

    @property
    def standby(self) -> Standby:
        """Host assistant processes started before a session needs one (``app.session.ready_host_assistant``);
        used on the I/O loop only, and stopped when these services close."""
        with self._lock:
            if self._standby is None:
                from zoomhost.assistant.process import Standby

                self._standby = Standby()
            return self._standby

    # -- Zoom ------------------------------------------------------------------------------------
    def connect(self) -> concurrent.futures.Future[Connection]:
        """Bring up the Zoom client (and the rehearsal Zoom when needed) in the background; idempotent."""
        with self._lock:
            if self._closed:
                raise RuntimeError("these services are closed")
            if self._connection is None:
                self._connection = self.runner.call(self._open)
            return self._connection

    async def connected(self) -> Connection:
        """Await the connection from a coroutine on the I/O loop (starting it if nobody has)."""
        import asyncio  # loaded with the I/O thread, never before the window's first paint

        return await asyncio.wrap_future(self.connect())

    def reconnect(self) -> concurrent.futures.Future[Connection]:
        """After the credentials or settings change: close the old client, then build the new one."""
        with self._lock:
            if self._closed:
                raise RuntimeError("these services are closed")
            old = self._connection
            self._connection = self.runner.submit(self._replace(old))
            return self._connection

    async def _replace(self, old: concurrent.futures.Future[Connection] | None) -> Connection:
        import asyncio

        if old is not None:
            await _close_when_done(old)
        return await asyncio.get_running_loop().run_in_executor(None, self._open)

    @property
    def connection(self) -> Connection:
        """Blocks until connected: for the CLI, tests and the I/O thread, never the GUI thread."""
        return self.connect().result()

    @property
    def zoom(self) -> ZoomClient:
        return self.connection.zoom

    @property
    def rehearsal(self) -> RehearsalZoom | None:
        return self.connection.rehearsal

    @property
    def mode(self) -> Mode:
        return self.connection.mode

    # -- settings --------------------------------------------------------------------------------
    def save_settings(self, settings: Settings, *, school: config.SchoolLayer | None = None) -> None:
        """Write settings.json (never a secret) and use the new settings from now on; disk work, off the GUI thread.

        ``school``: the school's settings as already read for this save (read afresh when left out)."""
        config.save_settings(settings, school=school)
        self.settings = settings.with_env()

    # -- life cycle ------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the Zoom client, stop the rehearsal Zoom and the I/O thread, remove scratch files."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            pending, self._connection = self._connection, None
            standby, self._standby = self._standby, None
        try:
            if standby is not None:
                self.runner.submit(standby.close()).result(30)
            if pending is not None:
                self.runner.submit(_close_when_done(pending)).result(30)
        except Exception:  # noqa: BLE001 - shutting down: log and carry on stopping the rest
            log.exception("closing the Zoom connection failed")
        finally:
            self.runner.stop()
            if self._scratch is not None:
                shutil.rmtree(self._scratch, ignore_errors=True)

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- on the I/O thread's executor ------------------------------------------------------------
    def _open(self) -> Connection:
        settings = self.settings
        if self.for_command:
            return self._open_for_command(settings)
        source, reason = (None, "Rehearsal was asked for, so zoomhost uses a simulated Zoom.")
        if not self.force_rehearsal and self.rehearsal_server is None:
            source, reason = self._live_sign_in(settings)
        rehearsal = None
        budget = None
        if source is None:
            rehearsal, settings, source, budget = self._start_rehearsal(settings)
        connection = connect_with(
            source,
            settings=settings,
            mode="rehearsal" if rehearsal is not None else "live",
            reason=reason,
            budget=budget,
            rehearsal=rehearsal,
            owns_rehearsal=self.rehearsal_server is None,
        )
        self.runner.submit(_warm(connection.auth))  # sign in now, so the first click does not wait for a token
        log.info("zoomhost connected in %s mode", connection.mode)
        return connection

    def _open_for_command(self, settings: Settings) -> Connection:
        """The Zoom the credentials name; a missing credential raises, saying which and how to set it."""
        from zoomhost.zoom.auth import auth_from_store

        auth = auth_from_store(settings=settings, store=self.credentials)
        return connect_with(auth, settings=settings, mode="live", reason="Connected to the Zoom the credentials on this computer name.")

    def _live_sign_in(self, settings: Settings) -> tuple[TokenSource | None, str]:
        from zoomhost.zoom.auth import ServerToServerSignIn, UserSignIn

        store = self.credentials
        if settings.auth_mode == "user_oauth":
            user = store.user_oauth()
            if user is None:
                return None, "No Zoom app credentials are set, so zoomhost opened a rehearsal (a simulated Zoom)."
            if not user.refresh_token:
                return None, "zoomhost is not signed in to Zoom yet, so it opened a rehearsal (a simulated Zoom)."
            source = UserSignIn(
                credentials=user,
                oauth_base=settings.oauth_base,
                save_refresh_token=lambda token: store.set("user_refresh_token", token),
            )
            return source, "Signed in to Zoom as the teacher (your own Zoom sign-in)."
        s2s = store.server_to_server()
        if s2s is None:
            return None, "No Zoom credentials are set, so zoomhost opened a rehearsal (a simulated Zoom)."
        return (
            ServerToServerSignIn(credentials=s2s, oauth_base=settings.oauth_base),
            "Connected to Zoom with the school's Server-to-Server app.",
        )

    def _start_rehearsal(self, settings: Settings) -> tuple[RehearsalZoom, Settings, TokenSource, object]:
        from zoomhost.app.rehearsal_zoom import EmbeddedRehearsalZoom, RehearsalZoomProcess
        from zoomhost.zoom.client import UpdateBudget

        lent = self.rehearsal_server
        if lent is None:  # the teacher's rehearsal: a simulated Zoom in a process of its own, as Zoom is elsewhere
            server: RehearsalZoom = RehearsalZoomProcess().start()
        elif isinstance(lent, RehearsalZoomProcess):
            server = lent.start()
        else:  # a rehearsal Zoom a test or script runs in this process
            server = EmbeddedRehearsalZoom(lent).start()
        redact.register_secret(server.credentials.client_secret)
        rehearsal_settings = replace(
            settings,
            api_base=server.api_base,
            oauth_base=server.oauth_base,
            ws_base=server.ws_base,
            subscription_id=server.subscription_id,
            auth_mode="server_to_server",
            host_email=server.host_email,
            school_email_domain=settings.school_email_domain or server.school_domain,
            # A school that set a Zoom user aside for the assistant rehearses with the rehearsal's own such user.
            assistant_user=server.assistant_email if settings.assistant_user else "",
        )
        creds = server.credentials
        source = rehearsal_sign_in(
            rehearsal_settings, account_id=creds.account_id, client_id=creds.client_id, client_secret=creds.client_secret
        )
        # The rehearsal's meeting updates are its own: never spend the real host's daily count.
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="rehearsal-", dir=paths.cache_dir()))
        budget = UpdateBudget(path=self._scratch / "meeting-updates.json")
        return server, rehearsal_settings, source, budget


def connect_with(
    sign_in: TokenSource | ZoomAuth,
    *,
    settings: Settings,
    mode: Mode,
    reason: str,
    budget: UpdateBudget | None = None,
    rehearsal: RehearsalZoom | None = None,
    owns_rehearsal: bool = True,
) -> Connection:
    """The Zoom client for ``settings``' addresses and this sign-in: the one place one is built.

    The window, every command and the headless rehearsal get their Zoom client here, so all of
    them talk to Zoom (or the rehearsal Zoom) through the same client, limits and sign-in. With the
    school's app the client reaches one host (the one set up, or the host of the meeting being
    checked); only the audit asks for more (:meth:`Connection.account_wide`).
    """
    from zoomhost.zoom.auth import ZoomAuth
    from zoomhost.zoom.client import ZoomClient
    from zoomhost.zoom.reach import reach_for

    auth = sign_in if isinstance(sign_in, ZoomAuth) else ZoomAuth(sign_in)
    return Connection(
        mode=mode,
        settings=settings,
        zoom=ZoomClient(settings=settings, auth=auth, budget=budget, reach=reach_for(settings, rehearsal=mode == "rehearsal")),
        auth=auth,
        rehearsal=rehearsal,
        reason=reason,
        owns_rehearsal=owns_rehearsal,
    )


def rehearsal_sign_in(settings: Settings, *, account_id: str, client_id: str, client_secret: str) -> TokenSource:
    """Sign in to a rehearsal Zoom with the throwaway Server-to-Server credentials it made for itself."""
    from zoomhost.zoom.auth import ServerToServerSignIn
    from zoomhost.zoom.credentials import ServerToServerCredentials

    return ServerToServerSignIn(
        credentials=ServerToServerCredentials(account_id=account_id, client_id=client_id, client_secret=client_secret),
        oauth_base=settings.oauth_base,
    )


async def _warm(auth: ZoomAuth) -> None:
    try:
        await auth.warm()
    except ZoomhostError as err:  # Test connection in Settings says exactly what is wrong
        log.warning("signing in to Zoom in the background failed: %s", err)


async def _close_when_done(pending: concurrent.futures.Future[Connection]) -> None:
    import asyncio

    try:
        connection = await asyncio.wrap_future(pending)
    except Exception:  # noqa: BLE001 - it never connected: nothing to close
        return
    await connection.zoom.aclose()
    if connection.rehearsal is not None and connection.owns_rehearsal:
        await asyncio.get_running_loop().run_in_executor(None, connection.rehearsal.stop)


def write_practice_lists(*, folder: Path) -> tuple[Path, Path]:
    """The rehearsal assembly's register and staff list as a school's MIS would export them (for the practice)."""
    from zoomhost.rehearsal.scenarios import assembly

    scenario = assembly()
    return (
        scenario.write_register_csv(folder / "practice-register.csv"),
        scenario.write_staff_csv(folder / "practice-staff.csv"),
    )


def session_journals() -> SessionJournals:
    """The session journals kept on this computer (the one place their folder is chosen)."""
    return SessionJournals(paths.sessions_dir())


def register_store() -> RegisterStore:
    """The consent register and staff list kept on this computer (the one place their file is chosen), with
    this installation's surname key from the keyring (asked only when an import or a session needs it)."""
    return RegisterStore(db_path=paths.register_db(), surname_key=_surname_key)


def _surname_key() -> bytes:
    from zoomhost.zoom.credentials import register_key

    return register_key().secret


def retention_log() -> RetentionLog:
    """What retention removed, kept beside the journals but in no journal (the one place its file is chosen)."""
    from zoomhost.core.retention import RetentionLog  # retention runs after the first paint

    return RetentionLog(paths.data_dir() / "retention-log.jsonl")


def own_folders() -> dict[str, Path]:
    """zoomhost's own folders (name -> folder): no export or invitation file may be written inside one."""
    return paths.all_dirs()


@functools.cache
def summary_template() -> str:
    """The summary page's template, as installed (the screen and the PDF both render it)."""
    return resources.resource("templates", "summary.html").read_text(encoding="utf-8")


@functools.cache
def incident_report_template() -> str:
    """The incident report's template, as installed (the PDF for the school's safeguarding system)."""
    return resources.resource("templates", "incidents.html").read_text(encoding="utf-8")


def build_services(
    *,
    force_rehearsal: bool = False,
    rehearsal_server: RehearsalServer | RehearsalZoomProcess | None = None,
    for_command: bool = False,
) -> Services:
    """Everything the app needs, cheaply: nothing here touches the network or the keyring.

    ``rehearsal_server`` (tests, scripts) puts the app in rehearsal mode on a rehearsal Zoom the
    caller started and will stop. ``for_command``: for a command-line run (see ``command_services``).
    """
    try:
        settings = config.load_settings()
    except config.UnsafeAddress as err:
        raise ZoomhostError(
            str(err), hint="Use an https:// (wss:// for the WebSocket) address; http:// and ws:// only to this computer."
        ) from None
    return Services(
        settings=settings,
        register=register_store(),
        journals=session_journals(),
        runner=AsyncRunner(name="zoomhost-command" if for_command else "zoomhost-io"),
        force_rehearsal=force_rehearsal,
        rehearsal_server=rehearsal_server,
        for_command=for_command,
    )


@contextmanager
def command_services() -> Iterator[Services]:
    """The services for one command, closed when it ends: the same register, keyring and Zoom client
    as the window, but with no rehearsal to fall back on (a command with no credentials says so)."""
    services = build_services(for_command=True)
    try:
        yield services
    finally:
        services.close()
