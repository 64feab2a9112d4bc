"""The meeting in Zoom before the session: list the host's meetings, check one against the protocol,
fix what Zoom's API may fix, give it a new passcode, and end it for everyone.

The Checklist page and ``zoomhost meetings | preflight | end`` call these, on the I/O loop.
What the checks need from outside Zoom (who is expected, how many staff, the school's
settings) is gathered by one function, :func:`preflight_context`, so the window and the
command line check a meeting against the same numbers.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from dataclasses import dataclass
from datetime import date
from functools import partial

from zoomhost.app.services import Services
from zoomhost.core.models import expected_pupils
from zoomhost.core.errors import ZoomhostError
from zoomhost.core.preflight import FixPlan, plan_fix_all
from zoomhost.core.profiles import Profile, chosen_profiles, staff_words
from zoomhost.core.register_store import RegisterStore
from zoomhost.system import paths
from zoomhost.system.config import Settings
from zoomhost.zoom.client import UpcomingMeeting, UpdateReceipt, meeting_number
from zoomhost.zoom.errors import AuthError
from zoomhost.zoom.passcode import rotate_passcode
from zoomhost.zoom.preflight import FixOutcome, PreflightContext, PreflightReport, apply_fixes, run_preflight

log = logging.getLogger(__name__)

__all__ = [
    "FixOutcome",
    "MeetingCheck",
    "PreflightContext",
    "PreflightReport",
    "UpcomingMeeting",
    "UpdateReceipt",
    "check_meeting",
    "choose_profile",
    "meeting_profiles",
    "end_meeting",
    "fix_meeting",
    "new_passcode",
    "preflight_context",
    "session_profile",
    "spaced_meeting_id",
    "upcoming_meetings",
]


@dataclass(frozen=True)
class MeetingCheck:
    """A meeting checked against the protocol: the results, the numbers they were checked against,
    and how many of the host's meeting updates are left today (None when Zoom did not say whose it is)."""

    report: PreflightReport
    context: PreflightContext
    updates_left: int | None
    warn_below: int

    @property
    def few_updates_left(self) -> bool:
        return self.updates_left is not None and self.updates_left < self.warn_below


def preflight_context(register: RegisterStore, settings: Settings, *, today: date) -> PreflightContext:
    """The register's numbers and the school's settings, as every pre-flight check reads them.

    The pupils counted are those expected on ``today`` (consented, not past their leaving date);
    with no register stored yet, nobody is counted (and no register file is made). Disk work:
    call it off the GUI thread.
    """
    expected = staff = 0
    if register.db_path.exists():
        expected = len(expected_pupils(register.pupils(), today=today))
        staff = len(register.staff())
    return PreflightContext(
        consented_pupils=expected,
        staff=staff,
        school_email_domain=settings.school_email_domain or None,
        planned_minutes=settings.planned_minutes,
        assistant_user=settings.assistant_user.strip() or None,
        **_profile_inputs(settings),
    )


def _profile_inputs(settings: Settings) -> dict[str, object]:
    """What decides a meeting's profile: the school's topic words and the teacher's choices. Disk work."""
    return {"staff_meeting_words": staff_words(settings.staff_meeting_words), "chosen_profiles": meeting_profiles()}


def session_profile(settings: Settings, meeting_id: str | int, topic: object) -> Profile:
    """The protocol a meeting is held to, decided exactly as the checklist and the audit decide it (the
    teacher's choice, else the school's topic words): the Live panel and ``zoomhost watch`` judge its
    arrivals by it. Disk work: call it off the GUI thread."""
    return PreflightContext(**_profile_inputs(settings)).profile(meeting_id, topic)  # type: ignore[arg-type]


