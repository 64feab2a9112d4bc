"""An audit of the whole school account: every host, and every meeting each has scheduled in the next days,
checked against the protocol, worst first; and Fix all over it within Zoom's daily update limit.

``zoomhost audit`` and the window's Audit page call these, on the I/O loop. Each host's
settings are read once (profile, settings, security settings, groups' locks), the account's
settings and locks once, then each meeting; reads run a few at a time, paced by the client's
per-second limits and retried on 429. With a teacher's own sign-in (no admin rights) Zoom lists
no other user: the audit covers that teacher's meetings and says so.
"""

from __future__ import annotations

import asyncio
import html
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from zoomhost.app.meetings import preflight_context
from zoomhost.app.services import Services, own_folders
from zoomhost.core.errors import ZoomhostError
from zoomhost.core.export import ExportError, check_destination
from zoomhost.core.preflight import FixPlan, RuleResult, RuleStatus, checklist_order, describe_fix_all, plan_fixes
from zoomhost.core.profiles import PROFILE_WORDS, Profile
from zoomhost.core.zoom_times import meeting_when, zoom_time
from zoomhost.zoom.client import ZoomClient
from zoomhost.zoom.errors import ZoomError
from zoomhost.zoom.preflight import (
    AccountReads,
    HostReads,
    PreflightContext,
    PreflightReport,
    checked,
    group_locks,
    optional_read,
)

#: Rules decided by the host's (or the account's) settings alone: the host-level results.
HOST_RULES = (
    "screen_sharing_host_only", "chat_off", "private_chat_off", "file_transfer_off", "rename_off", "browser_join",
    "capacity", "passcode_not_in_link", "data_centers", "cohost_enabled", "web_join_without_sign_in",
    "waiting_room_admitters", "settings_locked", "recording", "live_streaming", "annotation",
)  # fmt: skip
CONCURRENT_READS = 4  # hosts read at once; the client's limiter paces every request under Zoom's per-second limits
DEFAULT_DAYS = 7


class _Checked:
    """What a host's or a meeting's checks add up to (``results``: the checks)."""

    results: tuple[RuleResult, ...]

    def ids(self, status: RuleStatus) -> list[str]:
        return [r.rule_id for r in self.results if r.status is status]

    @property
    def severity(self) -> tuple[int, int, int]:
        """(failing, warnings, not reported by Zoom): the audit's order, worst first."""
        return _severity(self.results)


@dataclass(frozen=True)
class HostAudit(_Checked):
    """The checks a host's own settings decide."""

    id: str
    email: str
    results: tuple[RuleResult, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "failed": self.ids(RuleStatus.FAIL),
            "warnings": self.ids(RuleStatus.WARN),
            "unknown": self.ids(RuleStatus.UNKNOWN),
        }


@dataclass(frozen=True)
class MeetingAudit(_Checked):
    report: PreflightReport
    host_email: str
    start_time: str | None

    @property  # type: ignore[override]
    def results(self) -> tuple[RuleResult, ...]:
        return self.report.results

    def as_dict(self) -> dict[str, Any]:
        return {
            "meeting_id": self.report.meeting_id,
            "host": self.host_email,
            "topic": self.report.topic,
            "start_time": self.start_time,
            "profile": self.report.profile.value,
            "failed": self.ids(RuleStatus.FAIL),
            "warnings": self.ids(RuleStatus.WARN),
            "unknown": self.ids(RuleStatus.UNKNOWN),
        }


@dataclass(frozen=True)
class AccountAudit:
    generated_at: datetime
    days: int
    whole_account: bool  # False: a teacher's own sign-in, so only that teacher's meetings
    hosts: tuple[HostAudit, ...]
    meetings: tuple[MeetingAudit, ...]  # worst first
    unreadable: tuple[str, ...]
    context: PreflightContext
    seconds: float = 0.0
    own_sign_in: bool = True  # when not the whole account: a teacher's own sign-in, or a school app short of a scope

    @property
    def scope(self) -> str:
        if self.whole_account:
            return f"every host in the school's Zoom account, and their meetings in the next {self.days} days"
        if not self.own_sign_in:
            return (
                f"only the connected host's meetings in the next {self.days} days: the school's Zoom app may not list "
                "the account's users (give it the scope user:read:list_users:admin, or user:read:admin)"
            )
        return (
            f"only your own meetings in the next {self.days} days: a teacher's own sign-in cannot list the "
            "account's other hosts (an admin's connection audits the whole account)"
        )

    def counts(self) -> dict[str, int]:
        return {
            "hosts": len(self.hosts),
            "meetings": len(self.meetings),
            "meetings_failing": sum(1 for m in self.meetings if m.ids(RuleStatus.FAIL)),
            "meetings_with_warnings": sum(1 for m in self.meetings if m.ids(RuleStatus.WARN)),
            "unreadable": len(self.unreadable),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "days": self.days,
            "scope": self.scope,
            "whole_account": self.whole_account,
            "counts": self.counts(),
            "hosts": [h.as_dict() for h in self.hosts],
            "meetings": [m.as_dict() for m in self.meetings],
            "unreadable": list(self.unreadable),
        }


