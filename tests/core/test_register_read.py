"""Reading consent registers and staff lists as schools really export them."""

from __future__ import annotations

import codecs
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from zoomhost.core.errors import ZoomhostError
from zoomhost.core.register import (
    RegisterUnusable,
    parse_consent,
    parse_date,
    read_register_file,
    read_staff_file,
    surname_initial,
)

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "registers"


def write(tmp_path: Path, text: str, *, name: str = "pupils.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def names(imported) -> list[str]:
    return [f"{p.known_as} {p.surname_initial or ''}".strip() for p in imported.pupils]


# --- real-looking exports -------------------------------------------------------------------


def test_arbor_export_keeps_only_what_admission_needs() -> None:
    imported = read_register_file(SAMPLES / "arbor-utf8-comma.csv")
    assert (imported.encoding, imported.delimiter, imported.source) == ("utf-8", ",", "arbor-utf8-comma.csv")
    assert [p.id for p in imported.pupils] == list(range(1, 9))
    alex = imported.pupils[1]
    assert (alex.first_name, alex.preferred_name, alex.surname_initial, alex.class_name) == ("Alexander", "Alex", "Ø", "3B")
    assert alex.consent and alex.consent_date == date(2024, 9, 4)
    # Registration group is the class; year group, birth dates, addresses and emails are dropped.
    assert imported.kept_columns["class_name"] == "Registration group"
    assert set(imported.dropped_columns) == {"Year group", "Date of birth", "Address", "Parent email", "UPN"}
    stored_text = repr(imported.pupils)
    for personal in ("Bloggs", "Hill Road", "example.org", "14/03/2017", "2017-03-14", "A123456789012"):
        assert personal not in stored_text
    assert [p.consent for p in imported.pupils] == [True, True, True, False, False, True, True, False]
    assert imported.pupils[5].consent_date == date(2024, 9, 5)  # consent given as a date
    assert imported.pupils[6].leaving_date == date(2037, 7, 17)
    assert imported.skipped == ()


def test_utf8_bom_semicolon_with_odd_header_case_order_and_spacing() -> None:
    imported = read_register_file(SAMPLES / "sims-utf8-bom-semicolon.csv")
    assert (imported.encoding, imported.delimiter) == ("utf-8-sig", ";")
    assert imported.kept_columns["surname"] == "SURNAME"
    assert imported.kept_columns["consent"] == "Video_Consent"
    assert names(imported) == ["Aarav P", "Zuza K", "Wen N", "Siobhán M"]
    assert [p.consent for p in imported.pupils] == [True, False, True, False]
    assert imported.dropped_columns == ("Medical Notes",)


def test_excel_utf16_tab_with_tick_and_cross_symbols() -> None:
    imported = read_register_file(SAMPLES / "excel-utf16-tab.txt")
    assert imported.encoding.startswith("utf-16") and imported.delimiter == "\t"
    assert names(imported) == ["Zoë Å", "Noah B", "Léa D", "Oliver G"]
    assert [p.consent for p in imported.pupils] == [True, False, False, True]  # ✔ ✘ x yes
    assert imported.dropped_columns == ("Home Phone",)


def test_windows_1252_accents_and_curly_apostrophes_survive() -> None:
    imported = read_register_file(SAMPLES / "windows-1252-comma.csv")
    assert imported.encoding == "cp1252"
    assert [p.first_name for p in imported.pupils] == ["Renée", "Zoë", "François"]
    assert imported.pupils[0].surname_initial == "O"  # O’Neill
    assert imported.pupils[2].preferred_name == "Frankie"


def test_title_lines_above_the_header_are_passed_over() -> None:
    imported = read_register_file(SAMPLES / "title-lines.csv")
    assert names(imported) == ["Isla Q", "Finn C"]
    assert imported.kept_columns["class_name"] == "Class"


def test_tiny_semicolon_file_is_read_despite_little_to_detect_from() -> None:
    imported = read_register_file(SAMPLES / "tiny-semicolon.csv")
    assert imported.delimiter == ";"
    assert [(p.first_name, p.consent, p.class_name) for p in imported.pupils] == [("Ivy", True, None)]


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"), ("cp1252", "cp1252")],
)
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_every_encoding_and_delimiter_gives_the_same_register(
    tmp_path: Path, encoding: str, expected: str, delimiter: str
) -> None:
    rows = [["Forename", "Surname", "Class", "Consent"], ["Zoë", "Ærø", "3B", "Yes"], ["Amélie", "Öz", "3B", "No"]]
    text = "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"
    imported = read_register_file(write(tmp_path, text, encoding=encoding))
    assert (imported.encoding, imported.delimiter) == (expected, delimiter)
    assert [(p.first_name, p.surname_initial, p.consent) for p in imported.pupils] == [
        ("Zoë", "Æ", True),
        ("Amélie", "Ö", False),
    ]


