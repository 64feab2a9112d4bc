"""Benchmark 3 — admit all consented for the 272-pupil assembly, through the host assistant.

What is timed is the teacher's **Admit all consented** button: ``LiveController.admit_all_consented()``
on the app's engine, which journals every admission as a command, sends them all at once over
the control connection, and journals their results. The assistant carries them out one at a time
(the Meeting SDK's order is the teacher's order), each one a round trip to Zoom (the rehearsal Zoom,
in a process of its own as the app runs it). So the floor is
one panel round trip plus one Zoom round trip per pupil, both measured in the same run on the
same sockets: the panel's with a message the assistant answers without touching the SDK, Zoom's
with a host-control read through the same bridge. Goal: ≤ 1.2 × the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Sequence

from websockets.asyncio.client import connect

from bench.assistant_rig import AssistantRig, assistant_rig, until
from bench.common import Result, isolated_home, median_of
from zoomhost.app.rehearsal_zoom import RehearsalZoomProcess
from zoomhost.rehearsal.binding import RemoteZoomState
from zoomhost.rehearsal.scenarios import SCENARIOS

GOAL = 1.2


async def panel_round_trip(rig: AssistantRig, *, samples: int) -> float:
    """Seconds for one message to the assistant and its answer (an unknown message type: answered at once)."""
    times = []
    async with connect(rig.assistant.url, additional_headers={"Authorization": f"Bearer {rig.assistant.token}"}) as ws:
        await ws.recv()  # hello
        for _ in range(samples):
            start = time.perf_counter()
            await ws.send('{"type":"ping-for-benchmark"}')
            await ws.recv()
            times.append(time.perf_counter() - start)
    return median_of(times)


def zoom_round_trip(rig: AssistantRig, *, samples: int) -> float:
    """Seconds for one host-control call through the bridge, as the assistant makes it (sequential, blocking)."""
    remote = RemoteZoomState(rig.bridge_url)
    try:
        times = []
        for _ in range(samples):
            start = time.perf_counter()
            remote.is_live(rig.meeting)
            times.append(time.perf_counter() - start)
        return median_of(times)
    finally:
        remote.close()


async def _measure(server: RehearsalZoomProcess, scenario_name: str, samples: int) -> dict[str, float]:
    async with assistant_rig(server, SCENARIOS[scenario_name]()) as rig:
        panel = await panel_round_trip(rig, samples=samples)
        zoom = await asyncio.to_thread(zoom_round_trip, rig, samples=samples)
        wanted = len(rig.session.admissible_waiting())
        start = time.perf_counter()
        outcome = await rig.controller.admit_all_consented()
        answered = time.perf_counter() - start
        await until(lambda: not rig.session.admissible_waiting(), what="every consented pupil to be shown in")
        shown = time.perf_counter() - start
        return {
            "panel_rtt": panel,
            "zoom_rtt": zoom,
            "admitted": outcome.admitted,
            "wanted": wanted,
            "answered": answered,
            "shown": shown,
        }


def run(*, scenario: str = "assembly", samples: int = 50, repeat: int = 3) -> Result:
    runs = []
    with isolated_home():
        for _ in range(repeat):  # a fresh meeting each time: admitting twice would admit nobody
            server = RehearsalZoomProcess().start()  # Zoom's side in its own process, as the app runs it
            try:
                runs.append(asyncio.run(_measure(server, scenario, samples)))
            finally:
                server.stop()
    m = {key: median_of([r[key] for r in runs]) for key in runs[0]}
    floor_ms = (m["panel_rtt"] + m["wanted"] * m["zoom_rtt"]) * 1000
    measured_ms = m["answered"] * 1000
    return Result(
        key="admit_all",
        title=f"Admit all consented ({int(m['wanted'])} waiting, {scenario})",
        baseline_label="floor: one panel round trip + one Zoom round trip per pupil",
        baseline=floor_ms,
        measured=measured_ms,
        unit="ms",
        goal=f"≤ {GOAL}× floor",
        met=measured_ms <= GOAL * floor_ms,
        details={
            "admitted": int(m["admitted"]),
            "panel_rtt_ms": round(m["panel_rtt"] * 1000, 3),
            "zoom_rtt_ms": round(m["zoom_rtt"] * 1000, 3),
            "until_all_shown_in_ms": round(m["shown"] * 1000, 1),
            "runs_ms": [round(r["answered"] * 1000) for r in runs],
        },
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="assembly")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print("\n".join(run(scenario=args.scenario, repeat=args.repeat).lines()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
