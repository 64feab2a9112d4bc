"""The scripted rehearsals: the right people, the awkward cases, files the importer reads, and playback."""

from __future__ import annotations

import argparse
import threading
import time
import unicodedata
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.rehearsal.fixtures import rehearsal_server  # noqa: F401
from zoomhost.core.models import Verdict
from zoomhost.rehearsal.scenarios import LOCK_AFTER_S, Behaviour, Scenario, assembly, class_meeting, play, staff_meeting
from zoomhost.rehearsal.server import RehearsalServer
from zoomhost.rehearsal.state import PLAIN_SIGN_IN_OPTION, SCHOOL_DOMAINS_OPTION, ZoomState


def test_the_assembly_is_the_protocols_272_pupils_at_two_schools() -> None:
    scenario = assembly()
    schools = Counter(row.school for row in scenario.register)
    assert len(scenario.register) == 272 and schools == {"Laxey": 195, "Dhoon": 77}
    assert 3 <= sum(not row.consent for row in scenario.register) <= 10
    assert len({(row.forename, row.surname) for row in scenario.register}) == 272
    assert assembly() == scenario, "the same seed gives the same people, names and times"
    assert max(a.at_s for a in scenario.arrivals if a.key != "zoombomber") < LOCK_AFTER_S


def test_the_assembly_holds_every_awkward_case_with_its_expected_verdict() -> None:
    scenario = assembly()
    by_key = {a.key: a for a in scenario.arrivals}
    impostor = by_key["impostor"]
    real_amy = next(a for a in scenario.arrivals if a.display_name == unicodedata.normalize("NFKC", "Amy " + impostor.display_name.split()[1]))
    assert impostor.display_name != real_amy.display_name and impostor.display_name[1:] == real_amy.display_name[1:]
    assert unicodedata.name(impostor.display_name[0]) == "CYRILLIC CAPITAL LETTER A"
    assert (impostor.expected, real_amy.expected) == (Verdict.SUSPICIOUS, Verdict.CONSENTED)
    olivers = [row for row in scenario.register if row.known_as == "Oliver"]
    assert len(olivers) == 2 and all(row.consent for row in olivers)
    assert [a.expected for a in scenario.arrivals if a.display_name.startswith("Oliver")] == [Verdict.AMBIGUOUS] * 2
    duplicate = by_key["duplicate"]
    original = next(a for a in scenario.arrivals if a.display_name == duplicate.display_name and a.key != "duplicate")
    assert original.at_s < duplicate.at_s and original.expected is Verdict.CONSENTED
    assert by_key["zoombomber"].at_s > LOCK_AFTER_S and by_key["zoombomber"].expected is Verdict.NOT_ON_REGISTER
    # A device name through the family's own link: the link says who it is before the rename.
    renamers = [a for a in scenario.arrivals if a.behaviour is Behaviour.RENAMES]
    assert renamers and all(a.link == a.key and a.expected is a.expected_after_rename is Verdict.CONSENTED for a in renamers)
    assert {a.display_name for a in renamers} == {"iPad", "DESKTOP-4HJ2K9"}
    names = [a.display_name for a in scenario.arrivals]
    assert any(n.startswith("Mum - ") for n in names) and any(n.endswith("'s iPad") for n in names)
    assert any(row.preferred_name and f"{row.preferred_name} {row.surname}" in " ".join(names) for row in scenario.register)
    assert Counter(v for _, _, v in scenario.expected_verdicts())[Verdict.STAFF] == len(scenario.staff)
    no_consent = [a for a in scenario.arrivals if a.expected is Verdict.NO_CONSENT]
    assert 1 <= len(no_consent) <= 7


