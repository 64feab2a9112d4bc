#!/usr/bin/env bash
# Inside a private D-Bus session: start a fresh, unlocked gnome-keyring with an empty
# keyring folder, run pytest, then stop the keyring. Called by tests/run.
set -euo pipefail
keyring_home=$(mktemp -d)
daemon_env="$keyring_home/daemon.env"
export XDG_DATA_HOME="$keyring_home"
mkdir -p "$XDG_DATA_HOME/keyrings"
# The password on stdin creates and unlocks the default collection without a prompt.
(printf 'zoomhost-test-keyring' | gnome-keyring-daemon --foreground --unlock --components=secrets >"$daemon_env" 2>/dev/null) &
daemon=$!
cleanup() { kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; rm -rf "$keyring_home"; }
trap cleanup EXIT
for _ in $(seq 100); do grep -q '^GNOME_KEYRING_CONTROL=' "$daemon_env" && break; sleep 0.1; done
while IFS= read -r line; do export "${line?}"; done <"$daemon_env"
"${ZOOMHOST_PYTHON:-.venv/bin/python}" -m pytest "$@"
