"""The scopes a school's Server-to-Server app is given for zoomhost: one list, read by the app's own
checks and wording (``zoomhost.zoom.scopes``) and by the rehearsal Zoom, whose app is given these."""

from __future__ import annotations

#: The scopes to give the school's Server-to-Server app (one of each operation's listed scopes).
SERVER_TO_SERVER_SCOPES: tuple[str, ...] = (
    "meeting:read:admin",
    "meeting:write:admin",
    "user:read:admin",
    "user:write:admin",
    "account:read:admin",
    "dashboard_meetings:read:admin",
)
