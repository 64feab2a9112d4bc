"""Fix all: one merged patch per endpoint, that Zoom accepts, that makes the checks pass, and never shows a passcode."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.contract.spec import ZoomSpec
from tests.core.preflight_protocol_cases import ALL_LOCKED
from tests.core.spec_examples import GONE, patch_validator, example_from_schema, meeting_schema, set_path
from tests.core.spec_examples import preflight_input as make_input
from zoomhost.system import redact
from zoomhost.core import protocol
from zoomhost.core.preflight import (
    PASSCODE_PLACEHOLDER,
    RULES,
    Fix,
    FixPlan,
    RuleResult,
    RuleStatus,
    evaluate_all,
    new_passcode,
    plan_fixes,
)

ZOOM_PASSCODE = re.compile(r"^[A-Za-z0-9@_*-]{1,10}$")  # the PATCH document: alphanumeric and @ - _ *


def deep_merge(target: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """What Zoom does with a PATCH body: the fields sent replace those held, the rest stay."""
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            deep_merge(target[key], value)
        else:
            target[key] = value
    return target


def test_all_meeting_fixes_go_into_one_patch() -> None:
    results = evaluate_all(make_input())
    plan = plan_fixes(results)
    meeting_fixers = [r.rule_id for r in results if r.status is RuleStatus.FAIL and r.fix and r.fix.meeting_patch]
    assert len(meeting_fixers) >= 4  # waiting room, mute, join before host, recording, duration
    # The example meeting takes registrations, with one link allowed on several devices: that is fixed
    # in the same single meeting update.
    assert plan.meeting_patch == {
        "settings": {
            "waiting_room": True,
            "mute_upon_entry": True,
            "join_before_host": False,
            "auto_recording": "none",
            "allow_multiple_devices": False,
        },
        "duration": 30,
    }
    assert plan.user_patch == {
        "in_meeting": {
            "who_can_share_screen": "host",
            "who_can_share_screen_when_someone_is_sharing": "host",
            "private_chat": False,
            "file_transfer": False,
            "allow_live_streaming": False,
            "annotation": False,
            "whiteboard": False,
        },
        "recording": {"local_recording": False, "cloud_recording": False},
        # unread, so set to the safe value (who waits is left alone: the host may hold everyone already)
        "meeting_security": {
            "only_authenticated_can_join_from_webclient": False,
            "waiting_room_settings": {"users_who_can_admit_participants_from_waiting_room": 0},
        },
    }
    assert set(meeting_fixers) <= set(plan.rule_ids)
    ZoomSpec.load().validate_request_body("patch", "/meetings/{meetingId}", plan.meeting_patch)  # the contract oracle
    patch_validator("meeting").validate(plan.meeting_patch)
    validate_settings_patch(plan.user_patch)


def validate_settings_patch(patch: dict[str, Any]) -> None:
    """The settings update as Zoom takes it: the host's meeting_security part in a request of its own."""
    rest = {key: value for key, value in patch.items() if key != "meeting_security"}
    if rest:
        patch_validator("user_settings").validate(rest)
    if "meeting_security" in patch:
        patch_validator("user_security").validate({"meeting_security": patch["meeting_security"]})


def test_manual_steps_are_listed_once_each() -> None:
    plan = plan_fixes(evaluate_all(make_input()))
    assert len(plan.manual_steps) == len(set(plan.manual_steps))
    assert any("Allow removed participants to rejoin" in step for step in plan.manual_steps)
    assert any("Rename Themselves" in step for step in plan.manual_steps)


def test_advice_is_left_out_unless_asked_for() -> None:
    results = evaluate_all(make_input())
    plain = plan_fixes(results)
    assert "password" not in plain.meeting_patch  # a weak passcode only warns: changing it breaks sent invitations
    assert "approval_type" not in plain.meeting_patch["settings"]
    advised = plan_fixes(results, include_advice=True)
    assert ZOOM_PASSCODE.match(advised.meeting_patch["password"])
    assert advised.meeting_patch["settings"]["approval_type"] == 1
    assert advised.meeting_patch["settings"]["meeting_authentication"] is False
    assert advised.user_patch["schedule_meeting"] == {"embed_password_in_join_link": False}
    patch_validator("meeting").validate(advised.meeting_patch)
    validate_settings_patch(advised.user_patch)


