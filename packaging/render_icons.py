"""Render the application icon's PNGs (and the Windows/macOS icon files) from its SVG.

Run after editing resources/icons/zoomhost.svg, and commit what it writes:

    QT_QPA_PLATFORM=offscreen python packaging/render_icons.py

The SVG is the one source; the PNGs are rendered by Qt's own SVG renderer (QtSvg ships in
PySide6-Essentials), so the desktop entry, the window icon and the installers all agree.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SVG = REPO / "resources" / "icons" / "zoomhost.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def png_name(size: int) -> str:
    return f"zoomhost-{size}.png"


def render(*, svg: Path, size: int):
    """The icon as a QImage of size x size pixels, transparent around the rounded square."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"render_icons: {svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    return image


def write_all(*, svg: Path, icons_dir: Path, windows_dir: Path | None, macos_dir: Path | None) -> list[Path]:
    """Write every PNG size, plus zoomhost.ico / zoomhost.icns where Qt has the image plugin."""
    from PySide6.QtGui import QImageWriter

    icons_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for size in PNG_SIZES:
        target = icons_dir / png_name(size)
        if not render(svg=svg, size=size).save(str(target), "PNG"):
            raise SystemExit(f"render_icons: could not write {target}")
        written.append(target)
    formats = {bytes(f).decode() for f in QImageWriter.supportedImageFormats()}
    for folder, fmt, size in ((windows_dir, "ico", 256), (macos_dir, "icns", 512)):
        if folder is None:
            continue
        if fmt not in formats:
            print(f"render_icons: Qt has no {fmt} writer here; {fmt} not written", file=sys.stderr)
            continue
        target = folder / f"zoomhost.{fmt}"
        if not render(svg=svg, size=size).save(str(target), fmt.upper()):
            raise SystemExit(f"render_icons: could not write {target}")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--svg", type=Path, default=SVG)
    parser.add_argument("--out", type=Path, default=SVG.parent, help="folder for the PNGs")
    parser.add_argument("--png-only", action="store_true", help="skip the .ico and .icns files")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([])  # image plugins load with an application
    written = write_all(
        svg=args.svg,
        icons_dir=args.out,
        windows_dir=None if args.png_only else REPO / "packaging" / "windows",
        macos_dir=None if args.png_only else REPO / "packaging" / "macos",
    )
    for path in written:
        print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
