"""Zoom's error answers become typed errors with a sentence a teacher can act on.

These shapes (a 404 with code 3001, a 429 with each kind of Retry-After, an invalid
token) are fed through httpx.MockTransport because they are the error shapes themselves
under test; the same paths run over real sockets against the rehearsal server elsewhere.
"""

from __future__ import annotations

import email.utils
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from zoomhost.core.errors import ZoomhostError
from zoomhost.zoom import errors
from zoomhost.zoom.errors import error_from_response, parse_retry_after

NOW = datetime(2025, 3, 4, 9, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("7", 7.0),
        ("0.5", 0.5),
        (email.utils.format_datetime(NOW + timedelta(seconds=30), usegmt=True), 30.0),
        ((NOW + timedelta(seconds=12)).isoformat().replace("+00:00", "Z"), 12.0),
        ((NOW + timedelta(seconds=5)).isoformat(), 5.0),
        ((NOW - timedelta(minutes=5)).isoformat(), 0.0),
        (None, None),
        ("", None),
        ("soon", None),
    ],
)
def test_retry_after_reads_seconds_http_dates_and_iso_dates(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == expected


def _answer(status: int, body: object | None = None, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def test_unknown_meeting_is_not_found_with_zooms_code_and_a_next_step() -> None:
    err = error_from_response(_answer(404, {"code": 3001, "message": "Meeting does not exist: 81234567890."}))
    assert isinstance(err, errors.NotFound)
    assert isinstance(err, ZoomhostError)
    assert (err.code, err.status) == (3001, 404)
    assert err.message == "Meeting does not exist: 81234567890."
    assert err.user_text() == (
        "Zoom says this meeting does not exist (3001). Check the meeting ID in the Zoom web portal."
    )


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (401, {"code": 124, "message": "Invalid access token."}, errors.AuthError),
        (400, {"code": 124, "message": "Access token is expired."}, errors.AuthError),
        (403, {"code": 104, "message": "Invalid access token, does not contain scopes."}, errors.AuthError),
        (404, {"code": 1001, "message": "User does not exist: x."}, errors.NotFound),
        (400, {"code": 300, "message": "Invalid enforce_login_domains."}, errors.BadRequest),
        (400, {"code": 4711, "message": "Invalid access token, does not contain scopes:[account:read:settings:admin]."}, errors.NotPermitted),
        (400, {"code": 200, "message": "Only available for Paid account."}, errors.PlanDoesNotAllow),
        (
            400,
            {"code": 400, "message": "This API is only available for ZMP and Business or higher accounts that have enabled the Dashboard feature."},
            errors.PlanDoesNotAllow,
        ),
        (429, {"code": 429, "message": "You have reached the maximum per-second rate limit."}, errors.RateLimited),
        (429, {"code": 429, "message": "You have exceeded the daily rate limit (100) of Meeting Update API requests."}, errors.UpdateBudgetExhausted),
        (500, None, errors.ServerError),
        (503, {"code": 503, "message": "Service unavailable"}, errors.ServerError),
    ],
)
def test_each_kind_of_refusal_has_its_own_type(status: int, body: object, kind: type[errors.ZoomError]) -> None:
    err = error_from_response(_answer(status, body))
    assert type(err) is kind
    assert err.status == status
    text = err.user_text()
    assert text.endswith((".", ")")) and err.hint, text


def test_rate_limited_carries_the_wait_zoom_asked_for() -> None:
    err = error_from_response(_answer(429, {"code": 429, "message": "Too many requests"}, {"Retry-After": "3"}))
    assert isinstance(err, errors.RateLimited)
    assert err.retry_after == 3.0


def test_a_body_that_is_not_json_still_gives_a_typed_error() -> None:
    err = error_from_response(httpx.Response(502, text="<html>Bad gateway</html>"))
    assert isinstance(err, errors.ServerError)
    assert err.code is None


def test_zooms_message_is_redacted_before_it_is_kept() -> None:
    err = error_from_response(
        _answer(400, {"code": 3000, "message": "Cannot use https://school.zoom.us/j/81234567890?pwd=abc123 here"})
    )
    assert "abc123" not in (err.message or "") and "pwd=abc123" not in str(err)


def test_no_answer_at_all_is_a_connection_or_timeout_error() -> None:
    request = httpx.Request("GET", "https://example.invalid/")
    assert isinstance(errors.error_from_exception(httpx.ConnectError("refused", request=request)), errors.ConnectionFailed)
    assert isinstance(errors.error_from_exception(httpx.ReadTimeout("slow", request=request)), errors.TimedOut)

