"""Starting the host assistant as a child process of the panel.

The SDK runs in its own process so that a crash or a hang there never takes the panel
down. The session token goes to the child through its environment (never its command
line, which other users can read); the child answers with its port on its first line of
output. The child stops when the panel closes its standard input.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import os
import secrets
import signal
import sys
from dataclasses import dataclass, field

from zoomhost.system import redact
from zoomhost.assistant.sdk_adapter import AssistantError
from zoomhost.assistant.wire import TOKEN_ENV


def assistant_available() -> bool:
    """True where the panel can start an assistant itself: Linux with the Meeting SDK installed."""
    return sys.platform.startswith("linux") and importlib.util.find_spec("zoom_meeting_sdk") is not None


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
    extra_env: dict[str, str] | None = None,
) -> RunningAssistant:
    """Start ``zoomhost assistant`` on loopback and wait until it says which port it took."""
    if rehearsal_url is None and not assistant_available():
        raise AssistantError(
            "The host assistant cannot run on this computer.",
            hint="It needs Linux and Zoom's Meeting SDK: pip install 'zoomhost[assistant]'.",
        )
    token = secrets.token_urlsafe(32)
    redact.register_secret(token)
    env = {**os.environ, **(extra_env or {}), TOKEN_ENV: token}
    command = [python, "-m", "zoomhost", "assistant", "--listen", "127.0.0.1:0", "--exit-with-stdin"]
    if rehearsal_url:
        command += ["--rehearsal", rehearsal_url]
    process = await asyncio.create_subprocess_exec(
        *command,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env=env,
        start_new_session=True,  # a Ctrl+C meant for the panel is not the assistant's to handle
    )
    assert process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), startup_timeout)
        announced = json.loads(line)
        port = int(announced["port"])
    except (TimeoutError, ValueError, KeyError, TypeError) as err:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
        raise AssistantError(
            "The host assistant did not start.",
            hint=f"Run `zoomhost assistant` in a terminal to see why (exit status {process.returncode}).",
        ) from err
    drain = asyncio.create_task(_drain(process.stdout))
    return RunningAssistant(process=process, url=f"ws://127.0.0.1:{port}", token=token, _drain=drain)
