"""Least privilege: with the school's Server-to-Server app, every task but the audit reaches one host.

Over the real loopback rehearsal Zoom, through the app's one composition root: a meeting of
another host is refused before any request about it (or its host) reaches Zoom, with a sentence
naming the rule; the account audit, which asks for the whole account, still reads every host; the
connection test and the checklist still work for the host zoomhost is set up for.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from zoomhost.app.audit import audit_account
from zoomhost.app.meetings import check_meeting, end_meeting, upcoming_meetings
from zoomhost.app.services import build_services
from zoomhost.app.signin import run_connection_test
from zoomhost.core.preflight import RuleStatus
from zoomhost.rehearsal.server import RehearsalServer
from zoomhost.zoom.reach import HostReach, OutOfReach

ASSEMBLY = 85746065432
OUTSIDERS_MEETING = 81234509876  # hosted by a teacher on a personal account, not the host set up here


@pytest.fixture
def server(zoomhost_home: Path):  # noqa: ANN201
    with RehearsalServer() as running:
        yield running


def _about(server: RehearsalServer, *words: str) -> list[str]:
    return [f"{e.method} {e.path}" for e in server.exchanges if any(w in e.path for w in words)]


def test_a_meeting_of_another_host_is_refused_before_anything_about_it_reaches_zoom(server: RehearsalServer) -> None:
    state = server.state
    with build_services(rehearsal_server=server) as services:
        with pytest.raises(OutOfReach) as refused:
            services.runner.run(check_meeting(services, OUTSIDERS_MEETING))
        with pytest.raises(OutOfReach):
            services.runner.run(end_meeting(services, OUTSIDERS_MEETING))
        with pytest.raises(OutOfReach):
            services.runner.run(upcoming_meetings(services, host=state.users[state.outsider_id].email))
    words = refused.value.user_text()
    assert "only for the host whose meeting is being checked" in words and "account audit" in words
    assert _about(server, str(OUTSIDERS_MEETING), state.outsider_id, state.users[state.outsider_id].email) == []
    assert not any(e.path == "/v2/users" for e in server.exchanges)  # no account-wide list either
    assert not state.is_live(OUTSIDERS_MEETING) and state.updates_used(state.outsider_id) == 0


def test_the_host_set_up_here_is_checked_as_before(server: RehearsalServer) -> None:
    with build_services(rehearsal_server=server) as services:
        check = services.runner.run(check_meeting(services, ASSEMBLY))
        test = services.runner.run(run_connection_test(services))
    assert check.report.host_id == server.state.host_id and check.report.unreadable == ()
    assert {r.rule_id: r.status for r in check.report.results}["waiting_room"] is RuleStatus.PASS
    lines = {line.what: line for line in test.lines}
    for what in ("Reading meetings", "Reading the host's settings", "Host's licence"):
        assert lines[what].status is RuleStatus.PASS, lines[what]
    assert not any("not sent to Zoom" in line.text for line in test.lines), [line.text for line in test.lines]


def test_the_audit_asks_for_the_whole_account_and_still_reads_every_host(server: RehearsalServer) -> None:
    state = server.state
    with build_services(rehearsal_server=server) as services:
        audit = services.runner.run(audit_account(services, days=7))
        with pytest.raises(OutOfReach):  # the task client the audit left behind is still bound to one host
            services.runner.run(services.zoom.list_users())
    assert audit.whole_account and audit.unreadable == ()
    assert {state.host_id, state.outsider_id, state.deputy_id} <= {h.id for h in audit.hosts}
    assert str(OUTSIDERS_MEETING) in {m.report.meeting_id for m in audit.meetings}


def test_with_no_host_set_up_the_client_binds_to_the_host_of_the_meeting_checked(server: RehearsalServer) -> None:
    """A command with no host email: the first meeting checked names the host; another host's meeting is refused."""
    state = server.state
    with build_services(rehearsal_server=server) as services:
        connection = services.connection
        unbound = replace(connection, zoom=connection.zoom.with_reach(HostReach("")))

        async def go() -> None:
            await unbound.zoom.get_meeting(ASSEMBLY)
            await unbound.zoom.get_user_settings(state.host_id)
            with pytest.raises(OutOfReach):
                await unbound.zoom.get_user_settings(state.outsider_id)
            with pytest.raises(OutOfReach):
                await unbound.zoom.list_registrants(OUTSIDERS_MEETING)
            assert _about(server, state.outsider_id, str(OUTSIDERS_MEETING)) == []

        services.runner.run(go())


