"""Fault switches, in-process and through the admin route another process uses."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx
import pytest

from tests.rehearsal.contract import check_all
from tests.rehearsal.fixtures import api_client, rehearsal_server  # noqa: F401
from zoomhost.rehearsal.faults import RetryAfter
from zoomhost.rehearsal.server import RehearsalServer


@pytest.mark.parametrize("form", list(RetryAfter))
def test_a_429_storm_carries_the_chosen_retry_after_then_passes(rehearsal_server: RehearsalServer, form: RetryAfter) -> None:
    rehearsal_server.faults.rate_limit_next(2, retry_after=form, seconds=30)
    path = f"/meetings/{rehearsal_server.state.assembly_meeting_id}"
    with api_client(rehearsal_server) as api:
        storm = [api.get(path) for _ in range(2)]
        after = api.get(path)
    assert [r.status_code for r in storm] == [429, 429] and after.status_code == 200
    header = storm[0].headers.get("Retry-After")
    if form is RetryAfter.ABSENT:
        assert header is None
    elif form is RetryAfter.SECONDS:
        assert header == "30"
    elif form is RetryAfter.HTTP_DATE:
        assert 25 <= (parsedate_to_datetime(header) - datetime.now(UTC)).total_seconds() <= 31
    else:
        when = datetime.strptime(header, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        assert 25 <= (when - datetime.now(UTC)).total_seconds() <= 31
    check_all(rehearsal_server.exchanges, [])


def test_a_server_error_burst_then_recovery(rehearsal_server: RehearsalServer) -> None:
    rehearsal_server.faults.server_errors_next(3, status=502)
    with api_client(rehearsal_server) as api:
        statuses = [api.get(f"/meetings/{rehearsal_server.state.class_meeting_id}").status_code for _ in range(4)]
    assert statuses == [502, 502, 502, 200]
    with pytest.raises(ValueError):
        rehearsal_server.faults.server_errors_next(1, status=404)


def test_added_latency_slows_every_answer(rehearsal_server: RehearsalServer) -> None:
    with api_client(rehearsal_server) as api:
        rehearsal_server.faults.set_latency(250)
        began = time.monotonic()
        api.get(f"/meetings/{rehearsal_server.state.class_meeting_id}")
        slow = time.monotonic() - began
    assert slow >= 0.25


def test_another_process_switches_faults_over_http(rehearsal_server: RehearsalServer) -> None:
    admin = f"{rehearsal_server.oauth_base}/_rehearsal/faults"
    status = httpx.post(admin, json={"rate_limit": {"count": 1, "retry_after": "http_date", "seconds": 2}, "latency_ms": 5}).json()
    assert status["rate_limited_pending"] == 1 and status["retry_after"] == "http_date" and status["latency_ms"] == 5
    with api_client(rehearsal_server) as api:
        assert api.get(f"/meetings/{rehearsal_server.state.class_meeting_id}").status_code == 429
    assert httpx.post(admin, json={"expire_tokens": True, "drop_websockets": True}).json()["injected"]["token_expiries"] == 1
    assert httpx.post(admin, json={"reset": True}).json()["latency_ms"] == 0
    unknown = httpx.post(admin, json={"explode": True})
    assert unknown.status_code == 400 and "explode" in unknown.json()["message"]
    assert httpx.post(admin, json={"rate_limit": {"count": 1, "retry_after": "tomorrow"}}).status_code == 400
