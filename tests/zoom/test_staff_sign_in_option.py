"""A staff meeting's sign-in, checked and fixed against the rehearsal Zoom as Zoom decides it: by the meeting's
authentication option (else the host's default), read from the host's sign-in options in the same round as the rest."""

from __future__ import annotations

import asyncio

from tests.zoom.rehearsal_zoom import RehearsalZoom, rehearsal_zoom  # noqa: F401
from zoomhost.core.preflight import RuleStatus, plan_fixes
from zoomhost.rehearsal.state import SAFE_GROUP_DOMAINS_OPTION, SCHOOL_DOMAINS_OPTION
from zoomhost.zoom.preflight import FixOutcome, PreflightContext, PreflightReport, apply_fixes, run_preflight


def _context(meeting: int) -> PreflightContext:
    return PreflightContext(staff=6, school_email_domain="sch.im", chosen_profiles={str(meeting): "staff"})


def _check_and_fix(zoom: RehearsalZoom, meeting: int) -> tuple[PreflightReport, FixOutcome]:
    async def run() -> tuple[PreflightReport, FixOutcome]:
        async with zoom.client() as client:
            report = await run_preflight(client, meeting, context=_context(meeting))
            outcome = await apply_fixes(client, meeting, plan_fixes(report.results), context=_context(meeting), host_id=report.host_id)
            return report, outcome

    return asyncio.run(run())


def _sign_in(report: PreflightReport):
    return next(r for r in report.results if r.rule_id == "staff_sign_in")


def _outsider_gets_in(zoom: RehearsalZoom, meeting: int, identity: str) -> bool:
    state = zoom.server.state
    return state.arrive(meeting, "Someone", identity=identity, account_user_id=state.account_user("someone@elsewhere.example")) is not None


def test_domains_without_the_domains_option_fail_and_the_fix_chooses_the_hosts_option(rehearsal_zoom: RehearsalZoom) -> None:
    zoom = rehearsal_zoom
    state = zoom.server.state
    meeting = state.staff_meeting_id
    # What zoomhost used to send: a sign-in and the school's domains, no option. Zoom applies the host's default
    # option ("Sign in to Zoom"), so anyone signed in to Zoom gets in.
    state.update_meeting(meeting, {"settings": {"meeting_authentication": True, "authentication_domains": "sch.im"}})
    state.start_meeting(meeting)
    assert _outsider_gets_in(zoom, meeting, "outsider-before")

    report, outcome = _check_and_fix(zoom, meeting)
    before = _sign_in(report)
    assert before.status is RuleStatus.FAIL and "any Zoom account" in before.observed
    asked = [e for e in zoom.sent("GET", f"/users/{state.host_id}/settings") if e.query.get("option") == "meeting_authentication"]
    assert asked, "the host's sign-in options were not read"
    settings = state.meeting_payload(meeting)["settings"]
    assert settings["meeting_authentication"] is True and settings["authentication_option"] == SCHOOL_DOMAINS_OPTION
    after = _sign_in(outcome.after)
    assert after.status is RuleStatus.PASS, after.observed
    assert not _outsider_gets_in(zoom, meeting, "outsider-after")  # Zoom now keeps them out


def test_a_host_without_a_domains_option_is_told_what_to_set_in_zoom_and_the_meeting_is_not_patched(rehearsal_zoom: RehearsalZoom) -> None:
    zoom = rehearsal_zoom
    state = zoom.server.state
    state.meeting_authentication_options = [o for o in state.meeting_authentication_options if o["type"] != "enforce_login_with_domains"]
    meeting = state.staff_meeting_id
    report, outcome = _check_and_fix(zoom, meeting)
    for result in (_sign_in(report), _sign_in(outcome.after)):
        assert result.status is RuleStatus.FAIL
        assert "no “Sign in to Zoom with specified domains” option" in result.observed and "@sch.im" in result.observed
        assert "Settings ▸ Meeting ▸ Security ▸ “Only authenticated users can join meetings”" in result.observed
    assert not zoom.sent("PATCH", f"/meetings/{meeting}"), "zoomhost patched a meeting it cannot make safe"
    assert state.meeting_payload(meeting)["settings"]["meeting_authentication"] is False
    assert any("Sign in to Zoom with specified domains" in step for step in outcome.manual_steps)


def test_each_host_s_own_sign_in_options_decide_their_meeting(rehearsal_zoom: RehearsalZoom) -> None:
    """A group's admin may give its members sign-in options of their own: the fix names the option of the meeting's
    host, read for that host, never another host's (which Zoom would not know for this meeting)."""
    zoom = rehearsal_zoom
    state = zoom.server.state
    meeting = next(m.id for m in state.meetings.values() if m.host_id == state.deputy_id)  # the deputy's: their group has its own option
    theirs = {o["id"] for o in state.settings_payload(state.deputy_id, option="meeting_authentication")["authentication_options"]}
    assert SAFE_GROUP_DOMAINS_OPTION in theirs and SCHOOL_DOMAINS_OPTION not in theirs
    state.start_meeting(meeting)
    report, outcome = _check_and_fix(zoom, meeting)
    assert _sign_in(report).status is RuleStatus.FAIL
    asked = [e for e in zoom.sent("GET", f"/users/{state.deputy_id}/settings") if e.query.get("option") == "meeting_authentication"]
    assert asked, "the meeting's own host's sign-in options were not read"
    assert state.meeting_payload(meeting)["settings"]["authentication_option"] == SAFE_GROUP_DOMAINS_OPTION
    assert _sign_in(outcome.after).status is RuleStatus.PASS
    assert not _outsider_gets_in(zoom, meeting, "outsider-safe")
    staff = state.arrive(meeting, "Joanne Kelly", identity="staff-safe", account_user_id=state.account_user("j.kelly@sch.im"))
    assert staff is not None, "a signed-in member of staff on the school's domain was kept out"
