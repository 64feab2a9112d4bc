"""The rehearsal Zoom: a simulated account on loopback (REST, OAuth, event WebSocket), its scenarios and faults.

Its parts load when first named: the app reads the practice register from ``scenarios`` without
loading the web server, which runs in the rehearsal Zoom's own process.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "Faults": "zoomhost.rehearsal.faults",
    "RetryAfter": "zoomhost.rehearsal.faults",
    "RehearsalCredentials": "zoomhost.rehearsal.server",
    "RehearsalServer": "zoomhost.rehearsal.server",
    "SimParticipant": "zoomhost.rehearsal.state",
    "ZoomState": "zoomhost.rehearsal.state",
}

__all__ = ["Faults", "RehearsalCredentials", "RehearsalServer", "RetryAfter", "SimParticipant", "ZoomState"]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
