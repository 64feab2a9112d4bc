"""A rehearsal played end to end with no window: ``zoomhost rehearse --headless``.

It goes through the services the live panel uses: the rehearsal Zoom over loopback (embedded,
or a ``zoomhost rehearsal serve`` in another process), Zoom's REST client and event stream, the
host assistant on the rehearsal binding, the live session and its journal, under the automatic
host policy: the assistant arrives in the waiting room as Zoom puts it there, and the policy does
the teacher's one action for it (admit it, make it co-host) when the panel asks, once per assistant; the
autopilot admits consented pupils and staff and leaves everyone else waiting, auto-lock locks after
the protocol's five minutes of scenario time, and the meeting is ended for all once the script is
over. A scenario whose meeting requires registration is prepared as a school would: registration on
with one link per device (one meeting update), and each family with an address registered for its
own link, the waiting room knowing which pupil each is for. Against an external rehearsal Zoom the
same command, run again
after zoomhost was killed, picks the unfinished session up from its journal.

The journals are this computer's, from the composition root (``app.services.session_journals``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import tempfile
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from zoomhost.app.retention import SESSION_CLOSED, RetentionRun, forget_what_is_due
from zoomhost.app.rehearsal_zoom import new_rehearsal_server
from zoomhost.app.services import connect_with, rehearsal_sign_in, session_journals
from zoomhost.app.session import play_on, play_scenario, rehearsal_assistant, start_session
from zoomhost.assistant.launcher import AssistantLauncher
from zoomhost.core.errors import ZoomhostError
from zoomhost.core.journal import (
    Actor,
    JournalEntry,
    JournalKind,
    SessionJournal,
    SessionJournals,
    utc_now,
)
from zoomhost.core.models import Pupil, StaffMember
from zoomhost.core.summary import SessionSummary
from zoomhost.live.engine import Listener, LiveController
from zoomhost.live.opening import find_unfinished_session
from zoomhost.rehearsal.scenarios import SCENARIOS, Scenario
from zoomhost.system import paths, redact
from zoomhost.system.config import Settings

log = logging.getLogger(__name__)

REHEARSAL_NOTE = "rehearsal"  # NOTE entries this runner writes: detail stage (started | ending)
_GRACE_S = 0.75  # real seconds after the script's last step before ending: its events are still on the wire


class RehearsalFailed(ZoomhostError):
    """The headless rehearsal could not be set up or played."""


@dataclass(frozen=True)
class ScenarioRegister:
    """A scenario's consent register and staff list, read through the importer exactly as a school's export is,
    and the family links issued for its meeting (kept here, in memory, as the register store keeps them)."""

    pupil_rows: tuple[Pupil, ...]
    staff_rows: tuple[StaffMember, ...]
    issued: dict[str, dict[str, int]] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, scenario: Scenario) -> ScenarioRegister:
        from zoomhost.core.register import read_register_file, read_staff_file

        with tempfile.TemporaryDirectory(dir=paths.cache_dir()) as folder:
            pupils = read_register_file(scenario.write_register_csv(Path(folder) / "register.csv")).pupils
            staff = read_staff_file(scenario.write_staff_csv(Path(folder) / "staff.csv")).staff
        return cls(tuple(pupils), tuple(staff))

    def pupils(self) -> list[Pupil]:
        return list(self.pupil_rows)

    def staff(self) -> list[StaffMember]:
        return list(self.staff_rows)

    def links(self, meeting_id: str) -> dict[str, int]:
        return dict(self.issued.get(str(meeting_id), {}))

    def record_links(self, meeting_id: str, links: Iterable[tuple[str, int]]) -> int:
        kept = self.issued.setdefault(str(meeting_id), {})
        kept.update(links)
        return len(kept)


async def family_links(zoom: Any, script: Scenario, meeting_id: str, register: ScenarioRegister, *, resumed: bool) -> int:
    """Prepare ``script``'s meeting as a school using a link per family would, and keep the links in ``register``.

    Registration on, one device per link (one meeting update, as the checklist's fix), and each family
    with an address on file registered through Zoom's API exactly as the invitations do. Picking a
    rehearsal up after a restart, the registrations are found among the meeting's registrants by the
    family's address. How many links the waiting room knows; nothing for a scenario without registration.
    """
    from zoomhost.core.invitations import ParentAddress, ParentAddresses
    from zoomhost.zoom.invitations import register_families

    if script.registration is None:
        return 0
    pupils = register.pupils()
    by_address = {script.family_address(row): pupils[row] for row in script.families}
    if resumed:
        listed = await zoom.list_registrants(meeting_id)
        pairs = [(r.registrant_id, by_address[r.email].id) for r in listed if r.email in by_address]
    else:
        await zoom.update_meeting(meeting_id, {"settings": {"approval_type": script.registration, "allow_multiple_devices": False}})
        meeting = await zoom.get_meeting(meeting_id)
        addresses = ParentAddresses(
            source="the rehearsal's address list",
            addresses=tuple(ParentAddress(pupil=pupil, email=address) for address, pupil in by_address.items()),
            skipped=(),
            not_invited=0,
        )
        family = await register_families(zoom, meeting_id, meeting, addresses, invited={p.id for p in pupils if p.consent})
        pairs = list(family.registrants)
    return register.record_links(meeting_id, pairs)


@dataclass(frozen=True)
class RehearsalResult:
    """What the headless rehearsal prints: the session summary's counts and where its journal is."""

    scenario: str
    speed: float
    autopilot: bool
    resumed: bool
    journal: Path
    summary: SessionSummary
    held: int
    retention: RetentionRun | None = None  # what retention did once the session closed
    assistant_launches: int = 0  # host assistants started (one, unless one could not start or dropped)
    assistant_steps: int = 0  # the teacher's actions for the assistant the policy did (admit it, make it co-host)

    def as_dict(self) -> dict[str, Any]:
        counts = self.summary.counts
        alarms = Counter(row.kind for row in self.summary.incidents)
        return {
            "scenario": self.scenario,
            "speed": self.speed,
            "autopilot": self.autopilot,
            "resumed": self.resumed,
            "session_id": self.summary.session_id,
            "journal": str(self.journal),
            "arrivals": counts["arrivals"],
            "by_verdict": counts["by_verdict"],
            "admitted": counts["admitted"],
            "held": self.held,
            "removed": counts["removed"],
            "not_admitted": counts["not_admitted"],
            "alarms": sum(alarms.values()),
            "alarms_by_kind": dict(sorted(alarms.items())),
            "admitted_by": counts["admitted_by"],
            "forwarded_links": counts["forwarded_links"],
            "stream_gaps": counts["stream_gaps"],
            "assistant": {"launches": self.assistant_launches, "teacher_steps": self.assistant_steps},
        }

    def text(self) -> str:
        data = self.as_dict()
        verdicts = _words(data["by_verdict"])
        by = data["admitted_by"]
        alarms = f" ({_words(data['alarms_by_kind'])})" if data["alarms"] else ""
        resumed = " (picked up after a restart)" if self.resumed else ""
        lines = [
            f"Rehearsal '{self.scenario}' at {self.speed:g}x{resumed}:",
            f"  arrivals {data['arrivals']} ({verdicts})",
            f"  admitted {data['admitted']}, held {data['held']}, removed {data['removed']}, alarms {data['alarms']}{alarms}",
            f"  admitted by their own link {by['link']}, by sign-in {by['sign_in']}, by typed name {by['name']},"
            f" by the teacher's click {by['teacher']}, in Zoom {by['zoom']}; forwarded links caught {data['forwarded_links']}",
            f"  journal: {self.journal}",
        ]
        if self.retention is not None:
            lines += [f"  {notice}" for notice in self.retention.notices()]
        return "\n".join(lines)


def _words(counts: dict[str, int]) -> str:
    return ", ".join(f"{name.replace('_', ' ')} {n}" for name, n in counts.items() if n)


@dataclass
class _Zoom:
    """The rehearsal Zoom in use: addresses, rehearsal credentials, and the parts to close."""

    settings: Settings
    account_id: str
    client_id: str
    client_secret: str = field(repr=False)
    meetings: dict[str, int] = field(default_factory=dict)
    admin_base: str = ""
    bridge_url: str | None = None
    sdk_app: tuple[str, str] = ("", "")  # the rehearsal's own Meeting SDK key and secret
    embedded: Any = None  # RehearsalServer
    bridge: Any = None  # RehearsalBridge started here


def rehearse_headless(**options: Any) -> RehearsalResult:
    """``zoomhost rehearse --headless``: :func:`rehearse` on an I/O thread of its own, until it is over."""
    from zoomhost.system.runtime import AsyncRunner

    with AsyncRunner(name="zoomhost-rehearse") as runner:
        return runner.run(rehearse(**options))


async def rehearse(
    *,
    scenario: str,
    speed: float = 1.0,
    server: str | None = None,
    autopilot: bool = True,
    assistant: str = "process",
    listener: Listener | None = None,
) -> RehearsalResult:
    """Play ``scenario`` headless under the automatic host policy and return its summary (run on the I/O loop)."""
    if scenario not in SCENARIOS:
        raise RehearsalFailed(f"There is no rehearsal called '{scenario}'.", hint=f"Choose one of: {', '.join(sorted(SCENARIOS))}.")
    if speed <= 0:
        raise RehearsalFailed("The speed must be above zero.", hint="Use 1 for real time, or 10 for ten times faster.")
    if assistant not in ("process", "in-process"):
        raise RehearsalFailed(f"'{assistant}' is not a way to run the assistant.", hint="Use process or in-process.")
    script = SCENARIOS[scenario]()
    journals = session_journals()
    zoom_parts = await (_external(server) if server else _embedded(in_process=assistant == "in-process"))
    try:
        return await _play(
            zoom_parts, script, journals=journals, speed=speed, autopilot=autopilot, in_process=assistant == "in-process", listener=listener
        )
    finally:
        await _close(zoom_parts)


async def _play(
    parts: _Zoom,
    script: Scenario,
    *,
    journals: SessionJournals,
    speed: float,
    autopilot: bool,
    in_process: bool,
    listener: Listener | None,
) -> RehearsalResult:
    meeting_id = str(parts.meetings[script.meeting])
    resume_from = await _unfinished(parts, meeting_id, script, journals)
    connection = connect_with(
        rehearsal_sign_in(parts.settings, account_id=parts.account_id, client_id=parts.client_id, client_secret=parts.client_secret),
        settings=parts.settings,
        mode="rehearsal",
        reason="A headless rehearsal plays on a rehearsal Zoom.",
    )
    zoom, auth = connection.zoom, connection.auth
    launcher: AssistantLauncher | None = None
    controller: LiveController | None = None
    run: Any = None
    try:
        await auth.warm()  # as the app does: the first click never waits for a token
        passcode = str((await zoom.get_meeting(meeting_id)).get("password") or "")

        async def end_meeting() -> bool:
            return await zoom.end_meeting(meeting_id)

        state: Any = None
        if in_process:
            from zoomhost.rehearsal.binding import RemoteZoomState

            state = parts.embedded.state if parts.embedded is not None else await asyncio.to_thread(RemoteZoomState, parts.bridge_url)
        launcher = rehearsal_assistant(
            meeting_id=meeting_id,
            passcode=passcode,
            end_meeting=end_meeting,
            sdk_app=parts.sdk_app,
            state=state,
            bridge_url=None if in_process else parts.bridge_url,
        )
        anchor = resume_from[1] if resume_from else None
        if resume_from and resume_from[0] != speed:
            log.warning("picking up a rehearsal played at %sx; the new speed %sx is ignored", resume_from[0], speed)
            speed = resume_from[0]
        register = ScenarioRegister.of(script)
        await family_links(zoom, script, meeting_id, register, resumed=resume_from is not None)
        controller = await start_session(
            settings=parts.settings,
            zoom=zoom,
            auth=auth,
            register=register,
            journals=journals,
            meeting_id=meeting_id,
            rehearsal=True,
            connect_assistant=launcher,
            listener=listener,
            autopilot=autopilot,
            resume=resume_from is not None,
            auto_lock_after=timedelta(seconds=script.lock_after_s),
            time_scale=speed,
            clocks_from=anchor,
        )
        if anchor is None:
            try:
                await controller.listening()  # Zoom replays nothing: listen before anyone can arrive
            except TimeoutError:
                raise RehearsalFailed("zoomhost could not connect to the rehearsal Zoom's event stream.") from None
            run, anchor = await play_scenario(controller, lambda: _start_script(parts, script, speed))
            _record(controller, "started", scenario=script.name, speed=speed, started_at=anchor.isoformat())
        stepped: list[int] = []  # the teacher's steps the policy did for the assistant
        steps = asyncio.ensure_future(_assistant_steps(parts, controller, meeting_id, stepped))
        try:
            await _until_over(controller, anchor + timedelta(seconds=script.duration_s / speed + _GRACE_S))
        finally:
            steps.cancel()
            await asyncio.gather(steps, return_exceptions=True)
        assistant_steps = len(stepped)
        if not controller.session.ended:
            _record(controller, "ending", held=len(controller.session.waiting()))
            await controller.end_for_all(actor=Actor.SYSTEM)
        await _until(lambda: _zoom_said_ended(controller), timeout=10.0)
        # Closing journals whatever was heard but not yet written, so the summary printed here is
        # the one the journal gives later (and after a restart). Then retention runs, as when the
        # Live page closes a session: the journal keeps what its summary needs, and no more.
        await controller.close()
        journal = controller.session.journal
        held = _held(journal)
        retention = None
        if controller.session.ended:
            retention = await asyncio.to_thread(forget_what_is_due, trigger=SESSION_CLOSED, closed=journal)
        summary = SessionSummary.from_journal(journal)
        return RehearsalResult(
            scenario=script.name,
            speed=speed,
            autopilot=controller.autopilot,
            resumed=resume_from is not None,
            journal=journal.path,
            summary=summary,
            held=held,
            retention=retention,
            assistant_launches=controller.assistant_attempts,
            assistant_steps=assistant_steps,
        )
    finally:
        if run is not None:
            run.stop()
        if controller is not None:
            await controller.close()
        if launcher is not None:
            await launcher.close()
        await zoom.aclose()


def _record(controller: LiveController, stage: str, *, key: str | None = None, **detail: Any) -> None:
    entry = JournalEntry(
        at=utc_now(),
        kind=JournalKind.NOTE,
        event_key=f"note:{REHEARSAL_NOTE}:{key or stage}",
        actor=Actor.SYSTEM,
        detail={"note": REHEARSAL_NOTE, "stage": stage, **detail},
    )
    controller.session.journal.record([entry])


async def _assistant_steps(parts: _Zoom, controller: LiveController, meeting_id: str, stepped: list[int]) -> None:
    """The policy's part of the teacher: when an assistant waits in the waiting room (or in the meeting, not
    yet co-host), do the one thing it asks on the rehearsal Zoom, once for each assistant started (one
    that replaces a dropped one waits like the first); each step is added to ``stepped``."""
    done_for = 0  # the assistant (by the order it was started in) already let in
    while not controller.session.ended:
        wait = controller.assistant_waiting
        started = controller.assistant_attempts
        if wait is not None and wait.state in ("waiting_room", "in_meeting") and started != done_for:
            done_for = started
            if parts.embedded is not None:
                await asyncio.to_thread(parts.embedded.state.host_admits_assistant, int(meeting_id))
            else:
                await _admin(parts, "POST", "/_rehearsal/assistant", {"meeting_id": int(meeting_id)})
            stepped.append(started)
            _record(controller, "assistant_admitted", key=f"assistant_admitted:{started}", waited_for=wait.state)
        await asyncio.sleep(0.05)


def _held(journal: SessionJournal) -> int:
    """Arrivals the policy left waiting until it ended the meeting (as it counted them then)."""
    for entry in journal.entries():
        if entry.kind is JournalKind.NOTE and entry.detail.get("note") == REHEARSAL_NOTE and entry.detail.get("stage") == "ending":
            return int(entry.detail.get("held", 0))
    return 0


def _zoom_said_ended(controller: LiveController) -> bool:
    return any(e.kind is JournalKind.SESSION_ENDED for e in controller.session.journal.entries()[-50:])


async def _until(predicate: Any, *, timeout: float) -> bool:
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout):
            while not predicate():
                await asyncio.sleep(0.05)
            return True
    return False


