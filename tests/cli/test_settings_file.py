"""A settings file edited by hand (or damaged) never stops zoomhost: what cannot be used is left at its default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zoomhost.system import config
from zoomhost.cli import main


def _write(zoomhost_home: Path, text: str) -> None:
    folder = zoomhost_home / "config"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "settings.json").write_text(text, encoding="utf-8")


@pytest.mark.parametrize("text", ['"not settings"', "5", "null", "{broken"])
def test_a_file_that_holds_no_settings_gives_the_defaults(zoomhost_home: Path, text: str) -> None:
    _write(zoomhost_home, text)
    assert config.load_settings() == config.Settings().with_env()


def test_values_of_the_wrong_kind_are_dropped_and_the_rest_kept(
    zoomhost_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(
        zoomhost_home,
        json.dumps({"version": 1, "session_retention_days": "7", "auto_lock_minutes": None, "planned_minutes": 20,
                    "host_email": "head@school.example", "school_email_domain": 5}),
    )
    settings = config.load_settings()
    assert (settings.session_retention_days, settings.auto_lock_minutes) == (30, 5)
    assert (settings.planned_minutes, settings.host_email, settings.school_email_domain) == (20, "head@school.example", "")
    assert main(["purge", "--dry-run"]) == 0
    assert "retention 30 days" in capsys.readouterr().out


# -- the addresses credentials are sent to -----------------------------------------------------------
@pytest.mark.parametrize(
    "address",
    ["http://127.0.0.1.evil.example/v2", "http://zoom.example.org/v2", "https://api.zoom.us@evil.example/v2", "ftp://127.0.0.1/v2"],
)
def test_a_settings_file_address_that_is_not_secure_is_never_used(zoomhost_home: Path, address: str, caplog: pytest.LogCaptureFixture) -> None:
    _write(zoomhost_home, json.dumps({"version": 1, "api_base": address, "host_email": "head@school.example"}))
    settings = config.load_settings()
    assert settings.api_base == config.DEFAULT_API_BASE and settings.host_email == "head@school.example"
    assert "Zoom API address" in caplog.text


@pytest.mark.parametrize(
    ("variable", "address"),
    [
        ("ZOOMHOST_API_BASE", "http://127.0.0.1.evil.example/v2"),
        ("ZOOMHOST_OAUTH_BASE", "http://school.example"),
        ("ZOOMHOST_WS_BASE", "ws://localhost.evil.example/ws"),
        ("ZOOMHOST_WS_BASE", "https://ws.zoom.us/ws"),
        ("ZOOMHOST_API_BASE", "http://[::1]:99999/v2"),
    ],
)
def test_an_environment_address_that_is_not_secure_stops_a_command_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str, address: str
) -> None:
    monkeypatch.setenv(variable, address)
    assert main(["meetings", "--user", "head@school.example"]) == 1
    err = capsys.readouterr().err
    assert variable in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("variable", "address", "field"),
    [
        ("ZOOMHOST_API_BASE", "http://127.0.0.1:5000/v2/", "api_base"),
        ("ZOOMHOST_API_BASE", "http://127.8.9.10:5000/v2", "api_base"),
        ("ZOOMHOST_OAUTH_BASE", "http://[::1]:5000", "oauth_base"),
        ("ZOOMHOST_OAUTH_BASE", "https://zoomgov.com", "oauth_base"),
        ("ZOOMHOST_WS_BASE", "ws://localhost:5000/ws", "ws_base"),
        ("ZOOMHOST_WS_BASE", "wss://ws.zoomgov.com/ws", "ws_base"),
    ],
)
def test_secure_and_this_computers_addresses_are_used(monkeypatch: pytest.MonkeyPatch, variable: str, address: str, field: str) -> None:
    monkeypatch.setenv(variable, address)
    assert getattr(config.load_settings(), field) == address.rstrip("/")


def test_the_event_subscription_comes_from_the_environment_like_the_addresses(
    zoomhost_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(zoomhost_home, json.dumps({"version": 1, "subscription_id": "from-the-file", "ws_base": "wss://ws.zoom.us/ws"}))
    assert config.load_settings().subscription_id == "from-the-file"
    monkeypatch.setenv("ZOOMHOST_SUBSCRIPTION_ID", " from-a-script ")
    monkeypatch.setenv("ZOOMHOST_WS_BASE", "ws://127.0.0.1:8800/ws/")
    settings = config.load_settings()
    assert (settings.subscription_id, settings.ws_base) == ("from-a-script", "ws://127.0.0.1:8800/ws")
