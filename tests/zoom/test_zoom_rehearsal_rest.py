"""The real client against the rehearsal Zoom over loopback sockets: sign-in, pre-flight and fix,
end for all, 429 storms, 5xx and token expiry. Every request is checked against Zoom's documents."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from tests.zoom.rehearsal_zoom import ASSEMBLY, CLASS, RehearsalZoom, rehearsal_zoom  # noqa: F401
from zoomhost.core.preflight import RuleStatus, plan_fixes
from zoomhost.rehearsal.faults import RetryAfter
from zoomhost.zoom import errors
from zoomhost.zoom.auth import ServerToServerSignIn, UserSignIn, ZoomAuth, sign_in_with_browser
from zoomhost.zoom.client import Registrant, UpdateBudget, ZoomClient
from zoomhost.zoom.credentials import ServerToServerCredentials, UserOAuthCredentials
from zoomhost.zoom.preflight import PreflightContext, apply_fixes, run_preflight

CONTEXT = PreflightContext(consented_pupils=250, staff=12, school_email_domain="sch.im")


def test_server_to_server_sign_in_reads_the_hosts_upcoming_meetings(rehearsal_zoom: RehearsalZoom) -> None:
    async def run():
        async with rehearsal_zoom.client() as client:
            return await client.list_upcoming_meetings(user_id=rehearsal_zoom.server.state.host_id)

    meetings = asyncio.run(run())
    assert {m.id for m in meetings} >= {str(ASSEMBLY), str(CLASS)}
    assert any(m.topic.startswith("Whole-school assembly") for m in meetings)


def test_a_wrong_client_secret_is_an_auth_error_that_says_what_to_check(rehearsal_zoom: RehearsalZoom) -> None:
    c = rehearsal_zoom.credentials
    wrong = ServerToServerCredentials(account_id=c.account_id, client_id=c.client_id, client_secret="not-the-secret")
    auth = ZoomAuth(ServerToServerSignIn(credentials=wrong, oauth_base=rehearsal_zoom.settings.oauth_base))

    async def run() -> None:
        async with rehearsal_zoom.client(auth=auth) as client:
            await client.get_meeting(ASSEMBLY)

    with pytest.raises(errors.AuthError) as caught:
        asyncio.run(run())
    assert "credentials" in caught.value.user_text()
    assert "not-the-secret" not in caught.value.user_text()


def test_a_server_to_server_app_has_no_me_and_is_told_so(rehearsal_zoom: RehearsalZoom) -> None:
    async def run() -> None:
        async with rehearsal_zoom.client() as client:
            await client.me()

    with pytest.raises(errors.NotFound, match="does not exist"):
        asyncio.run(run())


def test_user_sign_in_with_pkce_through_a_loopback_redirect_and_rotating_refresh_tokens(
    rehearsal_zoom: RehearsalZoom,
) -> None:
    server = rehearsal_zoom.server
    visited: list[str] = []

    async def browser(url: str) -> None:
        visited.append(url)
        async with httpx.AsyncClient(follow_redirects=True, timeout=10) as http:
            answer = await http.get(url)  # Zoom's consent page redirects to our loopback listener
        assert answer.status_code == 200 and "signed in" in answer.text

    saved: list[str] = []

    async def run() -> dict:
        first = await sign_in_with_browser(
            client_id=server.credentials.client_id,
            client_secret=server.credentials.client_secret,
            oauth_base=rehearsal_zoom.settings.oauth_base,
            open_browser=browser,
            timeout=20,
        )
        assert first.refresh_token
        creds = UserOAuthCredentials(
            client_id=server.credentials.client_id,
            client_secret=server.credentials.client_secret,
            refresh_token=first.refresh_token,
        )
        source = UserSignIn(credentials=creds, oauth_base=rehearsal_zoom.settings.oauth_base, save_refresh_token=saved.append)
        async with ZoomClient(settings=rehearsal_zoom.settings, auth=ZoomAuth(source)) as client:
            me = await client.me()
        # The first refresh token was spent and a new one kept; the spent one no longer works.
        stale = UserSignIn(credentials=creds, oauth_base=rehearsal_zoom.settings.oauth_base, save_refresh_token=saved.append)
        with pytest.raises(errors.AuthError):
            await stale.fetch()
        return me

    me = asyncio.run(run())
    assert me["id"] == server.state.host_id
    assert "code_challenge=" in visited[0] and "code_challenge_method=S256" in visited[0]
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in visited[0]
    assert len(saved) == 1 and saved[0]


def test_the_sign_in_listener_answers_only_zooms_redirect_for_this_sign_in(rehearsal_zoom: RehearsalZoom) -> None:
    server = rehearsal_zoom.server
    forged: list[tuple[str, int, str]] = []

    async def browser(url: str) -> None:
        listener = httpx.URL(url).params["redirect_uri"]
        async with httpx.AsyncClient(timeout=10) as other:  # another program on this computer, before Zoom answers
            for query in ("", "?code=forged-code", "?code=forged-code&state=wrong", "?error=access_denied&state=wrong",
                          f"?code=forged-code&state={httpx.URL(url).params['state']}x"):  # fmt: skip
                answer = await other.get(listener + query)
                forged.append((query, answer.status_code, answer.text))
        async with httpx.AsyncClient(follow_redirects=True, timeout=10) as http:
            answer = await http.get(url)  # the teacher signs in; Zoom redirects with the right state
        assert answer.status_code == 200 and "signed in" in answer.text
        async with httpx.AsyncClient(timeout=10) as other:  # the same answer again, replayed
            replay = await other.get(str(answer.url))
            forged.append(("replay", replay.status_code, replay.text))

    async def run() -> str | None:
        token = await sign_in_with_browser(
            client_id=server.credentials.client_id,
            client_secret=server.credentials.client_secret,
            oauth_base=rehearsal_zoom.settings.oauth_base,
            open_browser=browser,
            timeout=20,
        )
        return token.refresh_token

    assert asyncio.run(run())  # the forged requests did not stop or spoil the real sign-in
    assert [status for _, status, _ in forged] == [400] * 6
    assert all("not the answer zoomhost is waiting for" in text for _, _, text in forged)


def test_a_refused_consent_is_an_auth_error(rehearsal_zoom: RehearsalZoom) -> None:
    rehearsal_zoom.server.oauth_decision = "deny"

    async def browser(url: str) -> None:
        async with httpx.AsyncClient(follow_redirects=True, timeout=10) as http:
            await http.get(url)

    async def run() -> None:
        await sign_in_with_browser(
            client_id=rehearsal_zoom.server.credentials.client_id,
            client_secret=rehearsal_zoom.server.credentials.client_secret,
            oauth_base=rehearsal_zoom.settings.oauth_base,
            open_browser=browser,
            timeout=20,
        )

    with pytest.raises(errors.AuthError, match="cancelled or refused"):
        asyncio.run(run())


def test_preflight_finds_the_assemblys_problems_and_one_round_of_fixes_clears_them(rehearsal_zoom: RehearsalZoom) -> None:
    async def run():
        async with rehearsal_zoom.client() as client:
            before = await run_preflight(client, ASSEMBLY, context=CONTEXT)
            plan = plan_fixes(before.results)
            outcome = await apply_fixes(client, ASSEMBLY, plan, context=CONTEXT, host_id=before.host_id)
            return before, plan, outcome

    before, plan, outcome = asyncio.run(run())
    failed = {r.rule_id for r in before.failed}
    assert {"mute_on_entry", "join_before_host"} <= failed
    assert before.host_id == rehearsal_zoom.server.state.host_id
    assert outcome.meeting_updated and outcome.settings_updated and not outcome.problems
    # Renaming is an account setting an admin changes by hand in the web portal: the only check left.
    assert [r.rule_id for r in outcome.after.failed] == ["rename_off"], [r.as_dict() for r in outcome.after.failed]
    assert outcome.receipt is not None and outcome.receipt.remaining_today == 99
    # ONE meeting update and ONE settings update, exactly what the plan said.
    (meeting_patch,) = rehearsal_zoom.sent("PATCH", f"/meetings/{ASSEMBLY}")
    # ONE settings update, and the security part in the request of its own Zoom takes it in (option=meeting_security).
    settings_patch, security_patch = sorted(rehearsal_zoom.sent("PATCH", "/settings"), key=lambda e: e.query.get("option", ""))
    assert meeting_patch.request_body == plan.meeting_patch
    assert settings_patch.request_body == {k: v for k, v in plan.user_patch.items() if k != "meeting_security"}
    assert security_patch.query == {"option": "meeting_security"}
    assert security_patch.request_body == {"meeting_security": plan.user_patch["meeting_security"]}
    assert f"/users/{rehearsal_zoom.server.state.host_id}/settings" in settings_patch.path
    state = rehearsal_zoom.server.state.meeting(ASSEMBLY)
    assert state.settings["mute_upon_entry"] is True and state.settings["join_before_host"] is False


def test_preflight_reads_the_host_of_the_meeting_not_me(rehearsal_zoom: RehearsalZoom) -> None:
    outsider = rehearsal_zoom.server.state.outsider_id

    async def run():
        async with rehearsal_zoom.client() as client:
            return await run_preflight(client, 81234509876, context=CONTEXT)

    report = asyncio.run(run())
    assert report.host_id == outsider
    assert rehearsal_zoom.sent("GET", f"/users/{outsider}/settings")
    assert not rehearsal_zoom.sent("GET", "/users/me")
    host_rule = next(r for r in report.results if r.rule_id == "host_account")
    assert host_rule.status is RuleStatus.FAIL  # a personal gmail account hosting a school meeting


def test_end_for_all_ends_the_live_meeting(rehearsal_zoom: RehearsalZoom) -> None:
    state = rehearsal_zoom.server.state
    state.start_meeting(CLASS)
    state.arrive(CLASS, "Ava B")

    async def run() -> None:
        async with rehearsal_zoom.client() as client:
            await client.end_meeting(CLASS)

    asyncio.run(run())
    assert not state.is_live(CLASS)
    (sent,) = rehearsal_zoom.sent("PUT", "/status")
    assert sent.request_body == {"action": "end"} and sent.status == 204


@pytest.mark.parametrize("form", list(RetryAfter))
def test_a_429_storm_is_waited_out_for_each_kind_of_retry_after(rehearsal_zoom: RehearsalZoom, form: RetryAfter) -> None:
    async def run() -> dict:
        async with rehearsal_zoom.client() as client:
            await client.auth.warm()  # type: ignore[attr-defined]
            rehearsal_zoom.server.faults.rate_limit_next(2, retry_after=form, seconds=1)
            return await client.get_meeting(ASSEMBLY)

    meeting = asyncio.run(run())
    assert meeting["id"] == ASSEMBLY
    statuses = [e.status for e in rehearsal_zoom.sent("GET", f"/meetings/{ASSEMBLY}")]
    assert statuses == [429, 429, 200]


def test_a_storm_longer_than_the_cap_gives_up_and_says_so(rehearsal_zoom: RehearsalZoom) -> None:
    async def run() -> None:
        async with rehearsal_zoom.client() as client:
            await client.auth.warm()  # type: ignore[attr-defined]
            rehearsal_zoom.server.faults.rate_limit_next(50, retry_after=RetryAfter.ABSENT)
            await client.get_meeting(ASSEMBLY)

    with pytest.raises(errors.RateLimited) as caught:
        asyncio.run(run())
    assert "stopped trying" in str(caught.value)
    assert len(rehearsal_zoom.sent("GET", f"/meetings/{ASSEMBLY}")) == 5


def test_server_errors_are_retried_for_reads_but_not_for_registrations(rehearsal_zoom: RehearsalZoom) -> None:
    async def run() -> None:
        async with rehearsal_zoom.client() as client:
            await client.auth.warm()  # type: ignore[attr-defined]
            rehearsal_zoom.server.faults.server_errors_next(2, status=503)
            assert (await client.get_meeting(ASSEMBLY))["id"] == ASSEMBLY
            rehearsal_zoom.server.faults.server_errors_next(1, status=500)
            with pytest.raises(errors.ServerError):
                await client.batch_register(ASSEMBLY, [Registrant(email="p1@example.org", first_name="Ava")])

    asyncio.run(run())
    assert [e.status for e in rehearsal_zoom.sent("GET", f"/meetings/{ASSEMBLY}")] == [503, 503, 200]
    assert [e.status for e in rehearsal_zoom.sent("POST", "/batch_registrants")] == [500]


def test_batch_registration_gives_each_pupil_a_link(rehearsal_zoom: RehearsalZoom) -> None:
    pupils = [Registrant(email=f"family{i}@example.org", first_name=f"Pupil{i}") for i in range(35)]

    async def run():
        async with rehearsal_zoom.client() as client:
            with pytest.raises(errors.BadRequest, match="Registration has not been enabled"):
                await client.batch_register(ASSEMBLY, pupils[:1])
            await client.update_meeting(ASSEMBLY, {"settings": {"approval_type": 0}})
            return await client.batch_register(ASSEMBLY, pupils)

    links = asyncio.run(run())
    assert sorted(r.email for r in links) == sorted(p.email for p in pupils)
    assert len({r.join_url for r in links}) == 35
    assert [e.status for e in rehearsal_zoom.sent("POST", "/batch_registrants")] == [400, 201, 201]  # 30 a call


def test_no_family_is_registered_for_a_meeting_that_is_over(rehearsal_zoom: RehearsalZoom) -> None:
    """The batch document's 400 3038: once a meeting's planned end has passed (and it is not running), Zoom takes
    no more registrations, and the teacher reads why; a meeting running past its planned end still takes them."""
    state = rehearsal_zoom.server.state
    meeting = state.meeting(ASSEMBLY)
    pupil = [Registrant(email="family1@example.org", first_name="Pupil1")]

    async def run() -> list:
        async with rehearsal_zoom.client() as client:
            await client.update_meeting(ASSEMBLY, {"settings": {"approval_type": 0}})
            meeting.start_time = state.now() - timedelta(minutes=meeting.duration + 5)
            with pytest.raises(errors.BadRequest) as refused:
                await client.batch_register(ASSEMBLY, pupil)
            assert refused.value.code == 3038
            assert "The meeting is over, so Zoom no longer accepts registrations (3038)" in refused.value.user_text()
            state.start_meeting(ASSEMBLY)  # the host started it late: it runs past its planned end
            return await client.batch_register(ASSEMBLY, pupil)

    assert [r.email for r in asyncio.run(run())] == ["family1@example.org"]
    assert [e.status for e in rehearsal_zoom.sent("POST", "/batch_registrants")] == [400, 201]


def test_a_token_that_expires_mid_run_is_renewed_once_and_the_call_goes_through(rehearsal_zoom: RehearsalZoom) -> None:
    async def run() -> int:
        async with rehearsal_zoom.client() as client:
            await client.get_meeting(ASSEMBLY)
            rehearsal_zoom.server.faults.expire_tokens()
            await client.get_meeting(ASSEMBLY)
            return client.auth.fetch_count  # type: ignore[attr-defined]

    assert asyncio.run(run()) == 2
    assert [e.status for e in rehearsal_zoom.sent("GET", f"/meetings/{ASSEMBLY}")] == [200, 401, 200]


def test_the_client_paces_itself_inside_the_plans_heavy_limit(rehearsal_zoom: RehearsalZoom) -> None:
    server = rehearsal_zoom.server
    server.state.plan = "business"  # the Dashboard answers on Business and Education plans only
    server.state.start_meeting(CLASS)

    async def run() -> None:
        async with rehearsal_zoom.client() as client:
            await asyncio.gather(*(client.live_participants(CLASS) for _ in range(25)))

    asyncio.run(run())
    statuses = [e.status for e in rehearsal_zoom.sent("GET", "/metrics/")]
    assert statuses == [200] * 25  # the rehearsal answers 429 past 10 heavy calls a second


def test_a_burst_of_medium_calls_stays_inside_the_pro_plans_limit_in_every_second(rehearsal_zoom: RehearsalZoom) -> None:
    """45 of the host's settings at once on a Pro plan (20 medium calls a second): none is refused, however
    the calls fall across the seconds, since the rehearsal counts any second as the strictest reading does."""
    server = rehearsal_zoom.server
    server.state.plan = "pro"

    async def run() -> None:
        async with rehearsal_zoom.client() as client:
            await asyncio.gather(*(client.get_user_settings(server.state.host_id) for _ in range(45)))

    asyncio.run(run())
    statuses = [e.status for e in rehearsal_zoom.sent("GET", "/settings")]
    assert statuses == [200] * 45


def test_no_dashboard_on_the_plan_is_plan_does_not_allow(rehearsal_zoom: RehearsalZoom) -> None:
    rehearsal_zoom.server.state.plan = "pro"
    rehearsal_zoom.server.state.start_meeting(CLASS)

    async def run() -> None:
        async with rehearsal_zoom.client() as client:
            await client.live_participants(CLASS)

    with pytest.raises(errors.PlanDoesNotAllow, match="Dashboard"):
        asyncio.run(run())


def test_the_daily_update_budget_is_counted_across_runs_and_refused_before_sending(
    rehearsal_zoom: RehearsalZoom, tmp_path
) -> None:
    budget_file = tmp_path / "updates.json"
    host = rehearsal_zoom.server.state.host_id

    async def update(times: int) -> list:
        receipts = []
        async with ZoomClient(
            settings=rehearsal_zoom.settings, auth=rehearsal_zoom.auth(), budget=UpdateBudget(path=budget_file, limit=3, warn_below=2)
        ) as client:
            for _ in range(times):
                receipts.append(await client.update_meeting(CLASS, {"settings": {"mute_upon_entry": True}}, host_id=host))
        return receipts

    first = asyncio.run(update(2))
    assert [(r.remaining_today, r.is_low) for r in first] == [(2, False), (1, True)]
    with pytest.raises(errors.UpdateBudgetExhausted) as caught:
        asyncio.run(update(2))  # a new run remembers the count
    assert "3 changes to this host's meetings today" in caught.value.user_text()
    assert len(rehearsal_zoom.sent("PATCH", f"/meetings/{CLASS}")) == 3


def test_zooms_own_daily_limit_is_reported_as_the_budget_being_used_up(rehearsal_zoom: RehearsalZoom) -> None:
    state = rehearsal_zoom.server.state
    for _ in range(100):
        state.update_meeting(CLASS, {"agenda": "x"})

    async def run() -> None:
        async with rehearsal_zoom.client() as client:
            await client.update_meeting(CLASS, {"settings": {"mute_upon_entry": True}})

    with pytest.raises(errors.UpdateBudgetExhausted):
        asyncio.run(run())
    assert len(rehearsal_zoom.sent("PATCH", f"/meetings/{CLASS}")) == 1  # a daily limit is not retried


def test_past_participants_say_who_attended_and_who_only_waited(rehearsal_zoom: RehearsalZoom) -> None:
    """Zoom lists a person never let in among a past meeting's participants with ``status: in_waiting_room``."""
    state = rehearsal_zoom.server.state
    live = state.start_meeting(CLASS)
    ava = state.arrive(CLASS, "Ava B")
    state.admit(CLASS, ava.user_id)
    state.arrive(CLASS, "Only Waited")
    state.end_meeting(CLASS)

    async def run():  # noqa: ANN202
        async with rehearsal_zoom.client() as client:
            return await client.past_participants(live.uuid)

    rows = asyncio.run(run())
    assert sorted((p.display_name, p.attended) for p in rows) == [("Ava B", True), ("Only Waited", False)]
