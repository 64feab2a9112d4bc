"""The one-way dependencies of the design (DESIGN §3), checked on every import statement.

Every import counts: at the top of a module, inside a function, and under ``if TYPE_CHECKING``
(a type-only import is still a dependency a reader has to follow). Two tables say who may
import what: ``MAY_IMPORT`` for zoomhost's own packages, ``ALLOWED_LIBRARIES`` for the
libraries that belong to one package's job. Then no module may import itself back through
others: the module graph has no cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping, Set
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "zoomhost"

# ---- the rules --------------------------------------------------------------------------------
# Who may import which part of zoomhost. A part may always import itself, and anyone may import
# the package itself (``zoomhost``: the version). A dotted entry ("system.runtime") allows that
# one module and no other of its package.
PARTS = frozenset({"core", "system", "zoom", "assistant", "rehearsal", "live", "app", "ui", "commands"})
MAY_IMPORT: dict[str, Set[str]] = {
    "core": set(),  # the domain: folders, redaction and templates come in as arguments
    "system": set(),  # this computer: settings file, folders, logs, redaction, the I/O thread
    "zoom": {"core", "system"},
    "assistant": {"core", "system"},
    "rehearsal": {"core", "system", "assistant"},  # its fake SDK binding plays the SDK interface the assistant uses
    "live": {"core", "system", "zoom", "assistant"},
    "app": PARTS - {"ui", "commands"},
    "ui": {
        "app",
        "core",
        "system.runtime",  # the I/O thread every page hands its work to and hears back from (ui/tasks.py)
        "system.logs",  # the window is a way in, like cli.py: it sets up logging, and error panels name the log file
        "system.resources",  # the window's own icon and stylesheet
    },
    "commands": {
        "app",
        "core",
        "ui.main",  # `zoomhost gui` opens the window
        "ui.pdf",  # a PDF summary is laid out by Qt, which only ui may import
    },
    "cli": {"commands", "system.logs", "core.errors"},  # core.errors: an expected failure is one plain line
    "__main__": {"cli"},
    "__init__": set(),
}

# Library -> the parts of zoomhost allowed to import it.
ALLOWED_LIBRARIES = {
    "PySide6": {"ui"},
    "shiboken6": {"ui"},
    "httpx": {"zoom"},
    "authlib": {"zoom"},
    "truststore": {"zoom"},  # which certificates HTTPS to Zoom trusts
    "websockets": {"zoom", "assistant", "rehearsal"},  # Zoom's event stream; the assistant's control channel; the rehearsal binding's bridge
    "aiohttp": {"rehearsal", "zoom"},  # the rehearsal server; the loopback OAuth redirect listener
    "zoom_meeting_sdk": {"assistant"},
    "gi": {"assistant"},  # GLib's main loop, the one thread the Meeting SDK runs on
    "jsonschema": {"rehearsal"},  # request bodies checked against Zoom's documented schemas
}


# ---- reading the imports ----------------------------------------------------------------------
def _module_name(path: Path, root: Path) -> str:
    """``zoomhost/core/journal.py`` -> ``zoomhost.core.journal`` (a package's ``__init__`` is the package)."""
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str, root: Path) -> bool:
    """Whether ``name`` is a module or package of the tree at ``root``."""
    first, *rest = name.split(".")
    if first != root.name:
        return False
    where = root.joinpath(*rest)
    return where.with_suffix(".py").is_file() or (where / "__init__.py").is_file()


def _imports(path: Path, root: Path = PACKAGE) -> list[tuple[int, str]]:
    """(line, module) for every import in the file, wherever it stands, in the order of the lines.

    ``from zoomhost.system import paths`` is an import of ``zoomhost.system.paths``: a name
    imported from a package counts as its module when it is one.
    """
    return sorted(_each_import(path, root), key=lambda found: found[0])


