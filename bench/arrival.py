"""Benchmark 2 — arrival to row: the assembly's arrivals as fast as the rehearsal Zoom can send them.

The app runs on an embedded rehearsal Zoom with the practice register; the assembly is played at
100,000× so every arrival leaves at once. For each arrival: from Zoom producing it to its row in
the Live panel's model, and to the table's next paint; and the GUI thread's longest stall, from
a 5 ms heartbeat. The baseline is the rehearsal Zoom's own share: from producing an arrival to
writing it to the event socket. Goal: p99 ≤ 50 ms, longest stall ≤ 50 ms.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from bench.common import Result, percentile, run_probe

GOAL_MS = 50.0


def run(*, speed: float = 100_000.0) -> Result:
    _, out = run_probe("assembly", "--speed", f"{speed:g}")
    to_row = [x * 1000 for x in out["from_emitted"]]
    to_paint = [x * 1000 for x in out["to_painted"]]
    to_socket = [x * 1000 for x in out["to_socket"]]
    p99, stall = percentile(to_row, 0.99), out["longest_stall"] * 1000
    return Result(
        key="arrival",
        title=f"Arrival to row, {len(to_row)} arrivals at once (p99)",
        baseline_label="Zoom producing an arrival to writing it to the socket (p99)",
        baseline=percentile(to_socket, 0.99),
        measured=p99,
        unit="ms",
        goal=f"p99 ≤ {GOAL_MS:.0f} ms, longest GUI stall ≤ {GOAL_MS:.0f} ms",
        met=p99 <= GOAL_MS and stall <= GOAL_MS,
        details={
            "p50_ms": round(percentile(to_row, 0.5), 1),
            "p99_ms": round(p99, 1),
            "max_ms": round(max(to_row), 1),
            "painted_p99_ms": round(percentile(to_paint, 0.99), 1),
            "longest_stall_ms": round(stall, 1),
            "rows": out["rows"],
        },
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=float, default=100_000.0)
    args = parser.parse_args(argv)
    print("\n".join(run(speed=args.speed).lines()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
