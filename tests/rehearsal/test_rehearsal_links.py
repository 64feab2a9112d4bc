"""The rehearsal Zoom says who someone is as Zoom does: own registration links, sign-ins, and the door of a meeting
that requires registration."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tests.rehearsal.fixtures import api_client, rehearsal_server  # noqa: F401
from tests.zoom.rehearsal_zoom import rehearsal_zoom  # noqa: F401
from zoomhost.rehearsal.server import RehearsalServer
from zoomhost.rehearsal.state import ZoomState


@pytest.fixture
def heard() -> tuple[ZoomState, list[dict]]:
    state = ZoomState()
    events: list[dict] = []
    state.subscribe(events.append)
    return state, events


def _people(events: list[dict], name: str) -> list[dict]:
    return [e["payload"]["object"]["participant"] for e in events if e["event"] == name]


def _registration(state: ZoomState, meeting: int, *, approval: int, multiple: bool = False) -> None:
    state.update_meeting(meeting, {"settings": {"approval_type": approval, "allow_multiple_devices": multiple}})


def test_only_someone_signed_in_to_the_account_has_an_address_and_a_user_id(heard) -> None:  # noqa: ANN001
    state, events = heard
    meeting = state.class_meeting_id
    state.start_meeting(meeting)
    staff = state.account_user("j.kelly@sch.im")
    state.arrive(meeting, "Joanne Kelly", account_user_id=staff)
    state.arrive(meeting, "Mr Kelly")
    signed_in, typed = _people(events, "meeting.participant_joined_waiting_room")
    assert (signed_in["email"], signed_in["participant_user_id"]) == ("j.kelly@sch.im", staff)
    assert (typed["email"], typed["participant_user_id"], typed["id"]) == ("", "", "")
    assert "registrant_id" not in typed
    assert state.account_user("j.kelly@sch.im") == staff, "the same user, not a second one"
    with pytest.raises(ValueError):
        state.arrive(meeting, "Nobody", account_user_id="no-such-user")


def test_a_familys_own_link_is_in_every_event_about_them(heard) -> None:  # noqa: ANN001
    state, events = heard
    meeting = state.assembly_meeting_id
    _registration(state, meeting, approval=1)
    (record,) = state.add_registrants(
        meeting, [{"email": "family.p017@families.example", "first_name": "Amy", "last_name": "C"}], auto_approve=True
    )
    state.start_meeting(meeting)
    assert state.registrant_of(meeting, "FAMILY.p017@families.example") == record["registrant_id"]
    amy = state.arrive(meeting, "Galaxy Tab", registrant_id=record["registrant_id"])
    assert amy is not None and state.admit(meeting, amy.user_id)
    for name in ("meeting.participant_joined_waiting_room", "meeting.participant_admitted"):
        (person,) = _people(events, name)
        assert person["registrant_id"] == record["registrant_id"] and person["email"] == ""
    assert state.arrive(meeting, "Someone", registrant_id="not-this-meetings") is None


def test_zooms_live_participant_list_never_says_whose_link_someone_used(rehearsal_server: RehearsalServer) -> None:  # noqa: F811
    """The Dashboard document: ``registrant_id`` "does not return if the `type` query parameter is the `live`
    value", even when asked for with ``include_fields``; a sign-in (user id, address) it does give."""
    state = rehearsal_server.state
    state.plan = "business"
    meeting = state.assembly_meeting_id
    _registration(state, meeting, approval=1)
    record, kelly = state.add_registrants(
        meeting,
        [
            {"email": "family.p017@families.example", "first_name": "Amy", "last_name": "C"},
            {"email": "j.kelly@sch.im", "first_name": "Joanne", "last_name": "Kelly"},
        ],
        auto_approve=True,
    )
    staff = state.account_user("j.kelly@sch.im")
    state.start_meeting(meeting)
    assert state.arrive(meeting, "Amy C", registrant_id=record["registrant_id"]) is not None
    assert state.arrive(meeting, "Joanne Kelly", account_user_id=staff, registrant_id=kelly["registrant_id"]) is not None
    with api_client(rehearsal_server) as api:
        for query in ({"type": "live"}, {"type": "live", "include_fields": "registrant_id"}, {}):
            answer = api.get(f"/metrics/meetings/{meeting}/participants", params=query)
            assert answer.status_code == 200, answer.text
            people = {p["user_name"]: p for p in answer.json()["participants"]}
            assert set(people) == {"Amy C", "Joanne Kelly"}
            assert all("registrant_id" not in p for p in people.values()), query
            assert (people["Joanne Kelly"]["participant_user_id"], people["Joanne Kelly"]["email"]) == (staff, "j.kelly@sch.im")
            assert people["Amy C"]["participant_user_id"] == ""


