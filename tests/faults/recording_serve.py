"""`zoomhost rehearsal serve`, keeping a record a fault-tolerance test can check zoomhost against.

Run as a script: ``python recording_serve.py --passcode P [serve options]``. It is the real
``zoomhost rehearsal serve`` (same server, bridge and admin routes) with one extra loopback
route, ``GET /_rehearsal/records``: every event the meeting state produced and every one the
event socket sent, every access and refresh token it issued, the app's client secret, the
meetings' passcodes and join links. The assembly's weak practice passcode is replaced by ``P``
first, as a school that ran pre-flight would have, so a scan for it means something.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from aiohttp import web

from zoomhost.rehearsal import server as server_module

RECORDS_PATH = "/_rehearsal/records"


class RecordingServer(server_module.RehearsalServer):
    """The rehearsal Zoom, also recording what it did and which secrets it handed out."""

    passcode = ""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.issued_access: list[str] = []
        self.issued_refresh: list[str] = []
        self.happened: list[dict[str, Any]] = []
        issue, issue_refresh = self.tokens.issue, self.tokens.issue_refresh

        def recording_issue(**args: Any) -> tuple[str, int]:
            token, lifetime = issue(**args)
            self.issued_access.append(token)
            return token, lifetime

        def recording_issue_refresh(**args: Any) -> str:
            token = issue_refresh(**args)
            self.issued_refresh.append(token)
            return token

        self.tokens.issue = recording_issue  # type: ignore[method-assign]
        self.tokens.issue_refresh = recording_issue_refresh  # type: ignore[method-assign]
        self.state.subscribe(self.happened.append)
        if self.passcode:
            self.state.meeting(self.state.assembly_meeting_id).password = self.passcode

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path == RECORDS_PATH:
            return web.json_response(self.records())
        return await super()._middleware(request, handler)

    def records(self) -> dict[str, Any]:
        with self.state.lock:
            meetings = list(self.state.meetings.values())
            join_urls = [self.state.meeting_payload(m.id)["join_url"] for m in meetings]
            join_urls += [row["join_url"] for m in meetings for row in m.registrants]
            return {
                "sent": list(self.sent_events),
                "happened": list(self.happened),
                "access_tokens": list(self.issued_access),
                "refresh_tokens": list(self.issued_refresh),
                "client_secret": self.credentials.client_secret,
                "passcodes": [m.password for m in meetings if m.password],
                "join_urls": join_urls,
                "assembly": self.state.assembly_meeting_id,
            }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--passcode", required=True)
    ours, rest = parser.parse_known_args(argv)
    RecordingServer.passcode = ours.passcode
    server_module.RehearsalServer = RecordingServer  # type: ignore[misc] - `rehearsal serve` builds this one
    from zoomhost.cli import main as zoomhost_main

    return zoomhost_main(["rehearsal", "serve", *rest])


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
