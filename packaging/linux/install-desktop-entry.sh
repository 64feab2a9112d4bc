#!/bin/sh
# Put zoomhost in the applications menu, pointing at this unpacked folder.
#
#   ./install-desktop-entry.sh            for this user (~/.local/share)
#   sudo ./install-desktop-entry.sh --system   for every user of this computer (/usr/local/share)
#   ./install-desktop-entry.sh --remove [--system]   take it out of the menu again
#
# It writes only the menu entry and the icon; zoomhost's own data stays where `zoomhost paths` says.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
program="$here/zoomhost"
icons_src="$here/_internal/zoomhost/resources/icons"
share="${XDG_DATA_HOME:-$HOME/.local/share}"
remove=no
for arg in "$@"; do
  case "$arg" in
    --system) share=/usr/local/share ;;
    --remove) remove=yes ;;
    *) echo "install-desktop-entry.sh: unknown option $arg (use --system and/or --remove)" >&2; exit 2 ;;
  esac
done
apps="$share/applications"
icons="$share/icons/hicolor"
sizes="16 24 32 48 64 128 256 512"

refresh() {
  command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$apps" 2>/dev/null || true
  command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$icons" 2>/dev/null || true
}

if [ "$remove" = yes ]; then
  rm -f "$apps/zoomhost.desktop" "$icons/scalable/apps/zoomhost.svg"
  for size in $sizes; do rm -f "$icons/${size}x${size}/apps/zoomhost.png"; done
  refresh
  echo "zoomhost removed from the applications menu ($apps)"
  exit 0
fi

if [ ! -x "$program" ]; then
  echo "install-desktop-entry.sh: $program is missing; run this script from the unpacked zoomhost folder" >&2
  exit 1
fi
case "$here" in
  *'"'* | *'`'* | *'$'* | *'\'* | *'|'* | *'&'*)
    echo "install-desktop-entry.sh: move the zoomhost folder to a path without \" \` \$ \\ | & and run this again" >&2
    exit 1 ;;
esac

for size in $sizes; do
  mkdir -p "$icons/${size}x${size}/apps"
  cp "$icons_src/zoomhost-$size.png" "$icons/${size}x${size}/apps/zoomhost.png"
done
mkdir -p "$icons/scalable/apps" "$apps"
cp "$icons_src/zoomhost.svg" "$icons/scalable/apps/zoomhost.svg"
# Exec is quoted so a folder with spaces works; TryExec hides the entry if the folder is moved.
sed -e "s|^Exec=.*|Exec=\"$program\"|" -e "s|^TryExec=.*|TryExec=$program|" \
  "$here/zoomhost.desktop" > "$apps/zoomhost.desktop"
chmod 644 "$apps/zoomhost.desktop"
refresh
echo "zoomhost added to the applications menu: $apps/zoomhost.desktop"
