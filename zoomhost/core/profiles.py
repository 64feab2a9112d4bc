"""Which protocol a meeting is held to: a class or assembly with pupils and families, or a meeting of staff only.

The risk assessment has rows of its own for video conferences between staff only (a private space,
the passcode to staff only, a leaked link): such a meeting is held to the staff-meeting profile
(joining needs a Zoom sign-in on the school's own domains, nobody is checked against the pupil
register, the same end and recording rules). A teacher may choose the profile for a meeting in
zoomhost; otherwise words in the meeting's topic that the school chooses decide (``Settings.staff_meeting_words``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum


class Profile(StrEnum):
    PUPILS = "pupils"  # a class or an assembly: families join from a browser, admitted against the register
    STAFF = "staff"  # staff only: signed in to Zoom on the school's domains


PROFILE_WORDS = {
    Profile.PUPILS: "a class or assembly with pupils and families",
    Profile.STAFF: "a meeting of staff only",
}

#: What the Live panel and ``zoomhost watch`` say of a session held to the staff profile.
STAFF_SESSION_WORDS = "Staff meeting: only staff signed in on the school's domains are admitted"


def checked_against(*, staff_only: bool) -> str:
    """The list a session's arrivals are judged against, as the teacher reads it: at a meeting of staff only the
    staff list, never the pupil register."""
    return "the staff list" if staff_only else "the register"


def staff_words(text: str | None) -> tuple[str, ...]:
    """The school's topic words (separated by commas or semicolons), lower case, without blanks."""
    return tuple(w.strip().lower() for w in re.split(r"[,;]", text or "") if w.strip())


def meeting_profile(topic: object, *, chosen: str | None = None, words: tuple[str, ...] = ()) -> Profile:
    """The profile a teacher chose for the meeting, else the staff profile when its topic holds one of
    the school's ``words`` (as whole words, any case), else the pupils' profile."""
    if chosen in (Profile.PUPILS.value, Profile.STAFF.value):
        return Profile(chosen)
    text = " ".join(str(topic or "").lower().split())
    for word in words:
        if re.search(rf"(?<!\w){re.escape(' '.join(word.split()))}(?!\w)", text):
            return Profile.STAFF
    return Profile.PUPILS


def chosen_profiles(raw: object) -> dict[str, str]:
    """The teacher's choices as stored (meeting id -> profile), anything else dropped."""
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): v for k, v in raw.items() if isinstance(v, str) and v in (Profile.PUPILS.value, Profile.STAFF.value)}
