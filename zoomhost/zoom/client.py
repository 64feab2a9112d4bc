"""The Zoom REST calls zoomhost makes, typed, paced, retried where safe, and counted where Zoom counts.

One :class:`ZoomClient` per event loop. Each method names the Zoom operation it calls and
its rate-limit label from Zoom's documentation. Meetings and settings come back as Zoom's
own dicts (the pre-flight rules read them field by field); lists come back as small frozen
values holding only what a control needs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from zoomhost import __version__
from zoomhost.core.events import NO_IDENTITY, ZoomIdentity
from zoomhost.system import paths, redact
from zoomhost.system.config import Settings
from zoomhost.zoom.errors import (
    AnswerTooLarge,
    BadRequest,
    ConnectionFailed,
    NotPermitted,
    PlanDoesNotAllow,
    RateLimited,
    ServerError,
    TimedOut,
    UpdateBudgetExhausted,
    ZoomError,
    error_from_exception,
    error_from_response,
)
from zoomhost.zoom.identity import identity_from_live_list
from zoomhost.zoom.ratelimit import IDEMPOTENT_METHODS, Category, RateLimiter, RetryPolicy
from zoomhost.zoom.reach import ACCOUNT_WIDE, Reach
from zoomhost.zoom.tls import zoom_ssl_context

log = logging.getLogger(__name__)

DAILY_MEETING_UPDATES = 100
MAX_PAGES = 50  # 50 pages of 300 is far beyond any school meeting; stops a server that never ends a list
#: A meeting's fields that are secrets: its passcodes (the dial-in ones are numeric) and its links.
MEETING_SECRETS = ("password", "h323_password", "pstn_password", "encrypted_password", "join_url", "start_url", "registration_url")
MAX_ANSWER_BYTES = 8 << 20  # a page of 300 participants is about 150 kB; no answer zoomhost asks for comes near 8 MB


class _CappedBody(httpx.AsyncByteStream):
    """An answer's body as it streams in, stopped with AnswerTooLarge once it passes ``limit`` bytes."""

    def __init__(self, inner: httpx.AsyncByteStream, *, limit: int, status: int) -> None:
        self._inner = inner
        self._limit = limit
        self._status = status

    async def __aiter__(self) -> AsyncIterator[bytes]:
        received = 0
        async for chunk in self._inner:
            received += len(chunk)
            if received > self._limit:
                raise _too_large(self._limit, self._status)
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


def _too_large(limit: int, status: int) -> AnswerTooLarge:
    return AnswerTooLarge(
        f"Zoom's answer was larger than {limit // (1 << 20)} MB, far more than zoomhost asked for, so it was not read.",
        status=status,
    )


def answer_size_cap(limit: int = MAX_ANSWER_BYTES) -> Callable[[httpx.Response], Awaitable[None]]:
    """An httpx response hook that lets no answer's body past ``limit`` bytes (its own size, or as it streams).

    A hook sees each answer before a byte of its body is read, whatever transport or proxy
    carried it, so the cap holds for Zoom's API and for its sign-in alike.
    """

    async def cap(response: httpx.Response) -> None:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _too_large(limit, response.status_code)
        if isinstance(response.stream, httpx.AsyncByteStream):
            response.stream = _CappedBody(response.stream, limit=limit, status=response.status_code)

    return cap


# -- values -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class UpcomingMeeting:
    id: str
    topic: str
    start_time: str | None
    duration: int | None
    type: int | None


@dataclass(frozen=True)
class LiveParticipant:
    """One row of the Dashboard's live list: who is in the meeting or its waiting room now."""

    participant_id: str  # Zoom's in-meeting user id (the one events and the Meeting SDK use)
    display_name: str
    in_waiting_room: bool
    join_time: str | None
    leave_time: str | None
    participant_uuid: str | None = None  # the same person for the whole meeting, whatever ``user_id`` says
    identity: ZoomIdentity = NO_IDENTITY  # the school account they signed in to; never a link (the live list has none)


