"""The host assistant as a process of its own: ``zoomhost assistant``.

It joins the meeting through Zoom's Meeting SDK (or, on a rehearsal Zoom, through the
rehearsal's stand-in for it) and takes the panel's commands over a channel that needs the
session token. It listens on loopback unless given TLS. The token comes from the panel on
standard input, from the environment (read once and removed), or from a token file only its
owner can read (made here when it does not exist yet); it is never printed. While the block
of :func:`host_assistant` runs, the assistant answers; leaving it closes the channel.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zoomhost.assistant.sdk_adapter import AssistantError, AssistantUnavailable
from zoomhost.assistant.wire import TOKEN_ENV
from zoomhost.assistant.main_loop import GLibMainLoop, SdkMainLoop, import_glib
from zoomhost.system import platforms, redact
from zoomhost.system.config import address_problem

__all__ = [
    "TOKEN_ENV",
    "AssistantError",
    "AssistantListening",
    "AssistantUnavailable",
    "host_assistant",
    "load_binding",
    "parse_listen",
    "session_token",
    "token_from_file",
]

log = logging.getLogger(__name__)

MIN_TOKEN = 16  # the control server refuses shorter ones
_MAX_TOKEN_BYTES = 4096
_TOKEN_HINT = (
    f"Set {TOKEN_ENV} to a long random secret (16 characters at least), or give --token-file FILE: "
    "a new token is written there, readable by you only, and read from there next time."
)


@dataclass(frozen=True)
class AssistantListening:
    """Where the assistant listens (the token is the panel's already, and never printed)."""

    host: str
    port: int
    tls: bool

    def first_line(self) -> dict[str, object]:
        """What the panel reads first: the port, the host, TLS or not, and the process."""
        return {"port": self.port, "host": self.host, "tls": self.tls, "pid": os.getpid()}


def session_token(*, from_environment: str = "", from_stdin: str | None = None, token_file: str | Path | None = None) -> str:
    """The session token the panel will present, from the one place it was given.

    ``from_environment``: the variable's value (the caller has already removed it from the
    environment); ``from_stdin``: the first line the panel wrote, when it hands the token over
    that way; ``token_file``: the operator's token file (see :func:`token_from_file`).
    """
    given = [name for name, used in (
        (TOKEN_ENV, bool(from_environment)), ("standard input", from_stdin is not None), ("--token-file", token_file is not None)
    ) if used]  # fmt: skip
    if len(given) > 1:
        raise AssistantError(f"The session token was given more than one way ({', '.join(given)}).", hint="Give it one way only.")
    if from_stdin is not None:
        token = from_stdin.strip()
        if len(token) < MIN_TOKEN:
            raise AssistantError("The assistant did not receive its session token from the panel.")
        return token
    if token_file is not None:
        return token_from_file(Path(token_file))
    if not from_environment:
        raise AssistantError("The host assistant needs a session token, and none was given.", hint=_TOKEN_HINT)
    if len(from_environment.strip()) < MIN_TOKEN:
        raise AssistantError(f"The session token in {TOKEN_ENV} is too short (16 characters at least).", hint=_TOKEN_HINT)
    return from_environment.strip()


def token_from_file(path: Path) -> str:
    """The token kept in ``path``, or, when there is no such file, a new one written there readable by its owner only.

    A file others can read, a link or anything but a regular file is refused: the token is what
    lets anyone command the meeting.
    """
    token = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except FileExistsError:
        return _read_token_file(path)
    except OSError as err:
        raise AssistantError(f"The token file {path} could not be made ({err.strerror or err}).") from None
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(token + "\n")
    log.info("a new session token was written to %s", path)
    return token


def _read_token_file(path: Path) -> str:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        raise AssistantError(f"The token file {path} could not be read ({err.strerror or err}).") from None
    with os.fdopen(fd, "rb") as source:
        info = os.fstat(source.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise AssistantError(f"The token file {path} is not a file.")
        if os.name == "posix" and (info.st_mode & 0o077 or info.st_uid != os.getuid()):
            raise AssistantError(
                f"The token file {path} can be read by other users, so its token is no secret.",
                hint=f"Delete it and start the assistant again with --token-file {path} to make a new one.",
            )
        token = source.read(_MAX_TOKEN_BYTES + 1).decode("utf-8", errors="replace").strip()
    if len(token) < MIN_TOKEN or len(token) > _MAX_TOKEN_BYTES:
        raise AssistantError(f"The token file {path} does not hold a session token (16 characters at least).")
    return token


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


def load_binding(rehearsal: str | None) -> tuple[Any, SdkMainLoop]:
    """The Meeting SDK binding (or the rehearsal's) and the main loop every call to it is made on.

    Zoom's binding needs a GLib main loop: without GLib's Python bindings the assistant refuses to
    start (``AssistantUnavailable`` says what to install), as it does without the SDK itself;
    either is a sentence, never a traceback.
    """
    if rehearsal:
        from zoomhost.rehearsal.binding import RehearsalBinding, RemoteZoomState

        binding = RehearsalBinding(state=RemoteZoomState(rehearsal))
        return binding, binding.sdk_main_loop
    if not platforms.assistant_can_run_here():
        raise AssistantUnavailable(f"{platforms.ASSISTANT_LINUX_ONLY}, not on {platforms.name()}.")
    from zoomhost.assistant.sdk_binding import import_meeting_sdk

    try:
        binding = import_meeting_sdk()
    except ImportError as err:
        raise AssistantUnavailable(
            "Zoom's Meeting SDK is not installed.",
            hint="Install it with: pip install 'zoomhost[assistant]' (Linux x86_64).",
        ) from err
    return binding, GLibMainLoop(import_glib())  # without GLib the SDK's callbacks never arrive: refused


@asynccontextmanager
async def host_assistant(
    *,
    listen: str,
    token: str,
    tls_cert: str | None = None,
    tls_key: str | None = None,
    rehearsal: str | None = None,
    web_domain: str = "https://zoom.us",
) -> AsyncIterator[AssistantListening]:
    """Run the host assistant on ``listen`` (HOST:PORT) until the block ends.

    ``token``: the session token the panel will present (see :func:`session_token`). Listening
    beyond this computer needs ``tls_cert`` and ``tls_key``.
    ``rehearsal``: a rehearsal Zoom's assistant bridge, to play the assistant there.
    """
    from zoomhost.assistant.server import AssistantServer, tls_context
    from zoomhost.system.config import is_loopback_host

    host, port = parse_listen(listen)
    problem = address_problem(web_domain)
    if problem:
        raise AssistantError(f"Zoom's web domain “{web_domain[:80]}” {problem}.", hint="For example --web-domain https://zoom.us.")
    if bool(tls_cert) != bool(tls_key):
        raise AssistantError("Give both --tls-cert and --tls-key, or neither.")
    if not is_loopback_host(host) and not tls_cert:
        raise AssistantError(
            f"The assistant will not listen on {host} without TLS.",
            hint="Give --tls-cert and --tls-key, or listen on 127.0.0.1.",
        )
    redact.register_secret(token)
    context = tls_context(cert_file=tls_cert, key_file=tls_key) if tls_cert else None
    binding, main_loop = load_binding(rehearsal)
    server = AssistantServer(
        binding=binding, token=token, host=host, port=port, ssl_context=context, web_domain=web_domain, main_loop=main_loop
    )
    await server.start()
    try:
        log.info("host assistant listening on %s:%s (tls=%s)", host, server.port, context is not None)
        yield AssistantListening(host=host, port=server.port, tls=context is not None)
    finally:
        await server.close()
