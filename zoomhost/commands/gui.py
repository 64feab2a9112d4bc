"""`zoomhost gui` (the default): the teacher's application."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="open the teacher's application (the default)")
    p.add_argument(
        "--rehearsal",
        action="store_true",
        help="practise against the simulated Zoom even when Zoom credentials are set",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from zoomhost.ui.main import run_app

    return run_app(["--rehearsal"] if args.rehearsal else [])