def test_the_assembly_is_a_meeting_with_a_link_per_family_and_staff_who_sign_in() -> None:
    scenario = assembly()
    by_key = {a.key: a for a in scenario.arrivals}
    assert scenario.registration == 0
    rows = scenario.register
    # Every consented family has an address on file (so a link of its own) but the two Olivers'.
    assert set(scenario.families) == {i for i, row in enumerate(rows) if row.consent and row.known_as != "Oliver"}
    pupils = [a for a in scenario.arrivals if Scenario.row_of(a.key) is not None]
    assert all(a.link == a.key for a in pupils if Scenario.row_of(a.key) in scenario.families)
    assert not any(a.link for a in pupils if Scenario.row_of(a.key) not in scenario.families)
    assert all(a.email.endswith("@sch.im") for a in scenario.arrivals if a.expected is Verdict.STAFF)
    # An insider forwards a pupil's link: the pupil arrives through it first, then someone else.
    forwarded = by_key["forwarded"]
    holder = by_key[forwarded.link]
    assert holder.at_s < forwarded.at_s and holder.behaviour is Behaviour.WAITS and holder.link == holder.key
    assert forwarded.expected is Verdict.DUPLICATE and forwarded.display_name != holder.display_name
    # An intruder types a teacher's name from the letter, not signed in, with that teacher already here.
    intruder = by_key["intruder"]
    assert not intruder.email and not intruder.link and intruder.expected is Verdict.DUPLICATE
    assert intruder.display_name == "Mrs Kelly" and by_key["s1"].at_s < intruder.at_s
    # No link for those the school did not invite, and none for the look-alike or a second device.
    assert not any(by_key[key].link for key in ("impostor", "duplicate", "grandad", "device", "zoombomber"))
    assert Scenario.family_address(17) == "family.p017@families.example"
    assert class_meeting().registration is None and not class_meeting().families


def test_the_class_is_thirty_with_a_late_arrival_after_the_lock() -> None:
    scenario = class_meeting()
    assert len(scenario.register) == 30 and {row.reg_group for row in scenario.register} == {"Laxey Y4"}
    late = [a for a in scenario.arrivals if a.at_s > LOCK_AFTER_S]
    assert [a.expected for a in late] == [Verdict.CONSENTED]


