"""One asyncio loop in a worker thread: where all network and disk work of a running app happens.

The GUI thread never waits on it: it submits coroutines and gets results back through
Qt signals (zoomhost/ui/tasks.py). The headless rehearsal and the CLI use the same runner.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class RunnerStopped(RuntimeError):
    """Work was submitted after the I/O thread stopped (the app is closing)."""


class AsyncRunner:
    """Owns an event loop running in a daemon thread until ``stop()``."""

    def __init__(self, *, name: str = "zoomhost-io") -> None:
        self._loop = asyncio.new_event_loop()
        self._stopping = False
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()
        self._ready.wait()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.call_soon(self._ready.set)
        self._loop.run_forever()
        pending = asyncio.all_tasks(self._loop)
        for task in pending:
            task.cancel()
        if pending:
            self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self._loop.run_until_complete(self._loop.shutdown_asyncgens())
        self._loop.run_until_complete(self._loop.shutdown_default_executor())
        self._loop.close()

    @property
    def stopped(self) -> bool:
        """True once ``stop()`` has been asked for: late work (a window closing) is not started."""
        return self._stopping or self._loop.is_closed()

    def submit(self, coro: Awaitable[T]) -> concurrent.futures.Future[T]:
        """Schedule a coroutine on the loop; safe from any thread. Raises RunnerStopped after ``stop()``."""
        if self.stopped:
            if asyncio.iscoroutine(coro):
                coro.close()  # never started, so never awaited: say nothing more about it
            raise RunnerStopped("the I/O thread has stopped")
        return asyncio.run_coroutine_threadsafe(coro, self._loop)  # type: ignore[arg-type]

    def call(self, fn: Callable[..., T], *args: Any) -> concurrent.futures.Future[T]:
        """Run a plain (blocking) function in the loop's default executor."""

        async def _call() -> T:
            return await self._loop.run_in_executor(None, fn, *args)

        return self.submit(_call())

    def run(self, coro: Awaitable[T], *, timeout: float | None = None) -> T:
        """Block the *calling* thread until the coroutine finishes (CLI and tests only, never the GUI thread)."""
        return self.submit(coro).result(timeout)

    def stop(self, *, timeout: float = 5.0) -> None:
        self._stopping = True
        if not self._thread.is_alive():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("the I/O thread did not stop within %.1f s", timeout)

    def __enter__(self) -> AsyncRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
