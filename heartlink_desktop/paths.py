"""Every location the app uses: data, config, certificates, sessions, bundled resources."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import platformdirs

APP_DIR_NAME = "heartlink-desktop"
IS_FROZEN = bool(getattr(sys, "frozen", False))


def resource_dir() -> Path:
    """The folder holding web/, icons/, decks/: bundled when frozen, beside the package otherwise."""
    if IS_FROZEN:
        return Path(sys._MEIPASS) / "resources"  # type: ignore[attr-defined]
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resource_dir().joinpath(*parts)


def socketio_client_dir() -> Path:
    """Where socket.io-client's dist files are: bundled when frozen, node_modules otherwise."""
    bundled = resource("web", "vendor")
    if IS_FROZEN or (bundled / "socket.io.esm.min.js").exists():
        return bundled
    return resource_dir().parent / "node_modules" / "socket.io-client" / "dist"


def _private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(path, 0o700)
    return path


def _replace(tmp: str, path: Path) -> bool:
    os.replace(tmp, path)
    return True


def atomic_write(
    path: Path, data: bytes, mode: int = 0o600, *, replace: Callable[[str, Path], bool] = _replace
) -> None:
    """Write a file so that a reader sees the old or the new content, never a half.

    `replace(tmp, path)` puts the finished temporary file in place; one that returns False
    (the file is not wanted any more) leaves it to be removed here."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if os.name == "posix":
            os.chmod(tmp, mode)
        if not replace(tmp, path):
            os.unlink(tmp)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


class Paths:
    """The per-user folders; one `data_dir` override moves all of them (tests, portable use)."""

    def __init__(self, data_dir: Path | None = None) -> None:
        if data_dir is None:
            self.data = Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))
            self.config = Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False))
        else:
            self.data = Path(data_dir).expanduser().resolve()
            self.config = self.data / "config"

    @property
    def sessions(self) -> Path:
        return _private_dir(self.data / "sessions")

    @property
    def certs(self) -> Path:
        return _private_dir(self.data / "certs")

    @property
    def token_file(self) -> Path:
        """The join token (in the QR code): kept so that a host restarted after a crash keeps
        the link the phones have; only a reset changes it."""
        return self.data / "token"

    def load_token(self) -> str | None:
        try:
            token = self.token_file.read_text("ascii").strip()
        except (OSError, ValueError):
            return None
        # 32 URL-safe characters at least (token_urlsafe(24)); anything else is not ours
        if len(token) < 32 or not all(c.isalnum() or c in "-_" for c in token):
            return None
        return token

    def save_token(self, token: str) -> None:
        atomic_write(self.token_file, token.encode("ascii"))

    @property
    def settings_file(self) -> Path:
        return _private_dir(self.config) / "settings.json"

    def ensure(self) -> Paths:
        _private_dir(self.data)
        _ = self.sessions, self.certs, self.settings_file
        return self

    def load_settings(self) -> dict[str, Any]:
        try:
            data = json.loads(self.settings_file.read_text("utf-8"))
        except (FileNotFoundError, ValueError, OSError):
            return {}
        return data if isinstance(data, dict) else {}

    def save_settings(self, values: dict[str, Any]) -> None:
        atomic_write(self.settings_file, json.dumps(values, indent=2).encode())
