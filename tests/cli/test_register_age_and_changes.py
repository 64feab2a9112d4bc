"""`zoomhost register import | show` on a laptop whose register came from a school export some time ago:
what a re-import changes (a withdrawal first, with the names), and a warning once the register is
older than the school's refresh interval (school.json). The keyring is the test run's real Secret
Service (run with tests/in-keyring-session.sh): the surname key tells two "Orla Q."s apart."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.core.test_register_changes import FEDERATION, later
from zoomhost import cli
from zoomhost.core.register import RegisterStore
from zoomhost.system import paths


def stored() -> RegisterStore:
    return RegisterStore(db_path=paths.register_db())


def imported_days_ago(days: float) -> None:
    """The stored register as if imported ``days`` ago (the import's record is the only thing changed)."""
    when = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    with sqlite3.connect(paths.register_db()) as db:
        db.execute("UPDATE imports SET imported_at = ? WHERE list = 'pupils'", (when,))


def school_refresh(home: Path, days: int) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "school.json").write_text(json.dumps({"register_refresh_days": days}), encoding="utf-8")


def test_a_reimport_says_what_changed_withdrawals_first_and_the_same_file_no_changes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["register", "import", str(FEDERATION)]) == 0
    assert "No register was stored before: all 7 pupils are new." in capsys.readouterr().out

    assert cli.main(["register", "import", str(FEDERATION)]) == 0
    out = capsys.readouterr().out
    assert "Changes since the last import:\n  No changes since the last import.\n" in out

    assert cli.main(["register", "import", "--dry-run", str(later(tmp_path))]) == 0
    out = capsys.readouterr().out
    changes = out[out.index("Changes since the last import:") :].splitlines()
    assert changes[1] == (
        "  Consent withdrawn for 1 pupil: Orla Q. (Year 3, Laxey; 1st of 2 in the new file) — this pupil will be held"
        " in the waiting room."
    )
    assert changes[2].startswith("  Consent no longer clear for 1 pupil: Callum C. (Year 3, Dhoon; 2nd of 2 in the new file)")
    assert changes[3].startswith("  Removed: 1 pupil no longer on the register: Amy Q. (Year 3, Dhoon)")
    assert changes[4] == "  Added: 1 pupil — with consent: Nia C. (Year 3, Dhoon)."
    assert changes[5] == "  Consent given for 1 pupil: Callum C. (Year 3, Dhoon; 1st of 2 in the new file)."
    assert "Dry run: nothing was stored" in out
    assert len(stored().pupils()) == 7 and "Quayle" not in out and "Quine" not in out

    assert cli.main(["register", "import", str(later(tmp_path))]) == 0  # stored: the next re-import compares with it
    capsys.readouterr()
    assert cli.main(["register", "import", "--dry-run", str(later(tmp_path))]) == 0
    assert "  No changes since the last import." in capsys.readouterr().out


def test_show_warns_once_the_register_is_older_than_the_schools_interval(
    zoomhost_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    school_refresh(zoomhost_home, 30)
    assert cli.main(["register", "import", str(FEDERATION)]) == 0
    capsys.readouterr()

    imported_days_ago(29.9)
    assert cli.main(["register", "show"]) == 0
    assert "out of date" not in capsys.readouterr().out
    assert cli.main(["register", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["source"] == "arbor-federation.csv" and shown["pupils"] == 7 and shown["consented"] == 4
    assert (shown["age_days"], shown["refresh_days"], shown["out_of_date"], shown["warning"]) == (29, 30, False, None)

    imported_days_ago(31.5)
    assert cli.main(["register", "show"]) == 0
    out = capsys.readouterr().out
    assert (
        "WARNING: The register is out of date: it was imported 31 days ago (" in out
        and ") from arbor-federation.csv, and the school asks for a fresh one every 30 days: re-import the school's"
        " latest export from the MIS, so that a withdrawn consent is not missed." in out
    )
    assert cli.main(["register", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["age_days"], shown["out_of_date"]) == (31, True) and "31 days ago" in shown["warning"]
    assert "names" not in shown  # names only on request

    school_refresh(zoomhost_home, 60)  # the IT lead lengthens the interval: no longer out of date
    assert cli.main(["register", "show"]) == 0
    assert "out of date" not in capsys.readouterr().out
