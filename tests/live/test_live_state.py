"""The state the Live panel shows is the engine's own: counts, admit-all, lock, clocks and notices, read from the controller."""

from __future__ import annotations

from datetime import timedelta

from tests.ui.live_fixtures import T0, event, new_session
from zoomhost.assistant.fallback import ManualChannel
from zoomhost.core.events import NO_IDENTITY, EventKind, ZoomIdentity
from zoomhost.core.journal import JournalKind
from zoomhost.core.start_checks import SessionTimer, StartChecklist
from zoomhost.live.engine import LiveController, LiveNote
from zoomhost.live.state import (
    LiveState,
    LiveUpdate,
    NoticeKind,
    StartChecksView,
    notices_in,
)


def _controller(session, *, time_scale: float = 1.0, now=T0 + timedelta(seconds=40)) -> LiveController:  # noqa: ANN001
    return LiveController(
        session=session,
        fallback=ManualChannel(end_meeting=None),
        clock=lambda: now,
        auto_lock_after=timedelta(minutes=5),
        planned_length=timedelta(minutes=30),
        time_scale=time_scale,
        clocks_from=T0,
    )


def test_counts_and_admit_all_are_the_sessions_own() -> None:
    session = new_session(expected=20)
    names = ["Pupil001", "Pupil002", "Pupil003", "Pupil010", "Stranger", "Mrs Hughes", "Pupil004", "Pupil005"]
    for n, name in enumerate(names):
        signed_in = ZoomIdentity(user_id="zoom-user-hughes") if name == "Mrs Hughes" else NO_IDENTITY
        session.apply(event(EventKind.WAITING_JOINED, f"p{n}", name, seconds=n, identity=signed_in))
    session.apply(event(EventKind.ADMITTED, "p0", seconds=20))
    session.hold("p1", actor="teacher")
    session.apply(event(EventKind.WAITING_JOINED, "p0b", "Pupil001", seconds=21))  # a second device
    session.lock("teacher")
    session.apply(event(EventKind.WAITING_JOINED, "late", "Pupil006", seconds=30))
    session.apply(event(EventKind.WAITING_LEFT, "p7", seconds=31))
    controller = _controller(session)
    state = LiveState.read(controller)
    assert state.counts == session.counts()
    assert state.admissible_waiting == len(session.admissible_waiting()) == 3  # p2, p5, p6
    assert state.pupils_present == len(StartChecklist(session=session).pupils_present()) == 1
    assert state.locked and not state.ended and not state.autopilot
    assert state.lock_deadline is None and state.seconds_until_lock(T0) is None  # locked by hand: no countdown
    assert state.channel == controller.channel.name and not state.fallen_back
    assert dict(state.capabilities) == controller.capabilities()
    assert (state.session_id, state.topic, state.rehearsal, state.planned_minutes) == (
        session.journal.session_id,
        "Assembly",
        True,
        30,
    )


def test_the_lock_countdown_and_the_session_clock_run_at_the_rehearsals_speed() -> None:
    now = T0 + timedelta(seconds=40)
    controller = _controller(new_session(), time_scale=4.0, now=now)
    state = LiveState.read(controller, time_scale=4.0)
    assert state.lock_deadline == controller.lock_deadline == T0 + timedelta(seconds=75)
    assert state.seconds_until_lock(now) == controller.seconds_until_lock() == 140.0  # 35 s of the clock, at 4x
    assert state.seconds_until_lock(T0 + timedelta(minutes=9)) == 0.0
    reading = state.session_clock(now)
    assert reading == SessionTimer(started_at=T0, planned_minutes=30).reading(T0 + timedelta(seconds=160))
    assert reading.clock_text == "2:40 of 30:00"


def test_the_newest_state_wins_when_batches_are_joined() -> None:
    session = new_session()
    controller = _controller(session)
    first = LiveState.read(controller)
    changes = session.lock("teacher")
    second = LiveState.read(controller)
    assert second.version > first.version and second.locked and not first.locked
    joined = LiveUpdate.joined([LiveUpdate((), second), LiveUpdate(tuple(changes), first)])
    assert joined.state is second and joined.changes == tuple(changes)


def test_alarms_and_the_engines_notes_become_notices_in_order() -> None:
    session = new_session()
    session.apply(event(EventKind.WAITING_JOINED, "p1", "Pupil001", seconds=1))
    changes = [
        *session.record_note(LiveNote.MANUAL_STEP.value, actor="system", key=None, detail={"step": "In Zoom: press Alt+M", "command_id": "c1", "participant_id": "p1"}, at=T0),
        *session.record_note(LiveNote.CHANNEL.value, actor="system", key=None, detail={"state": "fallen_back", "message": "The assistant dropped."}, at=T0),
        *session.record_note(LiveNote.CHANNEL.value, actor="system", key=None, detail={"state": "connected", "message": "The host assistant is connected."}, at=T0),
        *session.apply(event(EventKind.WAITING_JOINED, "p2", "A\u202eB", seconds=3)),  # a suspicious name: an alarm
        *session.record_note(LiveNote.TIMER.value, actor="system", key="timer:x", detail={"stage": "planned_length_reached", "message": "Up."}, at=T0),
        *session.record_note(LiveNote.AUTOPILOT.value, actor="teacher", key=None, detail={"on": True, "message": "On."}, at=T0),
    ]
    notices = notices_in(changes)
    kinds = [NoticeKind.ZOOM_STEP, NoticeKind.CHANNEL_LOST, NoticeKind.CHANNEL, NoticeKind.ALARM, NoticeKind.SESSION_TIME]
    assert [n.kind for n in notices] == kinds, "in the order they happened; the autopilot's switch is the state's to show"
    assert notices[3].alarm is not None and notices[3].alarm.participant_id == "p2"
    step = notices[0]
    assert (step.step, step.command_id, step.participant_id) == ("In Zoom: press Alt+M", "c1", "p1")
    assert notices[1].message == "The assistant dropped."


def test_the_start_checks_are_read_again_only_when_a_batch_can_move_them() -> None:
    session = new_session()
    controller = _controller(session)
    view = StartChecksView.read(StartChecklist(session=session))
    arrival = session.apply(event(EventKind.WAITING_JOINED, "p1", "Pupil001", seconds=1))
    assert not view.moved_by(LiveUpdate(tuple(arrival), LiveState.read(controller)))  # nobody in the meeting yet
    admitted = session.apply(event(EventKind.ADMITTED, "p1", seconds=2))
    assert view.moved_by(LiveUpdate(tuple(admitted), LiveState.read(controller)))  # a small class: one pupil in
    confirmed = StartChecklist(session=session).confirm("chat_closed")
    assert any(c.kind is JournalKind.MANUAL_STEP_CONFIRMED for c in confirmed)
    assert view.moved_by(LiveUpdate(tuple(confirmed), LiveState.read(controller)))
