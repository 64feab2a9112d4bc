"""The rehearsal Zoom: a simulated account on loopback (REST, OAuth, event WebSocket), its scenarios and faults."""

from __future__ import annotations

from zoomhost.rehearsal.faults import Faults, RetryAfter
from zoomhost.rehearsal.server import RehearsalCredentials, RehearsalServer
from zoomhost.rehearsal.state import SimParticipant, ZoomState

__all__ = ["Faults", "RehearsalCredentials", "RehearsalServer", "RetryAfter", "SimParticipant", "ZoomState"]
