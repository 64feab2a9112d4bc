"""What can go wrong talking to Zoom, as one typed tree, in words a teacher can act on.

Zoom answers errors as ``{"code": N, "message": "…"}``; :func:`error_from_response`
turns an HTTP answer into the right subclass, keeping Zoom's code and message for the
log and support, and adding a sentence and a hint for the person at the keyboard.
"""

from __future__ import annotations

import email.utils
import json
import re
from datetime import datetime, timezone

import httpx

from zoomhost.core.errors import ZoomhostError
from zoomhost.core.zoom_times import zoom_time
from zoomhost.system.redact import redact
from zoomhost.zoom.tls import UNTRUSTED, untrusted_certificate


class ZoomError(ZoomhostError):
    """Zoom refused or could not be reached. ``code``/``message`` are Zoom's own, when it sent them."""

    default_hint: str | None = None

    def __init__(
        self,
        sentence: str,
        *,
        hint: str | None = None,
        code: int | None = None,
        message: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(sentence, hint=hint if hint is not None else self.default_hint)
        self.code = code
        self.message = message
        self.status = status


class AuthError(ZoomError):
    default_hint = "Check the Zoom app credentials with `zoomhost credentials show`, or sign in again."


class NotFound(ZoomError):
    default_hint = "Check the meeting ID in the Zoom web portal."


class RateLimited(ZoomError):
    default_hint = "Wait a minute and try again; nothing was changed."

    def __init__(self, sentence: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(sentence, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class PlanDoesNotAllow(ZoomError):
    default_hint = "This needs a Zoom plan or setting the school's account does not have; ask the school's Zoom administrator."


class NotPermitted(ZoomError):
    """The sign-in in use lacks the permission (OAuth scope) the call needs: Zoom's 4711."""

    default_hint = (
        "A teacher's own Zoom sign-in cannot do this (it needs an admin's permission); use the school's "
        "Server-to-Server app, or ask the school's Zoom administrator to add the missing scope to the app."
    )


#: Zoom's code for a token that lacks the operation's scopes ("Invalid access token, does not contain scopes:[…]").
MISSING_SCOPE = 4711


class BadRequest(ZoomError):
    default_hint = "Nothing was changed. If this keeps happening, send the log file to whoever supports zoomhost."


class ServerError(ZoomError):
    default_hint = "Zoom is having trouble; try again in a few minutes, or use the Zoom web portal."


class ConnectionFailed(ZoomError):
    default_hint = "Check the internet connection, then try again."


class TimedOut(ZoomError):
    default_hint = "Zoom is slow to answer; try again. If it is urgent, use the Zoom client's own controls."


class AnswerTooLarge(ZoomError):
    """Zoom (or whatever answers at its address) sent more than any answer zoomhost asks for; it was not read."""

    default_hint = "Nothing was changed. Check the Zoom API address in Settings; if it is Zoom's own, try again later."


class UpdateBudgetExhausted(ZoomError):
    default_hint = (
        "Zoom allows 100 changes to a host's meetings per day; make the remaining changes in the Zoom web portal, "
        "or try again tomorrow."
    )


# Zoom codes with a sentence of their own (the documents list them per operation).
_SENTENCES: dict[int, str] = {
    124: "Zoom did not accept the sign-in token ({code}).",
    1001: "Zoom says this user does not exist ({code}).",
    1120: "Zoom says this user has not accepted the invitation to the school's account ({code}).",
    3001: "Zoom says this meeting does not exist ({code}).",
    3000: "Zoom cannot open this meeting's information ({code}).",
    3161: "Zoom does not allow this user account to host or schedule meetings ({code}).",
    3038: "The meeting is over, so Zoom no longer accepts registrations ({code}).",
    3043: "The meeting has reached its maximum number of attendees ({code}).",
    303: "Per-pupil registration only works for scheduled meetings (meeting type 2) ({code}).",
    300: "Zoom rejected the request as invalid ({code}).",
    12702: "Zoom keeps meeting records for a year only ({code}).",
}
_USER_HINTS: dict[int, str] = {
    1001: "Check the host's email address or user ID in the Zoom web portal.",
    1120: "Ask the school's Zoom administrator to send the invitation again.",
    3161: "Ask the school's Zoom administrator to give this user a licence that can host meetings.",
}
_PLAN_WORDS = re.compile(r"(?i)paid account|plan is missing|business or higher|dashboard feature|does not have plan|upgrade")


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds, an HTTP date, or an ISO 8601 date.

    Returns None when the header is absent or unreadable (the caller then backs off on its own);
    a date in the past means "now" (0).
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    now = now or datetime.now(timezone.utc)
    when: datetime | None = None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        when = None
    if when is None:
        when = zoom_time(text)
        if when is None:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


def _zoom_body(response: httpx.Response) -> tuple[int | None, str | None]:
    try:
        body = json.loads(response.content or b"null")
    except (ValueError, UnicodeDecodeError):
        return None, None
    if not isinstance(body, dict):
        return None, None
    code = body.get("code")
    message = body.get("message") or body.get("reason") or body.get("error_description") or body.get("error")
    return (code if isinstance(code, int) and not isinstance(code, bool) else None), (
        redact(str(message))[:300] if message is not None else None
    )


def error_from_response(response: httpx.Response, *, what: str = "this") -> ZoomError:
    """The typed error for a non-success answer from Zoom (the body must already be read)."""
    status = response.status_code
    code, message = _zoom_body(response)
    facts = {"code": code, "message": message, "status": status}
    code_text = code if code is not None else status
    sentence = _SENTENCES.get(code, "").format(code=code_text) if code is not None else ""
    hint = _USER_HINTS.get(code) if code is not None else None

    if code == MISSING_SCOPE:
        return NotPermitted(f"The Zoom sign-in zoomhost uses is not allowed to read or change {what} ({code}).", **facts)
    if message and _PLAN_WORDS.search(message):
        return PlanDoesNotAllow(sentence or f"The school's Zoom plan does not allow {what} ({code_text}).", hint=hint, **facts)
    if status == 429:
        if message and "daily" in message.lower():
            return UpdateBudgetExhausted(
                f"Zoom's daily limit of changes for this host is used up ({code_text}).", hint=hint, **facts
            )
        wait = parse_retry_after(response.headers.get("Retry-After"))
        return RateLimited(
            f"Zoom is receiving too many requests from the school's account ({code_text}).",
            retry_after=wait,
            hint=hint,
            **facts,
        )
    if status == 401 or code == 124:
        return AuthError(sentence or f"Zoom did not accept zoomhost's sign-in ({code_text}).", hint=hint, **facts)
    if status == 403:
        return AuthError(
            sentence or f"Zoom says the school's Zoom app is not allowed to do {what} ({code_text}).",
            hint=hint or "Ask the school's Zoom administrator to add the missing scope to the app.",
            **facts,
        )
    if status == 404 or code in (3001, 1001):
        return NotFound(sentence or f"Zoom could not find {what} ({code_text}).", hint=hint, **facts)
    if status >= 500:
        return ServerError(f"Zoom had an internal problem answering ({status}).", hint=hint, **facts)
    if status == 408:
        return TimedOut(f"Zoom took too long to answer ({status}).", hint=hint, **facts)
    extra = f" Zoom said: {message}" if message and not sentence else ""
    return BadRequest((sentence or f"Zoom refused {what} ({code_text}).") + extra, hint=hint, **facts)


def error_from_exception(exc: httpx.TransportError, *, what: str = "the request") -> ZoomError:
    """A typed error for a failure below HTTP (no answer at all)."""
    if isinstance(exc, httpx.TimeoutException):
        return TimedOut(f"Zoom did not answer {what} in time.")
    if untrusted_certificate(exc):
        host = exc.request.url.host if _has_request(exc) else "Zoom"
        return ConnectionFailed(UNTRUSTED.format(host=host))
    return ConnectionFailed(f"zoomhost could not reach Zoom for {what}.")


def _has_request(exc: httpx.TransportError) -> bool:
    try:
        exc.request  # noqa: B018 - httpx raises when the error has no request
    except RuntimeError:
        return False
    return True