def test_the_register_and_staff_files_are_what_the_importer_reads(tmp_path: Path) -> None:
    from zoomhost.core.register import read_register_file, read_staff_file

    scenario = assembly()
    imported = read_register_file(scenario.write_register_csv(tmp_path / "register.csv"))
    assert len(imported.pupils) == 272 and not imported.skipped
    assert sum(p.consent for p in imported.pupils) == sum(r.consent for r in scenario.register)
    assert {p.preferred_name for p in imported.pupils if p.preferred_name} == {r.preferred_name for r in scenario.register if r.preferred_name}
    header = (tmp_path / "register.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == "Forename,Preferred name,Surname,Reg group,Zoom consent,Consent date,Leaving date"
    staff = read_staff_file(scenario.write_staff_csv(tmp_path / "staff.csv"))
    assert [s.name for s in staff.staff] == [s.name for s in scenario.staff]


def test_playing_the_assembly_fast_brings_everyone_in_order() -> None:
    state = ZoomState()
    heard: list[dict] = []
    state.subscribe(heard.append)
    scenario = assembly()
    run = play(state, scenario, speed=10_000)
    assert run.wait(20) and run.error is None
    arrivals = [e["payload"]["object"]["participant"]["user_name"] for e in heard if e["event"] == "meeting.participant_joined_waiting_room"]
    expected_order = [a.display_name for a in scenario.arrivals if a.key != "host"]
    rejoiner = next(a for a in scenario.arrivals if a.behaviour is Behaviour.REJOINS)
    assert sorted(arrivals) == sorted(expected_order + [rejoiner.display_name])
    assert arrivals[0] == expected_order[0]
    waiting = {p.display_name for p in state.waiting_room(run.meeting_id)}
    renamed = [a.rename_to for a in scenario.arrivals if a.behaviour is Behaviour.RENAMES]
    assert set(renamed) <= waiting and "iPad" not in waiting
    leavers = [a.display_name for a in scenario.arrivals if a.behaviour is Behaviour.LEAVES]
    assert not set(leavers) & waiting
    assert len(run.participants[rejoiner.key]) == 2


def test_a_scenario_plays_in_scenario_time_and_stops_when_asked() -> None:
    state = ZoomState()
    scenario = class_meeting()
    now = [0.0]
    run = play(state, scenario, speed=1.0, clock=lambda: now[0])
    time.sleep(0.2)
    assert [p.display_name for p in state.in_meeting(run.meeting_id)] == ["Kirsty Christian"], "only the host at 0 s"
    run.stop()
    assert run.done and len(state.waiting_room(run.meeting_id)) == 0


def test_the_zoombomber_is_turned_away_from_a_locked_meeting() -> None:
    state = ZoomState()
    scenario = assembly()
    meeting = scenario.meeting_id(state)
    run = play(state, scenario, speed=5000, hooks=[(LOCK_AFTER_S, lambda: state.set_locked(meeting, True))])
    assert run.wait(10)
    assert run.refused == ["zoombomber"]


def test_a_scenario_starts_in_a_running_server_over_http(rehearsal_server: RehearsalServer) -> None:
    url = f"{rehearsal_server.oauth_base}/_rehearsal/scenario"
    started = httpx.post(url, json={"name": "class", "speed": 5000}).json()
    assert started["meeting_id"] == rehearsal_server.state.class_meeting_id and started["arrivals"] == 30
    assert rehearsal_server.scenario_runs[0].wait(10)
    state = httpx.get(f"{rehearsal_server.oauth_base}/_rehearsal/state").json()
    assert state["live"][str(started["meeting_id"])]["waiting"] == 29
    assert httpx.post(url, json={"name": "fire drill"}).status_code == 400


def test_the_serve_command_prints_what_a_client_needs_and_stops_cleanly(capsys) -> None:  # type: ignore[no-untyped-def]
    from zoomhost.commands.rehearsal import run_serve

    stop = threading.Event()
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(run_serve(argparse.Namespace(scenario="class", speed=1000.0, port=0, plan="business"), stop=stop)))
    thread.start()
    deadline, out = time.monotonic() + 10, ""
    while "Playing" not in out and time.monotonic() < deadline:
        out += capsys.readouterr().out
        time.sleep(0.05)
    api_base = next(line.split()[-1] for line in out.splitlines() if "API base" in line)
    token_ok = httpx.post(api_base.removesuffix("/v2") + "/oauth/token", data={"grant_type": "nothing"}).status_code == 400
    host = next(line.split()[-1] for line in out.splitlines() if "Host's email" in line)
    creds = {line.split(":")[0].strip(): line.split()[-1] for line in out.splitlines() if line.startswith("  ")}
    token = httpx.post(
        api_base.removesuffix("/v2") + "/oauth/token",
        params={"grant_type": "account_credentials", "account_id": creds["Account ID"]},
        auth=(creds["Client ID"], creds["Client secret"]),
    ).json()["access_token"]
    listed = httpx.get(f"{api_base}/users/{host}/meetings", params={"type": "upcoming"}, headers={"Authorization": f"Bearer {token}"})
    stop.set()
    thread.join(10)
    assert result == [0] and token_ok
    assert listed.status_code == 200 and listed.json()["meetings"], "the printed host's meetings can be listed"
    assert all(label in out for label in ("OAuth base", "WebSocket base", "Subscription ID", "Account ID", "Client ID", "Client secret"))
    assert "on a Business plan" in out and "ZOOMHOST_SUBSCRIPTION_ID" in out