def test_fixing_everything_zoom_can_fix_leaves_only_the_clicks() -> None:
    inp = make_input({**ALL_LOCKED, "security:meeting_security.waiting_room": True})
    plan = plan_fixes(evaluate_all(inp), include_advice=True)
    meeting = deep_merge(json.loads(json.dumps(dict(inp.meeting))), plan.meeting_patch)
    user = deep_merge(json.loads(json.dumps(dict(inp.user_settings or {}))), plan.user_patch)
    security = deep_merge(json.loads(json.dumps(dict(inp.security_settings or {}))), {"meeting_security": user.pop("meeting_security")})
    after = evaluate_all(
        make_input(meeting=meeting, user_settings=user, security_settings=security, account_locks=inp.account_locks)
    )
    left = {r.rule_id: r.status for r in after if r.status is not RuleStatus.PASS}
    assert left == {
        "rename_off": RuleStatus.FAIL,
        "removed_cannot_rejoin": RuleStatus.UNKNOWN,
        "breakout_rooms": RuleStatus.WARN,  # a class with breakout rooms: what staff must do, no setting to change
    }
    again = plan_fixes(after, include_advice=True)
    assert again.meeting_patch == {} and again.user_patch == {}
    assert len(again.manual_steps) == 2
    assert not again.is_empty


def test_a_compliant_meeting_needs_no_fixes() -> None:
    changes = {
        "meeting:settings.waiting_room": True,
        "meeting:settings.mute_upon_entry": True,
        "meeting:settings.join_before_host": False,
        "meeting:settings.auto_recording": "none",
        "meeting:duration": 30,
        "meeting:settings.allow_multiple_devices": False,
        "meeting:password": "h7kx3mq9ta",
        "user:in_meeting.who_can_share_screen": "host",
        "user:in_meeting.private_chat": False,
        "user:in_meeting.file_transfer": False,
        "account:in_meeting.allow_participants_to_rename": False,
        "user:recording.local_recording": False,
        "user:recording.cloud_recording": False,
        "user:in_meeting.allow_live_streaming": False,
        "user:in_meeting.annotation": False,
        "user:in_meeting.whiteboard": False,
        "security:meeting_security.only_authenticated_can_join_from_webclient": False,
        "security:meeting_security.waiting_room_settings.users_who_can_admit_participants_from_waiting_room": 0,
    }
    plan = plan_fixes(evaluate_all(make_input(changes)))
    assert plan.meeting_patch == {} and plan.user_patch == {}
    assert plan.manual_steps == (next(s for s in plan.manual_steps if "rejoin" in s),)


def test_unreported_required_settings_are_set_but_unreported_advice_is_not() -> None:
    inp = make_input({"meeting:settings.waiting_room": GONE, "meeting:settings.approval_type": GONE})
    plan = plan_fixes(evaluate_all(inp))
    assert plan.meeting_patch["settings"]["waiting_room"] is True
    assert "approval_type" not in plan.meeting_patch["settings"]


def test_fixes_that_disagree_are_refused() -> None:
    def result(rule_id: str, value: bool) -> RuleResult:
        return RuleResult(
            rule_id=rule_id,
            status=RuleStatus.FAIL,
            observed="",
            explanation="",
            fix=Fix(meeting_patch={"settings": {"waiting_room": value}}, description="x"),
        )

    with pytest.raises(ValueError, match="settings.waiting_room"):
        plan_fixes([result("a", True), result("b", False)])
    assert plan_fixes([result("a", True), result("b", True)]).meeting_patch == {"settings": {"waiting_room": True}}


def test_a_misspelt_or_ill_typed_patch_would_be_caught() -> None:
    """The PATCH schemas used above are closed: they refuse what Zoom's documents do not describe."""
    with pytest.raises(jsonschema.ValidationError):
        patch_validator("meeting").validate({"settings": {"mute_on_entry": True}})
    with pytest.raises(jsonschema.ValidationError):
        patch_validator("user_settings").validate({"in_meeting": {"chat": "off"}})
    with pytest.raises(jsonschema.ValidationError):
        patch_validator("user_settings").validate({"in_meeting": {"allow_participants_to_rename": False}})
    with pytest.raises(jsonschema.ValidationError):
        patch_validator("meeting").validate({"password": "far-too-long-passcode"})


def test_an_empty_plan_is_empty() -> None:
    assert FixPlan().is_empty
    assert plan_fixes([]).is_empty


def test_a_new_passcode_reaches_zoom_but_never_a_screen() -> None:
    results = evaluate_all(make_input())
    plan = plan_fixes(results, include_advice=True)
    passcode = plan.meeting_patch["password"]
    printed = json.dumps({"rules": [r.as_dict() for r in results], "plan": plan.as_dict()}, ensure_ascii=False)
    assert passcode not in printed
    assert passcode not in repr(results) + repr(plan)
    assert PASSCODE_PLACEHOLDER in printed
    assert passcode not in redact.redact(f"PATCH meeting with {passcode}")
    observed = next(r for r in results if r.rule_id == "passcode").observed
    assert "123456" not in observed  # the current passcode is described, not quoted


