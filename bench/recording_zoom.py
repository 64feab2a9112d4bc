"""The rehearsal Zoom as ``zoomhost rehearsal serve`` runs it, in its own process, noting for the benchmarks
when each arrival left it and when each end-for-all reached it (``GET /_rehearsal/state`` answers them).

    python bench/recording_zoom.py --port 0 --announce --exit-with-stdin

Started by ``bench/gui_probe.py`` through the app's own ``RehearsalZoomProcess``, so the app under
measurement talks to it over loopback exactly as to the rehearsal Zoom a teacher's zoomhost starts.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from aiohttp import web

import zoomhost.rehearsal.server as rehearsal_server
from zoomhost import cli

ARRIVAL = "meeting.participant_joined_waiting_room"


class Recording(rehearsal_server.RehearsalServer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.emitted: dict[str, float] = {}  # participant -> when Zoom produced the arrival
        self.sent: dict[str, float] = {}  # participant -> when its frame was written to the socket
        self.end_requests: list[float] = []
        self.state.subscribe(self._arrival)

    def _arrival(self, event: dict[str, Any]) -> None:
        if event.get("event") == ARRIVAL:
            user_id = event["payload"]["object"]["participant"]["user_id"]
            if any(int(user_id) in live.sdk_roles for live in self.state.live.values()):
                return  # the host assistant, waiting as Zoom puts it there: nobody's row
            self.emitted.setdefault(user_id, time.monotonic())

    async def _send_loop(self, conn: Any) -> None:
        while True:
            frame = await conn.queue.get()
            if conn.ws.closed:
                return
            try:
                await conn.ws.send_str(frame)
            except (ConnectionError, RuntimeError):
                return
            sent = time.monotonic()
            if ARRIVAL in frame:
                body = json.loads(json.loads(frame)["content"])
                self.sent.setdefault(body["payload"]["object"]["participant"]["user_id"], sent)

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.method == "PUT" and request.path.endswith("/status"):
            self.end_requests.append(time.monotonic())
        return await super()._middleware(request, handler)

    async def _admin_state(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({"emitted": self.emitted, "sent": self.sent, "end_requests": self.end_requests})


if __name__ == "__main__":
    rehearsal_server.RehearsalServer = Recording  # type: ignore[misc] - what `rehearsal serve` starts
    sys.exit(cli.main(["rehearsal", "serve", *sys.argv[1:]]))
