"""``zoomhost doctor``: what this computer gives zoomhost, and whether Zoom answers, check by check.

The desktop (display, Qt's platform plugin, fonts) is judged by the same rule the window's command
applies before it opens (:mod:`zoomhost.app.desktop`); the keyring is the one the credentials live
in; the Zoom checks are Settings ▸ Test connection's, run against the Zoom the credentials on this
computer name, or with ``rehearsal`` against the rehearsal Zoom. Nothing is changed anywhere.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from zoomhost.app.desktop import Check, desktop_checks
from zoomhost.app.services import Services, build_services, command_services
from zoomhost.app.signin import credentials_kept, run_connection_test
from zoomhost.core.errors import ZoomhostError
from zoomhost.core.preflight import RuleStatus

__all__ = ["Check", "DoctorReport", "doctor", "keyring_check", "zoom_checks"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DoctorReport:
    checks: tuple[Check, ...]

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status is RuleStatus.FAIL)

    def as_dict(self) -> dict[str, list[dict[str, str]]]:
        return {"checks": [c.as_dict() for c in self.checks]}


def doctor(*, rehearsal: bool = False, environ: Mapping[str, str] | None = None) -> DoctorReport:
    """Every check, in order: display, platform plugin, fonts, keyring, then Zoom."""
    checks = desktop_checks(environ)
    with _services(rehearsal=rehearsal) as services:
        checks.append(keyring_check(services))
        checks.extend(services.runner.run(zoom_checks(services)))
    return DoctorReport(tuple(checks))


@contextmanager
def _services(*, rehearsal: bool) -> Iterator[Services]:
    if not rehearsal:
        with command_services() as services:
            yield services
        return
    services = build_services(force_rehearsal=True)
    try:
        yield services
    finally:
        services.close()


def keyring_check(services: Services) -> Check:
    """Where Zoom's secrets are kept, and which are set (never a value)."""
    try:
        kept = credentials_kept(services)
    except Exception as err:  # noqa: BLE001 - a keyring that breaks is a finding, not a crash
        log.exception("the keyring check failed")
        return Check(id="keyring", status=RuleStatus.FAIL, detail=f"The system keyring failed ({type(err).__name__}).")
    have = [row.label for row in kept.rows if row.is_set]
    set_text = f"set: {', '.join(have)}" if have else "no Zoom credentials are set yet"
    if kept.persistent:
        return Check(id="keyring", status=RuleStatus.PASS, detail=f"Secrets are kept in the {kept.backend}; {set_text}.")
    return Check(
        id="keyring",
        status=RuleStatus.WARN,
        detail=f"Zoom credentials would last for one run only: {kept.why_not}; {set_text}. "
        "Sign in to a desktop with an unlocked keyring (on Debian and Ubuntu: `sudo apt install gnome-keyring`).",
    )


async def zoom_checks(services: Services) -> list[Check]:
    """Settings ▸ Test connection's checks, one Check each, after one saying which Zoom they ran against."""
    try:
        test = await run_connection_test(services)
    except ZoomhostError as err:
        return [
            Check(
                id="zoom",
                status=RuleStatus.WARN,
                detail=f"{err.user_text()} Until then zoomhost opens in rehearsal mode; "
                "`zoomhost doctor --rehearsal` runs the Zoom checks against the rehearsal Zoom.",
            )
        ]
    except Exception as err:  # noqa: BLE001 - doctor reports; the details go to the log file
        log.exception("the Zoom connection test failed")
        return [Check(id="zoom", status=RuleStatus.FAIL, detail=f"Testing the Zoom connection failed unexpectedly ({type(err).__name__}).")]
    where = "the rehearsal Zoom (a simulated Zoom on this computer)" if test.rehearsal else f"Zoom at {test.api_base}"
    checks = [Check(id="zoom", status=RuleStatus.PASS, detail=f"The checks below ran against {where}.")]
    for line in test.lines:
        checks.append(Check(id=_zoom_id(line.what), status=RuleStatus(line.status.value), detail=f"{line.what}: {line.text}"))
    return checks


def _zoom_id(what: str) -> str:
    """"Dashboard (who is in a meeting)" -> "zoom_dashboard"; "Host's licence" -> "zoom_hosts_licence"."""
    words = re.sub(r"\(.*?\)", "", what).replace("'", "").lower()
    return "zoom_" + "_".join(re.findall(r"[a-z0-9]+", words))
