"""Each pre-flight rule, on payloads built from Zoom's own documented examples and varied one field at a time."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.core.preflight_protocol_cases import cases as protocol_cases
from tests.core.spec_examples import GONE, patch_validator
from tests.core.spec_examples import preflight_input as make_input
from zoomhost.core.preflight import RULES, RuleStatus, Severity, rule

PASS, FAIL, WARN, UNKNOWN = RuleStatus.PASS, RuleStatus.FAIL, RuleStatus.WARN, RuleStatus.UNKNOWN


@dataclass(frozen=True)
class Case:
    rule_id: str
    changes: dict[str, Any]
    status: RuleStatus
    words: str  # a phrase the teacher must see in the observed value
    fields: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.rule_id}-{self.status}-{self.words[:30]}"


CASES = [
    # waiting_room
    Case("waiting_room", {"meeting:settings.waiting_room": True}, PASS, "waiting room is on"),
    Case("waiting_room", {"meeting:settings.waiting_room": False}, FAIL, "waiting room is off"),
    Case(
        "waiting_room",
        {
            "meeting:settings.waiting_room": True,
            "meeting:settings.waiting_room_options": {"mode": "custom", "who_goes_to_waiting_room": "users_not_in_account"},
        },
        FAIL,
        "only for some people",
    ),
    Case(
        "waiting_room",
        {
            "meeting:settings.waiting_room": True,
            "meeting:settings.waiting_room_options": {"mode": "custom", "who_goes_to_waiting_room": "everyone"},
        },
        PASS,
        "for everyone",
    ),
    Case("waiting_room", {"meeting:settings.waiting_room": GONE}, UNKNOWN, "Zoom did not report"),
    Case("waiting_room", {"meeting:settings.waiting_room": "yes"}, UNKNOWN, "does not recognise"),
    # passcode (the documents' example "123456" is weak)
    Case("passcode", {"meeting:password": "k7Rm2qX9pa"}, PASS, "has a passcode (10 characters"),
    Case("passcode", {}, WARN, "6 digits only"),
    Case("passcode", {"meeting:password": "abc"}, WARN, "only 3 characters"),
    Case("passcode", {"meeting:password": "abcdefgh"}, WARN, "consecutive"),
    Case("passcode", {"meeting:password": ""}, FAIL, "no passcode"),
    Case("passcode", {"meeting:password": GONE}, UNKNOWN, "may have none"),
    # mute_on_entry
    Case("mute_on_entry", {"meeting:settings.mute_upon_entry": True}, PASS, "Muting on entry is on"),
    Case("mute_on_entry", {"meeting:settings.mute_upon_entry": False}, FAIL, "Muting on entry is off"),
    Case("mute_on_entry", {"meeting:settings.mute_upon_entry": GONE}, UNKNOWN, "Zoom did not report"),
    # join_before_host
    Case("join_before_host", {"meeting:settings.join_before_host": False}, PASS, "before the host is off"),
    Case("join_before_host", {"meeting:settings.join_before_host": True}, FAIL, "before the host is on"),
    Case("join_before_host", {"meeting:settings.join_before_host": GONE}, UNKNOWN, "Zoom did not report"),
    # unique_meeting_id
    Case("unique_meeting_id", {"meeting:settings.use_pmi": False}, PASS, "its own meeting ID"),
    Case("unique_meeting_id", {"meeting:settings.use_pmi": True}, FAIL, "personal meeting ID"),
    Case("unique_meeting_id", {"meeting:type": 4}, FAIL, "personal meeting room"),
    Case(
        "unique_meeting_id",
        {"meeting:settings.use_pmi": GONE, "meeting:pmi": GONE},
        FAIL,
        "is the host's personal meeting ID",
        {"personal_meeting_id": 97763643886},
    ),
    Case(
        "unique_meeting_id",
        {"meeting:settings.use_pmi": GONE},
        PASS,
        "its own meeting ID",
        {"personal_meeting_id": 5551234567},
    ),
    Case("unique_meeting_id", {"meeting:settings.use_pmi": GONE, "meeting:pmi": GONE}, UNKNOWN, "Zoom did not report"),
    # auto_recording
    Case("auto_recording", {"meeting:settings.auto_recording": "none"}, PASS, "recording is off"),
    Case("auto_recording", {"meeting:settings.auto_recording": "cloud"}, FAIL, "to the cloud"),
    Case("auto_recording", {"meeting:settings.auto_recording": "local"}, FAIL, "host's computer"),
    Case("auto_recording", {"meeting:settings.auto_recording": GONE}, UNKNOWN, "Zoom did not report"),
    # duration
    Case("duration", {"meeting:duration": 30}, PASS, "30 minutes"),
    Case("duration", {"meeting:duration": 60}, FAIL, "60 minutes"),
    Case("duration", {"meeting:duration": 60}, WARN, "Longer than usual", {"planned_minutes": 45}),
    Case("duration", {"meeting:duration": GONE}, UNKNOWN, "Zoom did not report"),
    # screen_sharing_host_only
    Case("screen_sharing_host_only", {"user:in_meeting.who_can_share_screen": "host"}, PASS, "Only the host"),
    Case("screen_sharing_host_only", {"user:in_meeting.screen_sharing": False}, PASS, "Screen sharing is off"),
    Case("screen_sharing_host_only", {"user:in_meeting.who_can_share_screen": "all"}, FAIL, "Participants can share"),
    Case("screen_sharing_host_only", {"user:in_meeting.who_can_share_screen": GONE}, UNKNOWN, "Zoom did not report"),
    # chat_off
    Case("chat_off", {"user:in_meeting.chat": False}, PASS, "chat is off"),
    Case("chat_off", {"user:in_meeting.allow_participants_chat_with": 1}, PASS, "participants cannot use it"),
    Case("chat_off", {"user:in_meeting.allow_participants_chat_with": 3}, FAIL, "on for participants"),
    Case("chat_off", {"user:in_meeting.chat": GONE}, UNKNOWN, "Zoom did not report"),
    # private_chat_off
    Case("private_chat_off", {"user:in_meeting.private_chat": False}, PASS, "private chat between participants is off"),
    Case("private_chat_off", {"user:in_meeting.private_chat": True}, FAIL, "private chat between participants is on"),
    Case("private_chat_off", {"user:in_meeting.private_chat": GONE}, UNKNOWN, "Zoom did not report"),
    # file_transfer_off
    Case("file_transfer_off", {"user:in_meeting.file_transfer": False}, PASS, "files in the meeting is off"),
    Case("file_transfer_off", {"user:in_meeting.file_transfer": True}, FAIL, "files in the meeting is on"),
    Case("file_transfer_off", {"user:in_meeting.file_transfer": GONE}, UNKNOWN, "Zoom did not report"),
    # rename_off
    Case("rename_off", {"account:in_meeting.allow_participants_to_rename": False}, PASS, "cannot rename"),
    Case("rename_off", {"account:in_meeting.allow_participants_to_rename": True}, FAIL, "can rename"),
    Case("rename_off", {"account:in_meeting.allow_participants_to_rename": GONE}, UNKNOWN, "Zoom did not report"),
    Case("rename_off", {}, UNKNOWN, "could not read the account settings", {"account_settings": None}),
    # removed_cannot_rejoin: no API reports it, whatever the payloads say
    Case("removed_cannot_rejoin", {}, UNKNOWN, "does not report"),
    # browser_join
    Case("browser_join", {}, PASS, "browser"),
    Case("browser_join", {"user:in_meeting.show_a_join_from_your_browser_link": False}, FAIL, "Join from your browser"),
    Case("browser_join", {"user:in_meeting.join_from_mobile": False}, FAIL, "phone or tablet"),
    Case("browser_join", {"user:in_meeting.join_from_desktop": GONE}, UNKNOWN, "computer's browser"),
    # capacity
    Case("capacity", {}, PASS, "Up to 500 participants; 272 needed"),
    Case(
        "capacity",
        {"user:feature.meeting_capacity": 100, "user:feature.large_meeting": False},
        FAIL,
        "Up to 100 participants; 272 needed",
    ),
    Case(
        "capacity",
        {"user:feature.meeting_capacity": 100, "user:feature.large_meeting": True, "user:feature.large_meeting_capacity": 500},
        PASS,
        "Up to 500",
    ),
    Case("capacity", {}, WARN, "no consented pupils", {"consented_pupils": 0, "staff": 0}),
    Case("capacity", {"user:feature.meeting_capacity": GONE}, UNKNOWN, "Zoom did not report"),
    # host_account
    Case("host_account", {}, PASS, "@example.com"),
    Case("host_account", {"meeting:type": 8}, PASS, "@example.com"),
    Case("host_account", {}, FAIL, "@example.com, not @sch.im", {"school_email_domain": "sch.im"}),
    Case("host_account", {}, PASS, "", {"school_email_domain": "sch.im, Example.com"}),
    Case("host_account", {"meeting:type": 1}, FAIL, "instant meeting"),
    Case("host_account", {"meeting:type": 4}, FAIL, "personal meeting room"),
    Case("host_account", {"meeting:settings.alternative_hosts": "jchill@example.com;stranger@gmail.com"}, FAIL, "1 alternative host"),
    Case("host_account", {}, UNKNOWN, "domain is not set", {"school_email_domain": None}),
    Case("host_account", {"meeting:host_email": GONE}, UNKNOWN, "host's email address"),
    Case("host_account", {"meeting:host_email": GONE}, PASS, "", {"host_email": "head@example.com"}),
    # assistant_alternative_host: the host assistant's own Zoom user (a setting) comes in as co-host
    Case("assistant_alternative_host", {"meeting:settings.meeting_authentication": False}, PASS, "No Zoom user is set for the host assistant"),
    Case(
        "assistant_alternative_host",
        {"meeting:settings.meeting_authentication": True},
        WARN,
        "no Zoom user is set for the host assistant: Zoom will turn it away",
    ),
    Case(
        "assistant_alternative_host",
        {"meeting:settings.alternative_hosts": "jchill@example.com;Helper@example.com"},
        PASS,
        "helper@example.com is an alternative host",
        {"assistant_user": "helper@example.com"},
    ),
    Case("assistant_alternative_host", {}, FAIL, "is not an alternative host", {"assistant_user": "helper@example.com"}),
    Case("assistant_alternative_host", {"meeting:settings.alternative_hosts": GONE}, UNKNOWN, "Zoom did not report"),
    # registration (advised)
    Case("registration", {"meeting:settings.approval_type": 1}, PASS, "school approves"),
    Case("registration", {"meeting:settings.approval_type": 0}, WARN, "anyone who registers"),
    Case("registration", {"meeting:settings.approval_type": 2}, WARN, "same link"),
    Case("registration", {"meeting:settings.approval_type": GONE}, UNKNOWN, "Zoom did not report"),
    Case("registration", {"meeting:settings.approval_type": 2}, WARN, "admitted by the name they type (the weaker way"),
    # one_device_per_link: Zoom's own guard against a family's link passed on
    Case("one_device_per_link", {"meeting:settings.allow_multiple_devices": False}, PASS, "one device at a time"),
    Case("one_device_per_link", {"meeting:settings.allow_multiple_devices": True}, FAIL, "forwarded link joins beside"),
    Case(
        "one_device_per_link",
        {"meeting:settings.allow_multiple_devices": True, "meeting:settings.approval_type": 2},
        WARN,
        "once it is on",
    ),
    Case("one_device_per_link", {"meeting:settings.allow_multiple_devices": GONE}, UNKNOWN, "Zoom did not report"),
    Case("one_device_per_link", {"meeting:settings.allow_multiple_devices": "no"}, UNKNOWN, "does not recognise"),
    # meeting_authentication (advised)
    Case("meeting_authentication", {"meeting:settings.meeting_authentication": False}, PASS, "sign in to Zoom is off"),
    Case("meeting_authentication", {"meeting:settings.meeting_authentication": True}, WARN, "sign in to Zoom is on"),
    Case("meeting_authentication", {"meeting:settings.meeting_authentication": GONE}, UNKNOWN, "Zoom did not report"),
    # video_off_on_entry (advised)
    Case("video_off_on_entry", {"meeting:settings.participant_video": False}, PASS, "video on arrival is off"),
    Case("video_off_on_entry", {"meeting:settings.participant_video": True}, WARN, "video on arrival is on"),
    Case("video_off_on_entry", {"meeting:settings.participant_video": GONE}, UNKNOWN, "Zoom did not report"),
    # passcode_not_in_link (advised)
    Case("passcode_not_in_link", {"user:schedule_meeting.embed_password_in_join_link": False}, PASS, "is off"),
    Case("passcode_not_in_link", {"user:schedule_meeting.embed_password_in_join_link": True}, WARN, "is on"),
    Case("passcode_not_in_link", {"user:schedule_meeting.embed_password_in_join_link": GONE}, UNKNOWN, "Zoom did not report"),
]
CASES += protocol_cases(Case)  # data centres, encryption, who waits and admits, locks, recording, streaming, …


def validate_fix(fix: Any) -> None:
    """A fix's patches must be bodies Zoom's PATCH endpoints accept, with no field the documents lack."""
    if fix.meeting_patch:
        patch_validator("meeting").validate(_plain(fix.meeting_patch))
    if fix.user_patch:
        # Zoom takes the host's meeting_security settings in a settings update of their own.
        plain = _plain(fix.user_patch)
        security = plain.pop("meeting_security", None)
        if plain:
            patch_validator("user_settings").validate(plain)
        if security is not None:
            patch_validator("user_security").validate({"meeting_security": security})
    assert fix.meeting_patch or fix.user_patch or fix.manual_step, "a fix must say what to do"
    assert fix.description


def _plain(value: Any) -> Any:
    if hasattr(value, "items"):
        return {key: _plain(item) for key, item in value.items()}
    return copy.deepcopy(value)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule_verdict_on_a_varied_spec_example(case: Case) -> None:
    result = rule(case.rule_id).evaluate(make_input(case.changes, **case.fields))
    assert result.status is case.status, result.observed
    assert case.words.lower() in result.observed.lower()
    if result.status is PASS:
        assert result.fix is None
    elif result.fix is not None:
        validate_fix(result.fix)
    if result.status is FAIL:
        assert result.fix is not None, "a failed check must say how to put it right"


def test_the_assistants_user_joins_the_alternative_hosts_in_the_one_meeting_update() -> None:
    from zoomhost.core.preflight import evaluate_all, plan_fixes

    results = evaluate_all(make_input({"meeting:settings.waiting_room": False}, assistant_user="helper@example.com"))
    plan = plan_fixes(results)
    assert "assistant_alternative_host" in plan.rule_ids and "waiting_room" in plan.rule_ids
    # One meeting update carries both, and Zoom's example alternative hosts stay.
    assert plan.meeting_patch["settings"]["waiting_room"] is True
    assert plan.meeting_patch["settings"]["alternative_hosts"].split(";")[-1] == "helper@example.com"
    assert plan.meeting_patch["settings"]["alternative_hosts"].count(";") >= 1


def test_every_rule_has_a_passing_a_failing_and_an_unknown_case() -> None:
    seen: dict[str, set[RuleStatus]] = {}
    for case in CASES:
        seen.setdefault(case.rule_id, set()).add(case.status)
    for candidate in RULES:
        statuses = seen.get(candidate.id, set())
        if candidate.id == "removed_cannot_rejoin":
            assert statuses == {UNKNOWN}
            continue
        short = FAIL if candidate.severity is Severity.REQUIRED else WARN
        assert {PASS, short, UNKNOWN} <= statuses, f"{candidate.id} lacks cases: has {statuses}"


def test_the_documents_example_meeting_breaks_the_protocol_where_expected() -> None:
    """Zoom's example meeting: no waiting room, not muted, join before host, cloud recording, 60 minutes."""
    statuses = {r.rule_id: r.status for r in (c.evaluate(make_input()) for c in RULES)}
    assert statuses == {
        "waiting_room": FAIL,
        "passcode": WARN,
        "mute_on_entry": FAIL,
        "join_before_host": FAIL,
        "unique_meeting_id": PASS,
        "auto_recording": FAIL,
        "duration": FAIL,
        "screen_sharing_host_only": FAIL,
        "chat_off": PASS,  # the example has chat on but allow_participants_chat_with 1 (nobody)
        "private_chat_off": FAIL,
        "file_transfer_off": FAIL,
        "rename_off": FAIL,
        "removed_cannot_rejoin": UNKNOWN,
        "browser_join": PASS,
        "capacity": PASS,
        "host_account": PASS,
        "assistant_alternative_host": WARN,  # no Zoom user is set for the host assistant, and it requires a sign-in
        "registration": WARN,
        "one_device_per_link": FAIL,  # registration on, and one link may join from several devices
        "meeting_authentication": WARN,
        "video_off_on_entry": PASS,
        "passcode_not_in_link": WARN,
        "data_centers": PASS,  # custom regions, Australia only
        "encryption": PASS,
        "cohost_enabled": PASS,
        "web_join_without_sign_in": UNKNOWN,  # the host's security settings were not given
        "waiting_room_who": UNKNOWN,  # follows the host's setting, which was not given
        "waiting_room_admitters": UNKNOWN,
        "settings_locked": UNKNOWN,  # no admin's lock settings
        "recording": FAIL,  # local recording allowed
        "live_streaming": FAIL,  # to Facebook among others
        "annotation": FAIL,
        "breakout_rooms": WARN,  # a class with pre-assigned rooms: staff in each
    }


