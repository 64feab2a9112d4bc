"""The application as a whole: rehearsal with no credentials, pages and shortcuts, every control named."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QListWidget, QPushButton, QRadioButton, QTableView

from tests.ui.app_helpers import WAIT_MS
from zoomhost.app.services import build_services
from zoomhost.ui.main import build_main_window
from zoomhost.ui.register_page import RegisterPage

CONTROLS = (QPushButton, QRadioButton, QCheckBox, QLineEdit, QComboBox, QTableView, QListWidget)


def test_a_window_that_never_paints_still_connects_and_reads_the_register(qtbot) -> None:
    """Started minimised, or on a locked screen, the window paints no frame: the I/O thread starts anyway, soon
    after, so the register is read (and Zoom, or the rehearsal Zoom, connected) before the teacher looks."""
    with build_services() as services:
        window = build_main_window(services)  # made, never shown: no first frame
        qtbot.addWidget(window)
        register = window.page("register")
        assert register.summary.text() == "Reading the stored register…"
        qtbot.waitUntil(lambda: register.summary.text() != "Reading the stored register…", timeout=WAIT_MS)
        assert not window.isVisible()


def test_with_no_credentials_the_window_opens_in_rehearsal_with_a_banner(qtbot) -> None:
    with build_services() as services:
        window = build_main_window(services)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: not window.banner.isHidden(), timeout=WAIT_MS)
        assert "REHEARSAL" in window.banner.text()
        assert "rehearsal" in window.windowTitle()
        assert "No Zoom credentials are set" in window.statusBar().currentMessage()
        assert services.mode == "rehearsal" and services.rehearsal is not None
        register = window.page("register")
        assert isinstance(register, RegisterPage) and not register.practice_button.isHidden()
        port = services.rehearsal.port
        socket.create_connection(("127.0.0.1", port), timeout=5).close()  # it listens on loopback
    with pytest.raises(OSError):  # closing the app stopped the rehearsal Zoom
        socket.create_connection(("127.0.0.1", port), timeout=5)


def test_pages_follow_the_teachers_day_and_answer_their_shortcuts(qtbot) -> None:
    with build_services(force_rehearsal=True) as services:
        window = build_main_window(services)
        qtbot.addWidget(window)
        window.show()
        assert [window.nav.item(i).text() for i in range(window.nav.count())] == ["Register", "Checklist", "Live", "Summary", "Settings"]
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
        qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
        assert window.current_key() == "checklist"
        qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
        assert window.current_key() == "live"
        qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
        assert window.current_key() == "summary"
        qtbot.keyClick(window, Qt.Key.Key_9, Qt.KeyboardModifier.ControlModifier)
        assert window.current_key() == "settings"
        qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
        assert window.current_key() == "register"


def test_every_control_has_an_accessible_name(qtbot) -> None:
    with build_services(force_rehearsal=True) as services:
        window = build_main_window(services)
        qtbot.addWidget(window)
        window.show()
        nameless = []
        for key in ("register", "checklist", "live", "summary", "settings"):
            page = window.page(key)
            # the controls a person uses (Qt's own parts, such as a table's header, carry their own names)
            controls = [c for kind in CONTROLS for c in page.findChildren(kind) if type(c) in CONTROLS]
            nameless += [f"{key}: {type(c).__name__} {getattr(c, 'text', str)()!r}" for c in controls if not c.accessibleName()]
        assert nameless == [], "\n".join(nameless)


def test_the_window_paints_before_any_other_page_or_its_libraries_is_loaded(tmp_path) -> None:
    """Start-up is the first page only: the other pages, the CSV sniffer, the Zoom client, templates and the
    rehearsal Zoom load when first needed, so the window paints about as fast as a bare Qt window."""
    probe = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication(['zoomhost'])\n"
        "from zoomhost.app.services import build_services\n"
        "from zoomhost.ui.main import build_main_window\n"
        "services = build_services(force_rehearsal=True)\n"
        "window = build_main_window(services)\n"
        "window.show()\n"
        "made = [k for k in ('register', 'checklist', 'live', 'summary', 'settings') if window.built(k) is not None]\n"
        "heavy = ('clevercsv', 'charset_normalizer', 'httpx', 'websockets', 'jinja2', 'aiohttp', 'zoomhost.zoom.client',\n"
        "         'zoomhost.rehearsal.server', 'zoomhost.ui.live.page', 'zoomhost.ui.summary_page', 'zoomhost.ui.settings_page')\n"
        "print(made, sorted(m for m in heavy if m in sys.modules))\n"
        "window.show_page('live')\n"
        "print(window.built('live') is window.page('live'), type(window.page('live')).__name__)\n"
        "connection = services.connection\n"  # the rehearsal Zoom is up and signed in to
        "zoom = connection.rehearsal\n"
        "print(type(zoom).__name__, zoom.port, sorted(m for m in ('aiohttp', 'zoomhost.rehearsal.server') if m in sys.modules))\n"
        "window.close(); services.close()\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ZOOMHOST_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True, env=env)
    first, then, rehearsal = out.stdout.strip().splitlines()[-3:]
    assert first == "['register'] []", out.stderr[-2000:]
    assert then == "True LivePage"  # Ctrl+3 (or a click) makes the page the first time it is shown
    # The rehearsal Zoom runs in a process of its own, on loopback, as Zoom is another computer: its web
    # server and state are not in the app's memory, and it went with the app.
    kind, port, loaded = rehearsal.split(" ", 2)
    assert (kind, loaded) == ("RehearsalZoomProcess", "[]")
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", int(port)), timeout=5)


def test_the_first_frame_is_painted_before_the_io_thread_the_keyring_or_zoom_start(tmp_path) -> None:
    """The window says "Connecting…" in its first frame, painted before the I/O thread (and asyncio), the
    keyring, the Zoom client or the rehearsal Zoom start; then the register is read and Zoom connected by themselves."""
    probe = (
        "import json, sys, threading, time\n"
        "from PySide6.QtCore import QEvent, QObject\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication(['zoomhost'])\n"
        "from zoomhost.app.services import build_services\n"
        "from zoomhost.ui.main import build_main_window\n"
        "services = build_services()\n"
        "window = build_main_window(services)\n"
        "seen = {}\n"
        "class FirstPaint(QObject):\n"
        "    def eventFilter(self, watched, event):\n"
        "        if not seen and event.type() == QEvent.Type.Paint and watched.isWidgetType() and watched.window() is window:\n"
        "            seen.update(threads=sorted(t.name for t in threading.enumerate()), status=window.statusBar().currentMessage(),\n"
        "                        loaded=sorted(m for m in ('asyncio', 'keyring', 'httpx', 'zoomhost.zoom.client', 'csv', 'charset_normalizer',\n"
        "                                               'zoomhost.ui.register_import', 'zoomhost.core.register_text') if m in sys.modules),\n"
        "                        register=window.page('register').summary.text())\n"
        "        return False\n"
        "watch = FirstPaint(); app.installEventFilter(watch)\n"
        "window.show()\n"
        "register = window.page('register')\n"
        "deadline = time.monotonic() + 60\n"
        "while time.monotonic() < deadline and not ('rehearsal' in window.statusBar().currentMessage()\n"
        "                                            and register.summary.text().startswith('No register')):\n"
        "    app.processEvents(); time.sleep(0.01)\n"
        "print(json.dumps(dict(first=seen, status=window.statusBar().currentMessage(), register=register.summary.text())))\n"
        "window.close(); services.close()\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ZOOMHOST_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True, env=env)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    first = seen["first"]
    assert first["status"] == "Connecting…", out.stderr[-2000:]
    assert first["threads"] == ["MainThread"] and first["loaded"] == []
    assert first["register"] == "Reading the stored register…"  # the page's own words, not an empty shell
    assert "No Zoom credentials are set" in seen["status"]  # then the keyring was asked and the rehearsal opened
    assert seen["register"].startswith("No register imported yet")


def test_the_application_paints_its_frame_before_its_pages_and_services_load(qtbot, qapp) -> None:
    """``zoomhost`` as a teacher starts it: the window's frame is on screen first, then the Register page is
    made and the rehearsal Zoom comes up behind it; closing the window stops it."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    from zoomhost.ui.main import run_app
    from zoomhost.ui.window import MainWindow

    seen: dict[str, object] = {}

    class FirstFrame(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
            if "frame" not in seen and event.type() == QEvent.Type.Paint and watched.isWidgetType():
                window = watched.window()
                if isinstance(window, MainWindow):  # what the first frame held: no step, no page made
                    seen["frame"] = (window.nav.count(), window.built("register") if window.nav.count() else None)
            return False

    def look() -> None:
        for window in qapp.topLevelWidgets():
            if isinstance(window, MainWindow) and "rehearsal" in window.windowTitle() and window.built("register"):
                seen["pages"] = [window.nav.item(i).text() for i in range(window.nav.count())]
                seen["status"] = window.statusBar().currentMessage()
                poll.stop()
                window.close()

    first = FirstFrame()
    qapp.installEventFilter(first)
    poll = QTimer()
    poll.setInterval(5)
    poll.timeout.connect(look)
    poll.start()
    QTimer.singleShot(WAIT_MS, lambda: [w.close() for w in qapp.topLevelWidgets()])  # never hang the suite
    try:
        assert run_app(["--rehearsal"]) == 0
    finally:
        qapp.removeEventFilter(first)
        poll.stop()
    assert seen.get("frame") == (0, None), "the window's first frame came after its pages were made"
    assert seen.get("pages") == ["Register", "Checklist", "Live", "Summary", "Settings"]
    assert "Rehearsal was asked for" in str(seen.get("status"))
