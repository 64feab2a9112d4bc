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

#: Called with a new secret (a passcode) so that no log line or file shows it from then on.
RegisterSecret = Callable[[str], None]


class RuleStatus(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    UNKNOWN = "unknown"


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


def _not_reported(what: str, *, source: str, inp: PreflightInput, fix: Fix | None, why: str) -> _Outcome:
    if source == "user" and inp.user_settings is None:
        observed = f"zoomhost could not read the host's user settings, so {what} is not known."
    elif source == "account" and inp.account_settings is None:
        observed = f"zoomhost could not read the account settings, so {what} is not known."
    else:
        observed = f"Zoom did not report {what}."
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
    fix = Fix(meeting_patch={"duration": planned}, description=f"Schedule the meeting for {planned} minutes.")
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
        )
        return _Outcome(_short_of(severity), _sentence(problems), why, fix)
    if unknowns:
        return _Outcome(RuleStatus.UNKNOWN, _sentence(unknowns), why)
    return _Outcome(RuleStatus.PASS, f"A meeting scheduled by a {shown} account{scheduler}.", why)


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


def rule(rule_id: str) -> PreflightRule:
    """The rule with this id (``KeyError`` names the ids that exist)."""
    for candidate in RULES:
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
