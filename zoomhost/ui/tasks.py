"""Run work off the GUI thread and come back with the result as a Qt signal.

Modelled on Anki's ``Op(parent, fn).success(cb).failure(cb)``: the GUI thread submits a
coroutine (or a blocking function) to the app's AsyncRunner; success and failure callbacks
run on the GUI thread. A busy cursor/indicator is the caller's business (see BusyIndicator).
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal, Slot

from zoomhost.system.runtime import AsyncRunner, RunnerStopped

log = logging.getLogger(__name__)


class _Relay(QObject):
    """The one hand-over from the I/O thread to the GUI thread, made once on the GUI thread and kept for the app's life.

    A relay per task would be a QObject owned by its Python wrapper, and that wrapper's last reference can go on
    the I/O thread (with the finished future), deleting a GUI-thread object from the wrong thread; one relay
    that is never deleted has no such end. What it carries checks its task is still alive before calling back."""

    call = Signal(object)  # a callable, run on the GUI thread

    @Slot(object)
    def _run(self, fn: Callable[[], None]) -> None:
        fn()


_relay: _Relay | None = None


def _the_relay() -> _Relay:
    """The relay, made on first use: a Task is made on the GUI thread, so the relay lives there."""
    global _relay
    if _relay is None:
        _relay = _Relay()
        _relay.call.connect(_relay._run)
    return _relay


class Task(QObject):
    """One background job; keep a reference until it finishes (the parent QObject does)."""

    def __init__(self, parent: QObject, runner: AsyncRunner, work: Callable[[], Awaitable[Any]] | Callable[[], Any], *, blocking: bool = False) -> None:
        super().__init__(parent)
        self._runner = runner
        self._work = work
        self._blocking = blocking
        self._on_success: Callable[[Any], None] | None = None
        self._on_failure: Callable[[BaseException], None] | None = None
        self._relay = _the_relay()
        self.future: concurrent.futures.Future[Any] | None = None

    def success(self, callback: Callable[[Any], None]) -> Task:
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> Task:
        self._on_failure = callback
        return self

    def start(self) -> Task:
        if self._runner.stopped:
            # The window is closing and the I/O thread is gone: late clicks and timers do nothing.
            log.debug("background task not started: the I/O thread has stopped")
            self.deleteLater()
            return self
        try:
            if self._blocking:
                self.future = self._runner.call(self._work)  # type: ignore[arg-type]
            else:
                self.future = self._runner.submit(self._work())  # type: ignore[arg-type]
        except RunnerStopped:
            log.debug("background task not started: the I/O thread stopped meanwhile")
            self.deleteLater()
            return self
        self.future.add_done_callback(self._done)
        return self

    def _done(self, future: concurrent.futures.Future[Any]) -> None:
        # Runs on the I/O thread: hand over to the GUI thread through the relay's queued signal.
        try:
            result, error = future.result(), None
        except BaseException as exc:  # noqa: BLE001 - delivered to the failure callback
            result, error = None, exc
        self._relay.call.emit(lambda: self._deliver(result, error))

    def _deliver(self, result: Any, error: BaseException | None) -> None:
        if not shiboken6.isValid(self):
            return  # its window (the parent) was closed meanwhile: nobody is left to tell
        try:
            if error is None:
                if self._on_success:
                    self._on_success(result)
            elif self._on_failure:
                self._on_failure(error)
            else:
                log.error("background task failed", exc_info=error)
        finally:
            self.deleteLater()
