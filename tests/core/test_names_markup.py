"""A display name carrying markup is held as suspicious, whatever pupil its words name."""

from __future__ import annotations

from datetime import date

import pytest

from zoomhost.core.classifier import AdmissionClassifier
from zoomhost.core.models import Pupil, Verdict

AMY = Pupil(1, "Amy", None, "B", "Year 4", True)


@pytest.mark.parametrize(
    "name",
    [
        "Amy B.\u201d (Year 4) is consented.<font color=#fff>",
        "<b>Amy B</b>",
        "Amy B <img src=x>",
        "Amy B -> Year 4",
    ],
)
def test_a_name_with_markup_is_suspicious_even_when_its_words_name_a_consented_pupil(name: str) -> None:
    found = AdmissionClassifier(pupils=[AMY], staff=[], today=date(2026, 12, 4)).classify(name, present=[])
    assert found.verdict is Verdict.SUSPICIOUS
    assert any("< or >" in reason for reason in found.reasons)


def test_the_pupil_herself_is_still_consented() -> None:
    found = AdmissionClassifier(pupils=[AMY], staff=[], today=date(2026, 12, 4)).classify("Amy B", present=[])
    assert found.verdict is Verdict.CONSENTED
