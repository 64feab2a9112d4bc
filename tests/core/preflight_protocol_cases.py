"""Cases for the rules on what the protocol and the privacy impact assessment fear beyond the meeting's
switches, on Zoom's documented examples varied one field at a time (the ``Case`` shape of
``test_preflight_rules``, which runs them with its own)."""

from __future__ import annotations

from typing import Any

from tests.core.spec_examples import GONE
from zoomhost.core.preflight import RuleStatus

PASS, FAIL, WARN, UNKNOWN = RuleStatus.PASS, RuleStatus.FAIL, RuleStatus.WARN, RuleStatus.UNKNOWN
WAITING = "security:meeting_security.waiting_room_settings."
ALL_LOCKED: dict[str, Any] = {
    f"locks:{path}": True
    for path in (
        "meeting_security.waiting_room", "schedule_meeting.join_before_host", "schedule_meeting.embed_password_in_join_link",
        "in_meeting.chat", "in_meeting.private_chat", "in_meeting.file_transfer", "in_meeting.screen_sharing",
        "in_meeting.annotation", "in_meeting.whiteboard", "in_meeting.allow_live_streaming", "in_meeting.co_host",
        "in_meeting.custom_data_center_regions", "recording.local_recording", "recording.cloud_recording",
        "recording.auto_recording", "meeting_security.encryption_type",
        "meeting_security.only_authenticated_can_join_from_webclient",
    )
}  # fmt: skip


