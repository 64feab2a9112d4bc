"""The log holds display names and errors: its files are readable by the signed-in user only."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

from zoomhost.system import logs


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_log_a_command_writes_is_private_even_with_a_lax_umask(zoomhost_home: Path) -> None:
    code = "import os; os.umask(0o022); from zoomhost.cli import main; raise SystemExit(main(['paths']))"
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, env=os.environ.copy(), timeout=60)
    log = zoomhost_home / "logs" / "zoomhost.log"
    assert log.is_file() and _mode(log) == 0o600


def test_rotated_and_older_log_files_are_private_too(tmp_path: Path) -> None:
    path = tmp_path / "zoomhost.log"
    path.write_text("from an older version\n", encoding="utf-8")
    path.chmod(0o644)
    handler = logs._PrivateRotatingFileHandler(path, maxBytes=200, backupCount=2, encoding="utf-8")
    try:
        assert _mode(path) == 0o600
        for n in range(20):
            handler.emit(logging.LogRecord("t", logging.INFO, __file__, 1, f"arrival number {n} " * 3, None, None))
    finally:
        handler.close()
    files = sorted(tmp_path.glob("zoomhost.log*"))
    assert len(files) == 3
    assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
