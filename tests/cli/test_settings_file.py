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


def test_the_event_subscription_comes_from_the_environment_like_the_addresses(
    zoomhost_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(zoomhost_home, json.dumps({"version": 1, "subscription_id": "from-the-file", "ws_base": "wss://ws.zoom.us/ws"}))
    assert config.load_settings().subscription_id == "from-the-file"
    monkeypatch.setenv("ZOOMHOST_SUBSCRIPTION_ID", " from-a-script ")
    monkeypatch.setenv("ZOOMHOST_WS_BASE", "ws://127.0.0.1:8800/ws/")
    settings = config.load_settings()
    assert (settings.subscription_id, settings.ws_base) == ("from-a-script", "ws://127.0.0.1:8800/ws")