def cases(case: Any) -> list[Any]:
    """The cases, built with the caller's ``Case`` class: (rule id, changes, status, words[, fields])."""
    return [
        # data_centers (the documents' example host: custom regions on, Australia only)
        case("data_centers", {}, PASS, "China is not among them"),
        case("data_centers", {"user:in_meeting.data_center_regions": ["DE", "CN"]}, FAIL, "China is one of"),
        case("data_centers", {"user:in_meeting.custom_data_center_regions": False}, FAIL, "China included"),
        case(
            "data_centers",
            {"user:in_meeting.custom_data_center_regions": GONE, "user:in_meeting.data_center_regions": GONE,
             "account:in_meeting.custom_data_center_regions": True, "account:in_meeting.data_center_regions": ["CN", "US"]},
            FAIL,
            "the account's settings",
        ),
        case("data_centers", {"user:in_meeting.data_center_regions": GONE}, UNKNOWN, "did not report which regions"),
        case(
            "data_centers",
            {"user:in_meeting.custom_data_center_regions": GONE, "account:in_meeting.custom_data_center_regions": GONE},
            UNKNOWN,
            "Zoom did not report",
        ),
        # encryption
        case("encryption", {}, PASS, "The meeting uses Zoom's enhanced encryption."),
        case("encryption", {"meeting:settings.encryption_type": "e2ee"}, FAIL, "could not join from a browser"),
        case("encryption", {"meeting:settings.encryption_type": GONE}, UNKNOWN, "could not read the host's security"),
        case(
            "encryption",
            {"meeting:settings.encryption_type": GONE, "security:meeting_security.encryption_type": "e2ee"},
            FAIL,
            "end-to-end",
        ),
        case("encryption", {"meeting:settings.encryption_type": "quantum"}, UNKNOWN, "does not recognise"),
        # cohost_enabled
        case("cohost_enabled", {}, PASS, "co-hosts are allowed"),
        case("cohost_enabled", {"user:in_meeting.co_host": False}, FAIL, "host assistant cannot be made co-host"),
        case("cohost_enabled", {"user:in_meeting.co_host": GONE}, UNKNOWN, "Zoom did not report"),
        # web_join_without_sign_in (the documents' example demands sign-in)
        case("web_join_without_sign_in", {"security:meeting_security.only_authenticated_can_join_from_webclient": False}, PASS, "without a Zoom sign-in"),
        case("web_join_without_sign_in", {"security:meeting_security.auto_security": True}, FAIL, "needs a Zoom sign-in"),
        case("web_join_without_sign_in", {}, UNKNOWN, "could not read the host's security settings"),
        case("web_join_without_sign_in", {"security:meeting_security.only_authenticated_can_join_from_webclient": GONE}, UNKNOWN, "Zoom did not report"),
        # waiting_room_who (the example meeting follows the host's setting)
        case("waiting_room_who", {f"{WAITING}participants_to_place_in_waiting_room": 0}, PASS, "everyone waits"),
        case("waiting_room_who", {f"{WAITING}participants_to_place_in_waiting_room": 1}, PASS, "outside the school's Zoom account waits"),
        case(
            "waiting_room_who",
            {f"{WAITING}participants_to_place_in_waiting_room": 2, f"{WAITING}whitelisted_domains_for_waiting_room": "gmail.com,example.com"},
            FAIL,
            "@gmail.com skip the waiting room",
        ),
        case("waiting_room_who", {f"{WAITING}participants_to_place_in_waiting_room": 2}, PASS, "only the school's own domains"),
        case("waiting_room_who", {}, UNKNOWN, "could not read"),
        case("waiting_room_who", {f"{WAITING}participants_to_place_in_waiting_room": GONE}, UNKNOWN, "Zoom did not report"),
        case(
            "waiting_room_who",
            {"meeting:settings.waiting_room_options": {"mode": "custom", "who_goes_to_waiting_room": "everyone"}},
            PASS,
            "its own rule",
        ),
        # waiting_room_admitters (the documents' example lets anyone who bypassed admit)
        case("waiting_room_admitters", {f"{WAITING}users_who_can_admit_participants_from_waiting_room": 0}, PASS, "only the host and co-hosts"),
        case("waiting_room_admitters", {f"{WAITING}participants_to_place_in_waiting_room": 1}, FAIL, "anyone who skipped"),
        case("waiting_room_admitters", {}, UNKNOWN, "could not read"),
        case("waiting_room_admitters", {f"{WAITING}users_who_can_admit_participants_from_waiting_room": 7}, UNKNOWN, "does not recognise"),
        # settings_locked (advised: a warning with the admin's clicks)
        case("settings_locked", ALL_LOCKED, PASS, "locked every setting"),
        case("settings_locked", {**ALL_LOCKED, "locks:in_meeting.annotation": False}, WARN, "not locked, so a host could switch them off: annotation"),
        case("settings_locked", {}, UNKNOWN, "needs an admin"),
        case("settings_locked", {**ALL_LOCKED, "locks:in_meeting.co_host": GONE}, UNKNOWN, "whether these are locked: co-hosts"),
        # recording
        case("recording", {"user:recording.local_recording": False, "user:recording.cloud_recording": False}, PASS, "nobody can record"),
        case("recording", {}, FAIL, "local recording"),
        case("recording", {"user:recording.local_recording": False}, WARN, "record to the cloud by hand"),
        case("recording", {"user:recording.local_recording": GONE}, UNKNOWN, "Zoom did not report"),
        # live_streaming
        case("live_streaming", {"user:in_meeting.allow_live_streaming": False}, PASS, "live streaming is off"),
        case("live_streaming", {}, FAIL, "Facebook"),
        case(
            "live_streaming",
            {"user:in_meeting.live_streaming_facebook": False, "user:in_meeting.workplace_by_facebook": False,
             "user:in_meeting.live_streaming_youtube": False, "user:in_meeting.custom_live_streaming_service": False},
            PASS,
            "every streaming service is off",
        ),
        case(
            "live_streaming",
            {"user:in_meeting.allow_live_streaming": GONE, "user:in_meeting.live_streaming_facebook": GONE,
             "user:in_meeting.workplace_by_facebook": GONE, "user:in_meeting.live_streaming_youtube": GONE,
             "user:in_meeting.custom_live_streaming_service": GONE},
            UNKNOWN,
            "Zoom did not report",
        ),
        # annotation
        case("annotation", {"user:in_meeting.annotation": False, "user:in_meeting.whiteboard": False}, PASS, "are off"),
        case("annotation", {"user:in_meeting.whiteboard": False}, FAIL, "annotation on a shared screen"),
        case("annotation", {"user:in_meeting.annotation": False, "user:in_meeting.whiteboard": GONE}, UNKNOWN, "whether the whiteboard is on"),
        # breakout_rooms (the example meeting pre-assigns rooms; its topic is no assembly)
        case("breakout_rooms", {"meeting:topic": "Whole-school assembly", "user:in_meeting.breakout_room": False,
                                "meeting:settings.breakout_room.enable": False}, PASS, "off for the assembly"),
        case("breakout_rooms", {"meeting:topic": "Whole-school Assembly"}, FAIL, "on for a whole-school assembly"),
        case("breakout_rooms", {}, WARN, "a member of staff goes into every room"),
        case("breakout_rooms", {"user:in_meeting.breakout_room": False, "meeting:settings.breakout_room.enable": False}, PASS, "breakout rooms are off"),
        case("breakout_rooms", {"meeting:topic": "Assembly", "user:in_meeting.breakout_room": GONE,
                                "meeting:settings.breakout_room.enable": False}, UNKNOWN, "Zoom did not report"),
    ]  # fmt: skip
