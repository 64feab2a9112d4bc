"""Which Zoom users and meetings one REST client may touch: least privilege, decided before a request leaves.

A school's Server-to-Server app can read and change every host in the account. zoomhost uses
that reach only for the account audit (which asks for it: :data:`ACCOUNT_WIDE`); every other
task gets a client bound to one host (:class:`HostReach`): the host set up in Settings, or,
when none is, the host of the first meeting checked (or the first host named). Such a client
refuses, before anything is sent, a request that would read or change another user
(``/users/{other}…``), a meeting that is not that host's (its settings, registrants, participants,
status), a past meeting it has not seen, and account-wide lists (``GET /users``). The
account's own settings and the admins' padlocks (``/accounts/…``, ``/groups/…``) are not a user,
so they stay readable. The Zoom user the school set aside for the host assistant may be read
and asked for its ZAK, nothing else. With a teacher's own sign-in Zoom itself keeps the app to that
teacher, so the client is not bound (:data:`OWN_SIGN_IN`).

Whether a meeting is the host's is learnt from Zoom's own answers about that host: its
scheduled meetings (``GET /users/{host}/meetings?type=scheduled``) and its personal meeting ID
(``GET /users/{host}``), asked once and only when a meeting is not yet known.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import quote, unquote

from zoomhost.system.config import host_allowed
from zoomhost.zoom.errors import ZoomError

#: Asks Zoom (through the same client, already within reach) for a JSON answer: (path, params) -> body.
Ask = Callable[[str, Mapping[str, str]], Awaitable[dict[str, Any]]]

#: A meeting not among the host's is looked for again in their list once this long has passed since the last
#: look (the teacher may have scheduled it since), and not more often.
RELIST_AFTER_S = 60.0
RULE = "zoomhost uses the school's Zoom app only for the host whose meeting is being checked"


class OutOfReach(ZoomError):
    """A request this client may not send: another host, another host's meeting, or the whole account."""

    default_hint = (
        "Check this meeting from the Zoom account of its own host (Settings ▸ host email, or that teacher's own "
        "sign-in); the whole school's meetings are checked by Checklist ▸ Check the whole school account… "
        "(`zoomhost audit`), which the IT lead or headteacher runs."
    )


class Reach:
    """Everything is within reach (the audit's, and a teacher's own sign-in, which Zoom itself limits)."""


    def __init__(self, why: str) -> None:
        self.why = why

    async def admit(self, method: str, path: str, ask: Ask) -> None:
        """Raise :class:`OutOfReach` when ``method path`` may not be sent (``ask``: to learn what a host owns)."""

    def observe(self, path: str, body: Mapping[str, Any]) -> None:
        """Learn from an answer (which meetings are the host's); may refuse an answer it must not pass on."""

    def __repr__(self) -> str:
        return f"Reach({self.why!r})"


#: The account audit asked for every host; nothing else uses it.
ACCOUNT_WIDE = Reach("the account audit")
#: A teacher's own sign-in: Zoom lets it reach only that teacher.
OWN_SIGN_IN = Reach("a teacher's own sign-in")

_USER = re.compile(r"^users/([^/]+)(?:/(.*))?$")
_MEETING = re.compile(r"^(?:metrics/|report/)?meetings/(\d+)(?:/.*)?$")
_PAST = re.compile(r"^past_meetings/([^/]+)(?:/.*)?$")
_ACCOUNT = re.compile(r"^(?:accounts|groups)/[^/]+/(?:settings|lock_settings)$")


def _segment(raw: str) -> str:
    text = unquote(raw)
    return unquote(text) if text != raw and "%" in text else text  # a UUID may be encoded twice (Zoom's rule)