# --- header aliases ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "header"),
    [
        ("first_name", "first name"),
        ("first_name", "Forename"),
        ("first_name", "LEGAL FORENAME"),
        ("first_name", "first_name"),
        ("preferred_name", "Preferred Name"),
        ("preferred_name", "preferred forename"),
        ("preferred_name", "Known As"),
        ("surname", "Surname"),
        ("surname", "Last Name"),
        ("surname", "family name"),
        ("class_name", "Class"),
        ("class_name", "Form"),
        ("class_name", "Reg Group"),
        ("class_name", "Registration Group"),
        ("class_name", "Year Group"),
        ("consent", "Consent"),
        ("consent", "Zoom Consent"),
        ("consent", "video consent"),
        ("consent", "Consent (Y/N)"),
        ("consent_date", "Consent Date"),
        ("leaving_date", "Leaving Date"),
        ("leaving_date", "Date of Leaving"),
    ],
)
def test_header_aliases_are_recognised(tmp_path: Path, field: str, header: str) -> None:
    others = {
        "first_name": "Forename",
        "preferred_name": "Known As",
        "surname": "Surname",
        "class_name": "Class",
        "consent": "Consent",
        "consent_date": "Consent Date",
        "leaving_date": "Leaving Date",
    }
    others[field] = header
    values = {
        "first_name": "Alexander",
        "preferred_name": "Alex",
        "surname": "Quirk",
        "class_name": "5Q",
        "consent": "yes",
        "consent_date": "01/09/2024",
        "leaving_date": "18/07/2025",
    }
    order = list(reversed(others))  # any order
    text = ",".join(others[f] for f in order) + "\n" + ",".join(values[f] for f in order) + "\n"
    imported = read_register_file(write(tmp_path, text))
    assert imported.kept_columns[field] == header
    pupil = imported.pupils[0]
    assert (pupil.first_name, pupil.preferred_name, pupil.surname_initial, pupil.class_name) == (
        "Alexander",
        "Alex",
        "Q",
        "5Q",
    )
    assert (pupil.consent_date, pupil.leaving_date) == (date(2024, 9, 1), date(2025, 7, 18))
    assert imported.dropped_columns == ()


def test_a_class_column_is_preferred_to_a_year_group(tmp_path: Path) -> None:
    imported = read_register_file(write(tmp_path, "Year Group,Forename,Form,Consent\nYear 3,Amy,3B,yes\n"))
    assert imported.pupils[0].class_name == "3B"
    assert imported.dropped_columns == ("Year Group",)


def test_unheaded_columns_holding_data_are_reported_as_dropped(tmp_path: Path) -> None:
    imported = read_register_file(write(tmp_path, "Forename,Consent,\nAmy,yes,07700 900123\n"))
    assert imported.dropped_columns == ("column C (no heading)",)