def _in_window(start: str | None, *, now: datetime, days: int) -> bool:
    if not start:
        return True  # a recurring meeting with no fixed time can start any day
    when = zoom_time(start)
    return when is None or when <= now + timedelta(days=days)  # an unreadable time: checked, to be safe


async def _nothing() -> None:
    return None


async def _audit_host(
    zoom: ZoomClient, user: Mapping[str, Any], *, account: AccountReads, context: PreflightContext, now: datetime, days: int,
    unreadable: list[str],
) -> tuple[HostAudit, list[MeetingAudit]]:
    host_id, email = str(user.get("id") or ""), str(user.get("email") or "")
    who = email or host_id
    profile, settings, security, listed = await asyncio.gather(
        optional_read(f"{who}'s profile", zoom.get_user(host_id), unreadable),
        optional_read(f"{who}'s settings", zoom.get_user_settings(host_id), unreadable),
        optional_read(f"{who}'s security settings", zoom.get_user_security_settings(host_id), unreadable),
        optional_read(f"{who}'s meetings", zoom.list_upcoming_meetings(user_id=host_id), unreadable),
    )
    reads = HostReads(user=profile or user, settings=settings, security=security, group_locks=await group_locks(zoom, profile, unreadable))
    blank = checked({}, meeting_id="", host=host_id, reads=reads, account=account, context=context)
    host = HostAudit(id=host_id, email=email, results=tuple(r for r in blank.results if r.rule_id in HOST_RULES))
    wanted = [m for m in listed or [] if _in_window(m.start_time, now=now, days=days)]
    # The host's sign-in options matter only to a meeting of staff (its sign-in rule): read with its meetings, and
    # only for a host who has one, to keep the audit's reads inside Zoom's per-second limit.
    staff = any(context.profile(m.id, m.topic) is Profile.STAFF for m in wanted)
    authentication, *meetings = await asyncio.gather(
        optional_read(f"{who}'s sign-in options", zoom.get_user_authentication_settings(host_id), unreadable) if staff else _nothing(),
        *(optional_read(f"meeting {m.id} of {who}", zoom.get_meeting(m.id), unreadable) for m in wanted),
    )
    reads = replace(reads, authentication=authentication)
    rows = [
        MeetingAudit(
            report=checked(meeting, meeting_id=m.id, host=host_id, reads=reads, account=account, context=context),
            host_email=email,
            start_time=m.start_time,
        )
        for m, meeting in zip(wanted, meetings, strict=True)
        if meeting is not None
    ]
    return host, rows


async def audit_account(services: Services, *, days: int = DEFAULT_DAYS, today: date | None = None) -> AccountAudit:
    """Every host in the account and their meetings in the next ``days`` days, checked, worst first."""
    if not 1 <= days <= 90:
        raise ValueError("the audit looks between 1 and 90 days ahead")
    connection = await services.connected()
    zoom = connection.account_wide()  # the audit is the one task that asks for every host
    loop = asyncio.get_running_loop()
    context = await loop.run_in_executor(
        None, partial(preflight_context, services.register, connection.settings, today=today or date.today())
    )
    started, now = loop.time(), datetime.now(UTC)
    unreadable: list[str] = []
    try:
        users = await zoom.list_users()
        whole = True
    except ZoomError as err:
        whole = False
        unreadable.append(f"the account's users: {err}")
        own = connection.host_user()
        users = [{"id": own, "email": own if "@" in own else ""}]
    account_settings, locks = await asyncio.gather(
        optional_read("the account's settings", zoom.get_account_settings(), unreadable),
        optional_read("the account's locked settings", zoom.get_lock_settings(), unreadable),
    )
    account = AccountReads(settings=account_settings, locks=locks, account_id=zoom.account_id)
    gate = asyncio.Semaphore(CONCURRENT_READS)

    async def one(user: Mapping[str, Any]) -> tuple[HostAudit, list[MeetingAudit]]:
        async with gate:
            return await _audit_host(zoom, user, account=account, context=context, now=now, days=days, unreadable=unreadable)

    done = await asyncio.gather(*(one(u) for u in users if u.get("id")))
    meetings = sorted((m for _, rows in done for m in rows), key=lambda m: (tuple(-n for n in m.severity), m.start_time or ""))
    return AccountAudit(
        generated_at=now,
        days=days,
        whole_account=whole,
        hosts=tuple(h for h, _ in done),
        meetings=tuple(meetings),
        unreadable=tuple(unreadable),
        context=context,
        seconds=loop.time() - started,
        own_sign_in=connection.settings.auth_mode == "user_oauth",
    )


