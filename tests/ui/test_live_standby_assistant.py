"""The host assistant stands by before the teacher presses Start: the session takes that process rather than
starting another, a new one stands by for the next session, and none outlives the window.

Run as the teacher's rehearsal runs: the rehearsal Zoom in a process of its own, and the host assistant in
one of its own playing through the rehearsal's bridge. Which assistant processes exist is read from outside,
as an IT lead would (this process's children and their command lines).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.app_helpers import WAIT_MS
from tests.ui.live_rig import SCENARIO_WAIT_MS, import_practice_register, start
from zoomhost.app.services import Services, build_services
from zoomhost.ui.live.page import LivePage

pytestmark = pytest.mark.timeout(240)


def assistant_processes() -> set[int]:
    """The host assistant processes this process has started and that are still running."""
    found = set()
    for task in os.listdir("/proc/self/task"):
        try:
            children = Path(f"/proc/self/task/{task}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
                state = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if b"assistant" in command and b"zoomhost" in command and state != "Z":
                found.add(child)
    return found


@pytest.fixture
def teachers_rehearsal(tmp_path: Path) -> Iterator[Services]:
    services = build_services(force_rehearsal=True)
    try:
        import_practice_register(services, tmp_path)
        yield services
    finally:
        services.close()


def test_the_session_takes_the_assistant_standing_by_and_none_outlives_the_window(qtbot, teachers_rehearsal: Services) -> None:  # noqa: ANN001
    services = teachers_rehearsal
    earlier = assistant_processes()  # an earlier test's, still leaving: not this window's

    def ours() -> set[int]:
        return assistant_processes() - earlier

    page = LivePage(services=services)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    qtbot.waitUntil(lambda: page.meetings.count() > 0, timeout=WAIT_MS)
    # Listing the meetings started one assistant, standing by before the teacher presses Start.
    qtbot.waitUntil(lambda: len(ours()) == 1, timeout=WAIT_MS)
    (standing_by,) = ours()

    start(qtbot, page, scenario="class", speed=50.0)
    assert page.session is not None and page.session.launcher is not None
    assert page.session.launcher.pid == standing_by, "the session started an assistant of its own"
    assert ours() == {standing_by}
    assert page.state is not None and page.state.channel == "assistant"

    page.panic()  # the meeting ends for everyone: that assistant stops, and one stands by for the next session
    qtbot.waitUntil(lambda: page.state is not None and page.state.ended, timeout=SCENARIO_WAIT_MS)
    qtbot.waitUntil(lambda: len(ours()) == 1 and standing_by not in ours(), timeout=WAIT_MS)

    page.close()
    services.close()
    assert ours() == set(), "an assistant process outlived the window"
