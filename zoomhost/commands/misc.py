"""`zoomhost paths`: where zoomhost keeps its files (for IT leads and removal)."""

from __future__ import annotations

import argparse

from zoomhost.app.services import own_folders


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("paths", help="show the folders zoomhost writes to")
    p.set_defaults(func=run_paths)


def run_paths(args: argparse.Namespace) -> int:
    for name, path in own_folders().items():
        print(f"{name:7} {path}")
    return 0
