"""The smoke test every bundle passes, on Linux, Windows and macOS alike (standard library only).

    python packaging/smoke_test.py PROGRAM [--keyring]

PROGRAM is the built program (``dist/zoomhost/zoomhost``, ``dist\\zoomhost\\zoomhost-cli.exe``, or
``dist/zoomhost.app/Contents/MacOS/zoomhost``). It checks: the version; the data folders; a dry run
of a small register; a short headless class rehearsal; the window opening offscreen until it has
connected to its rehearsal Zoom; and, with ``--keyring``, a store/read/delete in the system keyring
(Secret Service, Keychain, Credential Manager). Each step prints one line; the exit status is the
number of failed steps. CI runs it on each system after building (.github/workflows/bundles.yml).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def source_version() -> str:
    text = (REPO / "zoomhost" / "__init__.py").read_text(encoding="utf-8")
    return next(line.split("=", 1)[1].strip().strip("\"'") for line in text.splitlines() if line.startswith("__version__"))


class Smoke:
    def __init__(self, program: Path, scratch: Path) -> None:
        self.program = program
        self.scratch = scratch
        self.failed = 0

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ZOOMHOST_", "PYTHON"))}
        env.update({"ZOOMHOST_HOME": str(self.scratch / "zh"), "QT_QPA_PLATFORM": "offscreen", **extra})
        return env

    def run(self, *args: str, timeout: float = 120, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.program), *args], env=env or self.env(), cwd=self.scratch,
                              capture_output=True, text=True, timeout=timeout, encoding="utf-8")

    def step(self, name: str, check) -> None:  # noqa: ANN001 - a callable raising AssertionError with why
        try:
            check()
        except Exception as err:  # noqa: BLE001 - every failure is reported, then the next step runs
            self.failed += 1
            print(f"FAIL  {name}: {err}", flush=True)
        else:
            print(f"PASS  {name}", flush=True)

    # -- the steps ---------------------------------------------------------------------------------
    def version(self) -> None:
        proc = self.run("--version")
        assert proc.returncode == 0 and proc.stdout.strip() == f"zoomhost {source_version()}", proc.stdout + proc.stderr

    def paths(self) -> None:
        proc = self.run("paths")
        assert proc.returncode == 0, proc.stderr
        listed = dict(line.split(None, 1) for line in proc.stdout.splitlines())
        assert set(listed) == {"data", "config", "logs", "cache"}, listed
        assert all(Path(p).is_dir() for p in listed.values()), listed

    def dry_run(self) -> None:
        register = self.scratch / "register.csv"
        register.write_text("First name,Surname,Class,Consent\nAmy,Brown,3B,yes\nBen,Cole,3B,no\n", encoding="utf-8")
        names = self.scratch / "names.txt"
        names.write_text("Amy B\nBen\niPad\n", encoding="utf-8")
        proc = self.run("dry-run", "--register", str(register), str(names), "--json")
        assert proc.returncode == 0, proc.stderr[-2000:]
        verdicts = {row["name"]: row["verdict"] for row in map(json.loads, filter(str.strip, proc.stdout.splitlines()))}
        assert verdicts == {"Amy B": "consented", "Ben": "no_consent", "iPad": "not_on_register"}, verdicts

    def rehearsal(self) -> None:
        proc = self.run("rehearse", "--scenario", "class", "--speed", "50", "--headless", "--json", timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
        summary = json.loads(proc.stdout)
        assert summary["arrivals"] > 0 and 0 < summary["admitted"] <= summary["arrivals"], summary

    def window(self) -> None:
        home = self.scratch / "window"
        log = home / "logs" / "zoomhost.log"
        app = subprocess.Popen([str(self.program)], env=self.env(ZOOMHOST_HOME=str(home)), cwd=self.scratch,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and app.poll() is None:
                if log.exists() and "connected in rehearsal mode" in log.read_text(encoding="utf-8", errors="replace"):
                    break
                time.sleep(0.5)
            running = app.poll() is None
        finally:
            app.terminate()
            _, err = app.communicate(timeout=30)
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        assert running and "connected in rehearsal mode" in text, (err or "")[-2000:] + text[-2000:]
        assert " ERROR " not in text and "Traceback" not in (err or ""), text[-2000:]

    def keyring(self) -> None:
        proc = self.run("--bundle-check", "--keyring-roundtrip")
        assert proc.returncode == 0, proc.stderr[-2000:]
        report = json.loads(proc.stdout)["keyring"]
        assert report["roundtrip"] == "ok", report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("program", type=Path)
    parser.add_argument("--keyring", action="store_true", help="also store, read and delete a value in the system keyring")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="zoomhost-smoke-") as scratch:
        smoke = Smoke(args.program.resolve(), Path(scratch))
        steps = [("version", smoke.version), ("paths", smoke.paths), ("dry-run", smoke.dry_run),
                 ("headless class rehearsal", smoke.rehearsal), ("window offscreen", smoke.window)]
        if args.keyring:
            steps.append(("keyring round trip", smoke.keyring))
        for name, check in steps:
            smoke.step(name, check)
    print(f"{len(steps) - smoke.failed} of {len(steps)} smoke steps passed", flush=True)
    return smoke.failed


if __name__ == "__main__":
    sys.exit(main())
