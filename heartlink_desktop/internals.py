"""Every private name of a library that HeartLink uses, in one table, with the version it was
checked against (a leaf: it imports nothing of HeartLink).

Speed and memory need a few of python-socketio's, python-engineio's, aiohttp's and asyncio's
internals (docs/architecture.md, "Library internals"). They are used in three modules only:
`server/fast.py` (the websocket fast path, polling bodies read whole), `server/listener.py`
(TLS with a smaller read buffer) and `server/protocol.py` (the one gate on what clients send).
The window's loop (`gui/loop.py`), the outbox (`server/outbox.py`) and the page use public
names only. `pyproject.toml` bounds each library at the version below; `--plain-io`
(`Settings.plain_io`) turns off every internal whose `plain` says "off", and the host then
runs on the libraries' public paths. `tests/unit/test_internals.py` checks that each name
below still exists in what is installed, and that no other private name of these libraries
is used anywhere in heartlink_desktop/ or resources/web/.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import metadata

# library -> the version its names were checked against ("asyncio": the Pythons)
CHECKED_AGAINST = {
    "python-socketio": "5.18.1",
    "python-engineio": "4.15.1",
    "aiohttp": "3.14.5",
    "qasync": "0.28.0",
    "asyncio": "CPython 3.12.1 and 3.13.0",
    "socket.io-client": "4.8.3",
}

OFF = "off"  # what `plain` says of an internal that --plain-io does without


@dataclass(frozen=True)
class Internal:
    """One name of a library that is not its public API: where it lives (`owner`, a module
    or `module:Class`), which HeartLink modules use it (paths under heartlink_desktop/), why,
    and what `--plain-io` does with it (OFF, or why it stays)."""

    library: str
    owner: str
    name: str
    used_in: tuple[str, ...]
    why: str
    plain: str = OFF


_GATE = "kept: the one gate on client events has no public hook before decoding"
_FAST = ("server/fast.py",)

INTERNALS: tuple[Internal, ...] = (
    # python-socketio: the gate (server/protocol.py) and the fast path's way into it
    Internal(
        "python-socketio",
        "socketio:AsyncServer",
        "_handle_event",
        ("server/protocol.py", "server/fast.py"),
        "the gate overrides it; the fast path hands it each EVENT it decoded",
        "kept in protocol.py (" + _GATE + "); fast.py's use is off",
    ),
    Internal(
        "python-socketio",
        "socketio:AsyncServer",
        "_handle_eio_message",
        ("server/protocol.py",),
        "a packet's size and depth checked before python-socketio decodes it",
        _GATE,
    ),
    Internal(
        "python-socketio",
        "socketio:AsyncServer",
        "_handle_eio_connect",
        ("server/protocol.py",),
        "a connection must sign in within client_timeout",
        _GATE,
    ),
    Internal(
        "python-socketio",
        "socketio:AsyncServer",
        "_handle_connect",
        ("server/protocol.py",),
        "a second connect on one connection is ignored",
        _GATE,
    ),
    Internal(
        "python-socketio",
        "socketio:AsyncServer",
        "_send_packet",
        ("server/protocol.py",),
        "the empty acknowledgement of an event that asked for one (the page's audio)",
        _GATE,
    ),
    Internal(
        "python-socketio",
        "socketio:AsyncServer",
        "_binary_packet",
        _FAST,
        "a socket whose binary packet awaits its attachments: its frames go python-socketio's way",
    ),
    # python-engineio: its driver table and the socket the fast websocket serves
    Internal(
        "python-engineio",
        "engineio:AsyncServer",
        "_async",
        _FAST,
        "the driver table: 'websocket' (the fast websocket) and 'translate_request' (bodies read whole)",
        "'websocket' off; 'translate_request' kept: a polling body read whole is a fix, not a speed-up",
    ),
    Internal(
        "python-engineio",
        "engineio.async_drivers.aiohttp",
        "WebSocket",
        _FAST,
        "the aiohttp driver's websocket, subclassed by FastWebSocket (an unprefixed internal)",
    ),
    *(
        Internal(
            "python-engineio",
            "engineio.async_socket:AsyncSocket",
            name,
            _FAST,
            "the Engine.IO socket the fast websocket reads for and writes to (unprefixed internals)",
        )
        for name in (
            "queue",
            "poll",
            "receive",
            "close",
            "upgrading",
            "upgraded",
            "connected",
            "closing",
            "closed",
        )
    ),
    # aiohttp: the websocket's writer and reader beneath WebSocketResponse
    Internal(
        "aiohttp",
        "aiohttp.web_ws:WebSocketResponse",
        "_writer",
        _FAST,
        "its transport is swapped for the Coalescer: one write per connection per loop turn",
    ),
    Internal(
        "aiohttp",
        "aiohttp.web_ws:WebSocketResponse",
        "_reader",
        _FAST,
        "the queue of messages received and not yet read",
    ),
    Internal(
        "aiohttp",
        "aiohttp._websocket.reader_py:WebSocketDataQueue",
        "_buffer",
        _FAST,
        "whether messages are waiting: read loops with some take turns (compiled as reader_c)",
    ),
    Internal(
        "aiohttp",
        "aiohttp._websocket.writer:WebSocketWriter",
        "transport",
        _FAST,
        "where the writer writes (an unprefixed internal)",
    ),
    Internal(
        "aiohttp",
        "aiohttp.web_runner:BaseSite",
        "_server",
        ("server/listener.py",),
        "the listening server, which the runner reads its address from and closes",
        "kept: aiohttp has no public way to give a site its own protocol factory",
    ),
    # asyncio: TLS with a smaller read buffer
    Internal(
        "asyncio",
        "asyncio.sslproto",
        "SSLProtocol",
        ("server/listener.py",),
        "asyncio's TLS protocol, made by the listener itself (an undocumented class)",
    ),
    Internal(
        "asyncio",
        "asyncio.sslproto:SSLProtocol",
        "max_size",
        ("server/listener.py",),
        "its read buffer's size: 32 KiB instead of 256 KiB per connection",
    ),
)


def unchecked() -> list[str]:
    """The libraries installed at another version than their names were checked against,
    each as "name installed (checked checked)"; [] when all are the checked ones."""
    found = []
    for library, checked in CHECKED_AGAINST.items():
        if library in ("asyncio", "socket.io-client"):
            continue  # the Python running, and the page's copy: checked by the tests
        try:
            installed = metadata.version(library)
        except metadata.PackageNotFoundError:
            continue
        if installed != checked:
            found.append(f"{library} {installed} (checked {checked})")
    return found
