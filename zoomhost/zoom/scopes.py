"""What each kind of Zoom sign-in may do: the scopes zoomhost asks for, the events it subscribes to,
and what a teacher's own sign-in loses.

Zoom lists, for every operation, the OAuth scopes a token needs (the ``security`` of each
operation in its OpenAPI documents; for each event, the scopes in its description). This module
is the one list: each feature of zoomhost, the operations it calls, every scope Zoom accepts for
each, and the one granular scope to give a school's Server-to-Server app (``admin``) or a
teacher's own sign-in (``user``). The setup guide (docs/zoom-setup.md), Test connection, ``zoomhost
doctor`` and the README say it from here; tests check it against Zoom's documents, the guide and
the client's own calls. A school's Server-to-Server app can be given admin scopes; a teacher who
signs in as themselves (user OAuth, no admin rights) can grant only user-level ones, so a few
operations answer Zoom's 4711 ("does not contain scopes").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from zoomhost.core.events import ZOOM_EVENT_KINDS

#: The events the school's WebSocket event subscription must include (the event stream reads these and no other).
SUBSCRIPTION_EVENTS: tuple[str, ...] = tuple(ZOOM_EVENT_KINDS)

#: Where Zoom sends a teacher back after their own sign-in: a listener on this computer
#: (``http://127.0.0.1:PORT`` + this path, on a port free at the time of each sign-in).
REDIRECT_PATH = "/zoomhost/signed-in"
REDIRECT_ADDRESS = f"http://127.0.0.1{REDIRECT_PATH}"

_CLASSIC_MEETING = ("meeting:read:admin", "meeting:write:admin", "meeting:read", "meeting:write", "meeting:master")


@dataclass(frozen=True)
class Grant:
    """One thing zoomhost asks of Zoom (an API operation, or events), and the scopes that allow it."""

    what: str  # "GET /users/{userId}/settings", or "events meeting.started, meeting.ended"
    accepts: tuple[str, ...]  # every scope Zoom's documents accept for it (any one will do)
    admin: str  # the granular scope to give the school's Server-to-Server app
    user: str | None  # the granular scope for a teacher's own sign-in; None: Zoom gives it only to an admin's app

    def allowed_by(self, granted: Iterable[str]) -> bool:
        return not set(self.accepts).isdisjoint(granted)


@dataclass(frozen=True)
class Feature:
    """A part of zoomhost a teacher notices, and what Zoom must allow for it."""

    key: str
    name: str
    grants: tuple[Grant, ...]
    without: str  # what goes wrong without it, in the teacher's words
    only_with_assistant_user: bool = False  # needed only when the school gave the host assistant a Zoom user

    def scopes(self, *, own_sign_in: bool) -> tuple[str, ...]:
        """The granular scopes to give for this feature (none for a sign-in Zoom never gives them to)."""
        found = [g.user if own_sign_in else g.admin for g in self.grants]
        return tuple(dict.fromkeys(s for s in found if s))


_GET_USER = Grant(
    "GET /users/{userId}",
    ("user:read", "user:write", "user:read:admin", "user:write:admin", "user_profile", "user_info:read", "user:read:user", "user:read:user:admin"),
    "user:read:user:admin",
    "user:read:user",
)

#: Every feature, in the order the guide and Test connection list them.
FEATURES: tuple[Feature, ...] = (
    Feature(
        "meetings",
        "Listing and checking meetings",
        (
            Grant(
                "GET /users/{userId}/meetings",
                ("meeting:read:admin", "meeting:read", "meeting:read:list_meetings", "meeting:read:list_meetings:admin"),
                "meeting:read:list_meetings:admin",
                "meeting:read:list_meetings",
            ),
            Grant(
                "GET /meetings/{meetingId}",
                ("meeting:read", "meeting:read:admin", "meeting:read:meeting", "meeting:read:meeting:admin"),
                "meeting:read:meeting:admin",
                "meeting:read:meeting",
            ),
        ),
        "the Checklist and the Live panel cannot list or check the host's meetings.",
    ),
    Feature(
        "host_settings",
        "Checking the host's settings",
        (
            _GET_USER,
            Grant(
                "GET /users/{userId}/settings",
                ("user:read", "user:write", "user:read:admin", "user:write:admin", "user:read:settings", "user:read:settings:admin"),
                "user:read:settings:admin",
                "user:read:settings",
            ),
        ),
        "pre-flight cannot check the host's in-meeting settings or licence.",
    ),
    Feature(
        "fixes",
        "Fixing a meeting and the host's settings (Fix all, a new passcode)",
        (
            Grant(
                "PATCH /meetings/{meetingId}",
                ("meeting:write", "meeting:write:admin", "meeting:update:meeting:admin", "meeting:update:meeting"),
                "meeting:update:meeting:admin",
                "meeting:update:meeting",
            ),
            Grant(
                "PATCH /users/{userId}/settings",
                ("user:write:admin", "user:write", "user:update:settings", "user:update:settings:admin"),
                "user:update:settings:admin",
                "user:update:settings",
            ),
        ),
        "Fix all and a new passcode fail: every fix has to be made by hand in Zoom.",
    ),
    Feature(
        "end",
        "End for all (and the panic key)",
        (
            Grant(
                "PUT /meetings/{meetingId}/status",
                ("meeting:write:admin", "meeting:write", "meeting:update:status", "meeting:update:status:admin"),
                "meeting:update:status:admin",
                "meeting:update:status",
            ),
        ),
        "End for all works only through the host assistant, or by hand in Zoom.",
    ),
    Feature(
        "registrants",
        "Per-family join links (invitations, and knowing a family's own link on arrival)",
        (
            Grant(
                "POST /meetings/{meetingId}/batch_registrants",
                ("meeting:write", "meeting:write:admin", "meeting:write:batch_registrants", "meeting:write:batch_registrants:admin"),
                "meeting:write:batch_registrants:admin",
                "meeting:write:batch_registrants",
            ),
            Grant(
                "GET /meetings/{meetingId}/registrants",
                ("meeting:read", "meeting:read:admin", "meeting:read:list_registrants", "meeting:read:list_registrants:admin"),
                "meeting:read:list_registrants:admin",
                "meeting:read:list_registrants",
            ),
        ),
        "invitations cannot give each family its own join link, and a registration made outside zoomhost is not known as a family's own link.",
    ),
    Feature(
        "events",
        "Hearing the waiting room live (the event subscription)",
        (
            Grant(
                "events " + ", ".join(e for e in SUBSCRIPTION_EVENTS if "participant" in e),
                (*_CLASSIC_MEETING, "meeting:read:participant:master", "meeting:read:participant", "meeting:read:participant:admin"),
                "meeting:read:participant:admin",
                "meeting:read:participant",
            ),
            Grant(
                "events meeting.started, meeting.ended",
                (*_CLASSIC_MEETING, "meeting:read:meeting:master", "meeting:read:meeting", "meeting:read:meeting:admin"),
                "meeting:read:meeting:admin",
                "meeting:read:meeting",
            ),
        ),
        "arrivals in the waiting room are heard only through the host assistant.",
    ),
    Feature(
        "account_settings",
        "Reading the account's settings (renaming)",
        (
            Grant(
                "GET /accounts/{accountId}/settings",
                ("account:read:admin", "account:read:settings:admin", "account:read:settings:master"),
                "account:read:settings:admin",
                None,
            ),
        ),
        "pre-flight shows “participants can rename themselves” as unknown.",
    ),
    Feature(
        "admin_locks",
        "Checking that an admin has locked the safe settings",
        (
            Grant(
                "GET /accounts/{accountId}/lock_settings",
                ("account:read:admin", "account:read:lock_settings:master"),
                "account:read:admin",  # Zoom's only granular form is for master accounts
                None,
            ),
            Grant(
                "GET /groups/{groupId}/lock_settings",
                ("group:read:admin", "group:write:admin", "group:read:lock_settings:admin"),
                "group:read:lock_settings:admin",
                None,
            ),
        ),
        "pre-flight and the audit show whether an admin locked the safe settings as unknown.",
    ),
    Feature(
        "audit",
        "Auditing the whole school account (every host's meetings)",
        (
            Grant(
                "GET /users",
                ("user:read", "user:write", "user:read:admin", "user:write:admin", "user:read:list_users:admin"),
                "user:read:list_users:admin",
                None,
            ),
        ),
        "the audit covers only the connected host's meetings.",
    ),
    Feature(
        "dashboard",
        "The Dashboard (who is in a meeting now)",
        (
            Grant(
                "GET /metrics/meetings/{meetingId}/participants",
                ("dashboard_meetings:read:admin", "dashboard:read:admin", "dashboard:read:list_meeting_participants:admin"),
                "dashboard:read:list_meeting_participants:admin",
                None,
            ),
        ),
        "after a dropped event stream or a restart zoomhost cannot ask who came or left meanwhile.",
    ),
    Feature(
        "assistant_user",
        "The host assistant's own Zoom user (its access key, ZAK)",
        (
            _GET_USER,
            Grant(
                "GET /users/{userId}/token",
                ("user:read", "user:write", "user:read:admin", "user:write:admin", "user_profile", "user:read:token", "user:read:token:admin"),
                "user:read:token:admin",
                None,
            ),
        ),
        "the host assistant joins as a guest, and the teacher admits it and makes it co-host.",
        only_with_assistant_user=True,
    ),
)


def scopes_for(*, own_sign_in: bool, assistant_user: bool = True) -> tuple[str, ...]:
    """The granular scopes to give zoomhost's app, in the guide's order."""
    found: list[str] = []
    for feature in FEATURES:
        if feature.only_with_assistant_user and not assistant_user:
            continue
        found.extend(feature.scopes(own_sign_in=own_sign_in))
    return tuple(dict.fromkeys(found))


#: The scopes to give the school's Server-to-Server app (granular, one for each thing zoomhost does).
SERVER_TO_SERVER_SCOPES: tuple[str, ...] = scopes_for(own_sign_in=False)
#: The scopes a teacher's own sign-in (a General app, user-managed) asks for.
OWN_SIGN_IN_SCOPES: tuple[str, ...] = scopes_for(own_sign_in=True)
#: Every scope Zoom accepts for something zoomhost does: a granted scope outside this is more than zoomhost needs.
USED_SCOPES: frozenset[str] = frozenset(s for f in FEATURES for g in f.grants for s in g.accepts)


@dataclass(frozen=True)
class ScopeReport:
    """The scopes a token was granted, against what zoomhost needs."""

    missing: tuple[tuple[Feature, tuple[str, ...]], ...]  # each feature short of a scope, and the scopes to add
    extra: tuple[str, ...]  # granted, but nothing zoomhost does needs them
    not_for_this_sign_in: tuple[Feature, ...]  # features Zoom gives only to an admin's app (own sign-in)


def check_scopes(granted: Iterable[str], *, own_sign_in: bool, assistant_user: bool) -> ScopeReport:
    """Which features the granted scopes leave out (with the scopes to add), and which scopes are beyond need."""
    have = set(granted)
    missing: list[tuple[Feature, tuple[str, ...]]] = []
    not_here: list[Feature] = []
    for feature in FEATURES:
        if feature.only_with_assistant_user and not assistant_user:
            continue
        short = [g for g in feature.grants if not g.allowed_by(have)]
        if not short:
            continue
        if own_sign_in and any(g.user is None for g in short):
            not_here.append(feature)
            continue
        add = tuple(dict.fromkeys((g.user if own_sign_in else g.admin) or g.admin for g in short))
        missing.append((feature, add))
    extra = tuple(sorted(have - USED_SCOPES))
    return ScopeReport(missing=tuple(missing), extra=extra, not_for_this_sign_in=tuple(not_here))


@dataclass(frozen=True)
class Loss:
    """One thing a teacher's own sign-in cannot do, and what zoomhost does instead."""

    what: str
    why: str
    instead: str

    def sentence(self) -> str:
        return f"{self.what}: {self.why} {self.instead}"


