"""The classifier against the table of realistic display names (tests/core/classifier_cases.py)."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.core.classifier_cases import CASES, Case
from tests.core.classifier_register import PUPILS, STAFF, pupil, staff_member
from zoomhost.core.classifier import AdmissionClassifier
from zoomhost.core.models import Verdict


@pytest.fixture(scope="module")
def classifier() -> AdmissionClassifier:
    return AdmissionClassifier(pupils=PUPILS, staff=STAFF)


@pytest.mark.parametrize("case", CASES, ids=[repr(case.name)[:40] for case in CASES])
def test_display_name_gets_the_verdict_a_teacher_expects(classifier: AdmissionClassifier, case: Case) -> None:
    result = classifier.classify(case.name, present=case.present)
    assert result.verdict is case.verdict, result.reasons
    assert result.pupil == (pupil(case.pupil) if case.pupil is not None else None)
    assert result.staff == (staff_member(case.staff) if case.staff is not None else None)
    assert result.reasons, "every verdict says why"
    if case.reason is not None:
        assert any(case.reason.casefold() in reason.casefold() for reason in result.reasons), result.reasons


def test_the_table_is_large_and_covers_every_verdict() -> None:
    counts = Counter(case.verdict for case in CASES)
    assert len(CASES) >= 150
    assert set(counts) == set(Verdict)
    assert len({(case.name, case.present) for case in CASES}) == len(CASES), "no case is listed twice"


def test_the_register_is_two_schools_with_the_awkward_cases() -> None:
    amys = [p for p in PUPILS if p.first_name == "Amy" and p.consent]
    assert len(PUPILS) >= 30
    assert len(amys) == 2 and amys[0].class_name != amys[1].class_name
    assert any(not p.consent for p in PUPILS)
    assert any(p.preferred_name for p in PUPILS)
    assert any(not p.first_name.isascii() for p in PUPILS)
