"""The privacy pack (docs/privacy.md) stays true to the code: its commands run, its keyring entries and
folders are zoomhost's, and every Zoom call it names is one Zoom documents and zoomhost makes."""

from __future__ import annotations

import json
import re
import shlex

import pytest

from tests.conftest import DATA, REPO
from zoomhost import cli

PACK = (REPO / "docs" / "privacy.md").read_text(encoding="utf-8")
ENDPOINT = re.compile(r"`(GET|PATCH|PUT|POST|DELETE) (/[^`?\s]+)(?:\?[^`]*)?`")


def _examples() -> list[str]:
    """The example command lines (the indented ones): each must run as written."""
    return [line.strip().split("  #")[0].strip() for line in PACK.splitlines() if line.startswith("    zoomhost ")]


def _mentions() -> list[str]:
    """Commands named in the text (`zoomhost pupil show|forget`, `zoomhost invitations MEETING …`)."""
    return re.findall(r"`(zoomhost [^`]+)`", PACK)


@pytest.mark.parametrize("command", _examples())
def test_every_example_command_runs_as_written(command: str) -> None:
    argv = shlex.split(command)[1:]
    args = cli.build_parser(command=argv[0]).parse_args(argv)
    assert callable(args.func)


@pytest.mark.parametrize("command", _mentions())
def test_every_command_the_text_names_exists(command: str) -> None:
    words = command.split()[1:]
    parser = cli.build_parser(command=words[0])
    level = parser
    for word in words:
        if word.startswith("-") or not word[0].islower():
            break  # options and placeholders (MEETING, FILE, …) are the command's business
        actions = [a for a in level._actions if a.__class__.__name__ == "_SubParsersAction"]  # noqa: SLF001
        if not actions:
            break
        for choice in word.split("|"):
            assert choice in actions[0].choices, f"{command}: no {choice!r}"
        level = actions[0].choices[word.split("|")[0]]


def test_the_keyring_entries_and_folders_are_zoomhosts() -> None:
    from zoomhost.zoom.credentials import FIELDS, REGISTER_KEY_NAME, SERVICE

    listed = re.search(r"service `(\w+)` \| (.+?) \|", PACK)
    assert listed is not None and listed.group(1) == SERVICE
    assert re.findall(r"`(\w+)`", listed.group(2)) == [*FIELDS, REGISTER_KEY_NAME]
    for name in ("register.sqlite3", "sessions/<session>.sqlite3", "zoomhost.log", "settings.json", "zoom-meeting-updates.json"):
        assert f"`{name}`" in PACK, name


def _normal(path: str) -> str:
    """``/users/{host}/settings`` and ``users/{_user_path(user_id)}/settings`` -> ``users/{}/settings``."""
    parts = path.strip("/").split("/")
    return "/".join("{}" if part.startswith("{") or part == "me" else part for part in parts)


def test_every_zoom_call_the_pack_names_is_documented_by_zoom_and_made_by_zoomhost() -> None:
    named = ENDPOINT.findall(PACK)
    assert len(named) >= 10
    documented: set[tuple[str, str]] = set()
    for document in ("ZoomMeetingsAPI.endpoints.json", "ZoomUsersAPI.endpoints.json", "ZoomAccountsAPI.endpoints.json"):
        spec = json.loads((DATA / "zoom-api" / document).read_text(encoding="utf-8"))
        for path, operations in spec["paths"].items():
            documented.update((method.upper(), _normal(path)) for method in operations)
    client = (REPO / "zoomhost" / "zoom" / "client.py").read_text(encoding="utf-8")
    made = {_normal(re.sub(r"\{[^{}]*(\([^)]*\))?[^{}]*\}", "{x}", path)) for path in re.findall(r'f"([a-z_]+/[^"]+)"', client)}
    for method, path in named:
        assert (method, _normal(path)) in documented, f"{method} {path} is not in Zoom's documents"
        assert _normal(path) in made, f"{path} is not a call zoomhost makes"