def test_a_host_the_school_does_not_allow_is_refused_whole(server: RehearsalServer) -> None:
    state = server.state
    outsider = state.users[state.outsider_id].email
    with build_services(rehearsal_server=server) as services:
        zoom = services.connection.zoom.with_reach(HostReach("", allowed="@sch.im"))
        with pytest.raises(OutOfReach) as refused:
            services.runner.run(zoom.get_meeting(OUTSIDERS_MEETING))  # the meeting being checked names its host
        with pytest.raises(OutOfReach):
            services.runner.run(zoom.get_user(outsider))
    assert outsider in str(refused.value) and "allowed_hosts" in (refused.value.hint or "")
    assert _about(server, state.outsider_id, outsider) == []


def test_a_teachers_own_sign_in_is_not_bound() -> None:
    from zoomhost.system.config import Settings
    from zoomhost.zoom.reach import OWN_SIGN_IN, reach_for

    assert reach_for(Settings(auth_mode="user_oauth")) is OWN_SIGN_IN
    bound = reach_for(Settings(auth_mode="server_to_server", host_email="k.christian@sch.im"))
    assert isinstance(bound, HostReach) and bound.host == "k.christian@sch.im"
    with pytest.raises(OutOfReach):
        asyncio.run(bound.admit("GET", "users", _never))


async def _never(path: str, params: object) -> dict:
    raise AssertionError(f"asked Zoom for {path}")


def test_the_assistants_own_profile_never_becomes_the_host(server: RehearsalServer) -> None:
    """No host email set up, and Test connection reads the host assistant's Zoom user first: the client is not bound
    to the assistant, so the assembly's meeting is still checked as its own host's."""
    state = server.state
    assistant = state.users[state.assistant_user_id].email
    with build_services(rehearsal_server=server) as services:
        zoom = services.connection.zoom.with_reach(HostReach("", allowed="@sch.im", assistant_user=assistant))

        async def go() -> None:
            await zoom.get_user(assistant)  # the assistant's own profile: allowed, and binds nobody
            assert zoom.reach.host == ""
            meeting = await zoom.get_meeting(ASSEMBLY)
            assert meeting["host_id"] == state.host_id and zoom.reach.is_host(state.host_id)
            await zoom.get_user_settings(state.host_id)

        services.runner.run(go())


def test_a_meeting_scheduled_after_the_first_look_is_found(server: RehearsalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The teacher schedules a meeting in Zoom after zoomhost has listed theirs: once the list is old enough to be
    looked at again, the new meeting is the host's, not refused until zoomhost restarts."""
    from zoomhost.zoom import reach as reach_module

    state = server.state
    with build_services(rehearsal_server=server) as services:
        services.runner.run(check_meeting(services, ASSEMBLY))  # lists the host's meetings once
        new = replace(state.meetings[ASSEMBLY], id=86000000001, topic="Year 2 catch-up, scheduled this morning")
        state.meetings[new.id] = new
        with pytest.raises(OutOfReach):  # within a minute of the last look: not looked for again
            services.runner.run(check_meeting(services, new.id))
        monkeypatch.setattr(reach_module, "RELIST_AFTER_S", 0.0)
        check = services.runner.run(check_meeting(services, new.id))
    assert check.report.meeting_id == str(new.id)
