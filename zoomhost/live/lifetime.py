"""The life of one running session: its background tasks, and whether it is closing.

Every loop the engine runs (reading an event stream, the clocks, the autopilot, connecting the
host assistant, an autopilot admission) is spawned here, so a failure is logged rather than
lost, and closing the session cancels them all together.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

log = logging.getLogger(__name__)


class Lifetime:
    """The session's background tasks, and the one flag every loop checks before going round again."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """From now on the loops stop going round and nothing new is heard; the tasks are cancelled later."""
        self._closed = True

    def spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    async def cancel_tasks(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a live-session task failed", exc_info=task.exception())
