"""The optional LLM: an OpenAI-compatible /v1/chat/completions client, streaming or not."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp

from heartlink_desktop.endpoints import ServiceError, with_retries
from heartlink_desktop.endpoints import endpoint as endpoint_for

log = logging.getLogger(__name__)

KEY_ENV = "HEARTLINK_LLM_KEY"
KEYRING_SERVICE, KEYRING_USER = "heartlink-desktop", "llm-key"
ENOUGH_CHARS = 2000  # stop reading a stream once this much text came in


class LLMError(ServiceError):
    """The LLM gave no usable reply. `retry` says whether trying again may help."""


class Writer(Protocol):
    """The one thing the facilitator needs from a language model."""

    async def complete(self, messages: list[dict[str, str]], *, max_tokens: int = 120) -> str: ...


def llm_key() -> str | None:
    """The API key: the environment first, then the OS keyring if `keyring` is installed."""
    key = os.environ.get(KEY_ENV, "").strip()
    if key:
        return key
    try:
        import keyring  # optional: not a dependency
    except ImportError:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, KEYRING_USER) or None
    except Exception:  # no backend, locked store...: run without a key
        log.info("no LLM key from the OS keyring")
        return None


def endpoint(url: str) -> str:
    """`.../chat/completions` as given; a base such as `http://h:11434/v1` or `http://h:8080` completed."""
    return endpoint_for(url, "/chat/completions")


@dataclass(frozen=True)
class LLMConfig:
    """The OpenAI-compatible endpoint the facilitator may ask: its address, model, key (never
    shown nor stored) and timeouts. Made from the settings by the facilitator."""

    url: str
    model: str | None = None
    key: str | None = field(default=None, repr=False)  # never shown, logged or stored
    stream: bool = True
    connect_timeout: float = 3.0
    read_timeout: float = 12.0  # the longest wait for the next bytes
    total_timeout: float = 25.0  # one attempt, start to end
    retries: int = 2  # after a 5xx or a timeout; never after a 4xx
    backoff: float = 0.5  # seconds before the first retry, doubled each time
    temperature: float = 0.8


def _content(choice: dict[str, Any]) -> str:
    for part in ("delta", "message"):
        body = choice.get(part)
        if isinstance(body, dict) and isinstance(body.get("content"), str):
            return str(body["content"])
    text = choice.get("text")
    return text if isinstance(text, str) else ""


def _first_choice(data: Any) -> dict[str, Any]:
    if isinstance(data, dict) and "error" in data and "choices" not in data:
        raise LLMError("the LLM reported an error")
    try:
        choice = data["choices"][0]
    except (KeyError, IndexError, TypeError):
        raise LLMError("the LLM reply is not in the OpenAI chat format") from None
    if not isinstance(choice, dict):
        raise LLMError("the LLM reply is not in the OpenAI chat format")
    return choice


class LLMClient:
    """One request per call with a fresh connection: no session to keep open or close."""

    def __init__(self, config: LLMConfig) -> None:
        self.config = config
        self.url = endpoint(config.url)

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream, application/json"}
        if self.config.key:
            headers["Authorization"] = f"Bearer {self.config.key}"
        return headers

    def _body(self, messages: list[dict[str, str]], max_tokens: int) -> dict[str, Any]:
        body: dict[str, Any] = {
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": self.config.temperature,
            "stream": self.config.stream,
        }
        if self.config.model:
            body["model"] = self.config.model
        return body

    async def complete(self, messages: list[dict[str, str]], *, max_tokens: int = 120) -> str:
        """The reply text; LLMError when every attempt failed."""
        cfg = self.config
        return await with_retries(
            lambda: self._attempt(messages, max_tokens),
            error=LLMError,
            service="the LLM",
            request="the LLM request",
            retries=cfg.retries,
            backoff=cfg.backoff,
            total_timeout=cfg.total_timeout,
        )

    async def _attempt(self, messages: list[dict[str, str]], max_tokens: int) -> str:
        cfg = self.config
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=cfg.connect_timeout,
            sock_connect=cfg.connect_timeout,
            sock_read=cfg.read_timeout,
        )
        async with (
            aiohttp.ClientSession(timeout=timeout) as http,
            http.post(self.url, json=self._body(messages, max_tokens), headers=self._headers()) as resp,
        ):
            if resp.status >= 400:
                raise aiohttp.ClientResponseError(
                    resp.request_info, resp.history, status=resp.status, message=resp.reason or ""
                )
            if resp.content_type == "text/event-stream":
                text = await self._read_stream(resp)
            else:
                text = self._read_json(await resp.text())
        if not text.strip():
            raise LLMError("the LLM sent an empty reply")
        return text

    @staticmethod
    def _read_json(raw: str) -> str:
        try:
            data = json.loads(raw)
        except ValueError:
            if raw.lstrip().startswith("data:"):  # a stream sent with the wrong content type
                return LLMClient._join_events(raw.splitlines())
            raise LLMError("the LLM reply is not JSON") from None
        return _content(_first_choice(data))

    @staticmethod
    def _join_events(lines: list[str]) -> str:
        out: list[str] = []
        for line in lines:
            piece = LLMClient._event_text(line)
            if piece is None:
                break
            out.append(piece)
        return "".join(out)

    @staticmethod
    def _event_text(line: str) -> str | None:
        """The text in one SSE line; '' for lines without any; None at the end of the stream."""
        line = line.strip()
        if not line.startswith("data:"):
            return ""  # blank lines, comments, `event:` / `id:` fields
        payload = line[5:].strip()
        if payload == "[DONE]":
            return None
        try:
            data = json.loads(payload)
        except ValueError:
            raise LLMError("the LLM stream carries something that is not JSON") from None
        choice = _first_choice(data)
        if choice.get("finish_reason") and not _content(choice):
            return None
        return _content(choice)

    async def _read_stream(self, resp: aiohttp.ClientResponse) -> str:
        out: list[str] = []
        size = 0
        async for raw in resp.content:
            piece = self._event_text(raw.decode("utf-8", errors="replace"))
            if piece is None:
                break
            out.append(piece)
            size += len(piece)
            if size >= ENOUGH_CHARS:
                break
        return "".join(out)
