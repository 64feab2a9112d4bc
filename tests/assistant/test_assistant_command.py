"""`zoomhost assistant` and the panel starting it: clear refusals, only the environment it needs, and the
session token never on a command line, in its environment or on its output."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.assistant.helpers import until
from zoomhost.system import logs
from zoomhost.assistant.client import AssistantChannel
from zoomhost.assistant.process import Standby, start_assistant
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
        (["--web-domain", "http://zoom.us.evil.example"], "is not secure"),
    ],
)
def test_bad_start_is_one_plain_line(
    args: list[str], words: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "a-long-enough-session-token")
    assert main(["assistant", *args]) == 1
    captured = capsys.readouterr()
    assert words in captured.err and "Traceback" not in captured.err
    assert captured.out == ""


def test_without_the_sdk_the_assistant_says_how_to_install_it() -> None:
    # The SDK may be installed here: hide it from the child, as on a machine without the extra.
    hidden = "import sys; sys.modules['zoom_meeting_sdk'] = None; from zoomhost.cli import main; raise SystemExit(main(['assistant']))"
    done = subprocess.run(
        [sys.executable, "-c", hidden], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        env={**os.environ, TOKEN_ENV: "a-long-enough-session-token"},
    )  # fmt: skip
    assert done.returncode == 1 and done.stdout == ""
    assert "Meeting SDK is not installed" in done.stderr and "zoomhost[assistant]" in done.stderr


def test_panel_starts_the_assistant_with_only_the_environment_it_needs_and_the_token_on_its_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A script set the Zoom app's credentials for the panel: the assistant needs none of them.
    monkeypatch.setenv("ZOOMHOST_CLIENT_SECRET", "the-schools-client-secret-7f3a")
    monkeypatch.setenv("ZOOMHOST_ACCOUNT_ID", "account-id-4411")
    monkeypatch.setenv("ZOOMHOST_CLIENT_ID", "client-id-9931")
    monkeypatch.setenv("SOME_OTHER_TOOL_PASSWORD", "hunter2-not-for-the-assistant")

    async def scenario() -> None:
        state = ZoomState()
        bridge = RehearsalBridge(state=state)
        await bridge.start()
        running = await start_assistant(rehearsal_url=bridge.url)
        try:
            cmdline = Path(f"/proc/{running.pid}/cmdline").read_bytes().decode()
            environ = Path(f"/proc/{running.pid}/environ").read_bytes().decode(errors="replace")
            names = {entry.partition("=")[0] for entry in environ.split("\0") if entry}
            assert running.token not in cmdline and running.token not in environ
            for secret in ("the-schools-client-secret-7f3a", "account-id-4411", "client-id-9931", "hunter2"):
                assert secret not in environ
            assert names.isdisjoint({"ZOOMHOST_CLIENT_SECRET", "ZOOMHOST_ACCOUNT_ID", "ZOOMHOST_CLIENT_ID", TOKEN_ENV})
            assert {"PATH", "ZOOMHOST_HOME"} <= names  # what it does need: to find Python, and zoomhost's own folders
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


def _standalone(bridge_url: str, *args: str, env: dict[str, str]) -> asyncio.subprocess.Process:
    return asyncio.create_subprocess_exec(
        sys.executable, "-m", "zoomhost", "assistant", "--rehearsal", bridge_url, "--exit-with-stdin", *args,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip


def test_standalone_assistant_without_a_token_refuses_and_prints_none() -> None:
    env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
    done = subprocess.run(
        [sys.executable, "-m", "zoomhost", "assistant", "--rehearsal", "ws://127.0.0.1:9"],
        capture_output=True, text=True, timeout=60, env=env, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 1 and done.stdout == ""
    assert "needs a session token" in done.stderr and "--token-file" in done.stderr and TOKEN_ENV in done.stderr


def test_standalone_assistant_writes_a_new_token_to_a_file_only_its_owner_can_read(tmp_path: Path) -> None:
    token_file = tmp_path / "assistant-token"

    async def scenario() -> tuple[dict[str, object], bytes, bytes]:
        bridge = RehearsalBridge(state=ZoomState())
        await bridge.start()
        env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
        process = await _standalone(bridge.url, "--token-file", str(token_file), env=env)
        try:
            first = json.loads(await asyncio.wait_for(process.stdout.readline(), 30))
            token = token_file.read_text().strip()
            channel = AssistantChannel(url=f"ws://127.0.0.1:{first['port']}", token=token)
            await channel.connect()
            await until(lambda: channel.connected)
            await channel.close()
        finally:
            process.stdin.close()
            await asyncio.wait_for(process.wait(), 20)
            await bridge.close()
        return first, await process.stdout.read(), await process.stderr.read()

    first, rest, err = asyncio.run(scenario())
    token = token_file.read_text().strip()
    assert len(token) >= 32 and stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert set(first) == {"port", "host", "tls", "pid"}  # the first line says where, never the token
    assert rest == b"" and token.encode() not in err
    assert str(token_file) in err.decode()  # the operator is told where the token is

    # Started again with the same file, it keeps that token: the panel's copy still works.
    async def again() -> None:
        bridge = RehearsalBridge(state=ZoomState())
        await bridge.start()
        env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
        process = await _standalone(bridge.url, "--token-file", str(token_file), env=env)
        try:
            port = json.loads(await asyncio.wait_for(process.stdout.readline(), 30))["port"]
            channel = AssistantChannel(url=f"ws://127.0.0.1:{port}", token=token)
            await channel.connect()
            await until(lambda: channel.connected)
            await channel.close()
        finally:
            process.stdin.close()
            await asyncio.wait_for(process.wait(), 20)
            await bridge.close()

    asyncio.run(again())
    assert token_file.read_text().strip() == token


def test_a_token_file_others_can_read_is_refused(tmp_path: Path) -> None:
    token_file = tmp_path / "assistant-token"
    token_file.write_text("a-token-everyone-on-this-computer-can-read\n")
    token_file.chmod(0o644)
    fifo = tmp_path / "a-pipe"
    os.mkfifo(fifo, 0o600)
    env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
    for path, words in ((token_file, "can be read by other users"), (fifo, "is not a file")):
        done = subprocess.run(
            [sys.executable, "-m", "zoomhost", "assistant", "--rehearsal", "ws://127.0.0.1:9", "--token-file", str(path)],
            capture_output=True, text=True, timeout=60, env=env, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        assert done.returncode == 1 and done.stdout == "", done.stderr
        assert words in done.stderr and "a-token-everyone" not in done.stderr


def test_the_token_variable_is_read_once_and_removed_from_the_assistants_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(TOKEN_ENV, "a-long-enough-session-token")
    assert main(["assistant", "--listen", "nonsense"]) == 1  # it stops early, after reading the token
    assert TOKEN_ENV not in os.environ
    assert "a-long-enough-session-token" not in capsys.readouterr().err


def test_a_short_token_variable_is_refused(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(TOKEN_ENV, "short")
    assert main(["assistant"]) == 1
    captured = capsys.readouterr()
    assert "too short" in captured.err and captured.out == ""


def test_an_assistant_standing_by_that_has_stopped_is_never_handed_to_a_session() -> None:
    """A session takes a standing-by assistant only while its process runs; otherwise it starts its own, and
    asking again puts a new one in its place."""

    async def scenario() -> None:
        bridge = RehearsalBridge(state=ZoomState())
        await bridge.start()
        standby = Standby()
        try:
            standby.prepare(rehearsal_url=bridge.url)
            await until(lambda: standby.ready(rehearsal_url=bridge.url), timeout=60)
            taken = await standby.take(rehearsal_url=bridge.url)
            assert taken is not None and taken.process.returncode is None
            assert await standby.take(rehearsal_url=bridge.url) is None, "one assistant, handed out once"
            assert await taken.stop() == 0

            standby.prepare(rehearsal_url=bridge.url)
            await until(lambda: standby.ready(rehearsal_url=bridge.url), timeout=60)
            crashed = standby._waiting[bridge.url].result()  # noqa: SLF001 - the process a crash takes away
            crashed.process.kill()
            await crashed.process.wait()
            assert not standby.ready(rehearsal_url=bridge.url)
            assert await standby.take(rehearsal_url=bridge.url) is None

            standby.prepare(rehearsal_url=bridge.url)  # asked again: a new one stands by
            await until(lambda: standby.ready(rehearsal_url=bridge.url), timeout=60)
            again = await standby.take(rehearsal_url=bridge.url)
            assert again is not None and again.pid != crashed.pid and again.process.returncode is None
            assert await again.stop() == 0
        finally:
            await standby.close()
            await bridge.close()

    asyncio.run(scenario())
