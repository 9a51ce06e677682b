"""Every setting a host may change, with defaults, validation and the command line."""

from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from heartlink_desktop import __version__

log = logging.getLogger(__name__)


MAX_PAIRS = 500  # conversations at once; the window and the files stay flat up to here
EVENING_PAIRS = 50  # an evening seats everyone present, whatever --max-pairs says: room for this many


class SettingsError(Exception):
    """A setting out of range or of the wrong kind; the message is one plain line."""


# speech to text: on this computer (Whisper, or PocketSphinx: fewer words right), a service, none
STT_ENGINES = ("whisper", "pocketsphinx", "openai", "off")


@dataclass(frozen=True)
class Settings:
    """Every setting a host may change (network, pairs, meet mode, facilitator, speech,
    evening, connection limits), with defaults and `validate`; made from the command line over
    the saved settings (`parse_args`), a part persisted (`persisted`)."""

    host: str = "0.0.0.0"
    port: int = 8765
    data_dir: Path | None = None
    max_pairs: int = 1
    spiciness: int = 2
    # who may meet whom: "preferences" (each profile's gender and whom they meet count) or "everyone"
    meet_mode: str = "preferences"
    # facilitator
    silence_seconds: float = 8.0
    cooldown_seconds: float = 15.0
    turns_without_ai: int = 12
    llm_url: str | None = None
    llm_model: str | None = None
    # speech to text
    stt: str = "whisper"  # one of STT_ENGINES; a --stt-url alone means "openai"
    stt_url: str | None = None
    stt_model: str | None = None
    stt_workers: int | None = None  # None: from the number of cores
    # rooms
    grace_seconds: float = 30.0
    queue: bool | None = None  # None: on when max_pairs > 1
    waiting_timeout: float = 900.0
    idle_timeout: float = 600.0
    # an evening of rounds (None: one conversation per pair, as long as they like)
    rounds: int | None = None
    round_minutes: float = 5.0
    break_seconds: float = 30.0
    # connections: how many at once (None: from max_pairs), and how long each step may take
    max_connections: int | None = None
    handshake_timeout: float = 10.0  # seconds for a TLS handshake
    request_timeout: float = 15.0  # seconds for a request's head, and a kept-alive idle connection
    client_timeout: float = 20.0  # seconds a connection may take to become a signed-in Socket.IO client
    # how the join URL is shown
    address: str | None = None  # the LAN address to advertise; None: the default-route one
    headless: bool = False
    # the libraries' own public paths instead of the faster ones beneath them (internals.py)
    plain_io: bool = False

    @property
    def queue_enabled(self) -> bool:
        return self.max_pairs > 1 if self.queue is None else self.queue

    @property
    def connection_cap(self) -> int:
        """Connections open at once (TLS handshakes included) before new ones are refused:
        4 per person the host can seat (a page loading its files in parallel, a reload
        overlapping the old socket, polling before the websocket), half as many again for a
        line, and 32 to spare; an evening seats everyone, so it has room for at least
        EVENING_PAIRS pairs. `--max-connections` sets it outright."""
        if self.max_connections is not None:
            return self.max_connections
        people = 2 * (max(self.max_pairs, EVENING_PAIRS) if self.rounds is not None else self.max_pairs)
        if self.queue_enabled:
            people += people // 2
        return 32 + 4 * people

    def validate(self) -> Settings:
        if not 0 <= self.port <= 65535:
            raise SettingsError(f"port {self.port} is out of range (1-65535, or 0 for any free port)")
        if not 1 <= self.max_pairs <= MAX_PAIRS:
            raise SettingsError(f"max pairs must be between 1 and {MAX_PAIRS}")
        if not 1 <= self.spiciness <= 4:
            raise SettingsError("spiciness must be between 1 (Spark) and 4 (Inferno)")
        for name in ("silence_seconds", "cooldown_seconds", "waiting_timeout", "idle_timeout"):
            value = getattr(self, name)
            if not 0 < value <= 86400:
                raise SettingsError(f"{name.replace('_', ' ')} must be more than 0 and at most a day")
        if not 0 <= self.grace_seconds <= 3600:  # 0: a disconnect ends the session at once
            raise SettingsError("grace seconds must be between 0 and 3600")
        if self.rounds is not None and not 1 <= self.rounds <= 50:
            raise SettingsError("rounds must be between 1 and 50")
        if not 0 < self.round_minutes <= 180:
            raise SettingsError("round minutes must be more than 0 and at most 180")
        if not 0 <= self.break_seconds <= 600:
            raise SettingsError("break seconds must be between 0 and 600")
        if self.max_connections is not None and not 4 <= self.max_connections <= 100_000:
            raise SettingsError("max connections must be between 4 and 100000")
        for name in ("handshake_timeout", "request_timeout", "client_timeout"):
            if not 0 < getattr(self, name) <= 3600:
                raise SettingsError(f"{name.replace('_', ' ')} must be more than 0 and at most an hour")
        if self.turns_without_ai < 1:
            raise SettingsError("turns without AI must be at least 1")
        try:
            ipaddress.ip_address(self.host)
        except ValueError:
            raise SettingsError(f"host must be an IP address to bind, not {self.host!r}") from None
        if self.address is not None:
            try:
                ipaddress.IPv4Address(self.address)
            except ValueError:
                raise SettingsError(f"address must be an IPv4 address, not {self.address!r}") from None
        if self.llm_url is not None and not self.llm_url.startswith(("http://", "https://")):
            raise SettingsError("the LLM URL must start with http:// or https://")
        if self.stt not in STT_ENGINES:
            raise SettingsError(f"--stt must be one of {', '.join(STT_ENGINES)}, not {self.stt!r}")
        if self.stt == "openai" and not self.stt_url:
            raise SettingsError("--stt openai needs --stt-url (an OpenAI-compatible endpoint)")
        if self.stt_url is not None and not self.stt_url.startswith(("http://", "https://")):
            raise SettingsError("the speech-to-text URL must start with http:// or https://")
        if self.stt_workers is not None and not 1 <= self.stt_workers <= 16:
            raise SettingsError("speech-to-text workers must be between 1 and 16")
        if self.meet_mode not in ("everyone", "preferences"):
            raise SettingsError(f"--meet must be everyone or preferences, not {self.meet_mode!r}")
        return self

    @property
    def stt_engine(self) -> str:
        """The engine in effect: a --stt-url with an embedded engine means the remote one (the
        window keeps "pocketsphinx" when the service is chosen there, as before Whisper)."""
        if self.stt in ("whisper", "pocketsphinx") and self.stt_url:
            return "openai"
        return self.stt

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes).validate()

    # Settings a host changes from the window persist; these are their keys.
    PERSISTED = ("port", "max_pairs", "spiciness", "address", "stt", "meet_mode")

    def persisted(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.PERSISTED}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one clear line, exit code 2, no usage dump
        raise SettingsError(message)


