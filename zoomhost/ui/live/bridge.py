"""Hand the live engine's news (told on the I/O thread) to the Live panel on the GUI thread, as a Qt signal.

The app calls ``deliver`` from the asyncio thread with each batch of session changes and the
engine's state after it (a ``LiveUpdate``). The panel takes at most one update per frame
(``FRAME``): batches that arrive within a frame of the last update, or pile up while the GUI
thread is busy, are joined into one, keeping the newest state, so a burst of arrivals becomes a
few model updates and repaints rather than hundreds, and the window answers between them.
"""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from zoomhost.app.session import LiveUpdate

#: The shortest time between two updates handed to the panel (one frame at 60 Hz).
FRAME = 1 / 60


class SessionBridge(QObject):
    """Create it on the GUI thread; call ``deliver`` from any thread."""

    update_arrived = Signal(object)  # a LiveUpdate, on the GUI thread, in order
    _wake = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._pending: list[LiveUpdate] = []
        self._last = -FRAME  # when the last update was handed over (time.monotonic())
        self._next_frame = QTimer(self)
        self._next_frame.setSingleShot(True)
        self._next_frame.setTimerType(Qt.TimerType.PreciseTimer)
        self._next_frame.timeout.connect(self._flush)
        # Queued even when emitted on the GUI thread: the engine's callback never runs Qt code inline.
        self._wake.connect(self._flush, Qt.ConnectionType.QueuedConnection)

    def deliver(self, update: LiveUpdate) -> None:
        """The app's listener: safe from any thread, never blocks on the GUI."""
        with self._lock:
            wake = not self._pending
            self._pending.append(update)
        if wake:
            try:
                self._wake.emit()
            except RuntimeError:  # the panel was closed while the engine was still talking
                pass

    @Slot()
    def _flush(self) -> None:
        wait = self._last + FRAME - time.monotonic()
        if wait > 0:  # an update went less than a frame ago: these wait for the next frame, joined
            if not self._next_frame.isActive():
                self._next_frame.start(max(1, round(wait * 1000)))
            return
        with self._lock:
            batch, self._pending = self._pending, []
        if batch:
            self._last = time.monotonic()
            self.update_arrived.emit(LiveUpdate.joined(batch))
