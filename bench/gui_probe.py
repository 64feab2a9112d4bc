"""The measuring end of the GUI benchmarks: run in a fresh process, prints one line of JSON.

``python bench/gui_probe.py MODE``:

- ``bare``: a bare PySide6 main window (1100×760), the baseline: time of its first paint, peak RSS.
- ``startup``: ``zoomhost --rehearsal`` exactly as the teacher's command starts it; times of its first paint and of its
  first page's (Register) first paint.
- ``assembly``: the app on a rehearsal Zoom in its own process, as the app starts one (the practice register imported), the
  assembly played on the Live page as fast as the rehearsal Zoom can send it; for every arrival,
  when Zoom sent it, when its row was in the panel's model and when the table next painted; the
  GUI thread's longest stall (a 5 ms heartbeat); peak RSS once the meeting has ended.
- ``panic``: the same app with a session running and a warm token; time from the F12 key press
  to the end-for-all request arriving at Zoom, and one loopback round trip for comparison.

Times are ``time.monotonic()``, which is the same clock in every process on Linux, so the parent
can subtract its own launch time. The app is watched from outside (an event filter, model
signals, a wrapper around the rehearsal Zoom), never changed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

ARRIVAL = "meeting.participant_joined_waiting_room"
KEPT_HOME = "ZOOMHOST_BENCH_HOME"  # set by bench.common.run_probe: a zoomhost folder kept across launches, as a teacher's is
SCRIPTED_ARRIVALS = 271  # the assembly's waiting-room arrivals: 272 joins (one rejoins), the host skips the waiting room


def peak_rss_kb() -> int:
    """VmHWM: the most resident memory this process has had."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def emit(**values: Any) -> None:
    print(json.dumps(values), flush=True)


class FirstPaint(QObject):
    """Notes when the first top-level window's first frame is painted (its native window's first expose:
    Qt paints the frame as it handles it), then calls ``then``; ``on_window`` is given that window as it
    is shown.

    The window is found by wrapping ``QWidget.show``, which the bare window and zoomhost both call from
    Python, once; from then on only that window's native window's own few events are looked at. No
    filter on the application's events: it would put every event before the first frame through Python,
    and give every Qt class those events meet a Python type, with its enums, that the window itself never
    asks for (for zoomhost's frame some 25 ms; for the bare window, which meets few classes, a few): it
    would measure the probe rather than the window."""

    def __init__(self, then: Any, *, on_window: Any = None) -> None:
        super().__init__()
        self.at: float | None = None
        self.window: QWidget | None = None
        self._then, self._on_window = then, on_window
        original = QWidget.show

        def show(widget: QWidget) -> None:
            if self.window is None and widget.isWindow():
                QWidget.show = original  # type: ignore[method-assign]
                self.window = widget
                widget.winId()  # its native window, which show() would make first, made now to be watched
                widget.windowHandle().installEventFilter(self)
                if self._on_window is not None:
                    self._on_window(widget)
            original(widget)

        QWidget.show = show  # type: ignore[method-assign]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if self.at is None and event.type() == QEvent.Type.Expose and watched.isExposed():
            self.at = time.monotonic()
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._then)
        return False


class PagePaint(QObject):
    """Notes the first Paint event of the page ``key`` of zoomhost's window (its ``page_built`` signal says
    when it is made; a filter on that page alone from then), then calls ``then``."""

    def __init__(self, key: str, then: Any) -> None:
        super().__init__()
        self.at: float | None = None
        self._key, self._then = key, then

    def watch(self, window: Any) -> None:
        def built(key: str) -> None:
            if key == self._key:
                window.built(key).installEventFilter(self)

        window.page_built.connect(built)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if self.at is None and event.type() == QEvent.Type.Paint:
            self.at = time.monotonic()
            QTimer.singleShot(0, self._then)
        return False


def bare() -> int:
    app = QApplication(["bare"])
    window = QMainWindow()
    window.setWindowTitle("bare")

    def done() -> None:
        emit(first_paint=watcher.at, peak_rss_kb=peak_rss_kb())
        app.quit()

    watcher = FirstPaint(done)
    window.resize(1100, 760)
    window.show()
    return int(app.exec())


def zoomhost_application() -> QApplication:
    """The QApplication a zoomhost probe runs in, with zoomhost's window package loaded first, as in zoomhost,
    whose first import of Qt is through it: it settles how Qt for Python checks each module imported after
    Qt (``zoomhost/ui/__init__.py``). Importing Qt first, as this probe does, would leave shiboken reading
    the source of every zoomhost module imported before the window's into ``linecache`` (some 4 MB and
    its time), which zoomhost itself never does."""
    import zoomhost.ui  # noqa: F401 - see above

    return QApplication(["zoomhost"])


