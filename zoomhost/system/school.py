"""School settings: the values a school's IT lead writes once in ``school.json`` for every laptop.

The file holds no secret, ever: a file carrying one (a client secret, an SDK secret, a token, a
password …) is refused whole, and nothing of it is used or stored; secrets go to each computer's
keyring. It is read from one system-wide place (``school_settings_path``), deployed by the IT
lead, or imported once by a teacher (Settings ▸ Import school settings, ``zoomhost settings import
FILE``), which copies its values into the teacher's own settings.

Policy: a value the school's file gives is the default on every laptop; a teacher's own settings
may change it, except the keys the file lists in ``locked`` (the school's value always wins) and
``session_retention_days``, which a teacher may shorten but never lengthen beyond the school's.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from zoomhost.system.config import BASE_SCHEMES, UnsafeAddress, check_base

FILE_NAME = "school.json"
ENV_PATH = "ZOOMHOST_SCHOOL_SETTINGS"  # another place for the system-wide file (tests, unusual installs)
MAX_BYTES = 64 * 1024

#: school.json key -> what it is, in words (the keys the setup guide documents).
KEYS: dict[str, str] = {
    "account_id": "the school's Zoom account ID (not a secret; kept in the keyring beside the app's credentials)",
    "school_domains": "the email domains of the school's Zoom users (hosts must be on one)",
    "subscription_id": "the WebSocket event subscription's ID",
    "assistant_user": "the Zoom user set aside for the host assistant (an email), or empty",
    "allowed_hosts": "the hosts whose meetings zoomhost may check, as emails or @domain; empty: anyone on the school's domains",
    "session_retention_days": "days a session journal is kept (1–365); teachers may shorten it, never lengthen it",
    "register_refresh_days": "days after which a consent register counts as out of date (1–365)",
    "api_base": "Zoom's API address (ZoomGov: https://api.zoomgov.com/v2)",
    "oauth_base": "Zoom's sign-in address (ZoomGov: https://zoomgov.com)",
    "ws_base": "Zoom's event WebSocket address (ZoomGov: wss://ws.zoomgov.com/ws)",
    "locked": "keys whose school value a teacher cannot change",
}
#: A key or value like these is a secret: the whole file is refused.
_SECRET_NAME = re.compile(r"secret|password|passwd|passcode|token|private|credential|jwt", re.I)
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@([^@\s]{1,253})$")


class SchoolSettingsError(ValueError):
    """The school's settings file cannot be used (``str(err)`` says why, naming the file and key)."""


@dataclass(frozen=True)
class SchoolSettings:
    """What a school's file says; a key it leaves out is None."""

    source: str
    account_id: str | None = None
    school_domains: tuple[str, ...] | None = None
    subscription_id: str | None = None
    assistant_user: str | None = None
    allowed_hosts: tuple[str, ...] | None = None
    session_retention_days: int | None = None
    register_refresh_days: int | None = None
    api_base: str | None = None
    oauth_base: str | None = None
    ws_base: str | None = None
    locked: tuple[str, ...] = ()

    def given(self) -> dict[str, Any]:
        """The keys the file gives, with their values (``locked`` and ``source`` aside)."""
        return {k: getattr(self, k) for k in KEYS if k != "locked" and getattr(self, k) is not None}

    def settings_values(self) -> dict[str, Any]:
        """The given values as zoomhost's settings fields (``account_id`` is not one: it goes to the keyring)."""
        values = self.given()
        values.pop("account_id", None)
        if "school_domains" in values:
            values["school_email_domain"] = ", ".join(values.pop("school_domains"))
        if "allowed_hosts" in values:
            values["allowed_hosts"] = ", ".join(values["allowed_hosts"])
        return values


def school_settings_path() -> Path:
    """The system-wide school.json: ``$ZOOMHOST_SCHOOL_SETTINGS``, ``$ZOOMHOST_HOME/school.json``, or the system's shared config folder
    (Linux ``/etc/xdg/zoomhost``, macOS ``/Library/Application Support/zoomhost``, Windows
    ``C:\\ProgramData\\zoomhost``)."""
    override = os.environ.get(ENV_PATH)
    if override:
        return Path(override)
    home = os.environ.get("ZOOMHOST_HOME")  # a portable install (or a test) keeps everything under one folder
    if home:
        return Path(home) / FILE_NAME
    return platformdirs.site_config_path("zoomhost", appauthor=False, multipath=False) / FILE_NAME


