"""Starting the host assistant as a child process of the panel.

The SDK runs in its own process so that a crash or a hang there never takes the panel
down. The child inherits only the environment variables it needs (never the Zoom app's
secret a script may have set for the panel). The session token goes to it as the first
line of its standard input: never on its command line, which other users can read, nor in
its environment, which stays readable in ``/proc`` for the life of the process. The child
answers with its port on its first line of output, and stops when the panel closes its
standard input.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import logging
import os
import secrets
import signal
import sys
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from zoomhost.system import platforms, redact
from zoomhost.assistant.sdk_adapter import AssistantError, AssistantUnavailable

log = logging.getLogger(__name__)

#: What the assistant keeps of the panel's environment: how to find Python and its libraries, this
#: user's folders and zoomhost's own (ZOOMHOST_HOME), locale and time zone, the display and sound the
#: Meeting SDK may use, and the school network's proxy and certificates. Nothing else reaches it: not
#: ZOOMHOST_CLIENT_SECRET, ZOOMHOST_ACCOUNT_ID, ZOOMHOST_CLIENT_ID, nor whatever else the panel's shell held.
PASSED_ON = frozenset(
    {
        "PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR",
        "PYTHONPATH", "PYTHONHOME", "PYTHONUTF8", "PYTHONIOENCODING", "VIRTUAL_ENV", "LD_LIBRARY_PATH",
        "DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "PULSE_SERVER", "QT_QPA_PLATFORM",
        "SSL_CERT_FILE", "SSL_CERT_DIR",
        "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy",
        "ZOOMHOST_HOME",
    }
)  # fmt: skip
PASSED_ON_PREFIXES = ("LC_", "XDG_", "_PYI_")  # locale categories, this user's folders, a bundled app's own start-up


def assistant_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables of ``environ`` the assistant process is given (see ``PASSED_ON``)."""
    return {name: value for name, value in environ.items() if name in PASSED_ON or name.startswith(PASSED_ON_PREFIXES)}


def assistant_available() -> bool:
    """True where the panel can start an assistant itself: Linux with the Meeting SDK installed."""
    return platforms.assistant_can_run_here() and importlib.util.find_spec("zoom_meeting_sdk") is not None


@dataclass
class RunningAssistant:
    """A started assistant: where to connect, with which token, and how to stop it."""

    process: asyncio.subprocess.Process
    url: str
    token: str = field(repr=False)
    _drain: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid

    async def stop(self, *, timeout: float = 10.0) -> int:
        """Ask it to leave the meeting and stop (stdin closes, then SIGTERM, then SIGKILL)."""
        if self.process.returncode is None:
            if self.process.stdin is not None:
                self.process.stdin.close()
            try:
                await asyncio.wait_for(self.process.wait(), timeout / 2)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self.process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(self.process.wait(), timeout / 2)
                except TimeoutError:
                    with contextlib.suppress(ProcessLookupError):
                        self.process.kill()
                    await self.process.wait()
        if self._drain is not None:
            self._drain.cancel()
        return int(self.process.returncode or 0)


async def _drain(stream: asyncio.StreamReader) -> None:
    """Keep reading the child's stdout so that a chatty SDK can never block on a full pipe."""
    while await stream.read(65536):
        pass


