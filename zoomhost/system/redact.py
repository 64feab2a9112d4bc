"""Keep secrets, passcodes and join links out of every log line and file.

Known secret values are registered at run time (when credentials are read or a token
arrives); patterns catch the shapes that carry them (bearer tokens, JWTs, join links,
``pwd=``/``access_token=`` query parameters). A logging filter applies both to every record.
"""

from __future__ import annotations

import logging
import re
import threading

_lock = threading.Lock()
_secrets: set[str] = set()

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+"), "Bearer [redacted]"),
    (re.compile(r"(?i)\bbasic\s+[A-Za-z0-9+/=]{8,}"), "Basic [redacted]"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), "[redacted-jwt]"),
    (re.compile(r"(?i)https?://[^\s\"'<>]*zoom(gov)?\.(us|com)/(j|w|s|wc|my)/[^\s\"'<>]*"), "[redacted-join-link]"),
    (
        # tk= is a registrant's own join token, zak= the host's start token in a start link
        re.compile(r"(?i)\b(pwd|passcode|password|access_token|refresh_token|client_secret|token|secret|tk|zak)=([^&\s\"']+)"),
        r"\1=[redacted]",
    ),
    (
        # JSON, and Python's repr of a dict (single quotes), as they turn up in exception texts
        re.compile(
            r"(?i)([\"'](?:password|passcode|access_token|refresh_token|client_secret|h323_password|pstn_password"
            r"|encrypted_password|join_url|start_url|registration_url)[\"']\s*:\s*)([\"'])(?:\\.|(?!\2).)*\2"
        ),
        r"\1\2[redacted]\2",
    ),
)


def register_secret(value: str | None) -> None:
    """Remember a secret so that it is masked wherever it turns up later."""
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)


def forget_secrets() -> None:
    with _lock:
        _secrets.clear()


def redact(text: str) -> str:
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, "[redacted]")
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True
