"""The honest fallback when no host assistant is connected: the teacher's own hands, guided.

``ManualChannel`` performs nothing in the meeting except ending it for everyone (through
Zoom's API). Every other control comes back with the exact step in the Zoom client, which
the panel shows and whose confirmation it journals. Arrivals still reach the panel from
Zoom's event stream, through the event source it is given.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from zoomhost.core.control import (
    ZOOM_CLIENT_STEPS,
    Capability,
    CapabilityInfo,
    CommandResult,
    ConnectionCallback,
    EventCallback,
    How,
    Listeners,
    new_command_id,
)
from zoomhost.core.errors import ZoomhostError

EndMeeting = Callable[[], Awaitable[object]]
#: Subscribes a callback to Zoom's event stream and returns the way to unsubscribe.
EventSource = Callable[[EventCallback], Callable[[], None]]

_LABELS: dict[Capability, str] = {
    Capability.ADMIT: "Admit (in Zoom)",
    Capability.ADMIT_ALL: "Admit all (in Zoom)",
    Capability.PUT_IN_WAITING_ROOM: "Put in waiting room (in Zoom)",
    Capability.REMOVE: "Remove (in Zoom)",
    Capability.MUTE_ALL: "Mute all (in Zoom)",
    Capability.CHAT_OFF: "Chat off (in Zoom)",
    Capability.STOP_SHARE: "Stop share (in Zoom)",
    Capability.LOCK_SHARE: "Lock share (in Zoom)",
    Capability.LOCK: "Lock meeting (in Zoom)",
    Capability.UNLOCK: "Unlock meeting (in Zoom)",
    Capability.END_FOR_ALL: "End meeting for all",
    Capability.RENAME_OFF: "Renaming off (in Zoom)",
}

_MANUAL_EXPLANATION = (
    "No host assistant is connected, and Zoom's API cannot do this during a meeting. "
    "Do it in the Zoom client, then confirm here so it is journaled."
)


async def end_over_rest(end_meeting: EndMeeting, *, command_id: str) -> CommandResult:
    """End the meeting for everyone with Zoom's API; a failure says which button to press instead."""
    try:
        ended_now = await end_meeting()
    except ZoomhostError as err:
        return CommandResult(
            command_id=command_id,
            ok=False,
            message=f"Zoom's API could not end the meeting: {err.user_text()}",
            capability=Capability.END_FOR_ALL,
            how=How.REST,
            manual_step=ZOOM_CLIENT_STEPS[Capability.END_FOR_ALL],
        )
    return CommandResult(
        command_id=command_id,
        ok=True,
        message="The meeting has ended for everyone."
        if ended_now is not False
        else "The meeting was not running any more (Zoom says so): nobody is in it.",
        capability=Capability.END_FOR_ALL,
        how=How.REST,
    )


def mute_all_step(*, allow_self_unmute: bool) -> str:
    if allow_self_unmute:
        return "In Zoom: press Alt+M (Cmd+Ctrl+M on macOS) to mute all, leave Allow participants to unmute themselves ticked, then Yes"
    return ZOOM_CLIENT_STEPS[Capability.MUTE_ALL]


