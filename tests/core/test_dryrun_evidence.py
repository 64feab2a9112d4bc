"""`zoomhost dry-run` with the evidence Zoom would give beside each name: a family's link or a sign-in."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from zoomhost.cli import main
from zoomhost.core.register import read_register_file
from zoomhost.core.register_store import RegisterStore
from zoomhost.system import paths

DATA = Path(__file__).resolve().parents[1] / "data" / "dryrun"
REGISTER = DATA / "register.csv"
STAFF = DATA / "staff.csv"
MEETING = "85746065432"


def _stored_links() -> RegisterStore:
    """The register as imported, with the families of Amy B. and Tom W. registered for their own links."""
    store = RegisterStore(db_path=paths.register_db())
    store.replace_pupils(read_register_file(REGISTER))
    by_name = {(p.known_as, p.surname_initial): p.id for p in store.pupils()}
    store.record_links(MEETING, [("reg-amy", by_name[("Amy", "B")]), ("reg-tom", by_name[("Tom", "W")])], issued_on=date.today())
    return store


def _run(capsys: pytest.CaptureFixture[str], names: Path, *args: str) -> tuple[int, str, str]:
    status = main(["dry-run", "--register", str(REGISTER), "--staff", str(STAFF), str(names), *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_json_says_on_every_line_what_the_verdict_rests_on_and_whether_it_is_admitted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = _stored_links()
    names = tmp_path / "names.txt"
    names.write_text(
        "Mr Kelly\n"
        "Office PC\temail:M.Kelly@dhoon.example.org\n"
        "Galaxy Tab\tlink:reg-amy\n"
        "Zoë L\n"
        "Ben\tlink:reg-amy\n"
        "Tom W\tlink:someone-elses\n"
        "Sarah Bloggs\temail:sarah@gmail.example\n",
        encoding="utf-8",
    )
    status, out, err = _run(capsys, names, "--json")
    assert status == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    got = [(row["name"], row["verdict"], row["evidence"], row["admit"]) for row in rows]
    assert got == [
        ("Mr Kelly", "staff", "name", False),  # typed: a claim
        ("Office PC", "staff", "signed_in", True),
        ("Galaxy Tab", "consented", "link", True),  # the family's own link, whatever the device shows
        ("Zoë L", "consented", "name", False),  # name only, in a meeting with links: the teacher's click
        ("Ben", "duplicate", "link", False),  # Amy's link, forwarded
        ("Tom W", "consented", "name", False),  # a registration zoomhost did not issue
        ("Sarah Bloggs", "staff", "name", False),  # signed in outside the school: still only a claim
    ]
    assert rows[4]["pupil"]["first_name"] == "Amy" and "Amy B.'s link is already in use" in rows[4]["reasons"][1]
    assert all(set(row) >= {"line", "name", "verdict", "evidence", "admit", "reasons"} for row in rows)
    assert store.links(MEETING) == {"reg-amy": 1, "reg-tom": 3}, "nothing stored or changed"


def test_the_table_shows_the_evidence_and_the_summary_says_links_decide(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _stored_links()
    names = tmp_path / "names.txt"
    names.write_text("Galaxy Tab\tlink:reg-amy\nZoë L\n", encoding="utf-8")
    status, out, _ = _run(capsys, names)
    assert status == 0
    lines = out.splitlines()
    assert "own link" in lines[1] and "yes" in lines[1] and "typed name only" in lines[2] and " no " in lines[2]
    assert "1 would be admitted by Admit all and the autopilot (pupils by their own link, staff signed in); 1 held" in out


def test_without_links_a_name_is_admitted_the_weaker_way_unless_registration_is_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = tmp_path / "names.txt"
    names.write_text("Zoë L\n", encoding="utf-8")
    _, out, _ = _run(capsys, names, "--json")
    assert json.loads(out)["admit"] is True
    _, out, _ = _run(capsys, names, "--json", "--registration")
    assert json.loads(out)["admit"] is False
    assert not paths.register_db().exists(), "no register is made to look links up in"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Amy B\temail:not-an-address", "names.txt line 1: email:not-an-address is not an email address."),
        ("Amy B\tlink:", "names.txt line 1: link: has no registration id after it."),
    ],
)
def test_evidence_that_cannot_be_read_is_refused_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, message: str
) -> None:
    names = tmp_path / "names.txt"
    names.write_text(line + "\n", encoding="utf-8")
    status, out, err = _run(capsys, names)
    assert status == 1 and out == "" and err.startswith(f"zoomhost: {message}")


def test_a_tab_that_is_not_evidence_stays_part_of_the_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    names = tmp_path / "names.txt"
    names.write_text("Amy\tB\nAmy B\tnotes: late\n", encoding="utf-8")
    status, out, _ = _run(capsys, names, "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert status == 0 and [row["name"] for row in rows] == ["Amy\tB", "Amy B\tnotes: late"]
    assert {row["verdict"] for row in rows} == {"suspicious"} and {row["evidence"] for row in rows} == {"name"}