def build_parser() -> argparse.ArgumentParser:
    d = Settings()
    p = _Parser(prog="heartlink-desktop", description="Host a HeartLink conversation on this LAN.")
    p.add_argument("--version", action="version", version=f"heartlink-desktop {__version__}")
    p.add_argument("--headless", action="store_true", help="run the server without a window")
    p.add_argument(
        "--plain-io",
        action="store_true",
        help="use only the public paths of python-socketio, aiohttp, asyncio and qasync (slower; "
        "for when a library update breaks the fast ones, see docs/architecture.md)",
    )
    p.add_argument("--host", default=d.host, help=f"address to bind (default {d.host})")
    p.add_argument("--port", type=int, default=None, help=f"HTTPS port (default {d.port})")
    p.add_argument(
        "--data-dir", type=Path, default=None, help="where sessions, certificates and settings live"
    )
    p.add_argument(
        "--max-pairs", type=int, default=None, help=f"conversations at once, 1-{MAX_PAIRS} (default 1)"
    )
    p.add_argument("--spiciness", type=int, default=None, help="1 Spark, 2 Warm (default), 3 Hot, 4 Inferno")
    p.add_argument(
        "--meet",
        dest="meet_mode",
        choices=("everyone", "preferences"),
        default=None,
        help="who meets whom: by each profile's gender and whom they would like to meet "
        "(preferences, the default; nobody filling them in is the same as everyone), or everyone",
    )
    p.add_argument(
        "--silence-seconds",
        type=float,
        default=d.silence_seconds,
        help=f"quiet seconds before the facilitator steps in (default {d.silence_seconds:g})",
    )
    p.add_argument(
        "--cooldown-seconds",
        type=float,
        default=d.cooldown_seconds,
        help=f"least seconds between two facilitator lines (default {d.cooldown_seconds:g})",
    )
    p.add_argument(
        "--turns-without-ai",
        type=int,
        default=d.turns_without_ai,
        help=f"lines of conversation before it speaks anyway (default {d.turns_without_ai})",
    )
    p.add_argument(
        "--llm-url", default=None, help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1"
    )
    p.add_argument("--llm-model", default=None, help="model name for --llm-url (key: HEARTLINK_LLM_KEY)")
    p.add_argument(
        "--stt",
        default=None,
        choices=STT_ENGINES,
        help="speech to text: whisper (default, on this computer), pocketsphinx (on this computer, "
        "fewer words right), openai (--stt-url), "
        "or off (the browser's own, online)",
    )
    p.add_argument(
        "--stt-url",
        default=None,
        help="OpenAI-compatible /v1/audio/transcriptions endpoint, e.g. http://127.0.0.1:8000/v1",
    )
    p.add_argument("--stt-model", default=None, help="model name for --stt-url (key: HEARTLINK_STT_KEY)")
    p.add_argument(
        "--stt-workers",
        type=int,
        default=None,
        help="speech recognition processes: voices transcribed at once (default: from the cores)",
    )
    p.add_argument(
        "--grace-seconds",
        type=float,
        default=d.grace_seconds,
        help=f"how long a dropped phone's place is held (default {d.grace_seconds:g}; 0: none)",
    )
    q = p.add_mutually_exclusive_group()
    q.add_argument(
        "--queue",
        dest="queue",
        action="store_true",
        default=None,
        help="newcomers wait in line (default: on when --max-pairs > 1)",
    )
    q.add_argument("--no-queue", dest="queue", action="store_false", help="refuse newcomers when full")
    p.add_argument(
        "--waiting-timeout",
        type=float,
        default=d.waiting_timeout,
        help=f"seconds a session may wait for a partner (default {d.waiting_timeout:g})",
    )
    p.add_argument(
        "--idle-timeout",
        type=float,
        default=d.idle_timeout,
        help=f"seconds an active session may stay silent (default {d.idle_timeout:g})",
    )
    p.add_argument(
        "--max-connections",
        type=int,
        default=None,
        help="connections open at once before new ones are refused (default: 4 per seat, from --max-pairs)",
    )
    p.add_argument("--address", default=None, help="LAN address to put in the join URL")
    p.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="run an evening of N rounds: everyone meets someone new each round",
    )
    p.add_argument(
        "--round-minutes",
        type=float,
        default=d.round_minutes,
        help=f"length of a round (default {d.round_minutes:g})",
    )
    p.add_argument(
        "--break-seconds",
        type=float,
        default=d.break_seconds,
        help=f"break between rounds (default {d.break_seconds:g})",
    )
    return p


def parse_args(argv: list[str] | None, saved: dict[str, Any] | None = None) -> Settings:
    """Command line over saved settings over defaults. Raises SettingsError."""
    ns = build_parser().parse_args(argv)
    given = {
        f.name: getattr(ns, f.name)
        for f in dataclasses.fields(Settings)
        if getattr(ns, f.name, None) is not None
    }
    kept = {k: v for k, v in (saved or {}).items() if k in Settings.PERSISTED and v is not None}
    try:
        return Settings(**{**kept, **given}).validate()
    except (SettingsError, TypeError) as exc:
        if not kept:
            raise SettingsError(str(exc)) from None
    # A saved value is out of range or of the wrong kind: the command line and defaults win.
    log.warning("ignoring saved settings that are not valid any more")
    return parse_args(argv, None)
