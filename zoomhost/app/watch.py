"""Watch a meeting with no window: ``zoomhost watch MEETING_ID``.

The same engine as the Live panel (:func:`app.session.start_session`): Zoom's event stream, the
register's classification and a journal of its own, with no host assistant and no autopilot, so
watching never admits, removes or changes anything in Zoom. Each change comes out as one
:class:`WatchLine`: an arrival with its verdict and reasons (the verdict ``zoomhost dry-run`` gives
the same name against the same register), an admission, a departure, an alarm, the event stream
going down or coming back, and the end. It ends when the meeting ends or the time runs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from zoomhost.app.session import STAFF_SESSION_WORDS, start_session
from zoomhost.core.errors import ZoomhostError
from zoomhost.core.journal import JournalKind, utc_now
from zoomhost.core.models import Evidence
from zoomhost.core.names import visible_name
from zoomhost.core.session import SessionChange
from zoomhost.live.notes import LiveNote, note_of

if TYPE_CHECKING:
    from zoomhost.app.services import Services

#: The kinds of line, in the words scripts match on.
KINDS = ("arrival", "admitted", "left", "alarm", "stream", "ended")
_ADMITTED = (JournalKind.ADMITTED, JournalKind.JOINED)
_LEFT = (JournalKind.LEFT, JournalKind.LEFT_WAITING_ROOM, JournalKind.REMOVED)


@dataclass(frozen=True)
class WatchLine:
    """One change in the meeting, as ``zoomhost watch`` prints it (a line of text, or one JSON object)."""

    kind: str  # one of KINDS
    time: datetime
    name: str | None = None  # the display name exactly as typed in Zoom
    verdict: str | None = None
    reasons: tuple[str, ...] = ()
    pupil: str | None = None
    staff: str | None = None
    message: str | None = None
    state: str | None = None  # "stream": up | down | back; "left": where from
    renamed: bool = False  # an arrival re-checked because the person changed their name
    profile: str | None = None  # "stream" up: the protocol the meeting is held to ("pupils" or "staff")
    evidence: Any = field(default=None, compare=False)  # what the verdict rests on (``models.Evidence``)

    def as_dict(self) -> dict[str, object]:
        """The JSON object: ``kind`` and ``time`` always, the rest when it applies (reasons as dry-run shows them)."""
        out: dict[str, object] = {"kind": self.kind, "time": self.time.isoformat()}
        if self.name is not None:
            out["name"] = self.name
        if self.verdict is not None:
            out["verdict"] = self.verdict
            out["reasons"] = [visible_name(reason) for reason in self.reasons]
            out["pupil"] = self.pupil
            out["staff"] = self.staff
        if self.renamed:
            out["renamed"] = True
        for key in ("state", "message", "profile"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.evidence is not None:
            out["evidence"] = _plain(self.evidence)
        return out

    def text(self) -> str:
        """One line for a person to read; hidden characters in a name are written out (``Amy⟦RLO⟧B``)."""
        parts = [self.time.astimezone().strftime("%H:%M:%S"), f"{self.kind:<8}"]
        if self.name is not None:
            parts.append(visible_name(self.name) or "(no name)")
        if self.verdict is not None:
            who = f" ({visible_name(self.pupil or self.staff or '')})" if (self.pupil or self.staff) else ""
            why = "; ".join(visible_name(reason) for reason in self.reasons)
            rests_on = f" [{self.evidence.words}]" if isinstance(self.evidence, Evidence) else ""
            parts.append(f"{self.verdict.replace('_', ' ')}{who}{rests_on}" + (f" — {why}" if why else ""))
        if self.state and self.kind == "stream":
            parts.append(self.state)
        if self.message:
            parts.append(visible_name(self.message))
        return "  ".join(parts)


def _plain(value: Any) -> Any:
    """Evidence an arrival carries, as plain JSON data."""
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (str, int, float, bool, list, dict)) or value is None:
        return value
    return str(value)


def lines_of(changes: Sequence[SessionChange]) -> list[WatchLine]:
    """The lines a batch of the engine's changes gives, in order (the rest of the journal is not printed)."""
    lines: list[WatchLine] = []
    for change in changes:
        if not isinstance(change, SessionChange):
            continue  # a picked-up session's rows: a watch always starts a journal of its own
        entry, row = change.entry, change.participant
        if entry.kind in (JournalKind.ARRIVAL, JournalKind.RENAMED) and row is not None:
            lines.append(
                WatchLine(
                    kind="arrival",
                    time=entry.at,
                    name=row.display_name,
                    verdict=row.verdict.value,
                    reasons=tuple(row.reasons),
                    pupil=row.pupil_label,
                    staff=row.staff_name,
                    renamed=entry.kind is JournalKind.RENAMED,
                    evidence=getattr(row, "evidence", None),
                )
            )
        elif entry.kind in _ADMITTED and row is not None:
            lines.append(WatchLine(kind="admitted", time=entry.at, name=row.display_name))
        elif entry.kind in _LEFT and row is not None:
            where = "waiting room" if entry.kind is JournalKind.LEFT_WAITING_ROOM else "meeting"
            lines.append(WatchLine(kind="left", time=entry.at, name=row.display_name, state=where))
        elif change.alarm is not None:
            alarm = change.alarm
            lines.append(WatchLine(kind="alarm", time=alarm.at, name=alarm.display_name, message=alarm.message, state=alarm.kind.value))
        elif entry.kind is JournalKind.SESSION_ENDED:
            lines.append(WatchLine(kind="ended", time=entry.at, message="The meeting has ended."))
        elif note_of(change) is LiveNote.CHANNEL and entry.detail.get("channel") == "zoom-events":
            state = {"events_lost": "down", "events_back": "back"}.get(str(entry.detail.get("state")))
            if state is not None:
                lines.append(WatchLine(kind="stream", time=entry.at, state=state, message=str(entry.detail.get("message", ""))))
    return lines


