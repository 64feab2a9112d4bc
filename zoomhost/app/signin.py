"""Signing zoomhost in to Zoom: the app's credentials in the keyring, the teacher's own sign-in in the
browser, saving the settings, and testing what works with them.

The Settings page and ``zoomhost credentials | sign-in`` call these. Secrets go only to the
keyring (or memory, when there is none, which is said); what comes back is where each one is
kept and a masked value, never the secret.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from zoomhost.app.services import Connection, Services
from zoomhost.core.addresses import is_email_address
from zoomhost.core.errors import ZoomhostError
from zoomhost.app.school import SchoolPolicy, school_policy
from zoomhost.system import config
from zoomhost.system.config import (
    BASE_SCHEMES,
    SchoolSettingsError,
    Settings,
    UnsafeAddress,
    bad_host_entries,
    check_base,
    host_allowed,
    staff_meeting_words,
)
from zoomhost.zoom.credentials import ENV_OVERRIDES, FIELDS, LABELS, SECRET_FIELDS, FieldStatus
from zoomhost.zoom.scopes import OWN_SIGN_IN_LOSES, SERVER_TO_SERVER_SCOPES, own_sign_in_summary

__all__ = [
    "FIELDS",
    "LABELS",
    "OWN_SIGN_IN_LOSES",
    "SECRET_FIELDS",
    "SERVER_TO_SERVER_SCOPES",
    "ConnectionTest",
    "CredentialsKept",
    "CredentialsSaved",
    "TYPED_SETTINGS",
    "Settings",
    "SignedIn",
    "credential_fields",
    "credentials_kept",
    "forget_credentials",
    "keep_credentials",
    "own_sign_in_summary",
    "run_connection_test",
    "save_and_reconnect",
    "save_typed_settings",
    "change_settings",
    "settings_in_use",
    "settings_as_typed",
    "sign_in",
]

#: The settings a teacher or IT lead types on the Settings page (settings.json field -> label).
TYPED_SETTINGS: dict[str, str] = {
    "host_email": "Host's Zoom email",
    "school_email_domain": "School email domain",
    "subscription_id": "Event subscription ID",
    "assistant_user": "Assistant's Zoom user (email)",
    "allowed_hosts": "Hosts zoomhost may check",
    "session_retention_days": "Keep sessions for (days)",
    "register_refresh_days": "Register out of date after (days)",
    "staff_meeting_words": "Staff meeting topic words",
    "api_base": "API base",
    "oauth_base": "OAuth base",
    "ws_base": "Event WebSocket base",
}


def settings_as_typed(
    current: Settings, typed: Mapping[str, str], *, own_sign_in: bool, school: SchoolPolicy | None = None
) -> Settings:
    """``current`` with what was typed on the Settings page, or a ZoomhostError saying what to correct.

    Addresses are parsed: each must be https (wss for the event WebSocket), or plain http (ws)
    only to this computer, for a rehearsal or test server. The host's email must look like
    one; the hosts zoomhost may check and the staff meeting's topic words are checked as in the
    school's settings file. ``school``: the school's policy as already read (read now when left
    out). Nothing is saved here.
    """
    values: dict[str, Any] = {name: str(typed.get(name, getattr(current, name))).strip() for name in TYPED_SETTINGS}
    for name, (secure, _plain) in BASE_SCHEMES.items():
        try:
            values[name] = check_base(name, values[name])
        except UnsafeAddress:
            raise ZoomhostError(
                f"The {TYPED_SETTINGS[name]} “{values[name][:60]}” is not a secure web address.",
                hint=f"Use a {secure}:// address, as Zoom's documents give it (http:// and ws:// only to this computer).",
            ) from None
    if values["host_email"] and not is_email_address(values["host_email"]):
        raise ZoomhostError("The host's Zoom email does not look like an email address.", hint="Type it as name@school.example.")
    if values["assistant_user"] and not is_email_address(values["assistant_user"]):
        raise ZoomhostError(
            "The assistant's Zoom user does not look like an email address.",
            hint="Type the email of the Zoom user the school set aside for the host assistant, or leave it empty.",
        )
    hosts = [part for part in re.split(r"[,\s]+", values["allowed_hosts"].lower()) if part]
    values["allowed_hosts"] = ", ".join(hosts)
    bad = bad_host_entries(hosts)  # the school file's own check
    if bad:
        raise ZoomhostError(f"“{bad[0][:60]}” is not a host's email or an @domain.", hint="Type emails or @school.example, separated by commas.")
    if values["host_email"] and not host_allowed(values["host_email"], values["allowed_hosts"]):
        raise ZoomhostError(
            "The host's Zoom email is not among the hosts zoomhost may check.",
            hint="Type one of the hosts the school allows, or ask the IT lead to add this one.",
        )
    try:
        values["staff_meeting_words"] = ", ".join(staff_meeting_words(values["staff_meeting_words"], source=TYPED_SETTINGS["staff_meeting_words"]))
    except SchoolSettingsError as err:
        raise ZoomhostError(str(err), hint="Type words or phrases separated by commas, such as: staff meeting, INSET.") from None
    policy = school if school is not None else school_policy()
    values["session_retention_days"] = _retention_days(values["session_retention_days"], longest=policy.longest_retention)
    oldest = policy.layer.values.get("register_refresh_days") if policy.layer is not None else None
    values["register_refresh_days"] = _refresh_days(values["register_refresh_days"], oldest=oldest if isinstance(oldest, int) else None)
    values["auth_mode"] = "user_oauth" if own_sign_in else "server_to_server"
    return replace(current, **values)


def _refresh_days(typed: str, *, oldest: int | None = None) -> int:
    """Days after which the register counts as out of date, as typed: 1 to 365, or empty (or 0) for never; no more
    than the school's interval (``oldest``), and never "never" when the school sets one."""
    if oldest and (typed in ("", "0") or (typed.isdigit() and int(typed) > oldest)):
        raise ZoomhostError(
            f"The school asks for a fresh register at least every {oldest} days.",
            hint=f"Type {oldest} or fewer: the school's settings set the longest, so a withdrawn consent is not missed.",
        )
    if typed in ("", "0"):
        return 0
    if not typed.isdigit() or not 1 <= int(typed) <= 365:
        raise ZoomhostError(
            f"“{typed[:20]}” is not a number of days after which the register is out of date.",
            hint="Type a whole number of days from 1 to 365, or leave it empty for never.",
        )
    return int(typed)