async def _until_over(controller: LiveController, end_at: datetime) -> None:
    while not controller.session.ended:
        left = (end_at - utc_now()).total_seconds()
        if left <= 0:
            return
        await asyncio.sleep(min(left, 0.1))


async def _unfinished(parts: _Zoom, meeting_id: str, script: Scenario, journals: SessionJournals) -> tuple[float, datetime] | None:
    """(speed, scenario start) of the session to pick up: only on an external rehearsal whose meeting still runs."""
    if parts.embedded is not None:
        return None
    state = await _admin(parts, "GET", "/_rehearsal/state")
    if meeting_id not in state.get("live", {}):
        return None
    info = find_unfinished_session(meeting_id, journals=journals, rehearsal=True)
    started = None
    if info is not None:
        with journals.open(info.session_id) as journal:
            started = next(
                (e.detail for e in journal.entries() if e.kind is JournalKind.NOTE and e.detail.get("note") == REHEARSAL_NOTE and e.detail.get("stage") == "started"),
                None,
            )
    if started is None or started.get("scenario") != script.name:
        raise RehearsalFailed(
            "The rehearsal meeting is already running, but no unfinished rehearsal of it is kept on this computer.",
            hint="Wait for it to end, or restart `zoomhost rehearsal serve`.",
        )
    return float(started["speed"]), datetime.fromisoformat(str(started["started_at"]))


