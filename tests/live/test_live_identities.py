"""When Zoom's event stream has not said who someone is, the engine asks Zoom's live participant list,
which says who is signed in but never whose registration link someone used."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from datetime import timedelta

from tests.live.helpers import until
from tests.zoom.rehearsal_zoom import ASSEMBLY, RehearsalZoom, rehearsal_zoom  # noqa: F401
from zoomhost.app.services import session_journals
from zoomhost.assistant.fallback import ManualChannel
from zoomhost.core.classifier import AdmissionClassifier
from zoomhost.core.events import EventKind, MeetingEvent, ZoomIdentity
from zoomhost.core.journal import utc_now
from zoomhost.core.models import Classification, Evidence, Pupil, StaffMember, Verdict
from zoomhost.core.session import LiveSession
from zoomhost.live.engine import LiveController

AMY = Pupil(1, "Amy", None, "C", "Laxey Y1", True)
KELLY = StaffMember(1, "Joanne Kelly", "j.kelly@sch.im")


def test_someone_only_the_assistant_heard_is_recognised_from_zooms_live_list_by_sign_in_only(rehearsal_zoom: RehearsalZoom) -> None:  # noqa: F811
    asyncio.run(_recognised(rehearsal_zoom))


async def _recognised(zoom_env: RehearsalZoom) -> None:
    state = zoom_env.server.state
    state.plan = "business"  # Zoom's live participant list (the Dashboard) is for Business and Education plans only
    state.update_meeting(ASSEMBLY, {"settings": {"approval_type": 1}})
    amy_link, kelly_link = state.add_registrants(
        ASSEMBLY,
        [
            {"email": "amy.family@example.org", "first_name": "Amy", "last_name": "C"},
            {"email": KELLY.email, "first_name": "Joanne", "last_name": "Kelly"},  # staff register too
        ],
        auto_approve=True,  # the school's own registrations, approved as they are made
    )
    staff_user = state.account_user(KELLY.email or "")
    state.start_meeting(ASSEMBLY)
    # Amy really does come through her family's own link; only Zoom's event stream could say so.
    amy = state.arrive(ASSEMBLY, "Amy C", registrant_id=amy_link["registrant_id"])
    kelly = state.arrive(ASSEMBLY, "Kelly's laptop", account_user_id=staff_user, registrant_id=kelly_link["registrant_id"])
    assert amy is not None and kelly is not None

    classifier = AdmissionClassifier(pupils=[AMY], staff=[KELLY], links={amy_link["registrant_id"]: AMY.id}, links_in_use=True)

    def classify(name: str, present: Collection[int], identity: ZoomIdentity) -> Classification:
        return classifier.classify(name, present=present, identity=identity)

    journal = session_journals().create(meeting_id=str(ASSEMBLY), topic="Assembly", planned_minutes=30, started_at=utc_now(), rehearsal=True)
    session = LiveSession(journal=journal, classify=classify, links_in_use=True)

    def heard_by_the_assistant(kind: EventKind, person, n: int) -> None:  # noqa: ANN001
        # What the Meeting SDK tells: a name and an in-meeting id, never a link or a sign-in.
        session.apply(
            MeetingEvent(
                kind=kind,
                meeting_id=str(ASSEMBLY),
                at=utc_now(),
                event_id=f"assistant-{kind.value}-{person.user_id}-{n}",
                participant_id=str(person.user_id),
                display_name=person.display_name,
                source="assistant",
            )
        )

    def live_list_reads() -> int:
        return len(zoom_env.sent("GET", "/metrics/meetings/"))

    async with zoom_env.client() as client:
        controller = LiveController(
            session=session,
            fallback=ManualChannel(end_meeting=None),
            roster=lambda: client.live_participants(ASSEMBLY),
            auto_lock_after=None,
            planned_length=timedelta(minutes=30),
        )
        await controller.start()
        try:
            # Zoom's event stream is down: only the assistant hears them, by name.
            heard_by_the_assistant(EventKind.WAITING_JOINED, amy, 1)
            heard_by_the_assistant(EventKind.WAITING_JOINED, kelly, 1)
            assert session.admissible_waiting() == []
            # The live list says who is signed in to the school's account: Kelly is recognised and may come in.
            await until(lambda: session.participant(str(kelly.user_id)).evidence is Evidence.SIGNED_IN, what="the sign-in")
            row = session.participant(str(kelly.user_id))
            assert (row.verdict, row.admit, row.identity.email) == (Verdict.STAFF, True, "j.kelly@sch.im")

            # It never says whose registration link someone used: Amy's link stays unconfirmed, and she waits
            # for the teacher's click however long the watch looks, while the watch stops asking Zoom about her.
            asked = live_list_reads()
            assert asked >= 1
            await asyncio.sleep(2.5)
            assert live_list_reads() == asked, "the live list kept being read about someone it had already listed"
            row = session.participant(str(amy.user_id))
            assert (row.verdict, row.evidence, row.admit, row.identity) == (Verdict.CONSENTED, Evidence.NAME, False, ZoomIdentity())
            assert row.link_label is None
            assert any("admit by hand" in reason for reason in row.reasons)
            assert [r.participant_id for r in session.admissible_waiting()] == [str(kelly.user_id)]
            outcome = await controller.admit_all_consented()
            assert outcome.asked == 1, "Admit all took a pupil whose own link Zoom has not confirmed"

            # The teacher, who knows Amy, lets her in: their click may admit anyone.
            result = await controller.admit(str(amy.user_id))
            assert result.manual_step, "without the assistant the panel shows the Zoom step, for the teacher to press"
        finally:
            await controller.close()
