"""The command line. With no arguments, opens the teacher's application.

Each command lives in ``zoomhost/commands/<name>.py`` and exposes
``add_parser(subparsers)``; its handler returns an exit status. Expected failures
(``ZoomhostError``) become one plain line on stderr; anything else is logged with
its traceback to the log file and reported in one line that names that file.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from zoomhost import __version__, logs
from zoomhost.core.errors import ZoomhostError

log = logging.getLogger(__name__)

COMMAND_MODULES = (
    "zoomhost.commands.gui",
    "zoomhost.commands.register",
    "zoomhost.commands.dryrun",
    "zoomhost.commands.zoom",
    "zoomhost.commands.sessions",
    "zoomhost.commands.rehearsal",
    "zoomhost.commands.assistant",
    "zoomhost.commands.invitations",
    "zoomhost.commands.misc",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zoomhost",
        description="Safeguarding control panel for hosting Zoom classes and assemblies.",
    )
    parser.add_argument("--version", action="version", version=f"zoomhost {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="more detail in the log file")
    parser.add_argument("--rehearsal", action="store_true", help="open the application in rehearsal mode")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logs.configure(verbose=args.verbose)
    if args.command is None:
        args = parser.parse_args(["gui", *(sys.argv[1:] if argv is None else argv)])
    try:
        return int(args.func(args) or 0)
    except ZoomhostError as err:
        print(f"zoomhost: {err.user_text()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("zoomhost: interrupted", file=sys.stderr)
        return 130
    except Exception:  # noqa: BLE001 - the last line of defence: no traceback reaches the user
        log.exception("unexpected error in %s", args.command)
        print(
            f"zoomhost: something unexpected went wrong; nothing was changed. Details are in {logs.log_file()}",
            file=sys.stderr,
        )
        return 70


if __name__ == "__main__":
    raise SystemExit(main())
