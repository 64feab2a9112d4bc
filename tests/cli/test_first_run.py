"""The README's first command on a desktop that lacks a library Qt needs: one sentence, never an abort.

Qt 6.5+ needs libxcb-cursor0 for X11, which many fresh desktops lack; Qt alone then aborts the
program (SIGABRT) saying "reinstalling the application may fix this problem". Here the library is
taken out of the dynamic loader's reach for real (tests/hide_library.py: a private mount
namespace in which its folder lacks it), zoomhost is started on a real X server (Xvfb), and what it
prints and its exit status are checked; then, with the library back, the window opens on that X server.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO, require_executable
from tests import desktop
from tests.desktop import desktop_env, without_libraries, xcb_cursor_files
from zoomhost.app.desktop import DESKTOP_CHECK_FILE, window_outlook
from zoomhost.system import paths as zoomhost_paths
from zoomhost.system.desktop import debian_package, linked_libraries, platform_plugin, remembered_libraries

pytestmark = pytest.mark.timeout(180)
x_server = desktop.x_server  # the fixture: a real X server for this module's tests

MISSING_CURSOR = (
    "zoomhost: Qt cannot open zoomhost's window because its X11 (xcb) platform plugin needs libxcb-cursor.so.0, "
    "which is not installed: run `sudo apt install libxcb-cursor0`, then start zoomhost again.\n"
)


def zoomhost(*args: str, env: dict[str, str], timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "zoomhost", *args], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


def without_xcb_cursor(tmp_path: Path, *command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return without_libraries(tmp_path, xcb_cursor_files(), *command, env=env)


# -- a library missing ---------------------------------------------------------------------------------
def test_without_libxcb_cursor_zoomhost_says_what_to_install_and_exits(x_server: str, tmp_path: Path) -> None:
    env = desktop_env(tmp_path, DISPLAY=x_server)
    proc = without_xcb_cursor(tmp_path, sys.executable, "-m", "zoomhost", env=env)
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert proc.stderr == MISSING_CURSOR
    assert proc.stdout == ""
    assert MISSING_CURSOR.strip() in (REPO / "README.md").read_text(encoding="utf-8"), "the README shows this line"


def test_qt_alone_aborts_where_zoomhost_speaks(x_server: str, tmp_path: Path) -> None:
    """The state the test above makes is the one the issue met: Qt itself, asked to start, aborts."""
    env = desktop_env(tmp_path, DISPLAY=x_server)
    start_qt = "from PySide6.QtWidgets import QApplication; QApplication([])"
    proc = without_xcb_cursor(tmp_path, sys.executable, "-c", start_qt, env=env)
    assert proc.returncode == -signal.SIGABRT, proc.stderr[-3000:]
    assert "xcb-cursor0" in proc.stderr and "no Qt platform plugin could be initialized" in proc.stderr


def test_doctor_reports_the_missing_library_and_the_display_it_found(x_server: str, tmp_path: Path) -> None:
    env = desktop_env(tmp_path, DISPLAY=x_server)
    proc = without_xcb_cursor(tmp_path, sys.executable, "-m", "zoomhost", "doctor", "--json", env=env)
    assert proc.returncode == 3, proc.stderr[-3000:]
    checks = {check["id"]: check for check in json.loads(proc.stdout)["checks"]}
    assert checks["display"]["status"] == "pass" and x_server in checks["display"]["detail"]
    plugin = checks["platform_plugin"]
    assert plugin["status"] == "fail"
    assert "libxcb-cursor.so.0" in plugin["detail"] and "`sudo apt install libxcb-cursor0`" in plugin["detail"]


# -- the library there ----------------------------------------------------------------------------------
def test_with_every_library_the_window_opens_on_the_x_server(x_server: str, tmp_path: Path) -> None:
    env = desktop_env(tmp_path, DISPLAY=x_server)
    doctor = zoomhost("doctor", "--json", env=env)
    checks = {check["id"]: check for check in json.loads(doctor.stdout)["checks"]}
    assert checks["platform_plugin"]["status"] == "pass", checks["platform_plugin"]
    assert "X11 (xcb)" in checks["platform_plugin"]["detail"]
    open_the_window(env)


# -- what the check keeps between starts ----------------------------------------------------------------
def test_a_library_gone_since_the_last_start_is_still_named(
    x_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window's check keeps what the loader found (so a start need not ask it again); a library gone since
    then is named all the same, never left to Qt's abort."""
    env = desktop_env(tmp_path, DISPLAY=x_server)
    open_the_window(env)
    monkeypatch.setenv("ZOOMHOST_HOME", env["ZOOMHOST_HOME"])
    kept = json.loads((zoomhost_paths.cache_dir() / DESKTOP_CHECK_FILE).read_text(encoding="utf-8"))
    assert any("libxcb-cursor.so.0" in entry["found"] for entry in kept.values()), "the good start kept its answer"
    proc = without_xcb_cursor(tmp_path, sys.executable, "-m", "zoomhost", env=env)
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert proc.stderr == MISSING_CURSOR


