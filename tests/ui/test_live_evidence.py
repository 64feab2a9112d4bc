"""The Live panel shows who Zoom says each arrival is, labels name-based admission as the weaker way, and asks
before admitting someone who only typed a staff name."""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from PySide6.QtCore import Qt

from tests.ui.app_helpers import answer_confirmation
from tests.ui.live_fixtures import MEETING, T0, event
from zoomhost.app.services import session_journals
from zoomhost.assistant.fallback import ManualChannel
from zoomhost.core.classifier import AdmissionClassifier
from zoomhost.core.events import EventKind, ZoomIdentity
from zoomhost.core.models import Classification, Pupil, StaffMember
from zoomhost.core.session import LiveSession
from zoomhost.live.engine import LiveController
from zoomhost.live.state import LiveState
from zoomhost.ui.live.controls import ControlsPanel
from zoomhost.ui.live.model import ArrivalsTableModel, Column
from zoomhost.ui.live.status import AUTOPILOT_ON, AUTOPILOT_ON_LINKS, AutopilotStrip, StatusRow

PUPILS = (Pupil(1, "Amy", None, "B", "Year 3", True), Pupil(2, "Zoë", None, "L", "Year 4", True))
HUGHES = StaffMember(1, "Mrs Hughes", "hughes@example.org")
SIGNED_IN = ZoomIdentity(user_id="zoom-user-hughes", email="hughes@example.org")
LINK = ZoomIdentity(registrant_id="reg-amy")


def _session(*, links_in_use: bool) -> LiveSession:
    classifier = AdmissionClassifier(pupils=PUPILS, staff=[HUGHES], links={"reg-amy": 1}, links_in_use=links_in_use)

    def classify(name: str, present: Collection[int], identity: ZoomIdentity) -> Classification:
        return classifier.classify(name, present=present, identity=identity)

    journal = session_journals().create(meeting_id=MEETING, topic="Assembly", planned_minutes=30, started_at=T0, rehearsal=True)
    return LiveSession(journal=journal, classify=classify, links_in_use=links_in_use)


def _state(session: LiveSession) -> LiveState:
    controller = LiveController(
        session=session, fallback=ManualChannel(end_meeting=None), clock=lambda: T0, auto_lock_after=timedelta(minutes=5), clocks_from=T0
    )
    return LiveState.read(controller)


def test_each_row_says_who_zoom_says_it_is_and_whether_admit_all_takes_it(qapp) -> None:  # noqa: ANN001
    session = _session(links_in_use=True)
    model = ArrivalsTableModel()
    for n, (name, identity) in enumerate(
        [("Galaxy Tab", LINK), ("Mrs Hughes", SIGNED_IN), ("Zoë L", ZoomIdentity()), ("Mrs Hughes", ZoomIdentity())]
    ):
        model.apply_changes(session.apply(event(EventKind.WAITING_JOINED, f"p{n}", name, seconds=n, identity=identity)))
    shown = [model.data(model.index(row, Column.EVIDENCE)) for row in range(4)]
    assert shown == [
        "Own link (Amy B.)",
        "Signed in (hughes@example.org)",
        "Typed name only – waits for your click",
        "Typed name only",  # a duplicate of Mrs Hughes, who is here signed in: held anyway
    ]
    assert model.headerData(Column.EVIDENCE, Qt.Orientation.Horizontal) == "Who Zoom says"
    tip = model.data(model.index(2, Column.NAME), Qt.ItemDataRole.ToolTipRole)
    assert "Admit all and the autopilot: leave to you" in tip and "this meeting admits pupils by link" in tip
    assert "Admit all and the autopilot: admit" in model.data(model.index(0, Column.NAME), Qt.ItemDataRole.ToolTipRole)


def test_the_status_line_says_how_pupils_are_admitted_and_the_weaker_way_is_marked(qtbot) -> None:  # noqa: ANN001
    for links_in_use, words, strip in (
        (True, "Admission: by family link", AUTOPILOT_ON_LINKS),
        (False, "Admission: by typed name (weaker)", AUTOPILOT_ON),
    ):
        state = _state(_session(links_in_use=links_in_use))
        assert state.links_in_use is links_in_use
        row = StatusRow()
        qtbot.addWidget(row)
        row.show_state(state, running=True)
        assert row.admission_label.text() == words
        assert ("anyone with the link can type" in row.admission_label.toolTip()) is not links_in_use
        banner = AutopilotStrip()
        qtbot.addWidget(banner)
        banner.show_state(on=True, locked=False, running=True, links_in_use=links_in_use)
        assert banner.text() == strip


def test_admitting_someone_who_only_typed_a_staff_name_asks_first(qtbot) -> None:  # noqa: ANN001
    session = _session(links_in_use=False)
    session.apply(event(EventKind.WAITING_JOINED, "typed", "Mrs Hughes", seconds=1))
    session.apply(event(EventKind.WAITING_JOINED, "real", "Mrs Hughes", seconds=2, identity=SIGNED_IN))
    panel = ControlsPanel()
    qtbot.addWidget(panel)
    asked: list[str] = []
    panel.requested.connect(lambda key, person: asked.append(person.participant_id))
    panel.ask("admit", session.participant("real"))
    assert asked == ["real"], "signed in: admitted on the click, no question"
    panel.ask("admit", session.participant("typed"))
    wording = answer_confirmation(qtbot, "Cancel")
    assert "typed the name of Mrs Hughes but is not signed in" in wording and asked == ["real"]
    panel.ask("admit", session.participant("typed"))
    answer_confirmation(qtbot, "Admit anyway")
    assert asked == ["real", "typed"]
