"""`zoomhost assistant`: run the host assistant, the Meeting SDK process the panel commands.

The panel starts it itself on Linux; a school can also run it on a Linux host and point
the panel at it. The session token comes from the environment (never the command line);
without one, a fresh token is made and handed to the parent on the first line of stdout,
together with the port, as JSON. Nothing else is ever written to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import json
import logging
import os
import secrets
import signal
import sys
import threading
from typing import Any

from zoomhost.system import redact
from zoomhost.assistant.sdk_adapter import AssistantError
from zoomhost.assistant.wire import TOKEN_ENV

log = logging.getLogger(__name__)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "assistant",
        help="run the host assistant (joins the meeting through Zoom's Meeting SDK; Linux)",
        description=(
            "Run the host assistant. It listens for the panel on HOST:PORT (loopback by default) and "
            f"requires the session token from {TOKEN_ENV}; listening beyond this computer needs TLS."
        ),
    )
    p.add_argument("--listen", default="127.0.0.1:0", metavar="HOST:PORT", help="where the panel connects (default 127.0.0.1, any free port)")
    p.add_argument("--tls-cert", metavar="FILE", help="TLS certificate (PEM); needed when not listening on loopback")
    p.add_argument("--tls-key", metavar="FILE", help="the certificate's private key (PEM)")
    p.add_argument("--rehearsal", metavar="URL", help="play the assistant on a rehearsal Zoom (its assistant bridge address)")
    p.add_argument("--web-domain", default="https://zoom.us", help="Zoom's web domain (ZoomGov accounts use their own)")
    p.add_argument("--exit-with-stdin", action="store_true", help="stop when standard input closes (the panel went away)")
    p.set_defaults(func=run_assistant)


def parse_listen(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host:
        raise AssistantError(f"'{value}' is not HOST:PORT.", hint="For example --listen 127.0.0.1:8765.")
    try:
        number = int(port)
    except ValueError:
        raise AssistantError(f"'{port}' is not a port number.", hint="For example --listen 127.0.0.1:8765.") from None
    if not 0 <= number <= 65535:
        raise AssistantError(f"{number} is not a port number (0 to 65535).")
    return host.strip("[]"), number


def load_binding(rehearsal: str | None) -> Any:
    """The Meeting SDK binding, or the rehearsal's; a missing SDK is a sentence, not a traceback."""
    if rehearsal:
        from zoomhost.rehearsal.binding import RehearsalBinding, RemoteZoomState

        return RehearsalBinding(state=RemoteZoomState(rehearsal))
    if not sys.platform.startswith("linux"):
        raise AssistantError("The host assistant runs on Linux only (Zoom's Meeting SDK for Python is Linux-only).")
    try:
        binding = importlib.import_module("zoom_meeting_sdk")
    except ImportError as err:
        raise AssistantError(
            "Zoom's Meeting SDK is not installed.",
            hint="Install it with: pip install 'zoomhost[assistant]' (Linux x86_64).",
        ) from err
    start_sdk_main_loop()
    return binding


def start_sdk_main_loop() -> bool:
    """The Linux Meeting SDK delivers its callbacks through a GLib main loop; run one if GLib is there."""
    try:
        from gi.repository import GLib  # type: ignore[import-not-found]
    except ImportError:
        log.warning("GLib (python3-gi) is not installed: the Meeting SDK may not deliver its callbacks")
        return False
    threading.Thread(target=GLib.MainLoop().run, name="glib-main-loop", daemon=True).start()
    return True


def run_assistant(args: argparse.Namespace) -> int:
    host, port = parse_listen(args.listen)
    if bool(args.tls_cert) != bool(args.tls_key):
        raise AssistantError("Give both --tls-cert and --tls-key, or neither.")
    from zoomhost.assistant.server import is_loopback

    if not is_loopback(host) and not args.tls_cert:
        raise AssistantError(
            f"The assistant will not listen on {host} without TLS.",
            hint="Give --tls-cert and --tls-key, or listen on 127.0.0.1.",
        )
    token = os.environ.get(TOKEN_ENV, "")
    generated = not token
    if generated:
        token = secrets.token_urlsafe(32)
    redact.register_secret(token)
    return asyncio.run(_serve(args, host=host, port=port, token=token, announce_token=generated))


async def _serve(args: argparse.Namespace, *, host: str, port: int, token: str, announce_token: bool) -> int:
    from zoomhost.assistant.server import AssistantServer, tls_context

    context = tls_context(cert_file=args.tls_cert, key_file=args.tls_key) if args.tls_cert else None
    binding = load_binding(args.rehearsal)
    server = AssistantServer(binding=binding, token=token, host=host, port=port, ssl_context=context, web_domain=args.web_domain)
    await server.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    if args.exit_with_stdin:
        threading.Thread(target=_wait_for_stdin_eof, args=(loop, stop), daemon=True).start()
    first_line: dict[str, object] = {"port": server.port, "host": host, "tls": context is not None, "pid": os.getpid()}
    if announce_token:
        first_line["token"] = token
    sys.stdout.write(json.dumps(first_line) + "\n")
    sys.stdout.flush()
    log.info("host assistant listening on %s:%s (tls=%s)", host, server.port, context is not None)
    try:
        await stop.wait()
    finally:
        await server.close()
    return 0


def _wait_for_stdin_eof(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    with contextlib.suppress(OSError, ValueError):
        while sys.stdin.buffer.read(4096):
            pass
    loop.call_soon_threadsafe(stop.set)