@dataclass(frozen=True)
class Watched:
    """How a watch ended: its journal, how many lines it gave, and whether the meeting ended."""

    session_id: str
    lines: int
    meeting_ended: bool


async def watch_meeting(
    services: Services,
    *,
    meeting_id: str,
    duration: float | None,
    on_line: Callable[[WatchLine], None],
    listen_timeout: float = 20.0,
) -> Watched:
    """Follow ``meeting_id`` on the Zoom in use until it ends or ``duration`` seconds pass; each change to ``on_line``.

    Run it on the I/O loop. Raises ZoomhostError when there is no event subscription or Zoom's event
    stream cannot be reached.
    """
    from zoomhost.zoom.client import meeting_number

    if duration is not None and duration <= 0:
        raise ZoomhostError("The duration must be more than zero seconds.", hint="Leave --duration out to watch until the meeting ends.")
    number = meeting_number(meeting_id)
    connection = await services.connected()
    if not connection.settings.subscription_id:
        raise ZoomhostError(
            "zoomhost watch listens to Zoom's event stream, and no event subscription is set.",
            hint="Set the event subscription ID in Settings, or ZOOMHOST_SUBSCRIPTION_ID for a script.",
        )
    ended = asyncio.Event()
    count = 0

    def listener(changes: Sequence[SessionChange]) -> None:
        nonlocal count
        for line in lines_of(changes):
            count += 1
            on_line(line)
            if line.kind == "ended":
                ended.set()

    controller = await start_session(
        settings=connection.settings,
        zoom=connection.zoom,
        auth=connection.auth,
        register=services.register,
        journals=services.journals,
        meeting_id=number,
        rehearsal=connection.is_rehearsal,
        connect_assistant=None,  # watching never acts in Zoom
        listener=listener,
        autopilot=False,
        resume=False,
    )
    try:
        try:
            await controller.listening(timeout=listen_timeout)
        except TimeoutError:
            raise ZoomhostError(
                f"Zoom's event stream did not answer within {listen_timeout:.0f} seconds, so zoomhost cannot watch.",
                hint="Run Test connection in Settings (or `zoomhost doctor`) to see what Zoom says.",
            ) from None
        count += 1
        staff_only = controller.session.staff_only
        held_to = f" {STAFF_SESSION_WORDS}; nobody is checked against the pupil register." if staff_only else ""
        on_line(
            WatchLine(
                kind="stream",
                time=utc_now(),
                state="up",
                message=f"Watching meeting {number}.{held_to}",
                profile="staff" if staff_only else "pupils",
            )
        )
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(duration):
                await ended.wait()
        if not ended.is_set():
            count += 1
            on_line(WatchLine(kind="ended", time=utc_now(), message=f"Stopped watching after {duration:g} seconds."))
    finally:
        await controller.close()
    return Watched(session_id=controller.session.journal.session_id, lines=count, meeting_ended=ended.is_set())