async def _start_script(parts: _Zoom, script: Scenario, speed: float) -> Any:
    if parts.embedded is not None:
        return await play_on(parts.embedded.state, script, speed=speed)
    await _admin(parts, "POST", "/_rehearsal/scenario", {"name": script.name, "speed": speed})
    return None


# -- the rehearsal Zoom ---------------------------------------------------------------------------
async def _embedded(*, in_process: bool) -> _Zoom:
    from zoomhost.rehearsal.binding import RehearsalBridge
    server = await asyncio.to_thread(new_rehearsal_server().start)
    redact.register_secret(server.credentials.client_secret)
    redact.register_secret(server.state.sdk_app[1])
    parts = _zoom_from(
        {
            "api_base": server.api_base,
            "oauth_base": server.oauth_base,
            "ws_base": server.ws_base,
            "subscription_id": server.subscription_id,
            "account_id": server.credentials.account_id,
            "client_id": server.credentials.client_id,
            "client_secret": server.credentials.client_secret,
            "meetings": server.state.scenario_meetings(),
            "host_email": server.state.users[server.state.host_id].email,
            "sdk_key": server.state.sdk_app[0],
            "sdk_secret": server.state.sdk_app[1],
        }
    )
    parts.embedded = server
    if not in_process:
        parts.bridge = RehearsalBridge(state=server.state)
        parts.bridge_url = await parts.bridge.start()
    return parts


