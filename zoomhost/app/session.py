"""Start a session: the live engine for one meeting, wired to Zoom's event stream, the manual fallback and the host assistant.

The window's **Start session** (:func:`begin_session`), ``zoomhost rehearse --headless`` and the
tests all start the engine through :func:`start_session`, on the I/O loop, with the same parts for
a real Zoom and the rehearsal Zoom alike. The window and the headless rehearsal choose the host
assistant (:func:`assistant_for_meeting`, :func:`rehearsal_assistant`) and play a rehearsal's
script (:func:`play_scenario`) through the same functions, so the two cannot drift apart.

While a session runs, the Live page hears each batch of changes with the engine's state after it
(a ``LiveUpdate``), ticks the start-of-session checks with :func:`confirm_start_check` and
:func:`confirm_adult_with`, and closes the session with :func:`finish_session` once the meeting
has ended, which also runs retention (``app.retention``): the closed journal keeps no more than its
summary needs, and what is past its retention goes. Everything here runs on the I/O loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import AsyncIterable, Awaitable, Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from zoomhost.app.meetings import session_profile
from zoomhost.app.retention import SESSION_CLOSED, RetentionRun, forget_what_is_due
from zoomhost.assistant.fallback import ManualChannel
from zoomhost.assistant.launcher import AssistantLauncher
from zoomhost.core.errors import ZoomhostError
from zoomhost.core.events import MeetingEvent
from zoomhost.core.journal import SessionJournals, utc_now
from zoomhost.core.invitations import approved_registrations
from zoomhost.core.register_changes import RegisterAge, register_age
from zoomhost.core.preflight import registration_required, registrations_approved_by_hand
from zoomhost.core.profiles import STAFF_SESSION_WORDS, Profile
from zoomhost.core.session import Arrival, SessionChange
from zoomhost.core.start_checks import StartChecklist
from zoomhost.live.engine import ConnectAssistant, Listener, LiveController
from zoomhost.live.opening import RegisterSource, open_session
from zoomhost.live.state import LiveState, LiveUpdate, Notice, NoticeKind, StartChecksView, notices_in
from zoomhost.system import redact
from zoomhost.system.config import Settings
from zoomhost.zoom.ratelimit import RetryPolicy

if TYPE_CHECKING:
    from zoomhost.app.services import Connection, Services
    from zoomhost.assistant.process import Standby
    from zoomhost.rehearsal.scenarios import Scenario, ScenarioRun

__all__ = [  # what the Live page reads, from here rather than from the engine's own modules
    "LiveState",
    "LiveUpdate",
    "MeetingsToHost",
    "Notice",
    "NoticeKind",
    "RetentionRun",
    "STAFF_SESSION_WORDS",
    "StartChecksView",
    "StartedSession",
    "assistant_for_meeting",
    "begin_session",
    "confirm_adult_with",
    "do_assistant_step_in_rehearsal",
    "confirm_start_check",
    "finish_session",
    "meetings_to_host",
    "play_scenario",
    "read_start_checks",
    "ready_host_assistant",
    "rehearsal_assistant",
    "start_session",
]

R = TypeVar("R")

log = logging.getLogger(__name__)

#: Reading who Zoom says waiting people are: one retry, then the watch asks again a second later.
ASK_AGAIN_SOON = RetryPolicy(max_attempts=2, base_delay=0.25, max_delay=0.5, max_retry_after=2.0, give_up_after=2.0)


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
    meeting: Mapping[str, Any] | None = None,
    profile: Profile | None = None,
) -> LiveController:
    """Build and start the controller for one meeting, from the app's parts (real Zoom or rehearsal alike).

    ``zoom`` is a ``ZoomClient``, ``auth`` its ``ZoomAuth``, ``journals`` the kept sessions
    (``Services.journals``); ``connect_assistant`` (see
    ``zoomhost.assistant.launcher``) is tried in the background and again whenever the assistant
    drops; until then the Zoom client's own buttons are shown. Picks up this meeting's
    unfinished journal when ``resume``. ``meeting``: the meeting as Zoom gave it, if already read
    (its topic, and whether it requires registration: then pupils are admitted by their family's
    own link). ``profile``: the protocol the meeting is held to; by default decided as the checklist
    decides it (``app.meetings.session_profile``): a meeting of staff only judges its arrivals against the
    staff list alone. Run it on the I/O loop.
    """
    from zoomhost.zoom.events import EventStream

    if meeting is None:
        try:
            meeting = await zoom.get_meeting(meeting_id)
        except ZoomhostError as err:
            log.warning("the meeting could not be read: %s", err)
            meeting = {}
    if topic is None:
        topic = str(meeting.get("topic") or "")
    # The running instance's UUID: its events may name the meeting only by UUID.
    meeting_uuid = str(meeting["uuid"]) if meeting.get("status") == "started" and meeting.get("uuid") else None
    if profile is None:
        profile = await _off_loop(lambda: session_profile(settings, meeting_id, topic))
    found: dict[str, int] = {}
    if registrations_approved_by_hand(meeting) and profile is not Profile.STAFF:  # a staff meeting reads no registrations
        # Registrations the school approved that zoomhost did not make (another computer, Zoom's own
        # pages): matched to the pupil they name. Where anyone is approved, they would prove nothing.
        try:
            listed = await zoom.list_registrants(meeting_id)
        except ZoomhostError as err:
            log.warning("the meeting's registrations could not be read: %s", err)
            listed = []
        pupils = await _off_loop(register.pupils)
        found = approved_registrations(
            ((r.registrant_id, r.first_name, r.last_name) for r in listed), pupils, today=clock().date()
        )
    # Reading the register and the journals is disk work: off the loop, which hears Zoom meanwhile.
    session = await _off_loop(
        lambda: open_session(
            journals=journals,
            meeting_id=meeting_id,
            topic=topic,
            planned_minutes=settings.planned_minutes,
            rehearsal=rehearsal,
            register=register,
            resume=resume,
            clock=clock,
            links_in_use=registration_required(meeting),  # open_session keeps links out of a staff meeting
            found_links=found,
            profile=profile,
        )
    )

    async def end_meeting() -> bool:
        return await zoom.end_meeting(meeting_id)

    streams: list[AsyncIterable[MeetingEvent]] = []
    if settings.subscription_id:
        # A rehearsal played faster waits and beats faster too: its minute of a failing token is shorter.
        # The running instance's UUID, when known: an event that names its meeting only by UUID is then read at once.
        streams.append(
            EventStream(
                settings=settings,
                auth=auth,
                meeting_id=str(meeting_id),
                time_scale=time_scale,
                instance_uuids=[meeting_uuid] if meeting_uuid else [],
            )
        )
    controller = LiveController(
        session=session,
        fallback=ManualChannel(end_meeting=end_meeting),
        connect_assistant=connect_assistant,
        streams=streams,
        end_meeting=end_meeting,
        roster=lambda: zoom.live_participants(meeting_id),
        identity_roster=lambda: zoom.live_participants(meeting_id, retry=ASK_AGAIN_SOON),
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


# -- the host assistant and a rehearsal's script: the same for the window and the headless rehearsal --


def rehearsal_assistant(
    *,
    meeting_id: str,
    passcode: str,
    end_meeting: Callable[[], Awaitable[None]],
    sdk_app: tuple[str, str],
    state: Any | None = None,
    bridge_url: str | None = None,
    zak: Callable[[], Awaitable[str]] | None = None,
    standby: Standby | None = None,
) -> AssistantLauncher:
    """The host assistant on a rehearsal Zoom: in this process on its ``state``, or a process through its bridge.

    ``sdk_app``: the rehearsal's own Meeting SDK key and secret (it checks the JWT as Zoom does);
    ``standby``: where a process for the bridge may already be standing by.
    """
    from zoomhost.assistant.sdk_adapter import make_sdk_jwt

    key, secret = sdk_app
    redact.register_secret(secret)
    return AssistantLauncher(
        meeting_number=int(meeting_id),
        passcode=passcode,
        sdk_jwt=lambda: make_sdk_jwt(sdk_key=key, sdk_secret=secret),
        end_meeting=end_meeting,
        rehearsal_url=bridge_url,
        rehearsal_state=state,
        zak=zak,
        standby=standby,
    )


def assistant_zak(zoom: Any, user: str) -> Callable[[], Awaitable[str]]:
    """Fetches a fresh ZAK of the Zoom user the school gave the assistant, each time it joins.

    A user Zoom does not know, or whose ZAK the app may not read, cannot change by trying again:
    ``AssistantUnavailable``, so the panel falls back at once and says why.
    """
    from zoomhost.assistant.sdk_adapter import AssistantUnavailable
    from zoomhost.zoom.errors import AuthError, BadRequest, NotFound, PlanDoesNotAllow

    async def fetch() -> str:
        try:
            return str(await zoom.user_zak(user))
        except (NotFound, AuthError, BadRequest, PlanDoesNotAllow) as err:
            raise AssistantUnavailable(
                f"zoomhost could not get the host assistant's Zoom user's access key: {err.user_text()}",
                hint="Check the assistant's Zoom user in Settings, or clear it to let the assistant join as a guest.",
            ) from err

    return fetch


async def assistant_for_meeting(
    services: Services, connection: Connection, meeting_id: str, meeting: Mapping[str, Any]
) -> AssistantLauncher | None:
    """The host assistant for this meeting: simulated in rehearsal, the Meeting SDK one where it is set up.

    With a Zoom user for the assistant in the settings, it joins as that user (its ZAK): made the
    meeting's alternative host by pre-flight, it needs no click. None when this computer cannot run
    it or no Meeting SDK key is set: the panel then shows the Zoom client's steps (REST only).
    """
    from zoomhost.assistant.sdk_adapter import make_sdk_jwt

    async def end_meeting() -> bool:
        return await connection.zoom.end_meeting(meeting_id)

    passcode = str(meeting.get("password") or "")
    user = connection.settings.assistant_user.strip()
    zak = assistant_zak(connection.zoom, user) if user else None
    if connection.rehearsal is not None:  # in the rehearsal Zoom's own process it plays through its bridge
        rehearsal = connection.rehearsal
        state = rehearsal.local_state
        return rehearsal_assistant(
            meeting_id=meeting_id,
            passcode=passcode,
            end_meeting=end_meeting,
            sdk_app=rehearsal.sdk_app,
            state=state,
            bridge_url=rehearsal.bridge_url if state is None else None,
            zak=zak,
            standby=services.standby,
        )
    sdk_app = await _sdk_app(services)
    if sdk_app is None:
        return None
    key, secret = sdk_app
    return AssistantLauncher(
        meeting_number=int(meeting_id),
        passcode=passcode,
        sdk_jwt=lambda: make_sdk_jwt(sdk_key=key, sdk_secret=secret),
        end_meeting=end_meeting,
        zak=zak,
        standby=services.standby,
    )


async def ready_host_assistant(services: Services) -> None:
    """Start a host assistant process standing by for the session the teacher is about to start: the Live
    page asks once it has listed the meetings, and again after a session ends. None where the assistant
    would not run as a process: on a rehearsal Zoom in this process, or without the Meeting SDK set up."""
    connection = await services.connected()
    rehearsal = connection.rehearsal
    if rehearsal is not None:
        if rehearsal.local_state is None and rehearsal.bridge_url:
            services.standby.prepare(rehearsal_url=rehearsal.bridge_url)
    elif await _sdk_app(services) is not None:
        services.standby.prepare()


async def _sdk_app(services: Services) -> tuple[str, str] | None:
    """The school's Meeting SDK key and secret where this computer can run the assistant; None otherwise."""
    from zoomhost.assistant.process import assistant_available

    store = await _off_loop(lambda: services.credentials)
    key, secret = await _off_loop(lambda: (store.get("sdk_key"), store.get("sdk_secret")))
    if not key or not secret or not assistant_available():
        return None
    return str(key), str(secret)


