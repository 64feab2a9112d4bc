"""Benchmark 3 — admit all consented for the 272-pupil assembly, through the host assistant.

What is timed is the teacher's **Admit all consented** button: ``LiveController.admit_all_consented()``
on the app's engine, which journals every admission as a command, sends them all at once over
the control connection, and journals their results. The assistant carries them out one at a time
(the Meeting SDK's order is the teacher's order), each one a round trip to Zoom (the rehearsal Zoom,
in a process of its own as the app runs it).

The floor is what Zoom itself needs for the same work, with nothing of zoomhost's in the way: one
panel round trip (a message the assistant answers without touching the SDK) plus the same number of
admissions asked straight over the rehearsal's bridge, one after another as the assistant asks them
(no assistant, no panel), on a waiting room prepared the same way: the same scenario played into a
second rehearsal Zoom process, measured in the same run on loopback, its admitted participants put
back in the waiting room between rounds. So the ratio is what zoomhost adds on top of Zoom's own
admissions. The floor used before (one panel round trip plus one host-control *read* per pupil) is
printed too, as ``floor_by_reads_ms``: an admission changes the meeting and announces it to every
listener, which a read does not, so that floor was below what any client of that Zoom could reach.
Goal: ≤ 1.2 × the floor.
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


def _waiting_room_of(zoom: RehearsalZoomProcess, scenario_name: str, remote: RemoteZoomState) -> list[int]:
    """Play the scenario into ``zoom`` as the rig does; everyone waiting once it has stopped changing."""
    meeting = zoom.meetings[SCENARIOS[scenario_name]().meeting]
    zoom.play(scenario_name, speed=100_000)
    deadline, last = time.monotonic() + 60, None
    while True:
        there = sorted(p.user_id for p in remote.waiting_room(meeting))
        if there and there == last:
            return there
        if time.monotonic() > deadline:
            raise TimeoutError("timed out waiting for the rehearsal's waiting room to fill")
        last = there
        time.sleep(0.3)


def zoom_admissions(scenario_name: str, count: int, *, rounds: int) -> float:
    """Seconds for ``count`` admissions straight over a rehearsal Zoom's bridge (median of ``rounds``)."""
    zoom = RehearsalZoomProcess().start()
    try:
        assert zoom.bridge_url is not None
        meeting = zoom.meetings[SCENARIOS[scenario_name]().meeting]
        remote = RemoteZoomState(zoom.bridge_url)
        try:
            admitting = _waiting_room_of(zoom, scenario_name, remote)[:count]
            times = []
            for _ in range(rounds):
                start = time.perf_counter()
                for user_id in admitting:
                    remote.admit(meeting, user_id)
                times.append(time.perf_counter() - start)
                for user_id in admitting:  # back where they were, for the next round
                    remote.put_in_waiting_room(meeting, user_id)
            return median_of(times)
        finally:
            remote.close()
    finally:
        zoom.stop()


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


def run(*, scenario: str = "assembly", samples: int = 50, repeat: int = 3, rounds: int = 5) -> Result:
    runs = []
    with isolated_home():
        for _ in range(repeat):  # a fresh meeting each time: admitting twice would admit nobody
            server = RehearsalZoomProcess().start()  # Zoom's side in its own process, as the app runs it
            try:
                measured = asyncio.run(_measure(server, scenario, samples))
            finally:
                server.stop()
            # Zoom's own admissions, as many, on a waiting room played the same way (a second rehearsal Zoom).
            measured["zoom_admissions"] = zoom_admissions(scenario, int(measured["wanted"]), rounds=rounds)
            runs.append(measured)
    m = {key: median_of([r[key] for r in runs]) for key in runs[0]}
    floor_ms = (m["panel_rtt"] + m["zoom_admissions"]) * 1000
    reads_floor_ms = (m["panel_rtt"] + m["wanted"] * m["zoom_rtt"]) * 1000
    measured_ms = m["answered"] * 1000
    return Result(
        key="admit_all",
        title=f"Admit all consented ({int(m['wanted'])} waiting, {scenario})",
        baseline_label="floor: one panel round trip + as many admissions straight over Zoom's bridge",
        baseline=floor_ms,
        measured=measured_ms,
        unit="ms",
        goal=f"≤ {GOAL}× floor",
        met=measured_ms <= GOAL * floor_ms,
        details={
            "admitted": int(m["admitted"]),
            "panel_rtt_ms": round(m["panel_rtt"] * 1000, 3),
            "zoom_admit_ms": round(m["zoom_admissions"] / max(1, m["wanted"]) * 1000, 3),  # each, straight over the bridge
            "zoom_rtt_ms": round(m["zoom_rtt"] * 1000, 3),  # one host-control read
            "floor_by_reads_ms": f"{reads_floor_ms:.1f} (one panel round trip + one Zoom read per pupil: {measured_ms / reads_floor_ms:.2f}×)",
            "until_all_shown_in_ms": round(m["shown"] * 1000, 1),
            "runs_ms": [round(r["answered"] * 1000) for r in runs],
            "floors_ms": [round((r["panel_rtt"] + r["zoom_admissions"]) * 1000) for r in runs],
        },
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="assembly")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5, help="rounds of Zoom's own admissions per run, for the floor")
    args = parser.parse_args(argv)
    print("\n".join(run(scenario=args.scenario, repeat=args.repeat, rounds=args.rounds).lines()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