def test_host_settings_are_unknown_when_zoom_would_not_show_them() -> None:
    results = {c.id: c.evaluate(make_input(user_settings=None)) for c in RULES}
    for rule_id in (
        "screen_sharing_host_only",
        "chat_off",
        "private_chat_off",
        "file_transfer_off",
        "browser_join",
        "capacity",
        "passcode_not_in_link",
    ):
        assert results[rule_id].status is UNKNOWN
        assert "could not read the host's user settings" in results[rule_id].observed


def test_nothing_passes_on_an_empty_answer() -> None:
    """A setting Zoom did not report is never a pass."""
    inp = make_input(meeting={}, user_settings={}, account_settings={}, host_email="head@example.com")
    results = [c.evaluate(inp) for c in RULES]
    assert not [r.rule_id for r in results if r.status is PASS]
    assert all(r.status is UNKNOWN for r in results), [(r.rule_id, r.status) for r in results]
    assert all("Zoom did not report" in r.observed or "does not report" in r.observed for r in results)


def test_chat_fix_says_it_applies_to_later_meetings_and_gives_the_click_for_a_running_one() -> None:
    waiting = rule("chat_off").evaluate(make_input({"user:in_meeting.allow_participants_chat_with": 3}))
    assert "applies to meetings started after the change" in waiting.explanation
    assert waiting.fix is not None and waiting.fix.manual_step is None
    running = rule("chat_off").evaluate(
        make_input({"user:in_meeting.allow_participants_chat_with": 3, "meeting:status": "started"})
    )
    assert running.fix is not None
    assert running.fix.user_patch == {"in_meeting": {"chat": False}}
    assert running.fix.manual_step == "In the running meeting: Chat ▸ ⋯ ▸ Participants can chat with ▸ No one"


