"""One asyncio loop in a worker thread: where all network and disk work of a running app happens.

The GUI thread never waits on it: it submits coroutines and gets results back through
Qt signals (zoomhost/ui/tasks.py). The headless rehearsal and the CLI use the same runner.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:  # asyncio (with ssl, sockets and subprocesses) loads with the I/O thread, not with the window
    import asyncio

log = logging.getLogger(__name__)

T = TypeVar("T")
#: How long the I/O thread may take to stop what runs on it (within stop()'s own wait), and how long what a
#: cancelled task's cleanup started may take to finish before it is cancelled in turn.
SHUTDOWN_S = 4.0
CLEANUP_GRACE_S = 1.0


class RunnerStopped(RuntimeError):
    """Work was submitted after the I/O thread stopped (the app is closing)."""


class _Held(concurrent.futures.Future):  # type: ignore[type-arg]
    """Work submitted while the runner is held: whoever waits for its result lets the runner go first."""

    def __init__(self, runner: AsyncRunner) -> None:
        super().__init__()
        self._runner = runner

    def result(self, timeout: float | None = None) -> Any:
        self._runner.release()
        return super().result(timeout)

    def exception(self, timeout: float | None = None) -> BaseException | None:
        self._runner.release()
        return super().exception(timeout)


class AsyncRunner:
    """Owns an event loop running in a daemon thread until ``stop()``.

    The thread (and asyncio) start with the first work submitted, not when the runner is made. While
    ``hold()`` is in force (the window until its first paint) work waits, and starts at ``release()``
    or as soon as anybody waits for its result."""

    def __init__(self, *, name: str = "zoomhost-io") -> None:
        self._name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._held: list[tuple[Awaitable[Any], _Held]] | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._started()

    def _started(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                if self._stopping:  # asked for after stop(): no new thread that nothing would ever stop
                    raise RunnerStopped("the I/O thread has stopped")
                import asyncio

                loop = asyncio.new_event_loop()
                ready = threading.Event()
                thread = threading.Thread(target=self._run, args=(loop, ready), name=self._name, daemon=True)
                thread.start()
                ready.wait()
                self._loop, self._thread = loop, thread
            return self._loop

    @staticmethod
    def _run(loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
        import asyncio

        asyncio.set_event_loop(loop)
        loop.call_soon(ready.set)
        loop.run_forever()
        # Cancel what is left; then give what its cleanups started (a server's close task, a connection's) a moment to
        # finish, and cancel what has not, round after round: a task left pending as the loop closes is destroyed
        # half done. The whole is bounded, within stop()'s own wait, whatever a cleanup keeps starting.
        deadline = time.monotonic() + SHUTDOWN_S
        pending = asyncio.all_tasks(loop)
        while pending and time.monotonic() < deadline:
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.wait(pending, timeout=max(0.0, deadline - time.monotonic())))
            started = asyncio.all_tasks(loop) - pending
            if started:
                loop.run_until_complete(asyncio.wait(started, timeout=max(0.0, min(CLEANUP_GRACE_S, deadline - time.monotonic()))))
            pending = asyncio.all_tasks(loop)
        if pending:
            log.warning("%d task(s) on the I/O thread were still stopping after %.0f s", len(pending), SHUTDOWN_S)
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()

    @property
    def stopped(self) -> bool:
        """True once ``stop()`` has been asked for: late work (a window closing) is not started."""
        return self._stopping or (self._loop is not None and self._loop.is_closed())

    def hold(self) -> None:
        """Until ``release()``, keep work waiting and the I/O thread unstarted (the window's first paint comes
        first). Has no effect once the thread runs."""
        with self._lock:
            if self._loop is None and self._held is None and not self._stopping:
                self._held = []

    def release(self) -> None:
        """Start the work that waited for ``hold()``, in the order it came (work asked for meanwhile queues behind)."""
        while True:
            with self._lock:
                if not self._held:
                    self._held = None
                    return
                coro, outer = self._held.pop(0)
            if outer.cancelled() or self.stopped:
                _close(coro)
                outer.cancel()
                continue
            import asyncio

            inner = asyncio.run_coroutine_threadsafe(coro, self._started())  # type: ignore[arg-type]
            _chain(inner, outer)

    def submit(self, coro: Awaitable[T]) -> concurrent.futures.Future[T]:
        """Schedule a coroutine on the loop; safe from any thread. Raises RunnerStopped after ``stop()``."""
        if self.stopped:
            _close(coro)  # never started, so never awaited: say nothing more about it
            raise RunnerStopped("the I/O thread has stopped")
        with self._lock:
            if self._held is not None:
                waiting = _Held(self)
                self._held.append((coro, waiting))
                return waiting
        import asyncio

        return asyncio.run_coroutine_threadsafe(coro, self._started())  # type: ignore[arg-type]

    def call(self, fn: Callable[..., T], *args: Any) -> concurrent.futures.Future[T]:
        """Run a plain (blocking) function in the loop's default executor."""

        async def _call() -> T:
            import asyncio

            return await asyncio.get_running_loop().run_in_executor(None, fn, *args)

        return self.submit(_call())

    def run(self, coro: Awaitable[T], *, timeout: float | None = None) -> T:
        """Block the *calling* thread until the coroutine finishes (CLI and tests only, never the GUI thread)."""
        return self.submit(coro).result(timeout)

    def stop(self, *, timeout: float = 5.0) -> None:
        self._stopping = True
        with self._lock:
            held, self._held = self._held, None
            loop, thread = self._loop, self._thread
        for coro, outer in held or ():
            _close(coro)
            outer.cancel()
        if loop is None or thread is None or not thread.is_alive():
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        if thread.is_alive():
            log.warning("the I/O thread did not stop within %.1f s", timeout)

    def __enter__(self) -> AsyncRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _close(coro: Awaitable[Any]) -> None:
    close = getattr(coro, "close", None)
    if close is not None:
        close()


def _chain(inner: concurrent.futures.Future[Any], outer: concurrent.futures.Future[Any]) -> None:
    """``outer`` finishes as ``inner`` does; cancelling ``outer`` cancels ``inner``."""

    def done(_: object) -> None:
        try:
            if inner.cancelled():
                outer.cancel()
            elif inner.exception() is not None:
                outer.set_exception(inner.exception())
            else:
                outer.set_result(inner.result())
        except concurrent.futures.InvalidStateError:  # cancelled meanwhile by whoever held it
            pass

    def cancelled(_: object) -> None:
        if outer.cancelled():
            inner.cancel()

    inner.add_done_callback(done)
    outer.add_done_callback(cancelled)