def test_the_staff_meeting_is_judged_as_a_meeting_of_staff_only(tmp_path: Path) -> None:
    """Each arrival's expected verdict is what the staff profile's classifier gives, with the whole pupil register loaded."""
    from zoomhost.app.rehearse import ScenarioRegister
    from zoomhost.core.events import ZoomIdentity
    from zoomhost.core.profiles import Profile
    from zoomhost.live.opening import classifier_for

    scenario = staff_meeting()
    register = ScenarioRegister.of(scenario)
    assert any(a.display_name == (r.preferred_name or r.forename) for a in scenario.arrivals for r in scenario.register)
    as_staff, expected = classifier_for(register, profile=Profile.STAFF)
    as_pupils, _ = classifier_for(register)
    assert expected == 0  # nobody on the pupil register is expected
    state = ZoomState()
    for arrival in scenario.arrivals:
        who = ZoomIdentity(user_id=state.account_user(arrival.email), email=arrival.email) if arrival.email else ZoomIdentity()
        result = as_staff(arrival.display_name, (), who)
        assert result.verdict is arrival.expected and result.pupil is None, arrival.key
        assert result.admit is (arrival.email != ""), arrival.key  # only signed-in staff, without a click
    guest = next(a for a in scenario.arrivals if a.key == "guest")
    assert as_pupils(guest.display_name, (), ZoomIdentity()).pupil is not None  # at a class's door: a pupil's match


def test_a_meeting_that_requires_a_sign_in_turns_away_a_guest_and_anyone_off_its_domains() -> None:
    state = ZoomState()
    meeting = state.staff_meeting_id
    state.meeting(meeting).settings.update(
        meeting_authentication=True, authentication_option=SCHOOL_DOMAINS_OPTION, authentication_domains="sch.im"
    )
    state.start_meeting(meeting)
    assert state.arrive(meeting, "Amy", identity="guest") is None  # not signed in: Zoom asks for a sign-in
    outsider = state.account_user("someone@elsewhere.example")
    assert state.arrive(meeting, "Someone", identity="outsider", account_user_id=outsider) is None
    staff = state.arrive(meeting, "Joanne Kelly", identity="staff-1", account_user_id=state.account_user("j.kelly@sch.im"))
    assert staff is not None and staff.email == "j.kelly@sch.im"


@pytest.mark.parametrize(
    ("option", "outsider_gets_in"),
    [
        ({}, True),  # no option of its own: the host's default, "Sign in to Zoom", any Zoom account
        ({"authentication_option": PLAIN_SIGN_IN_OPTION}, True),
        ({"authentication_option": "signin_nobody_knows"}, True),  # an id none of the host's options has: no domains
        ({"authentication_option": SCHOOL_DOMAINS_OPTION}, False),
    ],
)
def test_the_meetings_authentication_option_decides_whether_its_domains_keep_anyone_out(option: dict, outsider_gets_in: bool) -> None:
    """Zoom restricts a meeting to domains only through an option of type ``enforce_login_with_domains``: the
    meeting's ``authentication_domains`` alone keep nobody out."""
    state = ZoomState()
    meeting = state.staff_meeting_id
    state.update_meeting(meeting, {"settings": {"meeting_authentication": True, "authentication_domains": "sch.im", **option}})
    state.start_meeting(meeting)
    outsider = state.account_user("someone@elsewhere.example")
    arrived = state.arrive(meeting, "Someone", identity="outsider", account_user_id=outsider)
    assert (arrived is not None) is outsider_gets_in
    assert state.arrive(meeting, "Amy", identity="guest") is None  # signed in, whichever option
    assert state.arrive(meeting, "Joanne Kelly", identity="staff-1", account_user_id=state.account_user("j.kelly@sch.im")) is not None


def test_a_host_whose_default_option_is_the_schools_domains_keeps_outsiders_out_of_a_meeting_naming_none() -> None:
    state = ZoomState()
    for choice in state.meeting_authentication_options:
        choice["default_option"] = choice["id"] == SCHOOL_DOMAINS_OPTION
    meeting = state.staff_meeting_id
    state.update_meeting(meeting, {"settings": {"meeting_authentication": True}})
    state.start_meeting(meeting)
    assert state.arrive(meeting, "Someone", identity="outsider", account_user_id=state.account_user("someone@elsewhere.example")) is None
    assert state.arrive(meeting, "Joanne Kelly", identity="staff-1", account_user_id=state.account_user("j.kelly@sch.im")) is not None