def _retention_days(typed: str, *, longest: int | None) -> int:
    """Days a session is kept, as typed: a whole number from 1 to 365, no more than the school allows (``longest``)."""
    if not typed.isdigit() or not 1 <= int(typed) <= 365:
        raise ZoomhostError(
            f"“{typed[:20]}” is not a number of days to keep sessions.", hint="Type a whole number of days from 1 to 365."
        )
    if longest is not None and int(typed) > longest:
        raise ZoomhostError(
            f"The school keeps sessions for at most {longest} days.",
            hint=f"Type {longest} or fewer: the school's settings set the longest, for its privacy impact assessment.",
        )
    return int(typed)

DEFAULT_FIELDS = ("account_id", "client_id", "client_secret")


@dataclass(frozen=True)
class CredentialsKept:
    """Where each credential is kept (never its value): the keyring in use, and each field's status."""

    persistent: bool
    backend: str
    why_not: str  # why secrets cannot be kept; empty when they are
    rows: tuple[FieldStatus, ...]
    own_sign_in: bool  # the teacher's own Zoom sign-in, rather than the school's Server-to-Server app
    overridden: tuple[str, ...]  # environment variables standing in for the keyring

    @property
    def where(self) -> dict[str, str | None]:
        """Field -> "system keyring (…)" / "environment (…)" / None when not set."""
        return {row.name: row.source for row in self.rows}


@dataclass(frozen=True)
class CredentialsSaved:
    labels: tuple[str, ...]  # what was kept, in words
    backend: str
    persistent: bool


