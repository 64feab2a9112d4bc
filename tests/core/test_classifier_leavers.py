"""A pupil who has left the school is held even while still on the register with consent."""

from __future__ import annotations

from datetime import date

from zoomhost.core.classifier import AdmissionClassifier
from zoomhost.core.models import Pupil, Verdict

AMY = Pupil(1, "Amy", None, "B", "Y6", True, date(2024, 9, 5), date(2026, 7, 17))
TOM = Pupil(2, "Tom", None, "K", "Y5", True, date(2024, 9, 5), None)


def test_a_leaver_is_no_longer_admitted_after_the_leaving_date() -> None:
    before = AdmissionClassifier(pupils=[AMY, TOM], staff=[], today=date(2026, 7, 17))
    after = AdmissionClassifier(pupils=[AMY, TOM], staff=[], today=date(2026, 7, 18))
    assert before.classify("Amy B").verdict is Verdict.CONSENTED
    held = after.classify("Amy B")
    assert held.verdict is Verdict.NO_CONSENT and held.pupil is not None and held.pupil.id == AMY.id
    assert "left the school on 17 July 2026" in held.reasons
    assert after.classify("Tom K").verdict is Verdict.CONSENTED


def test_two_pupils_one_a_leaver_are_not_admitted_by_a_bare_first_name() -> None:
    other_amy = Pupil(3, "Amy", None, "C", "Y2", True, date(2024, 9, 5), None)
    classifier = AdmissionClassifier(pupils=[AMY, other_amy], staff=[], today=date(2026, 9, 1))
    assert classifier.classify("Amy").verdict is Verdict.AMBIGUOUS
    assert classifier.classify("Amy C").verdict is Verdict.CONSENTED
