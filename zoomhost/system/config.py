"""Settings: versioned JSON in the config folder. No secrets here, ever.

The addresses zoomhost sends credentials and tokens to (Zoom's API, OAuth and event WebSocket,
or a ZoomGov or test server in their place) are parsed, never prefix-tested: each must be
https (wss for the WebSocket), or plain http (ws) to this computer only (127.0.0.0/8, ::1,
localhost), so ``http://127.0.0.1.evil.example`` is refused.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import re
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from urllib.parse import urlsplit

from zoomhost.system import paths

log = logging.getLogger(__name__)

SETTINGS_VERSION = 1
DEFAULT_API_BASE = "https://api.zoom.us/v2"
DEFAULT_OAUTH_BASE = "https://zoom.us"
DEFAULT_WS_BASE = "wss://ws.zoom.us/ws"

#: Each base address: its secure scheme, and the plain one allowed only to this computer.
BASE_SCHEMES: dict[str, tuple[str, str]] = {"api_base": ("https", "http"), "oauth_base": ("https", "http"), "ws_base": ("wss", "ws")}
BASE_LABELS: dict[str, str] = {"api_base": "API", "oauth_base": "OAuth", "ws_base": "event WebSocket"}
BASE_ENV: dict[str, str] = {"api_base": "ZOOMHOST_API_BASE", "oauth_base": "ZOOMHOST_OAUTH_BASE", "ws_base": "ZOOMHOST_WS_BASE"}
_UNSAFE_CHARACTERS = re.compile(r"[\s\\\x00-\x1f\x7f]")


class UnsafeAddress(ValueError):
    """A base address zoomhost will not send credentials to (``str(err)`` says why, in a sentence)."""


def is_loopback_host(host: str) -> bool:
    """This computer: localhost, 127.0.0.0/8 or ::1 (a name that merely starts with 127.0.0.1 is not)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def address_problem(value: str, *, secure: str = "https", plain: str = "http") -> str | None:
    """Why ``value`` cannot be a base address, in words; None when it can.

    It must parse as an absolute ``secure`` address (https, or wss), or a ``plain`` one (http, ws)
    whose host is this computer, with no user name or password, query or fragment in it.
    """
    if not value:
        return "is empty"
    if _UNSAFE_CHARACTERS.search(value):
        return "has spaces, backslashes or control characters in it"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - reading it checks it
    except ValueError:
        return "is not a web address"
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if scheme not in (secure, plain) or not host:
        return f"is not a {secure}:// address"
    if parts.username is not None or parts.password is not None:
        return "has a user name or password in it"
    if parts.query or parts.fragment or value.endswith(("?", "#")):
        return "has a query or fragment in it"
    if scheme == plain and not is_loopback_host(host):
        return f"is not secure: only an address on this computer may use {plain}://"
    return None


def check_base(name: str, value: str) -> str:
    """``value`` (without a trailing /) when it may be the ``name`` base address; UnsafeAddress otherwise."""
    secure, plain = BASE_SCHEMES[name]
    value = value.strip().rstrip("/")
    problem = address_problem(value, secure=secure, plain=plain)
    if problem:
        raise UnsafeAddress(f"The Zoom {BASE_LABELS[name]} address “{value[:80]}” {problem}.")
    return value


@dataclass(frozen=True)
class Settings:
    api_base: str = DEFAULT_API_BASE
    oauth_base: str = DEFAULT_OAUTH_BASE
    ws_base: str = DEFAULT_WS_BASE
    auth_mode: str = "server_to_server"  # or "user_oauth"
    subscription_id: str = ""  # the WebSocket event subscription set up by the school
    school_email_domain: str = ""  # the host account must be on this domain (protocol: school's Zoom account)
    host_email: str = ""  # whose meetings the checklist lists (a Server-to-Server app has no "me")
    # A Zoom user of the school's account that the host assistant joins as (with that user's ZAK), made
    # each meeting's alternative host by pre-flight, so it needs no click; "" joins it as a guest.
    assistant_user: str = ""
    auto_lock_minutes: int = 5  # protocol: lock once everyone is in or 5 minutes after start
    planned_minutes: int = 30  # protocol: usually no more than 30 minutes
    session_retention_days: int = 30
    # The school's policy (school.json): hosts zoomhost may check ("" anyone on the school's domains), and the
    # age in days after which the consent register counts as out of date (0: never).
    allowed_hosts: str = ""
    register_refresh_days: int = 0
    consent_register_source: str = ""  # a label only (e.g. "Arbor export")

    def with_env(self) -> Settings:
        """Environment overrides for scripts and tests (ZOOMHOST_API_BASE, ZOOMHOST_OAUTH_BASE, ZOOMHOST_WS_BASE,
        ZOOMHOST_SUBSCRIPTION_ID).

        An override that is not a safe address raises UnsafeAddress naming the variable: a
        script that set one is told, rather than zoomhost quietly talking to another Zoom.
        """
        bases = {}
        for name, variable in BASE_ENV.items():
            value = os.environ.get(variable)
            if value is None:
                bases[name] = getattr(self, name).rstrip("/")
                continue
            try:
                bases[name] = check_base(name, value)
            except UnsafeAddress as err:
                raise UnsafeAddress(f"{variable}: {err}") from None
        subscription_id = os.environ.get("ZOOMHOST_SUBSCRIPTION_ID", self.subscription_id).strip()
        return replace(self, **bases, subscription_id=subscription_id)


