"""Registers as a federation's MIS exports them: headings by meaning, the school kept, consent cells as
people write them, one absurd cell, and columns chosen by the person importing and remembered."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from zoomhost.app.register import import_register, read_register
from zoomhost.core.classifier import AdmissionClassifier
from zoomhost.core.models import Verdict
from zoomhost.core.register import RegisterStore, RegisterUnusable, parse_consent, read_register_file
from zoomhost.system import paths

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "registers"
FEDERATION = SAMPLES / "arbor-federation.csv"
KEY = bytes(range(32))


def write(tmp_path: Path, text: str, name: str = "pupils.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_arbor_federation_export_is_understood_and_keeps_its_two_schools_apart() -> None:
    imported = read_register_file(FEDERATION, surname_key=KEY)
    assert imported.kept_columns == {
        "first_name": "Legal First Name",
        "preferred_name": "Preferred First Name",
        "surname": "Legal Last Name",
        "class_name": "Registration Form",
        "school": "School",
        "consent": "Zoom Consent",
    }
    assert set(imported.dropped_columns) == {"Year", "Date of Birth"}
    assert [(p.known_as, p.class_label) for p in imported.pupils[:3]] == [
        ("Orla", "Year 3, Laxey"),
        ("Orla", "Year 3, Laxey"),
        ("Amy", "Year 3, Dhoon"),
    ]
    # two schools' "Year 3" are two classes in every count
    assert imported.consent_counts_by_class() == {"Year 3, Dhoon": (2, 3), "Year 3, Laxey": (2, 4)}
    preview = imported.preview_text()
    assert "Year 3, Dhoon: 2/3 consented" in preview and "Year 3, Laxey: 2/4 consented" in preview
    assert "Legal Last Name (initial, and a keyed digest that tells pupils apart)" in preview
    for surname in ("Quayle", "Quine", "Quilliam", "Callister", "Caine", "Kelly", "Kissack"):
        assert surname not in preview and surname not in repr(imported.pupils)


def test_a_preferred_first_name_is_matched_as_well_as_the_legal_one() -> None:
    imported = read_register_file(FEDERATION, surname_key=KEY)
    classifier = AdmissionClassifier(pupils=imported.pupils, staff=[], surname_key=KEY)
    for typed in ("Amy Q", "Amelia Q", "Amy Quilliam"):
        result = classifier.classify(typed)
        assert result.verdict is Verdict.CONSENTED and result.pupil is not None and result.pupil.known_as == "Amy", typed


def test_consent_cells_as_people_write_them() -> None:
    imported = read_register_file(FEDERATION)
    consent = {(p.first_name, p.surname_initial, p.school): p.consent for p in imported.pupils}
    assert consent[("Orla", "Q", "Laxey")] is True  # "Y - email 26/05" and "Yes (by email)"
    assert [p.consent for p in imported.pupils] == [True, True, True, False, True, False, False]
    assert imported.pupils[2].consent_date == date(2024, 9, 3)  # "Yes 03/09/2024"
    finn = imported.pupils[5]
    assert (finn.first_name, finn.consent) == ("Finn", False)  # "see office": kept, held, listed
    assert [(row.line, '"see office"' in row.reason) for row in imported.unclear_consent] == [(7, True)]
    assert imported.skipped == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Y - email 26/05", (True, None)),
        ("Yes (by email)", (True, None)),
        ("yes - by email 03/09/2024", (True, date(2024, 9, 3))),
        ("Yes: 3 Sep 2024", (True, date(2024, 9, 3))),
        ("✓ (paper form)", (True, None)),
        ("No - parent refused", (False, None)),
        ("N (withdrawn 02/10/2024)", (False, None)),
        ("No: declined by email", (False, None)),
        ("Not given - chased 01/10", (False, None)),
        ("Withdrawn by mum", (False, None)),
    ],
)
def test_a_cell_that_starts_with_a_clear_yes_or_no_reads_as_that(text: str, expected: tuple[bool, date | None]) -> None:
    assert parse_consent(text) == expected


@pytest.mark.parametrize("text", ["Yes - withdrawn 01/03", "Y (not for video)", "see office", "ask dad", "yesterday"])
def test_a_yes_whose_note_says_no_or_a_cell_that_says_neither_is_unclear(text: str) -> None:
    with pytest.raises(ValueError):
        parse_consent(text)


def test_one_absurd_cell_skips_its_row_and_loses_nothing_else(tmp_path: Path) -> None:
    path = write(tmp_path, "First name,Surname,Class,Consent\nAmy,Quayle,3Q,Yes\nBob," + "x" * 1_000_000 + ",3Q,Yes\nCat,Kelly,3Q,Y\n")
    imported = read_register_file(path)
    assert [p.first_name for p in imported.pupils] == ["Amy", "Cat"]
    [skipped] = imported.skipped
    assert skipped.line == 3 and "column B holds 1,000,000 characters" in skipped.reason and "at most 1,000" in skipped.reason
    assert "line 3: column B holds" in imported.preview_text()


@pytest.mark.parametrize(
    "header",
    [
        "Legal First Name,Preferred First Name,Legal Last Name,Registration Form,Year,School,Zoom Consent",
        "zoom consent ,  SCHOOL,year,registration   form,LEGAL LAST NAME,preferred first name,legal first name",
        "LegalFirstName;PreferredFirstName;LegalLastName;RegistrationForm;Year;School;ZoomConsent",
        "Pupil Forename,Known As,Pupil Surname,Reg Group,NC Year,School Name,Video Consent",
    ],
)
def test_headings_of_any_case_order_and_spacing_are_understood(tmp_path: Path, header: str) -> None:
    delimiter = ";" if ";" in header else ","
    titles = [title.strip().casefold().replace(" ", "") for title in header.split(delimiter)]
    values = {"legalfirstname": "Amelia", "preferredfirstname": "Amy", "legallastname": "Quilliam", "registrationform": "3Q",
              "year": "Year 3", "school": "Dhoon", "zoomconsent": "Yes", "pupilforename": "Amelia", "knownas": "Amy",
              "pupilsurname": "Quilliam", "reggroup": "3Q", "ncyear": "Year 3", "schoolname": "Dhoon", "videoconsent": "Yes"}  # fmt: skip
    row = delimiter.join(values[title] for title in titles)
    imported = read_register_file(write(tmp_path, f"{header}\n{row}\n"))
    [amy] = imported.pupils
    assert (amy.first_name, amy.preferred_name, amy.surname_initial, amy.class_name, amy.school, amy.consent) == (
        "Amelia", "Amy", "Q", "3Q", "Dhoon", True,
    )  # fmt: skip


def test_a_year_group_is_the_class_only_when_there_is_no_form(tmp_path: Path) -> None:
    imported = read_register_file(write(tmp_path, "First name,Year,School,Consent\nAmy,Year 3,Laxey,yes\n"))
    assert imported.kept_columns["class_name"] == "Year"
    assert imported.pupils[0].class_label == "Year 3, Laxey"


def test_photo_consent_is_never_taken_for_video_consent(tmp_path: Path) -> None:
    with pytest.raises(RegisterUnusable, match="no column for consent"):
        read_register_file(write(tmp_path, "First name,Surname,Photo Consent\nAmy,Quayle,yes\n"))


def test_the_person_importing_says_which_column_is_which(tmp_path: Path) -> None:
    path = write(tmp_path, "Child,Family,Group,OK for Zoom?,Photo Consent\nAmelia,Quilliam,3Q,no,yes\nOrla,Quayle,3Q,yes,no\n")
    with pytest.raises(RegisterUnusable, match="no column for first names"):
        read_register_file(path)
    chosen = {"first_name": "child", "surname": "FAMILY", "class_name": "Group", "consent": "OK for Zoom?"}
    imported = read_register_file(path, columns=chosen)
    assert [(p.first_name, p.surname_initial, p.class_name, p.consent) for p in imported.pupils] == [
        ("Amelia", "Q", "3Q", False),
        ("Orla", "Q", "3Q", True),
    ]
    assert 'Columns chosen by the person importing: first names = "child"' in imported.preview_text()
    # a choice the file cannot meet is a clear error naming the headings it has
    with pytest.raises(RegisterUnusable, match='no column headed "Forename" for first names') as caught:
        read_register_file(path, columns={**chosen, "first_name": "Forename"})
    assert '"Child", "Family", "Group"' in caught.value.user_text()
    # and "none" takes a column the meaning of its heading would have used
    no_school = read_register_file(FEDERATION, columns={"school": None})
    assert "school" not in no_school.kept_columns and no_school.pupils[0].school is None


def test_a_choice_of_columns_is_remembered_for_the_next_file_with_the_same_headings(tmp_path: Path) -> None:
    store = RegisterStore(db_path=paths.register_db(), surname_key=lambda: KEY)
    first = write(tmp_path, "Child,Family,Group,OK for Zoom?\nAmelia,Quilliam,3Q,yes\n", "autumn.csv")
    chosen = {"first_name": "Child", "surname": "Family", "class_name": "Group", "consent": "OK for Zoom?"}
    import_register(store, read_register(store, first, columns=chosen))
    later = write(tmp_path, "CHILD , family,Group,OK for Zoom?\nOrla,Quayle,3Q,yes\nFinn,Kelly,3C,no\n", "spring.csv")
    again = read_register(store, later)  # no choice given: the remembered one
    assert [(p.first_name, p.class_name, p.consent) for p in again.pupils] == [("Orla", "3Q", True), ("Finn", "3C", False)]
    other = write(tmp_path, "Child,Group,OK for Zoom?\nOrla,3Q,yes\n", "other.csv")
    with pytest.raises(RegisterUnusable, match="no column for first names"):
        read_register(store, other)  # another layout: nothing remembered for it


def test_a_failed_import_with_chosen_columns_leaves_the_stored_register(tmp_path: Path) -> None:
    store = RegisterStore(db_path=paths.register_db(), surname_key=lambda: KEY)
    import_register(store, read_register(store, FEDERATION))
    before = store.pupils()
    with pytest.raises(RegisterUnusable):
        read_register(store, FEDERATION, columns={"first_name": "No such heading"})
    assert store.pupils() == before


# ---- property: shuffled, re-cased, re-spaced headings import the same register ----------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_ARBOR = ["Legal First Name", "Preferred First Name", "Legal Last Name", "Registration Form", "Year", "School", "Zoom Consent"]
_ROWS = [
    ["Orla", "", "Quayle", "Year 3", "Year 3", "Laxey", "Y - email 26/05"],
    ["Amelia", "Amy", "Quilliam", "Year 3", "Year 3", "Dhoon", "Yes (by email)"],
    ["Callum", "", "Caine", "Year 5", "Year 5", "Dhoon", "No - refused"],
]


@st.composite
def _respelled(draw: st.DrawFn, heading: str) -> str:
    words = heading.split()
    joiner = draw(st.sampled_from([" ", "  ", "_", ""]))
    if joiner:
        words = [draw(st.sampled_from([w, w.upper(), w.lower(), w.title()])) for w in words]
    else:  # run together, as CamelCase ("LegalFirstName") or one case throughout with the first word apart
        words = [w.title() for w in words]
    return draw(st.sampled_from(["", " "])) + joiner.join(words) + draw(st.sampled_from(["", " ", "  "]))


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_shuffled_recased_respaced_headings_import_the_same_register(tmp_path_factory, data: st.DataObject) -> None:
    order = data.draw(st.permutations(range(len(_ARBOR))))
    header = [data.draw(_respelled(_ARBOR[i])) for i in order]
    delimiter = data.draw(st.sampled_from([",", ";", "\t"]))
    lines = [delimiter.join(header)] + [delimiter.join(row[i] for i in order) for row in _ROWS]
    path = tmp_path_factory.mktemp("shuffled") / "register.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    expected = read_register_file(FEDERATION_SHAPED(tmp_path_factory), surname_key=KEY).pupils
    assert read_register_file(path, surname_key=KEY).pupils == expected


def FEDERATION_SHAPED(tmp_path_factory) -> Path:  # noqa: N802, ANN001 - the register in its own order and spelling
    path = tmp_path_factory.getbasetemp() / "federation-shaped.csv"
    if not path.exists():
        path.write_text("\n".join(",".join(row) for row in [_ARBOR, *_ROWS]) + "\n", encoding="utf-8")
    return path
