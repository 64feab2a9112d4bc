"""A school with one pupil whose family asks for her data: a real register, real classifier, real journals.

Zephyrine Quillfeather (Year 4) is on the register (imported once by mistake with another school, then
again as it should be), attended two meetings, once typing her whole surname, and an impostor used her
name while she was in. Other pupils share the meetings (two Amys, who make an ambiguous arrival) and
one session never saw her. SQLite's own secure delete can be switched off for a test, as it is in
builds of SQLite that were not compiled with it (the Windows and macOS bundles' SQLite, likely).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from zoomhost.app.register import import_register
from zoomhost.app.services import session_journals
from zoomhost.core.events import EventKind, MeetingEvent
from zoomhost.core.register import read_register_file
from zoomhost.core.register_store import RegisterStore
from zoomhost.core.session import LiveSession
from zoomhost.live.opening import classifier_for
from zoomhost.system import paths

MEETING = "85746352901"
# Every way her name is written anywhere: the register's, the classifier's, and what was typed in Zoom.
HER_NAMES = ("Zephyrine", "Quillfeather", "Zephyrine Q", "ZEPHYRINE")
REGISTER = (
    "Forename,Surname,Class,Zoom consent\n"
    "Zephyrine,Quillfeather,Year 4,yes\n"
    "Amy,Brown,Year 3,yes\n"
    "Amy,Turner,Year 5,yes\n"
    "Oliver,Smith,Year 3,no\n"
    "Mohammed,Khan,Year 5,yes\n"
)
# The first import held a whole other school by mistake, before her: the correction leaves her first
# copy in pages SQLite then frees, which is where an erased name lingers without secure delete.
MISTAKE = "Forename,Surname,Class,Zoom consent\n" + "".join(
    f"Pupil{n:03d},Other,Year {1 + n % 6},yes\n" for n in range(300)
) + REGISTER.split("\n", 1)[1]


@pytest.fixture
def no_builtin_secure_delete(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every SQLite connection starts with secure delete off, as in builds without it compiled in."""
    connect = sqlite3.connect

    def without_secure_delete(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - sqlite3.connect's shape
        db = connect(*args, **kwargs)
        db.execute("PRAGMA secure_delete=OFF")
        return db

    monkeypatch.setattr(sqlite3, "connect", without_secure_delete)


def store() -> RegisterStore:
    return RegisterStore(db_path=paths.register_db())


def import_school(tmp_path: Path) -> RegisterStore:
    """The register imported by mistake with another school's pupils, then imported again as it should be."""
    register = store()
    for n, text in enumerate((MISTAKE, REGISTER)):
        source = tmp_path / f"register-{n}.csv"
        source.write_text(text, encoding="utf-8")
        import_register(register, read_register_file(source))
    return register


class Meeting:
    """One meeting played through the live session with the real classifier over the stored register."""

    def __init__(self, topic: str, *, days_ago: int = 1, register: RegisterStore | None = None) -> None:
        self.start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=days_ago)
        classify, expected = classifier_for(register or store())
        journal = session_journals().create(
            meeting_id=MEETING, topic=topic, planned_minutes=30, started_at=self.start, rehearsal=False
        )
        self.session = LiveSession(journal=journal, classify=classify, expected_pupils=expected, clock=lambda: self.start)
        self._n = 0
        self.apply(EventKind.STARTED)

    @property
    def session_id(self) -> str:
        return self.session.journal.session_id

    def apply(self, kind: EventKind, pid: str | None = None, name: str | None = None) -> None:
        self._n += 1
        at = self.start + timedelta(seconds=self._n)
        self.session.apply(MeetingEvent(kind, MEETING, at, f"{self.session_id}-{self._n}", pid, name))

    def comes_in(self, pid: str, name: str) -> None:
        self.apply(EventKind.WAITING_JOINED, pid, name)
        self.apply(EventKind.ADMITTED, pid)
        self.apply(EventKind.JOINED, pid, name)

    def end(self) -> str:
        self.apply(EventKind.ENDED)
        self.session.journal.close()
        return self.session_id


def her_meetings() -> tuple[str, str, str]:
    """Two meetings she attended (one with an impostor using her name, one with an ambiguous Amy), one without her."""
    first = Meeting("Friday assembly", days_ago=3)
    first.comes_in("p1", "Zephyrine Quillfeather")
    first.comes_in("p2", "Amy Brown")
    first.apply(EventKind.WAITING_JOINED, "x1", "Zephyrine Q")  # someone else, using her name
    first.apply(EventKind.WAITING_JOINED, "p3", "Oliver Smith")
    second = Meeting("Class 4 story", days_ago=2)
    second.comes_in("p1", "zephyrine q year 4")
    second.apply(EventKind.WAITING_JOINED, "p2", "Amy")  # two Amys could be meant
    other = Meeting("Year 3 reading", days_ago=1)
    other.comes_in("p1", "Amy B")
    return first.end(), second.end(), other.end()


def files_holding(needles: tuple[str, ...], *folders: Path) -> list[str]:
    """Every file under ``folders`` whose bytes hold one of ``needles`` (any case, UTF-8 or UTF-16)."""
    found = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if not path.is_file():
                continue
            data = path.read_bytes().lower()
            for needle in needles:
                text = needle.lower()
                if any(form in data for form in (text.encode(), text.encode("utf-16-le"))):
                    found.append(f"{path.relative_to(folder.parent)}: {needle}")
    return found


def all_files(home: Path) -> Iterator[Path]:
    return (path for path in sorted(home.rglob("*")) if path.is_file())
