"""`zoomhost assistant`: run the host assistant, the Meeting SDK process the panel commands.

The panel starts it itself on Linux and hands it the session token on standard input; a
school can also run it on a Linux host and point the panel at it, giving the token in
``ZOOMHOST_ASSISTANT_TOKEN`` (read once, then removed from the environment) or in a token file
only its owner can read. The token never goes on the command line and is never printed. The
first line of stdout says, as JSON, which port it took; started by the panel, a refusal that
starting again cannot change (GLib or the SDK missing) is that line instead
(``{"refused": …, "hint": …}``), so the panel falls back at once and says why. Nothing else is
ever written there.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
import threading

from zoomhost.app.host_assistant import TOKEN_ENV, AssistantUnavailable, host_assistant, session_token

_MAX_TOKEN_LINE = 4096


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "assistant",
        help="run the host assistant (joins the meeting through Zoom's Meeting SDK; Linux)",
        description=(
            "Run the host assistant. It listens for the panel on HOST:PORT (loopback by default) and "
            f"requires the session token from {TOKEN_ENV} or --token-file; listening beyond this computer needs TLS."
        ),
    )
    p.add_argument(
        "--token-file",
        metavar="FILE",
        help="read the session token from FILE (readable by you only); if FILE does not exist, a new token is written there",
    )
    p.add_argument("--token-on-stdin", action="store_true", help=argparse.SUPPRESS)  # how the panel hands it over
    p.add_argument("--listen", default="127.0.0.1:0", metavar="HOST:PORT", help="where the panel connects (default 127.0.0.1, any free port)")
    p.add_argument("--tls-cert", metavar="FILE", help="TLS certificate (PEM); needed when not listening on loopback")
    p.add_argument("--tls-key", metavar="FILE", help="the certificate's private key (PEM)")
    p.add_argument("--rehearsal", metavar="URL", help="play the assistant on a rehearsal Zoom (its assistant bridge address)")
    p.add_argument("--web-domain", default="https://zoom.us", help="Zoom's web domain (ZoomGov accounts use their own)")
    p.add_argument("--exit-with-stdin", action="store_true", help="stop when standard input closes (the panel went away)")
    p.set_defaults(func=run_assistant)


def run_assistant(args: argparse.Namespace) -> int:
    from_environment = os.environ.pop(TOKEN_ENV, "")  # read once: nothing this process starts inherits it
    from_stdin = sys.stdin.buffer.readline(_MAX_TOKEN_LINE).decode("utf-8", "replace") if args.token_on_stdin else None
    token = session_token(from_environment=from_environment, from_stdin=from_stdin, token_file=args.token_file)
    if args.token_file:
        sys.stderr.write(f"The session token is in {args.token_file} (readable by you only); give it to the panel.\n")
    return asyncio.run(_serve(args, token))


async def _serve(args: argparse.Namespace, token: str) -> int:
    try:
        return await _listen(args, token)
    except AssistantUnavailable as err:
        if args.token_on_stdin:  # the panel started it and reads the first line: do not try again, and why
            sys.stdout.write(json.dumps({"refused": str(err), "hint": err.hint or ""}) + "\n")
            sys.stdout.flush()
        raise  # one plain line on stderr, as every refusal


async def _listen(args: argparse.Namespace, token: str) -> int:
    async with host_assistant(
        listen=args.listen,
        token=token,
        tls_cert=args.tls_cert,
        tls_key=args.tls_key,
        rehearsal=args.rehearsal,
        web_domain=args.web_domain,
    ) as listening:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signum, stop.set)
        if args.exit_with_stdin:
            threading.Thread(target=_wait_for_stdin_eof, args=(loop, stop), daemon=True).start()
        sys.stdout.write(json.dumps(listening.first_line()) + "\n")
        sys.stdout.flush()
        await stop.wait()
    return 0


def _wait_for_stdin_eof(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    with contextlib.suppress(OSError, ValueError):
        while sys.stdin.buffer.read(4096):
            pass
    loop.call_soon_threadsafe(stop.set)
