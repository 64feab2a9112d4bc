"""The desktop bundle, built from this repository by packaging/build.sh and run as a school runs it.

One build per test run (about a minute and a half on two cores), unpacked from its .tar.gz into a
folder with a space in its name, then run headless with no Python environment around it.
``ZOOMHOST_BUNDLE_DIST`` names a dist folder already built by build.sh in the same job, to reuse it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import pytest

import zoomhost
from tests import desktop
from tests.conftest import REPO, require, require_executable
from tests.desktop import without_libraries, xcb_cursor_files
from zoomhost.system.desktop import linked_libraries

pytestmark = [pytest.mark.bundle, pytest.mark.timeout(900)]
x_server = desktop.x_server  # the fixture: a real X server



@dataclass(frozen=True)
class Bundle:
    folder: Path  # the unpacked zoomhost/ folder
    program: Path
    tarball: Path


@pytest.fixture(scope="session")
def source_check(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The self-check of the source tree, taken before the build so both see the same files."""
    tmp = tmp_path_factory.mktemp("source-check")
    env = bare_env(tmp, PATH=os.environ["PATH"], ZOOMHOST_HOME=str(tmp / "zh"))
    return check_report([sys.executable, str(REPO / "packaging" / "zoomhost_bundle_check.py")], env=env)


@pytest.fixture(scope="session")
def bundle(source_check: dict, tmp_path_factory: pytest.TempPathFactory) -> Bundle:  # noqa: ARG001 - ordering
    prebuilt = os.environ.get("ZOOMHOST_BUNDLE_DIST")
    if prebuilt:
        dist = Path(prebuilt)
    else:
        require(find_spec("PyInstaller") is not None, "PyInstaller is not installed (the `bundle` extra)")
        dist = tmp_path_factory.mktemp("dist")
        build = subprocess.run(
            ["bash", str(REPO / "packaging" / "build.sh"), "--python", sys.executable,
             "--dist", str(dist), "--work", str(tmp_path_factory.mktemp("work"))],
            capture_output=True, text=True, timeout=840,
        )
        assert build.returncode == 0, f"build.sh failed:\n{build.stdout[-3000:]}\n{build.stderr[-5000:]}"
    tarballs = sorted(dist.glob(f"zoomhost-{zoomhost.__version__}-linux-*.tar.gz"))
    assert len(tarballs) == 1, f"expected one archive in {dist}, found {tarballs}"
    school_apps = tmp_path_factory.mktemp("unpacked") / "School Apps"
    school_apps.mkdir()
    with tarfile.open(tarballs[0]) as archive:
        archive.extractall(school_apps, filter="tar")
    folder = school_apps / "zoomhost"
    return Bundle(folder=folder, program=folder / "zoomhost", tarball=tarballs[0])


def bare_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """What a teacher's session gives the program: no Python environment, no zoomhost checkout."""
    home = tmp_path / "teacher"
    home.mkdir(exist_ok=True)
    env = {"PATH": os.defpath, "HOME": str(home), "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen"}
    env.update(extra)
    return env


def run(bundle: Bundle, *args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bundle.program), *args], env=env, cwd=env["HOME"], capture_output=True, text=True, timeout=timeout
    )


