"""Where a name nobody has was looked for is the session's list, by its profile: the register at a class or
assembly (even before any register is imported), the staff list at a meeting of staff only."""

from __future__ import annotations

import pytest

from zoomhost.core.classifier import AdmissionClassifier
from zoomhost.core.models import Pupil, StaffMember, Verdict

STAFF = [StaffMember(id=1, name="Joanne Kelly", email="j.kelly@sch.im")]
AMY = Pupil(1, "Amy", None, "B", "Year 3", True)


@pytest.mark.parametrize(
    ("pupils", "staff_only", "said"),
    [
        ([AMY], False, 'no pupil called "Zara Quilliam" on the register'),
        ([], False, 'no pupil called "Zara Quilliam" on the register'),
        ([], True, 'nobody called "Zara Quilliam" on the staff list'),
    ],
)
def test_a_stranger_is_said_to_be_missing_from_the_list_the_session_checks(pupils, staff_only: bool, said: str) -> None:  # noqa: ANN001
    verdict = AdmissionClassifier(pupils=pupils, staff=STAFF, staff_only=staff_only).classify("Zara Quilliam", present=set())
    assert verdict.verdict is Verdict.NOT_ON_REGISTER
    assert verdict.reasons[0] == said
