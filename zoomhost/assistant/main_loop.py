"""The one thread the Meeting SDK lives on: every SDK call is made there, and its callbacks come there.

Zoom's Linux Meeting SDK is not thread-safe and delivers its callbacks through a GLib main loop,
so its samples (and Attendee's bot) run one ``GLib.MainLoop`` and make every SDK call from it,
scheduling work onto it with ``GLib.timeout_add``. :class:`GLibMainLoop` does exactly that on a
thread of its own; the assistant's server hands it each piece of work (sign in, join, a command, a
look at the waiting room) and waits for the answer on its asyncio loop. Without GLib's Python
bindings the assistant cannot hear the SDK at all, so :func:`glib_main_loop` refuses to start
with a sentence saying what to install (:class:`~zoomhost.assistant.sdk_adapter.AssistantUnavailable`).

The rehearsal's stand-in for the SDK has a main loop of its own with the same contract
(:class:`QueueMainLoop`: one thread running queued work and the binding's callbacks in order).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Protocol, TypeVar

from zoomhost.assistant.sdk_adapter import AssistantUnavailable

log = logging.getLogger(__name__)

R = TypeVar("R")

#: What to install when GLib's Python bindings are missing (Debian/Ubuntu names).
GLIB_MISSING = (
    "The host assistant cannot start: the Meeting SDK delivers everything it hears through a GLib main loop, "
    "and GLib's Python bindings (PyGObject, the module “gi”) are not installed for this Python."
)
GLIB_HINT = (
    "Install them with `sudo apt install python3-gi` and run zoomhost with that system Python "
    "(or a virtual environment made with --system-site-packages), or `pip install PyGObject` "
    "after `sudo apt install libgirepository-2.0-dev libcairo2-dev pkg-config python3-dev`."
)


class SdkMainLoop(Protocol):
    """The SDK's one thread: work put here runs there, in the order it was put, one piece at a time."""

    def submit(self, fn: Callable[[], R]) -> Future[R]:
        """Run ``fn`` on the loop's thread; its result (or exception) comes back through the future."""
        ...

    def in_loop(self) -> bool:
        """True when called on the loop's own thread."""
        ...

    def close(self) -> None:
        """Stop the loop once the work already put there has run."""
        ...


def _run_into(future: Future[Any], fn: Callable[[], Any]) -> None:
    if not future.set_running_or_notify_cancel():
        return
    try:
        result = fn()
    except BaseException as err:  # noqa: BLE001 - handed to whoever waits on the future
        future.set_exception(err)
    else:
        future.set_result(result)


class QueueMainLoop:
    """A thread running queued work in order: the main loop of a binding that has no GLib (the rehearsal's)."""

    def __init__(self, *, name: str = "sdk-main-loop") -> None:
        self._queue: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[], R]) -> Future[R]:
        future: Future[R] = Future()
        if self._closed:
            future.set_exception(RuntimeError("the SDK's main loop has stopped"))
            return future
        self._queue.put(lambda: _run_into(future, fn))
        return future

    def call_soon(self, fn: Callable[[], object]) -> None:
        """Run ``fn`` on the loop later (a callback); a failure is logged, never raised into the loop."""
        if not self._closed:
            self._queue.put(fn)

    def in_loop(self) -> bool:
        return threading.current_thread() is self._thread

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._queue.put(None)

    @property
    def thread(self) -> threading.Thread:
        return self._thread

    def _run(self) -> None:
        while (work := self._queue.get()) is not None:
            try:
                work()
            except Exception:  # noqa: BLE001 - as in the SDK, one failing callback does not stop the others
                log.exception("work on the SDK's main loop failed")


def import_glib() -> Any:
    """GLib from PyGObject; AssistantUnavailable (saying what to install) when it cannot be imported."""
    try:
        import gi  # type: ignore[import-not-found]

        gi.require_version("GLib", "2.0")
        from gi.repository import GLib  # type: ignore[import-not-found]
    except (ImportError, ValueError) as err:
        raise AssistantUnavailable(GLIB_MISSING, hint=GLIB_HINT) from err
    return GLib


class GLibMainLoop:
    """A ``GLib.MainLoop`` running on a thread of its own; work goes onto it with ``GLib.timeout_add``."""

    def __init__(self, glib: Any, *, name: str = "meeting-sdk-main-loop") -> None:
        self._glib = glib
        self._loop = glib.MainLoop()
        self._started = threading.Event()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()
        self._started.wait(5)

    def _run(self) -> None:
        self._glib.timeout_add(0, self._started_now)
        self._loop.run()

    def _started_now(self) -> bool:
        self._started.set()
        return False  # once

    def submit(self, fn: Callable[[], R]) -> Future[R]:
        future: Future[R] = Future()
        if self._closed:
            future.set_exception(RuntimeError("the SDK's main loop has stopped"))
            return future

        def once() -> bool:
            _run_into(future, fn)
            return False  # GLib: do not call again

        self._glib.timeout_add(0, once)  # thread-safe: the default main context wakes and runs it on the loop's thread
        return future

    def in_loop(self) -> bool:
        return threading.current_thread() is self._thread

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True

        def quit_now() -> bool:
            self._loop.quit()
            return False

        self._glib.timeout_add(0, quit_now)
        if not self.in_loop():
            self._thread.join(5)

    @property
    def thread(self) -> threading.Thread:
        return self._thread


def glib_main_loop() -> GLibMainLoop:
    """The real SDK's main loop, started; AssistantUnavailable (saying what to install) without GLib."""
    return GLibMainLoop(import_glib())


def main_loop_for(binding: Any) -> SdkMainLoop:
    """The main loop the SDK calls of ``binding`` must be made on: its own when it brings one (the
    rehearsal's stand-in), else a GLib main loop (Zoom's real binding)."""
    own = getattr(type(binding), "sdk_main_loop", None)
    if own is not None:
        return binding.sdk_main_loop  # type: ignore[no-any-return]
    return glib_main_loop()
