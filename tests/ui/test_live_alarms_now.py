"""Alarms mean now: each ends with what it was about, a new session opens clean, Remove never moves on to another child."""

from __future__ import annotations

from tests.ui.app_helpers import WAIT_MS, answer_confirmation
from tests.ui.live_rig import (  # noqa: F401 - fixtures
    SCENARIO_WAIT_MS,
    journal_kinds,
    live_page,
    rehearsal_server,
    select,
    services,
    start,
    state_of,
)
from zoomhost.core.journal import JournalKind
from zoomhost.core.session import ParticipantState


def test_an_alarm_ends_with_its_person_and_the_next_session_opens_clean(qtbot, live_page) -> None:  # noqa: F811
    page = live_page
    raised = []
    page.alarm_raised.connect(raised.append)
    start(qtbot, page, scenario="assembly", speed=40)
    qtbot.waitUntil(lambda: any(a.kind.value == "duplicate" and a.participant_id for a in raised), timeout=SCENARIO_WAIT_MS)
    duplicate = next(a for a in raised if a.kind.value == "duplicate" and a.participant_id)
    pid = duplicate.participant_id
    assert any(item.participant_id == pid for item in page.banner.items)

    # Remove them: the alarm about them goes, and nobody else is selected in their place.
    select(page, pid)
    page.buttons["remove"].click()
    answer_confirmation(qtbot, "Remove")
    qtbot.waitUntil(lambda: state_of(page, pid).state is ParticipantState.REMOVED, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: all(item.participant_id != pid for item in page.banner.items), timeout=WAIT_MS)
    assert page.selected() is None
    assert not page.buttons["remove"].isEnabled()  # a second Remove has nobody to hit
    assert JournalKind.ALARM in journal_kinds(page)  # the alarm is still in the record

    # Narrow the table, then end the meeting: every alarm leaves the screen with it.
    page.set_verdict_filter("check")
    page.state_filter.setCurrentIndex(page.state_filter.findData("waiting"))
    qtbot.waitUntil(lambda: page.proxy.rowCount() > 0, timeout=SCENARIO_WAIT_MS)
    page.table.selectRow(0)
    with qtbot.waitSignal(page.session_ended, timeout=WAIT_MS):
        page.panic()
    assert page.banner.items == [] and not page.banner.isVisible()

    # The next session: no alarm of the last one, every filter as it opens, nobody selected.
    start(qtbot, page, scenario="class", speed=40)
    assert all(item.participant_id is None or page.model.row_of(item.participant_id) is not None for item in page.banner.items)
    assert page.filter_buttons["all"].isChecked() and not page.filter_buttons["check"].isChecked()
    assert page.proxy.verdicts is None and page.state_filter.currentData() == "present"
    assert page.selected() is None


def test_a_burst_of_alarms_sounds_once_and_shows_the_first_with_how_many_more(qtbot, monkeypatch) -> None:
    """A room of strangers at once (or everyone arriving after the lock) raises an alarm each: the banner
    shows the first with "+N" and sounds once for the lot, not once per stranger."""
    from PySide6.QtWidgets import QApplication

    from zoomhost.ui.live.banner import AlarmBanner, BannerItem

    beeps: list[None] = []
    monkeypatch.setattr(QApplication, "beep", staticmethod(lambda: beeps.append(None)))
    banner = AlarmBanner()
    qtbot.addWidget(banner)
    with banner.together():
        for n in range(200):
            banner.raise_item(BannerItem("not_on_register", "Not on the register", f"Stranger {n} is waiting."))
        assert banner.isHidden()  # nothing drawn until the burst is in
    assert not banner.isHidden()
    assert "Stranger 0 is waiting" in banner.words and banner.count.text() == "+199"
    assert len(beeps) == 1
    banner.raise_item(BannerItem("not_on_register", "Not on the register", "One more."))  # alone: its own sound
    assert len(beeps) == 2 and banner.count.text() == "+200"
