"""Run every benchmark (or those named) and print one table: baseline, measurement, ratio, goal.

    python -m bench.run                 # all seven, full sizes (a few minutes)
    python -m bench.run classifier preflight
    python -m bench.run --small         # small sizes: checks they run, the figures mean little

The figures are also written to bench/results/<time>.json and bench/results/latest.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from collections.abc import Callable, Sequence
from typing import Any

from bench import admit_all, arrival, classifier, memory, panic, preflight, startup
from bench.common import RESULTS, Result, figure, write_results

#: name -> (full-size run, small run), in the issue's order.
BENCHMARKS: dict[str, tuple[Callable[[], Result], Callable[[], Result]]] = {
    "startup": (startup.run, lambda: startup.run(repeat=1)),
    "arrival": (arrival.run, arrival.run),
    "admit_all": (admit_all.run, lambda: admit_all.run(scenario="class", samples=5, repeat=1, rounds=1)),
    "panic": (panic.run, lambda: panic.run(repeat=1)),
    "classifier": (classifier.run, lambda: classifier.run(pupils=200, arrivals=300, repeat=1)),
    "memory": (memory.run, memory.run),
    "preflight": (preflight.run, lambda: preflight.run(latency_ms=20, repeat=1, round_trips=2)),
}


def table(results: Sequence[Result]) -> str:
    """A Markdown table: the README's, as printed."""
    rows = ["| benchmark | baseline | measured | ratio | goal | met |", "|---|---|---|---|---|---|"]
    for r in results:
        rows.append(
            f"| {r.title} | {figure(r.baseline, r.unit)} ({r.baseline_label}) | {figure(r.measured, r.unit)} | "
            f"{r.ratio:.2f}× (+{figure(r.above, r.unit)}) | {r.goal} | {'yes' if r.met else 'no'} |"
        )
    return "\n".join(rows)


def run(names: Sequence[str], *, small: bool, echo: Callable[[str], Any] = print) -> list[Result]:
    results = []
    for name in names:
        full, quick = BENCHMARKS[name]
        started = time.monotonic()
        result = (quick if small else full)()
        results.append(result)
        echo("\n".join(result.lines()) + f"\n  ({time.monotonic() - started:.0f} s)\n")
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run zoomhost's benchmarks and print their table.")
    parser.add_argument("names", nargs="*", choices=[[], *BENCHMARKS], metavar="NAME", help=f"any of {', '.join(BENCHMARKS)}")
    parser.add_argument("--small", action="store_true", help="small sizes, to check the benchmarks run")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write the JSON (default bench/results)")
    args = parser.parse_args(argv)
    names = list(args.names) or list(BENCHMARKS)
    results = run(names, small=args.small, echo=lambda text: print(text, flush=True))
    command = "python -m bench.run" + (" --small" if args.small else "") + "".join(f" {n}" for n in args.names)
    path = write_results(results, command=command, folder=args.results)
    print(table(results))
    print(f"\n{command}  ->  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
