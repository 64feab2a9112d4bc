"""The host assistant as a process of its own: ``zoomhost assistant``.

It joins the meeting through Zoom's Meeting SDK (or, on a rehearsal Zoom, through the
rehearsal's stand-in for it) and takes the panel's commands over a channel that needs the
session token. It listens on loopback unless given TLS; the token comes from the
environment, or is made here and handed to the panel once. While the block of
:func:`host_assistant` runs, the assistant answers; leaving it closes the channel.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from zoomhost.assistant.sdk_adapter import AssistantError
from zoomhost.assistant.wire import TOKEN_ENV
from zoomhost.system import redact

__all__ = ["TOKEN_ENV", "AssistantError", "AssistantListening", "host_assistant", "load_binding", "parse_listen"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AssistantListening:
    """Where the assistant listens, and the token the panel must present (shown only when made here)."""

    host: str
    port: int
    tls: bool
    token: str = field(repr=False)
    token_made_here: bool

    def first_line(self) -> dict[str, object]:
        """What the panel reads first: the port, the host, TLS or not, the process, and a token made here."""
        line: dict[str, object] = {"port": self.port, "host": self.host, "tls": self.tls, "pid": os.getpid()}
        if self.token_made_here:
            line["token"] = self.token
        return line


def parse_listen(value: str) -> tuple[str, int]:
    """HOST:PORT, as typed ("127.0.0.1:0", "[::1]:8765")."""
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
    from zoomhost.assistant.sdk_binding import import_meeting_sdk

    try:
        binding = import_meeting_sdk()
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


@asynccontextmanager
async def host_assistant(
    *,
    listen: str,
    token: str = "",
    tls_cert: str | None = None,
    tls_key: str | None = None,
    rehearsal: str | None = None,
    web_domain: str = "https://zoom.us",
) -> AsyncIterator[AssistantListening]:
    """Run the host assistant on ``listen`` (HOST:PORT) until the block ends.

    ``token``: the session token the panel will present (from the environment); empty, and one
    is made here. Listening beyond this computer needs ``tls_cert`` and ``tls_key``.
    ``rehearsal``: a rehearsal Zoom's assistant bridge, to play the assistant there.
    """
    from zoomhost.assistant.server import AssistantServer, is_loopback, tls_context

    host, port = parse_listen(listen)
    if bool(tls_cert) != bool(tls_key):
        raise AssistantError("Give both --tls-cert and --tls-key, or neither.")
    if not is_loopback(host) and not tls_cert:
        raise AssistantError(
            f"The assistant will not listen on {host} without TLS.",
            hint="Give --tls-cert and --tls-key, or listen on 127.0.0.1.",
        )
    made_here = not token
    if made_here:
        token = secrets.token_urlsafe(32)
    redact.register_secret(token)
    context = tls_context(cert_file=tls_cert, key_file=tls_key) if tls_cert else None
    binding = load_binding(rehearsal)
    server = AssistantServer(binding=binding, token=token, host=host, port=port, ssl_context=context, web_domain=web_domain)
    await server.start()
    try:
        log.info("host assistant listening on %s:%s (tls=%s)", host, server.port, context is not None)
        yield AssistantListening(host=host, port=server.port, tls=context is not None, token=token, token_made_here=made_here)
    finally:
        await server.close()
