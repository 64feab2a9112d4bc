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


# -- every shape a secret turns up in -------------------------------------------------------------
def test_a_url_encoded_join_link_and_token_are_kept_out() -> None:
    from urllib.parse import quote

    link = "https://us02web.zoom.us/j/81234567890?pwd=Zm9vYmFyYmF6"
    text = _logged("redirected to %s", f"https://sso.school.example/login?next={quote(link, safe='')}&lang=en")
    twice = _logged("redirected to %s", quote(quote(link, safe=""), safe=""))
    token = _logged("callback: %s", "https://127.0.0.1:8080/cb?state=x%26access_token%3DTOKENVALUE123%26expires%3D3600")
    for line in (text, twice):
        assert "81234567890" not in line and "Zm9vYmFyYmF6" not in line and "[redacted-join-link]" in line
    assert "TOKENVALUE123" not in token and "expires%3D3600" in token  # what follows the token is still there


def test_a_registered_secret_is_found_url_encoded_and_json_escaped() -> None:
    from urllib.parse import quote, quote_plus

    from zoomhost.system.redact import register_secret

    secret = 'Kq+/7="xZ2p!'  # a passcode full of characters that encode
    register_secret(secret)
    text = _logged("sent %s, %s and %s", quote(secret, safe=""), quote_plus(secret), json.dumps({"note": secret}))
    assert "Kq" not in text and text.count("[redacted]") == 3


def test_json_nested_as_an_escaped_string_keeps_its_secrets_out() -> None:
    inner = {"id": 81234567890, "password": 'se"cret', "join_url": "http://127.0.0.1:5000/j/81234567890", "topic": "Assembly"}
    frame = json.dumps({"module": "message", "content": json.dumps({"payload": {"object": inner}})})
    twice = json.dumps({"content": frame})
    cut = frame[: frame.index("password") + 30]  # a frame cut short for the log: no longer valid JSON
    for text in (_logged("frame %s", frame), _logged("frame %s", twice), _logged("frame %s", cut)):
        assert "se" + '\\\\"cret' not in text and "cret" not in text, text
        assert "/j/81234567890" not in text
    assert "Assembly" in _logged("frame %s", frame)  # the rest is still readable, and still JSON
    assert json.loads(json.loads(_logged("%s", frame).strip())["content"])["payload"]["object"]["password"] == "[redacted]"


def test_unquoted_password_and_passcode_forms_are_kept_out() -> None:
    text = _logged(
        "Zoom said: Meeting ID: 812 3456 7890 Passcode: 829301; password = 'two words'; passcode=Abc123 pwd:Xy9 "
        "sdk_secret: q1w2e3r4"
    )
    for secret in ("829301", "two words", "Abc123", "Xy9", "q1w2e3r4"):
        assert secret not in text, secret
    assert "Meeting ID: 812 3456 7890" in text and text.count("[redacted]") == 5


def test_a_numeric_passcode_is_kept_out_without_cutting_meeting_numbers() -> None:
    from zoomhost.system.redact import register_secret

    register_secret("123456")
    register_secret("12345678")  # Zoom allows ten-digit passcodes: still never inside a longer number
    text = _logged(
        "meeting %s: %s; dial-in code 123456, pstn %s", 81234567890, json.dumps({"pstn_password": 9182736450}), "12345678"
    )
    assert "81234567890" in text  # the meeting number stays whole
    assert "123456," not in text and "9182736450" not in text and "12345678" not in text.replace("81234567890", "")


def test_a_short_secret_is_masked_without_masking_ordinary_words_and_numbers() -> None:
    from zoomhost.system.redact import register_secret

    for secret in ("a1!", "ab", "7", "Zq4"):
        register_secret(secret)
    text = _logged("attempt 7 of 9: about a tab; code a1! and Zq4, passcode: ab")
    assert "a1!" not in text and "Zq4" not in text and "passcode: [redacted]" in text
    assert text.startswith("attempt 7 of 9: about a tab;")  # no ordinary word or number was touched


def test_registration_links_are_kept_out() -> None:
    text = _logged(
        "registered at %s and %s; %s",
        "https://us02web.zoom.us/meeting/register/tJ0sdOGrqD8pGdRwZfLqK7Mx",
        "https://school.zoom.us/webinar/register/WN_4Pq7rS2tQ",
        json.dumps({"registration_url": "http://127.0.0.1:5000/meeting/register/81234567890"}),
    )
    assert "tJ0sd" not in text and "WN_4Pq" not in text and "/register/81234567890" not in text
    assert text.count("[redacted-join-link]") == 2 and '"registration_url": "[redacted]"' in text


def test_redacting_twice_changes_nothing_more() -> None:
    from zoomhost.system.redact import redact

    once = redact('pwd=abc&x=1 password: hunter2 {"password": 123456} Bearer abc.def')
    assert redact(once) == once and "hunter2" not in once


def test_a_meeting_read_from_zoom_has_its_passcodes_masked_in_every_later_line() -> None:
    import asyncio

    from tests.assistant.helpers import zoom_client
    from zoomhost.rehearsal.server import RehearsalServer
    from zoomhost.rehearsal.state import ZoomState

    state = ZoomState()
    meeting_id = state.class_meeting_id
    state.meeting(meeting_id).password = "802271"  # a numeric passcode, as phone dial-in needs

    async def read() -> dict[str, object]:
        async with zoom_client(server) as zoom:
            return await zoom.get_meeting(meeting_id)

    with RehearsalServer(state=state) as server:
        meeting = asyncio.run(read())
    assert meeting["pstn_password"] == "802271"
    text = _logged("the teacher dialled in and typed 802271# for meeting %s", meeting_id)
    assert "802271" not in text and str(meeting_id) in text
