"""A fresh meeting passcode shortly before each session, as the risk assessment asks.

"Passwords also set and shared a short time before each session": the checklist offers to
replace the meeting's passcode with a new strong one just before the invitations go out, so
a passcode from an earlier week (or a forwarded invitation) no longer opens the waiting room.
It costs one meeting update from Zoom's daily 100. The passcode is registered as a secret
(masked in every log line), kept only in memory, and never shown in a repr.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from zoomhost.system import redact
from zoomhost.core.preflight import new_passcode
from zoomhost.zoom.client import UpdateReceipt, ZoomClient, meeting_number
from zoomhost.zoom.errors import ServerError, ZoomError

log = logging.getLogger(__name__)

# A cell starting with one of these is read as a formula by a spreadsheet, and an invitation
# file escapes it with an apostrophe, which a family would then type: never start with one.
_UNSAFE_FIRST = ("=", "+", "-", "@")


class MeetingAlreadyRunning(ZoomError):
    default_hint = "Change the passcode before the next session instead, and send the invitations after that."


@dataclass(frozen=True, kw_only=True)
class RotatedPasscode:
    """The meeting's new passcode and join link (both secrets: hidden from repr), and what the update cost."""

    meeting_id: str
    passcode: str = field(repr=False)
    join_url: str | None = field(repr=False, default=None)
    receipt: UpdateReceipt


def _passcode(requirement: Mapping[str, Any] | None) -> str:
    while True:
        code = new_passcode(register_secret=redact.register_secret, requirement=requirement)
        if not code.startswith(_UNSAFE_FIRST):
            return code


async def rotate_passcode(
    client: ZoomClient, meeting_id: str | int, *, requirement: Mapping[str, Any] | None = None
) -> RotatedPasscode:
    """Give the meeting a new strong passcode in ONE meeting update, then read it back to be sure.

    ``requirement`` is the host's ``schedule_meeting.meeting_password_requirement``; when it is
    None it is read from the host's settings (a read, not an update). Refuses a meeting that is
    already running: families holding the old invitation could no longer join.
    """
    number = meeting_number(meeting_id)
    meeting = await client.get_meeting(number)
    host_id = meeting.get("host_id") if isinstance(meeting.get("host_id"), str) else None
    if meeting.get("status") == "started":
        raise MeetingAlreadyRunning(
            "The meeting is running now, so zoomhost has not changed its passcode: "
            "pupils holding the invitation would be turned away."
        )
    if requirement is None and host_id:
        requirement = await _requirement(client, host_id)
    passcode = _passcode(requirement)
    redact.register_secret(passcode)  # new_passcode was told to as well; said here so no refactor can lose it
    receipt = await client.update_meeting(number, {"password": passcode}, host_id=host_id)
    after = await client.get_meeting(number)
    if after.get("password") != passcode:
        raise ServerError(
            "Zoom accepted the new passcode but still reports the old one, so the invitations were not prepared.",
            hint="Open the meeting in the Zoom web portal to see its passcode, then try again.",
        )
    join_url = after.get("join_url") if isinstance(after.get("join_url"), str) else None
    redact.register_secret(join_url)
    log.info("meeting %s has a new passcode; %d meeting updates left today", number, receipt.remaining_today)
    return RotatedPasscode(meeting_id=number, passcode=passcode, join_url=join_url, receipt=receipt)


async def _requirement(client: ZoomClient, host_id: str) -> Mapping[str, Any] | None:
    try:
        settings = await client.get_user_settings(host_id)
    except ZoomError as err:
        log.info("could not read the host's passcode requirement (%s); using zoomhost's own", err)
        return None
    schedule = settings.get("schedule_meeting")
    requirement = schedule.get("meeting_password_requirement") if isinstance(schedule, Mapping) else None
    return requirement if isinstance(requirement, Mapping) else None
