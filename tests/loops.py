"""The loops the tests run on, each recording what went wrong in the background: a task that
failed with nobody awaiting it fails the test that ran it (`tests/conftest.py` checks)."""

from __future__ import annotations

import asyncio
from typing import Any

errors: list[str] = []


def recording(loop: asyncio.AbstractEventLoop) -> asyncio.AbstractEventLoop:
    """`loop`, with an exception handler that records each error before the usual log line."""

    def record(loop: Any, context: dict[str, Any]) -> None:
        errors.append(f"{context.get('message')}: {context.get('exception')!r}")
        loop.default_exception_handler(context)

    loop.set_exception_handler(record)
    return loop


def plain() -> asyncio.AbstractEventLoop:
    """asyncio's own loop, as the headless host runs on."""
    return recording(asyncio.new_event_loop())
