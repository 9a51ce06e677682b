# Shared set-up for scripts/run, scripts/test and packaging/build.sh: a Python 3.12+ virtualenv
# with the project installed (versions pinned by requirements.lock), the page's npm packages,
# and the Debian packages the tests and the build need (the one list of them is below).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

find_python() {
    for cand in python3.13 python3.12 python3; do
        for py in "$(command -v "$cand" 2>/dev/null || true)" /root/.pyenv/versions/3.1[23]*/bin/"$cand"; do
            [ -n "$py" ] && [ -x "$py" ] || continue
            if "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
                echo "$py"; return 0
            fi
        done
    done
    # pyenv: any installed 3.12+
    for py in "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3; do
        [ -x "$py" ] && { echo "$py"; return 0; }
    done
    echo "HeartLink needs Python 3.12 or newer; none was found." >&2
    return 1
}

ensure_venv() {
    local extras="${1:-}"
    local stamp="$VENV/.installed-${extras:-base}"
    local target="$ROOT"
    [ -n "$extras" ] && target="$ROOT[$extras]"
    if [ ! -x "$VENV/bin/python" ]; then
        "$(find_python)" -m venv "$VENV"
    fi
    if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ] || [ "$ROOT/requirements.lock" -nt "$stamp" ]; then
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check \
            -c "$ROOT/requirements.lock" -e "$target"
        touch "$stamp"
    fi
}

ensure_npm() {
    if [ ! -f "$ROOT/node_modules/socket.io-client/dist/socket.io.esm.min.js" ] \
        || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
        (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
    fi
}

# The Debian packages, in one place. Each is checked on its own and installed when missing:
# a machine that has one of a group may lack the others.
#   QT_XCB_DEBS: the libraries Qt's xcb platform plugin (the window on X11) links to that a
#     new machine lacks; scripts/run installs them before it opens the window.
#     packaging/qtlibs.py checks that this list is still complete.
#   BUILD_DEBS: what packaging/build.sh needs to make the .deb: binutils (readelf, objdump,
#     strip) and the xcb libraries (the .deb maps each library the bundle needs to the
#     package that provides it, so each must be installed).
#   TEST_DEBS: the build's, plus Chromium and Firefox ESR for the page tests, Xvfb for a real
#     window, a font for screenshots, espeak-ng and sox to make test speech, PulseAudio
#     (a null sink for Firefox's sound: without an output device its AudioContext never runs;
#     pulseaudio-utils' paplay plays test speech into what Firefox hears as its microphone),
#     and real human recordings with their words for the speech tests and benchmark:
#     Asterisk's English prompts (the WAVs, and core-sounds-en.txt in the other package) and
#     ALSA's channel names and noise.
QT_XCB_DEBS=(libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1)
BUILD_DEBS=(binutils "${QT_XCB_DEBS[@]}")
TEST_DEBS=("${BUILD_DEBS[@]}" chromium firefox-esr pulseaudio pulseaudio-utils xvfb xauth fonts-dejavu-core
    espeak-ng sox asterisk-core-sounds-en-wav asterisk-core-sounds-en alsa-utils)

deb_installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

ensure_debs() {
    if ! command -v dpkg-query >/dev/null; then
        echo "Not a Debian-based system: make sure these (or their equivalents) are installed: $*" >&2
        return 0
    fi
    local missing=() pkg
    for pkg in "$@"; do
        deb_installed "$pkg" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "Installing Debian packages: ${missing[*]}" >&2
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Fails, naming the Debian package for each, when Qt's xcb plugin in the venv links to a
# library that is not installed (a newer Qt that needs one more than BUILD_DEBS lists).
check_qt_libs() {
    "${1:-$VENV/bin/python}" "$ROOT/packaging/qtlibs.py"
}
