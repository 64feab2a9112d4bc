"""The bundled program: zoomhost's command line, ``zoomhost.cli:main``.

Two things only a bundle needs: ``zoomhost --bundle-check`` reports whether this installed copy
has everything it needs (for IT staff), and ``zoomhost -m zoomhost[.module] ...`` runs a zoomhost
module the way ``python -m`` would, because inside a bundle ``sys.executable`` is this program,
so code that starts ``[sys.executable, "-m", "zoomhost", ...]`` keeps working.
"""

from __future__ import annotations

import multiprocessing
import runpy
import sys


def main() -> int:
    multiprocessing.freeze_support()  # a frozen program must handle multiprocessing's child start-up itself
    args = sys.argv[1:]
    if args[:1] == ["--bundle-check"]:
        from zoomhost_bundle_check import main as bundle_check

        return bundle_check(args[1:])
    if args[:1] == ["-m"] and len(args) > 1 and (args[1] == "zoomhost" or args[1].startswith("zoomhost.")):
        sys.argv = [sys.argv[0], *args[2:]]
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
        return 0
    from zoomhost.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    raise SystemExit(main())