def read_school_file(path: Path) -> SchoolSettings:
    """The school's settings in ``path``, every value checked; SchoolSettingsError when anything is wrong."""
    name = str(path)
    try:
        if not path.is_file():
            raise SchoolSettingsError(f"{name} is not a file.")
        if path.stat().st_size > MAX_BYTES:
            raise SchoolSettingsError(f"{name} is larger than a school settings file can be ({MAX_BYTES // 1024} KB).")
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise SchoolSettingsError(f"{name} cannot be read ({err.strerror or type(err).__name__}).") from None
    except (ValueError, UnicodeDecodeError) as err:
        raise SchoolSettingsError(f"{name} is not a JSON file ({err}).") from None
    return parse_school_settings(raw, source=name)


def parse_school_settings(raw: object, *, source: str) -> SchoolSettings:
    if not isinstance(raw, dict):
        raise SchoolSettingsError(f"{source} does not hold settings (a JSON object with keys such as subscription_id).")
    secrets = [str(k) for k in raw if _SECRET_NAME.search(str(k))]
    if secrets:
        raise SchoolSettingsError(
            f"{source} carries a secret ({', '.join(secrets)}), so it was refused and nothing of it was used or stored. "
            "Secrets go only to each computer's keyring (`zoomhost credentials set`); take them out of the file."
        )
    unknown = [str(k) for k in raw if k not in KEYS]
    if unknown:
        raise SchoolSettingsError(f"{source}: zoomhost has no school setting called {', '.join(unknown)}. Known: {', '.join(KEYS)}.")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        values[key] = _check(key, value, source)
    return SchoolSettings(source=source, **values)


def _text(key: str, value: object, source: str) -> str:
    if not isinstance(value, str):
        raise SchoolSettingsError(f"{source}: {key} must be text, not {type(value).__name__}.")
    value = value.strip()
    if len(value) > 254 or any(ord(c) < 32 for c in value):
        raise SchoolSettingsError(f"{source}: {key} is too long or has control characters in it.")
    return value


def _texts(key: str, value: object, source: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [part for part in re.split(r"[,\s]+", value) if part]
    if not isinstance(value, list):
        raise SchoolSettingsError(f"{source}: {key} must be a list of text.")
    return tuple(_text(key, item, source) for item in value)


def _check(key: str, value: object, source: str) -> Any:
    if key in ("account_id", "subscription_id"):
        text = _text(key, value, source)
        if text and not re.fullmatch(r"[A-Za-z0-9_\-]{1,64}", text):
            raise SchoolSettingsError(f"{source}: {key} “{text[:40]}” is not a Zoom ID (letters, digits, - and _).")
        return text
    if key == "school_domains":
        domains = tuple(d.lower().lstrip("@") for d in _texts(key, value, source))
        bad = [d for d in domains if not _DOMAIN.match(d)]
        if bad or not domains:
            raise SchoolSettingsError(f"{source}: school_domains must list email domains such as school.example ({', '.join(bad)}).")
        return domains
    if key == "assistant_user":
        text = _text(key, value, source)
        if text and not _EMAIL.match(text):
            raise SchoolSettingsError(f"{source}: assistant_user “{text[:60]}” is not an email address.")
        return text
    if key == "allowed_hosts":
        hosts = tuple(h.lower() for h in _texts(key, value, source))
        bad = [h for h in hosts if not (_EMAIL.match(h) or (h.startswith("@") and _DOMAIN.match(h[1:])))]
        if bad:
            raise SchoolSettingsError(f"{source}: allowed_hosts must be emails or @domain ({', '.join(bad)}).")
        return hosts
    if key in ("session_retention_days", "register_refresh_days"):
        if type(value) is not int or not 1 <= value <= 365:
            raise SchoolSettingsError(f"{source}: {key} must be a whole number of days from 1 to 365.")
        return value
    if key in BASE_SCHEMES:
        try:
            return check_base(key, _text(key, value, source))
        except UnsafeAddress as err:
            raise SchoolSettingsError(f"{source}: {err}") from None
    if key == "locked":
        locked = _texts(key, value, source)
        bad = [k for k in locked if k not in KEYS or k == "locked"]
        if bad:
            raise SchoolSettingsError(f"{source}: locked names keys zoomhost does not know ({', '.join(bad)}).")
        return locked
    raise SchoolSettingsError(f"{source}: zoomhost has no school setting called {key}.")  # pragma: no cover - KEYS checked first


def deployed_school_settings() -> SchoolSettings | None:
    """The system-wide school.json, or None when there is none; SchoolSettingsError when it is unusable."""
    path = school_settings_path()
    if not path.exists():
        return None
    return read_school_file(path)


def host_allowed(host: str, allowed: str) -> bool:
    """Whether the host's email is among ``allowed`` (emails or @domain, separated by commas); empty allows anyone."""
    entries = [a for a in re.split(r"[,\s]+", allowed.lower()) if a]
    if not entries:
        return True
    host = host.strip().lower()
    return any(host == a or (a.startswith("@") and host.endswith(a)) for a in entries)
