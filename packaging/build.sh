#!/usr/bin/env bash
# Build the Linux desktop bundle from a clone of the repository:
#
#   bash packaging/build.sh
#
# makes dist/zoomhost/ (run dist/zoomhost/zoomhost) and dist/zoomhost-VERSION-linux-ARCH.tar.gz.
# With no options it creates its own Python environment in build/venv (Python 3.11+ as
# $PYTHON, default python3) and installs zoomhost's dependencies and PyInstaller into it.
#
# Options:
#   --python PY   build with an existing environment that already has zoomhost's dependencies
#                 and PyInstaller (the `bundle` extra); nothing is installed
#   --dist DIR    where the bundle and archive go (default dist)
#   --work DIR    PyInstaller's work folder (default build/pyinstaller)
#   --no-archive  skip the .tar.gz
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

python=""
dist="$repo/dist"
work="$repo/build/pyinstaller"
archive=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --python) python=$2; shift 2 ;;
    --dist) dist=$(mkdir -p "$2" && cd "$2" && pwd); shift 2 ;;
    --work) work=$(mkdir -p "$2" && cd "$2" && pwd); shift 2 ;;
    --no-archive) archive=no; shift ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

if [ -z "$python" ]; then
  base=${PYTHON:-python3}
  if ! "$base" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "build.sh: needs Python 3.11 or newer as \$PYTHON (found: $("$base" --version 2>&1 || echo none))" >&2
    exit 1
  fi
  if [ ! -x build/venv/bin/python ]; then
    echo "build.sh: creating build/venv"
    "$base" -m venv build/venv
  fi
  python="$repo/build/venv/bin/python"
  echo "build.sh: installing zoomhost's dependencies and PyInstaller into build/venv"
  "$python" -m pip install -q --upgrade pip
  "$python" -m pip install -q ".[bundle]"
fi
if ! "$python" -c 'import PyInstaller, PySide6' 2>/dev/null; then
  echo "build.sh: $python has no PyInstaller or PySide6; install zoomhost's 'bundle' extra into it, or leave out --python" >&2
  exit 1
fi

version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' zoomhost/__init__.py)
mkdir -p "$dist" "$work"
echo "build.sh: building zoomhost $version with PyInstaller"
# Run from the work folder: from the repository root our packaging/ folder could stand in for
# the `packaging` library that PyInstaller itself imports.
(cd "$work" && "$python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$dist" --workpath "$work" "$repo/packaging/zoomhost.spec")

bundle="$dist/zoomhost"
cp packaging/linux/zoomhost.desktop packaging/linux/install-desktop-entry.sh "$bundle/"
chmod 755 "$bundle/install-desktop-entry.sh"

echo "build.sh: bundle $bundle ($(du -sh "$bundle" | cut -f1))"
if [ "$archive" = yes ]; then
  tarball="$dist/zoomhost-$version-linux-$(uname -m).tar.gz"
  tar -C "$dist" --sort=name --owner=0 --group=0 --numeric-owner -czf "$tarball" zoomhost
  echo "build.sh: archive $tarball ($(du -h "$tarball" | cut -f1))"
fi