def test_a_new_passcode_is_handed_to_the_redaction_before_any_fix_holds_it() -> None:
    seen: list[str] = []
    results = evaluate_all(make_input(register_secret=seen.append))
    passcode = plan_fixes(results, include_advice=True).meeting_patch["password"]
    assert seen == [passcode]


def test_result_as_dict_is_what_the_command_line_prints() -> None:
    result = evaluate_all(make_input())[0]
    data = result.as_dict()
    assert {"id", "status", "observed", "fix", "title", "protocol_line", "explanation"} <= set(data)
    assert data["id"] == "waiting_room" and data["status"] == "fail"
    assert data["fix"] == {
        "meeting_patch": {"settings": {"waiting_room": True}},
        "user_patch": None,
        "manual_step": None,
        "description": "Turn the waiting room on for everyone who joins.",
    }
    json.dumps(data)


@pytest.mark.parametrize(
    ("requirement", "must"),
    [
        (None, r"^[a-z2-9]{10}$"),
        ({"only_allow_numeric": True, "length": 8}, r"^[0-9]{8}$"),
        ({"have_special_character": True}, r"[@_*-]"),
        ({"have_upper_and_lower_characters": True}, r"(?=.*[a-z])(?=.*[A-Z])"),
        ({"length": 30}, r"^.{10}$"),  # Zoom takes at most 10 characters
    ],
)
def test_new_passcodes_meet_the_accounts_requirement(requirement: dict[str, Any] | None, must: str) -> None:
    for _ in range(50):
        code = new_passcode(register_secret=redact.register_secret, requirement=requirement)
        assert re.search(must, code), code
        assert ZOOM_PASSCODE.match(code)
        assert not re.search(r"(.)\1\1\1", code)
        patch_validator("meeting").validate({"password": code})


def test_every_rule_quotes_the_protocol_word_for_word() -> None:
    for candidate in RULES:
        assert candidate.protocol_line, candidate.id
        assert candidate.protocol_line in protocol.PROTOCOL_TEXT, candidate.id
        assert candidate.severity in ("required", "advised")
    result = RULES[0].evaluate(make_input())
    assert result.protocol_line == RULES[0].protocol_line and result.title == RULES[0].title


# --- whatever a server sends, the checks answer -------------------------------------------------

_READ_PATHS = [
    "meeting:id",
    "meeting:type",
    "meeting:password",
    "meeting:duration",
    "meeting:pmi",
    "meeting:status",
    "meeting:host_email",
    "meeting:settings",
    "meeting:settings.waiting_room",
    "meeting:settings.waiting_room_options",
    "meeting:settings.waiting_room_options.mode",
    "meeting:settings.mute_upon_entry",
    "meeting:settings.join_before_host",
    "meeting:settings.use_pmi",
    "meeting:settings.auto_recording",
    "meeting:settings.approval_type",
    "meeting:settings.alternative_hosts",
    "user:in_meeting",
    "user:in_meeting.chat",
    "user:in_meeting.allow_participants_chat_with",
    "user:in_meeting.who_can_share_screen",
    "user:in_meeting.screen_sharing",
    "user:feature.meeting_capacity",
    "user:feature.large_meeting_capacity",
    "user:schedule_meeting.meeting_password_requirement",
    "user:schedule_meeting.meeting_password_requirement.length",
    "account:in_meeting.allow_participants_to_rename",
]
_ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=12) | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


# A field that alone decides a rule, and the values that may pass it.
_SOLE_FIELD = {
    "meeting:settings.waiting_room": ("waiting_room", lambda v: v is True),
    "meeting:settings.mute_upon_entry": ("mute_on_entry", lambda v: v is True),
    "meeting:settings.join_before_host": ("join_before_host", lambda v: v is False),
    "meeting:settings.auto_recording": ("auto_recording", lambda v: v == "none"),
    "meeting:duration": ("duration", lambda v: type(v) is int and v <= 30),
    "meeting:password": ("passcode", lambda v: isinstance(v, str) and len(v) >= 6),
    "user:in_meeting.chat": ("chat_off", lambda v: v is False or v is True),  # True passes when nobody may chat
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(_READ_PATHS), _ANY_JSON | st.just(GONE), max_size=6))
def test_odd_answers_never_crash_and_never_pass_the_odd_field(changes: dict[str, Any]) -> None:
    results = evaluate_all(make_input(changes))
    assert [r.rule_id for r in results] == [c.id for c in RULES]
    by_id = {r.rule_id: r for r in results}
    for result in results:
        assert result.status in RuleStatus
        json.dumps(result.as_dict())
    for path, value in changes.items():
        if path in _SOLE_FIELD and not _SOLE_FIELD[path][1](value):
            assert by_id[_SOLE_FIELD[path][0]].status is not RuleStatus.PASS, (path, value)
    plan = plan_fixes(results, include_advice=True)
    patch_validator("meeting").validate(plan.meeting_patch)
    validate_settings_patch(plan.user_patch)