# --- cell values -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("yes", (True, None)),
        ("Yes", (True, None)),
        (" Y ", (True, None)),
        ("TRUE", (True, None)),
        ("1", (True, None)),
        ("✓", (True, None)),
        ("✔", (True, None)),
        ("no", (False, None)),
        ("N", (False, None)),
        ("false", (False, None)),
        ("0", (False, None)),
        ("✗", (False, None)),
        ("✘", (False, None)),
        ("x", (False, None)),
        ("", (False, None)),
        ("   ", (False, None)),
        ("Withdrawn", (False, None)),
        ("withdrawn 03/02/2025", (False, None)),
        ("2024-09-03", (True, date(2024, 9, 3))),
        ("03/09/2024", (True, date(2024, 9, 3))),
        ("3/9/24", (True, date(2024, 9, 3))),
        ("03/09/2024 00:00", (True, date(2024, 9, 3))),
        ("2024-09-03T10:15:00", (True, date(2024, 9, 3))),
        ("3 Sep 2024", (True, date(2024, 9, 3))),
    ],
)
def test_consent_values(text: str, expected: tuple[bool, date | None]) -> None:
    assert parse_consent(text) == expected


@pytest.mark.parametrize("text", ["maybe", "31/02/2024", "09/25/2024", "=TRUE()", "yes please", "2"])
def test_consent_values_that_mean_neither_yes_nor_no_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_consent(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None),
        ("2025-07-18", date(2025, 7, 18)),
        ("18/07/2025", date(2025, 7, 18)),
        ("18-07-2025", date(2025, 7, 18)),
        ("18.07.2025", date(2025, 7, 18)),
        ("18 July 2025", date(2025, 7, 18)),
        ("18-Jul-25", date(2025, 7, 18)),
    ],
)
def test_dates_iso_and_uk(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["07/18/2025", "31/02/2025", "next July", "18/07/0001", "2025-7-40"])
def test_unreadable_dates(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize(
    ("surname", "initial"),
    [("Bloggs", "B"), ("  smith", "S"), ("O'Brien", "O"), ("'t Hooft", "T"), ("e\u0301bert", "É"), ("", None), ("--", None)],
)
def test_only_the_surname_initial_is_kept(surname: str, initial: str | None) -> None:
    assert surname_initial(surname) == initial


def test_names_are_nfc_normalised_and_trimmed(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Zoë")
    text = f"Forename,Known As,Class,Consent\n  {decomposed}  , Zo\u00a0 ,  3B ,yes\nAnna,  Anna ,3B,no\n"
    imported = read_register_file(write(tmp_path, text))
    zoe, anna = imported.pupils
    assert zoe.first_name == "Zoë" and len(zoe.first_name) == 3
    assert (zoe.preferred_name, zoe.class_name) == ("Zo", "3B")
    assert anna.preferred_name is None  # the same as the first name adds nothing


def test_formula_cells_are_kept_as_text(tmp_path: Path) -> None:
    text = 'Forename,Class,Consent\n"=HYPERLINK(""http://evil.example"",""Eve"")",=1+1,no\n@SUM(A1),+3B,yes\n'
    imported = read_register_file(write(tmp_path, text))
    assert [(p.first_name, p.class_name) for p in imported.pupils] == [
        ('=HYPERLINK("http://evil.example","Eve")', "=1+1"),
        ("@SUM(A1)", "+3B"),
    ]


def test_consent_is_dated_only_when_given(tmp_path: Path) -> None:
    text = "Forename,Consent,Consent Date\nAmy,yes,01/09/2024\nBen,withdrawn,02/09/2024\nCal,05/09/2024,\n"
    imported = read_register_file(write(tmp_path, text))
    assert [(p.consent, p.consent_date) for p in imported.pupils] == [
        (True, date(2024, 9, 1)),
        (False, None),
        (True, date(2024, 9, 5)),
    ]


# --- bad rows -----------------------------------------------------------------------------------


def test_bad_rows_are_skipped_with_their_spreadsheet_line_and_reason() -> None:
    imported = read_register_file(SAMPLES / "bad-rows.csv")
    assert names(imported) == ["Amy B", "Cara D", '=HYPERLINK("http://evil.example/x","Eve") F', "Gus H"]
    skipped = {row.line: row.reason for row in imported.skipped}
    assert sorted(skipped) == [3, 4, 6, 10]
    assert skipped[3] == 'no first name in column A "First Name"'
    assert "31/02/2024" in skipped[4] and 'column E "Consent Date"' in skipped[4]
    assert "09/25/2025" in skipped[6] and "leaving date" in skipped[6]
    assert skipped[10] == "repeats line 2 exactly"
    # An unclear consent cell keeps the pupil, without consent (held at the door), listed with its line.
    cara = imported.pupils[1]
    assert (cara.first_name, cara.consent, cara.consent_date) == ("Cara", False, None)
    [unclear] = imported.unclear_consent
    assert unclear.line == 5 and '"maybe"' in unclear.reason and 'column D "Consent"' in unclear.reason
    preview = imported.preview_text()
    assert "Rows skipped: 4" in preview
    assert 'line 4: unreadable consent date "31/02/2024"' in preview
    assert "Consent unclear: 1 (kept without consent" in preview and 'line 5: consent "maybe"' in preview


def test_a_row_with_more_cells_than_the_header_is_not_trusted(tmp_path: Path) -> None:
    text = "Forename,Surname,Consent,Class\nAmy,Bloggs,no,3B\nBen,Smith,Jones,yes,3B\nCal,D,yes,3B,\n"
    imported = read_register_file(write(tmp_path, text))
    assert [p.first_name for p in imported.pupils] == ["Amy", "Cal"]
    assert [(row.line, row.reason) for row in imported.skipped] == [
        (3, "has 5 cells but the header names 4 columns (is there a comma inside a cell?)")
    ]


def test_apostrophes_and_at_signs_do_not_shift_columns(tmp_path: Path) -> None:
    text = "Forename,Surname,Class,Consent\nD'Arcy,O'Brien,3B,no\nP0,@,0,yes\nMa'ia,'t Hooft,3B,no\n"
    imported = read_register_file(write(tmp_path, text))
    assert [(p.first_name, p.class_name, p.consent) for p in imported.pupils] == [
        ("D'Arcy", "3B", False),
        ("P0", "0", True),
        ("Ma'ia", "3B", False),
    ]


def test_line_numbers_count_rows_as_a_spreadsheet_does(tmp_path: Path) -> None:
    # A quoted cell spanning two lines is one spreadsheet row; blank lines are rows too.
    text = 'Forename,Notes,Consent\nAmy,"line one\nline two",yes\n\nBen,,perhaps\n'
    imported = read_register_file(write(tmp_path, text))
    assert [(row.line, row.reason.split(" in ")[0]) for row in imported.unclear_consent] == [(4, 'consent "perhaps"')]


def test_old_mac_line_endings_and_odd_digits_in_class_names(tmp_path: Path) -> None:
    imported = read_register_file(write(tmp_path, "Forename,Class,Consent\rAmy,Year ²,yes\rBen,Year 2,no\r"))
    assert [(p.first_name, p.class_name) for p in imported.pupils] == [("Amy", "Year ²"), ("Ben", "Year 2")]
    assert imported.consent_counts_by_class() == {"Year 2": (0, 1), "Year ²": (1, 1)}


def test_preview_says_what_is_kept_skipped_and_dropped() -> None:
    preview = read_register_file(SAMPLES / "arbor-utf8-comma.csv").preview_text()
    assert "arbor-utf8-comma.csv (plain CSV text, columns split at commas)" in preview
    assert "Pupils kept: 8 (5 with consent, 3 without)" in preview
    assert "3B: 3/3 consented" in preview and "4A: 1/3 consented" in preview
    assert "Rows skipped: none" in preview
    assert "Columns dropped (not needed for admission): Year group, Date of birth, Address, Parent email, UPN" in preview
    assert "Legal surname (initial only)" in preview
    assert "Bloggs" not in preview


# --- files that cannot be used ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "unusable-no-header.csv",
            "unusable-no-header.csv line 1: no column for first names (looked for: first name, forename, legal forename",
        ),
        ("unusable-no-consent-column.csv", "unusable-no-consent-column.csv line 1: no column for consent"),
        ("unusable-header-only.csv", "unusable-header-only.csv line 2: the header is there but no rows follow it"),
        ("unusable-empty.csv", "unusable-empty.csv line 1: the file is empty"),
        ("unusable-html.csv", "unusable-html.csv line 1: no column for first names"),
        ("unusable-binary.csv", "unusable-binary.csv line 1: this is not a CSV text file"),
        ("unusable-workbook.xlsx.csv", "unusable-workbook.xlsx.csv line 1: this is an Excel workbook"),
        ("unusable-all-rows-bad.csv", 'unusable-all-rows-bad.csv line 2: no usable rows: every row was skipped (no first name'),
    ],
)
def test_unusable_files_say_which_file_and_line(name: str, expected: str) -> None:
    with pytest.raises(RegisterUnusable) as caught:
        read_register_file(SAMPLES / name)
    assert str(caught.value).startswith(expected)
    assert isinstance(caught.value, ZoomhostError)
    assert "\n" not in caught.value.user_text()