async def play_scenario(controller: LiveController, start: Callable[[], Awaitable[R]]) -> tuple[R, datetime]:
    """Start a rehearsal's script with ``start`` and count the session's clocks from its first second.

    Auto-lock and the planned length count from the moment the script starts, not from when the
    meeting started: five minutes of the script, at the script's speed. Returns what ``start``
    gave and that moment. Call it once Zoom's events are heard (``controller.listening()``).
    """
    anchor = utc_now()
    run = await start()
    controller.count_from(anchor)
    return run, anchor


async def play_on(state: Any, script: Scenario, *, speed: float) -> ScenarioRun:
    """Play ``script`` into a rehearsal Zoom's state in this process (a ``start`` for :func:`play_scenario`)."""
    from zoomhost.rehearsal.scenarios import play

    return await asyncio.to_thread(play, state, script, speed=speed)


# -- the Live page's session -----------------------------------------------------------------------

UpdateListener = Callable[[LiveUpdate], None]


@dataclass(frozen=True)
class StartedSession:
    """A session the Live page hosts: the engine its commands go to, what to close when it ends, and how it stood."""

    controller: LiveController
    launcher: AssistantLauncher | None
    run: ScenarioRun | None  # the rehearsal script playing, if any
    state: LiveState  # the engine's state once started
    checks: StartChecksView
    register_size: int  # people on the list arrivals are judged against (none: nobody can be recognised): the
    # register's pupils, or at a meeting of staff only the staff list
    services: Services | None = None  # whose journals, register and retention the session closes with
    register_age: RegisterAge | None = None  # how old the register is, against the school's refresh interval (None
    # at a meeting of staff only, which never reads it)

    @property
    def session_id(self) -> str:
        return self.state.session_id


