"""`zoomhost paths`: where zoomhost keeps its files (for IT leads and removal)."""

from __future__ import annotations

import argparse

from zoomhost.system import paths


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("paths", help="show the folders zoomhost writes to")
    p.set_defaults(func=run_paths)


def run_paths(args: argparse.Namespace) -> int:
    for name, path in paths.all_dirs().items():
        print(f"{name:7} {path}")
    return 0
