"""The teacher's application: ``zoomhost`` with no arguments.

``run_app`` makes the QApplication and paints the window's empty frame first (its title, and
"Opening…" in its status bar): nothing of the services, the pages or their libraries is loaded before it, nor the
log's. Once that frame is on screen it makes the services and the pages (``build_main_window``
into the same window): the first page (Register) paints a frame or two later; the keyring, the
Zoom client and (without credentials) the rehearsal Zoom start in the background once it is made; the
rehearsal banner appears as soon as the mode is known. Every other page, and the libraries it
needs, is made the first time it is shown (``MainWindow.add_page`` with a maker).
``build_main_window`` alone makes a new window, for tests and the screenshot script. Retention
runs in the background at start-up and whenever a session closes, and the status bar says what it
removed. Everything closes in order when the window closes.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QWidget

from zoomhost.system import resources as resources_path
from zoomhost.ui.window import MainWindow

if TYPE_CHECKING:  # the services, each page, and what they import, load after the window's first frame
    from zoomhost.app.retention import RetentionRun
    from zoomhost.app.services import Connection, Services

log = logging.getLogger(__name__)

#: How long the I/O thread waits for the window's first frame before it starts anyway.
FIRST_PAINT_WAIT_MS = 2000
RETENTION_LABEL = "retentionStatus"  # the status bar's word on what retention removed


def forget_on_start(services: Services) -> RetentionRun:
    from zoomhost.app.retention import START_UP, forget_what_is_due as forget

    return forget(services, trigger=START_UP)


def show_connection(window: MainWindow, connection: Connection) -> None:
    """Banner, title and status bar for the mode the services resolved to."""
    rehearsal = connection.is_rehearsal
    window.setProperty("rehearsal", rehearsal)  # a page made later reads it
    window.banner.setVisible(rehearsal)
    window.setWindowTitle("zoomhost" + (" — rehearsal" if rehearsal else ""))
    window.show_status(connection.reason)
    try:
        live = window.built("live")
    except ValueError:  # a window without the live panel
        live = None
    if getattr(live, "controller", None) is None:  # not made yet, or no session: a running session says its own channel
        window.set_channel(
            "rehearsal, no session yet" if rehearsal else "no session yet",
            tooltip="Which channel carries the host's controls (host assistant, or the Zoom client's own buttons) "
            "is settled when a session starts on the Live page.",
        )
    register = window.built("register")  # a page made later reads the window's "rehearsal"
    if register is not None:
        register.set_rehearsal(rehearsal)  # type: ignore[attr-defined]


def show_retention(window: MainWindow, run: RetentionRun | None) -> None:
    """What retention just removed ("3 sessions older than 30 days deleted"), in the status bar until the next run."""
    label = window.findChild(QLabel, RETENTION_LABEL)
    if run is None or label is None:
        return
    said = run.notices()
    if said:
        label.setText("; ".join(said)[:1].upper() + "; ".join(said)[1:] + ".")
    label.setToolTip(
        f"Retention ({run.trigger}): sessions are kept {run.report.session_retention_days} days, pupils until the August "
        "after they leave. What was removed is recorded, without names, in the retention log."
    )
    label.setVisible(bool(said))


def build_main_window(services: Services, window: MainWindow | None = None) -> MainWindow:
    """The main window with its pages, wired to ``services``; connects to Zoom in the background once shown.

    ``window``: ``run_app``'s empty frame, once it has painted (or waited ``FIRST_PAINT_WAIT_MS`` for that);
    by default a new one."""
    from zoomhost.ui.tasks import Task
    from zoomhost.ui.widgets import error_text

    # The window paints first: the I/O thread (and asyncio with it), the register's first read, the keyring,
    # the Zoom client and the rehearsal Zoom wait for the first frame, and then start in the order asked for.
    services.runner.hold()
    if window is not None:  # run_app's frame has painted, or waited its while for that: its first page is made now
        QTimer.singleShot(0, window, services.runner.release)
    else:
        window = MainWindow(rehearsal=False)
        window.first_painted.connect(services.runner.release)
        # A window that never paints (started minimised, on a locked screen) must still connect and read the register.
        QTimer.singleShot(FIRST_PAINT_WAIT_MS, window, services.runner.release)
    window.show_status("Connecting…")

    def forgotten(run: RetentionRun | None) -> None:
        show_retention(window, run)
        register, summary = window.built("register"), window.built("summary")
        if run is not None and run.leavers_removed and register is not None:
            register.refresh()  # type: ignore[attr-defined]
        if run is not None and run.sessions_deleted and summary is not None:
            summary.refresh_sessions()  # type: ignore[attr-defined]

    def register_page() -> QWidget:
        from zoomhost.ui.register_page import RegisterPage

        page = RegisterPage(
            store=services.register,
            runner=services.runner,
            journals=services.journals,
            refresh_days=lambda: services.settings.register_refresh_days,
        )
        if window.property("rehearsal") is not None:
            page.set_rehearsal(bool(window.property("rehearsal")))

        def erased(_erasure: object) -> None:  # the summary on screen may name them
            summary = window.built("summary")
            if summary is not None:
                summary.reload()  # type: ignore[attr-defined]

        page.pupil_erased.connect(erased)
        return page

    def checklist_page() -> QWidget:
        from zoomhost.ui.checklist_page import ChecklistPage

        return ChecklistPage(services=services)

    def live_page() -> QWidget:
        from zoomhost.ui.live.page import LivePage

        page = LivePage(services=services)

        def session_ended(session_id: str) -> None:
            window.page("summary").show_session(session_id)  # type: ignore[attr-defined]
            window.show_page("summary")

        page.session_ended.connect(session_ended)
        page.retention_ran.connect(forgotten)
        return page

    def summary_page() -> QWidget:
        from zoomhost.ui.summary_page import SummaryPage

        return SummaryPage(runner=services.runner, retention_days=lambda: services.settings.session_retention_days)

    def settings_page() -> QWidget:
        from zoomhost.ui.settings_page import SettingsPage

        page = SettingsPage(services=services)
        page.connection_changed.connect(reconnected)
        return page

    # The teacher's day, in order; the live panel and the summary go between Checklist and Settings.
    # The first page is made now (it paints first); the others when first shown.
    window.add_page("register", "Register", register_page, shortcut="Ctrl+1")
    window.add_page("checklist", "Checklist", checklist_page, shortcut="Ctrl+2")
    window.add_page("live", "Live", live_page, shortcut="Ctrl+3")
    window.add_page("summary", "Summary", summary_page, shortcut="Ctrl+4")
    window.add_page("settings", "Settings", settings_page, shortcut="Ctrl+9")

    retention = QLabel(window)
    retention.setObjectName(RETENTION_LABEL)
    retention.setAccessibleName("Retention")
    retention.setTextFormat(Qt.TextFormat.PlainText)
    retention.setVisible(False)
    window.statusBar().addPermanentWidget(retention)

    def forget_what_is_due() -> None:
        """At start-up, off the GUI thread: what is past its retention goes without anyone asking."""
        if services.closed:
            return
        Task(window, services.runner, lambda: forget_on_start(services), blocking=True).success(forgotten).failure(
            lambda err: log.warning("retention at start-up failed: %s", type(err).__name__)
        ).start()

    def connected(connection: Connection) -> None:
        show_connection(window, connection)

    def failed(error: BaseException) -> None:
        window.show_status(error_text(error, doing="connecting to Zoom"))

    def connect() -> None:
        if services.closed:  # the window closed before it ever painted
            return
        Task(window, services.runner, services.connected).success(connected).failure(failed).start()

    def reconnected(connection: Connection) -> None:
        show_connection(window, connection)
        checklist = window.built("checklist")
        if checklist is not None:
            checklist.refresh_meetings()  # type: ignore[attr-defined]

    QTimer.singleShot(0, connect)  # after the first paint: nothing slow before the window shows
    QTimer.singleShot(0, forget_what_is_due)
    return window


def first_size(app: QApplication) -> tuple[int, int]:
    """The window's first size: 1100×760 where the screen has room, never more than the screen leaves
    after its taskbar (a 1366×768 laptop leaves about 728 pixels)."""
    screen = app.primaryScreen()
    if screen is None:
        return 1100, 760
    room = screen.availableGeometry()
    return min(1100, room.width()), min(760, room.height() - 40)  # the title bar is outside the window's size


def _excepthook(window: MainWindow | None):  # noqa: ANN202 - returns sys.excepthook's shape
    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        log.error("unexpected error in the application", exc_info=(kind, error, trace))
        if window is not None and QApplication.instance() is not None:
            from zoomhost.ui.widgets import error_text, message_box

            box = message_box(window, title="zoomhost", text=error_text(error, doing="doing that"))
            box.addButton(QMessageBox.StandardButton.Ok)
            box.open()

    return hook


def run_app(argv: Sequence[str] | None = None, *, verbose: bool = False) -> int:
    """Open the teacher's application and run until its window closes; returns the exit status.

    ``verbose``: more detail in the log file (``zoomhost -v``)."""
    args = list(argv) if argv is not None else sys.argv[1:]
    app = QApplication.instance() or QApplication(["zoomhost", *[a for a in args if a != "--rehearsal"]])
    app.setApplicationName("zoomhost")
    app.setApplicationDisplayName("zoomhost")
    unstyled: list[OSError] = []
    try:
        app.setStyleSheet(resources_path.resource("style.qss").read_text(encoding="utf-8"))  # type: ignore[union-attr]
    except OSError as err:  # a missing stylesheet only changes the look
        unstyled.append(err)
    # The frame paints first, before the services, the pages and their libraries load: what the teacher
    # sees is the window at once, then its first page (Register) a frame or two later.
    window = MainWindow(rehearsal=False)
    window.show_status("Opening…")
    built: list[Services] = []

    def open_pages() -> None:
        if built or not window.isVisible():  # once; never for a window closed before it painted
            return
        from zoomhost.app.services import build_services
        from zoomhost.system import logs

        logs.configure(verbose=verbose)  # nothing before this frame logs, and the log's libraries load after it
        app.setWindowIcon(QIcon(str(resources_path.resource("icons", "zoomhost.svg"))))  # its SVG reader, too
        for err in unstyled:
            log.warning("stylesheet not loaded: %s", err)

        built.append(build_services(force_rehearsal="--rehearsal" in args))
        build_main_window(built[0], window)

    window.first_painted.connect(open_pages)
    QTimer.singleShot(FIRST_PAINT_WAIT_MS, window, open_pages)  # a window that never paints still opens its pages
    previous_hook = sys.excepthook
    sys.excepthook = _excepthook(window)
    try:
        window.resize(*first_size(app))
        window.show()
        return int(app.exec())
    finally:
        sys.excepthook = previous_hook
        window.close()
        for services in built:
            services.close()
