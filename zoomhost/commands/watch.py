"""`zoomhost watch MEETING_ID`: follow a meeting's waiting room from the command line, one line per change.

The Live panel's event stream, classification and journal, with no window, no host assistant and
no autopilot: it only listens. With ``--json`` each line is one JSON object (``kind``, ``time``,
and for a person ``name`` exactly as typed, ``verdict`` and ``reasons``). It ends when the meeting
ends or ``--duration`` runs out.
"""

from __future__ import annotations

import argparse
import json

from zoomhost.app.services import command_services
from zoomhost.app.watch import WatchLine, watch_meeting


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "watch",
        help="follow a meeting's arrivals, admissions and departures as they happen, one line each (changes nothing)",
        description=(
            "Listen to the meeting through Zoom's event stream and classify each arrival against the register, "
            "as the Live panel does, printing one line per change: arrival (with its verdict and reasons), "
            "admitted, left, alarm, stream (down or back) and ended. Nothing is admitted or changed in Zoom."
        ),
    )
    p.add_argument("meeting_id", metavar="MEETING_ID", help="the meeting ID, with or without spaces")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--duration", type=float, metavar="SECONDS", help="stop after this many seconds (default: when the meeting ends)")
    p.set_defaults(func=run_watch)


def run_watch(args: argparse.Namespace) -> int:
    def show(line: WatchLine) -> None:
        print(json.dumps(line.as_dict(), ensure_ascii=True) if args.json else line.text(), flush=True)

    with command_services() as services:
        services.runner.run(watch_meeting(services, meeting_id=args.meeting_id, duration=args.duration, on_line=show))
    return 0
