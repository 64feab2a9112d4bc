"""What every command does before its own work: forget what is past its retention.

Retention must not depend on someone running ``zoomhost purge``, so a command first deletes the journals past the school's retention and the leavers past their
August, and cuts closed sessions' journals to what their summaries need (``app.retention``). What
it removed is said on stderr ("zoomhost: 3 sessions older than 30 days deleted"), so a command's
own output (JSON included) stays as it was; a problem is said too, and never stops the command.
"""

from __future__ import annotations

import sys

from zoomhost.core.errors import ZoomhostError

#: Commands that do not: the window (it does this itself, off its GUI thread), `purge` (it is the
#: purge, and `--dry-run` must see what is due), the host assistant (it may run on another
#: computer and keeps nothing) and `end` (ending a meeting for everyone waits for nothing).
NOT_BEFORE = frozenset({"gui", "purge", "assistant", "end"})


def forget_what_is_due(command: str | None) -> None:
    """Run retention before ``command`` (unless it is one of ``NOT_BEFORE``), saying what it removed."""
    if not command or command in NOT_BEFORE:
        return
    from zoomhost.app.retention import START_UP
    from zoomhost.app.retention import forget_what_is_due as forget

    try:
        run = forget(trigger=START_UP)
    except ZoomhostError as err:
        print(f"zoomhost: retention could not run: {err.user_text()}", file=sys.stderr)
        return
    except OSError as err:  # the data folder cannot be made or read: the command itself will say more
        print(f"zoomhost: retention could not run: {err.strerror or err}", file=sys.stderr)
        return
    for notice in run.notices():
        print(f"zoomhost: {notice}", file=sys.stderr)
