"""Benchmark 6 — memory: the app's peak resident memory after the assembly, against a bare PySide6 window.

The app plays the whole assembly on the Live page (embedded rehearsal Zoom, practice register),
ends it and shows the summary; its peak RSS (VmHWM) is then read. The bare window's peak RSS
after its first paint is the baseline. Goal: ≤ 1.5 ×.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from bench.common import Result, compiled_as_installed, run_probe

GOAL = 1.5


def run(*, speed: float = 100_000.0) -> Result:
    compiled_as_installed()  # as a teacher's installed zoomhost is
    _, bare = run_probe("bare")
    _, app = run_probe("assembly", "--speed", f"{speed:g}")
    baseline, measured = bare["peak_rss_kb"] / 1024, app["peak_rss_kb"] / 1024
    return Result(
        key="memory",
        title="Peak resident memory after the assembly",
        baseline_label="bare PySide6 window",
        baseline=baseline,
        measured=measured,
        unit="MB",
        goal=f"≤ {GOAL}×",
        met=measured <= GOAL * baseline,
        details={"arrivals": app["rows"]},
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    print("\n".join(run().lines()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