# --- Fix all over the audit ------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFixOutcome:
    meetings_updated: tuple[str, ...]
    hosts_updated: tuple[str, ...]
    left_for_tomorrow: tuple[str, ...]  # meetings whose host has no meeting update left today
    manual_steps: tuple[str, ...]
    problems: tuple[str, ...] = field(default=())

    def summary(self) -> str:
        parts = [f"{len(self.meetings_updated)} meeting(s) and {len(self.hosts_updated)} host(s) updated"]
        if self.left_for_tomorrow:
            parts.append(
                f"{len(self.left_for_tomorrow)} meeting(s) left for tomorrow (Zoom allows 100 meeting updates per host a day): "
                + ", ".join(self.left_for_tomorrow)
            )
        if self.manual_steps:
            parts.append(f"{len(self.manual_steps)} step(s) only a person can do in Zoom's web portal")
        return "; ".join(parts) + "."


def _audit_plans(audit: AccountAudit) -> tuple[list[tuple[Any, FixPlan]], list[tuple[Any, list[Any], FixPlan]], list[str]]:
    """What Fix all over the audit changes, the one reading both :func:`fix_audit` and :func:`describe_audit_fix`
    use: each host with a settings update, each meeting (its meeting-level results) with a meeting update, and
    the steps only a person can do, each once."""
    steps: list[str] = []
    hosts = []
    for host in audit.hosts:
        plan = plan_fixes(host.results)
        steps += [s for s in plan.manual_steps if s not in steps]
        if plan.user_patch:
            hosts.append((host, plan))
    meetings = []
    for row in audit.meetings:
        results = [r for r in row.report.results if r.rule_id not in HOST_RULES]
        plan = plan_fixes(results)
        steps += [s for s in plan.manual_steps if s not in steps]
        if plan.meeting_patch:
            meetings.append((row, results, plan))
    return hosts, meetings, steps


async def fix_audit(services: Services, audit: AccountAudit) -> AuditFixOutcome:
    """One settings update per host and one meeting update per meeting, never past a host's 100 a day."""
    connection = await services.connected()
    zoom = connection.account_wide()  # each host's settings and meetings, as the audit found them
    loop = asyncio.get_running_loop()
    updated: list[str] = []
    hosts: list[str] = []
    tomorrow: list[str] = []
    problems: list[str] = []
    host_plans, meeting_plans, steps = _audit_plans(audit)
    for host, plan in host_plans:
        try:
            await zoom.update_user_settings(host.id, plan.user_patch)
            hosts.append(host.email or host.id)
        except ZoomError as err:
            problems.append(f"{host.email or host.id}: {err.user_text()}")
    for row, _results, plan in meeting_plans:
        host = row.report.host_id or ""
        left = await loop.run_in_executor(None, zoom.budget.remaining, host)
        if left <= 0:
            tomorrow.append(row.report.meeting_id)
            continue
        try:
            await zoom.update_meeting(row.report.meeting_id, plan.meeting_patch, host_id=host)
            updated.append(row.report.meeting_id)
        except ZoomError as err:
            problems.append(f"meeting {row.report.meeting_id}: {err.user_text()}")
    return AuditFixOutcome(tuple(updated), tuple(hosts), tuple(tomorrow), tuple(steps), tuple(problems))


def describe_audit_fix(audit: AccountAudit) -> str:
    """What Fix all over the audit will change, host by host and meeting by meeting, in the words of each
    check (the plans :func:`fix_audit` applies), and what it leaves; empty when it has nothing to change."""
    parts: list[str] = []
    host_plans, meeting_plans, steps = _audit_plans(audit)
    for host, plan in host_plans:
        words = describe_fix_all(host.results, plan)
        parts.append(f"In the Zoom settings of {host.email or host.id} (for all their meetings):")
        parts += [f"  • {line}." for line in words.settings]
    meetings = len(meeting_plans)
    for row, results, plan in meeting_plans:
        words = describe_fix_all(results, plan)
        parts.append(f"In “{row.report.topic or 'Untitled meeting'}” ({meeting_when(row.start_time)}, {row.host_email}):")
        parts += [f"  • {line}." for line in words.meeting]
    if not parts:
        return ""
    if meetings:
        parts.append(
            f"Each of the {meetings} meeting change(s) uses one of its host's 100 meeting updates a day; "
            "a meeting whose host has none left today is left for tomorrow, and Fix all says which."
        )
    if steps:
        parts.append(f"Left for a person to do in Zoom's web portal: {len(steps)} step(s), in the report.")
    parts.append("Nothing else changes.")
    return "\n".join(parts)


