"""The Qt binding must not leak away references to None/True: on CPython 3.11 that aborts the app mid-assembly."""

from __future__ import annotations

import os
import subprocess
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


def test_modules_imported_with_the_window_leave_no_copy_of_their_source_behind(tmp_path) -> None:
    """Qt for Python reads the source of every module imported after it; the window's memory keeps none of it,
    and Qt for Python still learns which modules use it (the answer its ``__feature__`` switches need)."""
    (tmp_path / "uses_qt.py").write_text("from PySide6.QtCore import QObject\n")
    (tmp_path / "plain.py").write_text("VALUE = 1\n" + "# padding\n" * 2000)
    probe = (
        "import linecache, sys\n"
        "import PySide6.QtCore\n"
        "import zoomhost.ui\n"
        "before = set(linecache.cache)\n"
        "import uses_qt, plain, json, jinja2, httpx\n"
        "feature = sys.modules['shibokensupport.feature']\n"
        "print(sorted(set(linecache.cache) - before), feature.pyside_feature_dict.get('uses_qt'),\n"
        "      feature.pyside_feature_dict.get('plain'))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True, env=env)
    assert out.stdout.strip() == "[] 0 -1", out.stderr[-2000:]
