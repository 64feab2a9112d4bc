"""The summary's words for what the teacher confirmed: a start-of-session check is the teacher's own
observation; a step done in the Zoom client is done by hand and confirmed."""

from __future__ import annotations

from datetime import timedelta

from tests.core.live_helpers import CONSENTED, MEETING, T0, Clock, classify, event, journals
from zoomhost.app.services import summary_template
from zoomhost.core.events import EventKind as K
from zoomhost.core.session import LiveSession
from zoomhost.core.start_checks import StartChecklist, StartCheckId
from zoomhost.core.summary import SessionSummary


def test_start_checks_read_confirmed_by_the_teacher_and_zoom_steps_done_by_hand() -> None:
    clock = Clock()
    journal = journals().create(meeting_id=MEETING, topic="Class 4", planned_minutes=30, started_at=T0, rehearsal=True)
    session = LiveSession(journal=journal, classify=classify, expected_pupils=CONSENTED, clock=clock)
    session.apply(event(K.STARTED, seconds=0))
    session.apply(event(K.WAITING_JOINED, "p1", "Amy B", seconds=5))
    session.apply(event(K.ADMITTED, "p1", seconds=6))
    clock.now = T0 + timedelta(minutes=1)
    checklist = StartChecklist(session=session)
    checklist.confirm_adult_with("p1", actor="teacher")
    checklist.confirm(StartCheckId.CHAT_CLOSED, actor="teacher")
    session.record_manual_confirmation("mute_all", actor="teacher")  # Alt+M in the Zoom client
    session.apply(event(K.ENDED, seconds=600))

    summary = SessionSummary.from_journal(journal)
    outcomes = {row.action: row.outcome for row in summary.timeline if row.action not in ("meeting_started", "meeting_ended")}
    assert outcomes == {
        "Start check: an adult is with Amy B. (Year 3)": "confirmed by the teacher",
        "Start check: chat is closed": "confirmed by the teacher",
        "mute_all": "done by hand in Zoom, confirmed",
    }
    page = summary.render_html(summary_template())
    assert page.count("confirmed by the teacher") == 2 and page.count("done by hand in Zoom") == 1
