"""Every Meeting SDK call runs on the one thread that runs the SDK's main loop; without GLib the assistant refuses.

Zoom's Linux SDK delivers its callbacks through a GLib main loop and is not thread-safe: the
assistant makes every call (sign in, join, each command, each look at the waiting room, leaving)
on that loop's thread. Here the rehearsal binding is watched call by call over a real control
connection; the GLib loop runs in a child process on Debian's python3-gi; the real SDK is started
on it; and an assistant whose Python lacks GLib refuses to start with a sentence, which makes the
panel fall back at once instead of starting it again.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from tests.assistant.glib import glib_pythonpath
from tests.assistant.helpers import SDK_KEY, SDK_SECRET, until
from tests.conftest import REPO, require
from tests.core.live_helpers import CONSENTED, MEETING, T0, Clock, classify, journals
from zoomhost.assistant.client import AssistantChannel
from zoomhost.assistant.fallback import ManualChannel
from zoomhost.assistant.launcher import AssistantLauncher
from zoomhost.assistant.sdk_adapter import make_sdk_jwt
from zoomhost.assistant.server import AssistantServer
from zoomhost.core.control import new_command_id
from zoomhost.core.journal import JournalKind
from zoomhost.core.session import LiveSession
from zoomhost.live.engine import LiveController
from zoomhost.rehearsal.binding import RehearsalBinding
from zoomhost.rehearsal.state import ZoomState

TOKEN = "a-session-token-for-tests-0123456789"


class Watched:
    """A binding (and every service, controller and callback object it hands out) that notes the thread of each call."""

    def __init__(self, target: Any, calls: list[tuple[str, str]], path: str = "sdk") -> None:
        self._target, self._calls, self._path = target, calls, path

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if not callable(value) or hasattr(value, "__members__"):
            return value  # a constant, or an enum the adapter reads values from

        def call(*args: Any, **kwargs: Any) -> Any:
            self._calls.append((f"{self._path}.{name}", threading.current_thread().name))
            result = value(*args, **kwargs)
            if str(getattr(result, "_surface_class", "")).startswith("I"):  # a service, a controller, a user: watched too
                return Watched(result, self._calls, f"{self._path}.{name}()")
            return result  # a parameter or callbacks object the adapter fills in

        return call


def test_every_sdk_call_runs_on_the_binding_s_main_loop_thread() -> None:
    async def scenario() -> None:
        state = ZoomState()
        state.register_sdk_app(SDK_KEY, SDK_SECRET)
        meeting = state.class_meeting_id
        state.start_meeting(meeting)
        state.host_admits_assistant(meeting)
        binding = RehearsalBinding(state=state)
        calls: list[tuple[str, str]] = []
        loop_thread = binding.sdk_main_loop.thread.name
        server = AssistantServer(binding=Watched(binding, calls), token=TOKEN, poll_interval=0.02, main_loop=binding.sdk_main_loop)
        await server.start()
        try:
            channel = AssistantChannel(url=f"ws://127.0.0.1:{server.port}", token=TOKEN)
            await channel.connect()
            await channel.join(meeting_number=meeting, passcode=state.meetings[meeting].password, sdk_jwt=make_sdk_jwt(sdk_key=SDK_KEY, sdk_secret=SDK_SECRET))
            await channel.wait_for_status(lambda s: s.can_host, timeout=10)
            pupil = state.arrive(meeting, "Amy B")
            await until(lambda: any(name.endswith("GetWaitingRoomLst") for name, _ in calls), what="a look at the waiting room")
            assert (await channel.admit(str(pupil.user_id), command_id=new_command_id())).ok
            assert (await channel.mute_all()).ok
            assert (await channel.allow_rename(False)).ok
            await channel.close()
        finally:
            await server.close()
        names = {name.rsplit(".", 1)[-1] for name, _ in calls}
        assert {"InitSDK", "SDKAuth", "Join", "GetWaitingRoomLst", "AdmitToMeeting", "MuteAudio", "AllowParticipantsToRename", "Leave"} <= names
        elsewhere = sorted({(name, thread) for name, thread in calls if thread != loop_thread})
        assert elsewhere == [], f"SDK calls off the main loop's thread: {elsewhere[:5]}"

    asyncio.run(scenario())


def _child(code: str, tmp_path: Path, *, glib: bool = True, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    paths = [str(REPO)] + ([glib_pythonpath(tmp_path / "glib")] if glib else [])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p), "ZOOMHOST_HOME": str(tmp_path / "home"), **(extra or {})}
    env.pop("SSB_HOME", None)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env, cwd=REPO)


def test_the_glib_main_loop_runs_work_in_order_on_its_own_thread_and_hands_back_failures(tmp_path: Path) -> None:
    code = """
import json, threading
from zoomhost.assistant.main_loop import glib_main_loop
loop = glib_main_loop()
order = []
futures = [loop.submit(lambda n=n: (order.append(n), threading.current_thread().name)[1]) for n in range(50)]
threads = {f.result(5) for f in futures}
failed = loop.submit(lambda: 1 / 0).exception(5)
inside = loop.submit(loop.in_loop).result(5)
loop.close()
print(json.dumps({"threads": sorted(threads), "order": order == list(range(50)), "failed": type(failed).__name__,
                  "inside": inside, "outside": loop.in_loop(), "stopped": not loop.thread.is_alive()}))
