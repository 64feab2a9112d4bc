"""The Qt binding must not leak away references to None/True: on CPython 3.11 that aborts the app mid-assembly."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel


class _Emitter(QObject):
    ticked = Signal(int)


def test_signals_and_void_calls_keep_singleton_references(qtbot) -> None:
    emitter = _Emitter()
    emitter.ticked.connect(lambda value: None)
    label = QLabel()
    qtbot.addWidget(label)
    before = (sys.getrefcount(None), sys.getrefcount(True))
    for value in range(3000):
        emitter.ticked.emit(value)
        label.setText(str(value))
    after = (sys.getrefcount(None), sys.getrefcount(True))
    # Immortal on 3.12+ (huge constant counts); on 3.11 a leaky binding loses one per call.
    assert after[0] - before[0] > -100 and after[1] - before[1] > -100, (before, after)
