"""The host account rule: the school's own Zoom account, a meeting staff scheduled, not a personal room."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pytest

from tests.core.spec_examples import patch_validator
from tests.core.spec_examples import preflight_input as make_input
from tests.zoom.rehearsal_zoom import ASSEMBLY, RehearsalZoom, rehearsal_zoom  # noqa: F401
from zoomhost.core.preflight import RuleStatus, evaluate_all, plan_fixes, rule
from zoomhost.zoom.preflight import PreflightContext, PreflightReport, run_preflight

PASS, FAIL = RuleStatus.PASS, RuleStatus.FAIL
HOST = "30R7kT7bTIKSNUFEuH_Qlg"  # the documents' example host_id


def _host_account(changes: dict[str, Any] | None = None, **fields: Any):  # noqa: ANN202
    return rule("host_account").evaluate(make_input(changes, **fields))


def test_a_meeting_set_to_use_the_personal_room_fails_with_a_patch_zoom_accepts() -> None:
    result = _host_account({"meeting:settings.use_pmi": True})
    assert result.status is FAIL and "personal meeting room" in result.observed
    assert result.fix is not None and result.fix.meeting_patch == {"settings": {"use_pmi": False}}
    patch_validator("meeting").validate({"settings": {"use_pmi": False}})
    # merged with the unique-meeting-ID rule's own fix, it is still one meeting update
    plan = plan_fixes(evaluate_all(make_input({"meeting:settings.use_pmi": True})))
    assert plan.meeting_patch["settings"]["use_pmi"] is False
    assert {"unique_meeting_id", "host_account"} <= set(plan.rule_ids)


def test_a_meeting_held_on_the_hosts_personal_id_fails() -> None:
    example = make_input()
    result = _host_account(personal_meeting_id=example.meeting["id"])
    assert result.status is FAIL and "held in the host's personal meeting room" in result.observed
    assert result.fix is not None and "Schedule a Meeting" in (result.fix.manual_step or "")


@pytest.mark.parametrize(
    ("scheduler", "status", "words"),
    [
        ("mr.quirk.teaching@gmail.com", FAIL, "scheduled on the host's behalf by an account on @gmail.com"),
        ("office@example.com", PASS, "scheduled on the host's behalf by another @example.com account"),
        (None, PASS, "another user of the same Zoom account"),
    ],
)
def test_who_scheduled_it_for_the_host_is_checked(scheduler: str | None, status: RuleStatus, words: str) -> None:
    result = _host_account({"meeting:assistant_id": "kFFvsJc-Q1OSxaJQLvaa_A"}, scheduler_email=scheduler)
    assert result.status is status, result.observed
    assert words in result.observed
    if status is FAIL:
        assert result.fix is not None and "scheduling privilege" in (result.fix.manual_step or "")


def test_a_host_scheduling_their_own_meeting_says_nothing_about_a_scheduler() -> None:
    result = _host_account({"meeting:assistant_id": HOST}, scheduler_email="someone@gmail.com")
    assert result.status is PASS and "behalf" not in result.observed


# -- against the rehearsal Zoom ---------------------------------------------------------------------


def _report(rz: RehearsalZoom, meeting_id: int) -> PreflightReport:
    async def go() -> PreflightReport:
        async with rz.client() as client:
            return await run_preflight(client, meeting_id, context=PreflightContext(school_email_domain="sch.im"))

    return asyncio.run(go())


def _verdict(report: PreflightReport) -> Any:
    return next(r for r in report.results if r.rule_id == "host_account")


def test_over_loopback_the_school_hosts_meeting_passes_and_the_others_fail(rehearsal_zoom: RehearsalZoom) -> None:  # noqa: F811
    state = rehearsal_zoom.server.state
    school = _verdict(_report(rehearsal_zoom, ASSEMBLY))
    assert school.status is PASS and "@sch.im" in school.observed
    outsider_meeting = next(m.id for m in state.meetings.values() if m.host_id == state.outsider_id)
    outsider = _verdict(_report(rehearsal_zoom, outsider_meeting))
    assert outsider.status is FAIL and "@gmail.com, not @sch.im" in outsider.observed
    personal = _verdict(_report(rehearsal_zoom, state.pmi_meeting_id))
    assert personal.status is FAIL and "personal meeting room" in personal.observed


def test_over_loopback_a_meeting_scheduled_for_the_head_by_an_outsider_fails(
    rehearsal_zoom: RehearsalZoom, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    """Zoom names the scheduler only by user ID (``assistant_id``); zoomhost looks the user up."""
    state = rehearsal_zoom.server.state
    plain = state.meeting_payload

    def scheduled_by_outsider(meeting_id: int | str) -> dict[str, Any]:
        payload = copy.deepcopy(plain(meeting_id))
        if int(meeting_id) == ASSEMBLY:
            payload["assistant_id"] = state.outsider_id
        return payload

    monkeypatch.setattr(state, "meeting_payload", scheduled_by_outsider)
    result = _verdict(_report(rehearsal_zoom, ASSEMBLY))
    assert result.status is FAIL
    assert "scheduled on the host's behalf by an account on @gmail.com" in result.observed
    assert rehearsal_zoom.sent("GET", f"/users/{state.outsider_id}")
