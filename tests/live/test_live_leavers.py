"""The live session holds a pupil who has left the school, and does not expect them."""

from __future__ import annotations

from datetime import date

from zoomhost.core.models import Pupil, StaffMember, Verdict
from zoomhost.core.events import NO_IDENTITY
from zoomhost.live.opening import classifier_for


class _Register:
    def __init__(self, pupils: list[Pupil]) -> None:
        self._pupils = pupils

    def pupils(self) -> list[Pupil]:
        return self._pupils

    def staff(self) -> list[StaffMember]:
        return []

    def links(self, meeting_id: str) -> dict[str, int]:
        return {}


def test_a_leaver_with_consent_is_held_and_not_expected() -> None:
    register = _Register(
        [
            Pupil(1, "Amy", None, "B", "Y6", True, date(2024, 9, 5), date(2026, 7, 17)),
            Pupil(2, "Tom", None, "K", "Y5", True, date(2024, 9, 5), None),
        ]
    )
    classify, expected = classifier_for(register, today=date(2026, 9, 3))
    assert expected == 1
    assert classify("Amy B", (), NO_IDENTITY).verdict is Verdict.NO_CONSENT
    assert classify("Tom K", (), NO_IDENTITY).verdict is Verdict.CONSENTED
