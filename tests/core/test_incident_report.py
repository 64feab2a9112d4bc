"""The incident report: every incident the summary counts, with what was typed, why, and what was done;
its export journaled, and the sessions retention deletes before anyone exported their report."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.conftest import require_executable
from tests.core.live_helpers import (
    HOSTILE_NAME,
    MEETING,
    SCRIPT_NAME,
    Clock,
    classify,
    event,
    journals,
    record_small_meeting,
)
from zoomhost.core.events import EventKind
from zoomhost.core.incidents import EXPORTED_NOTE, IncidentReport, export_note, reports_due
from zoomhost.core.journal import SessionJournals
from zoomhost.core.retention import deletion_day, purge
from zoomhost.core.session import LiveSession
from zoomhost.core.summary import SessionSummary


@pytest.fixture
def report() -> IncidentReport:
    with record_small_meeting() as journal:
        return IncidentReport.from_journal(journal)


def test_every_incident_the_summary_counts_is_reported_with_what_was_done(report: IncidentReport) -> None:
    with record_small_meeting() as journal:
        summary = SessionSummary.from_journal(journal)
    assert len(report.incidents) == summary.counts["incidents"] == 3
    impostor, bomber, late = report.incidents

    assert (impostor.kind, impostor.name_as_typed, impostor.verdict) == ("duplicate", "Amy B", "duplicate")
    assert impostor.reasons == ("this pupil is already here",)
    assert impostor.what == "A second arrival using a pupil's name"
    assert impostor.outcome == "still in the waiting room when the session ended"
    done = [(step.words, step.actor, step.outcome) for step in impostor.steps]
    assert done == [
        ("Lock meeting", "autopilot", "done"),  # what the host did for the meeting from then on
        ("Mute all", "teacher", "done by hand in Zoom, confirmed"),
    ]

    assert (bomber.kind, bomber.name_as_typed, bomber.verdict) == ("not_allowed_in", HOSTILE_NAME, "not_on_register")
    assert bomber.outcome == "removed from the meeting"
    story = [(step.words, step.actor, step.outcome) for step in bomber.steps]
    assert story[:3] == [
        ("admitted into the meeting", "zoom", "reported"),  # let in by hand in the Zoom client
        ("Remove", "teacher", "done"),
        ("removed from the meeting", "teacher", "reported"),
    ]

    assert (late.kind, late.name_as_typed) == ("arrival_after_lock", SCRIPT_NAME)
    assert late.message.startswith(f"“{SCRIPT_NAME}” arrived after the meeting was locked")


def test_a_hidden_character_in_a_name_is_written_out() -> None:
    with journals().create(meeting_id=MEETING, topic="t", planned_minutes=30, started_at=Clock().now, rehearsal=False) as j:
        session = LiveSession(journal=j, classify=classify, expected_pupils=5, clock=Clock())
        session.apply(event(EventKind.WAITING_JOINED, "x", "Amy\u202eB", seconds=1))
        (incident,) = IncidentReport.from_journal(j).incidents
    assert incident.name_as_typed == "Amy⟦RLO⟧B" and "\u202e" not in incident.message


def test_an_export_covers_the_incidents_there_were_then() -> None:
    with record_small_meeting() as journal:
        assert not IncidentReport.from_journal(journal).exported
        journal.append(export_note(incidents=3, at=datetime.now(UTC)))
        assert IncidentReport.from_journal(journal).exported
        assert SessionSummary.from_journal(journal).counts["incidents"] == 3  # the note changes no summary
        journal.append(export_note(incidents=2, at=datetime.now(UTC)))  # an older count does not undo it
        assert IncidentReport.from_journal(journal).exported
        session = LiveSession.resume(journal=journal, classify=classify, expected_pupils=5, clock=Clock())
        # A Cyrillic o, after the lock: two more incidents (suspicious, and an arrival after the lock).
        session.apply(event(EventKind.WAITING_JOINED, "y", "Bоmber", seconds=2000))
        later = IncidentReport.from_journal(journal)
        notes = [e.detail for e in journal.entries() if e.detail.get("note") == EXPORTED_NOTE]
    assert len(later.incidents) == 5 and not later.exported
    assert [count for _, count in later.exports] == [3, 2]
    assert notes == [{"note": EXPORTED_NOTE, "incidents": 3}, {"note": EXPORTED_NOTE, "incidents": 2}]  # never where to


def _session(kept: SessionJournals, *, days_ago: int, topic: str, incident: bool = True, rehearsal: bool = False) -> str:
    started = datetime.now(UTC) - timedelta(days=days_ago)
    with kept.create(meeting_id=MEETING, topic=topic, planned_minutes=30, started_at=started, rehearsal=rehearsal) as j:
        session = LiveSession(journal=j, classify=classify, expected_pupils=5, clock=Clock())
        session.apply(event(EventKind.WAITING_JOINED, "x", "Bоmber" if incident else "Amy B", seconds=1))
        return j.session_id


def test_sessions_with_unexported_incidents_are_named_a_week_before_deletion() -> None:
    kept = journals()
    soon = _session(kept, days_ago=25, topic="Deleted in 6 days")
    overdue = _session(kept, days_ago=40, topic="Deleted at the next purge")
    _session(kept, days_ago=10, topic="Deleted in 21 days")
    _session(kept, days_ago=25, topic="No incidents", incident=False)
    _session(kept, days_ago=25, topic="A rehearsal", rehearsal=True)
    exported = _session(kept, days_ago=26, topic="Exported")
    with kept.open(exported) as journal:
        journal.append(export_note(incidents=1, at=datetime.now(UTC)))

    today = date.today()
    due = reports_due(kept, today=today, session_retention_days=30)
    assert [d.session_id for d in due] == [overdue, soon]
    assert [d.due_now(today) for d in due] == [True, False]
    days = (due[1].deleted_on - today).days  # 6, give or take the hours between this time zone and UTC
    assert 5 <= days <= 7
    assert due[1].words(today).endswith(f"Deleted in 6 days: 1 incident, deleted on {due[1].deleted_on:%d %b %Y} (in {days} days)")
    assert due[0].words(today).endswith("deleted by the next purge")
    assert reports_due(kept, today=today, session_retention_days=30, within_days=0) == due[:1]


@pytest.mark.parametrize("late", [0, 1])
def test_the_deletion_day_is_the_day_purge_deletes(late: int) -> None:
    kept = journals()
    session_id = _session(kept, days_ago=5, topic="x")
    started = kept.read_info(session_id).started_at.date()
    day = deletion_day(started, 3)
    before = purge(journals=kept, today=day - timedelta(days=1), session_retention_days=3, dry_run=True)
    on = purge(journals=kept, today=day + timedelta(days=late), session_retention_days=3, dry_run=True)
    assert before.sessions == () and [s.session_id for s in on.sessions] == [session_id]


def test_the_pdf_holds_each_incident_as_typed_for_the_safeguarding_system(report: IncidentReport, tmp_path, qapp) -> None:  # noqa: ANN001
    from zoomhost.ui.pdf import write_incident_pdf

    out = write_incident_pdf(report, tmp_path / "incidents.pdf")
    info = subprocess.run([require_executable("pdfinfo"), str(out)], capture_output=True, text=True, check=True).stdout
    assert "595 x 842 pts (A4)" in info and "Incident report: Friday assembly" in info
    text = subprocess.run([require_executable("pdftotext"), str(out), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    for expected in (
        "For the school's safeguarding system",
        "3 incidents, in the order they happened.",
        "A second arrival using a pupil's name",
        "Name as typed in Zoom “Amy B”",
        "Verdict duplicate",
        "Why this pupil is already here",
        "What became of them removed from the meeting",
        "Remove (teacher): done",
        "Exported by zoomhost on",
    ):
        assert expected in flat, expected
    assert SCRIPT_NAME in flat and HOSTILE_NAME in flat  # printed as text, never obeyed
