"""`zoomhost doctor`: the display, Qt's platform plugin, fonts, keyring and Zoom, each a line; fails the exit status
when a check fails. The keyring is the test run's real Secret Service; Zoom is the rehearsal Zoom over loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.assistant.glib import glib_pythonpath
from tests.conftest import REPO
from tests.zoom.rehearsal_zoom import RehearsalZoom, rehearsal_zoom  # noqa: F401
from zoomhost import cli

STATUSES = {"pass", "fail", "warn", "unknown"}


def checks_of(out: str) -> dict[str, dict[str, str]]:
    data = json.loads(out)
    assert list(data) == ["checks"]
    for check in data["checks"]:
        assert list(check) == ["id", "status", "detail"] and check["status"] in STATUSES and check["detail"]
    return {check["id"]: check for check in data["checks"]}


def _child_pythonpath(monkeypatch: pytest.MonkeyPatch, *folders: str) -> None:
    """Put ``folders`` first on the ``PYTHONPATH`` the host assistant (and its check) is started with."""
    here = [folder for folder in folders if folder]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([*here, str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))


def test_doctor_reports_this_computer_and_the_rehearsal_zoom(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _child_pythonpath(monkeypatch, glib_pythonpath(tmp_path / "glib"))  # a computer with python3-gi, as the assistant needs
    # The rehearsal Zoom is on a Pro plan, as Zoom's own default: no Dashboard, which is a failed check.
    assert cli.main(["doctor", "--json", "--rehearsal"]) == 3
    checks = checks_of(capsys.readouterr().out)
    assert list(checks)[:5] == ["display", "platform_plugin", "fonts", "keyring", "zoom"]
    # The suite runs Qt offscreen: no window would show, which is worth a warning, not a failure.
    assert checks["display"]["status"] == "warn" and "QT_QPA_PLATFORM=offscreen" in checks["display"]["detail"]
    assert checks["platform_plugin"]["status"] == "pass" and "offscreen" in checks["platform_plugin"]["detail"]
    assert checks["fonts"]["status"] == "pass" and "DejaVu Sans" in checks["fonts"]["detail"]
    assert checks["keyring"]["status"] == "pass" and "SecretService" in checks["keyring"]["detail"]
    assert "rehearsal Zoom" in checks["zoom"]["detail"]
    for zoom_check in ("zoom_sign_in", "zoom_reading_meetings", "zoom_event_subscription"):
        assert checks[zoom_check]["status"] == "pass", checks[zoom_check]
    assert checks["zoom_dashboard"]["status"] == "fail" and "lacks the Dashboard" in checks["zoom_dashboard"]["detail"]
    assert [name for name, check in checks.items() if check["status"] == "fail"] == ["zoom_dashboard"]
    here = checks["zoom_host_assistant_on_this_computer"]
    assert here["status"] == "pass" and "GLib's main loop and Zoom's Meeting SDK load" in here["detail"]
    # No Zoom user is set for the assistant: its sign-in is not tried, and the line says what it would need.
    sign_in = checks["zoom_assistants_zoom_sign_in"]
    assert sign_in["status"] == "unknown" and "Assistant's Zoom user" in sign_in["detail"]


def test_a_computer_without_glib_or_the_meeting_sdk_warns_in_the_assistant_check_with_what_to_install(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Both parts missing, as on a fresh desktop: one warning naming both installs, and the panel's fallback (the
    Live panel still works, by the Zoom steps, so it is not a failure)."""
    hidden = tmp_path / "hidden"
    (hidden / "gi").mkdir(parents=True)
    (hidden / "gi" / "__init__.py").write_text("raise ImportError('gi is not installed on this computer')\n", encoding="utf-8")
    (hidden / "zoom_meeting_sdk.py").write_text("raise ImportError('zoom_meeting_sdk is not installed')\n", encoding="utf-8")
    _child_pythonpath(monkeypatch, str(hidden))
    assert cli.main(["doctor", "--json", "--rehearsal"]) == 3  # the rehearsal's Pro plan has no Dashboard
    checks = checks_of(capsys.readouterr().out)
    here = checks["zoom_host_assistant_on_this_computer"]
    assert here["status"] == "warn" and [name for name, c in checks.items() if c["status"] == "fail"] == ["zoom_dashboard"]
    assert "sudo apt install python3-gi" in here["detail"] and "pip install 'zoomhost[assistant]'" in here["detail"]
    assert "shows the Zoom step" in here["detail"]


def test_doctor_without_credentials_says_so_and_does_not_fail(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["doctor"]) == 0
    out = capsys.readouterr().out
    zoom = next(line for line in out.splitlines() if line.startswith("WARN  zoom "))
    assert "no Zoom credentials" in zoom and "zoomhost credentials set" in zoom and "rehearsal mode" in zoom
    assert out.splitlines()[-1].endswith("checks: 0 failed, 2 to consider.")


def test_a_wrong_secret_fails_the_sign_in_check_and_the_exit_status(
    rehearsal_zoom: RehearsalZoom, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    server = rehearsal_zoom.server
    wrong = "not-the-secret-" + "x" * 20
    monkeypatch.setenv("ZOOMHOST_API_BASE", server.api_base)
    monkeypatch.setenv("ZOOMHOST_OAUTH_BASE", server.oauth_base)
    monkeypatch.setenv("ZOOMHOST_ACCOUNT_ID", server.credentials.account_id)
    monkeypatch.setenv("ZOOMHOST_CLIENT_ID", server.credentials.client_id)
    monkeypatch.setenv("ZOOMHOST_CLIENT_SECRET", wrong)
    assert cli.main(["doctor"]) == 3
    out = capsys.readouterr().out
    assert "PASS  zoom " in out and server.api_base in out
    assert any(line.startswith("FAIL  zoom_sign_in ") for line in out.splitlines()), out
    assert wrong not in out
    monkeypatch.setenv("ZOOMHOST_CLIENT_SECRET", server.credentials.client_secret)
    assert cli.main(["doctor", "--json"]) == 3
    checks = checks_of(capsys.readouterr().out)
    assert checks["zoom_sign_in"]["status"] == "pass"
    # Signed in, but nobody has said whose meetings to read: that is the next thing to fix, and says so.
    assert checks["zoom_reading_meetings"]["status"] == "fail"
    assert "host's Zoom email" in checks["zoom_reading_meetings"]["detail"]


def doctor_in(env: dict[str, str]) -> tuple[int, dict[str, dict[str, str]]]:
    proc = subprocess.run([sys.executable, "-m", "zoomhost", "doctor", "--json"], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 3), proc.stderr[-2000:]
    return proc.returncode, checks_of(proc.stdout)


def test_a_desktop_with_no_fonts_fails_and_names_the_package(tmp_path: Path) -> None:
    conf = tmp_path / "fonts.conf"  # fontconfig's own configuration, listing no font folder at all
    conf.write_text(f"<?xml version='1.0'?>\n<fontconfig><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>\n",
                    encoding="utf-8")
    status, checks = doctor_in({**os.environ, "FONTCONFIG_FILE": str(conf), "PYTHONPATH": str(REPO)})
    assert status == 3
    assert checks["fonts"]["status"] == "fail" and "`sudo apt install fonts-dejavu-core`" in checks["fonts"]["detail"]


def test_no_usable_keyring_is_a_warning_that_says_secrets_last_one_run(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "PYTHONPATH": str(REPO)}
    status, checks = doctor_in(env)
    assert status == 0
    assert checks["keyring"]["status"] == "warn" and "one run only" in checks["keyring"]["detail"]