async def _external(api_base: str) -> _Zoom:
    admin = api_base.rstrip("/").removesuffix("/v2")
    if not admin.startswith(("http://127.", "http://localhost", "http://[::1]")):
        raise RehearsalFailed(
            f"'{api_base}' is not a rehearsal Zoom on this computer.",
            hint="Give the API base `zoomhost rehearsal serve` printed, such as http://127.0.0.1:8800/v2.",
        )
    parts = _Zoom(settings=Settings(), account_id="", client_id="", client_secret="", admin_base=admin)
    info = await _admin(parts, "GET", "/_rehearsal/connect")
    redact.register_secret(str(info["client_secret"]))
    if info.get("sdk_secret"):
        redact.register_secret(str(info["sdk_secret"]))
    found = _zoom_from(info)
    found.admin_base = admin
    if not found.bridge_url:
        raise RehearsalFailed(
            "That rehearsal Zoom has no host assistant bridge, so the assistant cannot play in it.",
            hint="Start it with `zoomhost rehearsal serve`.",
        )
    return found


def _zoom_from(info: dict[str, Any]) -> _Zoom:
    settings = replace(
        Settings(),
        api_base=str(info["api_base"]),
        oauth_base=str(info["oauth_base"]),
        ws_base=str(info["ws_base"]),
        subscription_id=str(info["subscription_id"]),
        auth_mode="server_to_server",
        host_email=str(info.get("host_email") or ""),
    )
    return _Zoom(
        settings=settings,
        account_id=str(info["account_id"]),
        client_id=str(info["client_id"]),
        client_secret=str(info["client_secret"]),
        meetings={str(k): int(v) for k, v in dict(info["meetings"]).items()},
        admin_base=str(info["oauth_base"]),
        bridge_url=info.get("assistant_bridge"),
        sdk_app=(str(info.get("sdk_key") or ""), str(info.get("sdk_secret") or "")),
    )


async def _admin(parts: _Zoom, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """One call to the rehearsal Zoom's own admin routes (loopback, no token: they are not Zoom's API)."""
    url = parts.admin_base + path

    def call() -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - a loopback address checked above
            return json.loads(response.read() or b"{}")

    try:
        return await asyncio.to_thread(call)
    except (urllib.error.URLError, OSError, ValueError) as err:
        raise RehearsalFailed(
            f"The rehearsal Zoom at {parts.admin_base} did not answer ({err.__class__.__name__}).",
            hint="Check that `zoomhost rehearsal serve` is still running and that the address is the one it printed.",
        ) from None


async def _close(parts: _Zoom) -> None:
    if parts.bridge is not None:
        with contextlib.suppress(Exception):
            await parts.bridge.close()
    if parts.embedded is not None:
        await asyncio.to_thread(parts.embedded.stop)