class HostReach(Reach):
    """Bound to one host: ``host`` (email or user ID), or, when empty, the first host a request or a checked
    meeting names. ``allowed``: the school's allowed hosts (emails or @domain); ``assistant_user``: the Zoom
    user set aside for the host assistant (its profile and ZAK only)."""


    def __init__(self, host: str = "", *, allowed: str = "", assistant_user: str = "") -> None:
        super().__init__("one host")
        self._ids: set[str] = set()
        self._emails: set[str] = set()
        self._name = ""
        if host:
            self._bind(host)
        self.assistant = assistant_user.strip().lower()
        self._assistant_ids: set[str] = set()
        self.allowed = allowed
        self.meetings: set[str] = set()
        self.uuids: set[str] = set()
        self._listed_at: float | None = None  # when the host's meetings were last listed (time.monotonic())
        self._profiled = False
        self._lock: asyncio.Lock | None = None

    # -- who the host is ---------------------------------------------------------------------
    @property
    def host(self) -> str:
        """The host this client is bound to, as set up or first named ("" until then)."""
        return self._name

    def _bind(self, who: str, *, email: str = "") -> None:
        who = who.strip()
        if not self._name:
            self._name = email or who
        (self._emails if "@" in who else self._ids).add(who.lower() if "@" in who else who)
        if email:
            self._emails.add(email.lower())

    def is_host(self, who: str) -> bool:
        return bool(who) and (who in self._ids or who.lower() in self._emails)

    def _refuse(self, what: str) -> OutOfReach:
        host = f" ({self._name})" if self._name else ""
        return OutOfReach(f"{what} was not sent to Zoom: {RULE}{host}, and the account audit was not asked for.")

    def _check_allowed(self, email: str) -> None:
        if email and "@" in email and not host_allowed(email, self.allowed):
            raise OutOfReach(
                f"{email} is not among the hosts the school lets zoomhost check ({self.allowed}), so nothing of theirs "
                "was read.",
                hint="Ask the school's IT lead to add the host to allowed_hosts in school.json, or check a meeting of an allowed host.",
            )

    # -- before a request ----------------------------------------------------------------------
    async def admit(self, method: str, path: str, ask: Ask) -> None:
        path = path.strip("/")
        if path == "users":
            raise self._refuse("A list of every user in the school's Zoom account")
        if _ACCOUNT.match(path):
            if method == "GET":
                return  # the account's own settings and padlocks, read: not a user
            raise self._refuse(f"A change to the school's Zoom account ({method} /{path})")
        user = _USER.match(path)
        if user:
            who, rest = _segment(user.group(1)), user.group(2) or ""
            if who == "me":
                return  # the token's own user (a Server-to-Server app has none: Zoom says so)
            if method == "GET" and rest in ("", "token") and self._is_assistant(who) and not self.is_host(who):
                return  # the host assistant's own profile and access key: never whom the client is bound to
            if not self._name:
                self._check_allowed(who)
                self._bind(who)
            if self.is_host(who):
                return
            raise self._refuse(f"A request about another Zoom user ({who})")
        meeting = _MEETING.match(path)
        if meeting:
            await self._admit_meeting(meeting.group(1), method=method, path=path, ask=ask)
            return
        past = _PAST.match(path)
        if past:
            uuid = _segment(past.group(1))
            if uuid in self.uuids:
                return
            if uuid.isdigit():
                await self._admit_meeting(uuid, method=method, path=path, ask=ask)
                return
            raise self._refuse("The attendance of a meeting zoomhost has not seen for this host")
        raise self._refuse(f"A request zoomhost does not make for one host ({method} /{path.split('/')[0]})")

    def _is_assistant(self, who: str) -> bool:
        return bool(self.assistant) and (who.lower() == self.assistant or who in self._assistant_ids)

    async def _admit_meeting(self, number: str, *, method: str, path: str, ask: Ask) -> None:
        if number in self.meetings:
            return
        if not self._name:
            if method == "GET" and path == f"meetings/{number}":
                return  # the meeting being checked names its host: observe() binds to it
            await ask(f"meetings/{number}", {})  # learn its host first (binding to it), then decide
            if number in self.meetings:
                return
            raise self._refuse(f"Meeting {number}")
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:  # one look at the host's meetings for many requests at once
            stale = self._listed_at is None or time.monotonic() - self._listed_at > RELIST_AFTER_S
            if number not in self.meetings and stale:  # a meeting scheduled since the last look is found
                await self._pages(ask, f"users/{quote(self._name, safe='@')}/meetings", {"type": "scheduled", "page_size": "300"})
                self._listed_at = time.monotonic()
            if number not in self.meetings and not self._profiled:
                await ask(f"users/{quote(self._name, safe='@')}", {})  # the host's personal meeting ID
                self._profiled = True
        if number not in self.meetings:
            raise self._refuse(f"Meeting {number} is not one of the host's meetings, so any request about it")

    async def _pages(self, ask: Ask, path: str, params: Mapping[str, str]) -> None:
        token = ""
        for _ in range(50):
            body = await ask(path, dict(params, **({"next_page_token": token} if token else {})))
            token = body.get("next_page_token") or ""
            if not isinstance(token, str) or not token:
                return

    # -- after an answer -----------------------------------------------------------------------
    def observe(self, path: str, body: Mapping[str, Any]) -> None:
        path = path.strip("/")
        user = _USER.match(path)
        if user:
            who, rest = _segment(user.group(1)), user.group(2) or ""
            if rest == "" and self._is_assistant(who) and isinstance(body.get("id"), str):
                self._assistant_ids.add(body["id"])
            elif self.is_host(who) and rest == "":
                self._learn_host(body.get("id"), body.get("email"))
                if isinstance(body.get("pmi"), int) and not isinstance(body.get("pmi"), bool):
                    self.meetings.add(str(body["pmi"]))
            elif self.is_host(who) and rest == "meetings":
                for row in body.get("meetings") or []:
                    if isinstance(row, Mapping) and row.get("id") is not None:
                        self._learn_meeting(row)
            return
        meeting = _MEETING.match(path)
        if meeting and path == f"meetings/{meeting.group(1)}":
            host_id, email = body.get("host_id"), body.get("host_email")
            if not self._name and isinstance(host_id, str) and host_id:
                self._check_allowed(email if isinstance(email, str) else "")
                self._bind(host_id, email=email if isinstance(email, str) else "")
            if (isinstance(host_id, str) and self.is_host(host_id)) or (isinstance(email, str) and self.is_host(email)):
                self._learn_host(host_id, email)
                self._learn_meeting(body, number=meeting.group(1))
            elif meeting.group(1) not in self.meetings:
                raise self._refuse(f"Meeting {meeting.group(1)} belongs to another host; its details")

    def _learn_host(self, host_id: object, email: object) -> None:
        if isinstance(host_id, str) and host_id:
            self._ids.add(host_id)
        if isinstance(email, str) and "@" in email:
            self._emails.add(email.lower())

    def _learn_meeting(self, row: Mapping[str, Any], *, number: str | None = None) -> None:
        self.meetings.add(number or str(row.get("id")))
        if isinstance(row.get("host_id"), str) and row["host_id"]:
            self._ids.add(row["host_id"])
        if isinstance(row.get("uuid"), str) and row["uuid"]:
            self.uuids.add(row["uuid"])


def reach_for(settings: Any, *, rehearsal: bool = False) -> Reach:
    """The reach a task's client gets from the settings: one host for the school's app, else a teacher's own."""
    if settings.auth_mode == "user_oauth" and not rehearsal:
        return OWN_SIGN_IN
    return HostReach(settings.host_email, allowed=settings.allowed_hosts, assistant_user=settings.assistant_user)
