"""How strictly the rehearsal Zoom treats a Meeting SDK app (the host assistant): one switch per rule.

Every switch is on by default, as Zoom's documents describe the Meeting SDK; a test that is about
something else may turn one off. What each is based on:

- ``waiting_room``: an SDK app joining with a plain SDK JWT joins *as a participant*; like everyone
  else it lands in the waiting room unless the meeting's waiting-room settings let it bypass (the
  meeting's ``waiting_room_options``, or a signed-in user of the account where account users
  bypass). DESIGN §2 "Meeting SDK join facts"; the Meeting SDK's ``MEETING_STATUS_IN_WAITING_ROOM``
  (binding listing, ``MeetingStatus``).
- ``cohost_only_when_made``: an SDK app has host controls only once the host makes it co-host
  (Participants ▸ Make co-host), or when it joins as the meeting's alternative host with that
  user's ZAK (``GET /users/{userId}/token?type=zak``, ZoomUsersAPI). Until then every host control
  answers ``SDKERR_NO_PERMISSION``. Off: it is made co-host as it joins (the old leniency).
- ``wait_for_host``: joining a meeting its host has not started leaves the SDK at
  ``MEETING_STATUS_WAITINGFORHOST`` until the host starts it, then it goes on joining. Off: the
  join fails at once with ``MEETING_FAIL_MEETING_NOT_START``.
- ``check_jwt``: the SDK JWT must be signed (HS256) with the secret of a known SDK app, carry
  ``appKey``, ``iat``, ``exp`` and ``tokenExp``, live between 30 minutes and 48 hours, and not have
  expired (Meeting SDK auth: "Generate a Meeting SDK JWT"); otherwise ``AUTHRET_JWTTOKENWRONG``.
  Off: any token of that shape is taken.
- ``stop_share_own_only``: ``IMeetingShareController.StopShare`` stops the caller's own share;
  with someone else sharing it answers ``SDKERR_MEETING_NOT_SHARE_SENDER``, with nobody sharing
  ``SDKERR_MEETING_YOU_HAVE_NO_SHARE`` (binding listing, ``SDKError``). Off: it stops anyone's.
- ``outside_account_needs_token``: since March 2026 a Meeting SDK app may join a meeting hosted
  outside its own account only with a ZAK or an on-behalf token
  (``MEETING_FAIL_APP_CAN_NOT_ANONYMOUS_JOIN_MEETING``). Which account the app belongs to is the
  rehearsal's ``sdk_app_account``.
- ``sign_in_when_required``: a meeting whose ``settings.meeting_authentication`` is on ("`true`- Only
  authenticated users can join meetings", ZoomMeetingsAPI, and its deprecated ``enforce_login``,
  "Only signed in users can join this meeting") lets the SDK app in only signed in: with a ZAK of a
  user who passes the meeting's authentication: its ``authentication_option`` (else the host's default
  option) decides, and only an option of type ``enforce_login_with_domains`` limits it to domains. A guest join fails with ``MEETING_FAIL_ENFORCE_LOGIN`` (binding listing,
  ``MeetingFailCode``). Off: a guest assistant gets in (the old leniency).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

#: The shortest and longest life Zoom allows an SDK JWT (seconds).
JWT_SHORTEST_S = 1800
JWT_LONGEST_S = 48 * 3600
#: A ZAK lives two hours unless asked otherwise (``ttl``), a year at most (ZoomUsersAPI, userToken).
ZAK_LIFETIME_S = 7200
ZAK_LONGEST_S = 365 * 24 * 3600


@dataclass
class SdkRules:
    """The rehearsal's Meeting SDK rules; each ``True`` is the strict, documented behaviour."""

    waiting_room: bool = True
    cohost_only_when_made: bool = True
    wait_for_host: bool = True
    check_jwt: bool = True
    stop_share_own_only: bool = True
    outside_account_needs_token: bool = True
    sign_in_when_required: bool = True

    @classmethod
    def lenient(cls) -> SdkRules:
        """Every switch off: the assistant skips the waiting room, is co-host at once, and so on."""
        return cls(**{f.name: False for f in fields(cls)})

    def as_dict(self) -> dict[str, bool]:
        return {f.name: bool(getattr(self, f.name)) for f in fields(self)}
