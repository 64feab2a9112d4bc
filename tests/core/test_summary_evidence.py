"""The summary says how each arrival was decided: by their own link, a sign-in, the teacher's click, or in Zoom,
and how many passed-on links were caught."""

from __future__ import annotations

import html
from collections.abc import Collection
from pathlib import Path

from tests.core.live_helpers import MEETING, PUPILS, STAFF, T0, Clock, event, journals
from zoomhost.core.classifier import AdmissionClassifier
from zoomhost.core.events import EventKind as K
from zoomhost.core.events import ZoomIdentity
from zoomhost.core.export import summary_rows
from zoomhost.core.models import Classification
from zoomhost.core.session import LiveSession
from zoomhost.core.summary import SessionSummary

#: The summary page's template in this source tree (the one the app installs and renders).
TEMPLATE = (Path(__file__).resolve().parents[2] / "resources" / "templates" / "summary.html").read_text(encoding="utf-8")
AMY_LINK = ZoomIdentity(registrant_id="reg-amy-b")
HUGHES = ZoomIdentity(user_id="zoom-user-hughes", email="hughes@example.org")


def _meeting(*, links_in_use: bool = True) -> SessionSummary:
    classifier = AdmissionClassifier(pupils=PUPILS, staff=STAFF, links={"reg-amy-b": 1}, links_in_use=links_in_use)

    def classify(name: str, present: Collection[int], identity: ZoomIdentity) -> Classification:
        return classifier.classify(name, present=present, identity=identity)

    clock = Clock()
    journal = journals().create(meeting_id=MEETING, topic="Class", planned_minutes=30, started_at=T0, rehearsal=False)
    session = LiveSession(journal=journal, classify=classify, clock=clock, links_in_use=links_in_use)
    session.apply(event(K.STARTED, seconds=0))
    session.apply(event(K.JOINED, "host", "Kirsty Christian", seconds=1))  # the host, straight in: Zoom's doing
    session.apply(event(K.WAITING_JOINED, "amy", "Amy's iPad", seconds=2, identity=AMY_LINK))
    session.apply(event(K.WAITING_JOINED, "hughes", "Mrs Hughes", seconds=3, identity=HUGHES))
    session.apply(event(K.WAITING_JOINED, "zoe", "Zoë L", seconds=4))
    session.apply(event(K.WAITING_JOINED, "claim", "Mrs Hughes", seconds=5))
    clock.advance(10)
    session.record_commands("admit", actor="autopilot", commands=[("amy", "c1")])
    session.record_result("c1", True)
    session.apply(event(K.ADMITTED, "amy", seconds=11))
    session.record_commands("admit_all", actor="teacher", commands=[("hughes", "c2")])
    session.record_result("c2", True)
    session.apply(event(K.ADMITTED, "hughes", seconds=12))
    session.record_command("admit", actor="teacher", participant_id="zoe", command_id="c3")
    session.record_result("c3", True)
    session.apply(event(K.ADMITTED, "zoe", seconds=13))
    session.apply(event(K.WAITING_JOINED, "passed-on", "Ben", seconds=20, identity=AMY_LINK))
    session.apply(event(K.ENDED, seconds=600))
    return SessionSummary.from_journal(journal)


def test_each_admission_says_how_it_was_decided() -> None:
    summary = _meeting()
    counts = summary.counts
    assert counts["admitted_by"] == {"link": 1, "sign_in": 1, "name": 0, "teacher": 1, "zoom": 1}
    assert counts["forwarded_links"] == 1 and counts["admission"] == "by_link"
    assert {row.first_name: row.admitted_by for row in summary.attendance} == {"Amy": "link", "Zoë": "teacher"}
    assert [(row.name, row.admitted_by) for row in summary.staff] == [("Mrs Hughes", "sign_in")]
    held = {row.who: (row.verdict, row.evidence) for row in summary.not_admitted}
    assert held == {"Mrs Hughes": ("duplicate", "name"), "Ben": ("duplicate", "link")}
    assert "passed on" in next(row for row in summary.not_admitted if row.who == "Ben").reasons[1]


def test_the_page_and_the_csv_carry_it() -> None:
    summary = _meeting()
    page = html.unescape(summary.render_html(TEMPLATE))
    assert "How they were admitted: 1 by their family's own link · 1 signed in · 0 by typed name · 1 by the teacher's click" in page
    assert "Links passed on to someone else and caught: 1." in page
    assert "pupils were admitted automatically only through their family's own link" in page
    rows = list(summary_rows(summary))
    amy = next(row for row in rows if row["section"] == "attendance" and row["name"] == "Amy B.")
    assert amy["outcome"] == "admitted by their family's own link"
    ben = next(row for row in rows if row["section"] == "held_or_removed" and row["name"] == "Ben")
    assert str(ben["detail"]).startswith("own link: came through Amy B.'s own link")


def test_a_meeting_without_links_says_pupils_came_in_the_weaker_way() -> None:
    summary = _meeting(links_in_use=False)
    assert summary.counts["admission"] == "by_name"
    page = html.unescape(summary.render_html(TEMPLATE))
    assert "admitted by the name they typed, which anyone with the link can type" in page


def test_summary_show_says_how_they_came_in() -> None:
    from zoomhost.commands.sessions import summary_text

    lines = [line.strip() for line in summary_text(_meeting())]
    # the safeguarding summary's own lines, as the page and the PDF show them
    assert (
        "How they were admitted: 1 by their family's own link · 1 signed in · 0 by typed name · 1 by the teacher's click"
        " · 1 in Zoom, not through zoomhost." in lines
    )
    assert "Links passed on to someone else and caught: 1." in lines
    assert (
        "This meeting required registration: pupils were admitted automatically only through their family's own link."
        in lines
    )
    assert any(line.strip().startswith("Amy B.") and line.endswith("admitted by their family's own link") for line in lines)
    assert any("Ben: duplicate (own link)" in line for line in lines)


def test_the_incidents_say_whose_link_was_passed_on_and_which_staff_name_was_used_twice() -> None:
    details = {row.display_name: row.detail for row in _meeting().incidents if row.kind == "duplicate"}
    assert details["Ben"].startswith("Came through Amy B.'s own link; Amy B.'s link is already in use"), details
    assert details["Mrs Hughes"] == "Matches staff member Mrs Hughes, who was already here", details
