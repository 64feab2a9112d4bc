"""Shared pieces for the protocol tests: a small consent register, a raw log capture, a secret scan."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from zoomhost.system import paths
from zoomhost.core.register import RegisterStore, read_register_file

# Two pupils without consent, one leaver, and names a spreadsheet would run as formulas.
REGISTER_CSV = """First name,Preferred name,Surname,Class,Zoom consent,Leaving date
Amy,,Bloggs,Year 3,Yes,
Alexander,Alex,Odegaard,Year 3,Yes,
Sam,Sammy,Smith,Year 4,No,
=HYPERLINK("http://evil.example/x"),,Jones,Year 4,Yes,
Ben,,Bloggs,Year 5,Yes,
Olivia,,Quayle,@Year 6,Yes,
Noah,,Kermode,Year 6,No,
Lily,,Corlett,Year 6,Yes,31/12/2019
"""
CONSENTED_NAMES = ("Amy", "Alex", '=HYPERLINK("http://evil.example/x")', "Ben", "Olivia")
NOT_INVITED_NAMES = ("Sammy", "Sam", "Noah", "Lily")

# The teacher's address file: Amy and Ben share one address; Sam has no consent; Lily has left.
PARENTS_CSV = """Pupil first name,Pupil surname,Class,Parent email
Amy,Bloggs,Year 3,bloggs.family@example.org
Ben,Bloggs,Year 5,bloggs.family@example.org
Alex,Odegaard,Year 3,odegaard@example.org
Alexander,Odegaard,Year 3,second.parent@example.org
Sam,Smith,Year 4,smith@example.org
Zed,Nobody,Year 2,nobody@example.org
Olivia,Quayle,@Year 6,not an address
Lily,Corlett,Year 6,corlett@example.org
"""


def store_register(tmp_path: Path) -> RegisterStore:
    source = tmp_path / "register.csv"
    source.write_text(REGISTER_CSV, encoding="utf-8")
    store = RegisterStore(db_path=paths.register_db())
    store.replace_pupils(read_register_file(source))
    return store


def parents_file(tmp_path: Path) -> Path:
    path = tmp_path / "parents.csv"
    path.write_text(PARENTS_CSV, encoding="utf-8")
    return path


@pytest.fixture
def raw_log(zoomhost_home: Path) -> Iterator[Path]:
    """Every record zoomhost's own loggers emit, at DEBUG, written UNREDACTED to a file in the home:
    a secret found there was handed to a logger, whatever the redacting filter would have done."""
    path = paths.log_dir() / "raw-debug.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    logger = logging.getLogger("zoomhost")
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield path
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        handler.close()


def files_containing(root: Path, *secrets: str) -> list[Path]:
    """Every file under ``root`` whose bytes hold one of ``secrets`` (as UTF-8 or UTF-16)."""
    found = []
    needles = [s.encode(enc) for s in secrets if s for enc in ("utf-8", "utf-16-le")]
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if any(needle in data for needle in needles):
                found.append(path)
    return found