def test_duration_fix_schedules_the_planned_length() -> None:
    failed = rule("duration").evaluate(make_input({"meeting:duration": 60}, planned_minutes=25))
    assert failed.fix is not None and failed.fix.meeting_patch == {"duration": 25}
    longer_but_as_planned = rule("duration").evaluate(make_input({"meeting:duration": 40}, planned_minutes=45))
    assert longer_but_as_planned.status is WARN and longer_but_as_planned.fix is None


def test_personal_meeting_room_can_only_be_replaced_by_hand() -> None:
    result = rule("unique_meeting_id").evaluate(make_input({"meeting:type": 4}))
    assert result.fix is not None
    assert result.fix.meeting_patch is None
    assert "Schedule a Meeting" in (result.fix.manual_step or "")
    switchable = rule("unique_meeting_id").evaluate(make_input({"meeting:settings.use_pmi": True}))
    assert switchable.fix is not None and switchable.fix.meeting_patch == {"settings": {"use_pmi": False}}


def test_capacity_below_need_asks_for_a_licence() -> None:
    result = rule("capacity").evaluate(
        make_input({"user:feature.meeting_capacity": 100, "user:feature.large_meeting": False}, consented_pupils=260)
    )
    assert result.fix is not None and result.fix.meeting_patch is None and result.fix.user_patch is None
    assert "Large Meeting" in (result.fix.manual_step or "")
    assert "at least 272" in result.fix.description


def test_rules_are_told_apart_and_cover_the_protocol() -> None:
    ids = [c.id for c in RULES]
    assert len(ids) == len(set(ids))
    assert {
        "waiting_room",
        "passcode",
        "mute_on_entry",
        "join_before_host",
        "unique_meeting_id",
        "auto_recording",
        "duration",
        "screen_sharing_host_only",
        "chat_off",
        "private_chat_off",
        "file_transfer_off",
        "rename_off",
        "removed_cannot_rejoin",
        "browser_join",
        "capacity",
        "host_account",
    } <= set(ids)
    with pytest.raises(KeyError, match="waiting_room"):
        rule("no_such_rule")


@pytest.mark.parametrize("bad", [{"consented_pupils": -1}, {"staff": -2}, {"planned_minutes": 0}, {"planned_minutes": 1441}])
def test_impossible_input_is_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        make_input(**bad)
