"""What an installed zoomhost has to work with, as one JSON report.

Run inside a bundle as ``zoomhost --bundle-check [--keyring-roundtrip]``, or from the source tree
as ``python packaging/zoomhost_bundle_check.py``. The smoke test compares the two reports: any
module, resource, keyring backend or Qt plugin the source has and the bundle lacks is a packaging
bug that would otherwise surface only on a school's machine.
"""

from __future__ import annotations

import argparse
import json
import os
import pkgutil
import secrets
import ssl
import sys
from importlib import import_module, util
from pathlib import Path

PROBE_SERVICE = "zoomhost-bundle-check"  # never the real "zoomhost" service: the probe must not touch saved secrets


def zoomhost_modules() -> dict[str, object]:
    """Import every zoomhost module; list those that import and why the others do not."""
    import zoomhost

    imported, failed = [], {}
    # zoomhost.resources is listed by name: from a source checkout it lives in resources/, outside zoomhost/
    names = ["zoomhost", "zoomhost.resources"] + [m.name for m in pkgutil.walk_packages(zoomhost.__path__, "zoomhost.")]
    for name in sorted(set(names)):
        if name.rsplit(".", 1)[-1] == "__main__":
            continue  # running it is its only purpose
        try:
            import_module(name)
        except Exception as exc:  # noqa: BLE001 - the report must say what broke, whatever it is
            failed[name] = f"{type(exc).__name__}: {exc}"
        else:
            imported.append(name)
    return {"imported": imported, "failed": failed}


def resource_files() -> list[str]:
    """Every non-Python file under zoomhost.resources, relative to it (templates, icons, stylesheet)."""
    from zoomhost.system.resources import resource

    root = resource()
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"}
    )


def keyring_report(*, roundtrip: bool) -> dict[str, object]:
    import keyring
    from keyring.backend import get_all_keyring

    backends = sorted({f"{type(k).__module__}.{type(k).__name__}" for k in get_all_keyring()})
    default = keyring.get_keyring()
    report: dict[str, object] = {
        "backends": backends,
        "default": f"{type(default).__module__}.{type(default).__name__}",
        "roundtrip": None,
    }
    if roundtrip:
        value = secrets.token_urlsafe(16)
        try:
            keyring.set_password(PROBE_SERVICE, "probe", value)
            read_back = keyring.get_password(PROBE_SERVICE, "probe")
            keyring.delete_password(PROBE_SERVICE, "probe")
            report["roundtrip"] = "ok" if read_back == value else "read back a different value"
        except Exception as exc:  # noqa: BLE001 - reported, not raised: this is a diagnosis
            report["roundtrip"] = f"{type(exc).__name__}: {exc}"
    return report


def qt_report() -> dict[str, object]:
    """Qt's platform plugins and image formats, and whether the icon renders (it needs QtSvg)."""
    if not os.environ.get("QT_QPA_PLATFORM") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no screen: Qt would abort instead of reporting
    from PySide6.QtCore import QLibraryInfo, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QImageReader, QPainter
    from PySide6.QtSvg import QSvgRenderer

    from zoomhost.system.resources import resource

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    plugins_dir = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    platforms = sorted(
        path.stem.removeprefix("lib").removeprefix("q") for path in (plugins_dir / "platforms").glob("*") if path.is_file()
    )
    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(resource("icons", "zoomhost.svg"))).render(painter)
    painter.end()
    painted = sum(1 for x in range(64) for y in range(64) if image.pixelColor(x, y).alpha() > 0)
    return {
        "platform": app.platformName(),
        "platform_plugins": platforms,
        "image_formats": sorted(bytes(f).decode() for f in QImageReader.supportedImageFormats()),
        "icon_pixels_painted": painted,
    }


def tls_report() -> dict[str, object]:
    """httpx verifies Zoom's certificate against certifi's bundle: it must ship."""
    import certifi

    return {"openssl": ssl.OPENSSL_VERSION, "certifi_bundle_present": Path(certifi.where()).is_file()}


def report(*, keyring_roundtrip: bool) -> dict[str, object]:
    import zoomhost

    return {
        "frozen": bool(getattr(sys, "frozen", False)),
        "version": zoomhost.__version__,
        "modules": zoomhost_modules(),
        "resources": resource_files(),
        "keyring": keyring_report(roundtrip=keyring_roundtrip),
        "qt": qt_report(),
        "tls": tls_report(),
        "assistant_sdk": util.find_spec("zoom_meeting_sdk") is not None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="zoomhost --bundle-check", description="Report what this zoomhost has to work with.")
    parser.add_argument(
        "--keyring-roundtrip",
        action="store_true",
        help=f"store, read and delete a random value under the service {PROBE_SERVICE!r}",
    )
    args = parser.parse_args(argv)
    result = report(keyring_roundtrip=args.keyring_roundtrip)
    print(json.dumps(result, indent=2, sort_keys=True))
    broken = result["modules"]["failed"] or (args.keyring_roundtrip and result["keyring"]["roundtrip"] != "ok")
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
