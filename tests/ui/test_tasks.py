"""Background tasks report on the GUI thread, and late work after the I/O thread stops is dropped quietly."""

from __future__ import annotations

import asyncio
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
