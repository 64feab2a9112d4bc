"""Whatever file a teacher picks, the importer answers with a register or one clear refusal, never a crash."""

from __future__ import annotations

import contextlib
import io
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zoomhost import cli
from zoomhost.system import paths
from zoomhost.core.register import (
    RegisterImport,
    RegisterStore,
    RegisterUnusable,
    read_register_file,
    read_staff_file,
)

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "registers"
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

YES = ["yes", "Y", "TRUE", "1", "✓", "✔", "03/09/2024", "2024-09-03"]
NO = ["no", "n", "False", "0", "✗", "✘", "x", "", "withdrawn", "Withdrawn"]
NEITHER = ["maybe", "31/02/2024", "=TRUE()", "?", "yes no"]
HEADERS = {
    "first": ["First Name", "forename", "LEGAL FORENAME", " first_name "],
    "surname": ["Surname", "last name", "Family Name"],
    "class": ["Class", "form", "Reg Group", "registration group", "Year Group"],
    "consent": ["Consent", "zoom consent", "Video Consent"],
    "extra": ["Date of Birth", "Address", "Parent Email", "UPN", ""],
}
cell_text = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]) | st.sampled_from([",", ";", "\t", "\"", "\n", "="]), max_size=12)


def _in_temp_file(data: bytes, name: str = "pupils.csv") -> contextlib.AbstractContextManager[Path]:
    @contextlib.contextmanager
    def manager():
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(data)
            yield path

    return manager()


def _check_register(imported: RegisterImport) -> None:
    assert [p.id for p in imported.pupils] == list(range(1, len(imported.pupils) + 1))
    for pupil in imported.pupils:
        assert pupil.first_name and pupil.first_name == pupil.first_name.strip()
        assert unicodedata.is_normalized("NFC", pupil.first_name)
        assert pupil.surname_initial is None or pupil.surname_initial[0].isalpha()
        assert pupil.consent or pupil.consent_date is None
    lines = [row.line for row in imported.skipped]
    assert lines == sorted(set(lines)) and all(line >= 2 for line in lines)
    assert imported.preview_text()


@FUZZ
@given(data=st.one_of(st.binary(max_size=600), st.text(max_size=300).map(lambda text: text.encode("utf-8", "surrogatepass"))))
def test_random_bytes_give_a_register_or_a_clear_refusal(data: bytes) -> None:
    with _in_temp_file(data) as path:
        for reader in (read_register_file, read_staff_file):
            try:
                result = reader(path)
            except RegisterUnusable as err:
                assert str(err).startswith("pupils.csv")
                assert "\n" not in err.user_text()
            else:
                if isinstance(result, RegisterImport):
                    _check_register(result)


@st.composite
def csvish(draw: st.DrawFn) -> tuple[bytes, dict[str, bool | None]]:
    """A plausible export with random junk mixed in, and what each pupil's consent must come out as."""
    columns = draw(st.permutations(["first", "surname", "class", "consent", "extra"]))
    columns = [c for c in columns if c != "extra" or draw(st.booleans())]
    header = [draw(st.sampled_from(HEADERS[c])) for c in columns]
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    expected: dict[str, bool | None] = {}
    lines = [header]
    for index in range(draw(st.integers(min_value=0, max_value=8))):
        consent = draw(st.sampled_from(YES + NO + NEITHER))
        first = f"P{index}{draw(st.sampled_from(['', 'é', ' Ann', 'Zoë']))}"
        expected[" ".join(unicodedata.normalize("NFC", first).split())] = (
            True if consent in YES else False if consent in NO else None
        )
        row = {"first": first, "consent": consent, "surname": draw(cell_text), "class": draw(cell_text)}
        row["extra"] = draw(cell_text)
        lines.append([row[c] for c in columns])
    junk = draw(st.lists(st.lists(cell_text, max_size=5), max_size=3))
    text = "\r\n".join(delimiter.join(_quote(cell, delimiter) for cell in row) for row in lines + junk)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    return data, expected


def _quote(cell: str, delimiter: str) -> str:
    if any(ch in cell for ch in (delimiter, '"', "\n", "\r")):
        return '"' + cell.replace('"', '""') + '"'
    return cell


@FUZZ
@given(sample=csvish())
def test_csvish_text_never_crashes_and_never_invents_consent(sample: tuple[bytes, dict[str, bool | None]]) -> None:
    data, expected = sample
    with _in_temp_file(data) as path:
        try:
            imported = read_register_file(path)
        except RegisterUnusable as err:
            assert str(err).startswith("pupils.csv")
            return
    _check_register(imported)
    for pupil in imported.pupils:
        if pupil.first_name in expected:
            # A "no", a blank or anything unreadable never becomes consent; an unreadable cell keeps the
            # pupil, without consent, and is listed for the person importing.
            assert (expected[pupil.first_name] is True) is pupil.consent
            if expected[pupil.first_name] is None:
                assert imported.unclear_consent


@settings(FUZZ, max_examples=60)  # each stored example syncs the database to disk twice
@given(data=st.one_of(st.binary(max_size=300), csvish().map(lambda sample: sample[0])))
def test_a_failed_import_never_touches_the_stored_register(data: bytes) -> None:
    store = RegisterStore(db_path=paths.register_db())
    if store.imported_at() is None:
        store.replace_pupils(read_register_file(SAMPLES / "arbor-utf8-comma.csv"))
    before = (store.pupils(), store.imported_at())
    out, err = io.StringIO(), io.StringIO()
    with _in_temp_file(data) as path, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(["register", "import", str(path)])
    assert status in (0, 1), err.getvalue()
    if status == 1:
        assert err.getvalue().startswith("zoomhost: pupils.csv") and err.getvalue().count("\n") == 1
        assert (store.pupils(), store.imported_at()) == before
    else:
        assert "Pupils kept:" in out.getvalue()
        # Put the known register back for the next example.
        store.replace_pupils(read_register_file(SAMPLES / "arbor-utf8-comma.csv"))