def test_one_link_joins_from_one_device_a_second_pushes_the_first_out_after_it_arrives(heard) -> None:  # noqa: ANN001
    state, events = heard
    meeting = state.assembly_meeting_id
    _registration(state, meeting, approval=0)
    (record,) = state.add_registrants(meeting, [{"email": "family.p030@families.example", "first_name": "Ava"}])
    state.start_meeting(meeting)
    first = state.arrive(meeting, "Ava C", registrant_id=record["registrant_id"])
    assert first is not None and state.admit(meeting, first.user_id)
    second = state.arrive(meeting, "Ben", registrant_id=record["registrant_id"], identity="forwarded")
    assert second is not None
    order = [(e["event"], e["payload"]["object"]["participant"]["user_name"]) for e in events if "participant" in e["payload"]["object"]]
    assert order[-2:] == [("meeting.participant_joined_waiting_room", "Ben"), ("meeting.participant_left", "Ava C")]
    assert "got disconnected" in _people(events, "meeting.participant_left")[0]["leave_reason"]

    _registration(state, meeting, approval=0, multiple=True)
    third = state.arrive(meeting, "Ava C", registrant_id=record["registrant_id"], identity="ava-again")
    assert third is not None and state.participant(meeting, second.user_id).where == "waiting"  # both stay


def test_without_a_link_of_their_own_people_register_at_the_door(heard) -> None:  # noqa: ANN001
    state, events = heard
    meeting = state.assembly_meeting_id
    _registration(state, meeting, approval=0)
    state.start_meeting(meeting)
    walk_in = state.arrive(meeting, "Mrs Kelly")
    assert walk_in is not None and walk_in.registrant_id, "approved at once: a registration the school did not make"
    assert walk_in.registrant_id in {r["registrant_id"] for r in state.meeting(meeting).registrants}
    _registration(state, meeting, approval=1)
    assert state.arrive(meeting, "Stranger") is None, "waits for the host to approve, outside the meeting"
    host = state.arrive(meeting, "Kirsty Christian", account_user_id=state.host_id)
    assert host is not None and host.where == "meeting"
    # A meeting without registration lets anyone with its link reach the waiting room, with no registration.
    state.start_meeting(state.class_meeting_id)
    plain = state.arrive(state.class_meeting_id, "Isla Quayle")
    assert plain is not None and not plain.registrant_id


def test_registering_an_address_twice_gives_the_same_registration_back() -> None:
    state = ZoomState()
    meeting = state.assembly_meeting_id
    _registration(state, meeting, approval=1)
    (first,) = state.add_registrants(meeting, [{"email": "family.p001@families.example", "first_name": "Isla"}])
    (again,) = state.add_registrants(meeting, [{"email": "Family.P001@families.example", "first_name": "Isla"}])
    assert again == first and len(state.meeting(meeting).registrants) == 1


