"""Hand the live engine's news (told on the I/O thread) to the Live panel on the GUI thread, as a Qt signal.

The app calls ``deliver`` from the asyncio thread with each batch of session changes and the
engine's state after it (a ``LiveUpdate``). Batches that pile up while the GUI thread is busy are
joined into one, keeping the newest state, so a burst of arrivals becomes one model update and
one repaint rather than hundreds.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, Signal, Slot

from zoomhost.app.session import LiveUpdate


class SessionBridge(QObject):
    """Create it on the GUI thread; call ``deliver`` from any thread."""

    update_arrived = Signal(object)  # a LiveUpdate, on the GUI thread, in order
    _wake = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._pending: list[LiveUpdate] = []
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
        with self._lock:
            batch, self._pending = self._pending, []
        if batch:
            self.update_arrived.emit(LiveUpdate.joined(batch))