@dataclass(frozen=True)
class PastParticipant:
    display_name: str
    join_time: str | None
    leave_time: str | None
    duration_seconds: int | None
    #: Zoom's ``status``: someone who waited and was never let in is listed too, and did not attend.
    in_waiting_room: bool = False

    @property
    def attended(self) -> bool:
        return not self.in_waiting_room


@dataclass(frozen=True)
class Registration:
    """A per-pupil join link (it is a secret: never log it)."""

    email: str
    registrant_id: str | None
    join_url: str | None = field(repr=False)


@dataclass(frozen=True)
class ListedRegistrant:
    """One approved registration of a meeting, as Zoom lists it (the address: in memory only, never logged)."""

    registrant_id: str
    email: str = field(repr=False)
    first_name: str
    last_name: str


@dataclass(frozen=True)
class UpdateReceipt:
    """What a meeting update cost: Zoom allows 100 per host per day."""

    remaining_today: int
    is_low: bool


@dataclass(frozen=True)
class Registrant:
    email: str
    first_name: str
    last_name: str | None = None


# -- the daily update budget ------------------------------------------------------------------
class UpdateBudget:
    """Counts meeting updates per host per UTC day in a small file, so a restart does not forget them."""

    def __init__(self, *, path: Path | None = None, limit: int = DAILY_MEETING_UPDATES, warn_below: int = 10) -> None:
        self._path = path
        self.limit = limit
        self.warn_below = warn_below

    @property
    def path(self) -> Path:
        return self._path or paths.cache_dir() / "zoom-meeting-updates.json"

    def _load(self) -> dict[str, int]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(raw, dict) or raw.get("day") != _today():
            return {}
        counts = raw.get("counts")
        return {str(k): int(v) for k, v in counts.items() if isinstance(v, int)} if isinstance(counts, dict) else {}

    def _save(self, counts: Mapping[str, int]) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"day": _today(), "counts": dict(counts)}), encoding="utf-8")
        os.replace(tmp, self.path)

    def remaining(self, host: str) -> int:
        return max(0, self.limit - self._load().get(host, 0))

    def observe(self, host: str, remaining: int) -> UpdateReceipt:
        """Zoom said how many updates are left today: take the smaller of its count and ours."""
        counts = self._load()
        used = max(counts.get(host, 0), self.limit - remaining)
        counts[host] = used
        self._save(counts)
        left = max(0, self.limit - used)
        return UpdateReceipt(remaining_today=left, is_low=left < self.warn_below)

    def spend(self, host: str) -> UpdateReceipt:
        """Count one update for ``host``; refuse when none is left today."""
        counts = self._load()
        used = counts.get(host, 0)
        if used >= self.limit:
            raise UpdateBudgetExhausted(
                f"zoomhost has already made {used} changes to this host's meetings today, Zoom's daily limit."
            )
        counts[host] = used + 1
        self._save(counts)
        left = self.limit - used - 1
        if left < self.warn_below:
            log.warning("only %d meeting updates left today for this host", left)
        return UpdateReceipt(remaining_today=left, is_low=left < self.warn_below)


def _today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


# -- helpers ------------------------------------------------------------------------------------
def meeting_number(meeting_id: str | int) -> str:
    """A meeting ID as Zoom wants it (digits), from what a teacher types ("812 3456 7890")."""
    text = re.sub(r"[\s\-]", "", str(meeting_id))
    if not text.isdigit() or not 8 <= len(text) <= 12:
        raise BadRequest(
            f"{str(meeting_id)[:40]!r} is not a Zoom meeting ID.",
            hint="A meeting ID is a long number such as 812 3456 7890, shown in the Zoom web portal and the invitation.",
        )
    return text


def meeting_uuid_path(uuid: str) -> str:
    """A meeting UUID as a path segment: encoded once, twice when it starts with / or holds // (Zoom's rule)."""
    once = quote(uuid, safe="")
    return quote(once, safe="") if uuid.startswith("/") or "//" in uuid else once