def test_the_kept_answer_follows_what_the_loader_reads(tmp_path: Path) -> None:
    """A library put first on LD_LIBRARY_PATH is the one named; once it is deleted, the system's is named again."""
    plugin = platform_plugin("offscreen", os.environ)
    assert plugin is not None
    store = tmp_path / DESKTOP_CHECK_FILE
    env = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
    first = remembered_libraries(plugin, env, store)
    assert first == linked_libraries(plugin, env) and first.complete and store.exists()
    system = first.found["libz.so.1"]
    assert remembered_libraries(plugin, env, store).found["libz.so.1"] == system
    own = tmp_path / "lib"
    own.mkdir()
    (own / "libz.so.1").write_bytes(Path(system).read_bytes())
    env["LD_LIBRARY_PATH"] = str(own)
    assert remembered_libraries(plugin, env, store).found["libz.so.1"] == str(own / "libz.so.1")
    (own / "libz.so.1").unlink()
    assert remembered_libraries(plugin, env, store).found["libz.so.1"] == system


def open_the_window(env: dict[str, str]) -> None:
    """``zoomhost --rehearsal`` with ``env``, until it has connected to its rehearsal Zoom (so it is up), then closed."""
    log = Path(env["ZOOMHOST_HOME"]) / "logs" / "zoomhost.log"
    app = subprocess.Popen([sys.executable, "-m", "zoomhost", "--rehearsal"], env=env, cwd=REPO,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        # The window connects to its (rehearsal) Zoom once it has painted: that line means it is up.
        while time.monotonic() < deadline and app.poll() is None:
            if log.exists() and "connected in rehearsal mode" in log.read_text(encoding="utf-8"):
                break
            time.sleep(0.2)
        running = app.poll() is None
    finally:
        app.terminate()
        out, err = app.communicate(timeout=60)
    assert running, f"the application exited ({app.returncode}):\n{out[-2000:]}\n{err[-2000:]}"
    assert "connected in rehearsal mode" in log.read_text(encoding="utf-8")
    assert "platform plugin" not in err and "Traceback" not in err, err[-2000:]


# -- no display, or none that answers -------------------------------------------------------------------
def test_with_no_display_at_all_zoomhost_says_where_to_run_it(tmp_path: Path) -> None:
    proc = zoomhost(env=desktop_env(tmp_path))
    assert proc.returncode == 1
    assert proc.stderr == (
        "zoomhost: Qt cannot open zoomhost's window because no desktop display answers here "
        "(neither DISPLAY nor WAYLAND_DISPLAY is set): start zoomhost from a desktop session.\n"
    )


def test_a_display_nobody_answers_on_is_named(tmp_path: Path) -> None:
    number = next(n for n in range(150, 400) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    proc = zoomhost(env=desktop_env(tmp_path, DISPLAY=f":{number}"))
    assert proc.returncode == 1
    assert f"no X server answers on /tmp/.X11-unix/X{number}" in proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and "Aborted" not in proc.stderr


def test_a_platform_qt_does_not_have_is_named(tmp_path: Path) -> None:
    proc = zoomhost(env=desktop_env(tmp_path, QT_QPA_PLATFORM="nonesuch"))
    assert proc.returncode == 1
    assert proc.stderr.startswith("zoomhost: Qt cannot open zoomhost's window because it has no platform plugin called nonesuch")


def test_a_wayland_session_opens_on_wayland_and_falls_back_to_x11(x_server: str, tmp_path: Path) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    session = {"XDG_RUNTIME_DIR": str(runtime), "WAYLAND_DISPLAY": "wayland-7", "DISPLAY": x_server}
    # Nothing answers on wayland-7 yet: Qt moves on to X11, which XWayland (here Xvfb) serves.
    outlook = window_outlook(desktop_env(tmp_path, **session))
    assert [f.name for f in outlook.findings] == ["wayland", "xcb"]
    assert outlook.platform is not None and outlook.platform.name == "xcb"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as compositor:
        compositor.bind(str(runtime / "wayland-7"))
        compositor.listen()
        outlook = window_outlook(desktop_env(tmp_path, **session))
        assert outlook.platform is not None and outlook.platform.name == "wayland"


# -- the packages named are the packages that hold the libraries -----------------------------------------
def test_the_package_named_for_each_library_is_the_one_that_installs_it() -> None:
    """Every system library Qt's platform plugins load, named by our rule and by dpkg, which installed it."""
    dpkg_query = require_executable("dpkg-query")
    libraries: dict[str, str] = {}
    for name in ("xcb", "wayland", "offscreen"):
        plugin = platform_plugin(name, os.environ)
        assert plugin is not None
        libraries.update(
            (soname, where) for soname, where in linked_libraries(plugin).found.items()
            if where.startswith("/") and "PySide6" not in where  # Qt's own libraries come with the wheel
        )
    # dpkg knows each file under the one name its package ships it as: /lib/… or /usr/lib/….
    aliases = {soname: {where, where.removeprefix("/usr") if where.startswith("/usr/") else "/usr" + where}
               for soname, where in libraries.items()}
    out = subprocess.run([dpkg_query, "-S", *sorted(set().union(*aliases.values()))], capture_output=True, text=True,
                         timeout=60).stdout
    owner_of = {}
    for line in out.splitlines():
        packages, _, path = line.partition(": ")
        owner_of[path.strip()] = {p.split(":", 1)[0].strip() for p in packages.split(",")}
    wrong, checked = [], 0
    for soname, paths in sorted(aliases.items()):
        owners = set().union(*(owner_of.get(path, set()) for path in paths))
        if not owners:
            continue  # a library no package installed (built by hand): nothing to compare with
        checked += 1
        if debian_package(soname) not in owners:
            wrong.append(f"{soname}: we say {debian_package(soname)}, dpkg says {sorted(owners)}")
    assert wrong == []
    assert checked > 20, checked
