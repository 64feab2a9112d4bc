"""The live session with the real admission classifier: what the live panel will actually show."""

from __future__ import annotations

from tests.core.live_helpers import MEETING, PUPILS, STAFF, T0, Clock, event, journals
from zoomhost.core.classifier import AdmissionClassifier
from zoomhost.core.events import EventKind as K
from zoomhost.core.models import Verdict
from zoomhost.core.session import AlarmKind, LiveSession


def test_real_verdicts_drive_admit_all_and_alarms() -> None:
    classifier = AdmissionClassifier(pupils=PUPILS, staff=STAFF)
    journal = journals().create(meeting_id=MEETING, topic="Assembly", planned_minutes=30, started_at=T0, rehearsal=True)
    session = LiveSession(
        journal=journal,
        classify=lambda name, present, identity: classifier.classify(name, present=present, identity=identity),
        expected_pupils=sum(p.consent for p in PUPILS),
        clock=Clock(),
    )
    arrivals = {
        "a": "Amy B",
        "b": "Zoë L",
        "c": "Oliver S",
        "d": "\u0410my B",  # Cyrillic А
        "e": "Amy",  # two consented Amys on the register
    }
    for n, (pid, name) in enumerate(arrivals.items()):
        session.apply(event(K.WAITING_JOINED, pid, name, seconds=n))
    verdicts = {pid: session.participant(pid).verdict for pid in arrivals}
    assert verdicts == {
        "a": Verdict.CONSENTED,
        "b": Verdict.CONSENTED,
        "c": Verdict.NO_CONSENT,
        "d": Verdict.SUSPICIOUS,
        "e": Verdict.AMBIGUOUS,
    }
    assert [row.participant_id for row in session.admissible_waiting()] == ["a", "b"]

    session.apply(event(K.ADMITTED, "a", seconds=10))
    second = session.apply(event(K.WAITING_JOINED, "f", "Amy B.", seconds=11))
    assert session.participant("f").verdict is Verdict.DUPLICATE
    assert [c.alarm.kind for c in second if c.alarm] == [AlarmKind.DUPLICATE]
    journal.close()
