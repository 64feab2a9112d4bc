"""Pre-flight checks: the school's protocol as data, checked against a meeting before it starts.

Each rule reads the meeting (``GET /meetings/{meetingId}``) and the host's user settings
(``GET /users/{userId}/settings``) exactly as Zoom returns them, and says pass / fail / warn /
unknown in plain words, with the fix: a patch for the meeting or the host's settings, or the
exact clicks where no API can make the change. A setting Zoom did not report is never a pass.
All fixes go into one meeting patch, because Zoom allows only 100 meeting updates a day.

From outside: what Zoom and the register say (:class:`PreflightInput`), and with it the function
that registers a secret for redaction (``system.redact.register_secret``, given by the ``zoom``
package that builds the input), called on every passcode a fix makes up before the fix exists.
"""

from __future__ import annotations

import copy
import re
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from zoomhost.core.profiles import Profile
from zoomhost.core.rule_status import RuleStatus
from zoomhost.core.visible import visible_name

#: Called with a new secret (a passcode) so that no log line or file shows it from then on.
RegisterSecret = Callable[[str], None]


class Severity(StrEnum):
    """A required rule that is not met fails; an advised one only warns."""

    REQUIRED = "required"
    ADVISED = "advised"


#: Shown instead of a new passcode wherever a fix is printed; the passcode itself only goes to Zoom.
PASSCODE_PLACEHOLDER = "(a new passcode, not shown)"


def _frozen(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    return value


def _thawed(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _thawed(item) for key, item in value.items()}
    return value


@dataclass(frozen=True, kw_only=True)
class Fix:
    """How to make a rule pass: a patch Zoom's API accepts, or the clicks a person must make."""

    meeting_patch: Mapping[str, Any] | None = None  # body for PATCH /meetings/{meetingId}
    user_patch: Mapping[str, Any] | None = None  # body for PATCH /users/{userId}/settings
    manual_step: str | None = None  # exact click path when no API can make the change
    description: str
    # What is true once the change is made, in a teacher's words, when the rule's title would claim more
    # than the change does (the title is used otherwise).
    outcome: str = ""
    # What the teacher must know before agreeing to the change (invitations already sent stop working, …).
    caution: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "meeting_patch", _frozen(self.meeting_patch) if self.meeting_patch else None)
        object.__setattr__(self, "user_patch", _frozen(self.user_patch) if self.user_patch else None)

    def __repr__(self) -> str:
        return f"Fix({self.as_dict()!r})"

    def as_dict(self) -> dict[str, Any]:
        """JSON-able, with any new passcode replaced by a placeholder (it must not reach a screen or log)."""
        meeting = _thawed(self.meeting_patch) if self.meeting_patch else None
        if meeting and "password" in meeting:
            meeting["password"] = PASSCODE_PLACEHOLDER
        return {
            "meeting_patch": meeting,
            "user_patch": _thawed(self.user_patch) if self.user_patch else None,
            "manual_step": self.manual_step,
            "description": self.description,
        }


@dataclass(frozen=True, kw_only=True)
class PreflightInput:
    """What Zoom and the register say about one meeting, as the rules need it."""

    meeting: Mapping[str, Any]  # GET /meetings/{meetingId}, as Zoom returns it
    user_settings: Mapping[str, Any] | None  # GET /users/{host_id}/settings; None when unreadable
    consented_pupils: int
    staff: int
    host_email: str | None
    school_email_domain: str | None  # one domain, or several separated by commas or spaces
    personal_meeting_id: int | None  # the host's PMI, from GET /users/{host_id}
    planned_minutes: int = 30
    # GET /accounts/{accountId}/settings where the app may read it: the only place Zoom reports
    # whether participants may rename themselves.
    account_settings: Mapping[str, Any] | None = None
    # The email of the user who scheduled the meeting on the host's behalf (the meeting's
    # ``assistant_id``, from GET /users/{assistant_id}); None when nobody did or it is unreadable.
    scheduler_email: str | None = None
    # The email of the Zoom user the school gave the host assistant (``Settings.assistant_user``): it
    # joins as that user, and as the meeting's alternative host it needs no admission and no click.
    assistant_user: str | None = None
    # Masks a passcode a fix makes up in every later log line (``system.redact.register_secret``).
    register_secret: RegisterSecret = field(repr=False)
    # GET /users/{host_id}/settings?option=meeting_security: who waits, who admits, web-client sign-in,
    # encryption. None when unreadable (the rules it feeds then say "unknown").
    security_settings: Mapping[str, Any] | None = None
    # GET /users/{host_id}/settings?option=meeting_authentication: the sign-in (authentication) options a meeting
    # of this host may require, each with its ``id``, ``type`` and ``domains``, one the ``default_option``.
    # None when unreadable.
    authentication_settings: Mapping[str, Any] | None = None
    # GET /accounts/{accountId}/lock_settings, the plain answer and ``option=meeting_security`` merged:
    # which settings an admin has locked for every host. None when unreadable (no admin rights).
    account_locks: Mapping[str, Any] | None = None
    # GET /groups/{groupId}/lock_settings for the host's groups, merged (a lock in any of them holds).
    group_locks: Mapping[str, Any] | None = None
    # The account the host's Zoom user belongs to (GET /users/{id} ``account_id``) and the school's own
    # (the account the credentials belong to); None when not known.
    host_account_id: str | None = None
    school_account_id: str | None = None

    def __post_init__(self) -> None:
        if self.consented_pupils < 0 or self.staff < 0:
            raise ValueError("the number of consented pupils and staff cannot be negative")
        if not 1 <= self.planned_minutes <= 1440:
            raise ValueError("a session is planned for between 1 minute and 24 hours")


@dataclass(frozen=True, kw_only=True)
class RuleResult:
    rule_id: str
    status: RuleStatus
    observed: str  # what Zoom reported, in plain words (never a passcode)
    fix: Fix | None
    explanation: str
    title: str = ""
    protocol_line: str = ""
    severity: Severity = Severity.REQUIRED

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.rule_id,
            "status": self.status.value,
            "observed": self.observed,
            "fix": self.fix.as_dict() if self.fix else None,
            "title": self.title,
            "protocol_line": self.protocol_line,
            "severity": self.severity.value,
            "explanation": self.explanation,
        }


@dataclass(frozen=True, kw_only=True)
class PreflightRule:
    id: str
    title: str
    protocol_line: str  # quoted verbatim from the school's protocol (zoomhost.core.protocol)
    severity: Severity
    evaluate: Callable[[PreflightInput], RuleResult]


@dataclass(frozen=True, kw_only=True)
class FixPlan:
    """Every fix merged: one meeting update (they are rationed), one settings update, the clicks left over."""

    meeting_patch: dict[str, Any] = field(default_factory=dict)
    user_patch: dict[str, Any] = field(default_factory=dict)
    manual_steps: tuple[str, ...] = ()
    rule_ids: tuple[str, ...] = ()  # the rules whose fixes are in the plan

    @property
    def is_empty(self) -> bool:
        return not (self.meeting_patch or self.user_patch or self.manual_steps)

    def __repr__(self) -> str:
        return f"FixPlan({self.as_dict()!r})"

    def as_dict(self) -> dict[str, Any]:
        """JSON-able, with any new passcode replaced by a placeholder."""
        return {
            "meeting_patch": Fix(meeting_patch=self.meeting_patch, description="").as_dict()["meeting_patch"],
            "user_patch": copy.deepcopy(self.user_patch) or None,
            "manual_steps": list(self.manual_steps),
            "rule_ids": list(self.rule_ids),
        }


# --- reading Zoom's answers -------------------------------------------------------------------

_ABSENT = object()


@dataclass(frozen=True)
class _Odd:
    """A value Zoom sent in a shape the documents do not describe."""

    value: Any


def _read(data: Mapping[str, Any] | None, path: str, kind: type | tuple[type, ...]) -> Any:
    """The value at a dotted path, ``_ABSENT`` when Zoom left it out, ``_Odd`` when it has the wrong type."""
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node or node[part] is None:
            return _ABSENT
        node = node[part]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(node, bool) and bool not in kinds:
        return _Odd(node)
    return node if isinstance(node, kinds) else _Odd(node)


def _nested(path: str, value: Any) -> dict[str, Any]:
    """``"settings.waiting_room", True`` -> ``{"settings": {"waiting_room": True}}``."""
    body: Any = value
    for part in reversed(path.split(".")):
        body = {part: body}
    return body


def _merge_into(target: dict[str, Any], patch: Mapping[str, Any], *, where: str = "") -> None:
    for key, value in patch.items():
        here = f"{where}.{key}" if where else key
        if isinstance(value, Mapping):
            existing = target.setdefault(key, {})
            if not isinstance(existing, dict):
                raise ValueError(f"two fixes disagree about {here}")
            _merge_into(existing, value, where=here)
        elif key in target and target[key] != value:
            raise ValueError(f"two fixes disagree about {here}")
        else:
            target[key] = value


def _sentence(parts: Sequence[str]) -> str:
    text = "; ".join(parts)
    return f"{text[:1].upper()}{text[1:]}."


def _on_off(value: bool) -> str:
    return "on" if value else "off"


@dataclass(frozen=True)
class _Outcome:
    status: RuleStatus
    observed: str
    explanation: str
    fix: Fix | None = None


#: The settings a setting is read from, in words, for when zoomhost could not read them.
_SETTINGS_WORDS = {
    "user": "the host's user settings",
    "account": "the account settings",
    "security": "the host's security settings",
    "user_or_account": "the host's or the account's settings",
}


def _not_reported(what: str, *, source: str, inp: PreflightInput, fix: Fix | None, why: str) -> _Outcome:
    """Unknown: Zoom did not report ``what``, or zoomhost could not read the settings it is read from (``source``:
    "meeting", "user", "account", "security", or "user_or_account" for a host's setting the account's may decide)."""
    unread = {
        "user": inp.user_settings is None,
        "account": inp.account_settings is None,
        "security": inp.security_settings is None,
        "user_or_account": inp.user_settings is None and inp.account_settings is None,
    }.get(source, False)
    observed = f"Zoom did not report {what} (zoomhost could not read {_SETTINGS_WORDS[source]})." if unread else f"Zoom did not report {what}."
    return _Outcome(RuleStatus.UNKNOWN, observed, why, fix)


def _odd(what: str, value: Any, *, fix: Fix | None, why: str) -> _Outcome:
    return _Outcome(RuleStatus.UNKNOWN, f"Zoom reported {what} as {value!r}, which zoomhost does not recognise.", why, fix)


def _short_of(severity: Severity) -> RuleStatus:
    return RuleStatus.FAIL if severity is Severity.REQUIRED else RuleStatus.WARN


def _started(inp: PreflightInput) -> bool:
    return _read(inp.meeting, "status", str) == "started"


_SETTINGS_LATER = (
    "This is a setting of the host's Zoom account: it applies to meetings started after the change, "
    "not to one already running."
)


