"""The summary a school keeps: attendance, who was kept out and why, incidents, and what the host did."""

from __future__ import annotations

import json
from dataclasses import replace

from tests.core.live_helpers import HOSTILE_NAME, MEETING, SCRIPT_NAME, record_small_meeting, journals
from zoomhost.app.services import summary_template
from zoomhost.core.journal import JournalKind
from zoomhost.core.summary import SessionSummary


def _summary(**kwargs: object) -> SessionSummary:
    journal = record_small_meeting(**kwargs)  # type: ignore[arg-type]
    try:
        return SessionSummary.from_journal(journal)
    finally:
        journal.close()


def test_attendance_has_first_name_initial_class_times_minutes_and_rejoins() -> None:
    summary = _summary()
    rows = {row.first_name: row for row in summary.attendance}
    assert set(rows) == {"Amy", "Mo", "Chloé"}, "Mo K is listed by the name he is known as"
    amy = rows["Amy"]
    assert (amy.surname_initial, amy.class_name) == ("B", "Year 3")
    assert amy.first_join.strftime("%H:%M:%S") == "10:30:31"
    assert amy.last_leave.strftime("%H:%M:%S") == "11:00:00", "still in when the meeting ended"
    assert amy.rejoins == 1
    assert amy.minutes_present == 27.5  # 10:30:31–10:40:00 and 10:42:00–11:00:00
    assert [row.name for row in summary.staff] == ["Mrs Hughes"]
    assert summary.counts["pupils_attended"] == 3 and summary.counts["staff_attended"] == 1


def test_arrivals_not_admitted_say_why_and_keep_display_names_only_for_incidents() -> None:
    rows = {(row.verdict, row.outcome): row for row in _summary().not_admitted}
    assert rows[("no_consent", "held in the waiting room")].who == "Oliver S. (Year 3)"
    device = rows[("not_on_register", "still in the waiting room when the session ended")]
    assert device.who is None, "an ordinary unknown name is not kept in the summary"
    assert device.reasons == ("no pupil or staff member has this name",)
    assert rows[("duplicate", "still in the waiting room when the session ended")].who == "Amy B"
    assert rows[("not_on_register", "held: arrived after the meeting was locked")].who == SCRIPT_NAME


def test_incidents_and_the_timeline_of_host_actions() -> None:
    summary = _summary()
    assert [row.kind for row in summary.incidents] == ["duplicate", "not_allowed_in", "arrival_after_lock"]
    assert summary.incidents[1].display_name == HOSTILE_NAME
    timeline = [(row.action, row.actor, row.target, row.outcome) for row in summary.timeline]
    assert timeline == [
        ("meeting_started", "zoom", None, "reported by Zoom"),
        ("hold", "teacher", "Oliver S. (Year 3)", "done"),
        ("admit_all", "teacher", None, "4 admitted"),
        ("remove", "teacher", HOSTILE_NAME, "done"),
        ("lock", "autopilot", None, "done"),
        ("mute_all", "teacher", None, "done by hand in Zoom, confirmed"),
        ("meeting_ended", "zoom", None, "reported by Zoom"),
    ]
    assert summary.counts["removed"] == 1 and summary.counts["held"] == 2


def test_a_failed_command_shows_in_the_timeline() -> None:
    journal = record_small_meeting()
    entries = journal.entries()
    journal.close()
    result = next(e for e in entries if e.kind is JournalKind.COMMAND_RESULT and e.detail["command_id"] == "remove-1")
    failed = replace(result, detail={**result.detail, "ok": False, "message": "not co-host"})
    trimmed = [failed if e is result else e for e in entries if e.event_key != "result:remove-1:effect"]
    summary = SessionSummary.from_entries(trimmed, meeting_id=MEETING, topic="x")
    assert ("remove", "failed: not co-host") in [(row.action, row.outcome) for row in summary.timeline]
    assert summary.counts["removed"] == 0