def test_a_missing_file_or_a_folder_is_unusable(tmp_path: Path) -> None:
    with pytest.raises(RegisterUnusable, match="nowhere.csv: no such file"):
        read_register_file(tmp_path / "nowhere.csv")
    with pytest.raises(RegisterUnusable, match="is a folder"):
        read_register_file(tmp_path)


def test_nul_bytes_in_utf8_text_are_binary_not_a_register(tmp_path: Path) -> None:
    path = tmp_path / "pupils.csv"
    path.write_bytes(b"Forename,Consent\nAmy,yes\nB\x00\x00\x00n,yes\n")
    with pytest.raises(RegisterUnusable, match="pupils.csv line 3: this is not a CSV text file"):
        read_register_file(path)


def test_utf16_without_a_bom_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "pupils.csv"
    path.write_bytes("Forename\tConsent\r\nZoë\tyes\r\nNoah\tno\r\n".encode("utf-16-le"))
    imported = read_register_file(path)
    assert [p.first_name for p in imported.pupils] == ["Zoë", "Noah"]


def test_a_false_bom_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "pupils.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"Forename,Consent\nAmy,yes\nZo\xeb,yes\n")
    with pytest.raises(RegisterUnusable, match=r"pupils.csv line 3: the file is marked as UTF-8 text but is not"):
        read_register_file(path)


