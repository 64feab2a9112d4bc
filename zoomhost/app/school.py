"""The school's settings (school.json): what the IT lead deployed, and a teacher's one-time import.

Settings ▸ Import school settings and ``zoomhost settings import FILE`` both call
:func:`import_school_settings`; Settings and ``zoomhost settings show`` ask :func:`school_policy`
which values the school has locked. A file carrying a secret is refused whole: nothing of it is
used or stored (``zoomhost.system.config`` says what counts as one).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from zoomhost.app.services import Services
from zoomhost.core.errors import ZoomhostError
from zoomhost.system import config
from zoomhost.system.config import SCHOOL_KEYS, SchoolLayer, SchoolSettings, SchoolSettingsError, read_school_file

__all__ = ["SCHOOL_KEYS", "SchoolImport", "SchoolPolicy", "import_school_settings", "read_school", "school_policy"]

#: Settings field -> its words (what an import changed, and what is locked).
FIELD_WORDS = {
    "school_email_domain": "school email domains",
    "subscription_id": "event subscription ID",
    "assistant_user": "assistant's Zoom user",
    "allowed_hosts": "hosts zoomhost may check",
    "session_retention_days": "days sessions are kept",
    "register_refresh_days": "days before the register is out of date",
    "staff_meeting_words": "staff meeting topic words",
    "api_base": "API address",
    "oauth_base": "OAuth address",
    "ws_base": "event WebSocket address",
}


@dataclass(frozen=True)
class SchoolImport:
    source: str
    changed: tuple[tuple[str, str, str], ...]  # (what, before, after)
    account_id_kept: str | None  # where the account ID was kept, when the file gave one


@dataclass(frozen=True)
class SchoolPolicy:
    """What the deployed school.json decides on this computer."""

    path: str
    deployed: bool
    problem: str  # why a deployed file is not used; "" when it is (or there is none)
    locked: frozenset[str]  # settings fields a teacher cannot change
    longest_retention: int | None  # the most days a teacher may keep sessions
    layer: SchoolLayer | None = field(default=None, compare=False, repr=False)  # the one reading all this came from


def read_school(path: Path) -> SchoolSettings:
    """The school's file, every value checked; a ZoomhostError saying what is wrong (and that nothing was kept)."""
    try:
        return read_school_file(path)
    except SchoolSettingsError as err:
        raise ZoomhostError(str(err), hint="Nothing was imported: the settings are as they were.") from None


def import_school_settings(services: Services, path: Path) -> SchoolImport:
    """Copy a school.json's values into this teacher's settings (and its account ID into the keyring)."""
    school = read_school(path)
    deployed = config.read_school_layer()  # the deployed file's policy, read once for this import
    before = config.load_settings(env=False, school=deployed)
    values = school.settings_values()
    after = replace(before, **values)
    changed = tuple(
        (FIELD_WORDS.get(name, name), str(getattr(before, name)), str(getattr(after, name)))
        for name in values
        if getattr(before, name) != getattr(after, name)
    )
    kept = None
    if school.account_id:
        services.credentials.set("account_id", school.account_id)
        kept = services.credentials.backend_description
    services.save_settings(after, school=deployed)
    return SchoolImport(source=school.source, changed=changed, account_id_kept=kept)


def school_policy(layer: SchoolLayer | None = None) -> SchoolPolicy:
    """What the deployed school.json decides: from ``layer`` as already read, else read once now (disk work)."""
    layer = layer if layer is not None else config.read_school_layer()
    return SchoolPolicy(
        path=str(layer.path),
        deployed=layer.deployed,
        problem=layer.problem,
        locked=layer.locked,
        longest_retention=layer.longest_retention,
        layer=layer,
    )
