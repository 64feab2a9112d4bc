"""`zoomhost invitations`: only consented families, a safe mail-merge file, per-family links where Zoom allows.

Run through the real command line against the rehearsal Zoom over loopback.
"""

from __future__ import annotations

import csv
import stat
from datetime import date
from pathlib import Path

import pytest

from tests.protocol.helpers import (  # noqa: F401
    CONSENTED_NAMES,
    NOT_INVITED_NAMES,
    files_containing,
    parents_file,
    raw_log,
    store_register,
)
from tests.zoom.rehearsal_zoom import ASSEMBLY, CLASS, RehearsalZoom, rehearsal_zoom  # noqa: F401
from zoomhost import cli
from zoomhost.system import paths
from zoomhost.core.invitations import WARNING, read_parent_addresses
from zoomhost.core.register_store import RegisterStore

MODULE = "zoomhost.commands.invitations"
LILY_REMOVED = "1 leaver removed from the register (the August after they left has come)"


@pytest.fixture
def zoom_env(rehearsal_zoom: RehearsalZoom, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> RehearsalZoom:  # noqa: F811
    """The command line pointed at the rehearsal Zoom, the school's app credentials in the environment,
    a consent register stored, and the invitations command available."""
    server = rehearsal_zoom.server
    monkeypatch.setenv("ZOOMHOST_API_BASE", server.api_base)
    monkeypatch.setenv("ZOOMHOST_OAUTH_BASE", server.oauth_base)
    monkeypatch.setenv("ZOOMHOST_ACCOUNT_ID", server.credentials.account_id)
    monkeypatch.setenv("ZOOMHOST_CLIENT_ID", server.credentials.client_id)
    monkeypatch.setenv("ZOOMHOST_CLIENT_SECRET", server.credentials.client_secret)
    store_register(tmp_path)
    return rehearsal_zoom


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_only_consented_families_are_invited_with_the_link_and_passcode(
    zoom_env: RehearsalZoom, tmp_path: Path, capsys: pytest.CaptureFixture[str], raw_log: Path, zoomhost_home: Path  # noqa: F811
) -> None:
    out = tmp_path / "invitations.csv"
    assert cli.main(["invitations", "839 2017 4655", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    meeting = zoom_env.server.state.meeting_payload(CLASS)

    rows = _read(out)
    assert list(rows[0]) == ["first_name", "surname_initial", "class", "join_link", "passcode"]
    names = [r["first_name"] for r in rows]
    assert sorted(names) == sorted(["Amy", "Alex", "'" + CONSENTED_NAMES[2], "Ben", "Olivia"])
    assert not set(names) & set(NOT_INVITED_NAMES)  # no consent, or left the school
    assert {r["join_link"] for r in rows} == {meeting["join_url"]}
    assert {r["passcode"] for r in rows} == {meeting["password"]}
    # Formula cells neutralised: the name and the class a spreadsheet would otherwise run.
    assert next(r for r in rows if r["first_name"].startswith("'="))["surname_initial"] == "J"
    assert next(r for r in rows if r["first_name"] == "Olivia")["class"] == "'@Year 6"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600

    assert "Wrote 5 row(s) for 5 consented pupil(s)" in printed and WARNING in printed
    assert meeting["password"] not in printed and meeting["join_url"] not in printed
    assert files_containing(zoomhost_home, meeting["password"], meeting["join_url"]) == []
    assert zoom_env.sent("PATCH") == []  # no update spent without --rotate-passcode


def test_rotate_then_invite_puts_the_new_passcode_only_in_the_file(
    zoom_env: RehearsalZoom, tmp_path: Path, capsys: pytest.CaptureFixture[str], raw_log: Path, zoomhost_home: Path  # noqa: F811
) -> None:
    state = zoom_env.server.state
    out = tmp_path / "invitations.csv"
    assert cli.main(["invitations", str(CLASS), "--out", str(out), "--rotate-passcode"]) == 0
    printed = capsys.readouterr().out
    new = state.meeting(CLASS).password
    assert new != "Lx7q2Hw9"
    assert {r["passcode"] for r in _read(out)} == {new}
    assert len(zoom_env.sent("PATCH", f"/meetings/{CLASS}")) == 1
    assert "new passcode (it is in the file, not shown here)" in printed and "99 meeting updates" in printed
    assert new not in printed
    assert files_containing(zoomhost_home, new) == []
    assert files_containing(tmp_path, new) == [out]


def test_with_the_parents_file_families_are_registered_for_their_own_links(
    zoom_env: RehearsalZoom, tmp_path: Path, capsys: pytest.CaptureFixture[str], zoomhost_home: Path
) -> None:
    state = zoom_env.server.state
    state.update_meeting(ASSEMBLY, {"settings": {"approval_type": 1}})
    out = tmp_path / "invitations.csv"
    parents = parents_file(tmp_path)
    assert cli.main(["invitations", str(ASSEMBLY), "--out", str(out), "--parents", str(parents)]) == 0
    printed, said = capsys.readouterr()
    # Lily left in 2019: the command first removed her from the register, as retention does at start-up.
    assert said == f"zoomhost: {LILY_REMOVED}\n"

    registered = state.meeting(ASSEMBLY).registrants
    assert len(zoom_env.sent("POST", f"/meetings/{ASSEMBLY}/batch_registrants")) == 1
    assert sorted((r["email"], r["first_name"], r["last_name"]) for r in registered) == [
        ("bloggs.family@example.org", "Amy", "B"),
        ("odegaard@example.org", "Alex", "O"),
        ("second.parent@example.org", "Alex", "O"),
    ]  # Sam has no consent; Lily has left; Ben shares the Bloggs address; Olivia's address is not one

    rows = {(r["first_name"], r["parent_email"]): r for r in _read(out)}
    links = {r["email"]: r["join_url"] for r in registered}
    assert rows[("Amy", "bloggs.family@example.org")]["join_link"] == links["bloggs.family@example.org"]
    assert rows[("Alex", "second.parent@example.org")]["join_link"] == links["second.parent@example.org"]
    shared = state.meeting_payload(ASSEMBLY)["join_url"]
    assert rows[("Ben", "bloggs.family@example.org")]["join_link"] == shared
    assert rows[("Olivia", "")]["join_link"] == shared  # no usable address: the gap is shown, not lost
    assert not any(first in ("Sam", "Sammy", "Zed") for first, _ in rows)
    written = out.read_text(encoding="utf-8-sig")
    assert "smith@example.org" not in written and "corlett@example.org" not in written

    assert "3 row(s) have the family's own link" in printed
    assert "Ben B. (Year 5) shares a parent address" in printed
    assert "1 row(s) of parents.csv are for pupils without consent" in printed  # Sam
    assert "parents.csv line 7: matches no pupil" in printed and "line 8: column D" in printed
    assert "parents.csv line 9: matches no pupil" in printed  # Lily, no longer on the register
    # The address file was read, not kept.
    assert files_containing(zoomhost_home, "odegaard@example.org", "bloggs.family@example.org") == []


def test_without_registration_every_family_gets_the_meetings_link(
    zoom_env: RehearsalZoom, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "invitations.csv"
    parents = parents_file(tmp_path)
    assert cli.main(["invitations", str(CLASS), "--out", str(out), "--parents", str(parents)]) == 0
    assert "Registration is off for this meeting" in capsys.readouterr().out
    assert zoom_env.sent("POST") == [] or all("batch_registrants" not in e.path for e in zoom_env.sent("POST"))
    rows = _read(out)
    assert {r["join_link"] for r in rows} == {zoom_env.server.state.meeting_payload(CLASS)["join_url"]}
    assert rows[0]["parent_email"] == "bloggs.family@example.org"


def test_a_file_inside_zoomhosts_folders_is_refused_before_zoom_is_touched(
    zoom_env: RehearsalZoom, capsys: pytest.CaptureFixture[str]
) -> None:
    inside = paths.data_dir() / "invitations.csv"
    assert cli.main(["invitations", str(CLASS), "--out", str(inside), "--rotate-passcode"]) == 1
    retention, err = capsys.readouterr().err.split("\n", 1)
    assert retention == f"zoomhost: {LILY_REMOVED}"  # what retention did at start-up, on a line of its own
    assert "inside zoomhost's data folder" in err and err.count("\n") == 1
    assert not inside.exists()
    assert zoom_env.server.state.meeting(CLASS).password == "Lx7q2Hw9"
    assert zoom_env.sent() == []


def test_a_meeting_without_a_passcode_is_not_invited_to(
    zoom_env: RehearsalZoom, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "invitations.csv"
    pmi = zoom_env.server.state.pmi_meeting_id
    assert cli.main(["invitations", str(pmi), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "no passcode" in err and "--rotate-passcode" in err
    assert not out.exists()


def test_without_a_register_nobody_is_invited(
    rehearsal_zoom: RehearsalZoom, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    assert cli.main(["invitations", str(CLASS), "--out", str(tmp_path / "x.csv")]) == 1
    assert "no consent register yet" in capsys.readouterr().err
    assert rehearsal_zoom.sent() == []


def test_the_address_file_is_matched_to_the_register(tmp_path: Path) -> None:
    store = store_register(tmp_path)
    addresses = read_parent_addresses(parents_file(tmp_path), register=store.pupils(), today=date.today())
    assert sorted((a.pupil.known_as, a.email) for a in addresses.addresses) == [
        ("Alex", "odegaard@example.org"),
        ("Alex", "second.parent@example.org"),
        ("Amy", "bloggs.family@example.org"),
        ("Ben", "bloggs.family@example.org"),
    ]
    assert addresses.not_invited == 2  # Sam (no consent), Lily (left)
    assert [line for line, _ in addresses.skipped] == [7, 8]
    assert "example.org" not in repr(addresses.addresses[0])


def test_the_waiting_room_knows_each_familys_own_link_and_the_register_keeps_no_link(
    zoom_env: RehearsalZoom, tmp_path: Path, capsys: pytest.CaptureFixture[str], zoomhost_home: Path
) -> None:
    state = zoom_env.server.state
    state.update_meeting(ASSEMBLY, {"settings": {"approval_type": 1}})
    out = tmp_path / "invitations.csv"
    assert cli.main(["invitations", str(ASSEMBLY), "--out", str(out), "--parents", str(parents_file(tmp_path))]) == 0
    assert "The waiting room will know 3 families by their own link" in capsys.readouterr().out

    store = RegisterStore(db_path=paths.register_db())
    links = store.links(str(ASSEMBLY))
    registered = {r["registrant_id"]: r for r in state.meeting(ASSEMBLY).registrants}
    assert set(links) == set(registered)
    # The host approves each registration on this meeting: zoomhost's are approved as they are made, or the
    # families' links would open nothing until someone approved them one by one in Zoom.
    assert {r["id"] for r in state.list_registrants(ASSEMBLY)} == set(registered)
    assert state.list_registrants(ASSEMBLY, status="pending") == []
    pupils = {p.id: p for p in store.pupils()}
    assert sorted((pupils[pid].known_as, registered[rid]["email"]) for rid, pid in links.items()) == [
        ("Alex", "odegaard@example.org"),
        ("Alex", "second.parent@example.org"),
        ("Amy", "bloggs.family@example.org"),
    ]
    assert store.links(str(CLASS)) == {}
    # Kept: which pupil each registration is for. Never the link, never the parent's address.
    secrets = [r["join_url"] for r in registered.values()] + [r["email"] for r in registered.values()]
    assert files_containing(zoomhost_home, *secrets) == []


def test_an_address_zoom_would_refuse_is_left_out_and_the_other_families_keep_their_own_links(
    zoom_env: RehearsalZoom, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Zoom refuses a whole batch of registrations for one address it does not take (its 300), which would leave
    every family with the meeting's own link: zoomhost reads such an address as no address, says which line,
    and registers the rest."""
    state = zoom_env.server.state
    state.update_meeting(ASSEMBLY, {"settings": {"approval_type": 1}})
    parents = parents_file(tmp_path)
    refused_by_zoom = ("odegaard@example..org", f"{'o' * 65}@example.org", "Odegaard family <odegaard@example.org>")
    for bad in refused_by_zoom:
        parents.write_text(parents.read_text(encoding="utf-8").replace("odegaard@example.org", bad), encoding="utf-8")
        addresses = read_parent_addresses(parents, register=store_register(tmp_path).pupils(), today=date.today())
        assert [line for line, _ in addresses.skipped] == [4, 7, 8], bad
        parents = parents_file(tmp_path)
    parents.write_text(parents.read_text(encoding="utf-8").replace("odegaard@example.org", refused_by_zoom[0]), encoding="utf-8")
    out = tmp_path / "invitations.csv"
    assert cli.main(["invitations", str(ASSEMBLY), "--out", str(out), "--parents", str(parents)]) == 0
    said = capsys.readouterr()
    assert "The waiting room will know 2 families by their own link" in said.out
    assert "line 4" in said.out + said.err
    assert sorted(r["email"] for r in state.meeting(ASSEMBLY).registrants) == ["bloggs.family@example.org", "second.parent@example.org"]
