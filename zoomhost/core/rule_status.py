"""A check's outcome, shared by the pre-flight rules, the audit and ``zoomhost doctor``.

Its own module, so the doctor's desktop checks (read before the window opens) need not load the
pre-flight rules; ``zoomhost.core.preflight`` re-exports it.
"""

from __future__ import annotations

from enum import StrEnum


class RuleStatus(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    UNKNOWN = "unknown"
