"""Sign-in and settings: secrets into the real keyring (never settings.json), and Test connection line by line.

The keyring tests need a Secret Service: run them with tests/in-keyring-session.sh.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace

import httpx
import keyring
import keyring.backends.fail
import pytest
from PySide6.QtCore import Qt

from tests.assistant.glib import glib_pythonpath
from tests.conftest import REPO, require
from tests.ui.app_helpers import WAIT_MS, rehearsal_server, services  # noqa: F401 - fixtures
from zoomhost.system import config
from zoomhost.app.services import Services, build_services
from zoomhost.rehearsal.server import RehearsalServer
from zoomhost.ui.settings_page import SettingsPage
from zoomhost.zoom.credentials import SERVICE, CredentialStore
from zoomhost.zoom.scopes import SERVER_TO_SERVER_SCOPES


def guide_scopes(server: RehearsalServer) -> None:
    """The rehearsal's Server-to-Server app is given exactly the scopes the setup guide lists, as a school's would be."""
    server.credentials = replace(server.credentials, scopes=SERVER_TO_SERVER_SCOPES)


def make_page(qtbot, services: Services, **kwargs) -> SettingsPage:  # noqa: ANN001, ANN003
    page = SettingsPage(services=services, **kwargs)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.keyring_state is not None, timeout=WAIT_MS)
    return page


def result_lines(page: SettingsPage) -> dict[str, tuple[str, str]]:
    """What -> (status, text) for each line of the connection test."""
    lines = {}
    for row in range(1, page.results.count()):
        item = page.results.item(row)
        word_and_what, _, text = item.text().partition(": ")
        lines[word_and_what.split(" — ", 1)[1]] = (item.data(Qt.ItemDataRole.UserRole), text)
    return lines


def run_test(qtbot, page: SettingsPage) -> dict[str, tuple[str, str]]:  # noqa: ANN001
    page.results.clear()
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.results.count() > 1, timeout=WAIT_MS)
    return result_lines(page)


@pytest.fixture
def real_keyring() -> Iterator[CredentialStore]:
    store = CredentialStore()
    require(store.is_persistent, "needs a Secret Service keyring: run with tests/in-keyring-session.sh")
    store.clear()
    yield store
    store.clear()


@pytest.fixture
def assistant_can_run(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # noqa: ANN001
    """This computer as the host assistant needs it: GLib's Python bindings for the Python that starts it."""
    folder = glib_pythonpath(tmp_path / "glib")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (folder, str(REPO), os.environ.get("PYTHONPATH", "")) if p))


def test_connection_test_against_the_rehearsal_says_what_works(qtbot, services, rehearsal_server, assistant_can_run) -> None:  # noqa: F811
    rehearsal_server.state.plan = "business"  # a plan with the Dashboard: every line can pass
    guide_scopes(rehearsal_server)
    page = make_page(qtbot, services)
    lines = run_test(qtbot, page)
    assert "rehearsal Zoom" in page.results.item(0).text()
    assert {what: status for what, (status, _) in lines.items()} == {
        "Sign-in": "pass",
        "Scopes": "pass",
        "Reading meetings": "pass",
        "Reading the host's settings": "pass",
        "Host's licence": "pass",
        "Meeting changes left today": "pass",
        "Reading the account's settings": "pass",
        "Dashboard (who is in a meeting)": "pass",
        "Event subscription": "pass",
        "Host assistant on this computer": "pass",
        "Assistant's Zoom sign-in": "unknown",  # no Zoom user is set for the assistant: not tried, and says so
    }
    assert "answered" in lines["Event subscription"][1]
    assert "3 upcoming meetings" in lines["Reading meetings"][1]  # the assembly, the class and the staff meeting
    assert page.results.item(1).icon() is not None and page.results.item(1).text().startswith("Pass — ")


def test_a_plan_without_the_dashboard_is_named(qtbot, services, rehearsal_server, assistant_can_run) -> None:  # noqa: F811
    rehearsal_server.state.plan = "pro"
    page = make_page(qtbot, services)
    lines = run_test(qtbot, page)
    status, text = lines["Dashboard (who is in a meeting)"]
    assert status == "fail" and "lacks the Dashboard" in text
    assert lines["Reading meetings"][0] == "pass"
    assert page.messages.kind == "warn" and "1 thing did not work" in page.messages.text.text()


