"""Take the README's screenshots from a real rehearsal, offscreen, so the pictures always show the app as it is.

Run from the repository: ``python tools/screenshots.py`` (or ``--out FOLDER``). It opens the
main window in rehearsal mode at a fixed size, imports the practice register through the
Register page's preview, runs the pre-meeting checklist on the assembly, plays part of the
assembly scenario at high speed on the Live panel (admitting everyone consented, with the
alarms the scenario raises still on the banner), ends the meeting with the panic key and
shows its summary. Each page is saved as a PNG: settings, register, checklist, live, summary; and
the audit of the whole (rehearsal) account with its report's first page (drawn with poppler's
``pdftoppm`` where it is installed).
Everything runs in a throw-away zoomhost home, so a teacher's own register and sessions are
never touched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WINDOW_SIZE = (1366, 768)  # full width on the commonest school laptop
SPEED = 30.0  # the assembly's five minutes of arrivals in about ten seconds
PAGES = ("settings", "register", "checklist", "audit", "audit-report", "live", "summary")


class ScreenshotError(RuntimeError):
    """A step of the rehearsal did not happen in time: the pictures would not be true."""


def _pause(ms: int) -> None:
    """Let Qt run for ``ms`` milliseconds. Not ``QTest.qWait``: PySide6 holds Python's lock through it,
    which starves the I/O thread (the rehearsal Zoom took ten seconds to start instead of half of one)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _wait(predicate: Callable[[], bool], *, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise ScreenshotError(f"timed out waiting for {what}")
        _pause(25)


def _showing(dialog: object, *, unlike: object) -> bool:
    """True for a new dialog that is on screen (a finished one is deleted under us)."""
    import shiboken6

    return dialog is not None and dialog is not unlike and shiboken6.isValid(dialog) and dialog.isVisible()  # type: ignore[attr-defined]


def take(out: Path, *, size: tuple[int, int] = WINDOW_SIZE) -> list[Path]:
    """Play the rehearsal and save one PNG per page into ``out``; returns the files written."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFont
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from zoomhost.system import resources as resources_path
    from zoomhost.app.services import build_services
    from zoomhost.ui.main import build_main_window

    app = QApplication.instance() or QApplication(["zoomhost"])
    app.setApplicationName("zoomhost")
    font = QFont(app.font())
    font.setPointSize(10)
    app.setFont(font)
    app.setStyleSheet(resources_path.resource("style.qss").read_text(encoding="utf-8"))  # type: ignore[union-attr]

    out.mkdir(parents=True, exist_ok=True)
    services = build_services(force_rehearsal=True)
    window = build_main_window(services)
    shots: dict[str, Path] = {}

    def save(key: str) -> None:
        window.show_page(key)
        _pause(300)  # let the page lay out and paint
        path = out / f"{key}.png"
        if not window.grab().save(str(path)):
            raise ScreenshotError(f"could not write {path}")
        shots[key] = path

    try:
        window.resize(*size)
        window.show()
        _wait(lambda: window.banner.isVisible(), what="the rehearsal Zoom to start")

        # Register: the practice register and staff list, through one preview.
        window.show_page("register")
        register = window.page("register")
        register.load_practice_register()
        _wait(lambda: _showing(getattr(register, "preview", None), unlike=None), what="the register's preview")
        register.preview.import_button.click()
        _wait(lambda: register.staff_model.rowCount() > 0 and register.pupils_model.rowCount() > 0, what="the stored register")
        save("register")

        # Checklist: the assembly meeting, checked against the protocol.
        window.show_page("checklist")
        checklist = window.page("checklist")
        _wait(lambda: checklist.meetings.count() > 0, what="the host's meetings")
        assembly_id = services.rehearsal.scenario_meetings()["assembly"]
        checklist.meetings.setCurrentIndex(max(0, checklist.meetings.findData(assembly_id)))
        checklist.check_button.click()
        _wait(lambda: checklist.model.rowCount() > 0 and not checklist.busy.busy, what="the checklist")
        save("checklist")

        # Audit: every host and meeting of the account, worst first, and the report's first page.
        audit = checklist.open_audit()
        audit.resize(*size)
        _wait(lambda: audit.isVisible(), what="the audit window")
        audit.run_button.click()
        _wait(lambda: audit.audit is not None and not audit.busy.busy, what="the audit")
        audit.meetings_table.selectRow(0)
        _pause(300)
        path = out / "audit.png"
        if not audit.grab().save(str(path)):
            raise ScreenshotError(f"could not write {path}")
        shots["audit"] = path
        if size == WINDOW_SIZE:  # the report's page is the same whatever the window's size
            report = Path(tempfile.mkdtemp(prefix="zoomhost-audit-")) / "audit.pdf"
            audit.save(report)
            _wait(lambda: report.exists() and not audit.busy.busy, what="the audit report")
            if shutil.which("pdftoppm"):
                subprocess.run(
                    ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(report), str(out / "audit-report")],
                    check=True,
                )
                shots["audit-report"] = out / "audit-report.png"
            shutil.rmtree(report.parent, ignore_errors=True)
        audit.close()

        # Live: part of the assembly, everyone consented admitted, alarms on the banner.
        window.show_page("live")
        live = window.page("live")
        _wait(lambda: live.meetings.count() > 0 and live.scenarios.isVisible(), what="the live panel's meetings")
        live.scenarios.setCurrentIndex(live.scenarios.findData("assembly"))
        live.speed.setValue(SPEED)
        live.start_button.click()
        _wait(lambda: live.controller is not None, what="the session to start")
        # The teacher's one action for the host assistant, as on the day: admit it and make it co-host.
        _wait(lambda: live.assistant_strip.rehearsal_button.isVisible(), what="the host assistant in the waiting room")
        live.assistant_strip.rehearsal_button.click()
        _wait(lambda: live.state is not None and live.state.channel == "assistant", what="the host assistant to take over")
        _wait(lambda: any(i.title == "Suspicious name" for i in live.banner.items), what="the look-alike name's alarm")
        live.buttons["admit_all"].click()
        _wait(lambda: not live.busy.busy and live.state is not None and live.state.counts.admitted > 100, what="admit all consented")
        live.set_verdict_filter("all")  # the table's own order: who needs the teacher first, newest first
        save("live")

        # Summary: the panic key ends the meeting; the summary opens by itself.
        window.activateWindow()
        _wait(lambda: QApplication.activeWindow() is window, what="the window to take the keyboard", timeout=5)
        QTest.keyClick(live.table, Qt.Key.Key_F12)
        summary = window.page("summary")
        _wait(lambda: summary.summary is not None, what="the summary")
        save("summary")

        save("settings")
    finally:
        window.close()
        services.close()
    return [shots[key] for key in PAGES if key in shots]


def _resources_of_this_checkout() -> None:
    """The stylesheet and icons of this checkout (the pictures show it), even when an editable install
    made from another checkout maps ``zoomhost.resources`` to that one's folder."""
    import importlib.util

    folder = REPO / "resources"
    spec = importlib.util.spec_from_file_location(
        "zoomhost.resources", folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    if spec is not None and spec.loader is not None and "zoomhost.resources" not in sys.modules:
        module = importlib.util.module_from_spec(spec)
        sys.modules["zoomhost.resources"] = module
        spec.loader.exec_module(module)


def _size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    try:
        return int(width), int(height)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size such as 560x640: {text!r}") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots", help="folder for the PNG files")
    parser.add_argument(
        "--size", type=_size, default=WINDOW_SIZE, metavar="WxH",
        help=f"window size (default {WINDOW_SIZE[0]}x{WINDOW_SIZE[1]}; 560x640 is a window beside Zoom, 1366x768 a school laptop)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    home = Path(tempfile.mkdtemp(prefix="zoomhost-screenshots-"))
    os.environ["ZOOMHOST_HOME"] = str(home)  # a throw-away home: never a teacher's own data
    for name in list(os.environ):
        if name.startswith("ZOOMHOST_") and name != "ZOOMHOST_HOME":
            del os.environ[name]
    sys.path.insert(0, str(REPO))
    _resources_of_this_checkout()
    try:
        written = take(args.out, size=args.size)
    except ScreenshotError as err:
        print(f"Screenshots not taken: {err}.", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(home, ignore_errors=True)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
