"""Forgetting on time, as the protocol promises: session journals past the school's retention, and
leavers whose August after leaving has come.

``zoomhost purge`` calls :func:`purge_past_retention`; the retention is the one in the
settings, and a computer with no register stored has only its journals checked.
"""

from __future__ import annotations

from datetime import date

from zoomhost.app.services import Services
from zoomhost.core.retention import PurgeReport, purge


def purge_past_retention(services: Services, *, dry_run: bool, today: date | None = None) -> PurgeReport:
    """Remove (or, with ``dry_run``, only list) what is past its retention; what was removed and any problem."""
    register = services.register if services.register.db_path.exists() else None
    return purge(
        journals=services.journals,
        today=today or date.today(),
        session_retention_days=services.settings.session_retention_days,
        register_store=register,
        dry_run=dry_run,
    )
