"""Keep secrets, passcodes and join links out of every log line and file.

Known secret values are registered at run time (when credentials are read, a token arrives
or a meeting's passcode is read); patterns catch the shapes that carry them whatever their
value: bearer tokens, JWTs, join and registration links, and a secret named by its key
(``pwd=…``, ``password: …``, ``"passcode": 123456``, ``access_token%3D…``), in JSON, in
Python's repr, URL-encoded, or as JSON nested inside a JSON string. A logging filter applies
both to every record.

How a registered value is found depends on its length, so that redaction never eats
ordinary words and numbers:

- 8 characters or more: wherever it appears, also URL-encoded or escaped as in JSON;
- 4 to 7 characters (a short passcode), and a numeric passcode of any length: only as a
  whole, never inside a longer run of letters and digits (a passcode 1234 or 12345678 does
  not cut meeting 81234567890 in two);
- under 4 characters: as a whole when it mixes letters, digits and other characters;
  a plain short word or number ("abc", "123") only where a key names it, since the same
  letters are everywhere in ordinary text.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from urllib.parse import quote, quote_plus

_lock = threading.Lock()
_secrets: set[str] = set()
_matcher: re.Pattern[str] | None = None
_MAX_NESTING = 4  # JSON inside a JSON string inside … : deeper than any real message

# The percent-encoded forms of ':', '/', '=' and '&', once or more (a link inside a link's query).
_COLON, _SLASH, _EQUALS, _AMP = (rf"(?:{c}|%(?:25)*{hx})" for c, hx in ((":", "3A"), ("/", "2F"), ("=", "3D"), ("&", "26")))
# Keys whose value is a secret, wherever they turn up.
_KEYS = (
    r"pwd|passcode|password|h323_password|pstn_password|encrypted_password|access_token|refresh_token|id_token"
    r"|client_secret|sdk_secret|secret|token|tk|zak|join_url|start_url|registration_url"
)
_LINK_PATHS = rf"(?:j|w|s|wc|my|meeting{_SLASH}register|webinar{_SLASH}register)"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+"), "Bearer [redacted]"),
    (re.compile(r"(?i)\bbasic\s+[A-Za-z0-9+/=]{8,}"), "Basic [redacted]"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), "[redacted-jwt]"),
    # Join, start and registration links, as typed or URL-encoded inside another address.
    (
        re.compile(rf"(?i)https?{_COLON}{_SLASH}{_SLASH}[^\s\"'<>]*?zoom(?:gov)?\.(?:us|com){_SLASH}{_LINK_PATHS}{_SLASH}[^\s\"'<>]*"),
        "[redacted-join-link]",
    ),
    (
        # JSON, and Python's repr of a dict (single quotes), as they turn up in exception texts
        re.compile(rf"(?i)([\"'](?:{_KEYS})[\"']\s*:\s*)([\"'])(?:\\.|(?!\2).)*\2"),
        r"\1\2[redacted]\2",
    ),
    # The same with an escaped quote (JSON inside a JSON string) that was cut short, so could not be read whole.
    # (the value runs to the next quote escaped as its own opening quote is, or to the end).
    (
        re.compile(rf"(?is)((\\+)([\"'])(?:{_KEYS})\2\3\s*:\s*\2\3).*?(?=(?<!\\)\2\3|\Z)"),
        r"\1[redacted]",
    ),
    # A number where a passcode goes: "password": 123456
    (re.compile(rf"(?i)(\\*[\"'](?:{_KEYS})\\*[\"']\s*:\s*)\d+"), r"\1[redacted]"),
    # A key written out: pwd=x, passcode: x, password = "x y", ?access_token%3Dx (up to & or %26).
    (
        re.compile(
            rf"(?i)(?:(?<![\w\"'\\])|(?<=%26)|(?<=%3F)|(?<=2526)|(?<=253F))((?:{_KEYS})(?:\s*[:=]\s*|{_EQUALS}))(?!\[redacted)"
            rf"(\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|(?:(?!{_AMP})[^\s\"'<>,;)\]}}])+)"
        ),
        r"\1[redacted]",
    ),
)
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def register_secret(value: str | None) -> None:
    """Remember a secret so that it is masked wherever it turns up later (see the module's notes on short ones)."""
    global _matcher
    if not value:
        return
    with _lock:
        if value not in _secrets:
            _secrets.add(value)
            _matcher = None


def forget_secrets() -> None:
    global _matcher
    with _lock:
        _secrets.clear()
        _matcher = None


def _forms(secret: str) -> set[str]:
    """The secret as written, URL-encoded (once and twice, either way) and escaped as in JSON."""
    once = quote(secret, safe="")
    return {secret, once, quote_plus(secret), quote(once, safe=""), json.dumps(secret, ensure_ascii=False)[1:-1]}


def _mixes_kinds(secret: str) -> bool:
    kinds = (any(c.isalpha() for c in secret), any(c.isdigit() for c in secret), any(not c.isalnum() for c in secret))
    return sum(kinds) >= 2


def _build(secrets: set[str]) -> re.Pattern[str] | None:
    anywhere: set[str] = set()
    whole: set[str] = set()
    for secret in secrets:
        if len(secret) >= 8 and not secret.isdigit():
            anywhere |= _forms(secret)
        elif len(secret) >= 4 or _mixes_kinds(secret):
            whole |= _forms(secret)
    alternatives = []
    if anywhere:
        alternatives.append("|".join(re.escape(f) for f in sorted(anywhere, key=len, reverse=True)))
    if whole:
        words = "|".join(re.escape(f) for f in sorted(whole, key=len, reverse=True))
        alternatives.append(rf"(?<![^\W_])(?:{words})(?![^\W_])")
    return re.compile("|".join(f"(?:{a})" for a in alternatives)) if alternatives else None


def _registered() -> re.Pattern[str] | None:
    global _matcher
    with _lock:
        if _matcher is None and _secrets:
            _matcher = _build(_secrets)
        return _matcher


def redact(text: str) -> str:
    return _redact(text, 0)


def _redact(text: str, depth: int) -> str:
    if depth < _MAX_NESTING and '\\"' in text:
        text = _JSON_STRING.sub(lambda m: _nested(m.group(0), depth), text)
    matcher = _registered()
    if matcher is not None:
        text = matcher.sub("[redacted]", text)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _nested(literal: str, depth: int) -> str:
    """A JSON string that holds JSON of its own: redact what it says, then write it as a JSON string again."""
    if '\\"' not in literal:
        return literal
    try:
        inner = json.loads(literal)
    except ValueError:
        return literal
    cleaned = _redact(inner, depth + 1)
    return literal if cleaned == inner else json.dumps(cleaned, ensure_ascii=False)


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
