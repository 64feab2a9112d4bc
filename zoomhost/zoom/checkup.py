"""Test connection: what works with these Zoom credentials, and what the school's plan lacks.

Each line asks Zoom one thing the app will later rely on (a token, the host's meetings, the
host's settings, the account's settings, the Dashboard, the event subscription) and says
pass / fail / warn in words, so a teacher or IT lead can tell "wrong secret" from "the plan has
no Dashboard" from "a teacher's own sign-in may not do this". The event subscription passes only
when Zoom's event stream really answered a heartbeat, not merely when a socket opened.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from zoomhost.core.words import plural
from zoomhost.system.config import Settings
from zoomhost.core.errors import ZoomhostError
from zoomhost.core.preflight import RuleStatus
from zoomhost.zoom.auth import ZoomAuth
from zoomhost.zoom.client import ZoomClient
from zoomhost.zoom.errors import NotFound, NotPermitted, PlanDoesNotAllow, ZoomError
from zoomhost.zoom.events import EventStream
from zoomhost.zoom.scopes import OWN_SIGN_IN_LOSES, check_scopes, own_sign_in_summary

#: The line about a teacher's own sign-in (only when zoomhost signs in that way).
OWN_SIGN_IN = "Your own Zoom sign-in"
ACCOUNT_SETTINGS = "Reading the account's settings"
DASHBOARD = "Dashboard (who is in a meeting)"
EVENT_SUBSCRIPTION = "Event subscription"
SCOPES = "Scopes"

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class CheckLine:
    """One thing the connection test tried: its name, pass/fail/warn/unknown, and what it found."""

    what: str
    status: RuleStatus
    text: str


def _line(what: str, status: RuleStatus, text: str) -> CheckLine:
    return CheckLine(what=what, status=status, text=text)


async def check_connection(
    *, client: ZoomClient, auth: ZoomAuth, settings: Settings, host_user: str | None, event_timeout: float = 10.0
) -> list[CheckLine]:
    """Every line of the test, in order; never raises for what Zoom refuses (that is a failed line)."""
    lines: list[CheckLine] = []
    own = settings.auth_mode == "user_oauth"
    try:
        await auth.warm()
    except ZoomError as err:
        lines.append(_line("Sign-in", RuleStatus.FAIL, err.user_text()))
        untried = "Not tried: zoomhost could not sign in."
        for what in (SCOPES, "Reading meetings", "Reading the host's settings", ACCOUNT_SETTINGS, DASHBOARD, EVENT_SUBSCRIPTION):
            lines.append(_line(what, RuleStatus.UNKNOWN, untried))
        if own:
            lines.append(_line(OWN_SIGN_IN, RuleStatus.WARN, own_sign_in_summary()))
        return lines
    lines.append(_line("Sign-in", RuleStatus.PASS, "Zoom accepted the app's credentials and issued a token."))
    lines.append(scope_line(auth.granted_scopes, own_sign_in=own, assistant_user=bool(settings.assistant_user)))

    if host_user is None:
        why = "Not tried: enter the host's Zoom email address in Settings."
        lines.append(_line("Reading meetings", RuleStatus.FAIL, why))
        lines.append(_line("Reading the host's settings", RuleStatus.FAIL, why))
        meeting_id = None
    else:
        meeting_id = await _meetings(client, host_user, lines)
        await _host(client, host_user, lines)
    lines.append(await _account(client))
    lines.append(await _dashboard(client, meeting_id))
    lines.append(await _subscription(settings, auth, event_timeout))
    if own:
        lines.append(_line(OWN_SIGN_IN, RuleStatus.WARN, own_sign_in_summary()))
    return lines


def scope_line(granted: frozenset[str] | None, *, own_sign_in: bool, assistant_user: bool) -> CheckLine:
    """The scopes Zoom granted the token against zoomhost's list: missing ones fail (by feature), extra ones warn."""
    if granted is None:
        return _line(SCOPES, RuleStatus.UNKNOWN, "Zoom did not say which scopes it granted, so they could not be checked.")
    report = check_scopes(granted, own_sign_in=own_sign_in, assistant_user=assistant_user)
    where = "the Zoom app a teacher signs in with" if own_sign_in else "the school's Server-to-Server app"
    parts: list[str] = []
    if report.missing:
        each = " ".join(f"{feature.name} needs {', '.join(add)}; without it, {feature.without}" for feature, add in report.missing)
        parts.append(f"Missing: {each} Add them to {where} (App Marketplace ▸ the app ▸ Scopes), then test again.")
    if report.extra:
        parts.append(
            f"Beyond what zoomhost needs: {', '.join(report.extra)}. Remove them from {where} "
            "(App Marketplace ▸ the app ▸ Scopes), so its secret can do no more than zoomhost does."
        )
    if report.missing:
        return _line(SCOPES, RuleStatus.FAIL, " ".join(parts))
    if report.extra:
        return _line(SCOPES, RuleStatus.WARN, " ".join(parts))
    return _line(SCOPES, RuleStatus.PASS, f"{where[0].upper()}{where[1:]} has every scope zoomhost needs, and no more.")