def _listed(body: Mapping[str, Any], key: str) -> list[Any]:
    """``body[key]`` when it is a list, as Zoom documents; anything else is read as no rows."""
    value = body.get(key)
    return value if isinstance(value, list) else []


def _user_path(user_id: str) -> str:
    return quote(user_id, safe="@")


# -- the client ---------------------------------------------------------------------------------
class ZoomClient:
    """Typed calls to Zoom's REST API. ``auth`` is an httpx.Auth token provider (see zoom.auth.ZoomAuth).

    ``reach``: which users and meetings it may touch (see zoom.reach); the app's composition root binds
    every task's client to one host and gives the account audit its own account-wide sibling
    (:meth:`with_reach`). A request out of reach raises OutOfReach before anything is sent.
    """

    def __init__(
        self,
        *,
        settings: Settings,
        auth: httpx.Auth,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        budget: UpdateBudget | None = None,
        timeout: float = 20.0,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
        reach: Reach = ACCOUNT_WIDE,
    ) -> None:
        self.settings = settings
        self.reach = reach
        self._owner = True  # closes the HTTP client and the sign-in (a sibling made by with_reach does not)
        self.auth = auth
        self.retry = retry or RetryPolicy()
        self.limiter = limiter or RateLimiter()
        self.budget = budget or UpdateBudget()
        self._hosts: dict[str, str] = {}  # meeting number -> host id, learnt from get_meeting
        self._http = httpx.AsyncClient(
            base_url=settings.api_base.rstrip("/") + "/",
            auth=auth,
            transport=transport,
            verify=zoom_ssl_context(),  # the operating system's certificates too (a school's HTTPS filter)
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": f"zoomhost/{__version__}", "Accept": "application/json"},
            follow_redirects=False,
            event_hooks={"response": [answer_size_cap(max_answer_bytes)]},
        )

    async def __aenter__(self) -> ZoomClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def with_reach(self, reach: Reach) -> ZoomClient:
        """The same client (connection, sign-in, pacing, daily counts) with another reach; closing it closes nothing."""
        sibling = object.__new__(ZoomClient)
        sibling.__dict__.update(self.__dict__)
        sibling.reach = reach
        sibling._owner = False
        return sibling

    async def aclose(self) -> None:
        if not self._owner:
            return
        await self._http.aclose()
        close = getattr(self.auth, "aclose", None)
        if close is not None:
            await close()

    # -- users --------------------------------------------------------------------------------
    async def me(self) -> dict[str, Any]:
        """The signed-in user (user OAuth only: a Server-to-Server app has no "me")."""
        return await self.get_user("me")

    async def get_user(self, user_id: str) -> dict[str, Any]:
        """GET /users/{userId} (LIGHT)."""
        return await self._json("GET", f"users/{_user_path(user_id)}", category=Category.LIGHT, what="this Zoom user")

    async def user_zak(self, user_id: str) -> str:
        """GET /users/{userId}/token?type=zak (LIGHT): that user's Zoom Access Key, which lets the host
        assistant join as them (two hours). Masked in every log line from the moment it arrives."""
        body = await self._json(
            "GET",
            f"users/{_user_path(user_id)}/token",
            category=Category.LIGHT,
            what="the Zoom user's access key (ZAK)",
            params={"type": "zak"},
        )
        token = body.get("token")
        if not isinstance(token, str) or not token:
            raise ServerError("Zoom sent no access key (ZAK) for that user.", status=200)
        redact.register_secret(token)
        return token

    async def get_user_settings(self, user_id: str) -> dict[str, Any]:
        """GET /users/{userId}/settings (MEDIUM): the host's in-meeting policy."""
        return await self._json(
            "GET", f"users/{_user_path(user_id)}/settings", category=Category.MEDIUM, what="the host's settings"
        )

    async def update_user_settings(self, user_id: str, patch: Mapping[str, Any]) -> None:
        """PATCH /users/{userId}/settings (MEDIUM). Applies to the host's meetings from now on.

        Zoom takes the ``meeting_security`` settings only in a request of their own
        (``option=meeting_security``): a patch that has them is sent as that request too.
        """
        body = {key: value for key, value in patch.items() if key != "meeting_security"}
        if body:
            await self._call(
                "PATCH",
                f"users/{_user_path(user_id)}/settings",
                category=Category.MEDIUM,
                what="the host's settings",
                json_body=body,
            )
        if isinstance(patch.get("meeting_security"), Mapping):
            await self._call(
                "PATCH",
                f"users/{_user_path(user_id)}/settings",
                category=Category.MEDIUM,
                what="the host's security settings",
                params={"option": "meeting_security"},
                json_body={"meeting_security": dict(patch["meeting_security"])},
            )

    async def get_user_security_settings(self, user_id: str) -> dict[str, Any]:
        """GET /users/{userId}/settings?option=meeting_security (MEDIUM): who waits, who admits, sign-in, encryption."""
        return await self._user_settings_option(user_id, "meeting_security", what="the host's security settings")

    async def get_user_authentication_settings(self, user_id: str) -> dict[str, Any]:
        """GET /users/{userId}/settings?option=meeting_authentication (MEDIUM): the authentication options a meeting
        of this host may require (each one's ``id``, ``type``, ``domains``, and which is the default)."""
        return await self._user_settings_option(user_id, "meeting_authentication", what="the host's sign-in options")

    async def _user_settings_option(self, user_id: str, option: str, *, what: str) -> dict[str, Any]:
        """One ``option`` part of a user's settings: the same GET, asked for that part alone."""
        return await self._json(
            "GET", f"users/{_user_path(user_id)}/settings", category=Category.MEDIUM, what=what, params={"option": option}
        )

    async def list_users(self, *, status: str = "active") -> list[dict[str, Any]]:
        """GET /users (MEDIUM), every page: the account's users (an admin's scopes)."""
        return await self._pages(
            "users", params={"status": status, "page_size": "300"}, key="users", category=Category.MEDIUM, what="the account's users"
        )

    async def get_lock_settings(self, *, account_id: str = "me") -> dict[str, Any]:
        """What an admin has locked for every host: GET /accounts/{accountId}/lock_settings (MEDIUM)."""
        return await self._locks(f"accounts/{quote(account_id, safe='')}/lock_settings", what="the account's locked settings")

    async def get_group_lock_settings(self, group_id: str) -> dict[str, Any]:
        """What an admin has locked for a group of hosts: GET /groups/{groupId}/lock_settings (MEDIUM)."""
        return await self._locks(f"groups/{quote(group_id, safe='')}/lock_settings", what="the group's locked settings")

    async def _locks(self, path: str, *, what: str) -> dict[str, Any]:
        """A lock-settings answer: the plain one and ``option=meeting_security``, read together and merged."""
        plain, security = await asyncio.gather(
            self._json("GET", path, category=Category.MEDIUM, what=what),
            self._json("GET", path, category=Category.MEDIUM, what=what, params={"option": "meeting_security"}),
        )
        return {**plain, **security}

    @property
    def account_id(self) -> str | None:
        """The school's own Zoom account (a school-owned app's); None for a teacher's own sign-in."""
        value = getattr(self._http.auth, "account_id", None)
        return value if isinstance(value, str) and value else None

    # -- meetings -----------------------------------------------------------------------------
    async def list_upcoming_meetings(self, *, user_id: str = "me") -> list[UpcomingMeeting]:
        """GET /users/{userId}/meetings?type=upcoming (MEDIUM), every page.

        ``me`` works for a teacher's own sign-in; a Server-to-Server app names the host
        (user ID or email), since it has no "me".
        """
        rows = await self._pages(
            f"users/{_user_path(user_id)}/meetings",
            params={"type": "upcoming", "page_size": "300"},
            key="meetings",
            category=Category.MEDIUM,
            what="the upcoming meetings",
        )
        meetings = []
        for item in rows:
            if item.get("id") is None:
                continue
            meetings.append(
                UpcomingMeeting(
                    id=str(item["id"]),
                    topic=str(item.get("topic") or "")[:200],
                    start_time=item.get("start_time") if isinstance(item.get("start_time"), str) else None,
                    duration=item.get("duration") if isinstance(item.get("duration"), int) else None,
                    type=item.get("type") if isinstance(item.get("type"), int) else None,
                )
            )
        return meetings

    async def get_account_settings(self, *, account_id: str = "me") -> dict[str, Any]:
        """GET /accounts/{accountId}/settings (MEDIUM): the only place Zoom says whether participants may rename."""
        return await self._json(
            "GET", f"accounts/{quote(account_id, safe='')}/settings", category=Category.MEDIUM, what="the account's settings"
        )

    async def get_meeting(self, meeting_id: str | int) -> dict[str, Any]:
        """GET /meetings/{meetingId} (LIGHT): the meeting with its settings."""
        number = meeting_number(meeting_id)
        meeting = await self._json("GET", f"meetings/{number}", category=Category.LIGHT, what=f"meeting {number}")
        for key in MEETING_SECRETS:  # masked wherever they turn up later, numeric dial-in passcodes included
            if isinstance(meeting.get(key), (str, int)) and not isinstance(meeting.get(key), bool):
                redact.register_secret(str(meeting[key]))
        if isinstance(meeting.get("host_id"), str):
            self._hosts[number] = meeting["host_id"]
        return meeting

    async def update_meeting(
        self, meeting_id: str | int, patch: Mapping[str, Any], *, host_id: str | None = None
    ) -> UpdateReceipt:
        """PATCH /meetings/{meetingId} (LIGHT). Counted: Zoom allows 100 updates per host per day.

        Put every change in one patch. The count is spent before sending, so a retried or
        failed update is never under-counted.
        """
        number = meeting_number(meeting_id)
        host = host_id or self._hosts.get(number) or "unknown-host"
        receipt = self.budget.spend(host)
        response = await self._call(
            "PATCH", f"meetings/{number}", category=Category.LIGHT, what=f"meeting {number}", json_body=dict(patch)
        )
        if response.headers.get("X-RateLimit-Type", "").lower() == "daily-limit":
            remaining = response.headers.get("X-RateLimit-Remaining", "")
            if remaining.isdigit():  # Zoom's own count wins (other apps may have used some)
                receipt = self.budget.observe(host, int(remaining))
        return receipt

    async def end_meeting(self, meeting_id: str | int) -> bool:
        """PUT /meetings/{meetingId}/status {"action": "end"} (LIGHT): end the meeting for everyone.

        The panic path: it skips the client-side pacing (a 429 is still retried), and the
        token provider serves a warm token without waiting for a renewal. True when it ended now;
        False when Zoom refused because the meeting is not running (its own status says so), which
        leaves nobody in it. Any other refusal is raised.
        """
        number = meeting_number(meeting_id)
        try:
            await self._call(
                "PUT",
                f"meetings/{number}/status",
                category=None,
                what=f"ending meeting {number}",
                json_body={"action": "end"},
            )
        except BadRequest as err:
            if err.code != 3000:
                raise
            try:
                status = (await self.get_meeting(number)).get("status")
            except ZoomError:
                raise err from None
            if status == "started":
                raise
            return False
        return True

    async def batch_register(
        self, meeting_id: str | int, registrants: Iterable[Registrant], *, auto_approve: bool = True
    ) -> list[Registration]:
        """POST /meetings/{meetingId}/batch_registrants (HEAVY): per-pupil join links, up to 30 per call."""
        number = meeting_number(meeting_id)
        people = list(registrants)
        result: list[Registration] = []
        for start in range(0, len(people), 30):
            chunk = people[start : start + 30]
            body = {
                "auto_approve": auto_approve,
                "registrants_confirmation_email": False,
                "registrants": [
                    {"email": p.email, "first_name": p.first_name, **({"last_name": p.last_name} if p.last_name else {})}
                    for p in chunk
                ],
            }
            answer = await self._json(
                "POST",
                f"meetings/{number}/batch_registrants",
                category=Category.HEAVY,
                what=f"registering pupils for meeting {number}",
                json_body=body,
            )
            for item in _listed(answer, "registrants"):
                if isinstance(item, dict) and isinstance(item.get("email"), str):
                    result.append(
                        Registration(
                            email=item["email"], registrant_id=item.get("registrant_id"), join_url=item.get("join_url")
                        )
                    )
        return result

    async def list_registrants(self, meeting_id: str | int) -> list[ListedRegistrant]:
        """GET /meetings/{meetingId}/registrants?status=approved (MEDIUM), every page: who may join through a link of their own."""
        number = meeting_number(meeting_id)
        rows = await self._pages(
            f"meetings/{number}/registrants",
            params={"status": "approved", "page_size": "300"},
            key="registrants",
            category=Category.MEDIUM,
            what=f"the registrations for meeting {number}",
        )
        return [
            ListedRegistrant(
                registrant_id=str(row["id"])[:256],
                email=str(row.get("email") or "")[:320],
                first_name=str(row.get("first_name") or "")[:64],
                last_name=str(row.get("last_name") or "")[:64],
            )
            for row in rows
            if isinstance(row.get("id"), str) and row["id"]
        ]

    # -- participants -------------------------------------------------------------------------
    async def live_participants(self, meeting_id: str | int, *, retry: RetryPolicy | None = None) -> list[LiveParticipant]:
        """GET /metrics/meetings/{meetingId}/participants?type=live (HEAVY; Business/Education plans).

        Raises PlanDoesNotAllow when the account has no Dashboard, NotPermitted when the sign-in may
        not use it (a teacher's own sign-in never may). ``retry``: how hard to try for a caller that
        asks again soon anyway (else the client's own policy).
        """
        number = meeting_number(meeting_id)
        try:
            rows = await self._pages(
                f"metrics/meetings/{number}/participants",
                params={"type": "live", "page_size": "300"},
                key="participants",
                category=Category.HEAVY,
                what="the live participant list",
                retry=retry,
            )
        except NotPermitted:
            raise  # the sign-in lacks the Dashboard's scope (Zoom's 4711, 403 here): not the plan
        except ZoomError as err:
            if err.status == 403 or err.code == 200:
                raise PlanDoesNotAllow(
                    "The school's Zoom plan does not include the Dashboard, so zoomhost cannot check who is in the meeting.",
                    code=err.code,
                    message=err.message,
                    status=err.status,
                ) from None
            raise
        people = []
        for row in rows:
            user_id = row.get("user_id")
            if user_id is None or row.get("leave_time"):
                continue
            people.append(
                LiveParticipant(
                    participant_id=str(user_id),
                    display_name=str(row.get("user_name") or ""),  # cut to the one limit where it becomes an event
                    in_waiting_room=row.get("status") == "in_waiting_room",
                    join_time=row.get("join_time"),
                    leave_time=row.get("leave_time"),
                    participant_uuid=str(row["participant_uuid"]) if row.get("participant_uuid") else None,
                    identity=identity_from_live_list(row),
                )
            )
        return people

    async def past_participants(self, meeting_uuid: str) -> list[PastParticipant]:
        """GET /past_meetings/{meetingUUID}/participants (MEDIUM): attendance after the meeting."""
        rows = await self._pages(
            f"past_meetings/{meeting_uuid_path(meeting_uuid)}/participants",
            params={"page_size": "300"},
            key="participants",
            category=Category.MEDIUM,
            what="the meeting's attendance",
        )
        return [
            PastParticipant(
                display_name=str(row.get("name") or ""),
                join_time=row.get("join_time"),
                leave_time=row.get("leave_time"),
                duration_seconds=row.get("duration") if isinstance(row.get("duration"), int) else None,
                in_waiting_room=row.get("status") == "in_waiting_room",
            )
            for row in rows
        ]

    # -- plumbing -----------------------------------------------------------------------------
    async def _pages(
        self, path: str, *, params: dict[str, str], key: str, category: Category, what: str, retry: RetryPolicy | None = None
    ) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        token = ""
        for _ in range(MAX_PAGES):
            page_params = dict(params, **({"next_page_token": token} if token else {}))
            body = await self._json("GET", path, category=category, what=what, params=page_params, retry=retry)
            rows.extend(r for r in _listed(body, key) if isinstance(r, dict))
            token = body.get("next_page_token") or ""
            if not isinstance(token, str) or not token:
                break
        return rows

    async def _json(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = await self._call(method, path, **kwargs)
        try:
            body = response.json()
        except ValueError:
            raise ServerError("Zoom sent an answer zoomhost could not read.", status=response.status_code) from None
        if not isinstance(body, dict):
            raise ServerError("Zoom sent an answer zoomhost could not read.", status=response.status_code)
        self.reach.observe(path, body)  # what the host owns; an answer about another host goes no further
        return body

    async def _ask_within_reach(self, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        """A read the reach makes to learn what its host owns (the host's meetings, profile, a meeting's host)."""
        return await self._json("GET", path, category=Category.MEDIUM, what="the host's meetings", params=dict(params))

    async def _call(
        self,
        method: str,
        path: str,
        *,
        category: Category | None,
        what: str,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        retry: RetryPolicy | None = None,
    ) -> httpx.Response:
        """Send one request, pacing it, and retrying what is safe to retry (see RetryPolicy; ``retry``: this call's own)."""
        await self.reach.admit(method.upper(), path, self._ask_within_reach)  # before anything leaves this computer
        policy = retry or self.retry
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                async with self.limiter.calling(category) if category is not None else contextlib.nullcontext():
                    response = await self._http.request(method, path, params=params, json=json_body)
                if response.is_success:
                    return response
                error = error_from_response(response, what=what)
            except httpx.TransportError as exc:
                error = error_from_exception(exc, what=what)
                not_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))
            except AnswerTooLarge:
                raise  # never worth asking again
            except ZoomError as exc:  # raised by the token provider
                error = exc
                not_sent = True
            else:
                not_sent = isinstance(error, RateLimited)
            wait = self._retry_delay(error, method=method, not_sent=not_sent, attempt=attempt, policy=policy)
            elapsed = time.monotonic() - started
            if wait is None:
                raise error
            if attempt >= policy.max_attempts or elapsed + wait > policy.give_up_after:
                raise _gave_up(error, attempts=attempt)
            log.info("%s %s: %s; trying again in %.1f s", method, path, type(error).__name__, wait)
            await asyncio.sleep(wait)

    def _retry_delay(
        self, error: ZoomError, *, method: str, not_sent: bool, attempt: int, policy: RetryPolicy | None = None
    ) -> float | None:
        """Seconds to wait before trying again, or None when this error must not be retried."""
        policy = policy or self.retry
        if not isinstance(error, (RateLimited, ServerError, ConnectionFailed, TimedOut)):
            return None
        if method.upper() not in IDEMPOTENT_METHODS and not not_sent:
            return None
        if isinstance(error, RateLimited) and error.retry_after is not None:
            if error.retry_after > policy.max_retry_after:
                raise RateLimited(
                    f"Zoom asks zoomhost to wait {error.retry_after:.0f} seconds before trying again, which is too long to wait here.",
                    retry_after=error.retry_after,
                    code=error.code,
                    message=error.message,
                    status=error.status,
                )
            return error.retry_after
        return policy.backoff(attempt)


def _gave_up(error: ZoomError, *, attempts: int) -> ZoomError:
    """The last error, re-worded to say zoomhost tried several times and stopped."""
    sentence = f"{error} zoomhost tried {attempts} times and has stopped trying."
    kwargs: dict[str, Any] = {"hint": error.hint, "code": error.code, "message": error.message, "status": error.status}
    if isinstance(error, RateLimited):
        return RateLimited(sentence, retry_after=error.retry_after, **kwargs)
    return type(error)(sentence, **kwargs)