def test_a_wrong_subscription_fails_its_line_only(qtbot, services, rehearsal_server) -> None:  # noqa: F811
    assert services.connection.settings.subscription_id == rehearsal_server.subscription_id
    rehearsal_server.subscription_id = "renewed-since"  # the school's app changed it; zoomhost has the old one
    page = make_page(qtbot, services)
    lines = run_test(qtbot, page)
    assert lines["Event subscription"][0] == "fail" and "subscription" in lines["Event subscription"][1]
    assert lines["Sign-in"][0] == "pass"


def test_secrets_go_to_the_keyring_and_never_to_settings_json(qtbot, real_keyring, rehearsal_server, assistant_can_run) -> None:  # noqa: F811
    zoom = rehearsal_server
    zoom.state.plan = "business"  # so that everything the app relies on can pass
    guide_scopes(zoom)
    creds = zoom.credentials
    with build_services() as services:  # no credentials yet: the app opens in rehearsal
        page = make_page(qtbot, services)
        assert page.field_status["client_secret"].text() == "not set"
        assert page.keyring_warning.isHidden()
        typed = {
            "account_id": creds.account_id,
            "client_id": creds.client_id,
            "client_secret": creds.client_secret,
            "sdk_key": "sdk-key-for-the-assistant",
            "sdk_secret": "sdk-secret-never-on-disk",
            "host_email": zoom.state.users[zoom.state.host_id].email,
            "assistant_user": zoom.state.users[zoom.state.assistant_user_id].email,
            "subscription_id": zoom.subscription_id,
            "api_base": zoom.api_base,
            "oauth_base": zoom.oauth_base,
            "ws_base": zoom.ws_base,
        }
        for name, value in typed.items():
            page.fields[name].setText(value)
        changed = []
        page.connection_changed.connect(changed.append)
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(changed), timeout=WAIT_MS)

        assert keyring.get_password(SERVICE, "client_secret") == creds.client_secret
        assert keyring.get_password(SERVICE, "sdk_secret") == "sdk-secret-never-on-disk"
        saved = config.settings_path().read_text(encoding="utf-8")
        for secret in (creds.client_secret, creds.client_id, creds.account_id, "sdk-secret-never-on-disk", "sdk-key-for-the-assistant"):
            assert secret not in saved
        assert zoom.api_base in saved and zoom.subscription_id in saved
        qtbot.waitUntil(lambda: page.field_status["client_secret"].text().startswith("set (in "), timeout=WAIT_MS)
        assert all(not page.fields[name].text() for name in ("client_secret", "sdk_secret"))  # never shown again
        assert "SecretService" in page.field_status["client_secret"].text() or "keyring" in page.field_status["client_secret"].text()

        connection = changed[-1]
        assert connection.mode == "live" and connection.settings.api_base == zoom.api_base  # a real sign-in now
        lines = run_test(qtbot, page)
        assert "rehearsal" not in page.results.item(0).text()
        assert all(status == "pass" for status, _ in lines.values()), lines


def test_a_memory_only_keyring_is_warned_about(qtbot, services) -> None:  # noqa: F811
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        page = make_page(qtbot, services)
        assert not page.keyring_warning.isHidden()
        text = page.keyring_warning.text()
        assert "memory only" in text and text.count("memory only") == 1 and "forgotten" in text
        assert text.count("no system keyring") <= 1, text  # the reason is said once
    finally:
        keyring.set_keyring(previous)


