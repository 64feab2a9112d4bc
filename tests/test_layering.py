"""The one-way dependencies of the design, checked on every import statement (top level or not).

core depends on nothing; only ui touches Qt; only zoom talks HTTP to Zoom; the WebSocket and
HTTP-server libraries stay in the packages whose job they are.
"""

from __future__ import annotations

import ast

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "zoomhost"

# library -> the zoomhost packages allowed to import it
ALLOWED_LIBRARIES = {
    "PySide6": {"ui"},
    "shiboken6": {"ui"},
    "httpx": {"zoom"},
    "authlib": {"zoom"},
    "websockets": {"zoom", "assistant", "rehearsal"},  # Zoom's event stream; the assistant's control channel; the rehearsal binding's bridge
    "aiohttp": {"rehearsal", "zoom"},  # the rehearsal server; the loopback OAuth redirect listener
    "zoom_meeting_sdk": {"assistant"},
}
CORE_MAY_NOT_IMPORT = ("zoomhost.zoom", "zoomhost.assistant", "zoomhost.rehearsal", "zoomhost.ui", "zoomhost.app.services", "zoomhost.live")


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


def _area(path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else path.stem


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_imports_follow_the_layering(path) -> None:
    area = _area(path)
    problems = []
    for line, module in _imports(path):
        top = module.split(".")[0]
        if top in ALLOWED_LIBRARIES and area not in ALLOWED_LIBRARIES[top]:
            problems.append(f"line {line}: {module} (allowed only in {sorted(ALLOWED_LIBRARIES[top])})")
        if area == "core" and module.startswith(CORE_MAY_NOT_IMPORT):
            problems.append(f"line {line}: core imports {module}")
    assert not problems, "\n".join(problems)


def test_the_check_sees_imports_inside_functions(tmp_path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    import httpx\n    from PySide6.QtCore import QObject\n", encoding="utf-8")
    assert [m for _, m in _imports(sample)] == ["httpx", "PySide6.QtCore"]
