"""What a command that reads or writes stored data does first: forget what is past its retention.

Retention must not depend on someone running ``zoomhost purge``, so a command that touches the
register or the session journals first deletes the journals past the school's retention and the
leavers past their August, and cuts closed sessions' journals to what their summaries need
(``app.retention``). A dry run changes nothing, retention included. What
it removed is said on stderr ("zoomhost: 3 sessions older than 30 days deleted"), so a command's
own output (JSON included) stays as it was; a problem is said too, and never stops the command.
"""

from __future__ import annotations

import sys

from zoomhost.core.errors import ZoomhostError

#: The commands that read or write the register or the session journals. Not the window (it does
#: this itself, off its GUI thread), `purge` (it is the purge, and `--dry-run` must see what is
#: due), nor commands that touch no stored data (`end`, which waits for nothing, `assistant`,
#: `doctor`, `paths`, `credentials`, `sign-in`, `meetings`, `dry-run`, `rehearsal serve`).
BEFORE = frozenset({"register", "sessions", "summary", "pupil", "invitations", "preflight", "watch", "rehearse"})


def forget_what_is_due(command: str | None, *, dry_run: bool = False) -> None:
    """Run retention before ``command`` when it is one of ``BEFORE`` and not a dry run, saying what it removed."""
    if command not in BEFORE or dry_run:
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
