"""Pre-flight against live Zoom: read the meeting and its host's settings, check them, fix what may be fixed.

The rules are the core's (``zoomhost.core.preflight``); this module only gathers what they
read. The host is the meeting's ``host_id`` (a Server-to-Server app has no "me"), and the
host's user, settings and the account's settings are read at the same time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from zoomhost.core import preflight as rules
from zoomhost.core.preflight import FixPlan, PreflightInput, RuleResult, RuleStatus
from zoomhost.zoom.client import UpdateReceipt, ZoomClient
from zoomhost.zoom.errors import ZoomError

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class PreflightContext:
    """What the checks need from outside Zoom: the register's numbers and the school's settings."""

    consented_pupils: int = 0
    staff: int = 0
    school_email_domain: str | None = None
    planned_minutes: int = 30


@dataclass(frozen=True, kw_only=True)
class PreflightReport:
    meeting_id: str
    topic: str
    host_id: str | None
    results: tuple[RuleResult, ...]
    unreadable: tuple[str, ...] = ()  # what Zoom would not tell us (the rules then say "unknown")

    @property
    def failed(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if r.status is RuleStatus.FAIL)

    def as_dict(self) -> dict[str, Any]:
        return {
            "meeting_id": self.meeting_id,
            "topic": self.topic,
            "rules": [r.as_dict() for r in self.results],
            "unreadable": list(self.unreadable),
        }


@dataclass(frozen=True, kw_only=True)
class FixOutcome:
    """What ``apply_fixes`` changed, what is left for a person, and the checks run again."""

    meeting_updated: bool
    settings_updated: bool
    receipt: UpdateReceipt | None
    manual_steps: tuple[str, ...]
    after: PreflightReport
    problems: tuple[str, ...] = field(default=())


async def _optional(label: str, call: Any, unreadable: list[str]) -> Mapping[str, Any] | None:
    """A read the rules can do without: on refusal, note it and carry on."""
    try:
        return await call
    except ZoomError as err:
        log.info("pre-flight could not read %s: %s", label, err)
        unreadable.append(f"{label}: {err}")
        return None


async def run_preflight(client: ZoomClient, meeting_id: str | int, *, context: PreflightContext) -> PreflightReport:
    """Fetch the meeting, then its host's user, settings and the account's settings together, and check them."""
    meeting = await client.get_meeting(meeting_id)
    host_id = meeting.get("host_id") if isinstance(meeting.get("host_id"), str) else None
    unreadable: list[str] = []
    assistant_id = meeting.get("assistant_id")
    scheduler: Mapping[str, Any] | None = None
    if host_id:
        reads = [
            _optional("the host's profile", client.get_user(host_id), unreadable),
            _optional("the host's settings", client.get_user_settings(host_id), unreadable),
            _optional("the account's settings", client.get_account_settings(), unreadable),
        ]
        if isinstance(assistant_id, str) and assistant_id and assistant_id != host_id:
            reads.append(_optional("who scheduled the meeting for the host", client.get_user(assistant_id), unreadable))
        user, settings, account, *rest = await asyncio.gather(*reads)
        scheduler = rest[0] if rest else None
    else:
        unreadable.append("the meeting's host (Zoom did not say who hosts it)")
        user = settings = account = None
    pmi = (user or {}).get("pmi")
    inp = PreflightInput(
        meeting=meeting,
        user_settings=settings,
        consented_pupils=context.consented_pupils,
        staff=context.staff,
        host_email=(user or {}).get("email") if isinstance((user or {}).get("email"), str) else None,
        school_email_domain=context.school_email_domain or None,
        personal_meeting_id=pmi if isinstance(pmi, int) and not isinstance(pmi, bool) else None,
        planned_minutes=context.planned_minutes,
        account_settings=account,
        scheduler_email=scheduler.get("email") if scheduler and isinstance(scheduler.get("email"), str) else None,
    )
    return PreflightReport(
        meeting_id=str(meeting.get("id", meeting_id)),
        topic=str(meeting.get("topic") or ""),
        host_id=host_id,
        results=tuple(rules.evaluate_all(inp)),
        unreadable=tuple(unreadable),
    )


async def apply_fixes(
    client: ZoomClient,
    meeting_id: str | int,
    plan: FixPlan,
    *,
    context: PreflightContext,
    host_id: str | None = None,
) -> FixOutcome:
    """ONE meeting update and ONE host-settings update (meeting updates are rationed), then check again.

    If one of the two is refused, the other still counts; the outcome lists the refusal.
    """
    if host_id is None and plan.user_patch:
        host_id = (await client.get_meeting(meeting_id)).get("host_id")
    problems: list[str] = []
    receipt: UpdateReceipt | None = None
    meeting_updated = settings_updated = False

    async def patch_meeting() -> None:
        nonlocal receipt, meeting_updated
        receipt = await client.update_meeting(meeting_id, plan.meeting_patch, host_id=host_id)
        meeting_updated = True

    async def patch_settings() -> None:
        nonlocal settings_updated
        if not host_id:
            problems.append("The host's settings were not changed: Zoom did not say who hosts the meeting.")
            return
        await client.update_user_settings(host_id, plan.user_patch)
        settings_updated = True

    jobs = [job() for job, wanted in ((patch_meeting, plan.meeting_patch), (patch_settings, plan.user_patch)) if wanted]
    for outcome in await asyncio.gather(*jobs, return_exceptions=True):
        if isinstance(outcome, ZoomError):
            problems.append(outcome.user_text())
        elif isinstance(outcome, BaseException):
            raise outcome
    after = await run_preflight(client, meeting_id, context=context)
    return FixOutcome(
        meeting_updated=meeting_updated,
        settings_updated=settings_updated,
        receipt=receipt,
        manual_steps=plan.manual_steps,
        after=after,
        problems=tuple(problems),
    )
