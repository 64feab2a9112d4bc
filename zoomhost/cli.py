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
import os
import sys
from collections.abc import Sequence

from zoomhost import __version__
from zoomhost.commands import startup
from zoomhost.core.errors import ZoomhostError

log = logging.getLogger(__name__)

# Which module registers each command: only the module of the command being run is imported,
# so `zoomhost` (the window) and quick commands do not pay for every library at start-up.
# tests/cli/test_cli_lazy.py keeps this table equal to what the modules register.
COMMANDS = {
    "gui": "zoomhost.commands.gui",
    "register": "zoomhost.commands.register",
    "dry-run": "zoomhost.commands.dryrun",
    "meetings": "zoomhost.commands.zoom",
    "preflight": "zoomhost.commands.zoom",
    "audit": "zoomhost.commands.audit",
    "end": "zoomhost.commands.zoom",
    "sign-in": "zoomhost.commands.zoom",
    "credentials": "zoomhost.commands.zoom",
    "sessions": "zoomhost.commands.sessions",
    "summary": "zoomhost.commands.sessions",
    "purge": "zoomhost.commands.sessions",
    "pupil": "zoomhost.commands.pupils",
    "rehearsal": "zoomhost.commands.rehearsal",
    "rehearse": "zoomhost.commands.rehearsal",
    "assistant": "zoomhost.commands.assistant",
    "invitations": "zoomhost.commands.invitations",
    "paths": "zoomhost.commands.misc",
    "settings": "zoomhost.commands.settings",
    "doctor": "zoomhost.commands.doctor",
    "watch": "zoomhost.commands.watch",
}
COMMAND_MODULES = tuple(dict.fromkeys(COMMANDS.values()))


def build_parser(*, command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or (with ``command``) one that knows only the module of that command."""
    parser = argparse.ArgumentParser(
        prog="zoomhost",
        description="Safeguarding control panel for hosting Zoom classes and assemblies.",
    )
    parser.add_argument("--version", action="version", version=f"zoomhost {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="more detail in the log file")
    parser.add_argument("--rehearsal", action="store_true", help="open the application in rehearsal mode")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    if command in COMMANDS:
        modules: tuple[str, ...] = (COMMANDS[command],)
    elif command == "--version":
        modules = ()
    else:
        modules = COMMAND_MODULES
    for name in modules:
        importlib.import_module(name).add_parser(sub)
    return parser


def _command_in(argv: Sequence[str]) -> str:
    """The command named in argv; "gui" when none is (options alone open the window), "" for help."""
    for arg in argv:
        if not arg.startswith("-"):
            return arg
        if arg in ("-h", "--help"):
            return ""
        if arg == "--version":
            return arg
    return "gui"


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(command=_command_in(argv))
    args = parser.parse_args(argv)
    if args.command is None:  # options alone open the window: `zoomhost --rehearsal`, `zoomhost -v`
        verbose = args.verbose
        args = parser.parse_args(["gui", *(a for a in argv if a not in ("-v", "--verbose"))])
        args.verbose = verbose
    if args.command != "gui":  # the window starts its log after its first frame (``ui/main.run_app``)
        from zoomhost.system import logs

        logs.configure(verbose=args.verbose)
    try:
        startup.forget_what_is_due(args.command, dry_run=bool(getattr(args, "dry_run", False)))
        return int(args.func(args) or 0)
    except ZoomhostError as err:
        if args.command == "gui":  # the window could not open, before it started its log
            from zoomhost.system import logs

            logs.configure(verbose=args.verbose)
            log.error("the window cannot open: %s", err.user_text())
        print(f"zoomhost: {err.user_text()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("zoomhost: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`zoomhost sessions | head`): nothing more to say to it.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception:  # noqa: BLE001 - the last line of defence: no traceback reaches the user
        from zoomhost.system import logs

        logs.configure(verbose=args.verbose)  # the window's may not have started yet
        log.exception("unexpected error in %s", args.command)
        print(
            f"zoomhost: something unexpected went wrong; nothing was changed. Details are in {logs.log_file()}",
            file=sys.stderr,
        )
        return 70


if __name__ == "__main__":
    raise SystemExit(main())
