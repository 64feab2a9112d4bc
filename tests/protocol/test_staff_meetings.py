"""A meeting of staff only is held to the risk assessment's staff rows: a Zoom sign-in on the school's own
domains, no pupil register, the same waiting-room, passcode, end and recording rules. The checklist,
`zoomhost preflight` and the audit pick the profile per meeting: the teacher's choice, else the topic's words."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.zoom.rehearsal_zoom import check_requests_against_documents
from zoomhost import cli
from zoomhost.app.audit import audit_account, fix_audit
from zoomhost.app.meetings import check_meeting, choose_profile, meeting_profiles
from zoomhost.app.services import build_services
from zoomhost.core.preflight import RULES, STAFF_RULES, PreflightInput, RuleStatus, rule
from zoomhost.core.profiles import Profile, meeting_profile, staff_words
from zoomhost.rehearsal.server import RehearsalServer
from zoomhost.rehearsal.state import SCHOOL_DOMAINS_OPTION
from zoomhost.system.redact import register_secret

WORDS = staff_words("staff meeting, staff briefing, INSET")


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("Staff meeting: reports", Profile.STAFF),
        ("STAFF   BRIEFING Monday", Profile.STAFF),
        ("INSET day planning", Profile.STAFF),
        ("Year 4 class catch-up", Profile.PUPILS),
        ("Whole-school assembly", Profile.PUPILS),
        ("Instead of the staffroom quiz", Profile.PUPILS),  # words, not pieces of words
        ("", Profile.PUPILS),
    ],
)
def test_the_topic_words_the_school_chose_decide_when_the_teacher_has_not(topic: str, expected: Profile) -> None:
    assert meeting_profile(topic, words=WORDS) is expected


def test_the_teachers_choice_wins_over_the_topic() -> None:
    assert meeting_profile("Staff meeting", chosen="pupils", words=WORDS) is Profile.PUPILS
    assert meeting_profile("Year 4 catch-up", chosen="staff", words=WORDS) is Profile.STAFF
    assert meeting_profile("Staff meeting", chosen="nonsense", words=WORDS) is Profile.STAFF
    assert meeting_profile("Staff meeting", words=staff_words("")) is Profile.PUPILS  # a school with no staff words


def test_the_staff_profile_drops_the_rules_for_families_and_keeps_the_meetings_guards() -> None:
    ids = {r.id for r in STAFF_RULES}
    assert {"staff_sign_in", "waiting_room", "passcode", "mute_on_entry", "join_before_host", "unique_meeting_id", "recording", "auto_recording", "live_streaming", "data_centers"} <= ids
    # families' browsers, the register's numbers and the class's tools are not a staff meeting's
    assert not ids & {"browser_join", "web_join_without_sign_in", "meeting_authentication", "capacity", "registration", "chat_off", "breakout_rooms"}
    assert "staff_sign_in" not in {r.id for r in RULES}  # a class is never asked for a Zoom sign-in


PLAIN = {"id": "signin_zoom_0Kf3", "name": "Sign in to Zoom", "type": "enforce_login", "default_option": True, "visible": True}
SCHOOL = {
    "id": "signin_school_7Qm2", "name": "Sign in to Zoom with the school's domain", "type": "enforce_login_with_domains",
    "domains": "sch.im", "default_option": False, "visible": True,
}  # fmt: skip
OPTIONS = {"meeting_authentication": False, "allow_authentication_exception": False, "authentication_options": [PLAIN, SCHOOL]}
ONLY_PLAIN = {**OPTIONS, "authentication_options": [PLAIN]}


def _sign_in_result(settings: dict, *, school: str | None = "sch.im, laxey.sch.im", options: dict | None = OPTIONS):
    inp = PreflightInput(
        meeting={"id": 1, "topic": "Staff meeting", "settings": settings},
        user_settings={},
        consented_pupils=0,
        staff=5,
        host_email="k.christian@sch.im",
        school_email_domain=school,
        personal_meeting_id=None,
        register_secret=register_secret,
        authentication_settings=options,
    )
    return rule("staff_sign_in").evaluate(inp)


def _sign_in(settings: dict, **kwargs) -> tuple[RuleStatus, str, dict | None]:
    result = _sign_in_result(settings, **kwargs)
    return result.status, result.observed, _thawed(result.fix.meeting_patch) if result.fix and result.fix.meeting_patch else None


def _thawed(patch) -> dict:
    return {k: _thawed(v) for k, v in patch.items()} if hasattr(patch, "items") else patch


SIGNED_IN = {"meeting_authentication": True}
WITH_SCHOOL_OPTION = {**SIGNED_IN, "authentication_option": SCHOOL["id"]}


def test_staff_sign_in_is_fixed_by_choosing_the_hosts_option_for_the_schools_domains() -> None:
    status, observed, patch = _sign_in({"meeting_authentication": False})
    assert status is RuleStatus.FAIL and "no Zoom sign-in" in observed
    assert patch == {"settings": {"meeting_authentication": True, "authentication_option": SCHOOL["id"], "authentication_domains": "sch.im"}}
    status, observed, _ = _sign_in(WITH_SCHOOL_OPTION)
    assert status is RuleStatus.PASS and "school's addresses" in observed


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        (SIGNED_IN, "any Zoom account"),  # the host's default option: plain sign-in
        ({**SIGNED_IN, "authentication_domains": "sch.im"}, "any Zoom account"),  # the meeting's domains alone keep nobody out
        ({**SIGNED_IN, "authentication_option": PLAIN["id"], "authentication_domains": "sch.im"}, "any Zoom account"),
        ({**SIGNED_IN, "authentication_option": "signin_nobody_knows", "authentication_domains": "sch.im"}, "not one of the host's"),
        ({**WITH_SCHOOL_OPTION, "authentication_domains": "sch.im, gmail.com"}, "@gmail.com"),
    ],
)
def test_staff_sign_in_passes_only_with_an_option_limited_to_the_schools_domains(settings: dict, words: str) -> None:
    status, observed, patch = _sign_in(settings)
    assert status is RuleStatus.FAIL and words in observed, observed
    assert patch is not None and patch["settings"]["authentication_option"] == SCHOOL["id"]


def test_a_host_whose_default_option_is_the_schools_domains_passes_without_naming_it() -> None:
    default_school = {**OPTIONS, "authentication_options": [{**PLAIN, "default_option": False}, {**SCHOOL, "default_option": True}]}
    assert _sign_in(SIGNED_IN, options=default_school)[0] is RuleStatus.PASS


@pytest.mark.parametrize(
    "options",
    [
        ONLY_PLAIN,
        {**OPTIONS, "authentication_options": [PLAIN, {**SCHOOL, "domains": "sch.im, gmail.com"}]},  # not only the school's
        {**OPTIONS, "authentication_options": [PLAIN, {**SCHOOL, "domains": ""}]},
    ],
)
def test_a_host_without_an_option_for_the_schools_domains_is_told_what_to_set_in_zoom_and_nothing_is_patched(options: dict) -> None:
    for settings in ({"meeting_authentication": False}, SIGNED_IN):
        result = _sign_in_result(settings, options=options)
        assert result.status is RuleStatus.FAIL
        assert "Settings ▸ Meeting ▸ Security ▸ “Only authenticated users can join meetings”" in result.observed
        assert "“Sign in to Zoom with specified domains”" in result.observed and "@laxey.sch.im, @sch.im" in result.observed
        assert "zoomhost cannot" in result.observed
        assert result.fix is not None and result.fix.meeting_patch is None and result.fix.user_patch is None
        assert "Sign in to Zoom with specified domains" in result.fix.manual_step


def test_staff_sign_in_is_never_a_pass_for_what_zoom_did_not_report() -> None:
    assert _sign_in({})[0] is RuleStatus.UNKNOWN
    status, observed, patch = _sign_in(WITH_SCHOOL_OPTION, options=None)  # the host's options unreadable
    assert status is RuleStatus.UNKNOWN and "sign-in options" in observed and patch is None
    status, observed, patch = _sign_in({"meeting_authentication": False}, options=None)
    assert status is RuleStatus.FAIL and "could not read the host's sign-in options" in observed and patch is None
    no_default = {**OPTIONS, "authentication_options": [{**PLAIN, "default_option": False}, SCHOOL]}
    assert _sign_in(SIGNED_IN, options=no_default)[0] is RuleStatus.UNKNOWN
    status, observed, _ = _sign_in(WITH_SCHOOL_OPTION, school=None)
    assert status is RuleStatus.UNKNOWN and "school's own domains" in observed


def test_the_hosts_options_are_read_in_either_documented_shape_and_their_names_as_plain_text() -> None:
    nested = {"authentication_options": {"meeting_authentication": OPTIONS}}
    assert _sign_in(WITH_SCHOOL_OPTION, options=nested)[0] is RuleStatus.PASS
    sly = {**OPTIONS, "authentication_options": [{**PLAIN, "name": "<b>Staff only</b>\u202e"}, SCHOOL]}
    status, observed, _ = _sign_in(SIGNED_IN, options=sly)
    assert status is RuleStatus.FAIL and "“<b>Staff only</b>⟦RLO⟧”" in observed


@pytest.fixture
def server(zoomhost_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RehearsalServer]:
    with RehearsalServer() as running:
        for name, value in (
            ("ZOOMHOST_API_BASE", running.api_base),
            ("ZOOMHOST_OAUTH_BASE", running.oauth_base),
            ("ZOOMHOST_ACCOUNT_ID", running.credentials.account_id),
            ("ZOOMHOST_CLIENT_ID", running.credentials.client_id),
            ("ZOOMHOST_CLIENT_SECRET", running.credentials.client_secret),
        ):
            monkeypatch.setenv(name, value)
        yield running


def test_the_audit_holds_a_staff_meeting_to_the_staff_rows_and_fix_all_requires_the_schools_sign_in(server: RehearsalServer) -> None:
    state = server.state
    state.meeting(state.class_meeting_id).topic = "Staff meeting: Year 4 reports"
    with build_services(rehearsal_server=server) as services:
        audit = services.runner.run(audit_account(services, days=7))
        staff = {m.report.meeting_id: m for m in audit.meetings}[str(state.class_meeting_id)]
        assembly = {m.report.meeting_id: m for m in audit.meetings}[str(state.assembly_meeting_id)]
        assert staff.report.profile is Profile.STAFF and assembly.report.profile is Profile.PUPILS
        assert staff.as_dict()["profile"] == "staff"
        ran = {r.rule_id for r in staff.report.results}
        assert "staff_sign_in" in staff.ids(RuleStatus.FAIL)
        assert "browser_join" not in ran and "capacity" not in ran and "chat_off" not in ran
        assert "mute_on_entry" in ran and "recording" in ran  # the same guards and recording rules
        outcome = services.runner.run(fix_audit(services, audit))
        assert str(state.class_meeting_id) in outcome.meetings_updated
        settings = state.meeting_payload(state.class_meeting_id)["settings"]
        assert settings["meeting_authentication"] is True and settings["authentication_option"] == SCHOOL_DOMAINS_OPTION
        assert settings["authentication_domains"] == "sch.im"
        after = services.runner.run(audit_account(services, days=7))
    again = {m.report.meeting_id: m for m in after.meetings}[str(state.class_meeting_id)]
    assert "staff_sign_in" not in again.ids(RuleStatus.FAIL)
    check_requests_against_documents(server)


def test_the_teachers_choice_is_kept_and_preflight_follows_it(server: RehearsalServer, capsys) -> None:
    state = server.state
    meeting = str(state.class_meeting_id)
    capsys.readouterr()
    cli.main(["preflight", meeting, "--json", "--profile", "staff"])
    data = json.loads(capsys.readouterr().out)
    assert data["profile"] == "staff" and "staff_sign_in" in {r["id"] for r in data["rules"]}
    assert meeting_profiles() == {meeting: "staff"}  # kept for the window and the audit too
    with build_services(rehearsal_server=server) as services:
        checked = services.runner.run(check_meeting(services, meeting))
        assert checked.report.profile is Profile.STAFF
        audit = services.runner.run(audit_account(services, days=7))
        assert {m.report.meeting_id: m for m in audit.meetings}[meeting].report.profile is Profile.STAFF
    cli.main(["preflight", meeting, "--profile", "topic"])
    out = capsys.readouterr().out
    assert "Held to the protocol for a class or assembly with pupils and families." in out
    assert meeting_profiles() == {}


def test_a_choice_for_no_meeting_is_refused_and_nothing_is_kept(zoomhost_home: Path) -> None:
    from zoomhost.core.errors import ZoomhostError

    with pytest.raises(ZoomhostError):
        choose_profile("not a meeting", "staff")
    with pytest.raises(ZoomhostError, match="No protocol profile"):
        choose_profile("85746065432", "governors")
    assert meeting_profiles() == {}
