"""What differs on Windows and macOS, played on Linux through the one platform seam (system.platforms).

Folders: platformdirs' Windows and macOS classes decide where the data, settings, logs, cache and
the school's file go, and retention works there. Keyring: a backend that is not the Secret Service
(as on Windows and macOS; a stand-in class, since the Windows Credential Locker cannot run here) keeps
the secrets, and with no usable keyring the command says so and writes nothing to disk. The host
assistant: Zoom's Meeting SDK for Python is Linux-only, so on Windows and macOS nothing tries to load
it, the connection test's assistant row says why, and a live session runs on the Zoom client's steps.
"""

from __future__ import annotations

import asyncio
import io
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import keyring
import keyring.backend
import keyring.backends.fail
import platformdirs.windows
import pytest
from jaraco.classes.properties import classproperty

from tests.zoom.test_zoom_commands import secret_service  # noqa: F401 - the real Secret Service, cleaned after
from zoomhost import cli
from zoomhost.app.assistant_checks import ASSISTANT_HERE, assistant_runtime_check
from zoomhost.app.host_assistant import load_binding
from zoomhost.app.services import build_services, session_journals
from zoomhost.assistant.process import assistant_available
from zoomhost.assistant.sdk_adapter import AssistantUnavailable
from zoomhost.core.preflight import RuleStatus
from zoomhost.core.retention import purge
from zoomhost.system import config, paths, platforms, resources

OTHERS = [platforms.WINDOWS, platforms.MACOS]


def _leave_linux_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZOOMHOST_HOME")
    monkeypatch.delenv(config.SCHOOL_ENV_PATH, raising=False)
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_CONFIG_DIRS", "XDG_DATA_DIRS"):
        monkeypatch.delenv(name, raising=False)  # a Linux session's own folders, which macOS's platformdirs would follow


@pytest.fixture
def windows_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A Windows profile's known folders. Windows answers them through its shell API, which Linux lacks:
    platformdirs' own reading of them from the environment stands in for it."""
    folders = {"LOCALAPPDATA": tmp_path / "Users/amy/AppData/Local", "APPDATA": tmp_path / "Users/amy/AppData/Roaming",
               "ALLUSERSPROFILE": tmp_path / "ProgramData"}  # fmt: skip
    for name, folder in folders.items():
        monkeypatch.setenv(name, str(folder))
    monkeypatch.setattr(platformdirs.windows, "_RESOLVE_WIN_FOLDER", platformdirs.windows.get_win_folder_from_env_vars)
    _leave_linux_folders(monkeypatch)
    return folders


@pytest.fixture
def mac_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "Users/amy"
    monkeypatch.setenv("HOME", str(home))
    _leave_linux_folders(monkeypatch)
    return home


def _old_session(day: date) -> str:
    started = datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)
    with session_journals().create(meeting_id="85746065432", topic="Assembly", planned_minutes=30, started_at=started, rehearsal=False) as j:
        return j.session_id


def _folders_and_retention() -> dict[str, Path]:
    folders = paths.all_dirs()
    old, new = _old_session(date(2024, 1, 10)), _old_session(date(2024, 9, 1))
    assert session_journals().folder == folders["data"] / "sessions"
    report = purge(journals=session_journals(), today=date(2024, 9, 2), session_retention_days=30, dry_run=False)
    assert [s.session_id for s in report.sessions] == [old] and session_journals().session_ids() == [new]
    config.save_settings(config.Settings(host_email="head@school.example"))
    assert (folders["config"] / "settings.json").is_file() and config.load_settings(env=False).host_email == "head@school.example"
    for parts in (("templates", "summary.html"), ("templates", "incidents.html"), ("icons", "zoomhost.svg")):
        assert resources.resource(*parts).is_file(), parts  # the installed resources, whatever the system
    return folders


def test_on_windows_everything_goes_in_the_users_local_app_data(windows_folders: dict[str, Path]) -> None:
    local = windows_folders["LOCALAPPDATA"] / "zoomhost"
    with platforms.simulated(platforms.WINDOWS):
        folders = _folders_and_retention()
        school = config.school_settings_path()
    assert folders == {"data": local, "config": local, "logs": local / "Logs", "cache": local / "Cache"}
    assert school == windows_folders["ALLUSERSPROFILE"] / "zoomhost" / "school.json"  # C:\ProgramData\zoomhost, as the guide says
    assert not (windows_folders["APPDATA"]).exists(), "nothing roams with the profile"


def test_on_macos_everything_goes_in_the_users_library(mac_home: Path) -> None:
    library = mac_home / "Library"
    with platforms.simulated(platforms.MACOS):
        folders = _folders_and_retention()
        school = config.school_settings_path()
    assert folders == {
        "data": library / "Application Support/zoomhost", "config": library / "Application Support/zoomhost",
        "logs": library / "Logs/zoomhost", "cache": library / "Caches/zoomhost",
    }  # fmt: skip
    assert school == Path("/Library/Application Support/zoomhost/school.json")
    assert not (mac_home / ".local").exists() and not (mac_home / ".config").exists(), "no Linux folders on a Mac"


