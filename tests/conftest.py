"""Fixtures every test shares: an isolated zoomhost home, Qt offscreen, and honest skips."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


def _resources_of_this_checkout() -> None:
    """Templates, icons and the stylesheet come from the checkout under test, even when an editable
    install made from another checkout maps ``zoomhost.resources`` to that one's folder."""
    import importlib.util
    import sys

    folder = REPO / "resources"
    spec = importlib.util.spec_from_file_location(
        "zoomhost.resources", folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    if spec is not None and spec.loader is not None and "zoomhost.resources" not in sys.modules:
        module = importlib.util.module_from_spec(spec)
        sys.modules["zoomhost.resources"] = module
        spec.loader.exec_module(module)


_resources_of_this_checkout()


def require(condition: bool, why: str) -> None:
    """Skip when a tool is missing, or fail when ZOOMHOST_REQUIRE_TOOLS is set (CI)."""
    if condition:
        return
    if os.environ.get("ZOOMHOST_REQUIRE_TOOLS"):
        pytest.fail(f"required tool missing in CI: {why}")
    pytest.skip(why)


def require_executable(name: str) -> str:
    path = shutil.which(name)
    require(path is not None, f"{name} is not installed")
    return path  # type: ignore[return-value]


@pytest.fixture(autouse=True)
def zoomhost_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data, config, log and cache folders, and no ambient credentials."""
    home = tmp_path / "zoomhost-home"
    monkeypatch.setenv("ZOOMHOST_HOME", str(home))
    for var in (
        "ZOOMHOST_ACCOUNT_ID",
        "ZOOMHOST_CLIENT_ID",
        "ZOOMHOST_CLIENT_SECRET",
        "ZOOMHOST_API_BASE",
        "ZOOMHOST_OAUTH_BASE",
        "ZOOMHOST_WS_BASE",
        "ZOOMHOST_SUBSCRIPTION_ID",
    ):
        monkeypatch.delenv(var, raising=False)
    from zoomhost.system import redact

    redact.forget_secrets()
    return home


@pytest.fixture
def zoom_api_dir() -> Path:
    """Zoom's published OpenAPI documents (the contract); a copy ships in tests/data/zoom-api."""
    local = DATA / "zoom-api"
    require(local.is_dir(), "tests/data/zoom-api is missing")
    return local