def _host_setting_fix(
    *, path: str, value: Any, description: str, in_meeting_step: str | None, inp: PreflightInput
) -> Fix:
    """A user-settings patch, plus the click in the Zoom client when the meeting is already running."""
    return Fix(
        user_patch=_nested(path, value),
        manual_step=f"In the running meeting: {in_meeting_step}" if in_meeting_step and _started(inp) else None,
        description=description,
    )


# --- rule factories ----------------------------------------------------------------------------

_Check = Callable[[PreflightInput, Severity], _Outcome]


def _rule(*, id: str, title: str, protocol_line: str, severity: Severity, check: _Check) -> PreflightRule:
    def evaluate(inp: PreflightInput) -> RuleResult:
        outcome = check(inp, severity)
        return RuleResult(
            rule_id=id,
            status=outcome.status,
            observed=outcome.observed,
            fix=outcome.fix,
            explanation=outcome.explanation,
            title=title,
            protocol_line=protocol_line,
            severity=severity,
        )

    evaluate.__name__ = f"evaluate_{id}"
    return PreflightRule(id=id, title=title, protocol_line=protocol_line, severity=severity, evaluate=evaluate)


def _switch(
    *,
    source: str,
    path: str,
    want: bool,
    label: str,
    why: str,
    fix_description: str,
    in_meeting_step: str | None = None,
    fix_when_unknown: bool = True,
) -> _Check:
    """A check that one on/off setting of the meeting or the host is the way the protocol wants it."""

    def check(inp: PreflightInput, severity: Severity) -> _Outcome:
        if source == "meeting":
            fix = Fix(meeting_patch=_nested(path, want), description=fix_description)
            value = _read(inp.meeting, path, bool)
            explanation = why
        else:
            fix = _host_setting_fix(
                path=path, value=want, description=fix_description, in_meeting_step=in_meeting_step, inp=inp
            )
            value = _read(inp.user_settings, path, bool)
            explanation = f"{why} {_SETTINGS_LATER}"
        if value is _ABSENT:
            return _not_reported(
                f"whether {label} is on", source=source, inp=inp, fix=fix if fix_when_unknown else None, why=explanation
            )
        if isinstance(value, _Odd):
            return _odd(label, value.value, fix=fix if fix_when_unknown else None, why=explanation)
        observed = _sentence([f"{label} is {_on_off(value)}"])
        if value is want:
            return _Outcome(RuleStatus.PASS, observed, explanation)
        return _Outcome(_short_of(severity), observed, explanation, fix)

    return check


# --- the rules with more to them ------------------------------------------------------------------

_WAITING_ROOM_FOR_EVERYONE = {"mode": "custom", "who_goes_to_waiting_room": "everyone"}
_WAITING_ROOM_WHY = "Nobody reaches the class without being admitted by the host, one by one, against the register."


def _check_waiting_room(inp: PreflightInput, severity: Severity) -> _Outcome:
    value = _read(inp.meeting, "settings.waiting_room", bool)
    who = _read(inp.meeting, "settings.waiting_room_options.who_goes_to_waiting_room", str)
    mode = _read(inp.meeting, "settings.waiting_room_options.mode", str)
    bypass = mode == "custom" and isinstance(who, str) and who != "everyone"
    patch: dict[str, Any] = {"settings": {"waiting_room": True}}
    if bypass:
        patch["settings"]["waiting_room_options"] = dict(_WAITING_ROOM_FOR_EVERYONE)
    fix = Fix(meeting_patch=patch, description="Turn the waiting room on for everyone who joins.")
    if value is _ABSENT:
        return _not_reported("whether the waiting room is on", source="meeting", inp=inp, fix=fix, why=_WAITING_ROOM_WHY)
    if isinstance(value, _Odd):
        return _odd("the waiting room", value.value, fix=fix, why=_WAITING_ROOM_WHY)
    if not value:
        return _Outcome(_short_of(severity), "The waiting room is off.", _WAITING_ROOM_WHY, fix)
    if bypass:
        observed = f"The waiting room is on, but only for some people (who_goes_to_waiting_room: {who})."
        return _Outcome(_short_of(severity), observed, _WAITING_ROOM_WHY, fix)
    if mode == "follow_setting":
        return _Outcome(
            RuleStatus.PASS,
            "The waiting room is on; who waits follows the host's web portal setting.",
            _WAITING_ROOM_WHY,
        )
    return _Outcome(RuleStatus.PASS, "The waiting room is on for everyone.", _WAITING_ROOM_WHY)


_RUN = 4  # no run of this many repeated or consecutive characters ("1111", "1234", "abcd")


def _has_run(code: str, length: int = _RUN) -> bool:
    for start in range(len(code) - length + 1):
        steps = {ord(b) - ord(a) for a, b in zip(code[start : start + length - 1], code[start + 1 : start + length])}
        if len(steps) == 1 and steps <= {-1, 0, 1}:
            return True
    return False


def new_passcode(*, register_secret: RegisterSecret, requirement: Mapping[str, Any] | None = None) -> str:
    """A strong meeting passcode that children can type, honouring the account's passcode requirement.

    ``requirement`` is ``schedule_meeting.meeting_password_requirement`` from the host's settings.
    The passcode is given to ``register_secret`` before it is returned, so that it is redacted
    from every log line.
    """
    req = requirement or {}
    length = req.get("length")
    length = min(10, max(8, length if isinstance(length, int) and not isinstance(length, bool) else 10))
    rng = secrets.SystemRandom()
    if req.get("only_allow_numeric") is True:
        pools = ["0123456789"]
    else:
        pools = ["abcdefghijkmnpqrstuvwxyz", "23456789"]
        if req.get("have_upper_and_lower_characters") is True:
            pools.append("ABCDEFGHJKLMNPQRSTUVWXYZ")
        if req.get("have_special_character") is True:
            pools.append("@-_*")  # the only special characters Zoom accepts in a passcode
    alphabet = "".join(pools)
    while True:
        chars = [rng.choice(pool) for pool in pools]
        chars += [rng.choice(alphabet) for _ in range(length - len(chars))]
        rng.shuffle(chars)
        code = "".join(chars)
        if not _has_run(code):
            break
    register_secret(code)
    return code


def _weakness(passcode: str) -> str | None:
    if len(passcode) < 6:
        return f"only {len(passcode)} characters long"
    if passcode.isdigit() and len(passcode) < 8:
        return f"{len(passcode)} digits only, which is quick to guess"
    if _has_run(passcode):
        return "made of repeated or consecutive characters"
    return None


def _describe_passcode(passcode: str) -> str:
    kinds = [
        name
        for name, test in (("letters", str.isalpha), ("digits", str.isdigit))
        if any(test(ch) for ch in passcode)
    ]
    if any(not ch.isalnum() for ch in passcode):
        kinds.append("symbols")
    return f"{len(passcode)} characters, {' and '.join(kinds) or 'no letters or digits'}"


_INVITE_AGAIN = "Invitations already sent stop working: prepare the invitations again afterwards."


def _check_passcode(inp: PreflightInput, severity: Severity) -> _Outcome:
    why = (
        "A leaked link alone must not be enough to reach the waiting room. "
        "A new passcode replaces the old one, so send the invitations after this change."
    )
    passcode = _read(inp.meeting, "password", str)
    if isinstance(passcode, str) and passcode and not _weakness(passcode):
        return _Outcome(RuleStatus.PASS, f"The meeting has a passcode ({_describe_passcode(passcode)}).", why)
    requirement = _read(inp.user_settings, "schedule_meeting.meeting_password_requirement", Mapping)
    fix = Fix(
        meeting_patch={
            "password": new_passcode(
                register_secret=inp.register_secret,
                requirement=requirement if isinstance(requirement, Mapping) else None,
            )
        },
        description="Give the meeting a new strong passcode.",
        caution=_INVITE_AGAIN,
    )
    if passcode is _ABSENT:
        return _not_reported("a passcode for this meeting (it may have none)", source="meeting", inp=inp, fix=fix, why=why)
    if isinstance(passcode, _Odd):
        return _Outcome(RuleStatus.UNKNOWN, "Zoom reported the passcode in a form zoomhost does not recognise.", why, fix)
    if not passcode:
        return _Outcome(_short_of(severity), "The meeting has no passcode.", why, fix)
    return _Outcome(RuleStatus.WARN, f"The meeting has a passcode, but it is {_weakness(passcode)}.", why, fix)


_MEETING_TYPES = {
    1: "an instant meeting",
    2: "a scheduled meeting",
    3: "a recurring meeting with no fixed time",
    4: "a personal meeting room (PMI) meeting",
    8: "a recurring meeting with a fixed time",
    10: "a screen-share-only meeting",
}
_SCHEDULE_NEW = (
    "Zoom web portal ▸ Meetings ▸ Schedule a Meeting ▸ Meeting ID: Generate Automatically ▸ Save, "
    "then run the checks on the new meeting and invite from it."
)


def _check_unique_meeting_id(inp: PreflightInput, severity: Severity) -> _Outcome:
    why = "A personal meeting ID never changes, so anyone who once had it can come back at any time."
    meeting_id = _read(inp.meeting, "id", int)
    kind = _read(inp.meeting, "type", int)
    use_pmi = _read(inp.meeting, "settings.use_pmi", bool)
    pmi_field = _read(inp.meeting, "pmi", (str, int))
    pmis = {str(p) for p in (inp.personal_meeting_id, pmi_field) if isinstance(p, (int, str))}
    manual = Fix(manual_step=_SCHEDULE_NEW, description="Schedule a new meeting with its own meeting ID.")
    if kind == 4:
        return _Outcome(_short_of(severity), "This is the host's personal meeting room (PMI).", why, manual)
    if isinstance(meeting_id, int) and str(meeting_id) in pmis:
        return _Outcome(_short_of(severity), "The meeting ID is the host's personal meeting ID.", why, manual)
    if use_pmi is True:
        if kind in (2, 3):
            fix = Fix(meeting_patch={"settings": {"use_pmi": False}}, description="Give the meeting its own meeting ID.")
        else:
            fix = manual
        return _Outcome(_short_of(severity), "The meeting is set to use the host's personal meeting ID.", why, fix)
    if use_pmi is False or (inp.personal_meeting_id is not None and isinstance(meeting_id, int)):
        return _Outcome(RuleStatus.PASS, "The meeting has its own meeting ID, not the host's personal one.", why)
    return _not_reported(
        "whether the meeting uses the host's personal meeting ID", source="meeting", inp=inp, fix=None, why=why
    )


def _check_auto_recording(inp: PreflightInput, severity: Severity) -> _Outcome:
    why = "Recording keeps children's images and voices that the session does not need and parents did not agree to."
    fix = Fix(meeting_patch={"settings": {"auto_recording": "none"}}, description="Turn automatic recording off.")
    value = _read(inp.meeting, "settings.auto_recording", str)
    if value is _ABSENT:
        return _not_reported("whether the meeting records itself", source="meeting", inp=inp, fix=fix, why=why)
    if isinstance(value, _Odd) or value not in ("none", "local", "cloud"):
        return _odd("automatic recording", getattr(value, "value", value), fix=fix, why=why)
    if value == "none":
        return _Outcome(RuleStatus.PASS, "Automatic recording is off.", why)
    where = "to the cloud" if value == "cloud" else "to the host's computer"
    return _Outcome(_short_of(severity), f"The meeting records itself automatically {where}.", why, fix)


