#!/usr/bin/env bash
# Build the installable app on Linux: the frozen folder (build.spec), then the .deb.
#
#   packaging/build.sh            # -> dist/HeartLink/ and dist/heartlink-desktop_<version>_<arch>.deb
#   packaging/build.sh --no-deb   # the frozen folder only
#
# On first use it makes .venv with the pinned packages and the `build` extra (PyInstaller)
# and installs the page's npm packages, as scripts/run does, and the Debian packages of
# BUILD_DEBS in scripts/_env.sh (with apt-get, when missing). Set PYTHON to build with an
# interpreter that already has them (the tests do), DIST and WORK to build elsewhere.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="${DIST:-$ROOT/dist}"
WORK="${WORK:-$ROOT/build}"
make_deb=1
for arg in "$@"; do
    case "$arg" in
        --no-deb) make_deb=0 ;;
        *) echo "usage: packaging/build.sh [--no-deb]" >&2; exit 2 ;;
    esac
done

source "$ROOT/scripts/_env.sh"
ensure_debs "${BUILD_DEBS[@]}"
if [ -z "${PYTHON:-}" ]; then
    ensure_venv build
    ensure_npm
    PYTHON="$VENV/bin/python"
fi
check_qt_libs "$PYTHON"

start=$(date +%s)
mkdir -p "$WORK" "$DIST"
QT_QPA_PLATFORM=offscreen "$PYTHON" "$ROOT/packaging/icons.py" --out "$WORK/icons"
(cd "$ROOT" && HEARTLINK_ICON_DIR="$WORK/icons" "$PYTHON" -m PyInstaller --noconfirm \
    --log-level "${PYINSTALLER_LOG_LEVEL:-WARN}" --distpath "$DIST" --workpath "$WORK/pyinstaller" build.spec)
frozen=$(date +%s)
echo "frozen app: $DIST/HeartLink ($(du -sm "$DIST/HeartLink" | cut -f1) MB, $((frozen - start)) s)"

if [ "$make_deb" = 1 ]; then
    deb="$("$ROOT/packaging/build-deb.sh" "$DIST/HeartLink" "$DIST" "$WORK/icons")"
    echo "package: $deb ($(du -m "$deb" | cut -f1) MB, $(($(date +%s) - frozen)) s)"
fi
