"""Who Zoom says a participant is, read from its waiting-room and join events as Zoom's documents give them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zoomhost.core.events import ZoomIdentity
from zoomhost.zoom.events import meeting_event_from_webhook
from zoomhost.zoom.identity import identity_from_live_list

WEBHOOKS = Path(__file__).resolve().parents[1] / "data" / "zoom-api" / "ZoomMeetingsAPI.webhooks.json"
FOLLOWED = (
    "meeting.participant_joined_waiting_room",
    "meeting.participant_left_waiting_room",
    "meeting.participant_admitted",
    "meeting.participant_put_in_waiting_room",
    "meeting.participant_joined",
    "meeting.participant_left",
)


def _example(name: str) -> dict:
    webhooks = json.loads(WEBHOOKS.read_text(encoding="utf-8"))["webhooks"]
    body = webhooks[name]["post"]["requestBody"]["content"]["application/json"]["examples"]["json-example"]["value"]
    return json.loads(body)


@pytest.mark.parametrize("name", FOLLOWED)
def test_every_documented_participant_event_carries_the_link_and_the_sign_in(name: str) -> None:
    example = _example(name)
    person = example["payload"]["object"]["participant"]
    event = meeting_event_from_webhook(example)
    assert event is not None
    assert event.identity == ZoomIdentity(
        registrant_id=person["registrant_id"],
        user_id=person.get("participant_user_id") or person["id"],
        email=person["email"],
    )


def test_someone_who_only_typed_a_name_carries_no_identity() -> None:
    """Zoom sends the fields, empty, for a participant who is not signed in and used no registration link."""
    example = _example("meeting.participant_joined_waiting_room")
    person = example["payload"]["object"]["participant"]
    person.update(email="", participant_user_id="", id="", registrant_id="")
    event = meeting_event_from_webhook(example)
    assert event is not None and not event.identity and event.display_name == "Jill Chill"


def test_an_older_event_without_participant_user_id_falls_back_to_id() -> None:
    example = _example("meeting.participant_joined")
    del example["payload"]["object"]["participant"]["participant_user_id"]
    event = meeting_event_from_webhook(example)
    assert event is not None and event.identity.user_id == "iFxeBPYun6SAiWUzBcEkX"


@pytest.mark.parametrize(
    "hostile",
    [
        {"email": ["a@b.org"], "registrant_id": {"x": 1}, "participant_user_id": 7, "id": None},
        {"email": "not an address", "registrant_id": "", "participant_user_id": "", "id": ""},
    ],
)
def test_fields_of_the_wrong_kind_say_nothing_and_lose_nothing_else(hostile: dict) -> None:
    example = _example("meeting.participant_joined_waiting_room")
    example["payload"]["object"]["participant"].update(hostile)
    event = meeting_event_from_webhook(example)
    assert event is not None and not event.identity and event.participant_id == "1234567890"


def test_an_overlong_or_broken_identity_is_cut_and_made_storable() -> None:
    example = _example("meeting.participant_admitted")
    example["payload"]["object"]["participant"].update(registrant_id="r" * 5000 + "\ud800", email="Big@Example.COM ")
    event = meeting_event_from_webhook(example)
    assert event is not None
    assert event.identity.registrant_id == "r" * 256 and event.identity.email == "big@example.com"


def test_a_row_of_the_live_participant_list_is_never_taken_as_a_familys_link() -> None:
    """Zoom's Dashboard documents no registrant id for ``type=live``; a row carrying one anyway (an older or
    faulty answer) vouches for a sign-in at most, so it cannot let a pupil in as if through their own link."""
    person = _example("meeting.participant_joined")["payload"]["object"]["participant"]
    identity = identity_from_live_list(person)
    assert identity == ZoomIdentity(user_id=person["participant_user_id"], email=person["email"])
    assert identity_from_live_list({"user_id": "16778240", "user_name": "Amy C", "registrant_id": "abc", "email": ""}) == ZoomIdentity()