# -- the keyring ------------------------------------------------------------------------------------
class CredentialLocker(keyring.backend.KeyringBackend):
    """Stands in for Windows' Credential Locker (keyring's WinVaultKeyring), which only runs on Windows."""

    @classproperty
    def priority(cls) -> float:  # not viable here, so keyring never picks it (or a chain with it) by itself
        raise RuntimeError("the Credential Locker runs on Windows only")

    def __init__(self) -> None:
        super().__init__()
        self.vault: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.vault.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.vault[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.vault.pop((service, username), None)


CredentialLocker.__module__ = "keyring.backends.Windows"
CredentialLocker.__name__ = CredentialLocker.__qualname__ = "WinVaultKeyring"
SECRET = "s2s-secret-Qm4vT8xZ"


def _set_credentials(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"acct-id-123\nclient-id-456\n{SECRET}\n"))
    assert cli.main(["credentials", "set"]) == 0
    assert cli.main(["credentials", "show"]) == 0
    return capsys.readouterr().out


def _nothing_on_disk_holds_it(*roots: Path) -> None:
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                assert SECRET.encode() not in path.read_bytes(), path


def test_a_keyring_that_is_not_the_secret_service_keeps_the_secrets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    locker = CredentialLocker()
    monkeypatch.setattr(keyring, "get_keyring", lambda: locker)
    with platforms.simulated(platforms.WINDOWS):
        out = _set_credentials(monkeypatch, capsys)
    assert "system keyring (Windows WinVaultKeyring)" in out and "forgotten" not in out
    assert locker.vault[("zoomhost", "client_secret")] == SECRET and SECRET not in out
    _nothing_on_disk_holds_it(tmp_path)


def test_with_no_usable_keyring_the_command_says_so_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(keyring, "get_keyring", keyring.backends.fail.Keyring)
    with platforms.simulated(platforms.MACOS):
        out = _set_credentials(monkeypatch, capsys)
    assert "memory only" in out and "forgotten when this command ends" in out and "install or unlock a system keyring" in out
    assert "client_secret" in out or "Client secret" in out
    assert SECRET not in out
    _nothing_on_disk_holds_it(tmp_path)


# -- the host assistant -------------------------------------------------------------------------------
def test_the_sdk_is_installed_here_so_linux_would_start_it() -> None:
    """The other half of the tests below: on this Linux computer the assistant can be started."""
    assert platforms.is_linux() and assistant_available()


@pytest.mark.parametrize("system", OTHERS)
def test_on_windows_and_macos_nothing_tries_to_load_the_sdk(system: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_child(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a process was started: {args}")

    monkeypatch.setattr(asyncio, "create_subprocess_exec", no_child)
    with platforms.simulated(system):
        assert not assistant_available()
        with pytest.raises(AssistantUnavailable) as refused:
            load_binding(None)
        line = asyncio.run(assistant_runtime_check())
    name = platforms.NAMES[system]
    assert "Linux only" in refused.value.user_text() and name in refused.value.user_text()
    assert line.what == ASSISTANT_HERE and line.status is RuleStatus.WARN
    assert f"this computer runs {name}" in line.text and "Live panel shows the Zoom step" in line.text


@pytest.mark.parametrize("system", OTHERS)
def test_a_live_session_on_windows_or_macos_gets_no_assistant_and_the_zoom_steps(
    system: str, monkeypatch: pytest.MonkeyPatch, secret_service: None  # noqa: F811
) -> None:
    from zoomhost.app.session import assistant_for_meeting
    from zoomhost.rehearsal.server import RehearsalServer
    from zoomhost.zoom.credentials import CredentialStore

    with RehearsalServer() as server:
        for var, value in (("API_BASE", server.api_base), ("OAUTH_BASE", server.oauth_base), ("WS_BASE", server.ws_base)):
            monkeypatch.setenv(f"ZOOMHOST_{var}", value)
        store = CredentialStore()
        creds = server.credentials
        for name, value in (("account_id", creds.account_id), ("client_id", creds.client_id), ("client_secret", creds.client_secret),
                            ("sdk_key", "sdk-key-1"), ("sdk_secret", "sdk-secret-1")):  # fmt: skip
            store.set(name, value)
        config.save_settings(config.Settings(host_email=server.state.users[server.state.host_id].email))
        with build_services() as services:
            connection = services.connection
            assert connection.mode == "live"
            meeting_id = str(server.state.class_meeting_id)
            meeting = services.runner.run(connection.zoom.get_meeting(meeting_id))
            on_linux = services.runner.run(assistant_for_meeting(services, connection, meeting_id, meeting))
            with platforms.simulated(system):
                elsewhere = services.runner.run(assistant_for_meeting(services, connection, meeting_id, meeting))
    assert on_linux is not None, "on Linux, with the SDK and its key, the assistant would be started"
    assert elsewhere is None  # so the Live panel shows each control's Zoom step (see tests/live/test_live_fallback.py)
