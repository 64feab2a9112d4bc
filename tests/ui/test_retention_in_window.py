"""In the window, retention runs by itself: at start-up and when a session closes, and the status bar
says what it removed. Nobody has to remember `zoomhost purge`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from PySide6.QtWidgets import QLabel

from tests.ui.app_helpers import WAIT_MS, rehearsal_server, services  # noqa: F401 - fixtures
from tests.ui.live_rig import SCENARIO_WAIT_MS, live_page, start  # noqa: F401 - fixtures
from zoomhost.app.retention import SESSION_CLOSED, START_UP, RetentionRun
from zoomhost.app.services import Services, build_services, retention_log, session_journals
from zoomhost.core.models import Pupil
from zoomhost.core.summary import summary_needs
from zoomhost.ui.main import RETENTION_LABEL, build_main_window


def _old_session(days: int, topic: str = "Summer assembly") -> str:
    started = datetime.now(UTC) - timedelta(days=days)
    with session_journals().create(meeting_id="123", topic=topic, planned_minutes=30, started_at=started, rehearsal=False) as j:
        return j.session_id


@dataclass(frozen=True)
class _Imported:
    pupils: tuple[Pupil, ...]
    source: str = "register.csv"


def test_at_start_up_the_window_forgets_what_is_due_and_says_so(qtbot) -> None:
    old = _old_session(45)
    recent = _old_session(3, "Last week's class")
    left = date(date.today().year - 1, 7, 18)
    with build_services(force_rehearsal=True) as built:
        built.register.replace_pupils(
            _Imported((Pupil(1, "Amy", None, "B", "Year 6", True, None, left), Pupil(2, "Mo", None, "K", "Year 5", True)))
        )
        window = build_main_window(built)
        qtbot.addWidget(window)
        window.show()
        label = window.findChild(QLabel, RETENTION_LABEL)
        assert label is not None and label.isHidden()
        qtbot.waitUntil(lambda: label.isVisible(), timeout=WAIT_MS)
        assert label.text() == (
            "1 session older than 30 days deleted; "
            "1 leaver removed from the register (the August after they left has come)."
        )
        assert "retention log" in label.toolTip()
        assert session_journals().session_ids() == [recent]
        assert [p.first_name for p in built.register.pupils()] == ["Mo"]
        (record,) = retention_log().records()
        assert (record.trigger, record.sessions_deleted, record.leavers_removed) == (START_UP, (old,), 1)
        # The connection's own word in the status bar is untouched.
        qtbot.waitUntil(lambda: "Rehearsal was asked for" in window.statusBar().currentMessage(), timeout=WAIT_MS)


def test_with_nothing_due_the_status_bar_says_nothing(qtbot) -> None:
    _old_session(3)
    with build_services(force_rehearsal=True) as built:
        window = build_main_window(built)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: "Rehearsal was asked for" in window.statusBar().currentMessage(), timeout=WAIT_MS)
        qtbot.wait(300)
        assert window.findChild(QLabel, RETENTION_LABEL).isHidden()
        assert retention_log().records() == [] and len(session_journals().session_ids()) == 1


def test_when_the_live_session_closes_its_journal_is_cut_to_its_summary_and_old_ones_go(
    qtbot, live_page, services: Services  # noqa: F811
) -> None:
    page = live_page
    start(qtbot, page, scenario="class", speed=30)
    qtbot.waitUntil(lambda: len(page.model.arrivals()) >= 10, timeout=SCENARIO_WAIT_MS)
    old = _old_session(60)
    with qtbot.waitSignal(page.retention_ran, timeout=SCENARIO_WAIT_MS) as ran:
        page.panic()
    run = ran.args[0]
    assert isinstance(run, RetentionRun) and run.trigger == SESSION_CLOSED
    assert run.message == "1 session older than 30 days deleted"
    assert old not in session_journals().session_ids()
    assert [m.session_id for m in run.minimised] == [page.session_id]
    journal = page.session.controller.session.journal  # still open for the summary
    assert journal.rewritten_through() == journal.last_seq()
    entries = journal.entries()
    evidence = summary_needs(entries).evidence
    pupils = [e for e in entries if e.pupil_label and e.participant_id not in evidence]
    assert pupils and all(e.display_name == e.pupil_label for e in pupils)  # first name, initial and class
