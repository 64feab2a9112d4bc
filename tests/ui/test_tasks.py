"""Background tasks report on the GUI thread, and late work after the I/O thread stops is dropped quietly."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import warnings

import pytest
from PySide6.QtCore import QObject

from zoomhost.system.runtime import AsyncRunner, RunnerStopped
from zoomhost.ui.tasks import Task


def test_a_result_comes_back_on_the_gui_thread(qtbot) -> None:
    parent = QObject()
    got: list[int] = []
    with AsyncRunner(name="test-tasks") as runner:

        async def work() -> int:
            await asyncio.sleep(0)
            return 42

        Task(parent, runner, work).success(got.append).start()
        qtbot.waitUntil(lambda: got == [42], timeout=5000)


def test_work_submitted_after_stop_is_dropped_without_an_error(qtbot) -> None:
    parent = QObject()
    runner = AsyncRunner(name="test-tasks")
    runner.stop()
    started: list[str] = []

    async def work() -> None:
        started.append("ran")

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a coroutine left un-awaited would warn
        task = Task(parent, runner, work).success(lambda _: started.append("success")).start()
        assert task.future is None
        with pytest.raises(RunnerStopped):
            runner.submit(work())
    qtbot.wait(50)
    assert started == []


def test_work_held_until_the_first_paint_then_runs_in_the_order_asked(qtbot) -> None:
    """The window holds its I/O thread until its first frame: nothing runs (the thread is not even started),
    then everything asked for runs, in order, and a caller that must wait for a result is never stuck."""
    parent = QObject()
    runner = AsyncRunner(name="test-held")
    runner.hold()
    ran: list[str] = []

    async def step(name: str) -> str:
        ran.append(name)
        return name

    try:
        got: list[str] = []
        Task(parent, runner, lambda: step("register")).success(got.append).start()
        Task(parent, runner, lambda: step("connect")).success(got.append).start()
        qtbot.wait(100)
        assert ran == [] and not any(t.name == "test-held" for t in threading.enumerate())
        runner.release()
        qtbot.waitUntil(lambda: got == ["register", "connect"], timeout=5000)
        assert ran == ["register", "connect"]
    finally:
        runner.stop()

    waiting = AsyncRunner(name="test-held-wait")
    waiting.hold()
    try:
        assert waiting.submit(step("asked for")).result(10) == "asked for"  # waiting for it lets the runner go
    finally:
        waiting.stop()


def test_work_still_held_when_the_runner_stops_is_cancelled_without_running(qtbot) -> None:
    runner = AsyncRunner(name="test-held-stop")
    runner.hold()
    ran: list[str] = []

    async def work() -> None:
        ran.append("ran")

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a coroutine left un-awaited would warn
        future = runner.submit(work())
        runner.stop()
        assert future.cancelled()
        runner.release()
    assert ran == []


def test_a_window_closed_before_its_work_finishes_hears_nothing_and_nothing_is_deleted_off_its_thread(qtbot) -> None:
    """A teacher closes a page while its work is still on the I/O thread: the work finishes, nobody is called back
    (the page is gone), and the one hand-over object stays on the GUI thread, whatever thread lets the task go."""
    import gc

    from zoomhost.ui import tasks

    got: list[object] = []
    release = threading.Event()
    with AsyncRunner(name="test-closed") as runner:

        async def work() -> str:
            await asyncio.to_thread(release.wait, 5)
            return "late"

        parent = QObject()
        for _ in range(20):  # many tasks, so a stray deletion off the GUI thread would show
            Task(parent, runner, work).success(got.append).failure(got.append).start()
        gone: list[bool] = []
        parent.destroyed.connect(lambda: gone.append(True))
        parent.deleteLater()
        qtbot.waitUntil(lambda: bool(gone), timeout=5000)
        del parent
        release.set()
        qtbot.wait(200)
        gc.collect()
        qtbot.wait(50)
    assert got == []
    relay = tasks._the_relay()
    assert relay.thread() is QObject().thread()  # made on the GUI thread, still alive there

    kept = QObject()  # and the relay still carries the next window's results
    with AsyncRunner(name="test-after") as runner:
        Task(kept, runner, lambda: 1, blocking=True).success(got.append).start()
        qtbot.waitUntil(lambda: got == [1], timeout=5000)


def test_nothing_asked_of_a_stopped_runner_starts_a_thread() -> None:
    """A late request after the window closed (a timer, a callback) never starts an I/O thread nothing would stop."""
    runner = AsyncRunner(name="test-stopped-lazy")
    runner.stop()
    before = {t.name for t in threading.enumerate()}
    with pytest.raises(RunnerStopped):
        runner.loop  # noqa: B018 - asking for the loop is what would start it
    assert "test-stopped-lazy" not in {t.name for t in threading.enumerate()} - before


def test_work_a_cleanup_starts_as_the_runner_stops_is_finished_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stopping the I/O thread cancels what runs; a cancelled task's cleanup may start work of its own (closing a
    server starts its close task, stopping the host assistant waits for it): that work is seen through as well,
    never left half done as the loop closes."""
    from zoomhost.system import runtime

    monkeypatch.setattr(runtime, "SHUTDOWN_S", 1.5)
    steps: list[str] = []
    runner = AsyncRunner(name="test-cleanup-tasks")
    started = threading.Event()

    async def closing() -> None:
        await asyncio.sleep(0.05)
        steps.append("closed")

    async def served() -> None:
        started.set()
        try:
            await asyncio.sleep(60)
        finally:
            steps.append("cancelled")
            asyncio.get_running_loop().create_task(closing())  # as websockets' Server.close() does

    async def reconnecting() -> None:
        try:
            await asyncio.sleep(60)  # a cleanup that would never end on its own ...
        finally:
            steps.append("gave up")
            with contextlib.suppress(RuntimeError):  # (no loop once the runner has let it go)
                asyncio.get_running_loop().create_task(reconnecting())  # ... and starts itself again as it is cancelled

    async def dropped() -> None:
        try:
            await asyncio.sleep(60)
        finally:
            asyncio.get_running_loop().create_task(reconnecting())

    runner.submit(served())
    runner.submit(dropped())
    assert started.wait(5)
    began = time.monotonic()
    runner.stop(timeout=10)
    assert time.monotonic() - began < 3, "a cleanup that starts itself again held the I/O thread past its time"
    assert {"cancelled", "closed", "gave up"} <= set(steps)
    assert steps.index("cancelled") < steps.index("closed")
