"""One register, many laptops: how old the stored register is, and what a re-import of a federation's export changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from zoomhost.app.register import changes_on_import, import_register, read_register
from zoomhost.core.register import RegisterStore, read_register_file
from zoomhost.core.register_changes import NO_CHANGES, register_age, register_changes
from zoomhost.core.register_store import ImportRecord
from zoomhost.system import paths

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "registers"
FEDERATION = SAMPLES / "arbor-federation.csv"
KEY = bytes(range(32))
HEADER = "Legal First Name,Preferred First Name,Legal Last Name,Registration Form,Year,School,Zoom Consent,Date of Birth\n"
# The federation's export a month later: Orla Quayle's family withdrew, Callum Caine's cell says "see office",
# Callum Callister's family said yes, Amy Quilliam left, Nia Corlett joined Dhoon's Year 3 and Finn Kelly
# moved to Laxey's Year 4 (the same pupil, still without consent).
LATER = HEADER + (
    "Orla,,Quayle,Year 3,Year 3,Laxey,No - withdrawn 02/06,01/02/2017\n"
    "Orla,,Quine,Year 3,Year 3,Laxey,Yes (by email),03/04/2017\n"
    "Callum,,Callister,Year 3,Year 3,Dhoon,Yes 12/06/2025,07/08/2017\n"
    "Callum,,Caine,Year 3,Year 3,Dhoon,see office,09/10/2017\n"
    "Finn,,Kelly,Year 4,Year 4,Laxey,see office,11/12/2016\n"
    "Isla,,Kissack,Year 3,Year 3,Laxey,N (withdrawn 02/10/2024),13/01/2017\n"
    "Nia,,Corlett,Year 3,Year 3,Dhoon,Yes,14/02/2017\n"
)
IMPORTED = datetime(2025, 5, 6, 8, 30, tzinfo=UTC)


def later(tmp_path: Path) -> Path:
    path = tmp_path / "federation-june.csv"
    path.write_text(LATER, encoding="utf-8")
    return path


def test_a_register_is_out_of_date_only_once_older_than_the_schools_interval() -> None:
    record = ImportRecord(source="arbor-may.csv", imported_at=IMPORTED)
    just_in = register_age(record, refresh_days=30, now=IMPORTED + timedelta(days=30))
    assert just_in is not None and not just_in.out_of_date and just_in.warning is None and just_in.days == 30
    over = register_age(record, refresh_days=30, now=IMPORTED + timedelta(days=31, hours=2))
    assert over is not None and over.out_of_date and over.days == 31
    assert over.warning == (
        "The register is out of date: it was imported 31 days ago (06 May 2025) from arbor-may.csv, and the school asks"
        " for a fresh one every 30 days: re-import the school's latest export from the MIS, so that a withdrawn consent"
        " is not missed."
    )
    assert over.as_dict()["out_of_date"] is True and over.as_dict()["age_days"] == 31
    never = register_age(record, refresh_days=0, now=IMPORTED + timedelta(days=900))  # 0: the school set no interval
    assert never is not None and not never.out_of_date and never.warning is None
    assert register_age(None, refresh_days=30, now=IMPORTED) is None  # nothing imported: nothing to age
    set_back = register_age(record, refresh_days=30, now=IMPORTED - timedelta(days=90))  # a clock set back
    assert set_back is not None and set_back.days == 0 and not set_back.out_of_date


def test_a_federation_reimport_names_every_change_withdrawals_first(tmp_path: Path) -> None:
    before = read_register_file(FEDERATION, surname_key=KEY).pupils
    after = read_register_file(later(tmp_path), surname_key=KEY)
    changes = register_changes(before, after.pupils, unclear=after.unclear_ids, compare_surnames=True)
    assert [p.label() for p in changes.consent_withdrawn] == ["Orla Q. (Year 3, Laxey)"]
    assert after.pupils[0] in changes.consent_withdrawn  # Quayle's line, not Quine's: the surnames tell them apart
    assert [p.label() for p in changes.consent_unclear] == ["Callum C. (Year 3, Dhoon)"]
    assert changes.consent_unclear[0] is after.pupils[3]  # Caine, whose yes became "see office"
    assert [p.label() for p in changes.consent_given] == ["Callum C. (Year 3, Dhoon)"]
    assert changes.consent_given[0] is after.pupils[2]  # Callister
    assert [p.label() for p in changes.removed] == ["Amy Q. (Year 3, Dhoon)"]
    assert [p.label() for p in changes.added] == ["Nia C. (Year 3, Dhoon)"]
    # Finn moved class with his consent unchanged (still none), and Isla's no stayed a no: neither is a change
    assert all("Finn" not in line and "Isla" not in line for line in changes.lines())
    # two Orla Q.s and two Callum C.s share a class: which of them is said by their order in the file
    assert changes.lines() == [
        "Consent withdrawn for 1 pupil: Orla Q. (Year 3, Laxey; 1st of 2 in the new file) — this pupil will be held in"
        " the waiting room.",
        "Consent no longer clear for 1 pupil: Callum C. (Year 3, Dhoon; 2nd of 2 in the new file) — this pupil will be"
        " held in the waiting room until the register says yes or no.",
        "Removed: 1 pupil no longer on the register: Amy Q. (Year 3, Dhoon) — held in the waiting room as not on the register.",
        "Added: 1 pupil — with consent: Nia C. (Year 3, Dhoon).",
        "Consent given for 1 pupil: Callum C. (Year 3, Dhoon; 1st of 2 in the new file).",
    ]


def test_two_withdrawals_are_one_sentence_with_both_names() -> None:
    before = read_register_file(FEDERATION, surname_key=KEY).pupils
    after = [replace(p, consent=False, consent_date=None) if p.first_name == "Orla" else p for p in before]
    changes = register_changes(before, after)
    assert changes.lines() == [
        "Consent withdrawn for 2 pupils: Orla Q. (Year 3, Laxey; 1st of 2 in the new file), Orla Q. (Year 3, Laxey;"
        " 2nd of 2 in the new file) — they will be held in the waiting room."
    ]


def test_the_same_file_again_changes_nothing_and_a_first_import_says_so() -> None:
    pupils = read_register_file(FEDERATION, surname_key=KEY).pupils
    assert register_changes(pupils, pupils).lines() == [NO_CHANGES]
    first = register_changes([], pupils)
    assert first.first_import and first.lines() == ["No register was stored before: all 7 pupils are new."]


def test_the_preview_compares_with_the_stored_register_and_stores_nothing(tmp_path: Path) -> None:
    store = RegisterStore(db_path=paths.register_db(), surname_key=lambda: KEY)
    assert changes_on_import(store, read_register(store, FEDERATION)).first_import
    assert not store.db_path.exists()  # nothing made on disk for a preview
    import_register(store, read_register(store, FEDERATION))
    stored = store.pupils()
    assert changes_on_import(store, read_register(store, FEDERATION)).lines() == [NO_CHANGES]
    changes = changes_on_import(store, read_register(store, later(tmp_path)))
    assert [p.label() for p in changes.consent_withdrawn] == ["Orla Q. (Year 3, Laxey)"]
    assert store.pupils() == stored  # the preview stored nothing