def _check_duration(inp: PreflightInput, severity: Severity) -> _Outcome:
    limit = 30
    planned = inp.planned_minutes
    why = f"The protocol says a meeting usually lasts no more than {limit} minutes; you planned {planned}."
    minutes = _read(inp.meeting, "duration", int)
    fix = Fix(
        meeting_patch={"duration": planned},
        description=f"Schedule the meeting for {planned} minutes.",
        outcome=f"The meeting is scheduled for {planned} minutes",
    )
    if minutes is _ABSENT:
        return _not_reported("how long the meeting is scheduled for", source="meeting", inp=inp, fix=None, why=why)
    if isinstance(minutes, _Odd):
        return _odd("the scheduled length", minutes.value, fix=None, why=why)
    observed = f"Scheduled for {minutes} minutes."
    if minutes <= limit:
        return _Outcome(RuleStatus.PASS, observed, why)
    if planned <= limit:
        return _Outcome(_short_of(severity), observed, why, fix)
    return _Outcome(RuleStatus.WARN, f"{observed} Longer than usual.", why, fix if minutes > planned else None)


def _check_screen_sharing(inp: PreflightInput, severity: Severity) -> _Outcome:
    why = f"Only the host may show a screen, so nobody can put inappropriate content in front of the class. {_SETTINGS_LATER}"
    fix = Fix(
        user_patch={"in_meeting": {"who_can_share_screen": "host", "who_can_share_screen_when_someone_is_sharing": "host"}},
        manual_step=(
            "In the running meeting: Share Screen ▴ ▸ Advanced Sharing Options ▸ Who can share? ▸ Only Host"
            if _started(inp)
            else None
        ),
        description="Let only the host share a screen.",
    )
    sharing = _read(inp.user_settings, "in_meeting.screen_sharing", bool)
    who = _read(inp.user_settings, "in_meeting.who_can_share_screen", str)
    if sharing is False:
        return _Outcome(RuleStatus.PASS, "Screen sharing is off.", why)
    if who == "host":
        return _Outcome(RuleStatus.PASS, "Only the host can share a screen.", why)
    if who == "all":
        return _Outcome(_short_of(severity), "Participants can share their screens.", why, fix)
    if who is _ABSENT:
        return _not_reported("who can share a screen", source="user", inp=inp, fix=fix, why=why)
    return _odd("who can share a screen", getattr(who, "value", who), fix=fix, why=why)


def _check_chat(inp: PreflightInput, severity: Severity) -> _Outcome:
    why = (
        "The protocol has the host close chat, and notes that this is set in the app rather than on the desktop. "
        f"{_SETTINGS_LATER}"
    )
    fix = _host_setting_fix(
        path="in_meeting.chat",
        value=False,
        description="Turn meeting chat off in the host's settings.",
        in_meeting_step="Chat ▸ ⋯ ▸ Participants can chat with ▸ No one",
        inp=inp,
    )
    chat = _read(inp.user_settings, "in_meeting.chat", bool)
    chat_with = _read(inp.user_settings, "in_meeting.allow_participants_chat_with", int)
    if chat is _ABSENT:
        return _not_reported("whether meeting chat is on", source="user", inp=inp, fix=fix, why=why)
    if isinstance(chat, _Odd):
        return _odd("meeting chat", chat.value, fix=fix, why=why)
    if chat is False:
        return _Outcome(RuleStatus.PASS, "Meeting chat is off.", why)
    if chat_with == 1:
        return _Outcome(RuleStatus.PASS, "Meeting chat is on, but participants cannot use it.", why)
    return _Outcome(_short_of(severity), "Meeting chat is on for participants.", why, fix)


_REMOVED_REJOIN_STEP = (
    "Zoom web portal ▸ Settings ▸ Meeting ▸ In Meeting (Basic) ▸ turn off "
    "“Allow removed participants to rejoin”."
)


def _check_removed_rejoin(inp: PreflightInput, severity: Severity) -> _Outcome:
    why = "Someone removed from the class (a zoombomber, an impostor) must not be able to come straight back."
    return _Outcome(
        RuleStatus.UNKNOWN,
        "Zoom's API does not report whether removed participants can rejoin; check it in the web portal.",
        why,
        Fix(manual_step=_REMOVED_REJOIN_STEP, description="Stop removed participants from rejoining."),
    )


_RENAME_STEP = (
    "Zoom web portal ▸ Settings ▸ Meeting ▸ In Meeting (Basic) ▸ turn off “Allow participants to rename "
    "themselves” (an account admin may have to do this); in a running meeting: Security ▸ untick “Rename Themselves”."
)


def _check_rename(inp: PreflightInput, severity: Severity) -> _Outcome:
    why = (
        "A pupil is admitted by the name checked against the register; nobody may change it once inside. "
        "Zoom reports this only in the account's settings, and no API call of the host can change it."
    )
    fix = Fix(manual_step=_RENAME_STEP, description="Stop participants renaming themselves.")
    value = _read(inp.account_settings, "in_meeting.allow_participants_to_rename", bool)
    if value is _ABSENT:
        return _not_reported("whether participants can rename themselves", source="account", inp=inp, fix=fix, why=why)
    if isinstance(value, _Odd):
        return _odd("renaming", value.value, fix=fix, why=why)
    if value:
        return _Outcome(_short_of(severity), "Participants can rename themselves.", why, fix)
    return _Outcome(RuleStatus.PASS, "Participants cannot rename themselves.", why)


def _alternative_hosts(text: str) -> list[str]:
    """``settings.alternative_hosts`` (semicolon-separated emails or IDs; a comma is taken too) as a list."""
    return [part.strip() for part in text.replace(",", ";").split(";") if part.strip()]


def _check_assistant_alternative_host(inp: PreflightInput, severity: Severity) -> _Outcome:
    why = (
        "The host assistant admits, mutes and locks for the teacher. Joining as one of the meeting's alternative "
        "hosts (with its Zoom user's access key) it comes straight in as co-host; otherwise the teacher admits it "
        "from the waiting room and makes it co-host by hand."
    )
    user = (inp.assistant_user or "").strip()
    raw = _read(inp.meeting, "settings.alternative_hosts", str)
    listed = _alternative_hosts(raw) if isinstance(raw, str) else []
    fix = (
        Fix(
            meeting_patch={"settings": {"alternative_hosts": ";".join([*listed, user])}},
            description=f"Make {user} (the host assistant's Zoom user) an alternative host, keeping the others.",
        )
        if user
        else None
    )
    if raw is _ABSENT:
        return _not_reported("the meeting's alternative hosts", source="meeting", inp=inp, fix=fix, why=why)
    if isinstance(raw, _Odd):
        return _odd("the alternative hosts", raw.value, fix=None, why=why)
    if not user:
        if _read(inp.meeting, "settings.meeting_authentication", bool) is True:
            # Zoom lets only authenticated users into this meeting: a guest assistant is turned away.
            return _Outcome(
                RuleStatus.WARN,
                "This meeting lets in only people signed in to Zoom, and no Zoom user is set for the host assistant: "
                "Zoom will turn it away, and the Live panel will show the Zoom steps for every control instead. Set "
                "the assistant's Zoom user in Settings (a user of the school's account) for it to join.",
                why,
            )
        return _Outcome(
            RuleStatus.PASS,
            "No Zoom user is set for the host assistant: it joins as a guest, and the Live panel shows the one "
            "click it then needs.",
            why,
        )
    if user.lower() in {host.lower() for host in listed}:
        return _Outcome(RuleStatus.PASS, f"{user} is an alternative host of this meeting.", why)
    return _Outcome(_short_of(severity), f"{user} (the host assistant's Zoom user) is not an alternative host of this meeting.", why, fix)


_BROWSER_SETTINGS = (
    ("in_meeting.show_a_join_from_your_browser_link", "the “Join from your browser” link"),
    ("in_meeting.join_from_desktop", "joining from a computer's browser"),
    ("in_meeting.join_from_mobile", "joining from a phone or tablet browser"),
)


def _check_browser_join(inp: PreflightInput, severity: Severity) -> _Outcome:
    why = f"Families join from a browser such as Chrome or Safari, without installing Zoom. {_SETTINGS_LATER}"
    off, unknown = [], []
    patch: dict[str, Any] = {}
    for path, label in _BROWSER_SETTINGS:
        value = _read(inp.user_settings, path, bool)
        if value is True:
            continue
        (off if value is False else unknown).append(label)
        _merge_into(patch, _nested(path, True))
    fix = Fix(user_patch=patch, description="Let families join from a browser.") if patch else None
    if off:
        return _Outcome(_short_of(severity), f"Off in the host's settings: {', '.join(off)}.", why, fix)
    if unknown:
        what = f"whether families can join from a browser ({', '.join(unknown)})"
        return _not_reported(what, source="user", inp=inp, fix=fix, why=why)
    return _Outcome(RuleStatus.PASS, "Families can join from a computer, phone or tablet browser.", why)


def _check_capacity(inp: PreflightInput, severity: Severity) -> _Outcome:
    need = inp.consented_pupils + inp.staff
    why = f"Everyone invited must fit: {inp.consented_pupils} consented pupils and {inp.staff} staff, {need} in all."
    step = (
        "Ask the school's Zoom account owner to give the host a Large Meeting licence "
        "(Zoom web portal ▸ Admin ▸ User Management ▸ Users ▸ Edit ▸ Large Meeting), or split the session."
    )
    fix = Fix(manual_step=step, description=f"Raise the host's meeting capacity to at least {need}.")
    capacity = _read(inp.user_settings, "feature.meeting_capacity", int)
    if capacity is _ABSENT:
        return _not_reported("the host's meeting capacity", source="user", inp=inp, fix=None, why=why)
    if isinstance(capacity, _Odd):
        return _odd("the meeting capacity", capacity.value, fix=None, why=why)
    if _read(inp.user_settings, "feature.large_meeting", bool) is True:
        large = _read(inp.user_settings, "feature.large_meeting_capacity", int)
        capacity = max(capacity, large) if isinstance(large, int) else capacity
    observed = f"Up to {capacity} participants; {need} needed."
    if need == 0:
        return _Outcome(RuleStatus.WARN, f"Up to {capacity} participants; no consented pupils on the register yet.", why)
    if capacity >= need:
        return _Outcome(RuleStatus.PASS, observed, why)
    return _Outcome(_short_of(severity), observed, why, fix)


def _domains(text: str | None) -> set[str]:
    return {part.strip().lstrip("@").lower() for part in re.split(r"[,;\s]+", text or "") if part.strip().lstrip("@")}


