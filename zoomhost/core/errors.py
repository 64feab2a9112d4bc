"""The root of every error zoomhost expects; each carries words a teacher can act on."""

from __future__ import annotations


class ZoomhostError(Exception):
    """An expected failure. ``str(err)`` is a complete sentence for the user; ``hint`` says what to do next."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def user_text(self) -> str:
        return f"{self}" + (f" {self.hint}" if self.hint else "")
