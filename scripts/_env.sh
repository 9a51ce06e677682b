# Shared set-up for scripts/run and scripts/test: a Python 3.12+ virtualenv with the project
# installed (versions pinned by requirements.lock) and the page's npm packages.
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