def test_the_summary_is_plain_deterministic_data() -> None:
    journal = record_small_meeting()
    first = SessionSummary.from_journal(journal).as_dict()
    with journals().open(journal.session_id) as again:
        second = SessionSummary.from_journal(again).as_dict()
    journal.close()
    assert json.dumps(first, sort_keys=False) == json.dumps(second, sort_keys=False)
    assert first["session"]["topic"] == "Friday assembly" and first["session"]["ended_at"] == "2024-03-08T11:00:00+00:00"


def test_comparable_ignores_timings_gaps_and_retries_but_not_who_came() -> None:
    calm = _summary()
    disturbed = _summary(gap=True, failed_retry=True)
    assert disturbed.counts["stream_gaps"] == 1
    assert disturbed.as_dict() != calm.as_dict()
    assert disturbed.comparable() == calm.comparable()
    assert all("at" not in row for row in calm.comparable()["incidents"])

    fewer = replace(calm, attendance=calm.attendance[1:])
    assert fewer.comparable() != calm.comparable()


def test_hostile_display_names_are_text_in_the_html() -> None:
    journal = record_small_meeting(topic="Assembly <b>&</b> awards")
    html = SessionSummary.from_journal(journal).render_html(summary_template())
    journal.close()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "Assembly &lt;b&gt;&amp;&lt;/b&gt; awards" in html
    assert "=cmd|&#39; /C calc&#39;!A0" in html
    headings = ("Safeguarding summary", "Incidents", "Held, removed or not let in", "The host&#39;s actions", "Attendance", "Staff")
    places = [html.index(f"<h2>{heading}</h2>") for heading in headings]
    assert places == sorted(places), "safeguarding first, then the host's actions, then attendance"
    assert "Chloé" in html and "Oliver S. (Year 3)" in html


def test_the_summary_opens_with_safeguarding_in_a_teachers_words() -> None:
    from zoomhost.commands.sessions import summary_text
    from zoomhost.core.summary import safeguarding_headline, summary_sections

    summary = _summary()
    assert [section.key for section in summary_sections(summary)] == ["incidents", "held", "actions", "attendance", "staff"]
    headline = safeguarding_headline(summary)
    assert headline[0] == "3 incidents: 2 still in the waiting room when the session ended, 1 removed."
    assert "Meeting locked at " in headline[1] and headline[1].endswith(" by the autopilot.")
    # What each incident was, what became of that person and who acted; the record, never the live instruction.
    rows = [(row.what, row.outcome, row.acted_by) for row in summary.incidents]
    assert rows == [
        ("A second arrival using a pupil's name", "still in the waiting room when the session ended", "nobody"),
        ("Someone not consented or staff was in the meeting", "removed", "teacher"),
        ("An arrival after the meeting was locked", "still in the waiting room when the session ended", "zoomhost"),
    ]
    for row in summary.incidents:
        assert row.detail and "Check" not in row.detail and "remove if needed" not in row.detail, row.detail
    assert summary.incidents[0].detail == "Matches Amy B. (Year 3), who was already here"
    # Held, removed or not let in: the removed intruder too (let in, then removed by the teacher).
    removed = [row for row in summary.held_or_removed if row.outcome == "removed"]
    assert [(row.who, row.acted_by) for row in removed] == [(HOSTILE_NAME, "teacher")]
    held = next(row for row in summary.held_or_removed if row.who == "Oliver S. (Year 3)")
    assert (held.outcome, held.acted_by) == ("held in the waiting room", "teacher")

    # One incident is one incident.
    journal = record_small_meeting()
    entries = journal.entries()
    journal.close()
    alarms = [e for e in entries if e.kind is JournalKind.ALARM]
    one = SessionSummary.from_entries([e for e in entries if e not in alarms[1:]], meeting_id=MEETING, topic="x")
    assert safeguarding_headline(one)[0] == "1 incident: 1 still in the waiting room when the session ended."

    # The terminal shows the same parts in the same order, and no program words.
    text = "\n".join(summary_text(summary))
    places = [text.index(words) for words in ("Safeguarding summary:", "Incidents (3):", "Held, removed or not let in (", "The host's actions (", "Attendance (3 pupils):", "Staff (1):")]
    assert places == sorted(places)
    assert "journal ends" not in text and "1 incidents" not in text
