"""The live panel on the app's services, against the test's own rehearsal Zoom, with the practice register imported."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.ui.app_helpers import WAIT_MS, services  # noqa: F401 - fixtures for the modules importing this
from tests.ui.app_helpers import rehearsal_server  # noqa: F401
from zoomhost.app.services import Services, session_journals, write_practice_lists
from zoomhost.core.journal import JournalEntry, JournalKind
from zoomhost.core.register import read_register_file, read_staff_file
from zoomhost.core.session import Arrival, ParticipantState
from zoomhost.ui.live.model import Role
from zoomhost.ui.live.page import LivePage

SCENARIO_WAIT_MS = 30_000


def import_practice_register(services: Services, folder: Path) -> None:
    """What a teacher does on the Register page before a rehearsal: import the practice lists."""
    register_csv, staff_csv = write_practice_lists(folder=folder)
    services.register.replace_pupils(read_register_file(register_csv))
    services.register.replace_staff(read_staff_file(staff_csv))


@pytest.fixture
def live_page(qtbot, services: Services, tmp_path: Path) -> Iterator[LivePage]:  # noqa: F811 - the fixture above
    import_practice_register(services, tmp_path)
    page = LivePage(services=services)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    qtbot.waitUntil(lambda: page.meetings.count() > 0, timeout=WAIT_MS)
    yield page
    if page.running:
        services.runner.run(page.controller.close(), timeout=20)
    if page.session is not None and page.session.launcher is not None:
        services.runner.run(page.session.launcher.close(), timeout=20)


def start(qtbot, page: LivePage, *, scenario: str, speed: float, admit_assistant: bool = True) -> None:  # noqa: ANN001 - pytest-qt's qtbot
    """Start ``scenario``; with ``admit_assistant``, do the teacher's one action for the host assistant (the
    rehearsal's "Do it in the rehearsal Zoom") once it waits in the waiting room, and wait until it has taken over."""
    page.scenarios.setCurrentIndex(page.scenarios.findData(scenario))
    page.speed.setValue(speed)
    with qtbot.waitSignal(page.session_started, timeout=SCENARIO_WAIT_MS):
        page.start_button.click()
    if admit_assistant and page.session is not None and page.session.launcher is not None:  # there is one to admit
        admit_the_assistant(qtbot, page)


def admit_the_assistant(qtbot, page: LivePage) -> None:  # noqa: ANN001
    """The teacher's one action: the rehearsal Zoom admits the waiting assistant and makes it co-host."""
    strip = page.assistant_strip
    qtbot.waitUntil(lambda: strip.isVisible() and strip.rehearsal_button.isVisible(), timeout=SCENARIO_WAIT_MS)
    strip.rehearsal_button.click()
    qtbot.waitUntil(lambda: page.state is not None and page.state.channel == "assistant", timeout=SCENARIO_WAIT_MS)


def rows(page: LivePage) -> list[Arrival]:
    return page.model.arrivals()


def first(page: LivePage, predicate: Callable[[Arrival], bool]) -> Arrival | None:
    return next((row for row in rows(page) if predicate(row)), None)


def wait_for_row(qtbot, page: LivePage, predicate: Callable[[Arrival], bool]) -> Arrival:  # noqa: ANN001
    found: list[Arrival] = []

    def there() -> None:
        row = first(page, predicate)
        assert row is not None, "no such row yet"
        found.append(row)

    qtbot.waitUntil(there, timeout=SCENARIO_WAIT_MS)
    return found[-1]


def state_of(page: LivePage, participant_id: str) -> Arrival:
    row = page.model.row_of(participant_id)
    assert row is not None
    return page.model.arrival(row)


def waiting(row: Arrival) -> bool:
    return row.state is ParticipantState.WAITING and not row.held


def select(page: LivePage, participant_id: str) -> None:
    page.select_participant(participant_id)
    selected = page.selected()
    assert selected is not None and selected.participant_id == participant_id
    assert page.table.selectionModel().selectedRows()[0].data(Role.PARTICIPANT_ID) == participant_id


def journal_entries(page: LivePage) -> list[JournalEntry]:
    with session_journals().open(page.session_id) as journal:
        return journal.entries()


def journal_kinds(page: LivePage) -> list[JournalKind]:
    return [entry.kind for entry in journal_entries(page)]
