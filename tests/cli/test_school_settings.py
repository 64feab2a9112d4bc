"""School settings: the school.json an IT lead writes once, deployed system-wide or imported by a teacher.

The keyring is the test run's real Secret Service (run with tests/in-keyring-session.sh)."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import pytest

from tests.conftest import require
from zoomhost import cli
from zoomhost.system import config
from zoomhost.zoom.credentials import SERVICE, CredentialStore

SCHOOL = {
    "account_id": "lxdFederation0Zm1",
    "school_domains": ["oakfield.example", "federation.example"],
    "subscription_id": "sub-Oakfield_2026",
    "assistant_user": "safeguarding.assistant@oakfield.example",
    "allowed_hosts": ["head@oakfield.example", "@federation.example"],
    "session_retention_days": 14,
    "register_refresh_days": 30,
}


def write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def keyring_store() -> CredentialStore:
    store = CredentialStore()
    require(store.is_persistent, "needs a Secret Service keyring: run with tests/in-keyring-session.sh")
    store.clear()
    yield store
    store.clear()


def test_a_deployed_school_file_is_every_laptops_default(zoomhost_home: Path) -> None:
    write(zoomhost_home / "school.json", SCHOOL)  # with ZOOMHOST_HOME, the system-wide file is beside its folders
    settings = config.load_settings()
    assert settings.subscription_id == "sub-Oakfield_2026"
    assert settings.school_email_domain == "oakfield.example, federation.example"
    assert settings.session_retention_days == 14 and settings.register_refresh_days == 30
    assert settings.allowed_hosts == "head@oakfield.example, @federation.example"


def test_a_teacher_overrides_only_what_the_policy_allows(zoomhost_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(zoomhost_home / "school.json", {**SCHOOL, "locked": ["subscription_id"]})
    write(config.settings_path(), {"version": 1, "subscription_id": "my-own", "assistant_user": "", "session_retention_days": 60})
    settings = config.load_settings()
    assert settings.subscription_id == "sub-Oakfield_2026"  # locked: the school's value wins
    assert settings.assistant_user == ""  # not locked: the teacher's choice stands
    assert settings.session_retention_days == 14  # a teacher may shorten retention, never lengthen it
    assert cli.main(["purge", "--dry-run"]) == 0
    assert "retention 14 days" in capsys.readouterr().out
    assert cli.main(["settings", "show"]) == 0
    out = capsys.readouterr().out
    assert "Locked (only the IT lead can change them): subscription_id" in out and "at most 14 days" in out


def test_saving_keeps_the_school_values_out_of_the_teachers_file(zoomhost_home: Path) -> None:
    write(zoomhost_home / "school.json", SCHOOL)
    config.save_settings(config.replace(config.load_settings(env=False), host_email="head@oakfield.example"))
    saved = json.loads(config.settings_path().read_text(encoding="utf-8"))
    assert saved["host_email"] == "head@oakfield.example" and "subscription_id" not in saved
    write(zoomhost_home / "school.json", {**SCHOOL, "subscription_id": "renewed-by-IT"})  # the IT lead changes it later
    assert config.load_settings().subscription_id == "renewed-by-IT"


def test_settings_import_keeps_the_values_and_the_account_id_in_the_keyring(
    tmp_path: Path, keyring_store: CredentialStore, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "from-IT" / "school.json", SCHOOL)
    assert cli.main(["settings", "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "event subscription ID: (empty) → sub-Oakfield_2026" in out and "days sessions are kept: 30 → 14" in out
    settings = config.load_settings()
    assert (settings.subscription_id, settings.session_retention_days) == ("sub-Oakfield_2026", 14)
    assert keyring.get_password(SERVICE, "account_id") == "lxdFederation0Zm1"
    assert cli.main(["settings", "import", str(path)]) == 0
    assert "Nothing changed" in capsys.readouterr().out


@pytest.mark.parametrize("secret_key", ["client_secret", "sdk_secret", "user_refresh_token", "Password"])
def test_a_file_carrying_a_secret_is_refused_and_nothing_of_it_is_stored(
    tmp_path: Path, keyring_store: CredentialStore, capsys: pytest.CaptureFixture[str], secret_key: str
) -> None:
    secret = "s3cret-value-that-must-go-nowhere"
    path = write(tmp_path / "school.json", {**SCHOOL, secret_key: secret})
    assert cli.main(["settings", "import", str(path)]) == 1
    captured = capsys.readouterr()
    said = captured.out + captured.err
    assert f"carries a secret ({secret_key})" in said and "nothing of it was used or stored" in said
    assert secret not in said
    assert not config.settings_path().exists() and keyring.get_password(SERVICE, "account_id") is None
    assert config.load_settings().subscription_id == ""
    # Deployed system-wide, such a file is not used at all either.
    write(Path(config.paths.config_dir()).parent / "school.json", {**SCHOOL, secret_key: secret})
    assert config.load_settings().subscription_id == ""


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"session_retention_days": 0}, "session_retention_days must be a whole number of days from 1 to 365"),
        ({"session_retention_days": "30"}, "session_retention_days must be a whole number"),
        ({"school_domains": ["not a domain"]}, "school_domains must list email domains"),
        ({"api_base": "http://zoom.example.org/v2"}, "is not secure"),
        ({"allowed_hosts": ["head"]}, "allowed_hosts must be emails or @domain"),
        ({"colour": "blue"}, "no school setting called colour"),
        ({"locked": ["everything"]}, "locked names keys zoomhost does not know"),
    ],
)
def test_a_bad_value_is_named_and_nothing_is_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict, words: str
) -> None:
    path = write(tmp_path / "school.json", {**SCHOOL, **change})
    assert cli.main(["settings", "import", str(path)]) == 1
    captured = capsys.readouterr()
    assert words in captured.out + captured.err and "Nothing was imported" in captured.out + captured.err
    assert not config.settings_path().exists()


def test_the_staff_meeting_words_are_a_school_setting(zoomhost_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(zoomhost_home / "school.json", {**SCHOOL, "staff_meeting_words": ["Staff meeting", "INSET", "governors' meeting"]})
    assert config.load_settings().staff_meeting_words == "Staff meeting, INSET, governors' meeting"
    assert cli.main(["settings", "show"]) == 0
    assert "staff_meeting_words (Staff meeting topic words): Staff meeting, INSET, governors' meeting" in capsys.readouterr().out

    # a teacher changes them from the command line, checked as the Settings page checks them
    assert cli.main(["settings", "set", "staff_meeting_words", "staff briefing; INSET"]) == 0
    assert "Staff meeting topic words: Staff meeting, INSET, governors' meeting → staff briefing, INSET" in capsys.readouterr().out
    assert config.load_settings().staff_meeting_words == "staff briefing, INSET"
    assert cli.main(["settings", "set", "staff_meeting_words", "x" * 61]) == 1
    assert "Staff meeting topic words" in capsys.readouterr().err
    assert config.load_settings().staff_meeting_words == "staff briefing, INSET"  # nothing changed

    # locked by the school: refused, and nothing changes
    write(zoomhost_home / "school.json", {**SCHOOL, "staff_meeting_words": "INSET", "locked": ["staff_meeting_words"]})
    assert cli.main(["settings", "set", "staff_meeting_words", "anything"]) == 1
    assert "only the IT lead can change it" in capsys.readouterr().err
    assert config.load_settings().staff_meeting_words == "INSET"
    assert cli.main(["settings", "set", "colour", "blue"]) == 1
    assert "no setting called 'colour'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("words", "said"),
    [
        (42, "staff_meeting_words must be a list of words"),
        (["INSET", 7], "staff_meeting_words must be a list of words, not int"),
        (["staff, meeting"], "holds a comma or semicolon"),
        (["---"], "is not a word or phrase"),
        (["y" * 61], "is not a word or phrase"),
        ([f"word {n}" for n in range(21)], "at most 20"),
    ],
)
def test_malformed_staff_meeting_words_are_named_and_nothing_is_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], words: object, said: str
) -> None:
    path = write(tmp_path / "school.json", {**SCHOOL, "staff_meeting_words": words})
    assert cli.main(["settings", "import", str(path)]) == 1
    captured = capsys.readouterr()
    assert said in captured.out + captured.err and "Nothing was imported" in captured.out + captured.err
    assert not config.settings_path().exists()


def test_staff_meeting_words_beside_a_secret_do_not_save_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "school.json", {**SCHOOL, "staff_meeting_words": ["INSET"], "client_secret": "never-anywhere"})
    assert cli.main(["settings", "import", str(path)]) == 1
    said = "".join(capsys.readouterr())
    assert "carries a secret (client_secret)" in said and "never-anywhere" not in said
    assert not config.settings_path().exists()
    # an empty list is the school's choice: no meeting is a staff meeting by its topic
    empty = write(tmp_path / "none.json", {**SCHOOL, "staff_meeting_words": []})
    assert cli.main(["settings", "import", str(empty)]) == 0
    assert config.load_settings().staff_meeting_words == ""
