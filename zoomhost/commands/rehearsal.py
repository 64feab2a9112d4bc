"""`zoomhost rehearsal serve`: run the rehearsal Zoom on loopback for the app, scripts or a second machine's tests.

`zoomhost rehearse --headless`: play a scenario end to end with no window, under the automatic
host policy, and print the session summary.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading

from zoomhost.core.errors import ZoomhostError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("rehearsal", help="run the rehearsal Zoom (a simulated Zoom on this computer)")
    rsub = p.add_subparsers(dest="rehearsal_command", metavar="ACTION", required=True)
    serve = rsub.add_parser("serve", help="serve the rehearsal Zoom until Ctrl-C")
    serve.add_argument("--scenario", choices=("assembly", "class", "staff"), help="play this scenario's arrivals once it starts")
    serve.add_argument("--speed", type=float, default=1.0, help="scenario speed: 1 is real time, 10 is ten times faster")
    serve.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    serve.add_argument(
        "--plan",
        choices=("pro", "business", "education"),
        default="pro",
        help="the simulated account's Zoom plan: pro (default) has no Dashboard; business and education have it",
    )
    serve.add_argument(
        "--announce", action="store_true", help="print one JSON line with the admin address once it answers (for a program starting it)"
    )
    serve.add_argument("--exit-with-stdin", action="store_true", help="stop when standard input closes (its parent went)")
    serve.set_defaults(func=run_serve)

    rehearse = sub.add_parser(
        "rehearse",
        help="play a rehearsal scenario end to end and print the session summary",
        description=(
            "Play a scripted meeting against the rehearsal Zoom under the automatic host policy: admit consented "
            "pupils and staff, hold everyone else, lock after the protocol's 5 minutes, end for all at the end. "
            "With --server, run it again after zoomhost stopped and it picks up the unfinished session."
        ),
    )
    rehearse.add_argument("--scenario", required=True, choices=("assembly", "class", "staff"), help="which scripted meeting to play")
    rehearse.add_argument("--speed", type=float, default=1.0, help="1 is real time, 10 is ten times faster")
    rehearse.add_argument("--headless", action="store_true", help="no window (the only way from the command line for now)")
    rehearse.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    rehearse.add_argument(
        "--autopilot", action=argparse.BooleanOptionalAction, default=True, help="admit consented pupils and staff as they arrive (default on)"
    )
    rehearse.add_argument("--server", metavar="API_BASE", help="use a running `zoomhost rehearsal serve` (its API base) instead of an embedded one")
    rehearse.add_argument(
        "--assistant", choices=("process", "in-process"), default="process", help="run the host assistant as its own process (default) or inside zoomhost"
    )
    rehearse.set_defaults(func=run_rehearse)


def run_rehearse(args: argparse.Namespace) -> int:
    from zoomhost.app.rehearse import rehearse_headless

    if not args.headless:
        raise ZoomhostError(
            "From the command line a rehearsal plays headless only.",
            hint="Add --headless, or open zoomhost (it starts in rehearsal when no Zoom account is set).",
        )
    result = rehearse_headless(
        scenario=args.scenario, speed=args.speed, server=args.server, autopilot=args.autopilot, assistant=args.assistant
    )
    print(json.dumps(result.as_dict(), ensure_ascii=False) if args.json else result.text(), flush=True)
    if args.json and result.retention is not None:  # the JSON stays one object; what retention did goes beside it
        for notice in result.retention.notices():
            print(f"zoomhost: {notice}", file=sys.stderr)
    return 0


def run_serve(args: argparse.Namespace, *, stop: threading.Event | None = None) -> int:
    from zoomhost.app.rehearsal_zoom import serve_rehearsal_zoom

    with serve_rehearsal_zoom(port=args.port, scenario=args.scenario, speed=args.speed, plan=args.plan) as served:
        if getattr(args, "announce", False):  # a program started it: where to ask for the rest (loopback only)
            print(json.dumps({"admin": served.api_base.removesuffix("/v2")}), flush=True)
            return _serve_until(stop, with_stdin=getattr(args, "exit_with_stdin", False))
        print(f"Rehearsal Zoom is running (a simulation on a {served.plan.capitalize()} plan: no real Zoom account is used).")
        print(f"  API base:        {served.api_base}")
        print(f"  OAuth base:      {served.oauth_base}")
        print(f"  WebSocket base:  {served.ws_base}")
        print(f"  Subscription ID: {served.subscription_id}")
        print(f"  Assistant bridge: {served.assistant_bridge_url}")
        print(f"  Account ID:      {served.account_id}")
        print(f"  Client ID:       {served.client_id}")
        print(f"  Client secret:   {served.client_secret}")
        print(f"  Host's email:    {served.host_email}")
        print(f"  Meeting SDK key: {served.sdk_key}")
        print(f"  SDK secret:      {served.sdk_secret}")
        print("Use them with ZOOMHOST_API_BASE, ZOOMHOST_OAUTH_BASE, ZOOMHOST_WS_BASE, ZOOMHOST_SUBSCRIPTION_ID and")
        print("ZOOMHOST_ACCOUNT_ID, ZOOMHOST_CLIENT_ID, ZOOMHOST_CLIENT_SECRET; the host's email goes with `zoomhost meetings --user`.")
        print("Press Ctrl-C to stop.")
        if served.scenario_title is not None:
            print(f"Playing '{served.scenario_title}': {served.arrivals} arrivals at {served.speed:g}x speed.")
        print(flush=True)
        try:
            _serve_until(stop, with_stdin=getattr(args, "exit_with_stdin", False))
        except KeyboardInterrupt:
            print("Rehearsal Zoom stopped.")
    return 0


def _serve_until(stop: threading.Event | None, *, with_stdin: bool) -> int:
    """Until ``stop`` is set (or, ``with_stdin``, standard input closes: the program that started it went)."""
    waiter = stop or threading.Event()
    if with_stdin:

        def watch() -> None:
            while sys.stdin.buffer.read(4096):
                pass
            waiter.set()

        threading.Thread(target=watch, name="stdin-watch", daemon=True).start()
    while not waiter.wait(0.5):
        pass
    return 0
