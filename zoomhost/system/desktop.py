"""This computer's desktop as Qt will meet it: the display, the platform plugin's libraries, the fonts.

Nothing here imports Qt. These checks run before Qt starts, because a Qt that cannot load a platform
plugin aborts the whole program (SIGABRT) with advice that does not help ("reinstalling the application
may fix this problem"). A plugin's libraries are resolved by the system's dynamic loader in trace mode
(the loader run with ``LD_TRACE_LOADED_OBJECTS=1``, as ``ldd`` runs it, without ``ldd``'s shell) in a
child process, so a missing library is a finding here, never a crash; the display is a socket that
answers or does not; the fonts are what fontconfig, the library Qt asks, lists.

Every function takes the environment it should judge (``environ``), so the checks say what Qt would
do with that environment, and tests can give one.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from zoomhost.system import platforms

# A shared object's Debian/Ubuntu package, where the usual naming rule does not give it.
_PACKAGE_OF = {
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0",
    "libgio-2.0.so.0": "libglib2.0-0",
    "libgmodule-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libGLdispatch.so.0": "libglvnd0",
    "libz.so.1": "zlib1g",
    "libgcc_s.so.1": "libgcc-s1",
    "libbrotlidec.so.1": "libbrotli1",
    "libbrotlicommon.so.1": "libbrotli1",
    **{f"{name}.so.{major}": "libc6" for name, major in (
        ("libc", 6), ("libm", 6), ("libdl", 2), ("libpthread", 0), ("librt", 1), ("libutil", 1), ("libresolv", 2),
    )},
}

# "\tlibxcb-cursor.so.0 => /usr/lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f…)" or "… => not found";
# the path may hold spaces (a bundle unpacked into "School Apps").
_LDD_LINE = re.compile(r"^\s*(?P<name>\S+)\s+=>\s+(?:(?P<missing>not found)|(?P<where>.+?)(?:\s+\(0x[0-9a-fA-F]+\))?)\s*$")


def debian_package(soname: str) -> str:
    """The Debian/Ubuntu package that installs a shared library: ``libxcb-cursor.so.0`` -> ``libxcb-cursor0``.

    Debian names a library package after the library and its major version (Policy 8.1), with a
    hyphen between them when the name ends in a digit: ``libxkbcommon-x11.so.0`` ->
    ``libxkbcommon-x11-0``, ``libX11.so.6`` -> ``libx11-6``. The few exceptions are listed.
    """
    if soname in _PACKAGE_OF:
        return _PACKAGE_OF[soname]
    match = re.fullmatch(r"(?P<stem>.+?)\.so\.(?P<major>\d+)(?:\.\d+)*", soname)
    if match is None:
        return soname.lower()
    stem, major = match["stem"].lower(), match["major"]
    return f"{stem}-{major}" if stem[-1].isdigit() else f"{stem}{major}"


# -- which platform Qt will try ------------------------------------------------------------------
def qt_platform_candidates(environ: Mapping[str, str]) -> tuple[str, ...]:
    """The platform plugins Qt 6 tries, in its order: ``QT_QPA_PLATFORM`` when set, else Wayland in a
    Wayland session and then X11 (xcb), which is also what XWayland serves."""
    named = environ.get("QT_QPA_PLATFORM", "").strip()
    if named:
        return tuple(dict.fromkeys(part.split(":", 1)[0].strip() for part in named.split(";") if part.strip()))
    wayland = bool(environ.get("WAYLAND_DISPLAY")) or environ.get("XDG_SESSION_TYPE", "").lower() == "wayland"
    return ("wayland", "xcb") if wayland else ("xcb",)


def platform_label(name: str) -> str:
    """How a platform plugin is named to a person."""
    if name == "xcb":
        return "X11 (xcb)"
    if name.startswith("wayland"):
        return "Wayland"
    return name


def needs_display(name: str) -> str | None:
    """The kind of display a platform plugin draws on: "x11", "wayland", or None for none."""
    if name == "xcb":
        return "x11"
    if name.startswith("wayland"):
        return "wayland"
    return None


# -- the display ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Display:
    """A desktop display this session names, and whether it answers."""

    kind: str  # "x11" or "wayland"
    name: str  # ":0", "wayland-0"
    reachable: bool
    why: str  # what was tried, in words


def x11_display(environ: Mapping[str, str], *, timeout: float = 1.0) -> Display | None:
    """The X11 display named by ``DISPLAY`` (XWayland's too), or None when it names none."""
    name = environ.get("DISPLAY", "").strip()
    if not name:
        return None
    match = re.fullmatch(r"(?P<host>[^:]*):(?P<number>\d+)(?:\.\d+)?", name)
    if match is None:
        return Display("x11", name, False, f"DISPLAY={name} is not a display name like :0")
    host, number = match["host"], int(match["number"])
    if host in ("", "unix") or host.startswith("/"):
        path = f"/tmp/.X11-unix/X{number}"
        for address in ("\0" + path, path):  # the abstract socket first, as Xlib tries it
            if _unix_socket_answers(address, timeout):
                return Display("x11", name, True, f"the X server answers on {path}")
        return Display("x11", name, False, f"no X server answers on {path}")
    port = 6000 + number
    import socket

    try:
        with socket.create_connection((host, port), timeout=timeout):
            return Display("x11", name, True, f"the X server answers on {host}:{port}")
    except OSError:
        return Display("x11", name, False, f"no X server answers on {host}:{port}")


def wayland_display(environ: Mapping[str, str], *, timeout: float = 1.0) -> Display | None:
    """The Wayland display of this session, or None when it is not a Wayland session."""
    name = environ.get("WAYLAND_DISPLAY", "").strip()
    if not name and environ.get("XDG_SESSION_TYPE", "").lower() != "wayland":
        return None
    name = name or "wayland-0"
    runtime = environ.get("XDG_RUNTIME_DIR", "")
    if not name.startswith("/") and not runtime:
        return Display("wayland", name, False, "XDG_RUNTIME_DIR is not set, so the Wayland socket cannot be found")
    path = name if name.startswith("/") else os.path.join(runtime, name)
    if _unix_socket_answers(path, timeout):
        return Display("wayland", name, True, f"the Wayland compositor answers on {path}")
    return Display("wayland", name, False, f"no Wayland compositor answers on {path}")


def _unix_socket_answers(address: str, timeout: float) -> bool:
    import socket  # only where a display is named: a platform without one (offscreen) never loads it

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(address)
        except OSError:
            return False
    return True


def session_displays(environ: Mapping[str, str]) -> dict[str, Display | None]:
    """Each kind of display ("x11", "wayland") this session names, or None for one it does not."""
    return {"wayland": wayland_display(environ), "x11": x11_display(environ)}


# -- the platform plugin and its libraries -------------------------------------------------------
def platform_plugin_dirs(environ: Mapping[str, str]) -> list[Path]:
    """Where Qt looks for platform plugins: ``QT_QPA_PLATFORM_PLUGIN_PATH``, ``QT_PLUGIN_PATH``, then PySide6's own."""
    dirs = []
    if environ.get("QT_QPA_PLATFORM_PLUGIN_PATH"):
        dirs.append(Path(environ["QT_QPA_PLATFORM_PLUGIN_PATH"]))
    for entry in environ.get("QT_PLUGIN_PATH", "").split(os.pathsep):
        if entry:
            dirs.append(Path(entry) / "platforms")
    spec = importlib.util.find_spec("PySide6")  # where it is installed (or bundled), without loading Qt
    for location in (spec.submodule_search_locations or []) if spec is not None else []:
        dirs.append(Path(location) / "Qt" / "plugins" / "platforms")
    return dirs


def platform_plugin(name: str, environ: Mapping[str, str]) -> Path | None:
    """The shared object of a platform plugin (``xcb`` -> ``…/platforms/libqxcb.so``), or None."""
    files = [f"libq{name}.so"]
    if name.startswith("wayland"):
        files.append("libqwayland.so")  # one file serves wayland, wayland-egl and wayland-brcm
    for folder in platform_plugin_dirs(environ):
        for file in files:
            if (folder / file).is_file():
                return folder / file
    return None


@dataclass(frozen=True)
class Libraries:
    """What the dynamic loader finds for one shared object."""

    found: dict[str, str] = field(default_factory=dict)  # library -> the file the loader would load
    missing: tuple[str, ...] = ()  # libraries the loader cannot find
    error: str = ""  # why the loader could not be asked ("" when it was)

    @property
    def complete(self) -> bool | None:
        """True when every library is found, False when one is missing, None when nobody could tell."""
        if self.error:
            return None
        return not self.missing


def linked_libraries(shared_object: Path, environ: Mapping[str, str] | None = None, *, timeout: float = 30) -> Libraries:
    """Every library ``shared_object`` needs, directly or not, as the dynamic loader resolves it with
    ``environ``'s ``LD_LIBRARY_PATH`` (``ldd``: the loader in trace mode; nothing is run or loaded here)."""
    env = dict(os.environ if environ is None else environ)
    trace = _loader_trace(env)
    if trace is None:
        return Libraries(error="ldd (the dynamic loader's trace tool) is not installed")
    command, tracing = trace  # the loader lists every library, "not found" included, and runs nothing
    import subprocess  # only when the loader is asked: a remembered answer needs no child process

    try:
        proc = subprocess.run(
            [*command, str(shared_object)], env={**env, **tracing}, capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return Libraries(error=f"ldd did not answer ({type(err).__name__})")
    found: dict[str, str] = {}
    missing: list[str] = []
    for line in proc.stdout.splitlines():
        match = _LDD_LINE.match(line)
        if match is None:
            continue
        if match["missing"]:
            missing.append(match["name"])
        else:
            found[match["name"]] = match["where"]
    if proc.returncode != 0 and not found and not missing:
        return Libraries(error=(proc.stderr.strip() or proc.stdout.strip() or f"ldd exited with {proc.returncode}")[:200])
    return Libraries(found=found, missing=tuple(dict.fromkeys(missing)))


def remembered_libraries(shared_object: Path, environ: Mapping[str, str], store: Path) -> Libraries:
    """``linked_libraries``, answered from ``store`` while nothing the dynamic loader reads has changed since a
    complete answer was kept there: the same loader, the same ``shared_object``, the same ``LD_LIBRARY_PATH``
    and ``LD_PRELOAD``, the same system library cache (``/etc/ld.so.cache``, which ``ldconfig`` writes again
    whenever a package adds or removes a library), and every library it found still where it was. A missing
    library, or a loader that could not be asked, is never kept: that is asked again at every start, so the
    advice given is today's. A store that cannot be read or written only means asking the loader."""
    inputs = _loader_inputs(shared_object, environ)
    try:
        kept = json.loads(store.read_text(encoding="utf-8"))
        entry = kept.get(str(shared_object), {}) if isinstance(kept, dict) else {}
    except (OSError, ValueError):
        kept, entry = {}, {}
    found = entry.get("found") if isinstance(entry, dict) else None
    if inputs is not None and entry.get("inputs") == inputs and isinstance(found, dict) and all(
        os.path.exists(where) for where in found.values() if where.startswith("/")
    ):
        return Libraries(found=found)
    libraries = linked_libraries(shared_object, environ)
    if inputs is not None and libraries.complete:
        kept = kept if isinstance(kept, dict) else {}
        kept[str(shared_object)] = {"inputs": inputs, "found": libraries.found}
        scratch = store.with_name(store.name + ".new")
        try:
            scratch.write_text(json.dumps(kept), encoding="utf-8")
            os.replace(scratch, store)
        except OSError:
            pass
    return libraries


def _loader_inputs(shared_object: Path, env: Mapping[str, str]) -> list[object] | None:
    """What the dynamic loader's answer for ``shared_object`` depends on, as JSON values; None when there is no loader."""
    trace = _loader_trace(env)
    if trace is None:
        return None

    def stamp(path: str) -> list[int] | None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        return [st.st_ino, st.st_size, st.st_mtime_ns]

    command = trace[0][0]
    return [
        command, stamp(command), str(shared_object), stamp(str(shared_object)),
        stamp("/etc/ld.so.cache"), stamp("/etc/ld.so.preload"),
        env.get("LD_LIBRARY_PATH", ""), env.get("LD_PRELOAD", ""),
    ]


def _loader_trace(env: Mapping[str, str]) -> tuple[list[str], dict[str, str]] | None:
    """The command that lists a shared object's libraries, and what it adds to the environment: glibc's
    dynamic loader (the one this process was loaded by) with ``LD_TRACE_LOADED_OBJECTS=1``, as ``ldd`` runs
    it; else ``ldd`` itself; None when there is neither."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                path = line.rstrip("\n").partition("/")[2]
                if path and Path(path).name.startswith("ld-linux") and not path.endswith(" (deleted)"):  # not replaced since
                    return ["/" + path], {"LD_TRACE_LOADED_OBJECTS": "1"}
    except OSError:
        pass
    import shutil

    ldd = shutil.which("ldd", path=os.pathsep.join([env.get("PATH", ""), "/usr/bin", "/bin"]))
    return ([ldd], {}) if ldd is not None else None


def is_linux() -> bool:
    return platforms.is_linux()


# -- fonts ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Fonts:
    families: tuple[str, ...] = ()  # sorted, each once
    error: str = ""  # why fontconfig could not be asked


def font_families() -> Fonts:
    """The font families fontconfig lists: the fonts Qt draws text with on Linux."""
    import ctypes  # only ``zoomhost doctor`` asks, never the window's start

    class _FcFontSet(ctypes.Structure):
        _fields_ = [("nfont", ctypes.c_int), ("sfont", ctypes.c_int), ("fonts", ctypes.POINTER(ctypes.c_void_p))]

    try:
        fc = ctypes.CDLL("libfontconfig.so.1")
    except OSError:
        return Fonts(error="libfontconfig.so.1 is not installed")
    fc.FcInitLoadConfigAndFonts.restype = ctypes.c_void_p
    fc.FcPatternCreate.restype = ctypes.c_void_p
    fc.FcObjectSetCreate.restype = ctypes.c_void_p
    fc.FcObjectSetAdd.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    fc.FcFontList.restype = ctypes.POINTER(_FcFontSet)
    fc.FcFontList.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    fc.FcPatternGetString.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]
    for name in ("FcFontSetDestroy", "FcObjectSetDestroy", "FcPatternDestroy", "FcConfigDestroy"):
        getattr(fc, name).argtypes = [ctypes.c_void_p]
    config = fc.FcInitLoadConfigAndFonts()
    if not config:
        return Fonts(error="fontconfig could not load its configuration")
    pattern, objects = fc.FcPatternCreate(), fc.FcObjectSetCreate()
    fc.FcObjectSetAdd(objects, b"family")
    fonts = fc.FcFontList(config, pattern, objects)
    families = set()
    try:
        if fonts:
            for i in range(fonts.contents.nfont):
                value = ctypes.c_char_p()
                if fc.FcPatternGetString(fonts.contents.fonts[i], b"family", 0, ctypes.byref(value)) == 0 and value.value:
                    families.add(value.value.decode("utf-8", "replace"))
    finally:
        if fonts:
            fc.FcFontSetDestroy(fonts)
        fc.FcObjectSetDestroy(objects)
        fc.FcPatternDestroy(pattern)
        fc.FcConfigDestroy(config)
    return Fonts(families=tuple(sorted(families)))
