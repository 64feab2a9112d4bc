"""Each command loads only its own module; the command table matches what the modules register."""

from __future__ import annotations

import subprocess
import sys

from zoomhost import cli


def test_the_command_table_names_exactly_what_each_module_registers() -> None:
    registered: dict[str, str] = {}
    for module in cli.COMMAND_MODULES:
        parser = cli.build_parser(command=next(c for c, m in cli.COMMANDS.items() if m == module))
        choices = parser._subparsers._group_actions[0].choices  # noqa: SLF001 - argparse keeps them here
        registered.update({name: module for name in choices})
    assert registered == cli.COMMANDS


def test_quick_commands_do_not_import_the_network_and_gui_libraries() -> None:
    probe = (
        "import sys, zoomhost.cli as c\n"
        "try:\n    c.main(['--version'])\nexcept SystemExit:\n    pass\n"
        "c.main(['paths'])\n"
        "print(sorted(m for m in ('httpx', 'aiohttp', 'authlib', 'PySide6', 'clevercsv') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_unknown_commands_are_refused_with_the_full_list(capsys) -> None:
    try:
        cli.main(["frobnicate"])
    except SystemExit as exit_:
        assert exit_.code == 2
    err = capsys.readouterr().err
    assert "invalid choice" in err and "preflight" in err


def test_a_closed_pipe_ends_quietly(tmp_path) -> None:
    import os

    from tests.conftest import REPO

    names = tmp_path / "names.txt"
    names.write_text("Amy B\nGalaxy A52\n" * 5000, encoding="utf-8")  # far more than a pipe holds
    register = REPO / "tests" / "data" / "dryrun" / "register.csv"
    env = {**os.environ, "ZOOMHOST_HOME": str(tmp_path / "home")}
    # `head -c 1` closes the pipe after one byte while zoomhost is still writing the table.
    done = subprocess.run(
        f"{sys.executable} -m zoomhost dry-run --register {register} {names} | head -c 1 >/dev/null; exit ${{PIPESTATUS[0]}}",
        shell=True, executable="/bin/bash", capture_output=True, text=True, env=env, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "unexpected" not in done.stderr


def test_clearing_credentials_without_a_terminal_needs_yes(capsys) -> None:
    assert cli.main(["credentials", "clear"]) == 1
    assert "--yes" in capsys.readouterr().err
