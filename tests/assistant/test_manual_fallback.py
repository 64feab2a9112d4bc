"""With no assistant: every control but end-for-all is the teacher's, with the exact Zoom step."""

from __future__ import annotations

import asyncio

from tests.assistant.helpers import zoom_client
from tests.rehearsal.fixtures import rehearsal_server  # noqa: F401 - pytest fixture
from zoomhost.assistant.fallback import ManualChannel
from zoomhost.core.control import Capability, ControlChannel, How
from zoomhost.core.errors import ZoomhostError
from zoomhost.rehearsal.server import RehearsalServer

STEPS = {
    Capability.ADMIT: "In Zoom: Participants ▸ Admit",
    Capability.LOCK: "In Zoom: Security ▸ Lock Meeting",
    Capability.CHAT_OFF: "In Zoom: Security ▸ untick Chat",
    Capability.STOP_SHARE: "In Zoom: Security ▸ untick Share Screen",
    Capability.LOCK_SHARE: "In Zoom: Security ▸ untick Share Screen",
    Capability.REMOVE: "In Zoom: Participants ▸ hover the name ▸ More ▸ Remove",
    Capability.PUT_IN_WAITING_ROOM: "In Zoom: Participants ▸ hover the name ▸ More ▸ Put in waiting room",
    Capability.END_FOR_ALL: "In Zoom: End ▸ End meeting for all",
}


def test_every_control_but_end_for_all_is_a_zoom_step() -> None:
    async def nothing() -> None:
        return None

    channel = ManualChannel(end_meeting=nothing)
    assert isinstance(channel, ControlChannel)
    caps = channel.capabilities()
    assert set(caps) == set(Capability)
    for capability, info in caps.items():
        if capability is Capability.END_FOR_ALL:
            assert info.available and info.how == How.REST
        else:
            assert not info.available and info.how == How.MANUAL and info.manual_step
    for capability, step in STEPS.items():
        assert caps[capability].manual_step == step
    mute = caps[Capability.MUTE_ALL].manual_step
    assert "Alt+M" in mute and "Cmd+Ctrl+M on macOS" in mute and "untick Allow participants to unmute themselves" in mute

    async def commands() -> None:
        admit = await channel.admit("16778240", command_id="c1")
        assert not admit.ok and admit.manual_step == STEPS[Capability.ADMIT] and admit.participant_id == "16778240"
        assert await channel.admit("16778240", command_id="c1") == admit  # a retry is the same step, not a new one
        many = await channel.admit_many(["1", "2"], command_ids=["a", "b"])
        assert [r.manual_step for r in many] == [STEPS[Capability.ADMIT]] * 2  # never "Admit all": it takes everyone
        assert (await channel.lock()).manual_step == STEPS[Capability.LOCK]
        assert (await channel.allow_chat(False)).manual_step == STEPS[Capability.CHAT_OFF]
        assert "leave Allow participants" in (await channel.mute_all(allow_self_unmute=True)).manual_step
        assert (await channel.end_for_all()).ok

    asyncio.run(commands())


def test_end_for_all_goes_through_zoom_api_and_says_what_to_press_when_it_cannot(rehearsal_server: RehearsalServer) -> None:
    state = rehearsal_server.state
    meeting = state.class_meeting_id
    state.start_meeting(meeting)

    async def scenario() -> None:
        async with zoom_client(rehearsal_server) as zoom:
            channel = ManualChannel(end_meeting=lambda: zoom.end_meeting(meeting))
            ended = await channel.end_for_all(command_id="end-1")
            assert ended.ok and ended.how == How.REST
            assert not state.is_live(meeting)
            assert await channel.end_for_all(command_id="end-1") is ended  # not sent twice

        async def refused() -> None:
            raise ZoomhostError("Zoom says the meeting is not running.")

        failed = await ManualChannel(end_meeting=refused).end_for_all()
        assert not failed.ok and failed.manual_step == STEPS[Capability.END_FOR_ALL]
        assert "not running" in failed.message
        no_api = await ManualChannel(end_meeting=None).end_for_all()
        assert not no_api.ok and no_api.manual_step == STEPS[Capability.END_FOR_ALL]

    asyncio.run(scenario())
