"""A school that gives the host assistant a Zoom user of its own: pre-flight makes that user the meeting's
alternative host in the one meeting update, and the assistant joins with its ZAK and takes over with no click."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from tests.live.helpers import notes, until
from tests.live.rig import live_rig, settings_for
from tests.rehearsal.fixtures import rehearsal_server  # noqa: F401 - pytest fixture
from zoomhost.core.preflight import plan_fixes
from zoomhost.live.notes import LiveNote
from zoomhost.live.state import NoticeKind, notices_in
from zoomhost.rehearsal.scenarios import class_meeting, play
from zoomhost.rehearsal.server import RehearsalServer
from zoomhost.zoom.auth import ServerToServerSignIn, ZoomAuth
from zoomhost.zoom.client import ZoomClient
from zoomhost.zoom.credentials import ServerToServerCredentials
from zoomhost.zoom.preflight import PreflightContext, apply_fixes, run_preflight

#: The rehearsal account's authentication profile "Sign in to Zoom with the school's domain".
SCHOOL_DOMAINS_OPTION = "signin_school_7Qm2"


def _zoom(server: RehearsalServer) -> ZoomClient:
    creds = server.credentials
    auth = ZoomAuth(
        ServerToServerSignIn(
            credentials=ServerToServerCredentials(creds.account_id, creds.client_id, creds.client_secret), oauth_base=server.oauth_base
        )
    )
    return ZoomClient(settings=replace(settings_for(server), assistant_user="safeguarding.assistant@sch.im"), auth=auth)


def test_preflight_makes_the_assistants_user_an_alternative_host_in_the_one_meeting_update(rehearsal_server: RehearsalServer) -> None:  # noqa: F811
    state = rehearsal_server.state
    meeting = state.class_meeting_id
    email = state.users[state.assistant_user_id].email

    async def scenario() -> None:
        async with _zoom(rehearsal_server) as zoom:
            context = PreflightContext(assistant_user=email)
            before = await run_preflight(zoom, meeting, context=context)
            result = next(r for r in before.results if r.rule_id == "assistant_alternative_host")
            assert result.status.value == "fail" and email in result.observed
            plan = plan_fixes(before.results)
            assert plan.meeting_patch["settings"]["alternative_hosts"] == email and "assistant_alternative_host" in plan.rule_ids
            used = state.updates_used(state.host_id)
            after = await apply_fixes(zoom, meeting, plan, context=context)
            assert state.updates_used(state.host_id) == used + 1  # every fix, this one with them, in one meeting update
            again = next(r for r in after.after.results if r.rule_id == "assistant_alternative_host")
            assert again.status.value == "pass"
            assert state.meetings[meeting].settings["alternative_hosts"] == email

    asyncio.run(scenario())


def test_joining_as_the_alternative_host_with_its_zak_the_assistant_needs_no_click(rehearsal_server: RehearsalServer) -> None:  # noqa: F811
    state = rehearsal_server.state
    scenario = class_meeting()
    meeting = scenario.meeting_id(state)
    email = state.users[state.assistant_user_id].email
    state.update_meeting(meeting, {"settings": {"alternative_hosts": email}})  # what pre-flight's fix did

    async def run() -> None:
        async with live_rig(rehearsal_server, scenario, process=True, teacher_admits_assistant=False, zak_user=email) as r:
            c, session = r.controller, r.controller.session
            await c.listening()
            game = play(state, scenario, speed=5000)
            assert await c.wait_for_assistant(timeout=30)  # nobody admitted it, nobody made it co-host
            await asyncio.to_thread(game.wait, 30)
            (assistant,) = state.live[meeting].sdk_roles
            person = state.live[meeting].participants[assistant]
            assert person.account_user_id == state.assistant_user_id and state.sdk_role(meeting, assistant) == "cohost"
            waits = [e for e in notes(session.journal, LiveNote.CHANNEL) if e.detail["state"] == "assistant_waiting"]
            assert [e.detail["waiting_for"] for e in waits] in ([], ["waiting_for_host"])  # never the waiting room, never a click
            await until(lambda: session.assistant_ids == {str(assistant)}, what="the assistant to say which participant it is")
            assert r.launcher.launches == 1 and c.assistant_attempts == 1

    asyncio.run(run())


def test_a_meeting_for_signed_in_users_only_turns_a_guest_assistant_away_and_the_panel_says_what_to_do(rehearsal_server: RehearsalServer) -> None:  # noqa: F811
    """Zoom lets only authenticated users into a meeting whose settings require it, the Meeting SDK's host
    assistant too: without a Zoom user of its own it is refused, the panel says why and what to set, and the
    Zoom client's steps stand in; with its Zoom user (on the school's domain) it joins."""
    state = rehearsal_server.state
    scenario = class_meeting()
    meeting = scenario.meeting_id(state)
    email = state.users[state.assistant_user_id].email
    state.update_meeting(
        meeting, {"settings": {"meeting_authentication": True, "authentication_option": SCHOOL_DOMAINS_OPTION, "authentication_domains": "sch.im"}}
    )

    async def as_guest() -> None:
        async with live_rig(rehearsal_server, scenario) as r:
            c = r.controller

            def said() -> list[str]:
                heard = notices_in(change for batch in r.heard for change in batch)
                return [n.message for n in heard if n.kind is NoticeKind.CHANNEL_LOST]

            await until(said, what="the panel to say the assistant cannot be used")
            assert c.channel.name == "manual" and not state.live[meeting].sdk_roles, "the guest assistant got in"
            (words,) = said()
            assert "signed in to Zoom" in words and "assistant's Zoom user in Settings" in words and "Zoom steps" in words
            assert c.assistant_attempts == 1, "a refusal that starting again cannot change was tried again"

    async def signed_in() -> None:
        async with live_rig(rehearsal_server, scenario, zak_user=email) as r:
            assert await r.controller.wait_for_assistant(timeout=30)
            (assistant,) = state.live[meeting].sdk_roles
            assert state.live[meeting].participants[assistant].account_user_id == state.assistant_user_id

    state.start_meeting(meeting)
    asyncio.run(as_guest())
    asyncio.run(signed_in())