async def start_assistant(
    *,
    rehearsal_url: str | None = None,
    python: str = sys.executable,
    startup_timeout: float = 30.0,
) -> RunningAssistant:
    """Start ``zoomhost assistant`` on loopback, hand it its session token, and wait until it says which port it took."""
    if rehearsal_url is None and not assistant_available():
        raise AssistantUnavailable(
            "The host assistant cannot run on this computer.",
            hint="It needs Linux and Zoom's Meeting SDK: pip install 'zoomhost[assistant]'.",
        )
    token = secrets.token_urlsafe(32)
    redact.register_secret(token)
    command = [python, "-m", "zoomhost", "assistant", "--listen", "127.0.0.1:0", "--token-on-stdin", "--exit-with-stdin"]
    if rehearsal_url:
        command += ["--rehearsal", rehearsal_url]
    process = await asyncio.create_subprocess_exec(
        *command,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env=assistant_environment(os.environ),
        start_new_session=True,  # a Ctrl+C meant for the panel is not the assistant's to handle
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(token.encode() + b"\n")
        await process.stdin.drain()
        line = await asyncio.wait_for(process.stdout.readline(), startup_timeout)
        announced = json.loads(line)
        if isinstance(announced, dict) and "refused" in announced:
            await asyncio.wait_for(process.wait(), 10)
            raise AssistantUnavailable(str(announced["refused"])[:500], hint=str(announced.get("hint") or "")[:500] or None)
        port = int(announced["port"])
    except (TimeoutError, ValueError, KeyError, TypeError, ConnectionError) as err:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        raise AssistantError(
            "The host assistant did not start.",
            hint=f"Run `zoomhost assistant` in a terminal to see why (exit status {process.returncode}).",
        ) from err
    drain = asyncio.create_task(_drain(process.stdout))
    return RunningAssistant(process=process, url=f"ws://127.0.0.1:{port}", token=token, _drain=drain)


class Standby:
    """Host assistant processes started before a session needs one, one for each place it plays (a rehearsal
    Zoom's bridge, or Zoom itself through the Meeting SDK).

    Starting a process is Python and its libraries loading: a few hundred milliseconds, and a tenth of a
    second of a core. Started when the teacher opens the Live page, it is over before they press Start, so
    the session's start neither waits for it nor shares the computer's cores with it while the first
    families arrive. An assistant standing by knows no meeting: it is told one only when a session takes it
    (``AssistantLauncher``), with a session token of its own. One that failed to start, or has stopped
    since, is never handed out: the session starts its own, as it would have. Use it on one event loop.
    """

    def __init__(self, *, start: Callable[..., Awaitable[RunningAssistant]] | None = None) -> None:
        self._start = start or start_assistant  # how to start one
        self._waiting: dict[str | None, asyncio.Task[RunningAssistant]] = {}

    def prepare(self, *, rehearsal_url: str | None = None) -> None:
        """Start one for ``rehearsal_url`` (None: the Meeting SDK's) unless one is standing by or starting."""
        task = self._waiting.get(rehearsal_url)
        if task is not None and not (task.done() and _failed_or_gone(task)):
            return
        started = asyncio.ensure_future(self._start(rehearsal_url=rehearsal_url))
        started.add_done_callback(_note_failure)
        self._waiting[rehearsal_url] = started

    def ready(self, *, rehearsal_url: str | None = None) -> bool:
        """Whether one for ``rehearsal_url`` has started and is standing by (a look, from any thread)."""
        task = self._waiting.get(rehearsal_url)
        return task is not None and task.done() and not _failed_or_gone(task)

    async def take(self, *, rehearsal_url: str | None = None) -> RunningAssistant | None:
        """The one standing by for ``rehearsal_url`` (waiting for it to finish starting), or None."""
        task = self._waiting.pop(rehearsal_url, None)
        if task is None:
            return None
        with contextlib.suppress(Exception):
            await asyncio.shield(task)
        if _failed_or_gone(task):
            return None
        return task.result()

    async def close(self) -> None:
        """Stop every one standing by (and any still starting, once it has)."""
        waiting, self._waiting = list(self._waiting.values()), {}
        for task in waiting:
            with contextlib.suppress(Exception):
                running = await task
                await running.stop(timeout=4.0)


def _failed_or_gone(task: asyncio.Task[RunningAssistant]) -> bool:
    """A finished start that failed, or whose process has stopped since."""
    if task.cancelled() or task.exception() is not None:
        return True
    return task.result().process.returncode is not None


def _note_failure(task: asyncio.Task[RunningAssistant]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.info("a host assistant to stand by did not start: %s", type(task.exception()).__name__)
