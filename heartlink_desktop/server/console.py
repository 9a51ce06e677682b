"""The headless host's standard input: one command a line, each answered in plain words.

A table of commands; adding one is one entry. `status`, `reset`, `end <conversation>`,
`reports`, `remove <name or id>`, `unremove <name>` and `help` always; `start`, `next`,
`resume` and `end` (the evening) with `--rounds`. Each report is printed as it comes.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from heartlink_desktop.core.errors import CoreError

if TYPE_CHECKING:
    from heartlink_desktop.server.host import HostServer, ServerEvent

log = logging.getLogger(__name__)


def plain(text: str, limit: int = 60) -> str:
    """A peer's text fit for a terminal: no control characters (no escape sequences), short."""
    text = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Command:
    """One command: its name, what it takes, one line of help, and what it does (`run`
    gets the console and the rest of the line, and returns the answer)."""

    name: str
    args: str
    help: str
    run: Callable[[Console, str], Awaitable[str]]
    evening: bool = False  # only when the host runs an evening of rounds


async def _help(console: Console, rest: str) -> str:
    width = max(len(f"{c.name} {c.args}".strip()) for c in console.available())
    lines = [f"  {f'{c.name} {c.args}'.strip():<{width}}  {c.help}" for c in console.available()]
    return "Commands, one a line:\n" + "\n".join(lines)


async def _status(console: Console, rest: str) -> str:
    host = console.host
    sessions = host.rooms.sessions
    console.numbered = [s.session_id for s in sessions]
    head = (
        f"{len(sessions)} conversation{'' if len(sessions) == 1 else 's'}, "
        f"{len(host.rooms.line)} in line, {len(host.clients)} connected."
    )
    if host.evening is not None:  # the evening's line says its conversations already
        head = f"{host.evening.status_line()} {len(host.clients)} connected."
    lines = [head]
    for n, s in enumerate(sessions, start=1):
        names = " & ".join(plain(p.name, 30) for p in s.profiles.values()) or "nobody yet"
        lines.append(f"  {n}. {names} ({s.status}, {len(s.transcript)} lines) {s.session_id}")
    people = [(p, name) for p, name, sid in host.guard.people() if sid in host.clients]
    if people:
        lines.append("People (remove <name or id>): " + ", ".join(f"{plain(n, 30)} ({p})" for p, n in people))
    return "\n".join(lines)


async def _reports(console: Console, rest: str) -> str:
    reports = console.host.guard.reports()
    if not reports:
        return "No reports."
    return "\n".join(plain(r.line(), 200) for r in reports)


async def _remove(console: Console, rest: str) -> str:
    if not rest.strip():
        return "Whom? remove <name or id>, as status lists them."
    try:
        removal = await console.host.guard.remove(rest)
    except CoreError as exc:
        return exc.message
    return f"Removed {plain(removal.name, 30)}: refused until a reset or unremove."


async def _unremove(console: Console, rest: str) -> str:
    try:
        name = console.host.guard.undo(rest)
    except CoreError as exc:
        return exc.message
    return f"{plain(name, 30)} may join again."


async def _reset(console: Console, rest: str) -> str:
    await console.host.reset()
    console.numbered = []
    return f"Reset: every conversation ended, every file deleted. New join URL: {console.host.join_url}"


async def _end(console: Console, rest: str) -> str:
    which = rest.strip()
    host = console.host
    if not which:
        if host.evening is not None:
            return await host.evening.command("end")
        return "Which conversation? end <number or id>, as status prints them."
    session_id = which
    if which.isdigit():
        n = int(which)
        if not 1 <= n <= len(console.numbered):
            return f"There is no conversation {n}: status lists them."
        session_id = console.numbered[n - 1]
    if await host.end_session(session_id):
        return f"Ended conversation {which}."
    return f"Conversation {plain(which)} is not going on (it may have ended already)."


def _evening(name: str) -> Callable[[Console, str], Awaitable[str]]:
    async def run(console: Console, rest: str) -> str:
        assert console.host.evening is not None
        return await console.host.evening.command(name)

    return run


COMMANDS = (
    Command("help", "", "this list", _help),
    Command("status", "", "the conversations (numbered), the line, and the evening", _status),
    Command("end", "<number or id>", "end one conversation (as status numbers it)", _end),
    Command("reset", "", "end everything, delete every file, a new join link", _reset),
    Command("reports", "", "every report since the last reset, one a line", _reports),
    Command("remove", "<name or id>", "remove someone: their call ends, they are refused", _remove),
    Command("unremove", "<name>", "take a removal back", _unremove),
    Command("start", "", "start the evening's first round", _evening("start"), evening=True),
    Command("next", "", "end the round now, or end the break now", _evening("next"), evening=True),
    Command("resume", "", "go on after a crash, with whoever is back", _evening("resume"), evening=True),
    Command("end", "", "end the evening (each person gets their matches)", _end, evening=True),
)


class Console:
    """Reads standard input for the headless host and answers on standard output; owns the
    table's numbering of conversations (`status` sets it, `end <n>` reads it). app.run_headless
    makes it; news the host announces (`evening_news`) is printed as it comes."""

    def __init__(self, host: HostServer, out: TextIO | None = None) -> None:
        self.host = host
        self.out = out or sys.stdout
        self.numbered: list[str] = []
        self._lock = threading.Lock()  # the reader thread and the loop both print
        host.subscribe(self._news)

    def say(self, text: str) -> None:
        with self._lock:
            self.out.write(text + "\n")
            self.out.flush()

    def available(self) -> list[Command]:
        evening = self.host.evening is not None
        seen: set[str] = set()
        out = []
        for c in COMMANDS:
            key = f"{c.name} {c.args}"
            if (c.evening and not evening) or key in seen:
                continue
            seen.add(key)
            out.append(c)
        return out

    async def run(self, line: str) -> str:
        """One line typed: its answer."""
        name, _, rest = line.strip().partition(" ")
        name = name.lower()
        candidates = [c for c in self.available() if c.name == name]
        if not candidates:
            return f"Unknown command {plain(name, 20)!r}: type help for the list."
        # `end` with an argument is a conversation's; alone, the evening's (if there is one)
        command = next((c for c in candidates if bool(c.args) == bool(rest.strip())), candidates[0])
        return await command.run(self, rest)

    def _news(self, event: ServerEvent) -> None:
        if event.kind == "evening_news":
            self.say(str(event.data.get("line", "")))
        elif event.kind == "report":
            self.say(plain(event.data["report"].line(), 200))

    def read(self, loop: asyncio.AbstractEventLoop, source: TextIO | None = None) -> threading.Thread:
        """Answer each line of `source` (standard input) in a thread of its own, so that a
        pipe, a file or a terminal all work; the commands run on the loop."""

        def serve() -> None:
            for line in source or sys.stdin:
                if not line.strip():
                    continue
                future = asyncio.run_coroutine_threadsafe(self.run(line), loop)
                try:
                    self.say(future.result())
                except Exception as exc:  # the loop stopped
                    log.debug("command not carried out: %s", exc)
                    return

        thread = threading.Thread(target=serve, name="heartlink-commands", daemon=True)
        thread.start()
        return thread

    def greeting(self) -> str:
        names = ", ".join(dict.fromkeys(c.name for c in self.available()))
        return f"Commands, one a line: {names} (help explains them)."