def _each_import(path: Path, root: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                here = _module_name(path, root).split(".")
                package = here if path.name == "__init__.py" else here[:-1]
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            modules = [f"{base}.{alias.name}" for alias in node.names if _is_module(f"{base}.{alias.name}", root)]
            if len(modules) < len(node.names):
                modules.insert(0, base)  # some names are not modules: they come from the package itself
            for module in modules:
                yield node.lineno, module


def _part(path: Path, root: Path = PACKAGE) -> str:
    """The part of zoomhost a file belongs to: its top folder, or the top-level module's name."""
    parts = path.relative_to(root).parts
    return parts[0] if len(parts) > 1 else path.stem


def _allowed(part: str, module: str) -> bool:
    target = module.split(".")[1:]  # after "zoomhost"
    if not target or target[0] == part:
        return True
    dotted = ".".join(target)
    return any(dotted == entry or dotted.startswith(entry + ".") for entry in MAY_IMPORT.get(part, ()))


def _violations(path: Path, root: Path = PACKAGE) -> list[str]:
    part = _part(path, root)
    problems = []
    for line, module in _imports(path, root):
        top = module.split(".")[0]
        if top in ALLOWED_LIBRARIES and part not in ALLOWED_LIBRARIES[top]:
            problems.append(f"line {line}: {module} (the library is allowed only in {sorted(ALLOWED_LIBRARIES[top])})")
        if top == root.name and not _allowed(part, module):
            problems.append(f"line {line}: {part} imports {module}")
    return problems


# ---- the module graph -------------------------------------------------------------------------
def _sources(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def module_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the modules of the same tree it imports (any import statement, anywhere in it)."""
    graph: dict[str, set[str]] = {}
    for path in _sources(root):
        name = _module_name(path, root)
        edges = graph.setdefault(name, set())
        for _, module in _imports(path, root):
            if module != name and _is_module(module, root):
                edges.add(module)
    return graph


def find_cycles(graph: Mapping[str, Set[str]]) -> list[list[str]]:
    """One cycle (``[a, b, …, a]``) for each knot of modules that import one another, however indirectly."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    knots: list[set[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph.get(node, ())):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            knot = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                knot.add(member)
                if member == node:
                    break
            if len(knot) > 1:
                knots.append(knot)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_cycle_through(min(knot), knot, graph) for knot in sorted(knots, key=min)]


def _cycle_through(start: str, knot: Set[str], graph: Mapping[str, Set[str]]) -> list[str]:
    """The shortest way from ``start`` back to itself, inside the knot."""
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for succ in sorted(graph.get(node, ())):
                if succ == start:
                    return [*paths[node], start]
                if succ in knot and succ not in paths:
                    paths[succ] = [*paths[node], succ]
                    following.append(succ)
        frontier = following
    raise AssertionError(f"{start} is in a knot but no way leads back to it")  # pragma: no cover


# ---- the checks -------------------------------------------------------------------------------
SOURCES = _sources(PACKAGE)


def test_every_part_of_zoomhost_has_a_rule() -> None:
    assert {_part(path) for path in SOURCES} <= set(MAY_IMPORT)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_imports_follow_the_layering(path: Path) -> None:
    problems = _violations(path)
    assert not problems, "\n".join(problems)


def test_no_module_imports_itself_back_through_others() -> None:
    cycles = find_cycles(module_graph())
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in cycles)


# ---- the checker checked ----------------------------------------------------------------------
def _tree(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_check_sees_imports_inside_functions_and_under_type_checking(tmp_path: Path) -> None:
    root = _tree(
        tmp_path / "zoomhost",
        {
            "__init__.py": "",
            "system/__init__.py": "",
            "system/paths.py": "",
            "core/__init__.py": "",
            "core/sample.py": (
                "from typing import TYPE_CHECKING\n"
                "from zoomhost import __version__\n"
                "from zoomhost.core import models\n"
                "if TYPE_CHECKING:\n"
                "    from zoomhost.ui.window import MainWindow\n"
                "def f():\n"
                "    import httpx\n"
                "    from zoomhost.system import paths\n"
                "    from PySide6.QtCore import QObject\n"
            ),
        },
    )
    sample = root / "core" / "sample.py"
    assert [m for _, m in _imports(sample, root)] == [
        "typing",
        "zoomhost",
        "zoomhost.core",  # models.py is not in this tree, so the name comes from the package
        "zoomhost.ui.window",
        "httpx",
        "zoomhost.system.paths",
        "PySide6.QtCore",
    ]
    assert _violations(sample, root) == [
        "line 5: core imports zoomhost.ui.window",
        "line 7: httpx (the library is allowed only in ['zoom'])",
        "line 8: core imports zoomhost.system.paths",
        "line 9: PySide6.QtCore (the library is allowed only in ['ui'])",
    ]


def test_a_named_module_allows_that_module_only(tmp_path: Path) -> None:
    root = _tree(
        tmp_path / "zoomhost",
        {
            "system/runtime.py": "",
            "system/paths.py": "",
            "ui/page.py": "from zoomhost.system import runtime\nfrom zoomhost.system.paths import sessions_dir\n",
        },
    )
    assert _violations(root / "ui" / "page.py", root) == ["line 2: ui imports zoomhost.system.paths"]


def test_the_cycle_finder_reports_a_planted_cycle(tmp_path: Path) -> None:
    root = _tree(
        tmp_path / "pkg",
        {
            "__init__.py": "",
            "store.py": "from pkg.reader import Imported\n",
            "reader.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import store\n",
            "view.py": "def show():\n    from pkg.store import Imported\n",  # leads into the knot, is not in it
            "alone.py": "import pkg.view\n",
        },
    )
    graph = module_graph(root)
    assert graph["pkg.reader"] == {"pkg.store"} and graph["pkg.view"] == {"pkg.store"}
    assert find_cycles(graph) == [["pkg.reader", "pkg.store", "pkg.reader"]]
    (root / "reader.py").write_text("Imported = object\n", encoding="utf-8")
    assert find_cycles(module_graph(root)) == []


def test_the_cycle_finder_names_every_knot_and_a_longer_way_round() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"e"}, "e": {"d", "a"}, "f": {"a"}}
    assert find_cycles(graph) == [["a", "b", "c", "a"], ["d", "e", "d"]]