def check_report(command: list[str], *, env: dict[str, str]) -> dict:
    proc = subprocess.run(command, env=env, cwd=env["HOME"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(proc.stdout)


def test_version_is_the_source_version(bundle: Bundle, tmp_path: Path) -> None:
    proc = run(bundle, "--version", env=bare_env(tmp_path, ZOOMHOST_HOME=str(tmp_path / "zh")))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"zoomhost {zoomhost.__version__}"


def test_python_dash_m_style_starts_keep_working_inside_the_bundle(bundle: Bundle, tmp_path: Path) -> None:
    """Inside a bundle sys.executable is the program itself; `-m zoomhost` must still mean zoomhost."""
    proc = run(bundle, "-m", "zoomhost", "--version", env=bare_env(tmp_path, ZOOMHOST_HOME=str(tmp_path / "zh")))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"zoomhost {zoomhost.__version__}"


def test_paths_are_the_platform_folders_the_source_uses(bundle: Bundle, tmp_path: Path) -> None:
    base = tmp_path / "xdg"
    env = bare_env(
        tmp_path,
        XDG_DATA_HOME=str(base / "data"),
        XDG_CONFIG_HOME=str(base / "config"),
        XDG_STATE_HOME=str(base / "state"),
        XDG_CACHE_HOME=str(base / "cache"),
    )
    bundled = run(bundle, "paths", env=env)
    source = subprocess.run(
        [sys.executable, "-m", "zoomhost", "paths"], env={**env, "PATH": os.environ["PATH"]},
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert bundled.returncode == 0, bundled.stderr
    assert bundled.stdout == source.stdout
    listed = dict(line.split(None, 1) for line in bundled.stdout.splitlines())
    assert set(listed) == {"data", "config", "logs", "cache"}
    for folder in listed.values():
        assert Path(folder).is_dir() and Path(folder).is_relative_to(base), folder
    assert Path(listed["data"]) == base / "data" / "zoomhost"


def test_bundle_has_every_module_resource_and_plugin_the_source_has(
    bundle: Bundle, source_check: dict, tmp_path: Path
) -> None:
    bundled = check_report([str(bundle.program), "--bundle-check"], env=bare_env(tmp_path, ZOOMHOST_HOME=str(tmp_path / "zh")))
    source = source_check
    assert bundled["frozen"] is True and source["frozen"] is False
    assert bundled["version"] == zoomhost.__version__
    assert bundled["modules"]["failed"] == source["modules"]["failed"] == {}
    assert bundled["modules"]["imported"] == source["modules"]["imported"]
    assert "zoomhost.cli" in bundled["modules"]["imported"]
    assert bundled["resources"] == source["resources"]
    assert {"icons/zoomhost.svg", "icons/zoomhost-256.png"} <= set(bundled["resources"])
    assert set(source["keyring"]["backends"]) <= set(bundled["keyring"]["backends"])
    wanted_platforms = {"offscreen", "xcb", "wayland"} & set(source["qt"]["platform_plugins"])
    assert wanted_platforms <= set(bundled["qt"]["platform_plugins"])
    assert {"png", "svg", "ico", "jpeg"} <= set(bundled["qt"]["image_formats"])
    assert bundled["qt"]["icon_pixels_painted"] == source["qt"]["icon_pixels_painted"] > 1000
    assert bundled["tls"]["certifi_bundle_present"] is True
    assert bundled["assistant_sdk"] is False, "the Meeting SDK (assistant extra) is bundled only on request"


def test_unused_qt_modules_are_left_out(bundle: Bundle) -> None:
    qt = bundle.folder / "_internal" / "PySide6"
    assert (qt / "Qt" / "lib" / "libQt6Widgets.so.6").is_file()
    unwanted = [p.name for pattern in ("QtQuick*", "QtQml*", "QtDesigner*", "Qt/lib/libQt6Quick*", "Qt/lib/libQt6Qml*")
                for p in qt.glob(pattern)]
    assert unwanted == []


def test_qt_platform_plugins_find_their_qt_libraries_inside_the_bundle(bundle: Bundle) -> None:
    ldd = require_executable("ldd")
    platforms = bundle.folder / "_internal" / "PySide6" / "Qt" / "plugins" / "platforms"
    for plugin in ("libqoffscreen.so", "libqxcb.so", "libqwayland.so"):
        out = subprocess.run([ldd, str(platforms / plugin)], capture_output=True, text=True, timeout=30).stdout
        qt_lines = [line for line in out.splitlines() if "libQt6" in line or "libicu" in line]
        assert qt_lines, out
        for line in qt_lines:
            assert "not found" not in line and str(bundle.folder) in line, f"{plugin}: {line.strip()}"


# What every Linux desktop has, so a bundle must not carry it: the C library and its loader, the system's
# OpenGL/EGL (they drive its graphics card), and the X11 and Wayland client libraries the desktop session
# itself runs on. PyInstaller leaves exactly these out; everything else a platform plugin loads is bundled.
EVERY_DESKTOP = frozenset({
    "libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1",
    "libGL.so.1", "libEGL.so.1", "libGLX.so.0", "libGLdispatch.so.0", "libOpenGL.so.0", "libdrm.so.2",
    "libxcb.so.1", "libwayland-client.so.0", "libwayland-cursor.so.0", "libwayland-egl.so.1",
})


def test_qt_platform_plugins_need_nothing_outside_the_bundle_that_a_desktop_may_lack(bundle: Bundle) -> None:
    require_executable("ldd")
    internal = bundle.folder / "_internal"
    platforms = internal / "PySide6" / "Qt" / "plugins" / "platforms"
    # The bundle's launcher puts _internal on the loader's path, as here.
    as_launched = {"PATH": os.defpath, "LD_LIBRARY_PATH": str(internal)}
    for plugin in ("libqxcb.so", "libqwayland.so", "libqoffscreen.so"):
        libraries = linked_libraries(platforms / plugin, as_launched)
        assert libraries.error == "" and libraries.missing == (), (plugin, libraries)
        outside = {name: where for name, where in libraries.found.items()
                   if not Path(where).resolve().is_relative_to(bundle.folder.resolve()) and name not in EVERY_DESKTOP}
        assert outside == {}, f"{plugin} loads these from the computer, which a desktop may lack: {outside}"
    xcb = linked_libraries(platforms / "libqxcb.so", as_launched).found
    for needed in ("libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxkbcommon-x11.so.0"):
        assert Path(xcb[needed]).resolve().is_relative_to(bundle.folder.resolve()), (needed, xcb[needed])


# Starts the program after the log file, waits until the log says the window connected (or it exits), then stops it.
WATCH_WINDOW = (
    "import pathlib, subprocess, sys, time\n"
    "log, app = pathlib.Path(sys.argv[1]), subprocess.Popen(sys.argv[2:])\n"
    "deadline = time.monotonic() + 90\n"
    "while time.monotonic() < deadline and app.poll() is None:\n"
    "    if log.exists() and 'connected in rehearsal mode' in log.read_text(encoding='utf-8'):\n"
    "        break\n"
    "    time.sleep(0.2)\n"
    "print('running' if app.poll() is None else f'exited with {app.returncode}')\n"
    "app.terminate()\n"
    "app.wait(30)\n"
)


def test_the_bundle_opens_its_window_where_the_computer_lacks_libxcb_cursor(
    bundle: Bundle, x_server: str, tmp_path: Path
) -> None:
    """A teacher's desktop without libxcb-cursor0: the bundle's own copy serves, so nothing needs installing."""
    env = bare_env(tmp_path, ZOOMHOST_HOME=str(tmp_path / "zh"), DISPLAY=x_server)
    del env["QT_QPA_PLATFORM"]
    hidden = xcb_cursor_files()
    doctor = without_libraries(tmp_path / "doctor", hidden, str(bundle.program), "doctor", "--json", env=env)
    checks = {check["id"]: check for check in json.loads(doctor.stdout)["checks"]}
    assert checks["platform_plugin"]["status"] == "pass", checks["platform_plugin"]
    assert str(bundle.folder) in checks["platform_plugin"]["detail"] and "X11 (xcb)" in checks["platform_plugin"]["detail"]
    # The window itself, on the X server, until it has connected to its rehearsal Zoom (after the first paint).
    log = tmp_path / "zh" / "logs" / "zoomhost.log"
    proc = without_libraries(tmp_path / "window", hidden, sys.executable, "-c", WATCH_WINDOW, str(log), str(bundle.program),
                             env=env)
    assert proc.stdout.strip() == "running", proc.stdout + proc.stderr[-2000:]
    assert "platform plugin" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr[-2000:]


def test_a_build_machine_without_libxcb_cursor_refuses_to_build(tmp_path: Path) -> None:
    """Rather than a bundle that would make every teacher's machine need the library."""
    require(find_spec("PyInstaller") is not None, "PyInstaller is not installed (the `bundle` extra)")
    proc = without_libraries(
        tmp_path, xcb_cursor_files(), "bash", str(REPO / "packaging" / "build.sh"), "--python", sys.executable,
        "--dist", str(tmp_path / "dist"), "--work", str(tmp_path / "work"), env={**os.environ}, timeout=300,
    )
    assert proc.returncode != 0
    assert "Qt's xcb plugin needs libxcb-cursor.so.0 (sudo apt install libxcb-cursor0)" in proc.stderr
    assert not (tmp_path / "dist" / "zoomhost").exists()


def test_secrets_go_to_the_secret_service_keyring_from_the_bundle(bundle: Bundle, tmp_path: Path) -> None:
    dbus_run_session = require_executable("dbus-run-session")
    require_executable("dbus-send")
    require_executable("gnome-keyring-daemon")
    # A fresh, unlocked keyring in a private D-Bus session; the daemon runs in the foreground so
    # it can be stopped by its own pid (a daemonised one outlives the session).
    script = (
        'mkdir -p "$XDG_DATA_HOME/keyrings"\n'
        "printf 'bundle-test' | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &\n"
        "daemon=$!\n"
        "for _ in $(seq 100); do\n"
        "  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus"
        " org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true' && break\n"
        "  sleep 0.1\n"
        "done\n"
        'status=0; "$PROGRAM" --bundle-check --keyring-roundtrip > "$REPORT" || status=$?\n'
        'kill "$daemon"; wait "$daemon" 2>/dev/null\n'
        'exit "$status"\n'
    )
    report = tmp_path / "report.json"
    env = bare_env(
        tmp_path, PATH=os.environ["PATH"], XDG_DATA_HOME=str(tmp_path / "keyring-home"),
        ZOOMHOST_HOME=str(tmp_path / "zh"), PROGRAM=str(bundle.program), REPORT=str(report),
    )
    proc = subprocess.run([dbus_run_session, "--", "bash", "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    keyring = json.loads(report.read_text(encoding="utf-8"))["keyring"]
    assert keyring["default"] == "keyring.backends.SecretService.Keyring"
    assert keyring["roundtrip"] == "ok"


def test_the_desktop_entry_is_valid(bundle: Bundle) -> None:
    validate = require_executable("desktop-file-validate")
    proc = subprocess.run([validate, str(bundle.folder / "zoomhost.desktop")], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_install_script_puts_zoomhost_in_the_menu_and_takes_it_out(bundle: Bundle, tmp_path: Path) -> None:
    share = tmp_path / "share"
    env = bare_env(tmp_path, XDG_DATA_HOME=str(share))
    script = str(bundle.folder / "install-desktop-entry.sh")
    installed = subprocess.run([script], env=env, capture_output=True, text=True, timeout=60)
    assert installed.returncode == 0, installed.stderr
    entry = (share / "applications" / "zoomhost.desktop").read_text(encoding="utf-8")
    assert f'Exec="{bundle.program}"' in entry.splitlines()
    assert f"TryExec={bundle.program}" in entry.splitlines()
    icon = share / "icons" / "hicolor" / "256x256" / "apps" / "zoomhost.png"
    assert icon.read_bytes() == (REPO / "resources" / "icons" / "zoomhost-256.png").read_bytes()
    removed = subprocess.run([script, "--remove"], env=env, capture_output=True, text=True, timeout=60)
    assert removed.returncode == 0, removed.stderr
    assert not (share / "applications" / "zoomhost.desktop").exists() and not icon.exists()


def write_small_register(folder: Path) -> tuple[Path, Path]:
    register = folder / "register.csv"
    register.write_text(
        "Legal Forename,Preferred Name,Surname,Reg Group,Zoom Consent,Date of Birth\n"
        "Amy,,Bloggs,3B,yes,2016-04-01\n"
        "Benjamin,Ben,Carter,3B,no,2016-05-02\n"
        "Chloe,,Davies,4A,2024-09-10,2015-06-03\n",
        encoding="utf-8",
    )
    names = folder / "names.txt"
    names.write_text("Amy B\nBen\niPad\nChloe (4A)\nZara\n", encoding="utf-8")
    return register, names


def test_dry_run_classifies_a_small_register_and_stores_nothing(bundle: Bundle, tmp_path: Path) -> None:
    register, names = write_small_register(tmp_path)
    home = tmp_path / "zh"
    proc = run(bundle, "dry-run", "--register", str(register), str(names), "--json",
               env=bare_env(tmp_path, ZOOMHOST_HOME=str(home)))
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    verdicts = {row["name"]: row["verdict"] for row in rows}
    assert verdicts == {
        "Amy B": "consented", "Ben": "no_consent", "iPad": "not_on_register",
        "Chloe (4A)": "consented", "Zara": "not_on_register",
    }
    amy = next(row["pupil"] for row in rows if row["name"] == "Amy B")
    assert (amy["first_name"], amy["surname_initial"], amy["class"]) == ("Amy", "B", "3B")
    assert all(row["reasons"] for row in rows)
    assert "2016-04-01" not in proc.stdout, "a date of birth is not needed for admission"
    assert not list(home.rglob("*.sqlite3")), "a dry run stores nothing"


def test_a_short_headless_class_rehearsal_runs_from_the_bundle(bundle: Bundle, tmp_path: Path) -> None:
    home = tmp_path / "zh"
    proc = run(bundle, "rehearse", "--scenario", "class", "--speed", "50", "--headless", "--json",
               env=bare_env(tmp_path, ZOOMHOST_HOME=str(home)), timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = json.loads(proc.stdout)
    verdicts = summary["by_verdict"]
    assert summary["arrivals"] == sum(verdicts.values()) > 0
    assert 0 < summary["admitted"] <= verdicts["consented"] + verdicts["staff"], "only consented pupils and staff"
    assert summary["admitted"] + summary["not_admitted"] == summary["arrivals"]
    journal = Path(summary["journal"])
    assert journal.is_file() and journal.is_relative_to(home), summary


def test_the_application_window_starts_offscreen(bundle: Bundle, tmp_path: Path) -> None:
    home = tmp_path / "zh"
    env = bare_env(tmp_path, ZOOMHOST_HOME=str(home))
    gui = subprocess.Popen([str(bundle.program)], env=env, cwd=env["HOME"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(8)  # long enough to import Qt, build the windows and start rehearsal mode
        still_running = gui.poll() is None
    finally:
        gui.terminate()
        out, err = gui.communicate(timeout=30)
    assert still_running, f"the application exited at once:\n{out[-2000:]}\n{err[-2000:]}"
    log = home / "logs" / "zoomhost.log"
    assert " ERROR " not in (log.read_text(encoding="utf-8") if log.exists() else ""), log.read_text(encoding="utf-8")
    assert "Traceback" not in err
    assert "Could not load the Qt platform plugin" not in err


def test_the_archive_holds_one_top_level_folder(bundle: Bundle) -> None:
    with tarfile.open(bundle.tarball) as archive:
        tops = {name.split("/", 1)[0] for name in archive.getnames()}
        program = archive.getmember("zoomhost/zoomhost")
    assert tops == {"zoomhost"}
    assert program.mode & 0o111, "the program must stay executable after unpacking"
    assert shutil.which("zoomhost", path=str(bundle.folder)) == str(bundle.program)
