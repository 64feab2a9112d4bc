"""What every benchmark shares: the result it reports, timing helpers, an isolated zoomhost home,
and a rehearsal Zoom with a signed-in client.

A benchmark measures its own baseline in the same run (a bare window, one loopback round trip,
a plain dictionary lookup), so the ratio it prints means something on whatever machine runs it.
Goals are reported against, never asserted.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from zoomhost.system.config import Settings

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True, kw_only=True)
class Result:
    """One benchmark's figures: its baseline, the measurement, and the goal they are judged by."""

    key: str  # short name: "classifier", "startup", …
    title: str  # what was measured, in a line
    baseline_label: str  # what the baseline is
    baseline: float
    measured: float
    unit: str  # of baseline and measured: "ms", "µs", "MB"
    goal: str  # the goal in words, e.g. "≤ 1.3×"
    met: bool
    details: dict[str, Any] = field(default_factory=dict)  # further figures (p50, counts, sizes)

    @property
    def ratio(self) -> float:
        return self.measured / self.baseline if self.baseline else float("inf")

    @property
    def above(self) -> float:
        return self.measured - self.baseline

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "baseline_label": self.baseline_label,
            "baseline": self.baseline,
            "measured": self.measured,
            "unit": self.unit,
            "ratio": self.ratio,
            "above": self.above,
            "goal": self.goal,
            "met": self.met,
            "details": self.details,
        }

    def lines(self) -> list[str]:
        """The result as a few lines of text, for a benchmark run on its own."""
        out = [
            f"{self.title}",
            f"  baseline  {figure(self.baseline, self.unit)}  ({self.baseline_label})",
            f"  measured  {figure(self.measured, self.unit)}",
            f"  ratio     {self.ratio:.2f}×   (+{figure(self.above, self.unit)})",
            f"  goal      {self.goal}   {'met' if self.met else 'MISSED'}",
        ]
        out += [f"  {name:<9} {_detail(value)}" for name, value in self.details.items()]
        return out


def figure(value: float, unit: str) -> str:
    if unit in ("ms", "µs") and abs(value) < 10:
        return f"{value:.2f} {unit}"
    if abs(value) < 100:
        return f"{value:.1f} {unit}"
    return f"{value:,.0f} {unit}"


def _detail(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (p99 of 250 samples is the 248th smallest)."""
    if not values:
        raise ValueError("no samples")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), -(-round(fraction * 1000) * len(ordered) // 1000)))
    return ordered[rank - 1]


def median_of(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def timed(fn: Callable[[], object], *, repeat: int) -> list[float]:
    """Seconds taken by each of ``repeat`` calls (garbage collection off while the clock runs)."""
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return times


@contextlib.contextmanager
def isolated_home() -> Iterator[Path]:
    """A throwaway ZOOMHOST_HOME, so a benchmark never writes into a teacher's real data."""
    previous = os.environ.get("ZOOMHOST_HOME")
    with tempfile.TemporaryDirectory(prefix="zoomhost-bench-") as folder:
        os.environ["ZOOMHOST_HOME"] = folder
        try:
            yield Path(folder)
        finally:
            if previous is None:
                os.environ.pop("ZOOMHOST_HOME", None)
            else:
                os.environ["ZOOMHOST_HOME"] = previous


def rehearsal_settings(server: Any) -> Settings:
    """Settings pointing at a running rehearsal Zoom (in-process ``RehearsalServer``)."""
    return replace(
        Settings(),
        api_base=server.api_base,
        oauth_base=server.oauth_base,
        ws_base=server.ws_base,
        subscription_id=server.subscription_id,
        school_email_domain=server.state.school_domain,
    )


def rehearsal_client(server: Any) -> Any:
    """A ZoomClient signed in to the rehearsal Zoom with its Server-to-Server credentials."""
    from zoomhost.zoom.auth import ServerToServerSignIn, ZoomAuth
    from zoomhost.zoom.client import ZoomClient
    from zoomhost.zoom.credentials import ServerToServerCredentials

    c = server.credentials
    settings = rehearsal_settings(server)
    sign_in = ServerToServerSignIn(
        credentials=ServerToServerCredentials(account_id=c.account_id, client_id=c.client_id, client_secret=c.client_secret),
        oauth_base=settings.oauth_base,
    )
    return ZoomClient(settings=settings, auth=ZoomAuth(sign_in))


def write_results(results: Sequence[Result], *, command: str, folder: Path = RESULTS) -> Path:
    """bench/results/<time>.json and latest.json: the figures and the command that produced them."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    body = {
        "command": command,
        "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "machine": {"cpus": os.cpu_count(), "platform": os.uname().sysname, "release": os.uname().release},
        "results": [r.as_dict() for r in results],
    }
    text = json.dumps(body, indent=2, ensure_ascii=False)
    path = folder / f"{stamp}.json"
    path.write_text(text, encoding="utf-8")
    (folder / "latest.json").write_text(text, encoding="utf-8")
    return path


PROBE = Path(__file__).resolve().parent / "gui_probe.py"


def run_probe(mode: str, *options: str, home: str | None = None, timeout: float = 240.0) -> tuple[float, dict[str, Any]]:
    """(launch time, the JSON it printed) of ``bench/gui_probe.py MODE`` in a fresh offscreen process; ``home``: a
    zoomhost folder the probe uses and keeps (``gui_probe.KEPT_HOME``), else it makes its own and removes it."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    if home is not None:
        env["ZOOMHOST_BENCH_HOME"] = home
    launched = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(PROBE), mode, *options], env=env, capture_output=True, text=True, timeout=timeout
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"gui_probe {mode} printed no result (exit {done.returncode}): {done.stderr[-2000:]}")
    return launched, json.loads(lines[-1])


def compiled_as_installed() -> None:
    """Compile zoomhost's modules to bytecode, as ``pip install`` and the desktop bundle do, so a launch
    measures the installed app rather than Python compiling a source tree (``PYTHONDONTWRITEBYTECODE``
    would make it compile every module at every start). Up-to-date files are left as they are."""
    import compileall

    import zoomhost

    compileall.compile_dir(Path(zoomhost.__file__).parent, quiet=1)
