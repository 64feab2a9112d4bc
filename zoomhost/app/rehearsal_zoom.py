"""The rehearsal Zoom as a program of its own: ``zoomhost rehearsal serve``.

A simulated Zoom on loopback (REST, sign-in, the event WebSocket, and the bridge a rehearsal
host assistant plays through), for the app, scripts or another machine's tests, optionally
playing a scenario's arrivals. Nothing in it reaches a real Zoom account. While the block of
:func:`serve_rehearsal_zoom` runs, the server answers; leaving it stops everything.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zoomhost.core.errors import ZoomhostError
from zoomhost.system import redact
from zoomhost.system.runtime import AsyncRunner

if TYPE_CHECKING:
    from zoomhost.rehearsal.server import RehearsalCredentials, RehearsalServer


@dataclass(frozen=True)
class ServedRehearsalZoom:
    """What a client needs to talk to the rehearsal Zoom (its credentials are the rehearsal's own, not a school's)."""

    api_base: str
    oauth_base: str
    ws_base: str
    subscription_id: str
    assistant_bridge_url: str
    account_id: str
    client_id: str
    client_secret: str = field(repr=False)
    host_email: str = ""
    sdk_key: str = ""  # the rehearsal's own Meeting SDK app: it checks the assistant's JWT against these
    sdk_secret: str = field(default="", repr=False)
    scenario_title: str | None = None  # the scenario playing, if one was asked for
    arrivals: int = 0
    speed: float = 1.0
    plan: str = "pro"


@contextmanager
def serve_rehearsal_zoom(
    *, port: int = 0, scenario: str | None = None, speed: float = 1.0, plan: str = "pro"
) -> Iterator[ServedRehearsalZoom]:
    """Run the rehearsal Zoom on 127.0.0.1:``port`` (0: any free port) until the block ends.

    ``scenario`` ("assembly", "class" or "staff"): play its arrivals at ``speed`` (1 is real time).
    ``plan``: the account's Zoom plan, "pro" (no Dashboard), "business" or "education".
    """
    from zoomhost.rehearsal.binding import RehearsalBridge
    from zoomhost.rehearsal.faults import PLANS
    from zoomhost.rehearsal.scenarios import SCENARIOS, play

    if speed <= 0:
        raise ZoomhostError("The speed must be above zero.", hint="Use 1 for real time, or 10 for ten times faster.")
    if not 0 <= port <= 65535:
        raise ZoomhostError(f"{port} is not a port number.", hint="Choose a port between 1024 and 65535, or leave it out.")
    if plan not in PLANS:
        raise ZoomhostError(f"The rehearsal Zoom has no plan called '{plan}'.", hint=f"Choose one of: {', '.join(PLANS)}.")

    server = new_rehearsal_server(port=port, plan=plan)
    redact.register_secret(server.credentials.client_secret)
    redact.register_secret(server.state.sdk_app[1])
    try:
        server.start()
    except OSError as err:
        raise ZoomhostError(
            f"The rehearsal Zoom could not listen on port {port} ({err.strerror}).",
            hint="Choose another port with --port, or leave it out to use any free port.",
        ) from None
    runner = AsyncRunner(name="rehearsal-bridge")
    bridge = RehearsalBridge(state=server.state)  # where a rehearsal host assistant plays in this meeting
    try:
        server.assistant_bridge_url = runner.run(bridge.start(), timeout=10)
        title, arrivals = None, 0
        if scenario:
            chosen = SCENARIOS[scenario]()
            server.scenario_runs.append(play(server.state, chosen, speed=speed))
            title, arrivals = chosen.title, len(chosen.arrivals)
        creds = server.credentials
        yield ServedRehearsalZoom(
            api_base=server.api_base,
            oauth_base=server.oauth_base,
            ws_base=server.ws_base,
            subscription_id=server.subscription_id,
            assistant_bridge_url=server.assistant_bridge_url,
            account_id=creds.account_id,
            client_id=creds.client_id,
            client_secret=creds.client_secret,
            host_email=server.state.users[server.state.host_id].email,
            sdk_key=server.state.sdk_app[0],
            sdk_secret=server.state.sdk_app[1],
            scenario_title=title,
            arrivals=arrivals,
            speed=speed,
            plan=plan,
        )
    finally:
        server.stop()
        runner.run(bridge.close(), timeout=10)
        runner.stop()


# -- the rehearsal Zoom the app uses -------------------------------------------------------------------


@dataclass(frozen=True)
class RehearsalAppCredentials:
    """The rehearsal's own Server-to-Server app (made up by the rehearsal Zoom; never a school's)."""

    account_id: str
    client_id: str
    client_secret: str = field(repr=False)


class RehearsalZoomProcess:
    """The rehearsal Zoom as its own process on loopback, as a real Zoom is another computer.

    ``start()`` runs ``zoomhost rehearsal serve`` (or ``command``), reads where it listens, and
    asks it over loopback for its addresses and its own (rehearsal-only) credentials. The app
    then talks to it only over the network: the REST API, sign-in and the event WebSocket as to
    Zoom, and its admin routes for what only a rehearsal does (play a scenario, do the host's one
    step for the host assistant). Its state and its web server stay out of the app's memory.
    It stops when ``stop()`` is called or when the app's process goes (its standard input closes).
    """

    local_state: Any = None  # nothing of it lives here: the host assistant plays through its bridge

    def __init__(self, *, command: Sequence[str] | None = None, plan: str = "pro", startup_timeout: float = 60.0) -> None:
        self._command = list(command) if command else [sys.executable, "-m", "zoomhost", "rehearsal", "serve"]
        self._command += ["--port", "0", "--plan", plan, "--announce", "--exit-with-stdin"]
        self._startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self.admin = ""
        self.host, self.port = "127.0.0.1", 0

    # -- life cycle --------------------------------------------------------------------------------
    def start(self) -> RehearsalZoomProcess:
        from zoomhost.assistant.process import assistant_environment

        if self._process is not None:  # already running (a reconnect asks again)
            return self
        self._process = subprocess.Popen(  # noqa: S603 - our own program, no shell
            self._command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=assistant_environment(os.environ),  # what a helper process may have: never the school's Zoom secrets
            start_new_session=True,  # a Ctrl+C meant for the app is not the rehearsal's
        )
        try:
            announced = self._first_line()
            self.admin = str(json.loads(announced)["admin"])
            if not self.admin.startswith("http://127.0.0.1:"):
                raise ValueError("not on loopback")
            self.host, self.port = "127.0.0.1", int(self.admin.rsplit(":", 1)[1])
            info = self._admin("GET", "/_rehearsal/connect")
        except (OSError, ValueError, KeyError, TypeError, TimeoutError, ZoomhostError) as err:
            self.stop()
            raise ZoomhostError(
                "The rehearsal Zoom (a simulated Zoom on this computer) did not start.",
                hint="Run `zoomhost rehearsal serve` in a terminal to see why.",
            ) from err
        redact.register_secret(str(info["client_secret"]))
        redact.register_secret(str(info.get("sdk_secret") or ""))
        self.api_base, self.oauth_base, self.ws_base = str(info["api_base"]), str(info["oauth_base"]), str(info["ws_base"])
        self.subscription_id = str(info["subscription_id"])
        self.credentials = RehearsalAppCredentials(
            account_id=str(info["account_id"]), client_id=str(info["client_id"]), client_secret=str(info["client_secret"])
        )
        self.host_email = str(info["host_email"])
        self.school_domain = str(info.get("school_domain") or "")
        self.assistant_email = str(info.get("assistant_email") or "")
        self.sdk_app = (str(info.get("sdk_key") or ""), str(info.get("sdk_secret") or ""))
        self.bridge_url = str(info.get("assistant_bridge") or "") or None
        self.meetings = {str(name): int(number) for name, number in dict(info["meetings"]).items()}
        return self

    def _first_line(self) -> str:
        """The child's first line of output (where it listens), or TimeoutError."""
        assert self._process is not None and self._process.stdout is not None
        got: list[bytes] = []
        reader = threading.Thread(target=lambda: got.append(self._process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(self._startup_timeout)
        if not got or not got[0]:
            raise TimeoutError("the rehearsal Zoom said nothing")
        return got[0].decode("utf-8")

    def stop(self) -> None:
        """Stop the rehearsal Zoom (its standard input closes; then SIGTERM, then SIGKILL)."""
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(OSError):
            if process.stdin is not None:
                process.stdin.close()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()

    # -- what only a rehearsal does --------------------------------------------------------------
    def _admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """One call to its admin routes: loopback, no token (they are not Zoom's API), never through a proxy."""
        if self._process is None:
            raise ZoomhostError("The rehearsal Zoom has stopped.")
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, path, body=None if body is None else json.dumps(body), headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            answer = json.loads(response.read() or b"{}")
        except (OSError, ValueError) as err:
            raise ZoomhostError(f"The rehearsal Zoom did not answer ({err.__class__.__name__}).") from None
        finally:
            connection.close()
        if response.status >= 400:
            raise ZoomhostError(f"The rehearsal Zoom refused that: {str(answer.get('message', ''))[:300]}")
        return dict(answer)

    def scenario_meetings(self) -> dict[str, str]:
        return {name: str(number) for name, number in self.meetings.items()}

    def play(self, scenario: str, *, speed: float) -> _PlayingThere:
        """Start ``scenario``'s arrivals at ``speed`` in the rehearsal Zoom (blocking: off the event loop)."""
        self._admin("POST", "/_rehearsal/scenario", {"name": scenario, "speed": speed})
        return _PlayingThere(self)

    def host_admits_assistant(self, meeting_id: int | str) -> int:
        """The rehearsal's host does the teacher's one step for the host assistant; how many were waiting."""
        return int(self._admin("POST", "/_rehearsal/assistant", {"meeting_id": int(meeting_id)})["assistants"])


@dataclass
class _PlayingThere:
    """A scenario playing in the rehearsal Zoom's process."""

    zoom: RehearsalZoomProcess

    def stop(self) -> None:
        with contextlib.suppress(ZoomhostError):
            self.zoom._admin("DELETE", "/_rehearsal/scenario")  # noqa: SLF001 - its own admin route


class EmbeddedRehearsalZoom:
    """A rehearsal Zoom running in this process (tests and scripts lend one), seen as the app sees any rehearsal Zoom."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.local_state = server.state  # the host assistant may play on it in this process

    def start(self) -> EmbeddedRehearsalZoom:
        self.server.start()
        state = self.server.state
        self.api_base, self.oauth_base, self.ws_base = self.server.api_base, self.server.oauth_base, self.server.ws_base
        self.subscription_id = self.server.subscription_id
        self.credentials = self.server.credentials
        self.host_email = state.users[state.host_id].email
        self.school_domain = state.school_domain
        self.assistant_email = state.users[state.assistant_user_id].email
        self.sdk_app = state.sdk_app
        self.bridge_url = self.server.assistant_bridge_url
        self.host, self.port = self.server.host, self.server.port
        return self

    @property
    def state(self) -> Any:
        return self.server.state

    def stop(self) -> None:
        self.server.stop()

    def scenario_meetings(self) -> dict[str, str]:
        state = self.server.state
        return {name: str(number) for name, number in state.scenario_meetings().items()}

    def play(self, scenario: str, *, speed: float) -> Any:
        from zoomhost.rehearsal.scenarios import SCENARIOS, play

        return play(self.server.state, SCENARIOS[scenario](), speed=speed)

    def host_admits_assistant(self, meeting_id: int | str) -> int:
        return int(self.server.state.host_admits_assistant(meeting_id))


def new_rehearsal_server(*, port: int = 0, plan: str | None = None) -> RehearsalServer:
    """A rehearsal Zoom (not started) whose Server-to-Server app has the scopes the setup guide gives, as a school's would."""
    from zoomhost.rehearsal.server import RehearsalServer
    from zoomhost.rehearsal.state import ZoomState

    zoom_state = ZoomState()
    return RehearsalServer(state=zoom_state, credentials=rehearsal_credentials(zoom_state.account_id), port=port, plan=plan)


def rehearsal_credentials(account_id: str) -> RehearsalCredentials:
    """Throwaway Server-to-Server credentials for a rehearsal Zoom, with the scopes zoomhost asks a school for."""
    from zoomhost.rehearsal.server import RehearsalCredentials
    from zoomhost.zoom.scopes import SERVER_TO_SERVER_SCOPES

    return RehearsalCredentials.generate(account_id=account_id, scopes=SERVER_TO_SERVER_SCOPES)
