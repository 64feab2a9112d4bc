"""The installed package must contain every module and resource, or the app breaks only after install."""

from __future__ import annotations

import tomllib

from tests.conftest import REPO


def test_every_package_is_listed_in_pyproject() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "zoomhost").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert on_disk - listed == set(), "packages missing from pyproject.toml [tool.setuptools] packages"


def test_resources_resolve_to_the_top_level_folder() -> None:
    from zoomhost.system.resources import resource

    assert resource("__init__.py").exists()
