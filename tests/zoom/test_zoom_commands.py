"""`zoomhost meetings / preflight / end / credentials` as a teacher or a script runs them.

Against the rehearsal Zoom, and against a tiny independent server that answers with payloads
assembled from the property examples in Zoom's documents (anything that speaks Zoom's API
at ZOOMHOST_API_BASE must do).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import keyring
import pytest

from tests.contract.spec import ZoomSpec, example_from_schema
from tests.conftest import require
from tests.zoom.rehearsal_zoom import ASSEMBLY, CLASS, RehearsalZoom, check_request, rehearsal_zoom  # noqa: F401
from zoomhost import cli
from zoomhost.zoom.credentials import FIELDS, SERVICE

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def zoom_env(rehearsal_zoom: RehearsalZoom, monkeypatch: pytest.MonkeyPatch) -> RehearsalZoom:
    """The command line pointed at the rehearsal Zoom, with the school's app credentials in the environment."""
    server = rehearsal_zoom.server
    monkeypatch.setenv("ZOOMHOST_API_BASE", server.api_base)
    monkeypatch.setenv("ZOOMHOST_OAUTH_BASE", server.oauth_base)
    monkeypatch.setenv("ZOOMHOST_ACCOUNT_ID", server.credentials.account_id)
    monkeypatch.setenv("ZOOMHOST_CLIENT_ID", server.credentials.client_id)
    monkeypatch.setenv("ZOOMHOST_CLIENT_SECRET", server.credentials.client_secret)
    return rehearsal_zoom


