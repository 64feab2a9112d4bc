"""Settings: versioned JSON in the config folder. No secrets here, ever.

The addresses zoomhost sends credentials and tokens to (Zoom's API, OAuth and event WebSocket,
or a ZoomGov or test server in their place) are parsed, never prefix-tested: each must be
https (wss for the WebSocket), or plain http (ws) to this computer only (127.0.0.0/8, ::1,
localhost), so ``http://127.0.0.1.evil.example`` is refused.

Under the teacher's own settings lie the school's (``school.json``, written once by the IT lead and
deployed system-wide): see "the school's settings" below.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from zoomhost.system import paths, platforms

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
    # Words in a meeting's topic that make it a meeting of staff only (held to the staff-meeting profile:
    # a Zoom sign-in on the school's domains, no pupil register), separated by commas; "" for none.
    staff_meeting_words: str = "staff meeting, staff briefing, INSET"

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


def load_settings(*, env: bool = True, school: SchoolLayer | None = None) -> Settings:
    """The settings file's values (a damaged value is dropped for its default, with a log line), then
    the ``ZOOMHOST_*`` environment's (``env``; an unsafe address there raises UnsafeAddress).

    ``school``: the school's settings as already read (:func:`read_school_layer`); read afresh when left out."""
    found = _with_school(_from_file(), school)
    return found.with_env() if env else found


@dataclass(frozen=True)
class SchoolLayer:
    """The deployed school.json, read and checked once: its values as settings fields, the fields it locks, the
    longest retention it allows, and (when a file is there but cannot be used) why not."""

    path: Path
    deployed: bool  # a file is there, used or not
    problem: str = ""  # why a deployed file is not used; "" when it is (or there is none)
    values: Mapping[str, object] = field(default_factory=dict)
    locked: frozenset[str] = frozenset()
    longest_retention: int | None = None


def read_school_layer() -> SchoolLayer:
    """Read and check the deployed school.json once; everything that needs the school's policy takes this.

    A school file that cannot be used is logged and left out (``zoomhost doctor`` and Settings say why).
    """
    path = school_settings_path()
    if not path.exists():
        return SchoolLayer(path=path, deployed=False)
    try:
        school = read_school_file(path)
    except SchoolSettingsError as err:
        log.warning("the school's settings file is not used: %s", err)
        return SchoolLayer(path=path, deployed=True, problem=str(err))
    values = school.settings_values()
    rename = {"school_domains": "school_email_domain"}
    locked = frozenset(rename.get(key, key) for key in school.locked) & set(values)
    return SchoolLayer(path=path, deployed=True, values=values, locked=locked, longest_retention=school.session_retention_days)


def school_layer(layer: SchoolLayer | None = None) -> tuple[dict[str, object], frozenset[str], int | None]:
    """The deployed school.json as settings values, the fields it locks, and its retention (the longest allowed):
    ``layer`` as already read, else read now."""
    layer = layer if layer is not None else read_school_layer()
    return dict(layer.values), layer.locked, layer.longest_retention


def _with_school(kept: dict[str, object], layer: SchoolLayer | None = None) -> Settings:
    """The school's values, then the teacher's own where policy allows (a locked key, a longer retention: the school's)."""
    school, locked, longest = school_layer(layer)
    merged = {**school, **{k: v for k, v in kept.items() if k not in locked}}
    days = merged.get("session_retention_days")
    if longest is not None and isinstance(days, int) and days > longest:
        merged["session_retention_days"] = longest
    # The school's register interval is the longest a teacher may let the register age, never "never".
    oldest, refresh = school.get("register_refresh_days"), merged.get("register_refresh_days")
    if isinstance(oldest, int) and oldest > 0 and (not isinstance(refresh, int) or not 0 < refresh <= oldest):
        merged["register_refresh_days"] = oldest
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