def settings_path() -> Path:
    return paths.config_dir() / "settings.json"


def load_settings(*, env: bool = True) -> Settings:
    """The settings file's values (a damaged value is dropped for its default, with a log line), then
    the ``ZOOMHOST_*`` environment's (``env``; an unsafe address there raises UnsafeAddress)."""
    found = _with_school(_from_file())
    return found.with_env() if env else found


def school_layer() -> tuple[dict[str, object], frozenset[str], int | None]:
    """The deployed school.json as settings values, the fields it locks, and its retention (the longest allowed).

    A school file that cannot be used is logged and left out (``zoomhost doctor`` and Settings say why).
    """
    from zoomhost.system.school import SchoolSettingsError, deployed_school_settings

    try:
        school = deployed_school_settings()
    except SchoolSettingsError as err:
        log.warning("the school's settings file is not used: %s", err)
        return {}, frozenset(), None
    if school is None:
        return {}, frozenset(), None
    values = school.settings_values()
    rename = {"school_domains": "school_email_domain"}
    locked = frozenset(rename.get(key, key) for key in school.locked) & set(values)
    return values, locked, school.session_retention_days


def _with_school(kept: dict[str, object]) -> Settings:
    """The school's values, then the teacher's own where policy allows (a locked key, a longer retention: the school's)."""
    school, locked, longest = school_layer()
    merged = {**school, **{k: v for k, v in kept.items() if k not in locked}}
    days = merged.get("session_retention_days")
    if longest is not None and isinstance(days, int) and days > longest:
        merged["session_retention_days"] = longest
    return Settings(**merged)


def _from_file() -> dict[str, object]:
    """The fields the teacher's settings file sets (a damaged value is dropped, with a log line)."""
    path = settings_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("settings file %s is unreadable (%s); using defaults", path, exc)
        return {}
    if not isinstance(raw, dict):
        log.warning("settings file %s does not hold settings; using defaults", path)
        return {}
    raw = _upgrade(raw)
    defaults = Settings()
    kept = {}
    for f in fields(Settings):
        if f.name not in raw:
            continue
        value, default = raw[f.name], getattr(defaults, f.name)
        # a hand-edited file may say "30" or null: such a value is dropped, never passed on to crash later
        if type(value) is not type(default):
            log.warning("settings file %s: %s is not a %s; using %r", path, f.name, type(default).__name__, default)
        elif f.name in BASE_SCHEMES and _unsafe(f.name, value):
            log.warning("settings file %s: %s; using %s", path, _unsafe(f.name, value), default)
        else:
            kept[f.name] = value
    return kept


def _unsafe(name: str, value: str) -> str | None:
    try:
        check_base(name, value)
    except UnsafeAddress as err:
        return str(err)
    return None


def save_settings(settings: Settings) -> None:
    path = settings_path()
    school, _locked, _longest = school_layer()
    # A value the school's file gives is kept only when the teacher changed it: a later change to school.json still applies.
    data = {"version": SETTINGS_VERSION, **{k: v for k, v in asdict(settings).items() if k not in school or school[k] != v}}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def _upgrade(raw: dict[str, object]) -> dict[str, object]:
    """Migrate older settings files by version (there is only version 1 so far)."""
    raw = dict(raw)
    raw.pop("version", None)
    return raw
