"""Whether this desktop can show zoomhost's window, and what to install when it cannot.

One rule, applied by the window's command (``zoomhost``, ``zoomhost gui``) before Qt starts and
reported by ``zoomhost doctor``: Qt tries its platform plugins in order (Wayland in a Wayland
session, then X11), and opens the window with the first whose libraries the dynamic loader finds
and whose display answers. When none can, Qt itself would abort the program; zoomhost says instead,
in one sentence, what to install (the exact Debian/Ubuntu packages) or where to run it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from zoomhost.core.rule_status import RuleStatus
from zoomhost.system import paths
from zoomhost.system.desktop import (
    Display,
    Libraries,
    debian_package,
    font_families,
    is_linux,
    linked_libraries,
    needs_display,
    platform_label,
    platform_plugin,
    platform_plugin_dirs,
    qt_platform_candidates,
    remembered_libraries,
    session_displays,
)

# The families the summary's PDF asks for first (resources/templates/summary.html).
SUMMARY_FONTS = ("DejaVu Sans", "Noto Sans")
FONT_PACKAGE = "fonts-dejavu-core"
# In the cache folder: what the dynamic loader found for Qt's platform plugins, kept for the window's next start.
DESKTOP_CHECK_FILE = "desktop-check.json"


@dataclass(frozen=True, kw_only=True)
class Check:
    """One line of ``zoomhost doctor``: what was checked, pass/fail/warn/unknown, and what was found."""

    id: str
    status: RuleStatus
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "status": self.status.value, "detail": self.detail}


@dataclass(frozen=True)
class PlatformFinding:
    """One platform plugin Qt would try: its file, the libraries it needs, the display it would draw on."""

    name: str
    plugin: Path | None
    libraries: Libraries
    display_kind: str | None  # "x11", "wayland", or None when it needs no display
    display: Display | None  # the session's display of that kind (None: the session names none)

    @property
    def label(self) -> str:
        return platform_label(self.name)

    @property
    def display_ok(self) -> bool:
        return self.display_kind is None or (self.display is not None and self.display.reachable)

    @property
    def usable(self) -> bool:
        """Qt can open a window with it: the plugin is there, no library is missing, its display answers."""
        return self.plugin is not None and self.libraries.complete is not False and self.display_ok


@dataclass(frozen=True)
class WindowOutlook:
    """What Qt will do when zoomhost opens its window."""

    findings: tuple[PlatformFinding, ...]  # each platform Qt tries, in its order
    checked: bool  # False when zoomhost cannot judge (not Linux, Qt's plugins not found): Qt finds its own way
    why_unchecked: str = ""

    @property
    def platform(self) -> PlatformFinding | None:
        """The plugin Qt will open the window with (the first usable one), or None when none can."""
        return next((f for f in self.findings if f.usable), None)

    @property
    def ok(self) -> bool:
        return not self.checked or self.platform is not None

    @property
    def sentence(self) -> str:
        """Why the window cannot open and what to do, as one sentence; empty when it can."""
        return "" if self.ok else _cannot_open(self.findings)


def window_outlook(environ: Mapping[str, str] | None = None, *, remember: Path | None = None) -> WindowOutlook:
    """Whether Qt can open zoomhost's window with this environment (the process's own by default).

    ``remember``: a file where the libraries the loader found for each plugin are kept, and answered from
    while nothing they depend on has changed (``system.desktop.remembered_libraries``): the window's start
    then starts no child process. ``zoomhost doctor`` always asks the loader."""
    env = os.environ if environ is None else environ
    if not is_linux():
        return WindowOutlook(findings=(), checked=False, why_unchecked="Checked on Linux only.")
    if not any(folder.is_dir() for folder in platform_plugin_dirs(env)):
        # Never keep a window from opening on a guess: with Qt's plugins out of sight, Qt decides.
        return WindowOutlook(findings=(), checked=False, why_unchecked="zoomhost could not find Qt's platform plugins folder.")
    displays = session_displays(env)
    findings = []
    for name in qt_platform_candidates(env):
        plugin = platform_plugin(name, env)
        if plugin is None:
            libraries = Libraries()
        elif remember is not None:
            libraries = remembered_libraries(plugin, env, remember)
        else:
            libraries = linked_libraries(plugin, env)
        kind = needs_display(name)
        findings.append(PlatformFinding(name, plugin, libraries, kind, displays.get(kind) if kind else None))
    return WindowOutlook(findings=tuple(findings), checked=True)


def window_outlook_at_start() -> WindowOutlook:
    """``window_outlook`` as the window's command asks it before each start: what the loader found is kept in
    the cache folder, and answered from until the plugin or the system's libraries change."""
    return window_outlook(remember=paths.cache_dir() / DESKTOP_CHECK_FILE)


