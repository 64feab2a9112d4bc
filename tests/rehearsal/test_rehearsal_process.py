"""The rehearsal Zoom a teacher's window starts: a process of its own on loopback, driven only over the network."""

from __future__ import annotations

import socket
import time

import pytest

from zoomhost.app.rehearsal_zoom import RehearsalZoomProcess


def _waiting(zoom: RehearsalZoomProcess, meeting: str) -> int:
    live = zoom._admin("GET", "/_rehearsal/state")["live"]  # noqa: SLF001 - its own admin route
    return int(live.get(meeting, {}).get("waiting", 0))


def test_the_rehearsal_zoom_plays_stops_and_goes_with_its_process() -> None:
    zoom = RehearsalZoomProcess().start()
    try:
        assert zoom.api_base.startswith("http://127.0.0.1:") and zoom.bridge_url and zoom.local_state is None
        assert zoom.credentials.client_secret and zoom.host_email.endswith(zoom.school_domain)
        meeting = zoom.scenario_meetings()["class"]
        playing = zoom.play("class", speed=5)  # the class arrives over a few seconds
        deadline = time.monotonic() + 60
        while _waiting(zoom, meeting) < 3:
            assert time.monotonic() < deadline, "nobody arrived"
            time.sleep(0.1)
        playing.stop()  # the session ended: its script brings nobody more
        time.sleep(0.5)
        stopped_at = _waiting(zoom, meeting)
        time.sleep(3)
        assert _waiting(zoom, meeting) == stopped_at
        port = zoom.port
    finally:
        zoom.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=5)
