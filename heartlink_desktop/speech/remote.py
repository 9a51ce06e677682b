"""The optional remote engine: an OpenAI-compatible POST /v1/audio/transcriptions client."""

from __future__ import annotations

import io
import json
import logging
import os
import wave
from dataclasses import dataclass, field

import aiohttp

from heartlink_desktop.endpoints import ServiceError, with_retries
from heartlink_desktop.endpoints import endpoint as endpoint_for

log = logging.getLogger(__name__)

KEY_ENV = "HEARTLINK_STT_KEY"
SAMPLE_RATE = 16_000


class RemoteError(ServiceError):
    """The endpoint gave no usable transcript. `retry` says whether trying again may help."""


def stt_key() -> str | None:
    return os.environ.get(KEY_ENV, "").strip() or None


def endpoint(url: str) -> str:
    """`.../audio/transcriptions` as given; a base such as `http://h:8000/v1` or `http://h:8000` completed."""
    return endpoint_for(url, "/audio/transcriptions")


def to_wav(pcm: bytes) -> bytes:
    """16 kHz mono 16-bit PCM as a WAV file, in memory (audio never touches the disk)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm)
    return out.getvalue()


@dataclass(frozen=True)
class RemoteConfig:
    """The OpenAI-compatible transcription service, when the host configures one: address,
    model, key (never shown nor stored), language, timeouts and retries."""

    url: str
    model: str | None = None
    key: str | None = field(default=None, repr=False)  # never shown, logged or stored
    language: str | None = "en"
    connect_timeout: float = 3.0
    total_timeout: float = 10.0  # one attempt
    retries: int = 1  # after a 5xx or a timeout; never after a 4xx
    backoff: float = 0.3


class RemoteEngine:
    """One request per utterance; the reply's `text` is the line."""

    name = "openai"

    def __init__(self, config: RemoteConfig) -> None:
        self.config = config
        self.url = endpoint(config.url)

    async def transcribe(self, pcm: bytes) -> str:
        """The transcript (may be ""); RemoteError when every attempt failed."""
        cfg = self.config
        return await with_retries(
            lambda: self._attempt(pcm),
            error=RemoteError,
            service="the speech service",
            request="the speech request",
            retries=cfg.retries,
            backoff=cfg.backoff,
            total_timeout=cfg.total_timeout,
        )

    async def _attempt(self, pcm: bytes) -> str:
        cfg = self.config
        form = aiohttp.FormData()
        form.add_field("file", to_wav(pcm), filename="utterance.wav", content_type="audio/wav")
        form.add_field("model", cfg.model or "whisper-1")
        form.add_field("response_format", "json")
        if cfg.language:
            form.add_field("language", cfg.language)
        headers = {"Accept": "application/json"}
        if cfg.key:
            headers["Authorization"] = f"Bearer {cfg.key}"
        timeout = aiohttp.ClientTimeout(
            total=None, connect=cfg.connect_timeout, sock_connect=cfg.connect_timeout
        )
        async with (
            aiohttp.ClientSession(timeout=timeout) as http,
            http.post(self.url, data=form, headers=headers) as resp,
        ):
            if resp.status >= 400:
                raise aiohttp.ClientResponseError(
                    resp.request_info, resp.history, status=resp.status, message=resp.reason or ""
                )
            raw = await resp.text()
        return self.parse(raw)

    @staticmethod
    def parse(raw: str) -> str:
        try:
            data = json.loads(raw)
        except ValueError:
            raise RemoteError("the speech service's reply is not JSON") from None
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise RemoteError("the speech service's reply has no text")
        return str(data["text"])
