"""Benchmark 1 — start-up: ``zoomhost`` in rehearsal mode to its first painted window.

Against a bare PySide6 main window of the same size started the same way (a fresh Python
process, Qt offscreen), alternating the two so both see the same machine. zoomhost is started
as the teacher's command starts it (``zoomhost --rehearsal``, through ``zoomhost.cli.main``). Time
runs from the parent launching the process to the child's first Paint event; the first page's
(Register) own first paint, a frame or two later, is reported beside it (``time.monotonic()`` is one clock
for every process on Linux). zoomhost's modules are compiled to bytecode first, as an installed
zoomhost's are (``bench.common.compiled_as_installed``). Every launch shares one zoomhost folder, as a
teacher's computer has one: the first launch (reported beside the others) keeps what the desktop check
found, as the first launch after installing does. Goal: ≤ 1.3 × the bare window.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence

from bench.common import Result, compiled_as_installed, median_of, run_probe

GOAL = 1.3


def run(*, repeat: int = 5) -> Result:
    compiled_as_installed()  # as a teacher's installed zoomhost is
    bare, app, page = [], [], []
    with tempfile.TemporaryDirectory(prefix="zoomhost-bench-") as home:
        # One zoomhost folder for every launch, as a teacher's computer keeps one: the first launch after
        # installing keeps what the desktop check found (the cache folder), and the next ones are answered from it.
        launched, out = run_probe("startup", home=home)
        first = (out["first_paint"] - launched) * 1000
        for _ in range(repeat):
            launched, out = run_probe("bare", home=home)
            bare.append((out["first_paint"] - launched) * 1000)
            launched, out = run_probe("startup", home=home)
            app.append((out["first_paint"] - launched) * 1000)
            page.append((out["page_paint"] - launched) * 1000)
    baseline, measured = median_of(bare), median_of(app)
    return Result(
        key="startup",
        title="Start-up to the first painted window (rehearsal mode)",
        baseline_label="bare PySide6 window, same launch",
        baseline=baseline,
        measured=measured,
        unit="ms",
        goal=f"≤ {GOAL}×",
        met=measured <= GOAL * baseline,
        details={
            "runs": repeat,
            "bare_ms": [round(x) for x in bare],
            "zoomhost_ms": [round(x) for x in app],
            # the first launch after installing: the desktop check asks the dynamic loader, and keeps its answer
            "first_launch_ms": round(first),
            "first_launch_ratio": round(first / baseline, 2),
            # the window paints first, its first page a little later: that later figure, and its ratio, too
            "register_page_ms": round(median_of(page)),
            "register_page_ratio": round(median_of(page) / baseline, 2),
        },
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    print("\n".join(run(repeat=args.repeat).lines()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
