"""The committed icon PNGs are what the SVG renders to, so the menu, window and installers agree."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest

from tests.conftest import REPO

ICONS = REPO / "resources" / "icons"


def render_icons() -> ModuleType:
    # Loaded by path: `packaging` as a module name is the PyPI library, not our folder.
    spec = importlib.util.spec_from_file_location("render_icons", REPO / "packaging" / "render_icons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("size", [16, 48, 256])
def test_committed_png_matches_a_fresh_render_of_the_svg(qapp, size: int) -> None:  # noqa: ARG001 - Qt needs an app
    from PySide6.QtGui import QImage

    fresh = render_icons().render(svg=ICONS / "zoomhost.svg", size=size).convertToFormat(QImage.Format.Format_ARGB32)
    committed = QImage(str(ICONS / f"zoomhost-{size}.png")).convertToFormat(QImage.Format.Format_ARGB32)
    assert (committed.width(), committed.height()) == (size, size)
    worst = max(
        max(abs(a - b) for a, b in zip(fresh.pixelColor(x, y).getRgb(), committed.pixelColor(x, y).getRgb(), strict=True))
        for x in range(size)
        for y in range(size)
    )
    assert worst <= 8, "re-run packaging/render_icons.py and commit the PNGs"


def test_every_size_the_install_script_copies_is_committed() -> None:
    script = (REPO / "packaging" / "linux" / "install-desktop-entry.sh").read_text(encoding="utf-8")
    sizes = next(line for line in script.splitlines() if line.startswith("sizes=")).split('"')[1].split()
    assert sizes == [str(s) for s in render_icons().PNG_SIZES]
    for size in sizes:
        assert (ICONS / f"zoomhost-{size}.png").is_file()
