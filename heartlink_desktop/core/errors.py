"""Errors the core raises; each carries a stable code and plain words."""

from __future__ import annotations

from typing import Any


class CoreError(Exception):
    """A refused request. `code` is stable and goes on the wire as `session_error.error`."""

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}