def test_a_registration_the_host_must_approve_is_pending_and_its_link_opens_nothing(heard) -> None:  # noqa: ANN001
    """Zoom's registration documents: on a meeting whose host approves each registration, one added through the API
    waits for the host unless the call asks ``auto_approve``; until then its link does not let anyone in."""
    state, _ = heard
    meeting = state.assembly_meeting_id
    _registration(state, meeting, approval=1)
    (pending,) = state.add_registrants(meeting, [{"email": "family.p001@families.example", "first_name": "Isla"}])
    (approved,) = state.add_registrants(meeting, [{"email": "family.p002@families.example", "first_name": "Ava"}], auto_approve=True)
    assert [r["email"] for r in state.list_registrants(meeting, status="pending")] == ["family.p001@families.example"]
    assert [r["email"] for r in state.list_registrants(meeting)] == ["family.p002@families.example"]
    state.start_meeting(meeting)
    assert state.arrive(meeting, "Isla Q", registrant_id=pending["registrant_id"], identity="isla") is None
    assert state.arrive(meeting, "Ava C", registrant_id=approved["registrant_id"], identity="ava") is not None
    # registered again, now asking for approval (as zoomhost's invitations do): the same registration, let in
    (again,) = state.add_registrants(meeting, [{"email": "family.p001@families.example", "first_name": "Isla"}], auto_approve=True)
    assert again["registrant_id"] == pending["registrant_id"] and state.list_registrants(meeting, status="pending") == []
    assert state.arrive(meeting, "Isla Q", registrant_id=pending["registrant_id"], identity="isla-2") is not None


def test_the_meetings_registrations_are_listed_page_by_page(rehearsal_server: RehearsalServer) -> None:  # noqa: F811
    state = rehearsal_server.state
    meeting = state.assembly_meeting_id
    with api_client(rehearsal_server) as api:
        assert api.get(f"/meetings/{meeting}/registrants").json()["code"] == 404  # registration is off
        _registration(state, meeting, approval=1)
        rows = [{"email": f"family.p{n:03d}@families.example", "first_name": f"Pupil{n}"} for n in range(5)]
        state.add_registrants(meeting, rows, auto_approve=True)
        waiting = [{"email": "family.p900@families.example", "first_name": "Pupil900"}]
        state.add_registrants(meeting, waiting)  # the host approves each registration, and nobody asked otherwise
        first = api.get(f"/meetings/{meeting}/registrants", params={"page_size": 3}).json()
        rest = api.get(f"/meetings/{meeting}/registrants", params={"page_size": 3, "next_page_token": first["next_page_token"]}).json()
        listed = first["registrants"] + rest["registrants"]
        assert [r["email"] for r in listed] == [row["email"] for row in rows] and not rest["next_page_token"]
        assert all(r["status"] == "approved" and r["id"] for r in listed)
        pending = api.get(f"/meetings/{meeting}/registrants", params={"status": "pending"}).json()["registrants"]
        assert [(r["email"], r["status"]) for r in pending] == [("family.p900@families.example", "pending")]
        assert api.get(f"/meetings/{meeting}/registrants", params={"status": "maybe"}).json()["code"] == 300


def test_a_rehearsal_with_links_is_prepared_as_a_school_would_and_picked_up_from_zoom(rehearsal_zoom) -> None:  # noqa: ANN001, F811
    """Registration on with one device per link, each family registered through the invitations' own call,
    and after a restart the same registrations found again among the meeting's registrants."""
    from zoomhost.app.rehearse import ScenarioRegister, family_links
    from zoomhost.rehearsal.scenarios import assembly

    script = assembly()
    meeting = str(script.meeting_id(rehearsal_zoom.server.state))

    async def run() -> tuple[dict[str, int], dict[str, int], list]:
        async with rehearsal_zoom.client() as client:
            first = ScenarioRegister.of(script)
            await family_links(client, script, meeting, first, resumed=False)
            again = ScenarioRegister.of(script)
            await family_links(client, script, meeting, again, resumed=True)
            return first.links(meeting), again.links(meeting), await client.list_registrants(meeting)

    issued, found, listed = asyncio.run(run())
    state = rehearsal_zoom.server.state
    settings = state.meeting(int(meeting)).settings
    assert (settings["approval_type"], settings["allow_multiple_devices"]) == (0, False)
    assert len(rehearsal_zoom.sent("PATCH", f"/meetings/{meeting}")) == 1
    pupils = ScenarioRegister.of(script).pupils()
    assert issued == found and sorted(issued.values()) == sorted(pupils[row].id for row in script.families)
    assert {r.registrant_id for r in listed} == set(issued)
    amy = state.registrant_of(int(meeting), script.family_address(17))
    assert issued[amy] == pupils[17].id and pupils[17].known_as == "Amy"
    assert "family.p017" not in repr(listed)  # an address is never shown where a registration is


