#!/usr/bin/env bash
# The Linux job of .github/workflows/bundles.yml, runnable on any Debian or Ubuntu machine:
# build the bundle, then run packaging/smoke_test.py against it with a real Secret Service keyring.
#   bash packaging/ci-smoke.sh [--python PY] [--dist DIR]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python3}
dist="$repo/dist"
build_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --python) python=$2; build_args+=(--python "$2"); shift 2 ;;
    --dist) dist=$2; shift 2 ;;
    *) echo "ci-smoke.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$dist" && dist=$(cd "$dist" && pwd)
bash "$repo/packaging/build.sh" "${build_args[@]}" --dist "$dist"
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
# A Secret Service in its own D-Bus session, unlocked with a throwaway password, as on a teacher's desktop.
XDG_DATA_HOME="$keyring_home" dbus-run-session -- bash -c '
  printf "ci-smoke" | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
  daemon=$!
  for _ in $(seq 100); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true" && break
    sleep 0.1
  done
  status=0; "$0" "$1/packaging/smoke_test.py" "$2/zoomhost/zoomhost" --keyring || status=$?
  kill "$daemon"; wait "$daemon" 2>/dev/null
  exit "$status"
' "$python" "$repo" "$dist"