@pytest.mark.parametrize(
    ("field", "address"),
    [
        ("api_base", "http://zoom.example.org/v2"),
        ("api_base", "http://127.0.0.1.evil.example/v2"),  # starts like this computer's address, but is not
        ("oauth_base", "http://localhost.evil.example"),
        ("oauth_base", "https://zoom.us@evil.example"),  # a user name hides where it really goes
        ("ws_base", "ws://127.0.0.1.evil.example/ws"),
        ("ws_base", "https://ws.zoom.us/ws"),  # not a WebSocket address
        ("api_base", "http://127.0.0.1\\@evil.example/v2"),
    ],
)
def test_an_address_that_is_not_secure_is_refused_and_nothing_saved(qtbot, services, field: str, address: str) -> None:  # noqa: F811
    page = make_page(qtbot, services)
    page.fields[field].setText(address)
    page.save_button.click()
    qtbot.waitUntil(lambda: page.messages.kind == "fail", timeout=WAIT_MS)
    assert "not a secure web address" in page.messages.text.text()
    assert not config.settings_path().exists()


def test_sign_in_with_the_browser_keeps_the_sign_in_in_the_keyring(qtbot, real_keyring, rehearsal_server) -> None:  # noqa: F811
    zoom: RehearsalServer = rehearsal_server
    config.save_settings(config.Settings(api_base=zoom.api_base, oauth_base=zoom.oauth_base, ws_base=zoom.ws_base, auth_mode="user_oauth"))

    async def follow(url: str) -> None:
        """What the teacher's browser does: open Zoom's page and follow it back to zoomhost."""
        async with httpx.AsyncClient(follow_redirects=True, timeout=10) as browser:
            await browser.get(url)

    with build_services() as services:
        page = make_page(qtbot, services, open_browser=follow)
        assert page.user_radio.isChecked() and not page.browser_button.isHidden()
        assert page.signed_in_label.text() == "Not signed in"
        page.fields["client_id"].setText(zoom.credentials.client_id)
        page.fields["client_secret"].setText(zoom.credentials.client_secret)
        page.browser_button.click()
        qtbot.waitUntil(lambda: page.signed_in_label.text().startswith("Signed in"), timeout=WAIT_MS)
        assert keyring.get_password(SERVICE, "user_refresh_token")
        assert keyring.get_password(SERVICE, "client_secret") == zoom.credentials.client_secret

        changed = []
        page.connection_changed.connect(changed.append)
        page.save_button.click()
        qtbot.waitUntil(lambda: bool(changed), timeout=WAIT_MS)
        assert changed[-1].mode == "live" and changed[-1].host_user() == "me"
        assert "signed in" not in config.settings_path().read_text(encoding="utf-8").lower()


def test_the_event_subscription_passes_only_when_zoom_answers(qtbot, services, rehearsal_server) -> None:  # noqa: F811
    """A socket that opens is not enough: while Zoom refuses the event token, the line fails with Zoom's words."""
    rehearsal_server.faults.apply({"refuse_event_tokens": {"seconds": 60}})
    page = make_page(qtbot, services)
    status, text = run_test(qtbot, page)["Event subscription"]
    assert status == "fail" and "Zoom refused the event subscription: Invalid Token" in text
    assert rehearsal_server.event_attempts, "the test did reach the event socket"


def test_a_teachers_own_sign_in_is_told_exactly_what_it_loses(qtbot, real_keyring, rehearsal_server) -> None:  # noqa: F811
    zoom: RehearsalServer = rehearsal_server
    zoom.state.plan = "business"  # the Dashboard exists: what is refused is the sign-in, not the plan
    config.save_settings(
        config.Settings(
            api_base=zoom.api_base, oauth_base=zoom.oauth_base, ws_base=zoom.ws_base, auth_mode="user_oauth",
            subscription_id=zoom.subscription_id,
        )
    )  # fmt: skip

    async def follow(url: str) -> None:
        async with httpx.AsyncClient(follow_redirects=True, timeout=10) as browser:
            await browser.get(url)

    with build_services() as services:
        page = make_page(qtbot, services, open_browser=follow)
        note = page.own_sign_in_note
        assert page.user_radio.isChecked() and note.isVisible()
        for loss in ("Dashboard", "account's settings", "event stream"):
            assert loss in note.text()
        page.s2s_radio.setChecked(True)
        assert not note.isVisible(), "the school's app loses none of it"
        page.user_radio.setChecked(True)
        page.fields["client_id"].setText(zoom.credentials.client_id)
        page.fields["client_secret"].setText(zoom.credentials.client_secret)
        page.browser_button.click()
        qtbot.waitUntil(lambda: page.signed_in_label.text().startswith("Signed in"), timeout=WAIT_MS)
        changed = []
        page.connection_changed.connect(changed.append)
        page.save_button.click()
        qtbot.waitUntil(lambda: bool(changed), timeout=WAIT_MS)
        lines = run_test(qtbot, page)
    assert lines["Sign-in"][0] == "pass" and lines["Reading meetings"][0] == "pass"
    dashboard, account = lines["Dashboard (who is in a meeting)"], lines["Reading the account's settings"]
    assert dashboard[0] == "fail" and "may not use the Dashboard" in dashboard[1] and "admin" in dashboard[1]
    assert account[0] == "fail" and "may not read them" in account[1] and "rename" in account[1]
    assert lines["Event subscription"][0] == "pass"
    status, text = lines["Your own Zoom sign-in"]
    assert status == "warn" and text == note.text()