def test_a_meeting_letting_one_link_join_from_several_devices_fails_and_is_fixed_in_the_one_update(rehearsal_zoom) -> None:  # noqa: ANN001, F811
    from zoomhost.core.preflight import RuleStatus, plan_fixes
    from zoomhost.zoom.preflight import PreflightContext, apply_fixes, run_preflight

    state = rehearsal_zoom.server.state
    meeting = state.assembly_meeting_id
    _registration(state, meeting, approval=1, multiple=True)
    context = PreflightContext(consented_pupils=250, staff=12, school_email_domain="sch.im")

    async def run():
        async with rehearsal_zoom.client() as client:
            before = await run_preflight(client, meeting, context=context)
            plan = plan_fixes(before.results)
            return before, plan, await apply_fixes(client, meeting, plan, context=context, host_id=before.host_id)

    before, plan, outcome = asyncio.run(run())
    check = next(r for r in before.results if r.rule_id == "one_device_per_link")
    assert check.status is RuleStatus.FAIL and "forwarded link" in check.observed
    assert plan.meeting_patch["settings"]["allow_multiple_devices"] is False
    assert len(rehearsal_zoom.sent("PATCH", f"/meetings/{meeting}")) == 1, "one meeting update carries every fix"
    after = next(r for r in outcome.after.results if r.rule_id == "one_device_per_link")
    assert after.status is RuleStatus.PASS and state.meeting(meeting).settings["allow_multiple_devices"] is False


def test_families_of_a_meeting_that_is_over_get_its_own_link_and_the_teacher_reads_why(rehearsal_zoom) -> None:  # noqa: ANN001, F811
    """Zoom takes no registration once a meeting is over (400 3038): the invitations' registering step gives every
    family the meeting's own link, registers nobody, and says why in words."""
    from zoomhost.app.rehearse import ScenarioRegister
    from zoomhost.core.invitations import ParentAddress, ParentAddresses
    from zoomhost.rehearsal.scenarios import assembly
    from zoomhost.zoom.invitations import register_families

    script = assembly()
    state = rehearsal_zoom.server.state
    meeting = str(script.meeting_id(state))
    pupils = ScenarioRegister.of(script).pupils()
    addresses = ParentAddresses(
        source="the address list",
        addresses=tuple(ParentAddress(pupil=pupils[row], email=script.family_address(row)) for row in script.families),
        skipped=(),
        not_invited=0,
    )
    held = state.meeting(int(meeting))
    held.start_time = state.now() - timedelta(minutes=held.duration + 5)  # its planned end has passed

    async def run():  # noqa: ANN202
        async with rehearsal_zoom.client() as client:
            await client.update_meeting(meeting, {"settings": {"approval_type": 0}})
            zoomed = await client.get_meeting(meeting)
            return await register_families(client, meeting, zoomed, addresses, invited={p.id for p in pupils if p.consent})

    family = asyncio.run(run())
    assert family.links == {} and family.registrants == ()
    assert any("Zoom would not register the families" in note and "The meeting is over" in note for note in family.notes), family.notes
    assert held.registrants == []
