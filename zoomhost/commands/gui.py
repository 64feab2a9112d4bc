"""`zoomhost gui` (the default): the teacher's application."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="open the teacher's application (the default)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        from zoomhost.ui.main import run_app
    except ImportError:
        from zoomhost.cli import build_parser

        build_parser().print_help()
        return 0
    return run_app()