# --- staff lists -------------------------------------------------------------------------------------


def test_staff_list_from_first_name_and_surname_columns() -> None:
    imported = read_staff_file(SAMPLES / "staff-names-emails.csv")
    assert [(m.id, m.name, m.email) for m in imported.staff] == [
        (1, "Jane Kinrade", "j.kinrade@school.example"),
        (2, "Dev Sharma", "d.sharma@school.example"),
        (3, "Ruth Cain", None),
    ]
    assert [(row.line, row.reason) for row in imported.skipped] == [
        (5, '"not-an-address" in column D "Work Email" is not an email address')
    ]
    assert imported.dropped_columns == ("Title", "Mobile")
    assert "Staff kept: 3 (2 with an email address)" in imported.preview_text()


def test_staff_list_with_full_name_and_e_mail_semicolons() -> None:
    imported = read_staff_file(SAMPLES / "staff-fullname-semicolon.csv")
    assert imported.delimiter == ";"
    assert [m.name for m in imported.staff] == ["Jane Kinrade", "Dev Sharma"]
    assert imported.kept_columns == {"name": "Full Name", "email": "E-mail"}
    assert imported.dropped_columns == ("Role",)


def test_staff_list_without_names_is_unusable(tmp_path: Path) -> None:
    with pytest.raises(RegisterUnusable, match=r"staff.csv line 1: no column for names or first names \(looked for: name, full name"):
        read_staff_file(write(tmp_path, "Work Email,Mobile\na@school.example,1\n", name="staff.csv"))


def test_direction_controls_in_a_name_cell_are_dropped(tmp_path) -> None:
    from zoomhost.core.register import read_register_file

    path = tmp_path / "rlo.csv"
    path.write_text("Forename,Surname,Class,Consent\n\u202eAmy\u202c,Bloggs,Y3,yes\n", encoding="utf-8")
    (pupil,) = read_register_file(path).pupils
    assert pupil.first_name == "Amy"
