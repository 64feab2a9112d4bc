"""Registrations the school approved by hand but zoomhost did not make are found among the meeting's registrants."""

from __future__ import annotations

import asyncio
from datetime import date

from tests.live.helpers import until
from tests.live.rig import live_rig
from tests.rehearsal.fixtures import rehearsal_server  # noqa: F401 - pytest fixture
from zoomhost.core.invitations import approved_registrations
from zoomhost.core.models import Evidence, Pupil, Verdict
from zoomhost.rehearsal.scenarios import assembly
from zoomhost.rehearsal.server import RehearsalServer

AMY = Pupil(1, "Amy", None, "C", "Laxey Y1", True)
TOM = Pupil(2, "Thomas", "Tom", "K", "Laxey Y2", True)
JACK = Pupil(3, "Jack", None, "F", "Laxey R", False)
AMY_K = Pupil(4, "Amy", None, "K", "Dhoon Y3-4", True)


def test_a_registration_counts_only_when_it_names_exactly_one_invited_pupil() -> None:
    found = approved_registrations(
        [
            ("r-amy", "Amy", "C"),
            ("r-tom", "Tom", "Kermode"),  # the preferred name and a whole surname
            ("r-jack", "Jack", "F"),  # not invited: no consent
            ("r-amy-?", "Amy", ""),  # two Amys, no initial
            ("r-stranger", "Dave", "X"),
            ("", "Amy", "K"),
        ],
        [AMY, TOM, JACK, AMY_K],
        today=date(2024, 9, 2),
    )
    assert found == {"r-amy": AMY.id, "r-tom": TOM.id}


def test_a_session_knows_a_family_the_school_registered_and_approved_elsewhere(rehearsal_server: RehearsalServer) -> None:  # noqa: F811
    asyncio.run(_approved_elsewhere(rehearsal_server))


async def _approved_elsewhere(server: RehearsalServer) -> None:
    scenario = assembly()
    state = server.state
    meeting = scenario.meeting_id(state)
    amy_row = scenario.register[17]
    state.update_meeting(meeting, {"settings": {"approval_type": 1}})  # the school approves each registration
    (record,) = state.add_registrants(
        meeting, [{"email": "amy.family@example.org", "first_name": "Amy", "last_name": "Cregeen"}], auto_approve=True
    )
    assert amy_row.known_as == "Amy" and amy_row.surname == "Cregeen"
    async with live_rig(server, scenario) as r:
        session = r.controller.session
        assert session.links_in_use
        await r.controller.listening()
        state.start_meeting(meeting)
        arrived = state.arrive(meeting, "Samsung Tab", registrant_id=record["registrant_id"])
        assert arrived is not None
        await until(lambda: session.participant(str(arrived.user_id)) is not None, what="the arrival to be heard")
        await until(
            lambda: session.participant(str(arrived.user_id)).evidence is Evidence.LINK, what="Zoom's event with the link"
        )
        row = session.participant(str(arrived.user_id))
        assert (row.verdict, row.pupil_label, row.admit) == (Verdict.CONSENTED, f"Amy C. ({amy_row.reg_group})", True)
