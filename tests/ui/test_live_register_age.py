"""Starting a session with a register older than the school's refresh interval: the Live panel says so on its
banner before anyone is let in (a withdrawal made since may not be on this laptop). Real Qt offscreen, the
app's services on the test's own rehearsal Zoom over loopback, the real register file."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tests.ui.live_rig import live_page, rehearsal_server, services, start  # noqa: F401 - fixtures
from tests.ui.app_helpers import WAIT_MS
from zoomhost.system import paths


def test_a_session_started_on_an_out_of_date_register_says_so_before_anyone_is_admitted(qtbot, live_page, services) -> None:  # noqa: F811
    services.settings = replace(services.settings, register_refresh_days=30)  # the school's interval (school.json)
    when = (datetime.now(UTC) - timedelta(days=45)).isoformat(timespec="seconds")
    with sqlite3.connect(paths.register_db()) as db:  # the practice register, as if imported 45 days ago
        db.execute("UPDATE imports SET imported_at = ? WHERE list = 'pupils'", (when,))
    page = live_page
    start(qtbot, page, scenario="assembly", speed=10, admit_assistant=False)

    def register_warning() -> str:
        items = [item for item in page.banner.items if item.title == "Register out of date"]
        assert items, "no warning about the register on the banner"
        return items[0].message

    qtbot.waitUntil(lambda: bool(register_warning()), timeout=WAIT_MS)
    message = register_warning()
    assert message.startswith("The register is out of date: it was imported 45 days ago (")
    assert "every 30 days: re-import the school's latest export" in message
    assert page.banner.isVisible()
