#!/usr/bin/env bash
# Make the Debian package from the frozen folder that build.spec produced.
#
#   packaging/build-deb.sh [FROZEN_DIR [OUT_DIR [ICON_DIR]]]
#
# FROZEN_DIR defaults to dist/HeartLink, OUT_DIR to dist, ICON_DIR to resources/icons.
# DEB_COMPRESSION=gzip|xz|zstd (default xz) picks dpkg-deb's compressor.
# The package installs the folder as /opt/heartlink-desktop, the command
# /usr/bin/heartlink-desktop, a menu entry and the icon in every size resources/icons has.
# Depends lists the packages that provide the shared libraries the bundle links to but does
# not carry (libc, OpenGL/EGL, Wayland, xcb), found with readelf and dpkg -S on this machine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FROZEN="${1:-$ROOT/dist/HeartLink}"
OUT="${2:-$ROOT/dist}"
ICONS="${3:-$ROOT/resources/icons}"
PKG=heartlink-desktop

[ -x "$FROZEN/HeartLink" ] || { echo "no frozen app at $FROZEN; run pyinstaller build.spec first" >&2; exit 1; }
command -v dpkg-deb >/dev/null || { echo "dpkg-deb is needed (Debian/Ubuntu)" >&2; exit 1; }
VERSION="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$ROOT/heartlink_desktop/__init__.py")"
ARCH="$(dpkg --print-architecture)"

STAGE="$(mktemp -d "${TMPDIR:-/tmp}/heartlink-deb.XXXXXX")"
trap 'rm -rf "$STAGE"' EXIT
umask 022

mkdir -p "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
    "$STAGE/usr/share/doc/$PKG" "$STAGE/DEBIAN"
cp -a "$FROZEN" "$STAGE/opt/$PKG"
chmod -R u+rwX,go+rX,go-w "$STAGE/opt/$PKG"
install -m 0755 "$ROOT/packaging/linux/heartlink-desktop.sh" "$STAGE/usr/bin/$PKG"
install -m 0644 "$ROOT/packaging/linux/heartlink-desktop.desktop" "$STAGE/usr/share/applications/$PKG.desktop"

icons=0
for png in "$ICONS"/heartlink-*.png; do
    [ -f "$png" ] || continue
    size="${png##*/heartlink-}"; size="${size%.png}"
    [[ "$size" =~ ^[0-9]+$ ]] || continue
    dir="$STAGE/usr/share/icons/hicolor/${size}x${size}/apps"
    mkdir -p "$dir" && install -m 0644 "$png" "$dir/$PKG.png"
    icons=$((icons + 1))
done
if [ -f "$ICONS/heartlink.svg" ]; then
    mkdir -p "$STAGE/usr/share/icons/hicolor/scalable/apps"
    install -m 0644 "$ICONS/heartlink.svg" "$STAGE/usr/share/icons/hicolor/scalable/apps/$PKG.svg"
    icons=$((icons + 1))
fi
[ "$icons" -gt 0 ] || { echo "no icons in $ICONS (heartlink-<size>.png, heartlink.svg)" >&2; exit 1; }

cat > "$STAGE/usr/share/doc/$PKG/copyright" <<EOF
HeartLink Desktop $VERSION. Proprietary.
Bundles the Python runtime, Qt (LGPLv3) through PySide6, aiohttp, python-socketio,
cryptography and socket.io-client under their own licenses.
EOF

# Shared libraries the bundle needs but does not carry -> the packages that provide them.
needed="$(find "$STAGE/opt/$PKG" -type f \( -name '*.so*' -o -name HeartLink \) -print0 \
    | xargs -0 readelf -d 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u)"
carried="$(find "$STAGE/opt/$PKG" -name '*.so*' -printf '%f\n' | sort -u)"
depends=""
for so in $(comm -23 <(echo "$needed") <(echo "$carried")); do
    pkg="$(dpkg -S "*/$so" 2>/dev/null | grep -v -- '-dev[:,]' | head -n1 | cut -d: -f1 || true)"
    [ -n "$pkg" ] || { echo "no installed package provides $so; install it and build again" >&2; exit 1; }
    depends="$depends"$'\n'"$pkg"
done
# The newest glibc symbol version anything in the bundle uses: the oldest libc6 it runs on.
glibc="$(find "$STAGE/opt/$PKG" -type f \( -name '*.so*' -o -name HeartLink \) -print0 \
    | xargs -0 objdump -T 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n1 | cut -d_ -f2)"
depends="$(echo "$depends" | sed '/^$/d' | sort -u | sed "s/^libc6\$/libc6 (>= ${glibc:-2.17})/" \
    | paste -sd, | sed 's/,/, /g')"

cat > "$STAGE/DEBIAN/control" <<EOF
Package: $PKG
Version: $VERSION
Architecture: $ARCH
Maintainer: HeartLink <heartlink@localhost>
Installed-Size: $(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
Depends: $depends
Section: net
Priority: optional
Homepage: https://localhost/heartlink
Description: host a private, facilitated video conversation on the LAN
 HeartLink shows a QR code; two people on the same Wi-Fi scan it with their phones and get
 a private video conversation with each other, with a facilitator that suggests questions
 when the talk stalls. Everything stays on this computer and the local network.
EOF

mkdir -p "$OUT"
DEB="$OUT/${PKG}_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Z"${DEB_COMPRESSION:-xz}" --build "$STAGE" "$DEB" >/dev/null
echo "$DEB"