"""
    done = _child(code, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "threads": ["meeting-sdk-main-loop"], "order": True, "failed": "ZeroDivisionError", "inside": True, "outside": False, "stopped": True,
    }  # fmt: skip


def test_the_real_sdk_is_started_and_asked_to_sign_in_on_the_glib_main_loop(tmp_path: Path) -> None:
    import importlib.util

    require(importlib.util.find_spec("zoom_meeting_sdk") is not None, "zoom-meeting-sdk (the assistant extra) is not installed")
    code = """
import json, threading
from zoomhost.app.host_assistant import load_binding
from zoomhost.assistant.sdk_adapter import SdkAdapter, make_sdk_jwt
binding, loop = load_binding(None)
said = []
adapter = SdkAdapter(binding=binding, on_event=lambda e: None, on_status=lambda s: said.append((threading.current_thread().name, s.state)))
loop.submit(lambda: adapter.start(sdk_jwt=make_sdk_jwt(sdk_key="probeSdkKey000001", sdk_secret="probe-sdk-secret-0123456789abcdef"))).result(60)
print(json.dumps({"loop": loop.thread.name, "said": list(said)}), flush=True)
import os; os._exit(0)  # the SDK's own teardown is not what this test is about
"""
    done = _child(code, tmp_path, extra={"HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    # InitSDK, CreateMeetingService, SetEvent and SDKAuth all answered SUCCESS on the loop's thread (Zoom's
    # answer to the sign-in needs its servers, out of reach here).
    assert found["loop"] == "meeting-sdk-main-loop" and found["said"][0] == ["meeting-sdk-main-loop", "authenticating"]
    assert {thread for thread, _ in found["said"]} == {"meeting-sdk-main-loop"}


def _no_glib(folder: Path) -> str:
    """A folder whose ``gi`` cannot be imported, as on a Python without PyGObject."""
    (folder / "gi").mkdir(parents=True)
    (folder / "gi" / "__init__.py").write_text("raise ImportError('No module named gi (hidden by the test)')\n", encoding="utf-8")
    return str(folder)


def test_without_glib_the_assistant_refuses_to_start_and_says_what_to_install(tmp_path: Path) -> None:
    import importlib.util

    require(importlib.util.find_spec("zoom_meeting_sdk") is not None, "zoom-meeting-sdk (the assistant extra) is not installed")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), _no_glib(tmp_path / "hide")]), "ZOOMHOST_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-m", "zoomhost", "assistant", "--token-on-stdin"],
        input="a-long-enough-session-token\n", capture_output=True, text=True, timeout=120, env=env, cwd=REPO,
    )  # fmt: skip
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "GLib's Python bindings" in done.stderr and "python3-gi" in done.stderr
    refused = json.loads(done.stdout.splitlines()[0])  # what the panel reads
    assert "GLib" in refused["refused"] and "python3-gi" in refused["hint"]


def test_the_panel_falls_back_at_once_and_says_why_when_the_assistant_cannot_run(tmp_path: Path, monkeypatch: Any) -> None:
    import importlib.util

    require(importlib.util.find_spec("zoom_meeting_sdk") is not None, "zoom-meeting-sdk (the assistant extra) is not installed")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO), _no_glib(tmp_path / "hide")]))  # the child's Python has no GLib

    async def scenario() -> None:
        journal = journals().create(meeting_id=MEETING, topic="Assembly", planned_minutes=30, started_at=T0, rehearsal=False)
        session = LiveSession(journal=journal, classify=classify, expected_pupils=CONSENTED, clock=Clock())
        launcher = AssistantLauncher(
            meeting_number=int(MEETING),
            passcode="",
            sdk_jwt=lambda: make_sdk_jwt(sdk_key=SDK_KEY, sdk_secret=SDK_SECRET),
            end_meeting=None,
        )
        controller = LiveController(
            session=session, fallback=ManualChannel(end_meeting=None), connect_assistant=launcher, clock=Clock(), auto_lock_after=None
        )
        await controller.start()

        def fell_back() -> list[Any]:
            return [
                e for e in session.journal.entries()
                if e.kind is JournalKind.NOTE and e.detail.get("note") == "channel" and e.detail["state"] == "fallen_back"
            ]  # fmt: skip

        try:
            await until(lambda: fell_back(), timeout=90, what="the fallback")
            await asyncio.sleep(3)  # long enough for a retry to show, were there one
            assert controller.assistant_attempts == 1  # tried once, never again
            assert launcher.launches == 0  # (it refused before it listened: no assistant ever ran)
            fell = fell_back()
            assert len(fell) == 1 and "GLib" in fell[0].detail["message"] and "python3-gi" in fell[0].detail["message"]
            assert controller.channel.name == "manual"
        finally:
            await controller.close()
            await launcher.close()

    asyncio.run(scenario())