#: What a teacher's own Zoom sign-in (no admin rights) loses, compared with the school's app.
OWN_SIGN_IN_LOSES: tuple[Loss, ...] = (
    Loss(
        "The Dashboard (who is in a meeting now)",
        "Zoom gives it only to an admin's app (dashboard scopes), and only on Business and Education plans.",
        "After the event stream drops, or zoomhost restarts, it cannot check who came or left meanwhile: "
        "the Live panel says what may have been missed, and the host assistant's own list still counts.",
    ),
    Loss(
        "The account's settings",
        "Only an admin may read them (account:read:admin), and renaming is reported only there.",
        "Pre-flight shows “participants can rename themselves” as unknown, with the step to do by hand.",
    ),
    Loss(
        "Possibly the event stream",
        "Arrivals are heard live only if the Zoom app you sign in with has a WebSocket event subscription your sign-in may use.",
        "Test connection's “Event subscription” line says whether Zoom answers; without it, arrivals are heard only "
        "through the host assistant.",
    ),
)


def own_sign_in_summary() -> str:
    """One paragraph: what a teacher's own sign-in loses (Settings, Test connection, the README)."""
    return "With your own Zoom sign-in (no admin rights) zoomhost loses: " + " ".join(
        f"{n}. {loss.sentence()}" for n, loss in enumerate(OWN_SIGN_IN_LOSES, start=1)
    )
