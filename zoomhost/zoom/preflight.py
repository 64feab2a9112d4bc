"""Pre-flight against live Zoom: read the meeting and its host's settings, check them, fix what may be fixed.

The rules are the core's (``zoomhost.core.preflight``); this module only gathers what they
read. The host is the meeting's ``host_id`` (a Server-to-Server app has no "me"). When the
host is known beforehand (the meeting list's ``host_id``, or the host email a Server-to-Server
app is set up with), the meeting, the host's user, settings, security settings and sign-in
(authentication) options and the account's settings are
all read at once, one round trip, and the meeting's ``host_id`` is checked afterwards: only if
it names someone else are that person's user and settings read. Otherwise the meeting is read
first and the rest together after it. The rules get ``system.redact.register_secret`` with what
they read, so a passcode a fix makes up is masked in the logs from the moment it exists.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from zoomhost.core import preflight as rules
from zoomhost.core.preflight import FixPlan, PreflightInput, RuleResult, RuleStatus
from zoomhost.core.profiles import Profile, meeting_profile
from zoomhost.system import redact
from zoomhost.zoom.client import UpdateReceipt, ZoomClient, meeting_number
from zoomhost.zoom.errors import BadRequest, ZoomError

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class PreflightContext:
    """What the checks need from outside Zoom: the register's numbers and the school's settings."""

    consented_pupils: int = 0
    staff: int = 0
    school_email_domain: str | None = None
    planned_minutes: int = 30
    assistant_user: str | None = None  # the host assistant's Zoom user (email), made each meeting's alternative host
    # Which protocol each meeting is held to (``core.profiles``): the school's topic words for staff meetings,
    # and the profile a teacher chose for a meeting in zoomhost (meeting id -> "pupils" or "staff").
    staff_meeting_words: tuple[str, ...] = ()
    chosen_profiles: Mapping[str, str] = field(default_factory=dict)

    def profile(self, meeting_id: str | int, topic: object) -> Profile:
        """The teacher's choice for this meeting (kept under its number, however the id was typed), else the topic's."""
        try:
            key = meeting_number(meeting_id)
        except BadRequest:  # not a meeting number: nobody could have chosen for it
            key = str(meeting_id)
        return meeting_profile(topic, chosen=self.chosen_profiles.get(key), words=self.staff_meeting_words)


@dataclass(frozen=True, kw_only=True)
class PreflightReport:
    meeting_id: str
    topic: str
    host_id: str | None
    results: tuple[RuleResult, ...]
    unreadable: tuple[str, ...] = ()  # what Zoom would not tell us (the rules then say "unknown")
    profile: Profile = Profile.PUPILS  # the protocol the meeting is held to (``core.profiles``)

    @property
    def failed(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if r.status is RuleStatus.FAIL)

    def as_dict(self) -> dict[str, Any]:
        return {
            "meeting_id": self.meeting_id,
            "topic": self.topic,
            "profile": self.profile.value,
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


async def optional_read(label: str, call: Any, unreadable: list[str]) -> Any:
    """A read the rules can do without (the checklist's and the audit's): on refusal, note it and carry on."""
    try:
        return await call
    except ZoomError as err:
        log.info("pre-flight could not read %s: %s", label, err)
        unreadable.append(f"{label}: {err}")
        return None


def expected_host(client: ZoomClient, host_id: str | None = None) -> str | None:
    """Who probably hosts the meeting before it is read: the meeting list's ``host_id``, else the host
    email a Server-to-Server app is set up with (a teacher's own sign-in is checked by reading the meeting)."""
    if host_id:
        return host_id
    settings = getattr(client, "settings", None)
    if settings is not None and settings.auth_mode == "server_to_server" and settings.host_email:
        return str(settings.host_email)
    return None


def _is_host(meeting_host: str, guess: str, user: Mapping[str, Any] | None) -> bool:
    """Whether the reads made for ``guess`` (an id or an email) were about the meeting's real host."""
    if guess == meeting_host:
        return True
    return user is not None and user.get("id") == meeting_host


MAX_GROUPS = 5  # a host in more groups than this is rare; the first five are read


async def group_locks(client: ZoomClient, user: Mapping[str, Any] | None, unreadable: list[str]) -> dict[str, Any] | None:
    """The lock settings of the host's groups (``group_ids`` of GET /users/{id}), merged: a lock in any group holds."""
    groups = [g for g in (user or {}).get("group_ids") or [] if isinstance(g, str) and g][:MAX_GROUPS]
    if not groups:
        return None
    answers = await asyncio.gather(
        *(optional_read("the host's group's locked settings", client.get_group_lock_settings(g), unreadable) for g in groups)
    )
    merged: dict[str, Any] = {}
    for answer in answers:
        for section, values in (answer or {}).items():
            if isinstance(values, Mapping):
                target = merged.setdefault(section, {})
                for key, locked in values.items():
                    target[key] = bool(target.get(key)) or locked is True
    return merged or None


async def run_preflight(
    client: ZoomClient, meeting_id: str | int, *, context: PreflightContext, host_id: str | None = None
) -> PreflightReport:
    """Read the meeting, its host's user and settings and the account's settings, and check them.

    ``host_id``: who hosts it, when already known (the meeting list says); then everything is read
    at once, and the meeting's own ``host_id`` is checked afterwards (someone else's is read then).
    """
    unreadable: list[str] = []
    guessed: list[str] = []  # refusals about the expected host: they count only if that was the meeting's host
    guess = expected_host(client, host_id)
    user: Mapping[str, Any] | None = None
    settings: Mapping[str, Any] | None = None
    account: Mapping[str, Any] | None = None
    scheduler: Mapping[str, Any] | None = None
    security: Mapping[str, Any] | None = None
    authentication: Mapping[str, Any] | None = None
    locks: Mapping[str, Any] | None = None
    if guess:
        meeting, user, settings, account, security, authentication, locks = await asyncio.gather(
            client.get_meeting(meeting_id),
            optional_read("the host's profile", client.get_user(guess), guessed),
            optional_read("the host's settings", client.get_user_settings(guess), guessed),
            optional_read("the account's settings", client.get_account_settings(), unreadable),
            optional_read("the host's security settings", client.get_user_security_settings(guess), guessed),
            optional_read("the host's sign-in options", client.get_user_authentication_settings(guess), guessed),
            optional_read("the account's locked settings", client.get_lock_settings(), unreadable),
        )
    else:
        meeting = await client.get_meeting(meeting_id)
    host = meeting.get("host_id") if isinstance(meeting.get("host_id"), str) else None
    if not host:
        unreadable.append("the meeting's host (Zoom did not say who hosts it)")
        user = settings = account = security = authentication = locks = None
    else:
        confirmed = guess is not None and _is_host(host, guess, user)
        if confirmed:
            unreadable += guessed
        elif guess is not None:
            log.info("pre-flight: the meeting is hosted by someone other than expected; reading their settings")
        reads: dict[str, Any] = {}
        if not confirmed:
            reads["user"] = optional_read("the host's profile", client.get_user(host), unreadable)
            reads["settings"] = optional_read("the host's settings", client.get_user_settings(host), unreadable)
            reads["security"] = optional_read("the host's security settings", client.get_user_security_settings(host), unreadable)
            reads["authentication"] = optional_read(
                "the host's sign-in options", client.get_user_authentication_settings(host), unreadable
            )
        if guess is None:
            reads["account"] = optional_read("the account's settings", client.get_account_settings(), unreadable)
            reads["locks"] = optional_read("the account's locked settings", client.get_lock_settings(), unreadable)
        assistant_id = meeting.get("assistant_id")
        if isinstance(assistant_id, str) and assistant_id and assistant_id != host:
            reads["scheduler"] = optional_read("who scheduled the meeting for the host", client.get_user(assistant_id), unreadable)
        found = dict(zip(reads, await asyncio.gather(*reads.values()), strict=True))
        user, settings = found.get("user", user), found.get("settings", settings)
        account, scheduler = found.get("account", account), found.get("scheduler")
        security, locks = found.get("security", security), found.get("locks", locks)
        authentication = found.get("authentication", authentication)
    groups_locked = await group_locks(client, user, unreadable)
    return checked(
        meeting,
        meeting_id=meeting_id,
        host=host,
        reads=HostReads(user=user, settings=settings, security=security, authentication=authentication, group_locks=groups_locked),
        account=AccountReads(settings=account, locks=locks, account_id=client.account_id),
        scheduler=scheduler,
        context=context,
        unreadable=unreadable,
    )


@dataclass(frozen=True, kw_only=True)
class HostReads:
    """What Zoom said about one host: profile, settings, security settings, sign-in (authentication) options,
    their groups' locks (None: unread)."""

    user: Mapping[str, Any] | None = None
    settings: Mapping[str, Any] | None = None
    security: Mapping[str, Any] | None = None
    authentication: Mapping[str, Any] | None = None  # GET /users/{userId}/settings?option=meeting_authentication
    group_locks: Mapping[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class AccountReads:
    """What Zoom said about the account: its settings and locks (None: unread), and its id where known."""

    settings: Mapping[str, Any] | None = None
    locks: Mapping[str, Any] | None = None
    account_id: str | None = None


def checked(
    meeting: Mapping[str, Any],
    *,
    meeting_id: str | int,
    host: str | None,
    reads: HostReads,
    account: AccountReads,
    context: PreflightContext,
    unreadable: list[str] | tuple[str, ...] = (),
    scheduler: Mapping[str, Any] | None = None,
) -> PreflightReport:
    """Every rule on a meeting, from what was read (one place builds the rules' input: the checklist and the audit)."""
    user = reads.user
    pmi = (user or {}).get("pmi")
    inp = PreflightInput(
        meeting=meeting,
        user_settings=reads.settings,
        consented_pupils=context.consented_pupils,
        staff=context.staff,
        host_email=(user or {}).get("email") if isinstance((user or {}).get("email"), str) else None,
        school_email_domain=context.school_email_domain or None,
        personal_meeting_id=pmi if isinstance(pmi, int) and not isinstance(pmi, bool) else None,
        planned_minutes=context.planned_minutes,
        account_settings=account.settings,
        scheduler_email=scheduler.get("email") if scheduler and isinstance(scheduler.get("email"), str) else None,
        assistant_user=context.assistant_user,
        register_secret=redact.register_secret,
        security_settings=reads.security,
        authentication_settings=reads.authentication,
        account_locks=account.locks,
        group_locks=reads.group_locks,
        host_account_id=(user or {}).get("account_id") if isinstance((user or {}).get("account_id"), str) else None,
        school_account_id=account.account_id,
    )
    found_id = str(meeting.get("id", meeting_id))
    profile = context.profile(found_id, meeting.get("topic")) if meeting else Profile.PUPILS
    return PreflightReport(
        meeting_id=found_id,
        topic=str(meeting.get("topic") or ""),
        host_id=host,
        results=tuple(rules.evaluate_all(inp, rules=rules.rules_for(profile))),
        unreadable=tuple(unreadable),
        profile=profile,
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
    after = await run_preflight(client, meeting_id, context=context, host_id=host_id)
    return FixOutcome(
        meeting_updated=meeting_updated,
        settings_updated=settings_updated,
        receipt=receipt,
        manual_steps=plan.manual_steps,
        after=after,
        problems=tuple(problems),
    )