def _packages(findings: Iterable[PlatformFinding]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(debian_package(lib) for f in findings for lib in f.libraries.missing))


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _needs(findings: Sequence[PlatformFinding]) -> str:
    """"its X11 (xcb) platform plugin needs libxcb-cursor.so.0" (one clause per plugin)."""
    parts = [f"its {f.label} platform plugin needs {_and(list(f.libraries.missing))}" for f in findings]
    return " and ".join(parts)


def _install(findings: Sequence[PlatformFinding]) -> str:
    """"libxcb-cursor.so.0, which is not installed: run `sudo apt install libxcb-cursor0`"."""
    count = sum(len(f.libraries.missing) for f in findings)
    return f"{'which is' if count == 1 else 'which are'} not installed: run `sudo apt install {' '.join(_packages(findings))}`"


def _cannot_open(findings: Sequence[PlatformFinding]) -> str:
    lacking = [f for f in findings if f.plugin is not None and f.display_ok and f.libraries.missing]
    if lacking:
        return f"Qt cannot open zoomhost's window because {_needs(lacking)}, {_install(lacking)}, then start zoomhost again."
    if findings and all(f.plugin is None for f in findings):
        names = ", ".join(f.name for f in findings)
        return (
            f"Qt cannot open zoomhost's window because it has no platform plugin called {names}: "
            "unset QT_QPA_PLATFORM (or set it to wayland or xcb) and start zoomhost again."
        )
    named = [f.display for f in findings if f.display is not None]
    why = "; ".join(dict.fromkeys(d.why for d in named)) if named else "neither DISPLAY nor WAYLAND_DISPLAY is set"
    sentence = f"Qt cannot open zoomhost's window because no desktop display answers here ({why}): start zoomhost from a desktop session"
    also = [f for f in findings if f.libraries.missing]
    if also:
        sentence += f", after `sudo apt install {' '.join(_packages(also))}`, which Qt will need there too"
    return sentence + "."


# -- what `zoomhost doctor` reports about the desktop ---------------------------------------------
def desktop_checks(environ: Mapping[str, str] | None = None) -> list[Check]:
    """The display, the platform plugin and the fonts, as doctor reports them."""
    env = os.environ if environ is None else environ
    outlook = window_outlook(env)
    return [display_check(env), platform_plugin_check(outlook), fonts_check()]


def display_check(environ: Mapping[str, str]) -> Check:
    if not is_linux():
        return Check(id="display", status=RuleStatus.UNKNOWN, detail="Checked on Linux only: here Qt finds the display itself.")
    candidates = qt_platform_candidates(environ)
    if all(needs_display(name) is None for name in candidates):
        chosen = environ.get("QT_QPA_PLATFORM", "")
        if set(candidates) & {"offscreen", "minimal"}:
            return Check(
                id="display",
                status=RuleStatus.WARN,
                detail=f"Qt is told to draw without a display (QT_QPA_PLATFORM={chosen}): no window will show on screen.",
            )
        return Check(id="display", status=RuleStatus.PASS, detail=f"Qt is told to draw on {chosen} (QT_QPA_PLATFORM), which needs no desktop.")
    named = [d for d in session_displays(environ).values() if d is not None]
    if not named:
        return Check(
            id="display",
            status=RuleStatus.FAIL,
            detail="No desktop display: neither DISPLAY nor WAYLAND_DISPLAY is set, so the window has nowhere to open. "
            "Run zoomhost from a desktop session.",
        )
    detail = "; ".join(f"{'X11' if d.kind == 'x11' else 'Wayland'} display {d.name}: {d.why}" for d in named)
    status = RuleStatus.PASS if any(d.reachable for d in named) else RuleStatus.FAIL
    return Check(id="display", status=status, detail=detail + ".")