async def _meetings(client: ZoomClient, host_user: str, lines: list[CheckLine]) -> str | None:
    try:
        meetings = await client.list_upcoming_meetings(user_id=host_user)
    except ZoomError as err:
        lines.append(_line("Reading meetings", RuleStatus.FAIL, err.user_text()))
        return None
    count = len(meetings)
    lines.append(
        _line("Reading meetings", RuleStatus.PASS, f"Zoom lists {plural(count, 'upcoming meeting')} for {host_user}.")
    )
    return meetings[0].id if meetings else None


async def _host(client: ZoomClient, host_user: str, lines: list[CheckLine]) -> None:
    try:
        user = await client.get_user(host_user)
        await client.get_user_settings(host_user)
    except ZoomError as err:
        lines.append(_line("Reading the host's settings", RuleStatus.FAIL, err.user_text()))
        return
    lines.append(_line("Reading the host's settings", RuleStatus.PASS, "zoomhost can read (and so check) the host's in-meeting settings."))
    if user.get("type") == 1:
        lines.append(
            _line(
                "Host's licence",
                RuleStatus.WARN,
                "The host has a Basic (free) Zoom licence: meetings stop after 40 minutes and per-family registration links are not available.",
            )
        )
    else:
        lines.append(_line("Host's licence", RuleStatus.PASS, "The host has a licensed Zoom account."))
    host_id = user.get("id")
    if isinstance(host_id, str):
        left = client.budget.remaining(host_id)
        status = RuleStatus.WARN if left < client.budget.warn_below else RuleStatus.PASS
        lines.append(_line("Meeting changes left today", status, f"{left} of Zoom's {client.budget.limit} meeting updates a day are left."))


async def _account(client: ZoomClient) -> CheckLine:
    what = ACCOUNT_SETTINGS
    try:
        await client.get_account_settings()
    except NotPermitted:
        return _line(what, RuleStatus.FAIL, f"This sign-in may not read them. {OWN_SIGN_IN_LOSES[1].why} {OWN_SIGN_IN_LOSES[1].instead}")
    except ZoomError as err:
        return _line(what, RuleStatus.WARN, f"Zoom did not give the account's settings: {err.user_text()}")
    return _line(what, RuleStatus.PASS, "zoomhost can read the account's settings (so pre-flight can check renaming).")


async def _dashboard(client: ZoomClient, meeting_id: str | None) -> CheckLine:
    what = DASHBOARD
    if meeting_id is None:
        return _line(what, RuleStatus.UNKNOWN, "Not tried: there is no upcoming meeting to ask about.")
    try:
        await client.live_participants(meeting_id)
    except NotPermitted:
        return _line(
            what,
            RuleStatus.FAIL,
            f"This sign-in may not use the Dashboard. {OWN_SIGN_IN_LOSES[0].why} {OWN_SIGN_IN_LOSES[0].instead}",
        )
    except PlanDoesNotAllow:
        return _line(
            what,
            RuleStatus.FAIL,
            "The plan lacks the Dashboard (Business and Education plans have it), or this sign-in may not use it: "
            "after a dropped connection zoomhost cannot ask who is already waiting.",
        )
    except NotFound:
        pass  # Zoom answers "not found" for a meeting that is not running: the Dashboard itself answered
    except ZoomError as err:
        return _line(what, RuleStatus.WARN, f"Zoom's Dashboard did not answer clearly: {err.user_text()}")
    return _line(what, RuleStatus.PASS, "The plan includes the Dashboard: zoomhost can check who is in a meeting.")


async def _subscription(settings: Settings, auth: ZoomAuth, timeout: float) -> CheckLine:
    """PASS only when Zoom's event stream answered a heartbeat on this subscription with this sign-in."""
    what = EVENT_SUBSCRIPTION
    if not settings.subscription_id:
        return _line(what, RuleStatus.FAIL, "No event subscription ID is set, so zoomhost cannot hear arrivals in the waiting room.")
    try:
        stream = EventStream(settings=settings, auth=auth, open_timeout=timeout)
    except ZoomhostError as err:
        return _line(what, RuleStatus.FAIL, err.user_text())
    probe = await stream.probe(timeout=timeout)
    if probe.answered:
        return _line(what, RuleStatus.PASS, "Zoom's event stream answered: arrivals will be heard as they happen.")
    return _line(
        what,
        RuleStatus.FAIL,
        f"{probe.problem} Check the subscription ID, and that the school's Zoom app has a WebSocket event "
        "subscription this sign-in may use.",
    )
