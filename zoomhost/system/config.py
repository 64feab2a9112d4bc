"""Settings: versioned JSON in the config folder. No secrets here, ever."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from zoomhost.system import paths

log = logging.getLogger(__name__)

SETTINGS_VERSION = 1
DEFAULT_API_BASE = "https://api.zoom.us/v2"
DEFAULT_OAUTH_BASE = "https://zoom.us"
DEFAULT_WS_BASE = "wss://ws.zoom.us/ws"


@dataclass(frozen=True)
class Settings:
    api_base: str = DEFAULT_API_BASE
    oauth_base: str = DEFAULT_OAUTH_BASE
    ws_base: str = DEFAULT_WS_BASE
    auth_mode: str = "server_to_server"  # or "user_oauth"
    subscription_id: str = ""  # the WebSocket event subscription set up by the school
    school_email_domain: str = ""  # the host account must be on this domain (protocol: school's Zoom account)
    host_email: str = ""  # whose meetings the checklist lists (a Server-to-Server app has no "me")
    auto_lock_minutes: int = 5  # protocol: lock once everyone is in or 5 minutes after start
    planned_minutes: int = 30  # protocol: usually no more than 30 minutes
    session_retention_days: int = 30
    consent_register_source: str = ""  # a label only (e.g. "Arbor export")

    def with_env(self) -> Settings:
        """Environment overrides for scripts and tests (ZOOMHOST_API_BASE, ZOOMHOST_OAUTH_BASE, ZOOMHOST_WS_BASE,
        ZOOMHOST_SUBSCRIPTION_ID)."""
        return replace(
            self,
            api_base=os.environ.get("ZOOMHOST_API_BASE", self.api_base).rstrip("/"),
            oauth_base=os.environ.get("ZOOMHOST_OAUTH_BASE", self.oauth_base).rstrip("/"),
            ws_base=os.environ.get("ZOOMHOST_WS_BASE", self.ws_base).rstrip("/"),
            subscription_id=os.environ.get("ZOOMHOST_SUBSCRIPTION_ID", self.subscription_id).strip(),
        )


def settings_path() -> Path:
    return paths.config_dir() / "settings.json"


def load_settings() -> Settings:
    path = settings_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings().with_env()
    except (OSError, ValueError) as exc:
        log.warning("settings file %s is unreadable (%s); using defaults", path, exc)
        return Settings().with_env()
    if not isinstance(raw, dict):
        log.warning("settings file %s does not hold settings; using defaults", path)
        return Settings().with_env()
    raw = _upgrade(raw)
    defaults = Settings()
    kept = {}
    for f in fields(Settings):
        if f.name not in raw:
            continue
        value, default = raw[f.name], getattr(defaults, f.name)
        # a hand-edited file may say "30" or null: such a value is dropped, never passed on to crash later
        if type(value) is type(default):
            kept[f.name] = value
        else:
            log.warning("settings file %s: %s is not a %s; using %r", path, f.name, type(default).__name__, default)
    return Settings(**kept).with_env()


def save_settings(settings: Settings) -> None:
    path = settings_path()
    data = {"version": SETTINGS_VERSION, **asdict(settings)}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def _upgrade(raw: dict[str, object]) -> dict[str, object]:
    """Migrate older settings files by version (there is only version 1 so far)."""
    raw = dict(raw)
    raw.pop("version", None)
    return raw