def startup() -> int:
    """``zoomhost --rehearsal`` as the teacher's command starts it (``zoomhost.cli.main``): when its window first
    paints, and when its first page (Register) first paints."""
    from zoomhost.cli import main as zoomhost

    app = zoomhost_application()

    def done() -> None:
        emit(first_paint=watcher.at, page_paint=page.at, peak_rss_kb=peak_rss_kb())
        app.closeAllWindows()

    page = PagePaint("register", done)
    watcher = FirstPaint(lambda: None, on_window=page.watch)
    return zoomhost(["--rehearsal"])


# -- the app with a session ------------------------------------------------------------------------------
RECORDING_ZOOM = Path(__file__).resolve().parent / "recording_zoom.py"


def _recording_zoom() -> Any:
    """The rehearsal Zoom in its own process, as the app starts it, noting when each arrival left it and when
    each end-for-all reached it (``bench/recording_zoom.py``)."""
    from zoomhost.app.rehearsal_zoom import RehearsalZoomProcess

    return RehearsalZoomProcess(command=[sys.executable, str(RECORDING_ZOOM)])


class Session:
    """The app's window and services on a recording rehearsal Zoom, the practice register imported."""

    def __init__(self, app: QApplication, folder: Path) -> None:
        from zoomhost.app.register import import_register, import_staff_list
        from zoomhost.app.services import build_services
        from zoomhost.ui.main import build_main_window
        from zoomhost.ui.register_import import read_practice

        self.app = app
        self.server = _recording_zoom()
        self.services = build_services(rehearsal_server=self.server)
        # As the Register page's "Load the practice register" and Import do: surnames kept as digests with this
        # installation's key (from the keyring), which the classifier then compares typed surnames with.
        store = self.services.register
        _, pupils, staff, _ = read_practice(store, folder)
        import_register(store, pupils)
        import_staff_list(store, staff)
        self.window = build_main_window(self.services)
        self.window.resize(1100, 760)
        self.window.show()
        self.window.show_page("live")
        self.page = self.window.page("live")

    def times(self) -> dict[str, Any]:
        """What the rehearsal Zoom noted: when each arrival left it, was written to the socket, and each end-for-all."""
        return self.server._admin("GET", "/_rehearsal/state")  # noqa: SLF001 - the recording Zoom's own answer

    def wait(self, predicate: Any, *, timeout: float) -> None:
        """Run the app's event loop, as the app itself does, until ``predicate()`` (looked at every 20 ms) holds.

        The loop sleeps until an event comes, as ``app.exec()`` does: polling it between sleeps of its own
        would leave each event waiting up to a sleep before the window saw it. The look is the probe's, not
        the app's: each one runs Python on the GUI thread, which then waits for the interpreter while the
        I/O thread has it; looking every 2 ms put the arrival's p99 at 67-92 ms, every 20 ms at 40-54 ms."""
        if predicate():
            return
        deadline = time.monotonic() + timeout
        loop = QEventLoop()
        late: list[bool] = []

        def look() -> None:
            if predicate():
                loop.quit()
            elif time.monotonic() > deadline:
                late.append(True)
                loop.quit()

        looking = QTimer()
        looking.setTimerType(Qt.TimerType.PreciseTimer)
        looking.timeout.connect(look)
        looking.start(20)
        loop.exec()
        looking.stop()
        if late:
            raise TimeoutError("the app did not get there in time")

    def start(self, *, scenario: str, speed: float) -> None:
        page = self.page
        self.wait(lambda: page.meetings.count() > 0, timeout=60)
        # A teacher presses Start seconds after the Live page lists the meetings: by then the host assistant it
        # started is standing by (``app.session.ready_host_assistant``), and the benchmark waits for that too.
        standby, bridge = self.services.standby, self.services.rehearsal.bridge_url
        self.wait(lambda: standby.ready(rehearsal_url=bridge), timeout=60)
        page.scenarios.setCurrentIndex(page.scenarios.findData(scenario))
        page.speed.setValue(speed)
        started: list[object] = []
        page.session_started.connect(started.append)
        page.start_button.click()
        self.wait(lambda: bool(started), timeout=60)

    def close(self) -> None:
        self.window.close()
        self.services.close()
        self.server.stop()


class RowWatch(QObject):
    """When each participant's row entered the model, and when the table next painted after that."""

    def __init__(self, page: Any) -> None:
        super().__init__()
        self.model = page.model
        self.inserted: dict[str, float] = {}
        self.painted: dict[str, float] = {}
        self._unpainted: list[str] = []
        self.model.rowsInserted.connect(self._rows)
        page.table.viewport().installEventFilter(self)

    def _rows(self, _parent: Any, first: int, last: int) -> None:
        now = time.monotonic()
        for row in range(first, last + 1):
            pid = self.model.arrival(row).participant_id
            self.inserted.setdefault(pid, now)
            self._unpainted.append(pid)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint and self._unpainted:
            now = time.monotonic()
            for pid in self._unpainted:
                self.painted.setdefault(pid, now)
            self._unpainted.clear()
        return False


