"""Hand the live engine's news (told on the I/O thread) to the GUI thread as Qt signals.

The engine calls ``deliver`` from the asyncio thread for every batch of session changes.
Batches that pile up while the GUI thread is busy are joined into one, so a burst of
arrivals becomes one model update and one repaint rather than hundreds.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from zoomhost.core.session import SessionChange


class SessionBridge(QObject):
    """Create it on the GUI thread; call ``deliver``/``tell`` from any thread."""

    changes_arrived = Signal(list)  # list[SessionChange], on the GUI thread, in order
    news_arrived = Signal(object)  # anything else the engine reports (a connection change …)
    _wake = Signal()
    _news = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._pending: list[SessionChange] = []
        # Queued even when emitted on the GUI thread: the engine's callback never runs Qt code inline.
        self._wake.connect(self._flush, Qt.ConnectionType.QueuedConnection)
        self._news.connect(self.news_arrived, Qt.ConnectionType.QueuedConnection)

    def deliver(self, changes: Sequence[SessionChange]) -> None:
        """The engine's listener: safe from any thread, never blocks on the GUI."""
        if not changes:
            return
        with self._lock:
            wake = not self._pending
            self._pending.extend(changes)
        if wake:
            try:
                self._wake.emit()
            except RuntimeError:  # the panel was closed while the engine was still talking
                pass

    def tell(self, news: Any) -> None:
        """Pass any other report to the GUI thread (connection changes, results)."""
        self._news.emit(news)

    @Slot()
    def _flush(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, []
        if batch:
            self.changes_arrived.emit(batch)
