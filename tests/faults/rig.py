"""Processes and probes for the fault-tolerance proof: an external rehearsal Zoom that keeps records,
zoomhost's headless rehearsal as a killable process, its children, and a scan for secrets.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RECORDING_SERVE = Path(__file__).resolve().parent / "recording_serve.py"


def clean_env(home: Path) -> dict[str, str]:
    """The environment of a child process: its own zoomhost home, no credentials from outside.

    The user's home, temporary and XDG folders are inside ``home`` too (``home/os``), so that
    every file the process writes anywhere, not only in zoomhost's own folders, is under
    ``home`` for the scan to read.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZOOMHOST_")}
    env["ZOOMHOST_HOME"] = str(home)
    env["QT_QPA_PLATFORM"] = "offscreen"
    os_home = home / "os"
    for name, folder in {"HOME": "", "TMPDIR": "tmp", "XDG_CACHE_HOME": ".cache", "XDG_CONFIG_HOME": ".config",
                         "XDG_DATA_HOME": ".local/share", "XDG_STATE_HOME": ".local/state"}.items():  # fmt: skip
        path = os_home / folder
        path.mkdir(parents=True, exist_ok=True)
        env[name] = str(path)
    return env


def wait_for(predicate: Callable[[], object], *, timeout: float, what: str, every: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(every)


class RehearsalZoom:
    """``zoomhost rehearsal serve`` in its own process (with the records route), stopped with Ctrl-C.

    On a Business plan: after zoomhost is killed, picking the session up checks Zoom's Dashboard,
    which a Pro plan (the rehearsal's default) does not have."""

    def __init__(self, *, home: Path, passcode: str, plan: str = "business") -> None:
        home.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, str(RECORDING_SERVE), "--passcode", passcode, "--plan", plan],
            env=clean_env(home),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.printed: list[str] = []
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.printed.append(line)
            if "Press Ctrl-C" in line:
                break
        found = re.search(r"API base:\s+(\S+)", "".join(self.printed))
        if found is None:
            self.stop()
            raise AssertionError("the rehearsal Zoom did not start:\n" + "".join(self.printed))
        self.api_base = found.group(1)
        self.admin_base = self.api_base.removesuffix("/v2")

    def admin(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.admin_base + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return json.loads(response.read() or b"{}")

    def faults(self, **switches: Any) -> dict[str, Any]:
        return self.admin("POST", "/_rehearsal/faults", switches)

    def fault_status(self) -> dict[str, Any]:
        return self.admin("GET", "/_rehearsal/faults")

    def records(self) -> dict[str, Any]:
        return self.admin("GET", "/_rehearsal/records")

    def meeting_is_live(self, meeting_id: int) -> bool:
        return str(meeting_id) in self.admin("GET", "/_rehearsal/state").get("live", {})

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def start_rehearse(
    *, api_base: str, home: Path, speed: float, log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """``zoomhost -v rehearse --scenario assembly --headless --json --server API_BASE`` (verbose: more to scan).

    ``env``: variables set for it as a script would (the Zoom app's credentials, say).
    """
    command = [
        sys.executable, "-m", "zoomhost", "-v", "rehearse", "--scenario", "assembly",
        "--speed", f"{speed:g}", "--headless", "--json", "--server", api_base,
    ]  # fmt: skip
    with log.open("a", encoding="utf-8") as err:
        return subprocess.Popen(
            command, env={**clean_env(home), **(env or {})}, stdout=subprocess.PIPE, stderr=err, text=True
        )


def finish(process: subprocess.Popen[str], *, timeout: float) -> dict[str, Any]:
    """Wait for a headless rehearsal to end; its one line of JSON."""
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
        raise AssertionError(f"the headless rehearsal did not finish in {timeout:g} s; it printed: {out!r}") from None
    assert process.returncode == 0, f"zoomhost rehearse exited with {process.returncode}: {out!r}"
    return json.loads(out.strip().splitlines()[-1])


def children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of every live process whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            state = stat.rsplit(")", 1)[1].split()[0]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        if parent == pid and state != "Z":
            found.append((int(entry.name), command))
    return found


def assistants_of(pid: int) -> list[int]:
    return [child for child, command in children(pid) if " assistant " in f"{command} "]


class AssistantWatch(threading.Thread):
    """Reads, while they run, the environment and command line of every host assistant the watched
    zoomhost processes start (``/proc/PID/environ`` is what anyone with the same user id can read),
    and each watched process's own environment once."""

    def __init__(self) -> None:
        super().__init__(name="assistant-watch", daemon=True)
        self.parents: dict[int, bytes] = {}
        self.assistants: dict[int, bytes] = {}  # pid -> environment, NUL, command line
        self.stop = threading.Event()
        self._lock = threading.Lock()

    def watch(self, pid: int) -> None:
        with self._lock:
            self.parents[pid] = b""

    def run(self) -> None:
        while not self.stop.is_set():
            with self._lock:
                parents = list(self.parents)
                for parent in parents:  # read once it is there (just after exec it may read empty)
                    self.parents[parent] = self.parents[parent] or _proc_bytes(parent, "environ")
            for parent in parents:
                for child in assistants_of(parent):
                    if child in self.assistants:
                        continue
                    environ, cmdline = _proc_bytes(child, "environ"), _proc_bytes(child, "cmdline")
                    if environ and b" assistant " in cmdline.replace(b"\0", b" ") + b" ":
                        self.assistants[child] = environ + b"\0" + cmdline
            self.stop.wait(0.05)

    def finish(self) -> None:
        self.stop.set()
        self.join(10)


def _proc_bytes(pid: int, name: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/{name}").read_bytes()
    except OSError:
        return b""


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@dataclass
class Secrets:
    """What must never be written down, by kind."""

    values: dict[str, list[str]] = field(default_factory=dict)

    def add(self, kind: str, values: Iterable[str]) -> None:
        self.values.setdefault(kind, []).extend(v for v in values if v)

    def items(self) -> Iterator[tuple[str, str]]:
        for kind, values in self.values.items():
            for value in values:
                yield kind, value


def readable_bytes(path: Path) -> bytes:
    """A file's bytes, plus for a PDF its inflated streams (text inside a PDF is usually compressed)."""
    raw = path.read_bytes()
    if not raw.startswith(b"%PDF"):
        return raw
    parts = [raw]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", raw, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def scan(folders: Iterable[Path], secrets: Secrets, *, texts: dict[str, str] | None = None) -> tuple[list[Path], list[str]]:
    """(files scanned, findings): every file under ``folders`` and each named text, searched for every secret."""
    files = sorted(p for folder in folders for p in folder.rglob("*") if p.is_file())
    findings = []
    for path in files:
        content = readable_bytes(path)
        for kind, value in secrets.items():
            if value.encode() in content:
                findings.append(f"{kind} in {path}")
    for name, text in (texts or {}).items():
        for kind, value in secrets.items():
            if value in text:
                findings.append(f"{kind} in {name}")
    return files, findings
