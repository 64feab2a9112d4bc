"""The engine's news reaches the Live panel at most once a frame, however fast it comes, and nothing is lost."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from tests.ui.app_helpers import WAIT_MS
from tests.ui.live_fixtures import T0, event, new_session
from zoomhost.app.session import LiveState, LiveUpdate
from zoomhost.core.events import EventKind
from zoomhost.ui.live.bridge import FRAME, SessionBridge
from zoomhost.ui.live.model import ArrivalsTableModel


def _state(session, version: int) -> LiveState:
    return LiveState(
        version=version,
        session_id=session.journal.session_id,
        topic="Assembly",
        rehearsal=True,
        locked=False,
        ended=False,
        autopilot=False,
        channel="manual",
        fallen_back=False,
        capabilities={},
        counts=session.counts(),
        admissible_waiting=0,
        pupils_present=0,
        clocks_from=T0,
        lock_deadline=None,
        planned_end=T0 + timedelta(minutes=30),
        planned_minutes=30,
        time_scale=1.0,
        links_in_use=session.links_in_use,
    )


def test_a_burst_of_272_batches_reaches_the_table_whole_at_most_once_a_frame(qtbot) -> None:
    session = new_session()
    updates = []
    for n in range(1, 273):  # the assembly's arrivals, each journaled in a batch of its own
        changes = session.apply(event(EventKind.WAITING_JOINED, f"p{n}", f"Pupil{n:03d}", seconds=n))
        updates.append(LiveUpdate(changes=tuple(changes), state=_state(session, n), notices=()))
    bridge = SessionBridge()
    model = ArrivalsTableModel()
    handed: list[tuple[float, LiveUpdate]] = []

    def take(update: LiveUpdate) -> None:
        handed.append((time.monotonic(), update))
        model.apply_changes(update.changes)

    bridge.update_arrived.connect(take)
    engine = threading.Thread(target=lambda: [bridge.deliver(update) for update in updates])  # the I/O thread
    engine.start()
    engine.join()
    qtbot.waitUntil(lambda: model.rowCount() == 272, timeout=WAIT_MS)
    assert [model.arrival(row).participant_id for row in range(272)] == [f"p{n}" for n in range(1, 273)]  # in order
    assert handed[-1][1].state.version == 272  # the newest state is the one shown
    gaps = [later - earlier for (earlier, _), (later, _) in zip(handed, handed[1:])]
    assert all(gap >= FRAME * 0.9 for gap in gaps), gaps  # never two updates within a frame (timer slack allowed)
    assert len(handed) < 272  # the burst was joined, not replayed batch by batch