def _domain_of(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def _check_host_account(inp: PreflightInput, severity: Severity) -> _Outcome:
    domains = _domains(inp.school_email_domain)
    shown = " or ".join(f"@{d}" for d in sorted(domains)) or "the school's domain"
    why = "The school's own Zoom account, linked to its professional email, is used, and staff set up the meeting."
    email = inp.host_email or _read(inp.meeting, "host_email", str)
    kind = _read(inp.meeting, "type", int)
    problems: list[str] = []
    unknowns: list[str] = []
    steps: list[str] = []
    patch: dict[str, Any] = {}
    if not isinstance(email, str) or "@" not in email:
        unknowns.append("Zoom did not report the host's email address")
    elif not domains:
        unknowns.append("the school's email domain is not set in zoomhost's settings")
    elif _domain_of(email) not in domains:
        problems.append(f"the host's account is on @{_domain_of(email)}, not {shown}")
        steps.append(f"Sign in to Zoom with your {shown} school account and schedule the meeting there.")
    if inp.host_account_id and inp.school_account_id and inp.host_account_id != inp.school_account_id:
        # Every school on the island may share one email domain: the address alone does not make the host ours.
        problems.append("the host is a user of another Zoom account, not the school's own")
        steps.append(
            "Schedule the meeting from a user of the school's own Zoom account "
            "(Zoom web portal ▸ User Management ▸ Users lists them)."
        )
    if kind in (2, 8):
        pass
    elif isinstance(kind, int) and kind in _MEETING_TYPES:
        problems.append(f"it is {_MEETING_TYPES[kind]}, not a meeting scheduled for a set time")
        steps.append(_SCHEDULE_NEW)
    else:
        unknowns.append("Zoom did not report what kind of meeting this is")
    meeting_id = _read(inp.meeting, "id", int)
    if kind != 4 and isinstance(meeting_id, int) and meeting_id == inp.personal_meeting_id:
        problems.append("it is held in the host's personal meeting room (PMI)")
        steps.append(_SCHEDULE_NEW)
    elif kind != 4 and _read(inp.meeting, "settings.use_pmi", bool) is True:
        problems.append("it is set to use the host's personal meeting room (PMI)")
        if kind in (2, 3):
            patch = {"settings": {"use_pmi": False}}
        else:
            steps.append(_SCHEDULE_NEW)
    scheduler_problem, scheduler = _scheduled_by(inp, domains, shown)
    if scheduler_problem:
        problems.append(scheduler_problem)
        steps.append(f"Schedule the meeting from a {shown} staff account, or remove the outsider's scheduling privilege.")
    alternates = _read(inp.meeting, "settings.alternative_hosts", str)
    if isinstance(alternates, str) and domains:
        outsiders = [a.strip() for a in alternates.split(";") if "@" in a and _domain_of(a) not in domains]
        if outsiders:
            problems.append(f"{len(outsiders)} alternative host(s) are not on {shown}")
            steps.append("Zoom web portal ▸ Meetings ▸ (this meeting) ▸ Edit ▸ Alternative Hosts: remove anyone outside the school.")
    if problems:
        fix = Fix(
            meeting_patch=patch or None,
            manual_step=" ".join(dict.fromkeys(steps)) or None,
            description="Host the meeting from the school's Zoom account, scheduled by staff for a set time.",
            outcome="The meeting gets a meeting ID of its own instead of the host's personal one" if patch else "",
        )
        return _Outcome(_short_of(severity), _sentence(problems), why, fix)
    if unknowns:
        return _Outcome(RuleStatus.UNKNOWN, _sentence(unknowns), why)
    own = " of the school's own Zoom account" if inp.host_account_id and inp.host_account_id == inp.school_account_id else ""
    return _Outcome(RuleStatus.PASS, f"A meeting scheduled by a {shown} account{own}{scheduler}.", why)


def _scheduled_by(inp: PreflightInput, domains: set[str], shown: str) -> tuple[str | None, str]:
    """Who scheduled the meeting on the host's behalf (``assistant_id``): (a problem or None, words for a pass)."""
    assistant = _read(inp.meeting, "assistant_id", str)
    if not isinstance(assistant, str) or not assistant or assistant == _read(inp.meeting, "host_id", str):
        return None, ""
    email = inp.scheduler_email
    if not isinstance(email, str) or "@" not in email or not domains:
        # Zoom lets only users of the same account schedule for a host: someone of the school's account.
        return None, ", scheduled on the host's behalf by another user of the same Zoom account"
    if _domain_of(email) not in domains:
        return f"it was scheduled on the host's behalf by an account on @{_domain_of(email)}, not {shown}", ""
    return None, f", scheduled on the host's behalf by another {shown} account"


def registration_required(meeting: Mapping[str, Any] | None) -> bool:
    """Whether Zoom makes everyone register for ``meeting`` (a scheduled meeting, approved automatically
    or by the host): then each family can have its own link, and pupils are admitted by it."""
    if not isinstance(meeting, Mapping) or meeting.get("type") != 2:
        return False
    settings = meeting.get("settings")
    return isinstance(settings, Mapping) and settings.get("approval_type") in (0, 1)


def registrations_approved_by_hand(meeting: Mapping[str, Any] | None) -> bool:
    """Whether the school approves each registration for ``meeting`` (approval type 1), so a registration
    Zoom lists has been checked by a person."""
    settings = meeting.get("settings") if isinstance(meeting, Mapping) else None
    return registration_required(meeting) and isinstance(settings, Mapping) and settings.get("approval_type") == 1


def _check_registration(inp: PreflightInput, severity: Severity) -> _Outcome:
    why = (
        "With registration, zoomhost can give each consented family its own join link, so a forwarded link "
        "is traced and cannot be reused; approval by the school keeps strangers from registering themselves."
    )
    fix = Fix(
        meeting_patch={"settings": {"approval_type": 1}},
        description="Require registration, approved by the school (zoomhost registers consented pupils).",
        caution=(
            "Families then join by their own link: a link already sent asks them to register and wait for "
            "approval, so prepare the invitations again afterwards."
        ),
    )
    value = _read(inp.meeting, "settings.approval_type", int)
    if value is _ABSENT:
        return _not_reported("whether the meeting needs registration", source="meeting", inp=inp, fix=fix, why=why)
    if value == 1:
        return _Outcome(RuleStatus.PASS, "Registration is on; the school approves each registration.", why)
    if value == 0:
        return _Outcome(_short_of(severity), "Registration is on, but anyone who registers is approved.", why, fix)
    if value == 2:
        return _Outcome(
            _short_of(severity),
            "No registration: every family gets the same link, so pupils are admitted by the name they type "
            "(the weaker way: anyone with the link can type a pupil's name).",
            why,
            fix,
        )
    return _odd("registration", getattr(value, "value", value), fix=fix, why=why)


def _check_one_device_per_link(inp: PreflightInput, severity: Severity) -> _Outcome:
    why = (
        "A family's own link is theirs alone only if it joins from one device at a time: otherwise a link "
        "passed on to someone else joins beside the family, and Zoom does nothing about it (zoomhost still "
        "flags the second device)."
    )
    fix = Fix(
        meeting_patch={"settings": {"allow_multiple_devices": False}},
        description="Let each registration link join from one device at a time.",
    )
    value = _read(inp.meeting, "settings.allow_multiple_devices", bool)
    if value is _ABSENT:
        return _not_reported(
            "whether one registration link may join from several devices", source="meeting", inp=inp, fix=fix, why=why
        )
    if isinstance(value, _Odd):
        return _odd("joining from several devices", value.value, fix=fix, why=why)
    if not value:
        return _Outcome(RuleStatus.PASS, "Each registration link joins from one device at a time.", why)
    if _read(inp.meeting, "settings.approval_type", int) in (0, 1):
        return _Outcome(
            _short_of(severity),
            "One family's registration link may join from several devices at once: a forwarded link joins beside them.",
            why,
            fix,
        )
    # Registration is off, so there are no family links yet: advice, set in the same update as registration.
    return _Outcome(
        RuleStatus.WARN,
        "Registration is off, but once it is on one registration link could join from several devices at once.",
        why,
        fix,
    )


# --- what the protocol and the privacy impact assessment fear beyond the meeting's switches ----------
#
# Where the meeting's traffic is routed (China), how it is encrypted, whether co-hosts (the host
# assistant) are allowed, whether the web client demands a Zoom sign-in, who waits and who may
# admit, whether an admin has locked the safe settings, recording, live streaming, annotation and
# breakout rooms. They read the host's settings, their ``option=meeting_security`` part
# (``PreflightInput.security_settings``), the account's settings and the account's and groups'
# lock settings. The host's ``meeting_security`` fixes are one more key of the one settings update
# (Zoom takes them in a request of their own, ``option=meeting_security``: the ``zoom`` package
# sends that part apart).


# --- reading the host's security settings and the locks -----------------------------------------------

def _security(inp: PreflightInput, path: str, kind: type | tuple[type, ...]) -> Any:
    """A field of the host's ``meeting_security`` settings (``_ABSENT`` / ``_Odd`` as ``_read`` gives)."""
    return _read(inp.security_settings, f"meeting_security.{path}", kind)


def _host_then_account(inp: PreflightInput, path: str, kind: type | tuple[type, ...]) -> tuple[Any, str]:
    """A setting from the host's settings, else the account's: (value, "host" or "account")."""
    value = _read(inp.user_settings, path, kind)
    if value is _ABSENT:
        return _read(inp.account_settings, path, kind), "account"
    return value, "host"


# --- data centres ----------------------------------------------------------------------------------

#: Every region Zoom's documents list for ``in_meeting.data_center_regions``.
DATA_CENTER_REGIONS = ("AU", "LA", "CA", "CN", "DE", "HK", "IN", "IE", "TY", "MX", "NL", "SG", "US")
_DATA_CENTERS_STEP = (
    "Zoom web portal ▸ Settings ▸ Meeting ▸ In Meeting (Advanced) ▸ “Select data center regions for meetings/webinars "
    "hosted by your account”: turn it on and untick China (an account admin may have to do this)."
)


def check_data_centers(inp: PreflightInput, severity: Severity) -> _Outcome:
    why = (
        "The privacy impact assessment names meeting traffic routed through servers in China as a risk. With custom "
        "data-centre regions on and China left out, Zoom does not route this meeting's audio and video there. "
        f"{_SETTINGS_LATER}"
    )
    custom, source = _host_then_account(inp, "in_meeting.custom_data_center_regions", bool)
    regions = _read(inp.user_settings if source == "host" else inp.account_settings, "in_meeting.data_center_regions", list)
    listed = [r for r in regions if isinstance(r, str)] if isinstance(regions, list) else []
    keep = [r for r in (listed or DATA_CENTER_REGIONS) if r != "CN"]
    fix = Fix(
        user_patch={"in_meeting": {"custom_data_center_regions": True, "data_center_regions": keep}},
        manual_step=_DATA_CENTERS_STEP if source == "account" else None,
        description="Choose the data-centre regions for the host's meetings, leaving China out.",
    )
    whose = "the host's" if source == "host" else "the account's"
    if custom is _ABSENT:
        return _not_reported("which data centres carry the meeting", source="user_or_account", inp=inp, fix=fix, why=why)
    if isinstance(custom, _Odd):
        return _odd("custom data-centre regions", custom.value, fix=fix, why=why)
    if custom is False:
        observed = f"Custom data-centre regions are off in {whose} settings: Zoom may route the meeting through any region, China included."
        return _Outcome(_short_of(severity), observed, why, fix)
    if isinstance(regions, _Odd) or regions is _ABSENT:
        return _Outcome(
            RuleStatus.UNKNOWN,
            f"Custom data-centre regions are on in {whose} settings, but Zoom did not report which regions.",
            why,
            fix,
        )
    if "CN" in listed:
        return _Outcome(_short_of(severity), f"China is one of the data-centre regions chosen in {whose} settings.", why, fix)
    return _Outcome(RuleStatus.PASS, f"Custom data-centre regions ({', '.join(listed) or 'none'}); China is not among them.", why)


# --- encryption ----------------------------------------------------------------------------------


def check_encryption(inp: PreflightInput, severity: Severity) -> _Outcome:
    why = (
        "The privacy impact assessment warns that encryption is not end to end. Zoom's enhanced encryption protects the "
        "meeting on its way; Zoom's end-to-end encryption would go further, but then families can no longer join from "
        "a browser (and join before host, cloud recording and live streaming stop), which the protocol requires. "
        "So the meeting uses enhanced encryption, and nothing personal is said in it."
    )
    fix = Fix(
        meeting_patch={"settings": {"encryption_type": "enhanced_encryption"}},
        description="Use Zoom's enhanced encryption, so families can still join from a browser.",
    )
    value = _read(inp.meeting, "settings.encryption_type", str)
    uses = "The meeting uses"
    if value is _ABSENT:
        value = _security(inp, "encryption_type", str)
        uses = "The host's settings start meetings with"
    if value is _ABSENT:
        return _not_reported("which encryption the meeting uses", source="security", inp=inp, fix=fix, why=why)
    if isinstance(value, _Odd) or value not in ("enhanced_encryption", "e2ee"):
        return _odd("the encryption", getattr(value, "value", value), fix=fix, why=why)
    if value == "enhanced_encryption":
        return _Outcome(RuleStatus.PASS, f"{uses} Zoom's enhanced encryption.", why)
    return _Outcome(
        _short_of(severity),
        f"{uses} end-to-end encryption: families could not join from a browser.",
        why,
        fix,
    )


# --- co-hosts, web-client sign-in, who waits, who admits ----------------------------------------------


def check_cohost_enabled(inp: PreflightInput, severity: Severity) -> _Outcome:
    why = (
        "The host assistant admits, mutes and removes as a co-host; a second member of staff can help the same way. "
        f"Without co-hosts only the host can do any of it. {_SETTINGS_LATER}"
    )
    fix = Fix(user_patch={"in_meeting": {"co_host": True}}, description="Allow co-hosts in the host's settings.")
    value = _read(inp.user_settings, "in_meeting.co_host", bool)
    if value is _ABSENT:
        return _not_reported("whether co-hosts are allowed", source="user", inp=inp, fix=fix, why=why)
    if isinstance(value, _Odd):
        return _odd("co-hosts", value.value, fix=fix, why=why)
    if value:
        return _Outcome(RuleStatus.PASS, "Co-hosts are allowed.", why)
    return _Outcome(_short_of(severity), "Co-hosts are not allowed: the host assistant cannot be made co-host.", why, fix)


def check_web_join_without_sign_in(inp: PreflightInput, severity: Severity) -> _Outcome:
    why = (
        "Families join from a browser without a Zoom account; if the web client demands a Zoom sign-in, a family "
        f"with only a browser is turned away. {_SETTINGS_LATER}"
    )
    fix = Fix(
        user_patch={"meeting_security": {"only_authenticated_can_join_from_webclient": False}},
        description="Let families join from the browser without signing in to Zoom.",
    )
    value = _security(inp, "only_authenticated_can_join_from_webclient", bool)
    if value is _ABSENT:
        return _not_reported("whether joining from a browser needs a Zoom sign-in", source="security", inp=inp, fix=fix, why=why)
    if isinstance(value, _Odd):
        return _odd("sign-in for the web client", value.value, fix=fix, why=why)
    if value:
        return _Outcome(_short_of(severity), "Joining from a browser needs a Zoom sign-in.", why, fix)
    return _Outcome(RuleStatus.PASS, "Families can join from a browser without a Zoom sign-in.", why)


_PLACE_IN_WAITING_ROOM = {
    0: "everyone waits",
    1: "everyone outside the school's Zoom account waits",
    2: "everyone outside the school's Zoom account and its allowed domains waits",
}


def check_waiting_room_who(inp: PreflightInput, severity: Severity) -> _Outcome:
    why = (
        "Everyone who is not staff waits to be admitted against the register. A meeting that follows the host's "
        "setting is only as safe as that setting, so zoomhost reads it. "
        f"{_SETTINGS_LATER}"
    )
    fix = Fix(
        user_patch={"meeting_security": {"waiting_room_settings": {"participants_to_place_in_waiting_room": 1}}},
        description="Send everyone outside the school's Zoom account to the waiting room.",
    )
    mode = _read(inp.meeting, "settings.waiting_room_options.mode", str)
    if mode == "custom":
        who = _read(inp.meeting, "settings.waiting_room_options.who_goes_to_waiting_room", str)
        if who in ("everyone", "users_not_in_account"):
            return _Outcome(RuleStatus.PASS, "The meeting sets its own rule: everyone who is not staff waits.", why)
        observed = "The meeting sets its own rule for who waits; the first rule, the waiting room, says what to change."
        return _Outcome(RuleStatus.WARN if who is not _ABSENT else RuleStatus.UNKNOWN, observed, why)
    place = _security(inp, "waiting_room_settings.participants_to_place_in_waiting_room", int)
    # Unread, no fix: the host may already hold everyone (0), which the fix (1) would loosen.
    if place is _ABSENT:
        return _not_reported("who the host's waiting room holds", source="security", inp=inp, fix=None, why=why)
    if isinstance(place, _Odd) or place not in _PLACE_IN_WAITING_ROOM:
        return _odd("who waits", getattr(place, "value", place), fix=None, why=why)
    observed = f"The meeting follows the host's setting: {_PLACE_IN_WAITING_ROOM[place]}."
    if place in (0, 1):
        return _Outcome(RuleStatus.PASS, observed, why)
    allowed = _security(inp, "waiting_room_settings.whitelisted_domains_for_waiting_room", str)
    school = _domains(inp.school_email_domain)
    outside = sorted(d for d in _domains(allowed if isinstance(allowed, str) else "") if d not in school)
    if isinstance(allowed, str) and school and not outside:
        return _Outcome(RuleStatus.PASS, f"{observed} Only the school's own domains skip it.", why)
    if outside:
        return _Outcome(
            _short_of(severity),
            f"{observed} People on {', '.join('@' + d for d in outside)} skip the waiting room.",
            why,
            fix,
        )
    return _Outcome(RuleStatus.UNKNOWN, f"{observed} Zoom did not say which domains skip it.", why)


def check_waiting_room_admitters(inp: PreflightInput, severity: Severity) -> _Outcome:
    why = (
        "Only the teacher (the host) and co-hosts admit from the waiting room; otherwise someone who skipped it could "
        f"let others in while no member of staff is there. {_SETTINGS_LATER}"
    )
    fix = Fix(
        user_patch={"meeting_security": {"waiting_room_settings": {"users_who_can_admit_participants_from_waiting_room": 0}}},
        description="Let only the host and co-hosts admit from the waiting room.",
    )
    value = _security(inp, "waiting_room_settings.users_who_can_admit_participants_from_waiting_room", int)
    if value is _ABSENT:
        return _not_reported("who may admit from the waiting room", source="security", inp=inp, fix=fix, why=why)
    if isinstance(value, _Odd) or value not in (0, 1):
        return _odd("who may admit", getattr(value, "value", value), fix=fix, why=why)
    if value == 0:
        return _Outcome(RuleStatus.PASS, "Only the host and co-hosts can admit from the waiting room.", why)
    return _Outcome(
        _short_of(severity),
        "Anyone who skipped the waiting room can admit others when the host and co-hosts are away.",
        why,
        fix,
    )


# --- the admin's locks --------------------------------------------------------------------------------

#: The protocol's settings a host could otherwise switch off, where Zoom's lock settings name them.
LOCKED_SETTINGS: tuple[tuple[str, str], ...] = (
    ("meeting_security.waiting_room", "the waiting room"),
    ("schedule_meeting.join_before_host", "joining before the host"),
    ("schedule_meeting.embed_password_in_join_link", "the passcode kept out of the link"),
    ("in_meeting.chat", "meeting chat"),
    ("in_meeting.private_chat", "private chat"),
    ("in_meeting.file_transfer", "file transfer"),
    ("in_meeting.screen_sharing", "screen sharing"),
    ("in_meeting.annotation", "annotation"),
    ("in_meeting.whiteboard", "the whiteboard"),
    ("in_meeting.allow_live_streaming", "live streaming"),
    ("in_meeting.co_host", "co-hosts"),
    ("in_meeting.custom_data_center_regions", "the data-centre regions"),
    ("recording.local_recording", "local recording"),
    ("recording.cloud_recording", "cloud recording"),
    ("recording.auto_recording", "automatic recording"),
    ("meeting_security.encryption_type", "the encryption"),
    ("meeting_security.only_authenticated_can_join_from_webclient", "sign-in for the web client"),
)
_LOCK_STEP = (
    "An account admin: Zoom web portal ▸ Account Management ▸ Account Settings ▸ Meeting, set each of these the "
    "protocol's way and click its padlock ▸ Lock: {settings}. (For one group of teachers: User Management ▸ Groups ▸ "
    "the group ▸ Meeting, the same padlocks.)"
)


def check_settings_locked(inp: PreflightInput, severity: Severity) -> _Outcome:
    why = (
        "A setting the admin has locked at the account (or the host's group) cannot be switched off by a host, so the "
        "protocol holds in every meeting, not only in the ones checked here."
    )
    if inp.account_locks is None and inp.group_locks is None:
        return _Outcome(
            RuleStatus.UNKNOWN,
            "Zoom did not report which settings are locked (zoomhost could not read the account's lock settings: "
            "that needs an admin's sign-in).",
            why,
            Fix(manual_step=_LOCK_STEP.format(settings="the settings the checklist lists"), description="Ask an admin to lock the protocol's settings."),
        )
    unlocked: list[str] = []
    unreported: list[str] = []
    for path, label in LOCKED_SETTINGS:
        values = [_read(locks, f"{path}", bool) for locks in (inp.account_locks, inp.group_locks) if locks is not None]
        if any(v is True for v in values):
            continue
        (unlocked if any(v is False for v in values) else unreported).append(label)
    if not unlocked and not unreported:
        return _Outcome(RuleStatus.PASS, "An admin has locked every setting the protocol depends on.", why)
    missing = unlocked + unreported
    fix = Fix(manual_step=_LOCK_STEP.format(settings=", ".join(missing)), description="Ask an admin to lock the protocol's settings.")
    if unlocked:
        return _Outcome(_short_of(severity), _sentence([f"not locked, so a host could switch them off: {', '.join(unlocked)}"]), why, fix)
    return _Outcome(RuleStatus.UNKNOWN, f"Zoom did not report whether these are locked: {', '.join(unreported)}.", why, fix)


# --- recording, streaming, annotation, breakout rooms --------------------------------------------------


def check_recording(inp: PreflightInput, severity: Severity) -> _Outcome:
    why = (
        "Data collected is limited to what the session needs: no participant keeps a recording of the class, and the "
        f"host records to the cloud only for a reason the school has agreed. {_SETTINGS_LATER}"
    )
    local = _read(inp.user_settings, "recording.local_recording", bool)
    cloud = _read(inp.user_settings, "recording.cloud_recording", bool)
    if local is True:
        patch: dict[str, Any] = {"recording": {"local_recording": False}}
        if cloud is True:
            patch["recording"]["cloud_recording"] = False
        fix = Fix(user_patch=patch, description="Turn recording off in the host's settings.")
        return _Outcome(_short_of(severity), "Recording to a computer (local recording) is allowed.", why, fix)
    cloud_fix = Fix(user_patch={"recording": {"cloud_recording": False}}, description="Turn cloud recording off in the host's settings.")
    local_fix = Fix(user_patch={"recording": {"local_recording": False}}, description="Turn local recording off in the host's settings.")
    if local is _ABSENT:
        return _not_reported("whether meetings can be recorded", source="user", inp=inp, fix=local_fix, why=why)
    if isinstance(local, _Odd):
        return _odd("local recording", local.value, fix=local_fix, why=why)
    if cloud is True:
        return _Outcome(
            RuleStatus.WARN,
            "Local recording is off, but the host can record to the cloud by hand.",
            why,
            cloud_fix,
        )
    if cloud is _ABSENT or isinstance(cloud, _Odd):
        return _Outcome(RuleStatus.UNKNOWN, "Local recording is off; Zoom did not report whether cloud recording is.", why, cloud_fix)
    return _Outcome(RuleStatus.PASS, "Nobody can record: local and cloud recording are off.", why)


_STREAMING = (
    ("in_meeting.live_streaming_facebook", "Facebook"),
    ("in_meeting.workplace_by_facebook", "Workplace from Facebook"),
    ("in_meeting.live_streaming_youtube", "YouTube"),
    ("in_meeting.custom_live_streaming_service", "a custom streaming service"),
)


def check_live_streaming(inp: PreflightInput, severity: Severity) -> _Outcome:
    why = (
        "The privacy impact assessment worries about data shared with Facebook; streaming the class to Facebook, "
        f"YouTube or any other service would put children in front of people nobody admitted. {_SETTINGS_LATER}"
    )
    fix = Fix(user_patch={"in_meeting": {"allow_live_streaming": False}}, description="Turn live streaming off in the host's settings.")
    allowed = _read(inp.user_settings, "in_meeting.allow_live_streaming", bool)
    if allowed is False:
        return _Outcome(RuleStatus.PASS, "Live streaming is off.", why)
    if isinstance(allowed, _Odd):
        return _odd("live streaming", allowed.value, fix=fix, why=why)
    services = {label: _read(inp.user_settings, path, bool) for path, label in _STREAMING}
    on = [label for label, value in services.items() if value is True]
    if on:
        return _Outcome(_short_of(severity), f"The meeting can be streamed live to {', '.join(on)}.", why, fix)
    if allowed is True and all(value is False for value in services.values()):
        return _Outcome(RuleStatus.PASS, "Live streaming is on, but every streaming service is off.", why)
    if allowed is True:
        return _Outcome(_short_of(severity), "Live streaming is on.", why, fix)
    return _not_reported("whether the meeting can be streamed live", source="user", inp=inp, fix=fix, why=why)


def check_annotation(inp: PreflightInput, severity: Severity) -> _Outcome:
    why = (
        "Drawing on a shared screen or the whiteboard is a way to put inappropriate content in front of the class; "
        f"participants share nothing. {_SETTINGS_LATER}"
    )
    found = {
        "annotation on a shared screen": _read(inp.user_settings, "in_meeting.annotation", bool),
        "the whiteboard": _read(inp.user_settings, "in_meeting.whiteboard", bool),
    }
    keys = {"annotation on a shared screen": "annotation", "the whiteboard": "whiteboard"}
    on = [label for label, value in found.items() if value is True]
    unknown = [label for label, value in found.items() if value is _ABSENT or isinstance(value, _Odd)]
    patch = {"in_meeting": {keys[label]: False for label in on + unknown}}
    fix = Fix(user_patch=patch, description="Turn annotation and the whiteboard off in the host's settings.") if on or unknown else None
    if on:
        return _Outcome(_short_of(severity), f"Participants can use {' and '.join(on)}.", why, fix)
    if unknown:
        return _not_reported(" and ".join(f"whether {label} is on" for label in unknown), source="user", inp=inp, fix=fix, why=why)
    return _Outcome(RuleStatus.PASS, "Annotation and the whiteboard are off.", why)


#: Words in a meeting's topic that make it a whole-school assembly (where breakout rooms are off).
ASSEMBLY_WORDS = ("assembly",)


def is_assembly(meeting: Mapping[str, Any]) -> bool:
    """Whether the meeting is a whole-school assembly, by its topic."""
    topic = meeting.get("topic")
    return isinstance(topic, str) and any(word in topic.lower() for word in ASSEMBLY_WORDS)


BREAKOUT_STAFF_DUTY = (
    "If the class uses breakout rooms, a member of staff goes into every room as co-host: the protocol's controls "
    "(muting, removing, ending) reach a room only through a host or co-host in it, and no room is left with pupils alone."
)


def check_breakout_rooms(inp: PreflightInput, severity: Severity) -> _Outcome:
    assembly = is_assembly(inp.meeting)
    why = (
        "The privacy impact assessment plans breakout sessions for classes; a whole-school assembly has none, since "
        f"every room needs a member of staff. {_SETTINGS_LATER}"
    )
    allowed = _read(inp.user_settings, "in_meeting.breakout_room", bool)
    preassigned = _read(inp.meeting, "settings.breakout_room.enable", bool)
    if assembly:
        patch_meeting = {"settings": {"breakout_room": {"enable": False}}} if preassigned is True else None
        fix = Fix(
            user_patch={"in_meeting": {"breakout_room": False}},
            meeting_patch=patch_meeting,
            description="Turn breakout rooms off for the assembly.",
        )
        if allowed is True or preassigned is True:
            return _Outcome(_short_of(severity), "Breakout rooms are on for a whole-school assembly.", why, fix)
        if allowed is False:
            return _Outcome(RuleStatus.PASS, "Breakout rooms are off for the assembly.", why)
        if isinstance(allowed, _Odd):
            return _odd("breakout rooms", allowed.value, fix=fix, why=why)
        return _not_reported("whether breakout rooms are on", source="user", inp=inp, fix=fix, why=why)
    if allowed is True or preassigned is True:
        return _Outcome(RuleStatus.WARN, f"Breakout rooms are on for this class. {BREAKOUT_STAFF_DUTY}", why)
    if allowed is False:
        return _Outcome(RuleStatus.PASS, "Breakout rooms are off.", why)
    if isinstance(allowed, _Odd):
        return _odd("breakout rooms", allowed.value, fix=None, why=why)
    return _not_reported("whether breakout rooms are on", source="user", inp=inp, fix=None, why=why)


_STAFF_SIGN_IN_STEP = (
    "Zoom web portal (an account admin) ▸ Settings ▸ Meeting ▸ Security ▸ “Only authenticated users can join "
    "meetings” ▸ add a “Sign in to Zoom with specified domains” option listing only the school's own domains; then "
    "check this meeting again, and zoomhost will choose that option for it"
)
#: The authentication type that limits joining to domains (ZoomUsersAPI, Get user settings, ``authentication_options``:
#: "``enforce_login_with_domains`` - Only users from specific domains can join meetings").
_DOMAINS_SIGN_IN = "enforce_login_with_domains"
_SIGN_IN_KINDS = {
    "enforce_login": "lets in anyone signed in to any Zoom account",
    "enforce_login_with_same_account": "lets in the users of the host's Zoom account, whatever their address",
}


def _authentication_options(inp: PreflightInput) -> list[Mapping[str, Any]] | None:
    """The host's meeting authentication options (GET /users/{userId}/settings?option=meeting_authentication), each
    with a text ``id``; None when unread or not reported. The documents give the answer two shapes: the options
    at the top, or under ``authentication_options.meeting_authentication``."""
    answer = inp.authentication_settings
    listed = _read(answer, "authentication_options", (list, Mapping))
    if isinstance(listed, Mapping):
        listed = _read(listed, "meeting_authentication.authentication_options", list)
    if not isinstance(listed, list):
        return None
    return [o for o in listed if isinstance(o, Mapping) and isinstance(o.get("id"), str) and o["id"]]


def _option_name(option: Mapping[str, Any]) -> str:
    """An option's name as Zoom gave it, for a sentence: plain text, every hidden character written out, short."""
    name = option.get("name")
    shown = visible_name(name) if isinstance(name, str) and name.strip() else "(no name)"
    return shown if len(shown) <= 60 else f"{shown[:59]}…"


def _option_domains(option: Mapping[str, Any]) -> set[str]:
    domains = option.get("domains")
    return _domains(domains) if isinstance(domains, str) else set()


def _at(domains: Iterable[str]) -> str:
    return ", ".join("@" + visible_name(d) for d in sorted(domains))


def _staff_sign_in_fix(options: list[Mapping[str, Any]] | None, school: set[str]) -> tuple[Fix, str]:
    """The fix, and a sentence for the teacher when zoomhost cannot make it: the meeting requires one of the host's
    ``enforce_login_with_domains`` options whose domains are all the school's (ZoomMeetingsAPI: "To get this value,
    use the ``authentication_options`` array's ``id`` value in the Get user settings API response"). Without one,
    only an admin can add it in Zoom's web settings."""
    suitable = [
        o for o in options or []
        if o.get("type") == _DOMAINS_SIGN_IN and o.get("visible") is not False and school and _option_domains(o) and _option_domains(o) <= school
    ]  # fmt: skip
    if suitable:
        choice = min(suitable, key=lambda o: o.get("default_option") is not True)  # the host's default, if it is one
        return (
            Fix(
                meeting_patch={
                    "settings": {
                        "meeting_authentication": True,
                        "authentication_option": choice["id"],
                        "authentication_domains": ", ".join(sorted(_option_domains(choice))),
                    }
                },
                description=f"Require a Zoom sign-in with the school's own addresses to join (Zoom's “{_option_name(choice)}” option).",
                outcome="Only staff signed in to Zoom with the school's addresses can join",
            ),
            "",
        )
    fix = Fix(
        manual_step=_STAFF_SIGN_IN_STEP,
        description="Add a Zoom sign-in option for the school's own domains in Zoom's web settings (zoomhost cannot).",
        outcome="Only staff signed in to Zoom with the school's addresses can join",
    )
    if options is None:
        return fix, " zoomhost could not read the host's sign-in options in Zoom, so it cannot choose one for this meeting."
    if not school:
        return fix, (
            " zoomhost does not know the school's own domains (Settings ▸ school email domain), so it cannot choose a "
            "sign-in option limited to them."
        )
    return fix, (
        " The host's Zoom account has no “Sign in to Zoom with specified domains” option limited to the school's own "
        "domains, so zoomhost cannot require one. An admin must add it in Zoom's web settings: Settings ▸ Meeting ▸ "
        f"Security ▸ “Only authenticated users can join meetings” ▸ add a “Sign in to Zoom with specified domains” "
        f"option listing only {_at(school)}."
    )


def check_staff_sign_in(inp: PreflightInput, severity: Severity) -> _Outcome:
    """The staff-meeting profile: only people signed in to Zoom on the school's own domains can join.

    Zoom decides who may join by the meeting's ``authentication_option`` (else the host's default option); only an
    option of type ``enforce_login_with_domains`` limits joining to domains, so the meeting's own
    ``authentication_domains`` alone prove nothing. The host's options are read with the rest."""
    school = _domains(inp.school_email_domain)
    why = (
        "A meeting of staff only is not for families' browsers: if its link and passcode leak, only someone signed in "
        "to Zoom with the school's own address can still join."
    )
    options = _authentication_options(inp)
    fix, cannot = _staff_sign_in_fix(options, school)
    required = _read(inp.meeting, "settings.meeting_authentication", bool)
    if required is _ABSENT:
        return _not_reported("whether joining needs a Zoom sign-in", source="meeting", inp=inp, fix=fix, why=why)
    if isinstance(required, _Odd):
        return _odd("sign-in to join", required.value, fix=fix, why=why)
    if not required:
        return _Outcome(_short_of(severity), f"Anyone with the link and passcode can join: no Zoom sign-in is needed.{cannot}", why, fix)
    if options is None:
        return _Outcome(
            RuleStatus.UNKNOWN,
            "Joining needs a Zoom sign-in, but zoomhost could not read the host's sign-in options in Zoom, so it does "
            "not know whether only the school's addresses can join.",
            why,
            fix,
        )
    chosen = _read(inp.meeting, "settings.authentication_option", str)
    if isinstance(chosen, str) and chosen:
        option = next((o for o in options if o["id"] == chosen), None)
        if option is None:
            return _Outcome(
                _short_of(severity),
                f"Joining needs a Zoom sign-in, but the meeting's sign-in option is not one of the host's, so it does not "
                f"limit joining to the school's addresses.{cannot}",
                why,
                fix,
            )
    else:
        option = next((o for o in options if o.get("default_option") is True), None)
        if option is None:
            return _Outcome(
                RuleStatus.UNKNOWN,
                f"Joining needs a Zoom sign-in, but Zoom did not say which sign-in option the meeting uses.{cannot}",
                why,
                fix,
            )
    name = _option_name(option)
    if option.get("type") != _DOMAINS_SIGN_IN:
        kind = _SIGN_IN_KINDS.get(str(option.get("type")), "does not limit joining to the school's addresses")
        return _Outcome(
            _short_of(severity),
            f"Joining needs a Zoom sign-in, but the meeting's option, “{name}”, {kind}: not only the school's staff.{cannot}",
            why,
            fix,
        )
    domains = _option_domains(option)
    listed = _read(inp.meeting, "settings.authentication_domains", str)
    domains |= _domains(listed) if isinstance(listed, str) else set()
    if not domains:
        return _Outcome(_short_of(severity), f"The meeting's sign-in option, “{name}”, names no domains.{cannot}", why, fix)
    if not school:
        return _Outcome(
            RuleStatus.UNKNOWN,
            f"Joining needs a Zoom sign-in on {_at(domains)}; zoomhost does not know the school's own domains "
            "(Settings ▸ school email domain).",
            why,
        )
    outside = domains - school
    if outside:
        return _Outcome(_short_of(severity), f"People signed in on {_at(outside)} can join as well as staff.{cannot}", why, fix)
    return _Outcome(RuleStatus.PASS, f"Only people signed in to Zoom with the school's addresses can join (Zoom's “{name}” option).", why)


# --- the list ----------------------------------------------------------------------------------

_CHINA = "Information routed through servers based in China – possible review of information."
_E2E = "Encryption is not end to end - No personal information should be shared during sessions as the service is not properly encrypted."
_ADMITTED_BY_TEACHER = "The invited person will gain entrance to a waiting room and can only be admitted by the meeting organiser or teacher."
_BROWSER = "Children / parents will only need a browser and do not need to download any applications."
_WAITING_ROOM = "All meetings scheduled by Dhoon/Laxey staff will use the waiting room feature that prevents users from entering the meeting without first being admitted by the host."
_SECURITY = "appropriate passwords, procedures and security will be required, but may not completely protect against this risk"
_MINIMISED = "Data collected on a subject should be “adequate, relevant and limited to what is necessary in relation to the purposes for which they are processed”."
_FACEBOOK = "Sharing of data with Facebook – updated software should be used."
_NO_SHARING = "No screen sharing allowed."
_BREAKOUT = "Implement Zoom based learning using break out sessions and meetings for online sessions including remote assemblies."


# --- the rules ---------------------------------------------------------------------------------

_R = Severity.REQUIRED
_A = Severity.ADVISED
_CHAT_LINE = "Chat feature closed by host – this needs to be set on the app not desktop."

RULES: tuple[PreflightRule, ...] = (
    _rule(
        id="waiting_room",
        title="Everyone waits to be admitted",
        protocol_line="All meetings scheduled by Dhoon/Laxey staff will use the waiting room feature that prevents users from entering the meeting without first being admitted by the host.",
        severity=_R,
        check=_check_waiting_room,
    ),
    _rule(
        id="passcode",
        title="The meeting has a strong passcode",
        protocol_line="Each meeting hosted by a member of staff will be password protected.",
        severity=_R,
        check=_check_passcode,
    ),
    _rule(
        id="mute_on_entry",
        title="Everyone is muted on arrival",
        protocol_line="All microphones will be muted on entry to the meeting.",
        severity=_R,
        check=_switch(
            source="meeting",
            path="settings.mute_upon_entry",
            want=True,
            label="muting on entry",
            why="Pupils speak only when the host lets them.",
            fix_description="Mute participants when they join.",
        ),
    ),
    _rule(
        id="join_before_host",
        title="Nobody joins before the host",
        protocol_line="The invited person will gain entrance to a waiting room and can only be admitted by the meeting organiser or teacher.",
        severity=_R,
        check=_switch(
            source="meeting",
            path="settings.join_before_host",
            want=False,
            label="joining before the host",
            why="Without the host there, nobody is checking who comes in.",
            fix_description="Stop participants joining before the host.",
        ),
    ),
    _rule(
        id="unique_meeting_id",
        title="A meeting ID of its own, not the personal one",
        protocol_line="Unique meeting ID used.",
        severity=_R,
        check=_check_unique_meeting_id,
    ),
    _rule(
        id="auto_recording",
        title="No automatic recording",
        protocol_line="Data collected on a subject should be “adequate, relevant and limited to what is necessary in relation to the purposes for which they are processed”.",
        severity=_R,
        check=_check_auto_recording,
    ),
    _rule(
        id="duration",
        title="Scheduled for no more than 30 minutes",
        protocol_line="Each meeting will be scheduled for a specific time and will usually last no more than 30 minutes.",
        severity=_R,
        check=_check_duration,
    ),
    _rule(
        id="screen_sharing_host_only",
        title="Only the host shares a screen",
        protocol_line="No screen sharing allowed.",
        severity=_R,
        check=_check_screen_sharing,
    ),
    _rule(id="chat_off", title="Chat is closed", protocol_line=_CHAT_LINE, severity=_R, check=_check_chat),
    _rule(
        id="private_chat_off",
        title="No private chat between participants",
        protocol_line=_CHAT_LINE,
        severity=_R,
        check=_switch(
            source="user",
            path="in_meeting.private_chat",
            want=False,
            label="private chat between participants",
            why="Pupils must not message each other, or anyone else in the meeting, out of the host's sight.",
            fix_description="Turn private chat off in the host's settings.",
            in_meeting_step="Chat ▸ ⋯ ▸ Participants can chat with ▸ Host and co-hosts",
        ),
    ),
    _rule(
        id="file_transfer_off",
        title="No files sent in the meeting",
        protocol_line=_CHAT_LINE,
        severity=_R,
        check=_switch(
            source="user",
            path="in_meeting.file_transfer",
            want=False,
            label="sending files in the meeting",
            why="Files travel through meeting chat; closing it to files stops inappropriate content being passed round.",
            fix_description="Turn in-meeting file transfer off in the host's settings.",
            in_meeting_step="Chat ▸ ⋯ ▸ Participants can chat with ▸ No one",
        ),
    ),
    _rule(
        id="rename_off",
        title="Participants cannot rename themselves",
        protocol_line="First name of the child participating is correct before joining a session.",
        severity=_R,
        check=_check_rename,
    ),
    _rule(
        id="removed_cannot_rejoin",
        title="Someone removed cannot rejoin",
        protocol_line="The meeting will be terminated as quickly as possible by the meeting host should it become apparent that it has been \"zoombombed\" or accessed by someone who should not have been present.",
        severity=_R,
        check=_check_removed_rejoin,
    ),
    _rule(
        id="browser_join",
        title="Children only need a browser",
        protocol_line="Children / parents will only need a browser and do not need to download any applications.",
        severity=_R,
        check=_check_browser_join,
    ),
    _rule(
        id="capacity",
        title="Everyone invited fits in the meeting",
        protocol_line="aims to bring together as many of our pupils as possible.",
        severity=_R,
        check=_check_capacity,
    ),
    _rule(
        id="host_account",
        title="Hosted from the school's own account",
        protocol_line="Laxey / Dhoon Zoom account will be used linked to school's professional email address.",
        severity=_R,
        check=_check_host_account,
    ),
    _rule(
        id="assistant_alternative_host",
        title="The host assistant comes in as co-host",
        protocol_line="The invited person will gain entrance to a waiting room and can only be admitted by the meeting organiser or teacher.",
        severity=_R,
        check=_check_assistant_alternative_host,
    ),
    _rule(
        id="registration",
        title="Each family has its own link",
        protocol_line="Link to chat only shared in secure email to parents who have given permission",
        severity=_A,
        check=_check_registration,
    ),
    _rule(
        id="one_device_per_link",
        title="Each family's link joins from one device",
        protocol_line="Links and passwords should not be shared widely.",
        severity=_R,
        check=_check_one_device_per_link,
    ),
    _rule(
        id="meeting_authentication",
        title="No Zoom sign-in needed to join",
        protocol_line="Children / parents will only need a browser",
        severity=_A,
        check=_switch(
            source="meeting",
            path="settings.meeting_authentication",
            want=False,
            label="requiring participants to sign in to Zoom",
            why="Pupils have no Zoom accounts; a meeting that needs sign-in turns away families joining from a browser.",
            fix_description="Let participants join without signing in to Zoom.",
            fix_when_unknown=False,
        ),
    ),
    _rule(
        id="video_off_on_entry",
        title="Video starts off",
        protocol_line="Join with video off",
        severity=_A,
        check=_switch(
            source="meeting",
            path="settings.participant_video",
            want=False,
            label="starting participants' video on arrival",
            why="A child's home is not shown to the class until the child is ready and chooses to start video.",
            fix_description="Start participants with video off.",
            fix_when_unknown=False,
        ),
    ),
    _rule(
        id="passcode_not_in_link",
        title="The passcode is sent apart from the link",
        protocol_line="All invites to the meeting contain a website address (URL) and a password.",
        severity=_A,
        check=_switch(
            source="user",
            path="schedule_meeting.embed_password_in_join_link",
            want=False,
            label="putting the passcode inside the join link",
            why="If the passcode is inside the link, a forwarded link alone is enough to reach the waiting room.",
            fix_description="Keep the passcode out of new join links.",
            fix_when_unknown=False,
        ),
    ),
)


# The rules of the section on what the protocol and the privacy impact assessment fear, after the rest.
RULES += (
    _rule(id="data_centers", title="Not routed through China", protocol_line=_CHINA, severity=_R, check=check_data_centers),
    _rule(id="encryption", title="Encrypted, and families still join from a browser", protocol_line=_E2E, severity=_R, check=check_encryption),
    _rule(id="cohost_enabled", title="Co-hosts are allowed", protocol_line=_ADMITTED_BY_TEACHER, severity=_R, check=check_cohost_enabled),
    _rule(id="web_join_without_sign_in", title="No Zoom sign-in to join from a browser", protocol_line=_BROWSER, severity=_R, check=check_web_join_without_sign_in),
    _rule(id="waiting_room_who", title="Everyone who is not staff waits", protocol_line=_WAITING_ROOM, severity=_R, check=check_waiting_room_who),
    _rule(id="waiting_room_admitters", title="Only the host and co-hosts admit", protocol_line=_ADMITTED_BY_TEACHER, severity=_R, check=check_waiting_room_admitters),
    _rule(id="settings_locked", title="An admin has locked the safe settings", protocol_line=_SECURITY, severity=_A, check=check_settings_locked),
    _rule(id="recording", title="Nobody records the class", protocol_line=_MINIMISED, severity=_R, check=check_recording),
    _rule(id="live_streaming", title="No live streaming", protocol_line=_FACEBOOK, severity=_R, check=check_live_streaming),
    _rule(id="annotation", title="No drawing on shared screens or the whiteboard", protocol_line=_NO_SHARING, severity=_R, check=check_annotation),
    _rule(id="breakout_rooms", title="Breakout rooms only where staff are in them", protocol_line=_BREAKOUT, severity=_R, check=check_breakout_rooms),
)  # fmt: skip


# The staff-meeting profile: the risk assessment's rows for staff only. Its own sign-in rule, and the
# pupils' rules that guard the meeting itself (waiting room, passcode, muting, ending, recording,
# routing, locks); not the rules for families' browsers, the register's numbers or the class's tools.
STAFF_SIGN_IN = _rule(
    id="staff_sign_in",
    title="Only the school's signed-in staff can join",
    protocol_line="Unique meeting ID used Password issued to staff only & sent in advance.",
    severity=Severity.REQUIRED,
    check=check_staff_sign_in,
)
STAFF_RULE_IDS: tuple[str, ...] = (
    "staff_sign_in", "waiting_room", "passcode", "mute_on_entry", "join_before_host", "unique_meeting_id",
    "auto_recording", "removed_cannot_rejoin", "host_account", "passcode_not_in_link", "data_centers",
    "waiting_room_admitters", "settings_locked", "recording", "live_streaming",
)  # fmt: skip
STAFF_RULES: tuple[PreflightRule, ...] = (STAFF_SIGN_IN, *(r for r in RULES if r.id in STAFF_RULE_IDS))


def rules_for(profile: Profile) -> tuple[PreflightRule, ...]:
    """The rules a meeting of this profile is held to (``core.profiles``)."""
    return STAFF_RULES if profile is Profile.STAFF else RULES


def rule(rule_id: str) -> PreflightRule:
    """The rule with this id (``KeyError`` names the ids that exist)."""
    for candidate in (*RULES, STAFF_SIGN_IN):
        if candidate.id == rule_id:
            return candidate
    raise KeyError(f"no pre-flight rule {rule_id!r}; the rules are {', '.join(r.id for r in RULES)}")


def evaluate_all(inp: PreflightInput, *, rules: Sequence[PreflightRule] = RULES) -> list[RuleResult]:
    """Every rule's verdict on this meeting, in the order the checklist shows them."""
    return [candidate.evaluate(inp) for candidate in rules]


def _wanted(result: RuleResult, include_advice: bool) -> bool:
    if result.fix is None or result.status is RuleStatus.PASS:
        return False
    if result.status is RuleStatus.FAIL:
        return True
    if result.status is RuleStatus.UNKNOWN and result.severity is Severity.REQUIRED:
        return True  # setting a value Zoom did not report to the safe one does no harm
    return include_advice


def plan_fixes(results: Iterable[RuleResult], *, include_advice: bool = False) -> FixPlan:
    """Merge the fixes of failed (and unreported required) checks into one meeting and one settings update.

    Warnings' fixes (a weak passcode, registration, …) join only with ``include_advice``, since
    they change how families join. ``ValueError`` if two fixes set one field differently.
    """
    meeting: dict[str, Any] = {}
    user: dict[str, Any] = {}
    steps: list[str] = []
    ids: list[str] = []
    for result in results:
        if not _wanted(result, include_advice):
            continue
        fix = result.fix
        assert fix is not None
        ids.append(result.rule_id)
        if fix.meeting_patch:
            _merge_into(meeting, fix.meeting_patch)
        if fix.user_patch:
            _merge_into(user, fix.user_patch)
        if fix.manual_step and fix.manual_step not in steps:
            steps.append(fix.manual_step)
    return FixPlan(meeting_patch=meeting, user_patch=user, manual_steps=tuple(steps), rule_ids=tuple(ids))


def plan_fix_all(results: Iterable[RuleResult]) -> FixPlan:
    """What **Fix all** (and ``zoomhost preflight --fix``) makes: every fix Zoom's API allows, for the
    warnings too, in the one meeting update and the one settings update. The teacher sees each change,
    and what it means for invitations already sent, before agreeing (:func:`describe_fix_all`)."""
    return plan_fixes(results, include_advice=True)


_ORDER = {RuleStatus.FAIL: 0, RuleStatus.WARN: 1, RuleStatus.UNKNOWN: 2, RuleStatus.PASS: 3}


def checklist_order(results: Iterable[RuleResult]) -> list[RuleResult]:
    """The checks as a teacher reads them: failures first, then warnings, then unknowns, then passes
    (the protocol's order within each)."""
    return sorted(results, key=lambda result: _ORDER[result.status])


def _fixed_by_api(result: RuleResult, plan: FixPlan) -> bool:
    fix = result.fix
    return fix is not None and result.rule_id in plan.rule_ids and bool(fix.meeting_patch or fix.user_patch)


@dataclass(frozen=True, kw_only=True)
class ChecklistCounts:
    """Where the checklist stands: what passes, what Fix all makes pass, what is left for a person."""

    passed: int  # passing, or done by hand (ticked)
    ticked: int  # of those passed, how many the teacher ticked as done by hand in Zoom
    to_fix: int  # not passing, and Fix all changes them
    by_hand: int  # not passing, only a person can change them in Zoom, and not ticked yet
    to_look_at: int  # not passing, with nothing zoomhost or a click can do (Zoom did not say, no register yet, …)

    def as_sentence(self) -> str:
        """``"14 passed (1 done by hand), 5 to fix, 1 by hand."``"""
        passed = f"{self.passed} passed" + (f" ({self.ticked} done by hand)" if self.ticked else "")
        parts = [passed, f"{self.to_fix} to fix", f"{self.by_hand} by hand"]
        if self.to_look_at:
            parts.append(f"{self.to_look_at} to look at")
        return ", ".join(parts) + "."


def count_checklist(results: Iterable[RuleResult], *, done: Iterable[str] = ()) -> ChecklistCounts:
    """The counts, with the steps in ``done`` (manual steps the teacher ticked) counted as passed."""
    listed = list(results)
    ticked_steps = set(done)
    plan = plan_fix_all(listed)
    passed = ticked = to_fix = by_hand = to_look_at = 0
    for result in listed:
        if result.status is RuleStatus.PASS:
            passed += 1
        elif _fixed_by_api(result, plan):
            to_fix += 1
        elif result.fix is not None and result.fix.manual_step:
            if result.fix.manual_step in ticked_steps:
                passed += 1
                ticked += 1
            else:
                by_hand += 1
        else:
            to_look_at += 1
    return ChecklistCounts(passed=passed, ticked=ticked, to_fix=to_fix, by_hand=by_hand, to_look_at=to_look_at)


@dataclass(frozen=True, kw_only=True)
class FixAllWords:
    """Fix all in a teacher's words: each change as what will be true, and what is left."""

    meeting: tuple[str, ...]  # what the one meeting update makes true
    settings: tuple[str, ...]  # what the one update of the host's settings makes true
    cautions: tuple[str, ...]  # what the teacher must know first (invitations already sent, …)
    by_hand: tuple[str, ...]  # what is left for a person to do in Zoom (the steps below the checks)
    left: tuple[str, ...]  # what is not passing and nobody can change from here


def describe_fix_all(results: Iterable[RuleResult], plan: FixPlan) -> FixAllWords:
    """What ``plan`` changes and leaves, check by check, in the words of each check's title."""
    meeting: list[str] = []
    settings: list[str] = []
    cautions: list[str] = []
    by_hand: list[str] = []
    left: list[str] = []
    for result in checklist_order(results):
        if result.status is RuleStatus.PASS:
            continue
        fix = result.fix
        if fix is not None and _fixed_by_api(result, plan):
            outcome = fix.outcome or result.title
            (meeting if fix.meeting_patch else settings).append(outcome)
            if fix.meeting_patch and fix.user_patch:
                settings.append(outcome)
            if fix.caution and fix.caution not in cautions:
                cautions.append(fix.caution)
            if fix.manual_step and not fix.manual_step.startswith("In the running meeting"):
                by_hand.append(result.title)  # the part no API can make
        elif fix is not None and fix.manual_step:
            by_hand.append(result.title)
        else:
            left.append(result.title)
    return FixAllWords(
        meeting=tuple(meeting),
        settings=tuple(settings),
        cautions=tuple(cautions),
        by_hand=tuple(by_hand),
        left=tuple(left),
    )
