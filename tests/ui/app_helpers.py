"""Helpers for driving the teacher's application in tests: services on the rehearsal Zoom, dialogs found and answered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QMessageBox, QWidget

from tests.rehearsal.fixtures import rehearsal_server  # noqa: F401 - a fixture for the modules importing this
from zoomhost.app.services import Services, build_services
from zoomhost.rehearsal.server import RehearsalServer

WAIT_MS = 15000  # generous: two cores shared by several test runs


@pytest.fixture
def services(rehearsal_server: RehearsalServer) -> Iterator[Services]:  # noqa: F811 - the fixture above
    """The app's services in rehearsal mode on the test's own rehearsal Zoom (over loopback)."""
    built = build_services(rehearsal_server=rehearsal_server)
    try:
        yield built
    finally:
        built.close()


def open_dialog(kind: type[QDialog], *, object_name: str | None = None) -> QDialog | None:
    """The visible dialog of this kind (the one a teacher would be looking at), if any."""
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, kind) and widget.isVisible() and (object_name is None or widget.objectName() == object_name):
            return widget
    return None


def wait_for_dialog(qtbot, kind: type[QDialog], *, object_name: str | None = None) -> QDialog:  # noqa: ANN001 - pytest-qt's qtbot
    found: list[QDialog] = []

    def shown() -> None:
        dialog = open_dialog(kind, object_name=object_name)
        assert dialog is not None, f"no {kind.__name__} is showing"
        found.append(dialog)

    qtbot.waitUntil(shown, timeout=WAIT_MS)
    return found[-1]


def button_named(dialog: QWidget, text: str) -> QAbstractButton:
    for button in dialog.findChildren(QAbstractButton):
        if button.text().replace("&", "") == text:
            return button
    raise AssertionError(f"no button {text!r} in {dialog.windowTitle()!r}: {[b.text() for b in dialog.findChildren(QAbstractButton)]}")


def answer_confirmation(qtbot, text: str) -> str:  # noqa: ANN001
    """Click ``text`` (e.g. "Cancel" or the action) on the confirmation showing now; returns what it said."""
    box = wait_for_dialog(qtbot, QMessageBox, object_name="confirmation")
    assert isinstance(box, QMessageBox)
    wording = box.text() + "\n" + box.informativeText()
    button_named(box, text).click()
    return wording