# -- the school's settings and retention in the window ----------------------------------------------------
def test_import_school_settings_fills_the_page_and_retention_is_editable(qtbot, services, tmp_path, monkeypatch) -> None:  # noqa: F811
    import json

    from PySide6.QtWidgets import QFileDialog

    school = tmp_path / "school.json"
    school.write_text(json.dumps({"subscription_id": "sub-Oakfield", "school_domains": ["oakfield.example"],
                                  "session_retention_days": 21}), encoding="utf-8")
    page = make_page(qtbot, services)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(school), "")))
    qtbot.mouseClick(page.school_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.messages.kind == "pass", timeout=WAIT_MS)
    assert "event subscription ID: sub-Oakfield" in page.messages.text.text()
    assert page.fields["session_retention_days"].text() == "21"
    assert page.fields["school_email_domain"].text() == "oakfield.example"
    assert config.load_settings().session_retention_days == 21

    page.fields["session_retention_days"].setText("0")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.messages.kind == "fail", timeout=WAIT_MS)
    assert "not a number of days to keep sessions" in page.messages.text.text()
    assert config.load_settings().session_retention_days == 21  # nothing saved

    page.fields["session_retention_days"].setText("7")
    changed = []
    page.connection_changed.connect(changed.append)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(changed), timeout=WAIT_MS)
    assert config.load_settings().session_retention_days == 7 and services.settings.session_retention_days == 7


def test_the_registers_refresh_interval_is_editable_and_checked(qtbot, services) -> None:  # noqa: F811
    """Every school setting can be changed in the window: how old the consent register may get before it is out of date."""
    page = make_page(qtbot, services)
    field = page.fields["register_refresh_days"]
    assert field.text() == "" and field.placeholderText() == "never"  # until the school or the teacher says
    field.setText("400")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.messages.kind == "fail", timeout=WAIT_MS)
    assert "not a number of days after which the register is out of date" in page.messages.text.text()
    assert config.load_settings().register_refresh_days == 0  # nothing saved

    field.setText("30")
    changed = []
    page.connection_changed.connect(changed.append)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(changed), timeout=WAIT_MS)
    assert config.load_settings().register_refresh_days == 30 and services.settings.register_refresh_days == 30


def test_a_school_file_with_a_secret_is_refused_in_the_window(qtbot, services, tmp_path) -> None:  # noqa: F811
    import json

    school = tmp_path / "school.json"
    school.write_text(json.dumps({"subscription_id": "sub-Oakfield", "client_secret": "never-anywhere"}), encoding="utf-8")
    page = make_page(qtbot, services)
    page.import_school_file(school)
    qtbot.waitUntil(lambda: page.messages.kind == "fail", timeout=WAIT_MS)
    assert "carries a secret (client_secret)" in page.messages.text.text()
    assert "never-anywhere" not in page.messages.text.text()
    assert page.fields["subscription_id"].text() != "sub-Oakfield" and config.load_settings().subscription_id == ""


