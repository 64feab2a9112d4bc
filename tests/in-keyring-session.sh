#!/usr/bin/env bash
# Inside a private D-Bus session: start a fresh, unlocked gnome-keyring with an empty
# keyring folder, then run pytest. Called by tests/run.
set -euo pipefail
keyring_home=$(mktemp -d)
trap 'rm -rf "$keyring_home"' EXIT
export XDG_DATA_HOME="$keyring_home"
mkdir -p "$XDG_DATA_HOME/keyrings"
# The password on stdin creates and unlocks the default collection without a prompt.
eval "$(printf 'zoomhost-test-keyring' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
status=0
"${ZOOMHOST_PYTHON:-.venv/bin/python}" -m pytest "$@" || status=$?
gnome-keyring-daemon --replace --components= >/dev/null 2>&1 & disown || true
exit "$status"