@dataclass(frozen=True)
class SignedIn:
    persistent: bool
    backend: str


@dataclass(frozen=True)
class ConnectionTest:
    """Each thing the app relies on, tried against the Zoom in use, line by line."""

    rehearsal: bool
    api_base: str
    lines: tuple[Any, ...]  # zoomhost.zoom.checkup.CheckLine: what, status, text

    @property
    def failed(self) -> int:
        return sum(line.status.value == "fail" for line in self.lines)


def credential_fields(names: Sequence[str]) -> list[str]:
    """The credentials named (by default the school app's three); an unknown name is refused."""
    return _known(list(names) or list(DEFAULT_FIELDS))


def _known(names: list[str]) -> list[str]:
    unknown = [f for f in names if f not in FIELDS]
    if unknown:
        raise ZoomhostError(f"zoomhost keeps no credential called {', '.join(unknown)}.", hint=f"Use: {', '.join(FIELDS)}.")
    return names


def credentials_kept(services: Services) -> CredentialsKept:
    """Where each credential is kept (asks the keyring: call it off the GUI thread)."""
    store = services.credentials
    return CredentialsKept(
        persistent=store.is_persistent,
        backend=store.backend_description,
        why_not=store.why_not_persistent,
        rows=tuple(store.status()),
        own_sign_in=services.settings.auth_mode == "user_oauth",
        overridden=tuple(v for v in ENV_OVERRIDES.values() if os.environ.get(v)),
    )


def keep_credentials(services: Services, values: Mapping[str, str]) -> CredentialsSaved:
    """Keep each non-empty value in the keyring; an empty one leaves the kept value as it is."""
    store = services.credentials
    labels = []
    for name in _known(list(values)):
        value = values[name].strip()
        if value:
            store.set(name, value)
            labels.append(LABELS[name])
    return CredentialsSaved(labels=tuple(labels), backend=store.backend_description, persistent=store.is_persistent)


def forget_credentials(services: Services) -> str:
    """Remove every zoomhost credential from this computer; says where they were kept."""
    store = services.credentials
    store.clear()
    return store.backend_description


async def save_and_reconnect(
    services: Services, settings: Settings, *, secrets: Mapping[str, str], school: SchoolPolicy | None = None
) -> Connection:
    """Secrets to the keyring, the rest to settings.json, then connect again with them.

    ``school``: the school's policy the settings were checked against (read again when left out)."""

    def store() -> None:
        keep_credentials(services, secrets)
        services.save_settings(settings, school=school.layer if school is not None else None)

    await asyncio.get_running_loop().run_in_executor(None, store)
    return await asyncio.wrap_future(services.reconnect())


def change_settings(services: Services, changes: Mapping[str, str]) -> tuple[tuple[str, str, str], ...]:
    """``zoomhost settings set``: change settings the Settings page types, checked exactly as the page checks them
    (against the school's file, read once), and save them. Returns (what, before, after) for each change.

    A name zoomhost does not know, or one the school's settings lock, is refused (ZoomhostError) and nothing is
    saved. Disk work."""
    unknown = [name for name in changes if name not in TYPED_SETTINGS]
    if unknown:
        raise ZoomhostError(f"There is no setting called {unknown[0][:40]!r}.", hint=f"Settings you can change: {', '.join(TYPED_SETTINGS)}.")
    policy = school_policy()
    locked = [name for name in changes if name in policy.locked]
    if locked:
        raise ZoomhostError(
            f"{TYPED_SETTINGS[locked[0]]} is set by the school's settings ({policy.path}); only the IT lead can change it.",
            hint="Nothing was changed.",
        )
    current = config.load_settings(env=False, school=policy.layer)
    after = settings_as_typed(current, changes, own_sign_in=current.auth_mode == "user_oauth", school=policy)
    services.save_settings(after, school=policy.layer)
    return tuple((TYPED_SETTINGS[name], str(getattr(current, name)), str(getattr(after, name))) for name in changes)