class _Watch:
    """The engine's listener for the Live page: each batch goes on with the engine's state after it.

    Batches told while the engine is still starting (before its controller is known) are held
    and go on, in order, once it is.
    """

    def __init__(self, listener: UpdateListener, *, time_scale: float) -> None:
        self._listener = listener
        self._scale = time_scale
        self._controller: LiveController | None = None
        self._held: list[SessionChange | Arrival] = []

    def __call__(self, changes: Sequence[SessionChange | Arrival]) -> None:
        if self._controller is None:
            self._held.extend(changes)
        else:
            self.tell(changes)

    def attach(self, controller: LiveController) -> None:
        self._controller = controller
        held, self._held = self._held, []
        if held:
            self.tell(held)

    def state(self) -> LiveState:
        assert self._controller is not None
        return LiveState.read(self._controller, time_scale=self._scale)

    def tell(self, changes: Iterable[SessionChange | Arrival]) -> None:
        batch = tuple(changes)
        self._listener(LiveUpdate(changes=batch, state=self.state(), notices=tuple(notices_in(batch))))


async def begin_session(
    services: Services,
    *,
    meeting_id: str,
    scenario: str | None = None,
    speed: float = 1.0,
    listener: UpdateListener,
) -> StartedSession:
    """Start hosting ``meeting_id``, as the Live page's Start session does; in rehearsal, play ``scenario`` at ``speed``.

    Connects (if not yet), reads the meeting, chooses the host assistant, starts the engine
    (picking up this meeting's unfinished session, outside rehearsal), listens before anyone can
    arrive, starts the rehearsal's script, and gives the assistant a moment to join. ``listener``
    hears every batch of changes with the engine's state after it, from the first (on the I/O
    loop); a picked-up session's rows come to it before this returns.
    """
    connection = await services.connected()
    store = services.register
    pupils, staff, record = await _off_loop(lambda: (len(store.pupils()), len(store.staff()), store.last_import()))  # one trip
    age = register_age(record, refresh_days=services.settings.register_refresh_days, now=utc_now())
    meeting = await connection.zoom.get_meeting(str(meeting_id))
    launcher = await assistant_for_meeting(services, connection, str(meeting_id), meeting)
    watch = _Watch(listener, time_scale=speed)
    controller = await start_session(
        settings=connection.settings,
        zoom=connection.zoom,
        auth=connection.auth,
        register=services.register,
        journals=services.journals,
        meeting_id=str(meeting_id),
        rehearsal=connection.is_rehearsal,
        connect_assistant=launcher,
        listener=watch,
        resume=not connection.is_rehearsal,
        time_scale=speed,
        meeting=meeting,
    )
    run = None
    try:
        watch.attach(controller)
        await controller.listening()  # Zoom replays nothing: listen before anyone can arrive
        rehearsal = connection.rehearsal
        if rehearsal is not None and scenario:
            run, _ = await play_scenario(controller, lambda: _off_loop(lambda: rehearsal.play(scenario, speed=speed)))
        if launcher is not None:
            # Until the assistant has host controls the Zoom steps are shown, and while it waits for
            # the teacher (or the host) the one thing to do: the first state shows whichever it is.
            await controller.wait_until_assistant_settled(timeout=10.0)
    except BaseException:
        if run is not None:
            await _off_loop(run.stop)
        await controller.close()
        if launcher is not None:
            await launcher.close()
        raise
    session = controller.session
    watch.tell(session.arrivals())  # a picked-up session's rows, in order with the changes after them
    staff_only = session.staff_only  # a meeting of staff only is judged against the staff list, never the register
    return StartedSession(
        controller=controller,
        launcher=launcher,
        run=run,
        state=watch.state(),
        checks=StartChecksView.read(StartChecklist(session=session)),
        register_size=staff if staff_only else pupils,
        services=services,
        register_age=None if staff_only else age,
    )


