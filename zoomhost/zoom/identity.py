"""Who Zoom says a participant is, as its events and its live participant list give it.

Both Zoom's waiting-room and join events and the Dashboard's live participant list carry, beside the
typed name, ``registrant_id`` (the participant's own registration link) and, for someone signed in
to a user of the host's account, ``participant_user_id`` (``id`` in older answers) and ``email``.
Zoom sends them as empty strings for anyone who only typed a name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zoomhost.core.events import ZoomIdentity


def identity_from_participant(person: Mapping[str, Any]) -> ZoomIdentity:
    """The identity in one participant object; anything not a string, or an address without an @, says nothing."""

    def text(key: str) -> str:
        value = person.get(key)
        return value.strip() if isinstance(value, str) else ""

    email = text("email")
    return ZoomIdentity(
        registrant_id=text("registrant_id"),
        user_id=text("participant_user_id") or text("id"),
        email=email if "@" in email else "",
    )