def settings_in_use(services: Services) -> tuple[tuple[str, str, str], ...]:
    """(name, what, value) of each setting the Settings page types, as this computer uses them (the school's
    settings applied), for ``zoomhost settings show``."""
    settings = services.settings
    return tuple((name, label, str(getattr(settings, name))) for name, label in TYPED_SETTINGS.items())


async def save_typed_settings(
    services: Services, typed: Mapping[str, str], *, own_sign_in: bool, secrets: Mapping[str, str]
) -> Connection:
    """The Settings page's Save, off the GUI thread: the school's file is read once, what was typed is checked
    against it (a ZoomhostError says what to correct, and nothing is kept), then kept and saved with that same
    reading, and zoomhost connects again."""
    loop = asyncio.get_running_loop()
    policy = await loop.run_in_executor(None, school_policy)
    settings = settings_as_typed(services.settings, typed, own_sign_in=own_sign_in, school=policy)
    return await save_and_reconnect(services, settings, secrets=secrets, school=policy)


async def sign_in(
    services: Services,
    *,
    open_browser: Callable[[str], object] | None = None,
    client_id: str = "",
    client_secret: str = "",
    use_own_sign_in: bool = False,
) -> SignedIn:
    """The teacher's own Zoom sign-in: Zoom's page in the browser, the answer on a loopback port, the
    lasting sign-in (refresh token) to the keyring.

    ``client_id`` / ``client_secret``: typed just now (kept once the sign-in works); otherwise the
    kept ones. ``use_own_sign_in``: from now on sign in this way (saved in the settings).
    """
    from zoomhost.zoom.auth import sign_in_with_browser

    loop = asyncio.get_running_loop()
    store = await loop.run_in_executor(None, lambda: services.credentials)
    typed = {"client_id": client_id, "client_secret": client_secret}
    client_id = client_id or await loop.run_in_executor(None, store.get, "client_id") or ""
    client_secret = client_secret or await loop.run_in_executor(None, store.get, "client_secret") or ""
    if not client_id or not client_secret:
        raise ZoomhostError(
            "Signing in needs the Zoom app's client ID and client secret.",
            hint="Type them in Settings, or run `zoomhost credentials set client_id client_secret` "
            "(from the school's Zoom app in the Zoom App Marketplace).",
        )
    kwargs: dict[str, Any] = {"open_browser": open_browser} if open_browser is not None else {}
    token = await sign_in_with_browser(
        client_id=client_id, client_secret=client_secret, oauth_base=services.settings.oauth_base, **kwargs
    )
    if not token.refresh_token:
        raise ZoomhostError("Zoom signed in but gave no lasting sign-in, so zoomhost cannot stay signed in.")
    refresh_token = token.refresh_token

    def keep() -> SignedIn:
        keep_credentials(services, typed)  # only what was typed: a value from the environment stays there
        store.set("user_refresh_token", refresh_token)
        if use_own_sign_in and services.settings.auth_mode != "user_oauth":
            services.save_settings(replace(services.settings, auth_mode="user_oauth"))
        return SignedIn(persistent=store.is_persistent, backend=store.backend_description)

    return await loop.run_in_executor(None, keep)


async def run_connection_test(services: Services) -> ConnectionTest:
    """Each thing the app relies on, tried against the Zoom in use (the rehearsal one in rehearsal)."""
    from zoomhost.zoom.checkup import check_connection

    connection = await services.connected()
    try:
        host = connection.host_user()
    except ZoomhostError:
        host = None
    from zoomhost.app.assistant_checks import assistant_runtime_check, assistant_sign_in_check

    here = asyncio.ensure_future(assistant_runtime_check())  # a child process, while Zoom is asked
    lines = await check_connection(client=connection.zoom, auth=connection.auth, settings=connection.settings, host_user=host)
    lines.append(await here)
    lines.append(await assistant_sign_in_check(connection.zoom, connection.settings.assistant_user))
    return ConnectionTest(rehearsal=connection.is_rehearsal, api_base=connection.settings.api_base, lines=tuple(lines))
