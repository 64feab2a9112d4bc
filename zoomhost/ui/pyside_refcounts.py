"""Keep PySide6 6.12 from aborting the interpreter on CPython 3.11.

PySide6 6.12.0's bindings hand back ``None`` (every void Qt call) and ``True``/``False``
(``Signal.emit``) without taking a new reference. On CPython 3.12+ these singletons are
immortal, so that is harmless; on 3.11 each call takes one reference away, and after a few
hundred signals or some thousands of calls Python stops with "Fatal Python error:
bool_dealloc" or "none_dealloc". Until a fixed PySide6 is out, give the three singletons a
reference count no program can use up, as CPython 3.12 does. They are static objects that
are never freed, so a higher count changes nothing else.
"""

from __future__ import annotations

import ctypes
import sys

_PLENTY = 1 << 60


def keep_singletons_alive() -> bool:
    """Raise the reference counts of None, True and False; False where there is nothing to do."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12) or hasattr(sys, "gettotalrefcount"):
        return False  # immortal already (3.12+), or a debug build whose object layout differs
    for singleton in (None, True, False):
        count = ctypes.c_ssize_t.from_address(id(singleton))  # ob_refcnt is a release build's first field
        if count.value < _PLENTY:
            count.value += _PLENTY
    return True