async def finish_session(
    started: StartedSession, *, unfinished: Iterable[concurrent.futures.Future[Any]] = ()
) -> RetentionRun | None:
    """Close a session whose meeting has ended: a command still on its way (the panic's REST call) is
    journaled first, then the rehearsal's script, the engine and the host assistant stop. Then retention
    runs: the journal is cut down to what its summary needs, and what is past its retention goes; what
    that removed is returned (None when the meeting had not ended: a session closed early keeps all)."""
    pending = [asyncio.wrap_future(future) for future in unfinished if not future.done()]
    if pending:
        await asyncio.wait(pending, timeout=15)
    if started.run is not None:
        await _off_loop(started.run.stop)
    await started.controller.close()
    if started.launcher is not None:
        await started.launcher.close()
    if not started.controller.session.ended:
        return None
    journal = started.controller.session.journal
    return await _off_loop(lambda: forget_what_is_due(started.services, trigger=SESSION_CLOSED, closed=journal))


async def do_assistant_step_in_rehearsal(started: StartedSession) -> int:
    """Rehearsal only: the rehearsal Zoom's host does the teacher's one action for the host assistant
    (admit it from the waiting room, make it co-host), as the teacher would in Zoom on the day.

    Returns how many assistants were there to admit (a later one is admitted as it arrives)."""
    services = started.services
    rehearsal = (await services.connected()).rehearsal if services is not None else None
    if rehearsal is None:
        raise ZoomhostError("Only a rehearsal can do this for you: in a real meeting, do it in Zoom.")
    meeting_id = started.controller.session.journal.info.meeting_id
    return int(await _off_loop(lambda: rehearsal.host_admits_assistant(meeting_id)))


