"""A fresh passcode before each session, against the rehearsal Zoom over loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import pytest

from tests.protocol.helpers import files_containing, raw_log  # noqa: F401
from tests.zoom.rehearsal_zoom import ASSEMBLY, CLASS, RehearsalZoom, rehearsal_zoom  # noqa: F401
from zoomhost.app.services import session_journals
from zoomhost.system import redact
from tests.core.live_helpers import classify
from zoomhost.system.config import save_settings
from zoomhost.core.preflight import RuleStatus
from zoomhost.core.session import LiveSession
from zoomhost.core.start_checks import StartCheckId, StartChecklist
from zoomhost.zoom.client import ZoomClient
from zoomhost.zoom.errors import UpdateBudgetExhausted
from zoomhost.zoom.passcode import MeetingAlreadyRunning, RotatedPasscode, rotate_passcode
from zoomhost.zoom.preflight import PreflightContext, run_preflight

T = TypeVar("T")


def _run(rz: RehearsalZoom, work: Callable[[ZoomClient], Awaitable[T]]) -> T:
    async def go() -> T:
        async with rz.client() as client:
            return await work(client)

    return asyncio.run(go())


def test_rotation_changes_the_passcode_in_one_update_and_leaves_it_nowhere(
    rehearsal_zoom: RehearsalZoom, raw_log: Path, zoomhost_home: Path  # noqa: F811
) -> None:
    state = rehearsal_zoom.server.state
    before = state.meeting(ASSEMBLY).password
    used_before = state.updates_used(state.host_id)

    rotated = _run(rehearsal_zoom, lambda c: rotate_passcode(c, ASSEMBLY))

    after = state.meeting(ASSEMBLY).password
    assert after != before and after == rotated.passcode
    assert state.updates_used(state.host_id) == used_before + 1
    assert len(rehearsal_zoom.sent("PATCH", f"/meetings/{ASSEMBLY}")) == 1
    assert rotated.receipt.remaining_today == 99
    # The new passcode follows the host's requirement (8 characters here) and is strong by the pre-flight rule.
    assert len(after) == 8 and after[0].isalnum()
    report = _run(rehearsal_zoom, lambda c: run_preflight(c, ASSEMBLY, context=PreflightContext()))
    check = next(r for r in report.results if r.rule_id == "passcode")
    assert check.status is RuleStatus.PASS, check.observed

    # Never shown: not in the value's repr, not in a log line, not in any file zoomhost keeps
    # (settings, journal, update count, logs), even after a session has been journaled.
    assert after not in repr(rotated) and after not in str(rotated)
    assert redact.redact(f"passcode is {after}") == "passcode is [redacted]"
    save_settings(rehearsal_zoom.settings)
    journal = session_journals().create(
        meeting_id=str(ASSEMBLY), topic="Assembly", planned_minutes=30, started_at=state.now(), rehearsal=True
    )
    session = LiveSession(journal=journal, classify=classify)
    StartChecklist(session=session).confirm(StartCheckId.CHAT_CLOSED)
    journal.close()
    assert "new passcode" in raw_log.read_text(encoding="utf-8")
    kept = {p.relative_to(zoomhost_home).parts[0] for p in zoomhost_home.rglob("*") if p.is_file()}
    assert {"config", "data", "logs", "cache"} <= kept
    assert files_containing(zoomhost_home, after) == []


def test_the_accounts_passcode_requirement_is_honoured(rehearsal_zoom: RehearsalZoom) -> None:  # noqa: F811
    state = rehearsal_zoom.server.state
    state.update_settings(
        state.host_id,
        {"schedule_meeting": {"meeting_password_requirement": {"only_allow_numeric": True, "length": 9}}},
    )
    rotated = _run(rehearsal_zoom, lambda c: rotate_passcode(c, CLASS))
    assert rotated.passcode.isdigit() and len(rotated.passcode) == 9
    assert state.meeting(CLASS).password == rotated.passcode


def test_a_running_meeting_keeps_its_passcode(rehearsal_zoom: RehearsalZoom) -> None:  # noqa: F811
    state = rehearsal_zoom.server.state
    state.start_meeting(CLASS)
    with pytest.raises(MeetingAlreadyRunning, match="pupils holding the invitation would be turned away"):
        _run(rehearsal_zoom, lambda c: rotate_passcode(c, CLASS))
    assert state.meeting(CLASS).password == "Lx7q2Hw9"
    assert rehearsal_zoom.sent("PATCH") == []


def test_when_the_days_updates_are_spent_the_old_passcode_stands(rehearsal_zoom: RehearsalZoom) -> None:  # noqa: F811
    state = rehearsal_zoom.server.state
    for _ in range(100):
        state.update_meeting(ASSEMBLY, {})
    with pytest.raises(UpdateBudgetExhausted) as caught:
        _run(rehearsal_zoom, lambda c: rotate_passcode(c, CLASS))
    assert "daily limit" in caught.value.user_text()
    assert state.meeting(CLASS).password == "Lx7q2Hw9"


def test_the_rotated_value_hides_its_secrets() -> None:
    from zoomhost.zoom.client import UpdateReceipt

    value = RotatedPasscode(
        meeting_id="85746065432",
        passcode="q7Rm2kX9pa",
        join_url="https://zoom.us/j/85746065432?pwd=abc",
        receipt=UpdateReceipt(remaining_today=12, is_low=False),
    )
    assert "q7Rm2kX9pa" not in repr(value) and "pwd" not in repr(value)
    assert "85746065432" in repr(value)
