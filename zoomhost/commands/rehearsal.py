"""`zoomhost rehearsal serve`: run the rehearsal Zoom on loopback for the app, scripts or a second machine's tests."""

from __future__ import annotations

import argparse
import threading

from zoomhost import redact
from zoomhost.core.errors import ZoomhostError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rehearsal", help="run the rehearsal Zoom (a simulated Zoom on this computer)")
    rsub = p.add_subparsers(dest="rehearsal_command", metavar="ACTION", required=True)
    serve = rsub.add_parser("serve", help="serve the rehearsal Zoom until Ctrl-C")
    serve.add_argument("--scenario", choices=("assembly", "class"), help="play this scenario's arrivals once it starts")
    serve.add_argument("--speed", type=float, default=1.0, help="scenario speed: 1 is real time, 10 is ten times faster")
    serve.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    serve.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace, *, stop: threading.Event | None = None) -> int:
    from zoomhost.rehearsal.scenarios import SCENARIOS, play
    from zoomhost.rehearsal.server import RehearsalServer

    if args.speed <= 0:
        raise ZoomhostError("The speed must be above zero.", hint="Use 1 for real time, or 10 for ten times faster.")
    if not 0 <= args.port <= 65535:
        raise ZoomhostError(f"{args.port} is not a port number.", hint="Choose a port between 1024 and 65535, or leave it out.")
    server = RehearsalServer(port=args.port)
    redact.register_secret(server.credentials.client_secret)
    try:
        server.start()
    except OSError as err:
        raise ZoomhostError(
            f"The rehearsal Zoom could not listen on port {args.port} ({err.strerror}).",
            hint="Choose another port with --port, or leave it out to use any free port.",
        ) from None
    try:
        creds = server.credentials
        print("Rehearsal Zoom is running (a simulation: no real Zoom account is used).")
        print(f"  API base:        {server.api_base}")
        print(f"  OAuth base:      {server.oauth_base}")
        print(f"  WebSocket base:  {server.ws_base}")
        print(f"  Subscription ID: {server.subscription_id}")
        print(f"  Account ID:      {creds.account_id}")
        print(f"  Client ID:       {creds.client_id}")
        print(f"  Client secret:   {creds.client_secret}")
        print("Use them with ZOOMHOST_API_BASE, ZOOMHOST_OAUTH_BASE, ZOOMHOST_WS_BASE and ZOOMHOST_ACCOUNT_ID,")
        print("ZOOMHOST_CLIENT_ID, ZOOMHOST_CLIENT_SECRET. Press Ctrl-C to stop.")
        if args.scenario:
            scenario = SCENARIOS[args.scenario]()
            run = play(server.state, scenario, speed=args.speed)
            server.scenario_runs.append(run)
            print(f"Playing '{scenario.title}': {len(scenario.arrivals)} arrivals at {args.speed:g}x speed.")
        print(flush=True)
        waiter = stop or threading.Event()
        try:
            while not waiter.wait(0.5):
                pass
        except KeyboardInterrupt:
            print("Rehearsal Zoom stopped.")
    finally:
        server.stop()
    return 0
