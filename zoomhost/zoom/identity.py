"""Who Zoom says a participant is, as its events and its live participant list give it.

Zoom's waiting-room and join events carry, beside the typed name, ``registrant_id`` (the
participant's own registration link) and, for someone signed in to a user of the host's account,
``participant_user_id`` (``id`` in older answers) and ``email``. Zoom sends them as empty strings
for anyone who only typed a name.

The Dashboard's live participant list carries the sign-in (``participant_user_id``, ``email``) but
never the link: its ``registrant_id`` "does not return if the `type` query parameter is the `live`
value" (Zoom's Dashboard document). So nothing the live list says can vouch for a family's link.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
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


def identity_from_live_list(person: Mapping[str, Any]) -> ZoomIdentity:
    """The identity in one row of the Dashboard's live participant list: a sign-in at most. Zoom documents
    no registrant id there, so a row that had one (an older or a faulty answer) is not taken as a link."""
    return replace(identity_from_participant(person), registrant_id="")
