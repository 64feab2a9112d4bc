"""`zoomhost assistant` and the panel starting it: clear refusals, and the token never on a command line."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.assistant.helpers import until
from zoomhost.system import logs
from zoomhost.assistant.client import AssistantChannel
from zoomhost.assistant.process import start_assistant
from zoomhost.rehearsal.binding import RehearsalBridge
from zoomhost.assistant.wire import TOKEN_ENV
from zoomhost.cli import main
from zoomhost.rehearsal.state import ZoomState


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zoomhost", "assistant", *args],
        capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--listen", "0.0.0.0:0", "--rehearsal", "ws://127.0.0.1:9"], "without TLS"),
        (["--listen", "nonsense"], "is not HOST:PORT"),
        (["--listen", "127.0.0.1:99999"], "not a port number"),
        (["--tls-cert", "cert.pem"], "both --tls-cert and --tls-key"),
        (["--rehearsal", "ws://127.0.0.1:9"], "cannot be reached"),
    ],
)
def test_bad_start_is_one_plain_line(args: list[str], words: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assistant", *args]) == 1
    captured = capsys.readouterr()
    assert words in captured.err and "Traceback" not in captured.err
    assert captured.out == ""


def test_without_the_sdk_the_assistant_says_how_to_install_it() -> None:
    # The SDK may be installed here: hide it from the child, as on a machine without the extra.
    hidden = "import sys; sys.modules['zoom_meeting_sdk'] = None; from zoomhost.cli import main; raise SystemExit(main(['assistant']))"
    done = subprocess.run(
        [sys.executable, "-c", hidden], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL
    )
    assert done.returncode == 1 and done.stdout == ""
    assert "Meeting SDK is not installed" in done.stderr and "zoomhost[assistant]" in done.stderr


def test_panel_starts_the_assistant_with_the_token_in_its_environment_only(tmp_path: Path) -> None:
    async def scenario() -> None:
        state = ZoomState()
        bridge = RehearsalBridge(state=state)
        await bridge.start()
        running = await start_assistant(rehearsal_url=bridge.url)
        try:
            cmdline = Path(f"/proc/{running.pid}/cmdline").read_bytes().decode()
            environ = Path(f"/proc/{running.pid}/environ").read_bytes().decode(errors="replace")
            assert running.token not in cmdline and f"{TOKEN_ENV}={running.token}" in environ
            channel = AssistantChannel(url=running.url, token=running.token)
            await channel.connect()
            assert channel.connected
            await channel.close()
        finally:
            assert await running.stop() == 0  # closing its stdin is enough: it leaves cleanly
            await bridge.close()
        log_text = logs.log_file().read_text(encoding="utf-8") if logs.log_file().exists() else ""
        assert running.token not in log_text

    asyncio.run(scenario())


def test_standalone_assistant_makes_a_token_and_tells_only_its_first_line() -> None:
    async def scenario() -> None:
        state = ZoomState()
        bridge = RehearsalBridge(state=state)
        await bridge.start()
        env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "zoomhost", "assistant", "--rehearsal", bridge.url, "--exit-with-stdin",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
        )  # fmt: skip
        try:
            first = json.loads(await asyncio.wait_for(process.stdout.readline(), 30))
            assert set(first) >= {"port", "token", "pid"} and len(first["token"]) >= 32
            channel = AssistantChannel(url=f"ws://127.0.0.1:{first['port']}", token=first["token"])
            await channel.connect()
            await until(lambda: channel.connected)
            await channel.close()
        finally:
            process.stdin.close()
            await asyncio.wait_for(process.wait(), 20)
            await bridge.close()
        rest = await process.stdout.read()
        assert rest == b""  # nothing after the first line
        assert first["token"].encode() not in await process.stderr.read()

    asyncio.run(scenario())
