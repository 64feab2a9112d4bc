"""The window (Qt). Importing it settles one thing about Qt for Python first.

Qt for Python (shiboken) asks of every module imported after it whether its source mentions
"PySide6" (for its ``__feature__`` switches, which zoomhost does not use), and asks through
``inspect.getsource``: Python's ``linecache`` then keeps every line of every module the app
imports, for as long as it runs. For zoomhost's libraries that is about 13 MB of the window's peak
memory, and the time to decode and split each file at start-up. The same question is answered here
from the file's bytes, which are kept nowhere; where this Qt for Python has no such check, nothing
changes.
"""

from __future__ import annotations

import sys
from types import ModuleType

import PySide6  # noqa: F401 - loads shiboken, whose import check is the one replaced below


def _mentions_pyside(module: ModuleType) -> bool:
    """Whether ``module``'s source file says "PySide6" (shiboken's question), without keeping the file."""
    path = getattr(module, "__file__", None)
    if not isinstance(path, str) or not path.endswith(".py"):
        return False  # built in, compiled, or from an archive: shiboken finds no source for these either
    try:
        with open(path, "rb") as source:
            return b"PySide6" in source.read()
    except OSError:
        return False


_feature = sys.modules.get("shibokensupport.feature")
if _feature is not None and callable(getattr(_feature, "_mod_uses_pyside", None)):
    _feature._mod_uses_pyside = _mentions_pyside  # type: ignore[attr-defined]
