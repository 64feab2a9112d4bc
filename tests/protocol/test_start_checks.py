"""The start-of-session checklist and the session timer, as the teacher meets them in a live meeting."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.core.live_helpers import CONSENTED, MEETING, T0, Clock, classify, event
from zoomhost.app.services import session_journals
from zoomhost.core import protocol
from zoomhost.core.events import EventKind as K
from zoomhost.core.journal import Actor, JournalKind
from zoomhost.core.session import LiveSession
from zoomhost.core.start_checks import (
    START_CHECKS,
    SessionTimer,
    StartCheckError,
    StartCheckId,
    StartChecklist,
    TimerStage,
    TimerWatch,
)
from zoomhost.core.summary import SessionSummary, admission_lines


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def session(clock: Clock) -> LiveSession:
    journal = session_journals().create(meeting_id=MEETING, topic="Year 3", planned_minutes=30, started_at=T0, rehearsal=True)
    return LiveSession(journal=journal, classify=classify, expected_pupils=CONSENTED, clock=clock)


def _admit(session: LiveSession, pid: str, name: str, at: float) -> None:
    session.apply(event(K.WAITING_JOINED, pid, name, seconds=at))
    session.apply(event(K.ADMITTED, pid, seconds=at + 1))


def _class_in(session: LiveSession) -> None:
    _admit(session, "p1", "Amy B", 1)
    _admit(session, "p2", "Zoë L", 3)
    _admit(session, "s1", "Mrs Hughes", 5)  # staff: no adult check for them
    session.apply(event(K.WAITING_JOINED, "x1", "Oliver S", seconds=7))  # no consent, still waiting


def test_each_item_quotes_the_protocol_line_it_answers() -> None:
    assert [c.id for c in START_CHECKS] == [
        StartCheckId.ADULT_PRESENT,
        StartCheckId.CHAT_CLOSED,
        StartCheckId.NO_SCREEN_SHARING,
    ]
    for check in START_CHECKS:
        assert check.protocol_line in protocol.RISK_ASSESSMENT
        assert check.how and check.title


def test_ticks_go_into_the_journal_and_the_summary_shows_who_confirmed_them(session: LiveSession) -> None:
    _class_in(session)
    checklist = StartChecklist(session=session)
    assert not checklist.complete
    assert [c.id for c in checklist.outstanding()] == [c.id for c in START_CHECKS]

    changes = checklist.confirm(StartCheckId.CHAT_CLOSED)
    assert [c.kind for c in changes] == [JournalKind.MANUAL_STEP_CONFIRMED]
    checklist.confirm("no_screen_sharing")
    checklist.confirm(StartCheckId.ADULT_PRESENT)
    assert checklist.complete
    assert checklist.confirm(StartCheckId.CHAT_CLOSED) == []  # a second tick records nothing

    stored = [e for e in session.journal.entries() if e.kind is JournalKind.MANUAL_STEP_CONFIRMED]
    assert [e.actor for e in stored] == [Actor.TEACHER] * 3
    assert stored[-1].detail["step"].endswith("every pupil (2 in the meeting)")

    summary = SessionSummary.from_journal(session.journal)
    steps = [row.action for row in summary.timeline if row.action.startswith("Start check")]
    assert steps == [
        "Start check: chat is closed",
        "Start check: only the host can share a screen",
        "Start check: an adult is present with every pupil (2 in the meeting)",
    ]


def test_the_checklist_is_read_back_from_the_journal_after_a_restart(session: LiveSession) -> None:
    _class_in(session)
    StartChecklist(session=session).confirm(StartCheckId.CHAT_CLOSED)
    resumed = LiveSession.resume(journal=session.journal, classify=classify, expected_pupils=CONSENTED)
    states = {s.check.id: s for s in StartChecklist(session=resumed).states()}
    assert states[StartCheckId.CHAT_CLOSED].done and states[StartCheckId.CHAT_CLOSED].by == Actor.TEACHER
    assert not states[StartCheckId.NO_SCREEN_SHARING].done
    assert "not yet confirmed" in states[StartCheckId.ADULT_PRESENT].summary


def test_chat_and_sharing_closed_by_the_host_assistant_count_as_done(session: LiveSession) -> None:
    _class_in(session)
    for name, command_id in (("chat_off", "c1"), ("lock_share", "c2")):
        session.record_command(name, actor=Actor.ASSISTANT, command_id=command_id)
        session.record_result(command_id, True)
    checklist = StartChecklist(session=session)
    chat = checklist.state(StartCheckId.CHAT_CLOSED)
    assert chat.done and chat.by == Actor.ASSISTANT
    assert "host assistant" in chat.summary
    assert checklist.state(StartCheckId.NO_SCREEN_SHARING).done
    assert [c.id for c in checklist.outstanding()] == [StartCheckId.ADULT_PRESENT]


def test_a_small_class_can_confirm_pupil_by_pupil(session: LiveSession) -> None:
    _class_in(session)
    checklist = StartChecklist(session=session, per_pupil_limit=15)
    assert checklist.per_pupil_offered
    assert [row.pupil_label for row in checklist.pupils_present()] == ["Amy B. (Year 3)", "Zoë L. (Year 4)"]

    checklist.confirm_adult_with("p1")
    half = checklist.state(StartCheckId.ADULT_PRESENT)
    assert not half.done
    assert half.pupils_confirmed == ("Amy B. (Year 3)",) and half.pupils_waiting == ("Zoë L. (Year 4)",)
    assert "1 confirmed, 1 still to confirm" in half.summary
    assert checklist.confirm_adult_with("p1") == []  # ticking the same pupil twice records once

    checklist.confirm_adult_with("p2")
    assert checklist.state(StartCheckId.ADULT_PRESENT).done

    # a pupil who arrives later is not covered by earlier ticks
    _admit(session, "p5", "Chloé D", 60)
    late = checklist.state(StartCheckId.ADULT_PRESENT)
    assert not late.done and late.pupils_waiting == ("Chloé D. (Year 6)",)


def test_only_pupils_in_the_meeting_can_be_confirmed(session: LiveSession) -> None:
    _class_in(session)
    checklist = StartChecklist(session=session)
    for who in ("s1", "x1", "nobody"):
        with pytest.raises(StartCheckError):
            checklist.confirm_adult_with(who)


def test_a_large_assembly_confirms_for_everyone_at_once(session: LiveSession) -> None:
    _class_in(session)
    checklist = StartChecklist(session=session, per_pupil_limit=1)
    assert not checklist.per_pupil_offered
    checklist.confirm(StartCheckId.ADULT_PRESENT)
    assert checklist.state(StartCheckId.ADULT_PRESENT).done


def test_the_adult_check_waits_for_pupils_to_be_admitted(session: LiveSession) -> None:
    checklist = StartChecklist(session=session)
    with pytest.raises(StartCheckError, match="No pupil is in the meeting yet"):
        checklist.confirm(StartCheckId.ADULT_PRESENT)
    assert not [e for e in session.journal.entries() if e.kind is JournalKind.MANUAL_STEP_CONFIRMED]


# -- the session timer ---------------------------------------------------------------------------


def test_the_timer_warns_when_the_planned_length_is_reached_and_again_when_exceeded() -> None:
    timer = SessionTimer(started_at=T0, planned_minutes=30, overrun_minutes=5)
    watch = TimerWatch(timer)
    assert watch.check(T0 + timedelta(minutes=10)) == []
    early = timer.reading(T0 + timedelta(minutes=12, seconds=5))
    assert early.stage is TimerStage.RUNNING and early.clock_text == "12:05 of 30:00"
    assert "17:55 left" in early.message

    reached = watch.check(T0 + timedelta(minutes=30))
    assert [w.stage for w in reached] == [TimerStage.REACHED]
    assert "planned 30 minutes are up" in reached[0].message
    assert watch.check(T0 + timedelta(minutes=33)) == []  # said once

    exceeded = watch.check(T0 + timedelta(minutes=35))
    assert [w.stage for w in exceeded] == [TimerStage.EXCEEDED]
    assert "5 minutes past" in exceeded[0].message and "no more than 30 minutes" in exceeded[0].message
    assert exceeded[0].remaining == timedelta(minutes=-5)
    assert watch.check(T0 + timedelta(minutes=50)) == []


def test_a_late_tick_gives_both_warnings_in_order() -> None:
    watch = TimerWatch(SessionTimer(started_at=T0, planned_minutes=20))
    warnings = watch.check(T0 + timedelta(minutes=40))
    assert [w.stage for w in warnings] == [TimerStage.REACHED, TimerStage.EXCEEDED]
    assert "planned 20 minutes are up" in warnings[0].message


def test_a_plan_longer_than_the_protocol_is_flagged_and_nonsense_is_refused() -> None:
    assert SessionTimer(started_at=T0, planned_minutes=45).longer_than_protocol
    assert not SessionTimer(started_at=T0, planned_minutes=30).longer_than_protocol
    with pytest.raises(ValueError):
        SessionTimer(started_at=T0.replace(tzinfo=None))
    with pytest.raises(ValueError):
        SessionTimer(started_at=T0, planned_minutes=0)


def test_a_staff_meeting_asks_for_a_private_space_not_an_adult_with_each_pupil(clock: Clock) -> None:
    """The risk assessment's staff-only row: each colleague somewhere private. A staff meeting has no pupils to see
    an adult with, so its checklist neither shows nor takes that tick."""
    journal = session_journals().create(meeting_id=MEETING, topic="Staff briefing", planned_minutes=30, started_at=T0, rehearsal=True)
    staff = LiveSession(journal=journal, classify=classify, clock=clock, links_in_use=False, staff_only=True)
    checklist = StartChecklist(session=staff)
    assert [s.check.id for s in checklist.states()] == [StartCheckId.PRIVATE_SPACE]
    assert checklist.states()[0].check.protocol_line in protocol.PROTOCOL_TEXT
    with pytest.raises(StartCheckError, match="not one of this session's checks"):
        checklist.confirm(StartCheckId.ADULT_PRESENT)
    checklist.confirm(StartCheckId.PRIVATE_SPACE)
    assert checklist.complete
    # read back from the journal, as after a restart
    again = StartChecklist(session=LiveSession(journal=session_journals().open(journal.session_id), classify=classify, clock=clock))
    assert again.complete and [s.check.id for s in again.states()] == [StartCheckId.PRIVATE_SPACE]
    summary = SessionSummary.from_journal(journal)
    assert summary.counts["admission"] == "staff_only"
    assert any(line.startswith("This was a meeting of staff only") for line in admission_lines(summary.counts))


def test_a_class_is_not_asked_for_the_staff_meetings_check(session: LiveSession) -> None:
    checklist = StartChecklist(session=session)
    assert StartCheckId.PRIVATE_SPACE not in [s.check.id for s in checklist.states()]
    with pytest.raises(StartCheckError):
        checklist.confirm(StartCheckId.PRIVATE_SPACE)