def test_meetings_lists_the_named_hosts_upcoming_meetings(zoom_env: RehearsalZoom, capsys) -> None:  # noqa: ANN001
    host = zoom_env.server.state.users[zoom_env.server.state.host_id]
    assert cli.main(["meetings", "--user", host.email]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("Meeting ID")
    assert "857 4606 5432" in out and "Whole-school assembly: Laxey and Dhoon" in out


def test_meetings_without_a_host_explains_a_school_app_has_no_me(zoom_env: RehearsalZoom, capsys) -> None:  # noqa: ANN001
    assert cli.main(["meetings"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--user" in err


def test_meetings_lists_the_host_the_settings_name_without_user(zoom_env: RehearsalZoom, capsys) -> None:  # noqa: ANN001
    from dataclasses import replace

    from zoomhost.system import config

    host = zoom_env.server.state.users[zoom_env.server.state.host_id]
    config.save_settings(replace(config.Settings(), host_email=host.email))
    assert cli.main(["meetings"]) == 0
    assert "857 4606 5432" in capsys.readouterr().out


def test_preflight_json_lists_every_rule_and_fails_the_exit_status(zoom_env: RehearsalZoom, capsys) -> None:  # noqa: ANN001
    status = cli.main(["preflight", "857 4606 5432", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert status == 3
    rules = {r["id"]: r for r in data["rules"]}
    assert {"id", "status", "observed", "fix"} <= set(data["rules"][0])
    assert rules["mute_on_entry"]["status"] == "fail"
    assert rules["mute_on_entry"]["fix"]["meeting_patch"] == {"settings": {"mute_upon_entry": True}}
    assert rules["waiting_room"]["status"] == "pass"


def test_preflight_fix_makes_one_update_and_leaves_only_the_manual_step(zoom_env: RehearsalZoom, capsys) -> None:  # noqa: ANN001
    status = cli.main(["preflight", str(ASSEMBLY), "--fix"])
    out = capsys.readouterr().out
    assert status == 3, out  # renaming is an account setting: an admin turns it off by hand
    assert "Changed the meeting and the host's settings in Zoom." in out
    failing = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert failing == ["FAIL  Participants cannot rename themselves: Participants can rename themselves."], out
    for warned in ("Each family has its own link", "Video starts off", "The passcode is sent apart from the link"):
        assert f"PASS  {warned}: " in out, out  # the warnings' fixes too, in the same updates
    lines = out.splitlines()
    assert lines.index(failing[0]) < min(i for i, line in enumerate(lines) if line.startswith("PASS"))  # failures first
    # by hand: renaming, removed-can-rejoin and the admin's padlocks; to look at: capacity (no register), the school domain (not set)
    assert "0 to fix, 3 by hand, 2 to look at." in out, out
    assert "Still to do by hand:" in out
    zoom_env.server.state.account_settings["in_meeting"]["allow_participants_to_rename"] = False
    assert cli.main(["preflight", str(ASSEMBLY)]) == 0
    assert len(zoom_env.sent("PATCH", f"/meetings/{ASSEMBLY}")) == 1
    # one settings update, and Zoom takes the waiting room's security settings only in a request of their own
    assert sorted(e.query.get("option", "") for e in zoom_env.sent("PATCH", "/settings")) == ["", "meeting_security"]


def test_end_ends_the_meeting_for_everyone(zoom_env: RehearsalZoom, capsys) -> None:  # noqa: ANN001
    state = zoom_env.server.state
    state.start_meeting(CLASS)
    state.arrive(CLASS, "Zoombomber")
    assert cli.main(["end", "839 2017 4655"]) == 0
    assert "839 2017 4655 has been ended for everyone" in capsys.readouterr().out
    assert not state.is_live(CLASS)


def test_end_of_a_meeting_that_is_not_running_says_so_instead_of_claiming_it_ended(zoom_env: RehearsalZoom, capsys) -> None:  # noqa: ANN001
    """Zoom refuses to end a meeting that is not running: the teacher is told nobody is in it, not that it ended."""
    assert not zoom_env.server.state.is_live(CLASS)
    assert cli.main(["end", "839 2017 4655"]) == 0
    out = capsys.readouterr().out
    assert "839 2017 4655 was not running" in out and "has been ended" not in out


def test_an_unknown_meeting_is_one_plain_line_from_the_real_command(zoom_env: RehearsalZoom, tmp_path: Path) -> None:
    env = {**os.environ, "ZOOMHOST_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [sys.executable, "-m", "zoomhost", "preflight", "999 9999 9999"],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "zoomhost: Zoom says this meeting does not exist (3001). Check the meeting ID in the Zoom web portal."
    )
    assert zoom_env.server.credentials.client_secret not in done.stdout + done.stderr


# -- credentials through the real keyring --------------------------------------------------------
@pytest.fixture
def secret_service() -> Iterator[None]:
    backend = keyring.get_keyring()
    require(
        type(backend).__module__ == "keyring.backends.SecretService",
        "no Secret Service keyring in this session (run under tests/in-keyring-session.sh)",
    )
    yield
    for name in FIELDS:
        try:
            backend.delete_password(SERVICE, name)
        except keyring.errors.PasswordDeleteError:
            pass


def test_credentials_set_reads_stdin_keeps_them_in_the_keyring_and_show_masks_them(
    secret_service: None, monkeypatch: pytest.MonkeyPatch, capsys  # noqa: ANN001
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("acct-9876543\nclientid-ABCDEFGH\nsuper-secret-value-42\n"))
    assert cli.main(["credentials", "set"]) == 0
    assert "SecretService" in capsys.readouterr().out
    assert keyring.get_password("zoomhost", "client_secret") == "super-secret-value-42"
    assert cli.main(["credentials", "show"]) == 0
    shown = capsys.readouterr().out
    assert "super-secret-value-42" not in shown and "clientid-ABCDEFGH" not in shown
    assert "Client secret" in shown and "••••••••" in shown and "cl…GH" in shown
    assert cli.main(["credentials", "clear", "--yes"]) == 0
    assert keyring.get_password("zoomhost", "client_secret") is None


def test_credentials_are_never_taken_from_the_command_line(capsys) -> None:  # noqa: ANN001
    with pytest.raises(SystemExit):
        cli.main(["credentials", "set", "--client-secret", "oops"])
    assert cli.main(["credentials", "set", "password"]) == 1
    assert "no credential called password" in capsys.readouterr().err


# -- any server that speaks Zoom's API -----------------------------------------------------------
class _ExampleZoom(BaseHTTPRequestHandler):
    """Answers the reads pre-flight makes with the documents' per-property examples. Nothing else."""

    seen: list[tuple[str, str, dict | None]] = []

    def log_message(self, *args: object) -> None:  # keep the test output clean
        return None

    def _send(self, status: int, body: object | None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        if self.path.startswith("/oauth/token") and self.headers.get("Authorization", "").startswith("Basic "):
            self._send(200, {"access_token": "example-access-token", "token_type": "bearer", "expires_in": 3599})
        else:
            self._send(401, {"reason": "Invalid client", "error": "invalid_client"})

    def do_GET(self) -> None:  # noqa: N802
        spec = ZoomSpec.load()
        path = self.path.split("?", 1)[0]
        type(self).seen.append(("GET", self.path, None))
        if self.headers.get("Authorization") != "Bearer example-access-token":
            self._send(401, {"code": 124, "message": "Invalid access token."})
            return
        try:
            template = spec.match("GET", path)
        except AssertionError:
            self._send(404, {"code": 404, "message": "Not found"})
            return
        self._send(200, example_from_schema(spec.response_schema("GET", template, 200)))


@pytest.fixture
def example_zoom(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[_ExampleZoom]]:
    _ExampleZoom.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ExampleZoom)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("ZOOMHOST_API_BASE", f"{base}/v2")
    monkeypatch.setenv("ZOOMHOST_OAUTH_BASE", base)
    monkeypatch.setenv("ZOOMHOST_ACCOUNT_ID", "example-account")
    monkeypatch.setenv("ZOOMHOST_CLIENT_ID", "example-client")
    monkeypatch.setenv("ZOOMHOST_CLIENT_SECRET", "example-secret")
    try:
        yield _ExampleZoom
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_preflight_works_against_any_server_speaking_zooms_api(example_zoom, capsys) -> None:  # noqa: ANN001
    spec = ZoomSpec.load()
    meeting = example_from_schema(spec.response_schema("GET", "/meetings/{meetingId}", 200))
    status = cli.main(["preflight", str(meeting["id"]), "--json"])
    data = json.loads(capsys.readouterr().out)
    rules = {r["id"]: r for r in data["rules"]}
    # The examples describe a meeting with no waiting room, joining before the host and cloud recording.
    assert rules["waiting_room"]["status"] == "fail"
    assert rules["join_before_host"]["status"] == "fail"
    assert rules["auto_recording"]["status"] == "fail"
    assert status == 3
    assert all({"id", "status", "observed", "fix"} <= set(r) for r in data["rules"])
    # The host's settings are those of the meeting's host_id, read directly (no "me").
    paths = [p for _, p, _ in example_zoom.seen]
    assert f"/v2/users/{meeting['host_id']}/settings" in paths
    assert not any("/users/me" in p for p in paths)
    for path in paths:
        check_request("GET", path.split("?")[0], {}, None)
