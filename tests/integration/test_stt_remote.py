"""The OpenAI-compatible speech engine against a real local HTTP server in the test."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json
import wave
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from heartlink_desktop.speech.remote import RemoteConfig, RemoteEngine, RemoteError
from tests import speech
from tests.integration.test_speech import heard, line_from, pair, say
from tests.support import Serve

pytestmark = pytest.mark.asyncio

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Service:
    """A stand-in transcription service on 127.0.0.1: it records each request it gets."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.reply: Handler = self.ok
        self.url = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        upload = form.get("file")
        self.requests.append(
            {
                "path": request.path,
                "auth": request.headers.get("Authorization"),
                "content_type": request.content_type,
                "fields": {k: v for k, v in form.items() if isinstance(v, str)},
                "filename": getattr(upload, "filename", None),
                "wav": upload.file.read() if upload is not None and hasattr(upload, "file") else b"",
            }
        )
        return await self.reply(request)

    async def ok(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({"text": "  we met at the harbour  "})


@pytest_asyncio.fixture
async def service() -> AsyncIterator[Service]:
    svc = Service()
    app = web.Application()
    app.router.add_post("/v1/audio/transcriptions", svc.handle)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    svc.url = f"http://127.0.0.1:{runner.addresses[0][1]}/v1"
    yield svc
    await runner.cleanup()


def engine(url: str, **cfg: Any) -> RemoteEngine:
    base = RemoteConfig(url, "whisper-small", key="sk-test", total_timeout=1.0, retries=1, backoff=0.05)
    return RemoteEngine(dataclasses.replace(base, **cfg))


async def test_an_utterance_goes_as_a_multipart_wav_and_the_reply_is_the_text(service: Service) -> None:
    pcm = speech.pcm("beach")
    assert await engine(service.url).transcribe(pcm) == "  we met at the harbour  "
    (req,) = service.requests
    assert req["path"] == "/v1/audio/transcriptions" and req["content_type"] == "multipart/form-data"
    assert req["auth"] == "Bearer sk-test"
    assert req["fields"]["model"] == "whisper-small" and req["fields"]["response_format"] == "json"
    assert req["filename"] == "utterance.wav"
    with wave.open(io.BytesIO(req["wav"])) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (16000, 1, 2)
        assert w.readframes(w.getnframes()) == pcm


async def test_a_slow_service_times_out_and_is_tried_again(service: Service) -> None:
    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(3)  # the service's own slowness
        return web.json_response({"text": "late"})

    service.reply = slow
    with pytest.raises(RemoteError) as info:
        await engine(service.url, total_timeout=0.3).transcribe(b"\0\0" * 1600)
    assert "in time" in str(info.value)
    assert len(service.requests) == 2


async def test_a_500_is_tried_again_and_a_400_is_not(service: Service) -> None:
    async def broken(request: web.Request) -> web.StreamResponse:
        return web.Response(status=500, text="boom")

    service.reply = broken
    with pytest.raises(RemoteError, match="HTTP 500"):
        await engine(service.url).transcribe(b"\0\0" * 1600)
    assert len(service.requests) == 2

    async def refused(request: web.Request) -> web.StreamResponse:
        return web.Response(status=401, text="no")

    service.reply = refused
    with pytest.raises(RemoteError, match="HTTP 401"):
        await engine(service.url).transcribe(b"\0\0" * 1600)
    assert len(service.requests) == 3


@pytest.mark.parametrize("body", ["<html>oops</html>", json.dumps({"error": "x"}), json.dumps([1, 2])])
async def test_garbage_is_an_error_not_a_line(service: Service, body: str) -> None:
    async def garbage(request: web.Request) -> web.StreamResponse:
        return web.Response(text=body, content_type="application/json")

    service.reply = garbage
    with pytest.raises(RemoteError):
        await engine(service.url).transcribe(b"\0\0" * 1600)


async def test_nobody_listening_is_an_error() -> None:
    with pytest.raises(RemoteError, match="cannot be reached"):
        await engine("http://127.0.0.1:9/v1").transcribe(b"\0\0" * 1600)


async def test_the_host_uses_the_service_and_says_where_the_voice_goes(
    service: Service, serve: Serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEARTLINK_STT_KEY", "sk-from-env")
    _, c = await serve(stt_url=service.url, stt_model="whisper-1")
    a, b = await pair(c)
    await say(a, "beach", speed=3.0)
    line = await line_from(b, "A")
    assert line["text"] == "we met at the harbour"
    assert (await b.wait_for("speech_status"))["remote"] is True
    assert service.requests[0]["auth"] == "Bearer sk-from-env"


async def test_on_failure_the_embedded_engine_takes_over_and_the_window_is_told(
    service: Service, serve: Serve
) -> None:
    async def broken(request: web.Request) -> web.StreamResponse:
        return web.Response(status=503, text="down")

    service.reply = broken
    host, c = await serve(stt_url=service.url)
    news: list[dict[str, Any]] = []
    host.subscribe(lambda e: news.append(e.data["status"]) if e.kind == "speech" else None)
    host.speech.remote.config = dataclasses.replace(host.speech.remote.config, backoff=0.05)  # type: ignore[attr-defined]
    a, b = await pair(c)
    await say(a, "sisters", speed=3.0)
    line = await line_from(b, "A")
    assert heard(line["text"], "sisters"), line  # the same audio, recognised on the host
    assert len(service.requests) == 2
    assert news[0]["engine"] == "openai" and news[0]["in_use"] == "openai"
    fell = [s for s in news if s["in_use"] == "whisper"]
    assert fell and "HTTP 503" in fell[-1]["note"]
    await say(a, "beach", speed=3.0)  # the next one goes to the embedded engine directly
    assert heard((await line_from(b, "A", 2))["text"], "beach")
    assert len(service.requests) == 2
