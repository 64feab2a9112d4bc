"""The rehearsal Zoom as a program of its own: ``zoomhost rehearsal serve``.

A simulated Zoom on loopback (REST, sign-in, the event WebSocket, and the bridge a rehearsal
host assistant plays through), for the app, scripts or another machine's tests, optionally
playing a scenario's arrivals. Nothing in it reaches a real Zoom account. While the block of
:func:`serve_rehearsal_zoom` runs, the server answers; leaving it stops everything.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from zoomhost.core.errors import ZoomhostError
from zoomhost.system import redact
from zoomhost.system.runtime import AsyncRunner


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

    ``scenario`` ("assembly" or "class"): play its arrivals at ``speed`` (1 is real time).
    ``plan``: the account's Zoom plan, "pro" (no Dashboard), "business" or "education".
    """
    from zoomhost.rehearsal.binding import RehearsalBridge
    from zoomhost.rehearsal.faults import PLANS
    from zoomhost.rehearsal.scenarios import SCENARIOS, play
    from zoomhost.app.services import new_rehearsal_server

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
