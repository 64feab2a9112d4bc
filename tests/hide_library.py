"""Run a command on this computer as if some shared libraries had never been installed.

    python tests/hide_library.py SCRATCH LIBRARY_PATH [LIBRARY_PATH ...] -- COMMAND [ARG ...]

In a mount namespace of its own (as root; otherwise in a user namespace too), each library's
folder is replaced by a folder of links to everything in it except the hidden libraries, so the
dynamic loader finds every other library where it always does and those nowhere: the state of a
fresh desktop that lacks them. Nothing outside this process and its children sees any of it.
Exits with 77 when this computer does not allow a private mount namespace.
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
CANNOT = 77

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p]


def _mount(source: str | None, target: str, flags: int) -> None:
    if _libc.mount(source.encode() if source else None, target.encode(), None, flags, None) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {source} on {target}: {os.strerror(err)}")


def private_mount_namespace() -> None:
    uid, gid = os.getuid(), os.getgid()
    # Root makes a mount namespace; anyone else (or a root without that right, as in some containers)
    # makes it inside a user namespace of their own.
    tries = [CLONE_NEWNS, CLONE_NEWNS | CLONE_NEWUSER] if os.geteuid() == 0 else [CLONE_NEWNS | CLONE_NEWUSER]
    for flags in tries:
        if _libc.unshare(flags) == 0:
            break
        err = ctypes.get_errno()
    else:
        raise OSError(err, f"unshare: {os.strerror(err)}")
    if flags & CLONE_NEWUSER:
        Path("/proc/self/setgroups").write_text("deny", encoding="ascii")
        Path("/proc/self/uid_map").write_text(f"0 {uid} 1", encoding="ascii")
        Path("/proc/self/gid_map").write_text(f"0 {gid} 1", encoding="ascii")
    _mount(None, "/", MS_REC | MS_PRIVATE)  # nothing done here reaches the rest of the computer


def hide(scratch: Path, libraries: list[Path]) -> None:
    by_folder: dict[Path, set[str]] = {}
    for library in libraries:
        by_folder.setdefault(library.parent, set()).add(library.name)
    for number, (folder, hidden) in enumerate(sorted(by_folder.items())):
        original = scratch / f"original-{number}"
        links = scratch / f"without-{number}"
        original.mkdir(parents=True)
        links.mkdir(parents=True)
        _mount(str(folder), str(original), MS_BIND)  # the folder as it is, reachable under another name
        for entry in os.listdir(original):
            if entry not in hidden:
                os.symlink(original / entry, links / entry)
        _mount(str(links), str(folder), MS_BIND)


def main(argv: list[str]) -> int:
    split = argv.index("--")
    scratch, *libraries = argv[:split]
    command = argv[split + 1 :]
    try:
        private_mount_namespace()
    except OSError as err:
        print(f"hide_library: this computer allows no private mount namespace here ({err})", file=sys.stderr)
        return CANNOT
    hide(Path(scratch), [Path(lib) for lib in libraries])
    os.execvp(command[0], command)
    return 1  # not reached


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