def platform_plugin_check(outlook: WindowOutlook) -> Check:
    check_id = "platform_plugin"
    if not outlook.checked:
        return Check(id=check_id, status=RuleStatus.UNKNOWN, detail=outlook.why_unchecked)
    chosen = outlook.platform
    if chosen is not None:
        if chosen.libraries.complete is None:
            return Check(
                id=check_id,
                status=RuleStatus.UNKNOWN,
                detail=f"Qt will try its {chosen.label} platform plugin; whether its libraries are installed is unknown: "
                f"{chosen.libraries.error}.",
            )
        passed_over = [f for f in outlook.findings[: outlook.findings.index(chosen)] if f.libraries.missing]
        found = f"Qt will open the window with its {chosen.label} platform plugin ({chosen.plugin}); every library it needs is installed."
        if passed_over:
            return Check(
                id=check_id,
                status=RuleStatus.WARN,
                detail=f"{found} Before it, {_needs(passed_over)}, {_install(passed_over)}.",
            )
        return Check(id=check_id, status=RuleStatus.PASS, detail=found)
    lacking = [f for f in outlook.findings if f.libraries.missing]
    if lacking:
        return Check(id=check_id, status=RuleStatus.FAIL, detail=f"Qt: {_needs(lacking)}, {_install(lacking)}.")
    if all(f.plugin is None for f in outlook.findings):
        return Check(id=check_id, status=RuleStatus.FAIL, detail=outlook.sentence)
    unknown = [f for f in outlook.findings if f.libraries.complete is None and f.plugin is not None]
    if unknown:
        return Check(id=check_id, status=RuleStatus.UNKNOWN, detail=f"Whether Qt's libraries are installed is unknown: {unknown[0].libraries.error}.")
    labels = _and([f.label for f in outlook.findings if f.plugin is not None])
    return Check(
        id=check_id,
        status=RuleStatus.PASS,
        detail=f"Qt's {labels} platform plugin has every library it needs (there is no display to open it on: see display).",
    )


def fonts_check() -> Check:
    if not is_linux():
        return Check(id="fonts", status=RuleStatus.UNKNOWN, detail="Checked on Linux only.")
    fonts = font_families()
    if fonts.error:
        return Check(id="fonts", status=RuleStatus.FAIL, detail=f"{fonts.error}: run `sudo apt install libfontconfig1 {FONT_PACKAGE}`.")
    if not fonts.families:
        return Check(
            id="fonts",
            status=RuleStatus.FAIL,
            detail=f"fontconfig lists no fonts, so the window would show no text: run `sudo apt install {FONT_PACKAGE}`.",
        )
    count = f"{len(fonts.families)} font {'family' if len(fonts.families) == 1 else 'families'}"
    preferred = [name for name in SUMMARY_FONTS if name in fonts.families]
    if preferred:
        return Check(id="fonts", status=RuleStatus.PASS, detail=f"{count}, including {preferred[0]}, the summary PDF's font.")
    return Check(
        id="fonts",
        status=RuleStatus.WARN,
        detail=f"{count}, but not {_and(list(SUMMARY_FONTS))}, which the summary PDF asks for: "
        f"run `sudo apt install {FONT_PACKAGE}`.",
    )
