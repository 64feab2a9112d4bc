"""The benchmarks run and produce numbers (at small sizes). The numbers themselves are not judged here."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bench import run as bench_run
from bench.common import Result, percentile


def _sound(result: Result) -> None:
    assert result.baseline > 0 and math.isfinite(result.baseline), result
    assert result.measured > 0 and math.isfinite(result.measured), result
    assert result.ratio == pytest.approx(result.measured / result.baseline)
    assert result.unit and result.goal and isinstance(result.met, bool)
    text = "\n".join(result.lines())
    assert result.title in text and "baseline" in text and ("met" in text or "MISSED" in text)
    json.dumps(result.as_dict())  # the results file can hold it


def test_the_classifier_benchmark_runs() -> None:
    _sound(bench_run.BENCHMARKS["classifier"][1]())


def test_admit_all_admits_everyone_the_register_allows() -> None:
    result = bench_run.BENCHMARKS["admit_all"][1]()
    _sound(result)
    assert result.details["admitted"] >= 20  # the class of 30: all but two without consent, one late, one renamer


def test_preflight_fixes_with_one_meeting_update() -> None:
    result = bench_run.BENCHMARKS["preflight"][1]()
    _sound(result)
    assert result.details["fix_meeting_updates"] == 1
    # Renaming is an account setting only an admin can change, by hand: the one check the fix leaves.
    assert result.details["rules_failing_before"] > 1 and result.details["rules_still_failing"] == ["rename_off"]


@pytest.mark.parametrize("name", ["startup", "panic"])
def test_the_window_benchmarks_run(name: str) -> None:
    result = bench_run.BENCHMARKS[name][1]()
    _sound(result)
    if name == "panic":
        assert result.details["token_warm"] is True


def test_arrival_and_memory_measure_every_arrival_of_the_assembly() -> None:
    arrival = bench_run.BENCHMARKS["arrival"][1]()
    _sound(arrival)
    assert arrival.details["rows"] >= 271 and arrival.details["longest_stall_ms"] >= 0
    assert arrival.details["p50_ms"] <= arrival.details["p99_ms"] <= arrival.details["max_ms"]
    memory = bench_run.BENCHMARKS["memory"][1]()
    _sound(memory)
    assert memory.details["arrivals"] >= 271


def test_run_prints_the_table_and_writes_the_results(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_run.main(["--small", "--results", str(tmp_path), "classifier"]) == 0
    printed = capsys.readouterr().out
    assert "| benchmark | baseline | measured | ratio | goal | met |" in printed
    assert "python -m bench.run --small classifier" in printed
    saved = json.loads((tmp_path / "latest.json").read_text(encoding="utf-8"))
    assert saved["command"] == "python -m bench.run --small classifier"
    (only,) = saved["results"]
    assert only["key"] == "classifier" and only["measured"] > 0 and only["baseline"] > 0


def test_percentile_is_nearest_rank() -> None:
    values = list(range(1, 101))
    assert percentile(values, 0.5) == 50 and percentile(values, 0.99) == 99 and percentile(values, 1.0) == 100
    assert percentile([7.0], 0.99) == 7.0