def save_settings(settings: Settings, *, school: SchoolLayer | None = None) -> None:
    """Write settings.json; ``school``: the school's settings as already read (read afresh when left out)."""
    path = settings_path()
    school_values, _locked, _longest = school_layer(school)
    # A value the school's file gives is kept only when the teacher changed it: a later change to school.json still applies.
    data = {
        "version": SETTINGS_VERSION,
        **{k: v for k, v in asdict(settings).items() if k not in school_values or school_values[k] != v},
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def _upgrade(raw: dict[str, object]) -> dict[str, object]:
    """Migrate older settings files by version (there is only version 1 so far)."""
    raw = dict(raw)
    raw.pop("version", None)
    return raw


# -- the school's settings (school.json) ---------------------------------------------------------------
# School settings: the values a school's IT lead writes once in ``school.json`` for every laptop.
#
# The file holds no secret, ever: a file carrying one (a client secret, an SDK secret, a token, a
# password …) is refused whole, and nothing of it is used or stored; secrets go to each computer's
# keyring. It is read from one system-wide place (``school_settings_path``), deployed by the IT
# lead, or imported once by a teacher (Settings ▸ Import school settings, ``zoomhost settings import
# FILE``), which copies its values into the teacher's own settings.
#
# Policy: a value the school's file gives is the default on every laptop; a teacher's own settings
# may change it, except the keys the file lists in ``locked`` (the school's value always wins) and
# ``session_retention_days``, which a teacher may shorten but never lengthen beyond the school's.

SCHOOL_FILE_NAME = "school.json"
SCHOOL_ENV_PATH = "ZOOMHOST_SCHOOL_SETTINGS"  # another place for the system-wide file (tests, unusual installs)
SCHOOL_MAX_BYTES = 64 * 1024

#: school.json key -> what it is, in words (the keys the setup guide documents).
SCHOOL_KEYS: dict[str, str] = {
    "account_id": "the school's Zoom account ID (not a secret; kept in the keyring beside the app's credentials)",
    "school_domains": "the email domains of the school's Zoom users (hosts must be on one)",
    "subscription_id": "the WebSocket event subscription's ID",
    "assistant_user": "the Zoom user set aside for the host assistant (an email), or empty",
    "allowed_hosts": "the hosts whose meetings zoomhost may check, as emails or @domain; empty: anyone on the school's domains",
    "session_retention_days": "days a session journal is kept (1–365); teachers may shorten it, never lengthen it",
    "register_refresh_days": "days after which a consent register counts as out of date (1–365); teachers may ask for sooner, never later",
    "staff_meeting_words": "words in a meeting's topic that make it a meeting of staff only (the staff-meeting profile); empty: none",
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
    staff_meeting_words: tuple[str, ...] | None = None
    api_base: str | None = None
    oauth_base: str | None = None
    ws_base: str | None = None
    locked: tuple[str, ...] = ()

    def given(self) -> dict[str, Any]:
        """The keys the file gives, with their values (``locked`` and ``source`` aside)."""
        return {k: getattr(self, k) for k in SCHOOL_KEYS if k != "locked" and getattr(self, k) is not None}

    def settings_values(self) -> dict[str, Any]:
        """The given values as zoomhost's settings fields (``account_id`` is not one: it goes to the keyring)."""
        values = self.given()
        values.pop("account_id", None)
        if "school_domains" in values:
            values["school_email_domain"] = ", ".join(values.pop("school_domains"))
        for key in ("allowed_hosts", "staff_meeting_words"):
            if key in values:
                values[key] = ", ".join(values[key])
        return values


def school_settings_path() -> Path:
    """The system-wide school.json: ``$ZOOMHOST_SCHOOL_SETTINGS``, ``$ZOOMHOST_HOME/school.json``, or the system's shared config folder
    (Linux ``/etc/xdg/zoomhost``, macOS ``/Library/Application Support/zoomhost``, Windows
    ``C:\\ProgramData\\zoomhost``)."""
    override = os.environ.get(SCHOOL_ENV_PATH)
    if override:
        return Path(override)
    home = os.environ.get("ZOOMHOST_HOME")  # a portable install (or a test) keeps everything under one folder
    if home:
        return Path(home) / SCHOOL_FILE_NAME
    return platforms.folders("zoomhost").site_config_path / SCHOOL_FILE_NAME


def read_school_file(path: Path) -> SchoolSettings:
    """The school's settings in ``path``, every value checked; SchoolSettingsError when anything is wrong."""
    name = str(path)
    try:
        if not path.is_file():
            raise SchoolSettingsError(f"{name} is not a file.")
        if path.stat().st_size > SCHOOL_MAX_BYTES:
            raise SchoolSettingsError(f"{name} is larger than a school settings file can be ({SCHOOL_MAX_BYTES // 1024} KB).")
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
    unknown = [str(k) for k in raw if k not in SCHOOL_KEYS]
    if unknown:
        raise SchoolSettingsError(f"{source}: zoomhost has no school setting called {', '.join(unknown)}. Known: {', '.join(SCHOOL_KEYS)}.")
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
        bad = bad_host_entries(hosts)
        if bad:
            raise SchoolSettingsError(f"{source}: allowed_hosts must be emails or @domain ({', '.join(bad)}).")
        return hosts
    if key == "staff_meeting_words":
        return staff_meeting_words(value, source=f"{source}: staff_meeting_words")
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
        bad = [k for k in locked if k not in SCHOOL_KEYS or k == "locked"]
        if bad:
            raise SchoolSettingsError(f"{source}: locked names keys zoomhost does not know ({', '.join(bad)}).")
        return locked
    raise SchoolSettingsError(f"{source}: zoomhost has no school setting called {key}.")  # pragma: no cover - SCHOOL_KEYS checked first


def bad_host_entries(hosts: Iterable[str]) -> list[str]:
    """The entries of an allowed-hosts list that are neither an email address nor @domain (the one check for
    school.json and the Settings page alike)."""
    return [h for h in hosts if not (_EMAIL.match(h) or (h.startswith("@") and _DOMAIN.match(h[1:])))]


STAFF_WORDS_MAX = 20  # words a school may give
_STAFF_WORD_MAX_LENGTH = 60


def staff_meeting_words(value: object, *, source: str) -> tuple[str, ...]:
    """The topic words that make a meeting one of staff only, checked (school.json and the Settings page alike): a
    list of text or one text separated by commas or semicolons; each a word or phrase of letters or digits. An
    empty list is allowed: no meeting is a staff meeting by its topic. SchoolSettingsError when it cannot be used."""
    if isinstance(value, str):
        items: object = re.split(r"[,;]", value)
    else:
        items = value
    if not isinstance(items, list):
        raise SchoolSettingsError(f"{source} must be a list of words, such as [\"staff meeting\", \"INSET\"].")
    words: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise SchoolSettingsError(f"{source} must be a list of words, not {type(item).__name__}.")
        word = " ".join(item.split())
        if not word:
            continue
        if len(word) > _STAFF_WORD_MAX_LENGTH or any(ord(c) < 32 for c in item) or not any(c.isalnum() for c in word):
            raise SchoolSettingsError(
                f"{source}: “{word[:40]}” is not a word or phrase of a meeting's topic "
                f"(letters or digits, at most {_STAFF_WORD_MAX_LENGTH} characters)."
            )
        if any(c in word for c in ",;"):
            raise SchoolSettingsError(f"{source}: “{word[:40]}” holds a comma or semicolon; give each word as its own item.")
        words.append(word)
    if len(words) > STAFF_WORDS_MAX:
        raise SchoolSettingsError(f"{source} gives {len(words)} words; at most {STAFF_WORDS_MAX}.")
    return tuple(words)


def host_allowed(host: str, allowed: str) -> bool:
    """Whether the host's email is among ``allowed`` (emails or @domain, separated by commas); empty allows anyone."""
    entries = [a for a in re.split(r"[,\s]+", allowed.lower()) if a]
    if not entries:
        return True
    host = host.strip().lower()
    return any(host == a or (a.startswith("@") and host.endswith(a)) for a in entries)
