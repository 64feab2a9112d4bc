"""The account audit on the rehearsal Zoom: every host, every upcoming meeting, worst first, and a report to keep."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.zoom.rehearsal_zoom import check_requests_against_documents
from zoomhost.app.audit import audit_account, fix_audit, report_html
from zoomhost.app.services import build_services
from zoomhost.core.preflight import RuleStatus
from zoomhost.rehearsal.server import RehearsalServer


@pytest.fixture
def server(zoomhost_home: Path):  # noqa: ANN201
    with RehearsalServer() as running:
        yield running


def test_the_audit_lists_every_host_and_meeting_worst_first(server: RehearsalServer) -> None:
    state = server.state
    with build_services(rehearsal_server=server) as services:
        audit = services.runner.run(audit_account(services, days=7))
    assert audit.whole_account and "every host" in audit.scope
    emails = {h.email for h in audit.hosts}
    assert {"k.christian@sch.im", "m.kelly@sch.im", "mr.quirk.teaching@gmail.com"} <= emails
    by_id = {m.report.meeting_id: m for m in audit.meetings}
    safe, assembly = by_id["87410293365"], by_id[str(state.assembly_meeting_id)]
    assert str(state.pmi_meeting_id) not in by_id  # a personal room is no scheduled meeting
    # worst first, and the safe teacher's class keeps the protocol where Zoom lets it be checked
    assert audit.meetings[0].severity >= audit.meetings[-1].severity
    assert assembly.severity > safe.severity and safe.ids(RuleStatus.FAIL) == ["rename_off"]
    assert {"data_centers", "recording", "annotation", "waiting_room_admitters"} <= set(assembly.ids(RuleStatus.FAIL))
    assert "settings_locked" in assembly.ids(RuleStatus.WARN)  # the admin has not locked annotation, recording …
    # each host's settings read once, whatever the number of its meetings
    settings_reads = [e for e in server.exchanges if e.path == f"/v2/users/{state.host_id}/settings" and not e.query]
    assert len(settings_reads) == 1
    data = json.loads(json.dumps(audit.as_dict()))
    assert set(data) >= {"hosts", "meetings", "unreadable"}
    assert data["meetings"][0].keys() >= {"meeting_id", "host", "topic", "start_time", "failed", "warnings", "unknown"}
    check_requests_against_documents(server)


def test_the_report_names_each_failing_meetings_fixes_and_escapes_zoom_text(server: RehearsalServer) -> None:
    state = server.state
    state.meeting(state.class_meeting_id).topic = "<b>Year 4</b> & friends"
    with build_services(rehearsal_server=server) as services:
        audit = services.runner.run(audit_account(services, days=7))
    page = report_html(audit, account_label="sch.im")
    assert "&lt;b&gt;Year 4&lt;/b&gt; &amp; friends" in page and "<b>Year 4</b>" not in page
    assert "Not routed through China" in page and "Fix:" in page
    assert f"{len(audit.meetings)} meetings" in page


def test_fix_all_keeps_to_each_hosts_daily_updates_and_says_what_is_left(server: RehearsalServer) -> None:
    state = server.state
    with build_services(rehearsal_server=server) as services:
        audit = services.runner.run(audit_account(services, days=7))
        zoom = services.runner.run(services.connected()).zoom
        for _ in range(zoom.budget.remaining(state.host_id)):
            zoom.budget.spend(state.host_id)  # the host's 100 updates are used up today
        outcome = services.runner.run(fix_audit(services, audit))
        after = services.runner.run(audit_account(services, days=7))
    assert str(state.assembly_meeting_id) in outcome.left_for_tomorrow
    assert "left for tomorrow" in outcome.summary()
    assert "k.christian@sch.im" in outcome.hosts_updated  # a settings update is not a meeting update
    fixed = {m.report.meeting_id: m for m in after.meetings}[str(state.assembly_meeting_id)]
    assert "recording" not in fixed.ids(RuleStatus.FAIL) and "data_centers" not in fixed.ids(RuleStatus.FAIL)
    assert "mute_on_entry" in fixed.ids(RuleStatus.FAIL)  # a meeting setting: left for tomorrow


def test_a_hosts_group_locks_count_as_the_admins_padlocks(server: RehearsalServer) -> None:
    """The safe teacher is in a group whose admin locked every protocol setting: the audit reads the group's
    locks (GET /groups/{groupId}/lock_settings) and the account's, and a lock in either holds."""
    state = server.state
    with build_services(rehearsal_server=server) as services:
        audit = services.runner.run(audit_account(services, days=7))
    hosts = {h.email: h for h in audit.hosts}
    kelly = {r.rule_id: r for r in hosts["m.kelly@sch.im"].results}["settings_locked"]
    christian = {r.rule_id: r for r in hosts["k.christian@sch.im"].results}["settings_locked"]
    # the group locks all but the encryption, which only the account's answer speaks for (unlocked there)
    assert kelly.status is RuleStatus.WARN and kelly.observed == "Not locked, so a host could switch them off: the encryption."
    assert christian.status is RuleStatus.WARN and "annotation" in christian.observed  # in no group: the account's locks alone
    (group,) = state.users[state.deputy_id].group_ids
    reads = [e for e in server.exchanges if e.path == f"/v2/groups/{group}/lock_settings"]
    assert len(reads) == 2  # the plain answer and option=meeting_security, once for the host
    assert audit.unreadable == ()
    check_requests_against_documents(server)


def test_a_group_zoom_cannot_find_is_said_and_the_account_locks_still_count(server: RehearsalServer) -> None:
    state = server.state
    (group,) = state.users[state.deputy_id].group_ids
    del state.group_lock_settings[group]  # deleted by an admin meanwhile
    with build_services(rehearsal_server=server) as services:
        audit = services.runner.run(audit_account(services, days=7))
    assert any("group's locked settings" in u and "4130" in u for u in audit.unreadable), audit.unreadable
    kelly = {r.rule_id: r for r in {h.email: h for h in audit.hosts}["m.kelly@sch.im"].results}["settings_locked"]
    assert kelly.status is RuleStatus.WARN and "annotation" in kelly.observed  # the account's own locks alone


def test_a_school_app_that_may_not_list_users_audits_its_own_host_and_says_which_scope_is_missing(zoomhost_home: Path) -> None:
    """A school app given the guide's scopes but the one for listing users: the audit says so in plain words,
    never that it covered the whole account, and never that it was a teacher's own sign-in."""
    from zoomhost.rehearsal.server import RehearsalCredentials
    from zoomhost.rehearsal.state import ZoomState
    from zoomhost.zoom.scopes import SERVER_TO_SERVER_SCOPES

    state = ZoomState()
    short = tuple(scope for scope in SERVER_TO_SERVER_SCOPES if scope != "user:read:list_users:admin")
    with RehearsalServer(state=state, credentials=RehearsalCredentials.generate(account_id=state.account_id, scopes=short)) as limited:
        with build_services(rehearsal_server=limited) as services:
            audit = services.runner.run(audit_account(services, days=7))
    assert not audit.whole_account and audit.as_dict()["whole_account"] is False
    assert "user:read:list_users:admin" in audit.scope and "own sign-in" not in audit.scope
    assert any(u.startswith("the account's users:") and "4711" in u for u in audit.unreadable)
    assert [h.email for h in audit.hosts] and "m.kelly@sch.im" not in {h.email for h in audit.hosts}