def test_the_school_locks_what_it_locks_and_caps_retention(qtbot, services, zoomhost_home) -> None:  # noqa: F811
    import json

    (zoomhost_home / "school.json").write_text(
        json.dumps({"subscription_id": "sub-Oakfield", "session_retention_days": 14, "locked": ["subscription_id"]}), encoding="utf-8"
    )
    page = make_page(qtbot, services)
    assert page.fields["subscription_id"].isReadOnly() and not page.fields["host_email"].isReadOnly()
    assert "school's settings" in page.school_note.text() and "Event subscription ID" in page.school_note.text()
    page.fields["session_retention_days"].setText("90")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.messages.kind == "fail", timeout=WAIT_MS)
    assert "at most 14 days" in page.messages.text.text()


def test_the_schools_register_interval_is_the_longest_a_teacher_may_set(qtbot, services, zoomhost_home) -> None:  # noqa: F811
    """The school asks for a fresh register every 30 days: a teacher may ask for sooner, never for later or never, in the
    window or by editing their own settings file."""
    import json

    (zoomhost_home / "school.json").write_text(json.dumps({"register_refresh_days": 30}), encoding="utf-8")
    services.settings = config.load_settings()
    page = make_page(qtbot, services)
    field = page.fields["register_refresh_days"]
    assert field.text() == "30"
    for typed in ("", "0", "45"):
        field.setText(typed)
        qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.messages.kind == "fail", timeout=WAIT_MS)
        assert "at least every 30 days" in page.messages.text.text(), typed
        page.messages.clear()
    assert config.load_settings().register_refresh_days == 30
    field.setText("14")
    changed = []
    page.connection_changed.connect(changed.append)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(changed), timeout=WAIT_MS)
    assert config.load_settings().register_refresh_days == 14
    config.settings_path().write_text(json.dumps({"register_refresh_days": 0}), encoding="utf-8")  # edited by hand
    assert config.load_settings().register_refresh_days == 30


def test_the_staff_meeting_words_come_from_the_school_and_are_edited_and_checked_here(
    qtbot, services, zoomhost_home, monkeypatch  # noqa: F811
) -> None:
    """The school's staff-meeting topic words show on the page; a teacher's change is checked as the school file's
    is, saved, and what the checklist's profile reads; and a save reads the school's file once, off the GUI thread."""
    import json
    import threading

    (zoomhost_home / "school.json").write_text(
        json.dumps({"staff_meeting_words": ["staff meeting", "teachers' briefing"], "session_retention_days": 14}), encoding="utf-8"
    )
    services.settings = config.load_settings()  # zoomhost starts with the school's file deployed
    page = make_page(qtbot, services)
    assert page.fields["staff_meeting_words"].text() == "staff meeting, teachers' briefing"
    assert not page.fields["staff_meeting_words"].isReadOnly()

    page.fields["staff_meeting_words"].setText("INSET, \x07bell")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.messages.kind == "fail", timeout=WAIT_MS)
    assert "Staff meeting topic words" in page.messages.text.text()
    assert config.load_settings().staff_meeting_words == "staff meeting, teachers' briefing"  # nothing saved

    reads: list[str] = []
    real_read = config.read_school_file
    monkeypatch.setattr(config, "read_school_file", lambda path: reads.append(threading.current_thread().name) or real_read(path))
    page.fields["staff_meeting_words"].setText("INSET ;  staff   meeting,,Governors")
    changed = []
    page.connection_changed.connect(changed.append)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(changed), timeout=WAIT_MS)
    assert len(reads) == 1 and reads[0] != threading.main_thread().name, "the school's file is read once per save, off the GUI thread"
    assert config.load_settings().staff_meeting_words == "INSET, staff meeting, Governors"
    assert services.settings.staff_meeting_words == "INSET, staff meeting, Governors"

    from zoomhost.app.meetings import session_profile

    assert session_profile(config.load_settings(), "81234567890", "Governors: finance").value == "staff"


def test_a_host_the_school_file_would_refuse_is_refused_here_too(qtbot, services) -> None:  # noqa: F811
    page = make_page(qtbot, services)
    page.fields["allowed_hosts"].setText("head@oakfield.example, @oakfield")  # no such domain: the school file refuses it too
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.messages.kind == "fail", timeout=WAIT_MS)
    assert "“@oakfield” is not a host's email or an @domain" in page.messages.text.text()
    assert config.load_settings().allowed_hosts == ""
