"""`zoomhost` commands for this area (not built yet)."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:  # noqa: ARG001 - filled in when the area is built
    return None