class ManualChannel:
    """A ``ControlChannel`` for when no assistant is there: Zoom client steps, and end-for-all over REST."""

    name = "manual"

    def __init__(self, *, end_meeting: EndMeeting | None, events: EventSource | None = None) -> None:
        self._end_meeting = end_meeting
        self._listeners = Listeners()
        self._results: dict[str, CommandResult] = {}
        self._unsubscribe = events(self._listeners.emit_event) if events is not None else None

    def capabilities(self) -> dict[Capability, CapabilityInfo]:
        caps: dict[Capability, CapabilityInfo] = {}
        for capability in Capability:
            if capability is Capability.END_FOR_ALL and self._end_meeting is not None:
                caps[capability] = CapabilityInfo(
                    capability, True, How.REST, _LABELS[capability],
                    "Ends the meeting for everyone through Zoom's API.", ZOOM_CLIENT_STEPS[capability],
                )  # fmt: skip
            else:
                caps[capability] = CapabilityInfo(
                    capability, False, How.MANUAL, _LABELS[capability], _MANUAL_EXPLANATION, ZOOM_CLIENT_STEPS[capability]
                )
        return caps

    def on_event(self, callback: EventCallback) -> Callable[[], None]:
        return self._listeners.on_event(callback)

    def on_connection(self, callback: ConnectionCallback) -> Callable[[], None]:
        return self._listeners.on_connection(callback)

    def _manual(
        self, capability: Capability, command_id: str | None, *, participant_id: str | None = None, step: str | None = None
    ) -> CommandResult:
        command_id = command_id or new_command_id()
        result = CommandResult(
            command_id=command_id,
            ok=False,
            message="Waiting for you to do this in Zoom.",
            capability=capability,
            participant_id=participant_id,
            how=How.MANUAL,
            manual_step=step or ZOOM_CLIENT_STEPS[capability],
        )
        return self._results.setdefault(command_id, result)

    async def admit(self, participant_id: str, *, command_id: str | None = None) -> CommandResult:
        return self._manual(Capability.ADMIT, command_id, participant_id=participant_id)

    async def admit_many(
        self, participant_ids: Sequence[str], *, command_ids: Sequence[str] | None = None
    ) -> list[CommandResult]:
        ids = list(command_ids) if command_ids is not None else [new_command_id() for _ in participant_ids]
        # Admit each in turn: Zoom's "Admit all" would let in the unconsented too.
        return [
            self._manual(Capability.ADMIT, cid, participant_id=pid)
            for pid, cid in zip(participant_ids, ids, strict=True)
        ]

    async def put_in_waiting_room(self, participant_id: str, *, command_id: str | None = None) -> CommandResult:
        return self._manual(Capability.PUT_IN_WAITING_ROOM, command_id, participant_id=participant_id)

    async def remove(self, participant_id: str, *, command_id: str | None = None) -> CommandResult:
        return self._manual(Capability.REMOVE, command_id, participant_id=participant_id)

    async def mute_all(self, *, allow_self_unmute: bool = False, command_id: str | None = None) -> CommandResult:
        return self._manual(Capability.MUTE_ALL, command_id, step=mute_all_step(allow_self_unmute=allow_self_unmute))

    async def allow_chat(self, allowed: bool, /, *, command_id: str | None = None) -> CommandResult:
        step = None if not allowed else "In Zoom: Security ▸ tick Chat"
        return self._manual(Capability.CHAT_OFF, command_id, step=step)

    async def stop_share(self, *, command_id: str | None = None) -> CommandResult:
        return self._manual(Capability.STOP_SHARE, command_id)

    async def allow_rename(self, allowed: bool, /, *, command_id: str | None = None) -> CommandResult:
        step = "In Zoom: Security ▸ tick Rename Themselves" if allowed else None
        return self._manual(Capability.RENAME_OFF, command_id, step=step)

    async def lock_share(self, *, command_id: str | None = None) -> CommandResult:
        return self._manual(Capability.LOCK_SHARE, command_id)

    async def lock(self, *, command_id: str | None = None) -> CommandResult:
        return self._manual(Capability.LOCK, command_id)

    async def unlock(self, *, command_id: str | None = None) -> CommandResult:
        return self._manual(Capability.UNLOCK, command_id)

    async def end_for_all(self, *, command_id: str | None = None) -> CommandResult:
        command_id = command_id or new_command_id()
        if command_id in self._results:
            return self._results[command_id]
        if self._end_meeting is None:
            return self._manual(Capability.END_FOR_ALL, command_id)
        result = await end_over_rest(self._end_meeting, command_id=command_id)
        self._results[command_id] = result
        return result

    async def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