# --- the report for the headteacher or the data protection officer --------------------------------


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _severity(results: tuple[RuleResult, ...]) -> tuple[int, int, int]:
    return tuple(sum(r.status is status for r in results) for status in (RuleStatus.FAIL, RuleStatus.WARN, RuleStatus.UNKNOWN))  # type: ignore[return-value]


def failing_checks(row: MeetingAudit | HostAudit) -> list[RuleResult]:
    """A meeting's (or a host's own settings') failing checks, then its warnings, as the teacher reads them."""
    return [r for r in checklist_order(row.results) if r.status in (RuleStatus.FAIL, RuleStatus.WARN)]


def account_label(services: Services) -> str:
    """How the report names the account: the school's email domain, when the school set one."""
    return services.settings.school_email_domain or "the school's Zoom account"


ReportPdfWriter = Callable[[str, Path], Path]  # (the report's HTML, where) -> where; Qt lays it out (ui.pdf)


def export_report(audit: AccountAudit, out: Path, *, account_label: str, write_pdf: ReportPdfWriter) -> Path:
    """Write the report for the headteacher to ``out`` (.html or .pdf), whole or not at all, never
    inside zoomhost's own folders; the window's Save report and ``zoomhost audit --out`` both call this."""
    out = Path(out)
    kind = out.suffix.lower()
    if kind not in (".pdf", ".html"):
        raise ZoomhostError("The report is written as a .pdf or an .html file.", hint="For example: audit.pdf")
    out = check_destination(out, own_folders=own_folders(), what="the audit report", example="audit.pdf")
    page = report_html(audit, account_label=account_label)
    if kind == ".pdf":
        return write_pdf(page, out)
    try:
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    except OSError as err:
        raise ExportError(f"the audit report cannot be written to {out.parent} ({err.strerror or err}).") from err
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(page)
        os.replace(tmp, out)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"the audit report could not be written to {out} ({err.strerror or err}).") from err
    return out


def report_html(audit: AccountAudit, *, account_label: str) -> str:
    """The audit as one HTML page (every text from Zoom escaped), for the browser or the PDF."""
    counts = audit.counts()
    rows = []
    for m in audit.meetings:
        failing, warnings, unknown = m.severity
        fixes = []
        for r in m.report.results:
            if r.status in (RuleStatus.FAIL, RuleStatus.WARN) and r.fix is not None:
                how = r.fix.manual_step or r.fix.description
                fixes.append(f"<li><b>{_e(r.title)}</b> ({_e(r.status.value)}): {_e(r.observed)} <i>Fix:</i> {_e(how)}</li>")
            elif r.status in (RuleStatus.FAIL, RuleStatus.WARN):
                fixes.append(f"<li><b>{_e(r.title)}</b> ({_e(r.status.value)}): {_e(r.observed)}</li>")
        rows.append(
            f"<h3>{_e(m.report.topic or 'Untitled meeting')} — {_e(meeting_when(m.start_time))}</h3>"
            f"<p>Meeting {_e(m.report.meeting_id)}, hosted by {_e(m.host_email)}, checked as "
            f"{_e(PROFILE_WORDS[m.report.profile])}: {failing} failing, {warnings} warnings, {unknown} not reported by Zoom.</p>"
            + (f"<ul>{''.join(fixes)}</ul>" if fixes else "<p>Keeps the protocol.</p>")
        )
    unread = "".join(f"<li>{_e(u)}</li>" for u in audit.unreadable) or "<li>Nothing: every host and meeting was read.</li>"
    return (
        "<html><head><meta charset='utf-8'><title>Zoom account audit</title></head><body>"
        f"<h1>Zoom account audit against the school's protocol</h1>"
        f"<p>{_e(audit.generated_at.strftime('%d %B %Y, %H:%M'))} UTC · account: {_e(account_label)}</p>"
        f"<p>Covers {_e(audit.scope)}.</p>"
        f"<p>{counts['hosts']} hosts · {counts['meetings']} meetings · {counts['meetings_failing']} failing · "
        f"{counts['meetings_with_warnings']} with warnings · {counts['unreadable']} could not be read</p>"
        f"<h2>Meetings, worst first</h2>{''.join(rows) or '<p>No meetings in the period.</p>'}"
        f"<h2>What could not be read</h2><ul>{unread}</ul></body></html>"
    )
