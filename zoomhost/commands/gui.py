"""`zoomhost gui` (the default): the teacher's application."""

from __future__ import annotations

import argparse
import threading

from zoomhost.core.errors import ZoomhostError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="open the teacher's application (the default)")
    p.add_argument(
        "--rehearsal",
        action="store_true",
        help="practise against the simulated Zoom even when Zoom credentials are set",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from zoomhost.app.desktop import WindowOutlook, window_outlook, window_outlook_at_start

    # Before Qt starts: a Qt that cannot load a platform plugin aborts the program with advice that
    # does not help; this says in one sentence what to install, or where to run zoomhost, instead.
    # It runs beside the window's own imports; what the dynamic loader found is kept in the cache folder and
    # answered from until the plugin or the system's libraries change, so most starts start no child process.
    found: list[WindowOutlook] = []
    checking = threading.Thread(target=lambda: found.append(window_outlook_at_start()), name="window-outlook", daemon=True)
    checking.start()
    try:
        from zoomhost.ui.main import run_app
    except ImportError:  # Qt's own libraries would not load: the check says which are missing, else this error does
        run_app = None
    checking.join()
    outlook = found[0] if found else window_outlook()  # the thread's own failure: the check again, here
    if not outlook.ok:
        raise ZoomhostError(outlook.sentence)  # said on stderr, and in the log (cli.py)
    if run_app is None:
        from zoomhost.ui.main import run_app
    return run_app(["--rehearsal"] if args.rehearsal else [], verbose=args.verbose)
