"""Start a session: the live engine for one meeting, wired to Zoom's event stream, the manual fallback and the host assistant.

The window's **Start session**, ``zoomhost rehearse --headless`` and the tests all start a
session through :func:`start_session`, on the I/O loop, with the same parts for a real Zoom and
the rehearsal Zoom alike.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterable, Callable, Collection
from datetime import datetime, timedelta
from typing import Any

from zoomhost.assistant.fallback import ManualChannel
from zoomhost.core.errors import ZoomhostError
from zoomhost.core.events import MeetingEvent
from zoomhost.core.journal import SessionJournals, utc_now
from zoomhost.live.engine import ConnectAssistant, Listener, LiveController
from zoomhost.live.opening import RegisterSource, open_session
from zoomhost.system.config import Settings

log = logging.getLogger(__name__)


async def start_session(
    *,
    settings: Settings,
    zoom: Any,
    auth: Any,
    register: RegisterSource,
    journals: SessionJournals,
    meeting_id: str,
    rehearsal: bool,
    connect_assistant: ConnectAssistant | None = None,
    listener: Listener | None = None,
    autopilot: bool | None = None,
    resume: bool = True,
    topic: str | None = None,
    auto_lock_after: timedelta | None = None,
    planned_length: timedelta | None = None,
    time_scale: float = 1.0,
    clocks_from: datetime | None = None,
    clock: Callable[[], datetime] = utc_now,
    assistant_ids: Collection[str] = (),
) -> LiveController:
    """Build and start the controller for one meeting, from the app's parts (real Zoom or rehearsal alike).

    ``zoom`` is a ``ZoomClient``, ``auth`` its ``ZoomAuth``, ``journals`` the kept sessions
    (``Services.journals``); ``connect_assistant`` (see
    ``zoomhost.assistant.launcher``) is tried in the background and again whenever the assistant
    drops; until then the Zoom client's own buttons are shown. Picks up this meeting's
    unfinished journal when ``resume``. Run it on the I/O loop.
    """
    from zoomhost.zoom.events import EventStream

    if topic is None:
        try:
            topic = str((await zoom.get_meeting(meeting_id)).get("topic") or "")
        except ZoomhostError as err:
            log.warning("the meeting's topic could not be read: %s", err)
            topic = ""
    session = open_session(
        journals=journals,
        meeting_id=meeting_id,
        topic=topic,
        planned_minutes=settings.planned_minutes,
        rehearsal=rehearsal,
        register=register,
        resume=resume,
        clock=clock,
    )

    async def end_meeting() -> None:
        await zoom.end_meeting(meeting_id)

    streams: list[AsyncIterable[MeetingEvent]] = []
    if settings.subscription_id:
        streams.append(EventStream(settings=settings, auth=auth, meeting_id=str(meeting_id), client=zoom))
    controller = LiveController(
        session=session,
        fallback=ManualChannel(end_meeting=end_meeting),
        connect_assistant=connect_assistant,
        streams=streams,
        end_meeting=end_meeting,
        roster=lambda: zoom.live_participants(meeting_id),
        listener=listener,
        clock=clock,
        auto_lock_after=auto_lock_after if auto_lock_after is not None else timedelta(minutes=settings.auto_lock_minutes),
        planned_length=planned_length if planned_length is not None else timedelta(minutes=settings.planned_minutes),
        time_scale=time_scale,
        clocks_from=clocks_from,
        autopilot=autopilot,
        assistant_ids=assistant_ids,
    )
    await controller.start()
    return controller