async def read_start_checks(started: StartedSession) -> StartChecksView:
    """The start-of-session checks as the session's journal has them now."""
    return StartChecksView.read(StartChecklist(session=started.controller.session))


async def confirm_start_check(started: StartedSession, check_id: str) -> StartChecksView:
    """Journal the teacher's tick of one start-of-session check; the checks as they stand after it.

    Refused in plain words (``StartCheckError``) when it cannot be true yet, such as an adult with
    every pupil before any pupil is in.
    """
    checklist = StartChecklist(session=started.controller.session)
    checklist.confirm(check_id)
    return StartChecksView.read(checklist)


async def confirm_adult_with(started: StartedSession, participant_id: str) -> StartChecksView:
    """Journal that an adult is with one pupil (a small class, pupil by pupil); the checks after it."""
    checklist = StartChecklist(session=started.controller.session)
    checklist.confirm_adult_with(participant_id)
    return StartChecksView.read(checklist)


@dataclass(frozen=True)
class MeetingsToHost:
    """The host's upcoming meetings, and in rehearsal which meeting each scenario plays into."""

    rehearsal: bool
    meetings: tuple[Any, ...]  # the Zoom client's meeting values (id, topic, start time)
    scenario_meetings: Mapping[str, str]  # scenario name -> meeting id (rehearsal only)


async def meetings_to_host(services: Services) -> MeetingsToHost:
    """Connect (if not yet) and list the host's upcoming meetings; in rehearsal, the scenarios' meetings too."""
    connection = await services.connected()
    meetings = await connection.zoom.list_upcoming_meetings(user_id=connection.host_user())
    scenario_meetings: dict[str, str] = {}
    if connection.rehearsal is not None:
        scenario_meetings = connection.rehearsal.scenario_meetings()
    return MeetingsToHost(rehearsal=connection.is_rehearsal, meetings=tuple(meetings), scenario_meetings=scenario_meetings)


async def _off_loop(fn: Callable[[], R]) -> R:
    return await asyncio.get_running_loop().run_in_executor(None, fn)