def meeting_profiles() -> dict[str, str]:
    """The protocol a teacher chose for each meeting in zoomhost (meeting id -> "pupils" or "staff"). Disk work."""
    path = paths.config_dir() / "meeting-profiles.json"
    try:
        return chosen_profiles(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as err:
        log.warning("the meetings' chosen protocols in %s are unreadable (%s); each meeting goes by its topic", path, err)
        return {}


def choose_profile(meeting_id: str | int, profile: str | None) -> None:
    """Hold the meeting to ``profile`` ("pupils" or "staff"), or to what its topic says (None). Disk work.

    The Checklist page's "Who joins" and ``zoomhost preflight MEETING --profile`` both call this."""
    if profile is not None and profile not in (Profile.PUPILS.value, Profile.STAFF.value):
        raise ZoomhostError(f"No protocol profile called “{profile[:40]}”.", hint="Choose pupils, staff or topic.")
    key = str(meeting_number(meeting_id))
    choices = meeting_profiles()
    if profile is None:
        choices.pop(key, None)
    else:
        choices[key] = profile
    path = paths.config_dir() / "meeting-profiles.json"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(choices, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def spaced_meeting_id(meeting_id: str) -> str:
    """A meeting ID as Zoom shows it to people: 812 3456 7890 (eleven digits), 812 345 6789 (ten)."""
    if len(meeting_id) == 11:
        return f"{meeting_id[:3]} {meeting_id[3:7]} {meeting_id[7:]}"
    if len(meeting_id) == 10:
        return f"{meeting_id[:3]} {meeting_id[3:6]} {meeting_id[6:]}"
    return meeting_id


async def upcoming_meetings(services: Services, *, host: str | None = None) -> list[UpcomingMeeting]:
    """The host's upcoming meetings. ``host``: an email or Zoom user ID, or "me" for a teacher's own
    sign-in; by default the host the connection is set up for."""
    connection = await services.connected()
    if host is None:
        host = connection.host_user()
    elif host == "me" and connection.settings.auth_mode != "user_oauth":
        raise AuthError(
            "A school-owned Zoom app has no 'me': zoomhost needs to know whose meetings to list.",
            hint="Name the host: `zoomhost meetings --user teacher@school.example`.",
        )
    return await connection.zoom.list_upcoming_meetings(user_id=host)


async def check_meeting(services: Services, meeting_id: str | int, *, today: date | None = None) -> MeetingCheck:
    """Run every pre-flight rule against the meeting (as typed, "812 3456 7890" or digits)."""
    number = meeting_number(meeting_id)
    connection = await services.connected()
    loop = asyncio.get_running_loop()
    context = await loop.run_in_executor(
        None, partial(preflight_context, services.register, connection.settings, today=today or date.today())
    )
    report = await run_preflight(connection.zoom, number, context=context)
    budget = connection.zoom.budget
    left = await loop.run_in_executor(None, budget.remaining, report.host_id) if report.host_id else None
    return MeetingCheck(report=report, context=context, updates_left=left, warn_below=budget.warn_below)


async def fix_meeting(
    services: Services, report: PreflightReport, context: PreflightContext, plan: FixPlan | None = None
) -> FixOutcome | None:
    """Make the changes Zoom allows (one meeting update, one host-settings update), then check again.

    ``plan``: what the teacher agreed to; by default Fix all's (``core.preflight.plan_fix_all``):
    every fix Zoom's API allows, warnings' too. None back when there is nothing to do.
    """
    plan = plan if plan is not None else plan_fix_all(report.results)
    if plan.is_empty:
        return None
    connection = await services.connected()
    return await apply_fixes(connection.zoom, report.meeting_id, plan, context=context, host_id=report.host_id)


async def new_passcode(services: Services, meeting_id: str | int) -> UpdateReceipt:
    """Give the meeting a new strong passcode in one meeting update; the passcode itself never leaves here."""
    number = meeting_number(meeting_id)
    connection = await services.connected()
    return (await rotate_passcode(connection.zoom, number)).receipt


async def end_meeting(services: Services, meeting_id: str | int) -> tuple[str, bool]:
    """End the meeting for everyone, now: the meeting's number, and False when it was not running."""
    number = meeting_number(meeting_id)
    connection = await services.connected()
    return number, await connection.zoom.end_meeting(number)