class Heartbeat(QObject):
    """A 5 ms timer on the GUI thread: the longest gap between its beats is the longest stall."""

    def __init__(self, *, interval_ms: int = 5) -> None:
        super().__init__()
        self.interval = interval_ms / 1000
        self.longest = 0.0
        self._last = time.monotonic()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._beat)
        self._timer.start(interval_ms)

    def _beat(self) -> None:
        now = time.monotonic()
        self.longest = max(self.longest, now - self._last - self.interval)
        self._last = now

    def stop(self) -> None:
        self._timer.stop()


def assembly(speed: float) -> int:
    app = zoomhost_application()
    with tempfile.TemporaryDirectory() as folder:
        session = Session(app, Path(folder))
        try:
            rows = RowWatch(session.page)
            ended: list[str] = []
            session.page.session_ended.connect(ended.append)
            beat = Heartbeat()
            session.start(scenario="assembly", speed=speed)
            emitted: dict[str, float] = {}

            def all_painted() -> bool:
                if len(rows.painted) < SCRIPTED_ARRIVALS:
                    return False  # not yet: ask the rehearsal Zoom only once every row could be there
                emitted.clear()
                emitted.update(session.times()["emitted"])
                return len(emitted) >= SCRIPTED_ARRIVALS and set(emitted) <= set(rows.painted)

            try:
                session.wait(all_painted, timeout=120)
            except TimeoutError:
                missing = sorted(set(emitted) - set(rows.painted))
                alarms = "; ".join(item.title for item in session.page.banner.items)
                raise TimeoutError(
                    f"{len(emitted)} arrivals emitted, {len(rows.inserted)} rows; never painted: {missing[:10]}"
                    f"{' …' if len(missing) > 10 else ''}; alarms: {alarms}"
                ) from None
            beat.stop()
            session.page.panic()  # end for all: the summary is built and shown, as after a real assembly
            session.wait(lambda: bool(ended), timeout=60)
            sent = session.times()["sent"]
            emit(
                arrivals=len(emitted),
                from_emitted=[rows.inserted[p] - t for p, t in emitted.items() if p in rows.inserted],
                to_socket=[t - emitted[p] for p, t in sent.items() if p in emitted],
                to_painted=[rows.painted[p] - t for p, t in emitted.items() if p in rows.painted],
                rows=len(rows.inserted),
                longest_stall=beat.longest,
                peak_rss_kb=peak_rss_kb(),
            )
        finally:
            session.close()
    return 0


def panic(speed: float) -> int:
    from PySide6.QtTest import QTest

    app = zoomhost_application()
    with tempfile.TemporaryDirectory() as folder:
        session = Session(app, Path(folder))
        try:
            session.start(scenario="assembly", speed=speed)
            session.wait(lambda: session.page.model.rowCount() >= 20, timeout=60)
            connection = http.client.HTTPConnection(session.server.host, session.server.port, timeout=10)
            trips = []
            for _ in range(30):  # one loopback round trip to the same server, connection kept open
                start = time.monotonic()
                connection.request("GET", "/_rehearsal/faults")
                connection.getresponse().read()
                trips.append(time.monotonic() - start)
            connection.close()
            warm = session.services.connection.auth.has_warm_token
            pressed = time.monotonic()
            QTest.keyClick(session.window, Qt.Key.Key_F12)
            ends: list[float] = []

            def ended() -> bool:
                time.sleep(0.01)  # ask the rehearsal Zoom a hundred times a second, not flat out
                ends[:] = session.times()["end_requests"]
                return bool(ends)

            session.wait(ended, timeout=30)
            emit(
                to_wire=ends[0] - pressed,
                round_trip=sorted(trips)[len(trips) // 2],
                warm_token=warm,
            )
        finally:
            session.close()
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("bare", "startup", "assembly", "panic"))
    parser.add_argument("--speed", type=float, default=100_000.0)
    args = parser.parse_args(argv)
    # Never a teacher's real data: a folder of the benchmark's own (``KEPT_HOME``, kept between launches as a
    # teacher's is), else a new one removed after.
    home = os.environ.get(KEPT_HOME) or tempfile.mkdtemp(prefix="zoomhost-bench-")
    os.environ["ZOOMHOST_HOME"] = home
    try:
        if args.mode == "bare":
            return bare()
        if args.mode == "startup":
            return startup()
        if args.mode == "assembly":
            return assembly(args.speed)
        return panic(args.speed)
    finally:
        if not os.environ.get(KEPT_HOME):
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