@pytest.mark.parametrize("value", [GONE, None, "true", 1, [True], {"on": True}])
def test_a_waiting_room_zoom_did_not_plainly_report_is_not_a_pass(value: Any) -> None:
    meeting = example_from_schema(meeting_schema())
    set_path(meeting, "settings.waiting_room", value)
    result = next(r for r in evaluate_all(make_input(meeting=meeting)) if r.rule_id == "waiting_room")
    assert result.status is RuleStatus.UNKNOWN
    assert result.fix is not None and result.fix.meeting_patch == {"settings": {"waiting_room": True}}


# --- Fix all as the teacher sees it -------------------------------------------------------------------


def test_fix_all_makes_the_warnings_fixes_too_in_the_same_two_updates() -> None:
    from zoomhost.core.preflight import plan_fix_all

    results = evaluate_all(make_input())
    plan = plan_fix_all(results)
    warned = [r.rule_id for r in results if r.status is RuleStatus.WARN and r.fix and (r.fix.meeting_patch or r.fix.user_patch)]
    assert warned and set(warned) <= set(plan.rule_ids)
    assert plan == plan_fixes(results, include_advice=True)  # one planner: the advice is in


def test_the_checklist_lists_failures_then_warnings_then_unknowns_then_passes() -> None:
    from zoomhost.core.preflight import checklist_order

    results = evaluate_all(make_input({"meeting:settings.waiting_room": True}))
    ordered = checklist_order(results)
    rank = {RuleStatus.FAIL: 0, RuleStatus.WARN: 1, RuleStatus.UNKNOWN: 2, RuleStatus.PASS: 3}
    assert [rank[r.status] for r in ordered] == sorted(rank[r.status] for r in results)
    assert {r.status for r in ordered} >= {RuleStatus.FAIL, RuleStatus.PASS}
    fails = [r.rule_id for r in ordered if r.status is RuleStatus.FAIL]
    assert fails == [r.rule_id for r in results if r.status is RuleStatus.FAIL]  # the protocol's order within


def test_the_counts_follow_the_steps_ticked_by_hand() -> None:
    from zoomhost.core.preflight import count_checklist

    results = evaluate_all(make_input())
    counts = count_checklist(results)
    assert counts.passed + counts.to_fix + counts.by_hand + counts.to_look_at == len(results)
    assert counts.passed == sum(r.status is RuleStatus.PASS for r in results)
    steps = [r.fix.manual_step for r in results if r.status is not RuleStatus.PASS and r.fix and r.fix.manual_step and not (r.fix.meeting_patch or r.fix.user_patch)]
    assert counts.by_hand == len(steps) >= 2
    ticked = count_checklist(results, done=steps[:1])
    assert (ticked.passed, ticked.ticked, ticked.by_hand) == (counts.passed + 1, 1, counts.by_hand - 1)
    assert ticked.to_fix == counts.to_fix
    assert ticked.as_sentence().startswith(f"{counts.passed + 1} passed (1 done by hand), {counts.to_fix} to fix, ")


def test_fix_all_in_words_names_each_change_as_what_will_be_true_and_warns_about_invitations() -> None:
    from zoomhost.core.preflight import describe_fix_all, plan_fix_all

    results = evaluate_all(make_input())
    words = describe_fix_all(results, plan_fix_all(results))
    assert "Everyone is muted on arrival" in words.meeting and "Everyone waits to be admitted" in words.meeting
    assert "Only the host shares a screen" in words.settings
    assert any("Invitations already sent stop working" in caution for caution in words.cautions)  # a new passcode
    assert "Participants cannot rename themselves" in words.by_hand
    everything = " ".join(words.meeting + words.settings + words.cautions + words.by_hand + words.left)
    assert "_" not in everything and "›" not in everything  # no field of Zoom's
