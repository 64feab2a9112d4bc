"""What reaches the log when an error carries Zoom's own data: never a passcode, a token or a join link."""

from __future__ import annotations

import io
import json
import logging

from zoomhost.system.redact import RedactingFilter
from zoomhost.zoom.client import Registration


def _logged(message: str, *args: object, exc: BaseException | None = None) -> str:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("zoomhost.test.redact")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        if exc is None:
            logger.warning(message, *args)
        else:
            try:
                raise exc
            except type(exc):
                logger.exception(message, *args)
    finally:
        logger.removeHandler(handler)
    return out.getvalue()


def test_a_meeting_printed_in_an_exception_keeps_its_passcode_and_links_out() -> None:
    meeting = {
        "id": 81234567890,
        "password": "Kq7!xZ2p",
        "join_url": "http://127.0.0.1:5000/j/81234567890",
        "start_url": "http://127.0.0.1:5000/s/81234567890?zak=HOSTSTARTTOKEN",
    }
    text = _logged("could not read the meeting", exc=ValueError(f"unexpected answer {meeting!r}"))
    assert "81234567890" in text  # the meeting number is not a secret and helps whoever reads the log
    for secret in ("Kq7!xZ2p", "/j/81234567890", "HOSTSTARTTOKEN"):
        assert secret not in text


def test_a_familys_own_link_is_kept_out_wherever_it_turns_up() -> None:
    link = "http://127.0.0.1:5000/w/81234567890?tk=FAMILYTOKEN"
    registration = Registration(email="parent@example.org", registrant_id="r1", join_url=link)
    text = _logged("registered %s; Zoom said %s", registration, json.dumps({"join_url": link, "password": 'a"b'}))
    assert "FAMILYTOKEN" not in text
    assert '"password": "[redacted]"}' in text  # a quote inside the passcode does not end the masking early
    assert "registrant_id='r1'" in text  # the rest of the line is still there to read
