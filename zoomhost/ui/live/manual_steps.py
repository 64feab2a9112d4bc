"""The Live panel's steps to do in Zoom: what zoomhost cannot do itself, and **Done in Zoom** to journal it.

Without the host assistant (or when a control is beyond it), a button's command becomes the exact
step to take in the Zoom client, shown here one at a time with whom it is for (plain text: the
name is a stranger's). **Done in Zoom**
(Ctrl+Shift+D) asks the page to journal the teacher's confirmation; **Not done** drops the step
and records nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from zoomhost.ui.text import one_line, plain_label
from zoomhost.ui.widgets import action_button, status_icon


@dataclass(frozen=True)
class ManualStep:
    """One step to take in the Zoom client: its words, the command it carries out, and whom it is about."""

    step: str
    command_id: str | None
    participant_id: str | None


class ManualStepPanel(QFrame):
    """A control zoomhost cannot do itself: the exact Zoom step, and Done in Zoom to journal it."""

    done = Signal(object)  # the ManualStep the teacher confirmed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Do this in Zoom")
        layout = QHBoxLayout(self)
        self.icon = plain_label(parent=self)
        self.text = plain_label(parent=self, name="Step to do in Zoom", wrap=True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.done_button = action_button(
            "&Done in Zoom",
            tooltip="You did this step in the Zoom client: record it in the session's journal (Ctrl+Shift+D)",
            parent=self,
        )
        self.skip_button = action_button("Not done", tooltip="Leave this step; nothing is recorded", parent=self)
        self.text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widens the window
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text, 1)
        buttons = QVBoxLayout()  # at the side, one above the other: the panel fits beside Zoom
        buttons.setSpacing(2)
        buttons.addWidget(self.done_button)
        buttons.addWidget(self.skip_button)
        buttons.addStretch()
        layout.addLayout(buttons)
        self._steps: list[tuple[ManualStep, str]] = []
        self.done_button.clicked.connect(self._confirm)
        self.skip_button.clicked.connect(self._skip)
        QShortcut(QKeySequence("Ctrl+Shift+D"), self, activated=self.done_button.click)
        self.hide()

    @property
    def steps(self) -> list[ManualStep]:
        return [step for step, _ in self._steps]

    def add(self, step: ManualStep, *, who: str = "") -> None:
        self._steps.append((step, who))
        self._render()

    def clear(self) -> None:
        """Drop every step (a new session: the last one's steps are no longer the teacher's to do)."""
        self._steps.clear()
        self._render()

    def _render(self) -> None:
        if not self._steps:
            self.hide()
            return
        step, who = self._steps[0]
        size = self.fontMetrics().height() + 4
        self.icon.setPixmap(status_icon("warn").pixmap(size, size))
        more = len(self._steps) - 1
        text = step.step + (f" — for {who}" if who else "") + (f"   ({more} more after this)" if more else "")
        self.text.setText(one_line(text))
        self.show()

    def _confirm(self) -> None:
        if self._steps:
            step, _ = self._steps.pop(0)
            self._render()
            self.done.emit(step)

    def _skip(self) -> None:
        if self._steps:
            self._steps.pop(0)
            self._render()
