"""The LLM adapter against a real local HTTP server speaking the OpenAI chat schema."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from heartlink_desktop.agent import Facilitator
from heartlink_desktop.agent.llm import LLMClient, LLMConfig, LLMError
from heartlink_desktop.agent.nlp import SpacyEar
from heartlink_desktop.server.host import HostServer
from tests.support import Serve, until

pytestmark = pytest.mark.asyncio


def facilitator(host: HostServer) -> Facilitator:
    """The engine `agent.install` put on the host, as the app builds it."""
    engine = getattr(host, "facilitator", None)
    assert isinstance(engine, Facilitator)
    return engine


class FakeLLM:
    """An OpenAI-compatible endpoint on 127.0.0.1 that answers from a script, one step per request."""

    def __init__(self) -> None:
        self.script: list[tuple[str, Any]] = []
        self.default: tuple[str, Any] = ("json", "Hello there, what brings you here?")
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.url = ""
        self.answered_slow = 0
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/v1"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(await request.json())
        self.headers.append(dict(request.headers))
        kind, arg = self.script.pop(0) if self.script else self.default
        if kind == "json":
            return web.json_response(
                {"choices": [{"index": 0, "message": {"role": "assistant", "content": arg}}]}
            )
        if kind == "status":
            return web.json_response({"error": {"message": "nope"}}, status=arg)
        if kind == "garbage":
            return web.Response(text="<html>proxy error</html>", content_type="application/json")
        if kind == "sleep":
            await asyncio.sleep(arg)
            return web.json_response({"choices": [{"message": {"content": "too late"}}]})
        if kind == "slow":
            seconds, text = arg
            await asyncio.sleep(seconds)
            self.answered_slow += 1
            return web.json_response({"choices": [{"message": {"content": text}}]})
        assert kind == "sse"
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        await resp.write(b": keep-alive\n\n")
        for piece in arg:
            chunk = {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
            await resp.write(f"data: {json.dumps(chunk)}\n\n".encode())
        await resp.write(b'data: {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}\n\n')
        await resp.write(b"data: [DONE]\n\n")
        await resp.write_eof()
        return resp


@pytest_asyncio.fixture
async def llm() -> AsyncIterator[FakeLLM]:
    server = FakeLLM()
    await server.start()
    yield server
    await server.stop()


def client(llm: FakeLLM, **more: Any) -> LLMClient:
    opts: dict[str, Any] = {"model": "test-model", "key": "sk-test-123", "backoff": 0.05, **more}
    return LLMClient(LLMConfig(llm.url, **opts))


MESSAGES = [{"role": "user", "content": "say hi"}]


async def test_plain_json_reply_and_what_is_sent(llm: FakeLLM) -> None:
    assert (
        await client(llm, stream=False).complete(MESSAGES, max_tokens=50)
        == "Hello there, what brings you here?"
    )
    [body] = llm.requests
    assert body == {
        "messages": MESSAGES,
        "max_tokens": 50,
        "temperature": 0.8,
        "stream": False,
        "model": "test-model",
    }
    assert llm.headers[0]["Authorization"] == "Bearer sk-test-123"


async def test_streamed_reply(llm: FakeLLM) -> None:
    llm.script = [("sse", ["Hey ", "you two, ", "what's new?"])]
    assert await client(llm).complete(MESSAGES) == "Hey you two, what's new?"
    assert llm.requests[0]["stream"] is True


async def test_a_5xx_is_retried_with_backoff(llm: FakeLLM) -> None:
    llm.script = [("status", 500), ("status", 503), ("json", "third time lucky")]
    assert await client(llm).complete(MESSAGES) == "third time lucky"
    assert len(llm.requests) == 3
    llm.script = [("status", 500)] * 3
    with pytest.raises(LLMError, match="HTTP 500"):
        await client(llm).complete(MESSAGES)
    assert len(llm.requests) == 6  # one try and two retries


async def test_a_4xx_is_not_retried(llm: FakeLLM) -> None:
    llm.script = [("status", 401)]
    with pytest.raises(LLMError, match="HTTP 401"):
        await client(llm).complete(MESSAGES)
    assert len(llm.requests) == 1


async def test_a_timeout_is_retried_then_given_up(llm: FakeLLM) -> None:
    llm.script = [("sleep", 1.5)] * 3
    loop = asyncio.get_running_loop()
    start = loop.time()
    with pytest.raises(LLMError, match="in time"):
        await client(llm, read_timeout=0.3, retries=1).complete(MESSAGES)
    assert len(llm.requests) == 2 and loop.time() - start < 1.4


async def test_garbage_and_empty_replies_are_errors(llm: FakeLLM) -> None:
    llm.script = [("garbage", None), ("json", ""), ("sse", [])]
    with pytest.raises(LLMError, match="not JSON"):
        await client(llm, stream=False).complete(MESSAGES)
    with pytest.raises(LLMError, match="empty"):
        await client(llm).complete(MESSAGES)
    with pytest.raises(LLMError, match="empty"):
        await client(llm).complete(MESSAGES)
    assert len(llm.requests) == 3  # none of them retried


async def test_nobody_listening(llm: FakeLLM) -> None:
    url = llm.url
    await llm.stop()
    with pytest.raises(LLMError, match="cannot be reached"):
        await LLMClient(LLMConfig(url, retries=0)).complete(MESSAGES)


async def test_the_host_speaks_through_the_llm_and_falls_back(
    serve: Serve, llm: FakeLLM, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("HEARTLINK_LLM_KEY", "sk-secret-key-42")
    caplog.set_level(logging.DEBUG)
    llm.script = [
        ("sse", ["HeartLink: ", '"Alice, ', "what's your favourite trail?", '"\nBob: mine is']),
        *[("status", 500)] * 3,
        *[("sleep", 1)] * 3,
        ("garbage", None),
    ]
    summary = "Alice told Bob about hiking on Sunday, the ridge and the lake; Bob said it was nice."
    llm.default = ("json", summary)
    opts = {"silence_seconds": 1, "cooldown_seconds": 1, "llm_url": llm.url, "llm_model": "test-model"}
    host, clients = await serve(**opts)
    facilitator(host).llm_options = {"read_timeout": 0.3, "backoff": 0.05}
    a, b = await clients.new("a"), await clients.new("b")
    await a.join("Alice", hobbies=["hiking"])
    await b.join("Bob", interests=["hiking"])
    await a.emit("transcript_update", {"text": "I went hiking on Sunday"})
    first = await b.wait_for("ai_interjection")
    assert first["source"] == "llm" and first["text"] == "Alice, what's your favourite trail?"
    assert (await a.wait_for("ai_interjection")) == first
    prompt = llm.requests[0]["messages"]
    assert "Spiciness 2 (Warm)" in prompt[0]["content"] and "icebreaker" in prompt[0]["content"]
    assert "Alice: I went hiking on Sunday" in prompt[1]["content"]
    assert "Shared interests: hiking." in prompt[1]["content"]
    assert llm.headers[0]["Authorization"] == "Bearer sk-secret-key-42"

    await a.emit("transcript_update", {"text": "The ridge above the lake"})  # then 500 x3
    second = await b.wait_for("ai_interjection", 2)
    assert second["source"] == "fallback" and second["text"] != first["text"]
    await b.emit("transcript_update", {"text": "nice"})  # then timeouts x3
    third = await b.wait_for("ai_interjection", 3)
    assert third["source"] == "fallback"
    await a.emit("transcript_update", {"text": "so"})  # then a garbage body
    fourth = await b.wait_for("ai_interjection", 4)
    assert fourth["source"] == "fallback"
    texts = [x["text"] for x in b.received["ai_interjection"]]
    assert len(set(texts)) == 4
    assert len(llm.requests) == 8

    await host.flush()  # session files are written off the loop, one per interval at most
    [path] = host.store.files()
    session_file = path.read_text()
    await a.emit("leave")
    ended = await b.wait_for("session_ended")
    assert ended["summary"] == summary  # it names three of their topics, nothing unsaid: it passes
    assert "summary" in llm.requests[-1]["messages"][0]["content"]
    await host.stop()  # the key is in no log line, the stop's included
    assert "sk-secret-key-42" not in session_file and "sk-secret-key-42" not in caplog.text


async def test_a_line_written_while_someone_starts_speaking_is_dropped(serve: Serve, llm: FakeLLM) -> None:
    llm.script = [("slow", (1.0, "Is this too late?")), ("json", "Right on time?")]
    host, clients = await serve(silence_seconds=1, cooldown_seconds=1, llm_url=llm.url)
    ear = facilitator(host).hearing.ear
    assert isinstance(ear, SpacyEar) and await ear.warm()  # "Lisbon" a place: the model's word
    a, b = await clients.pair()
    await a.emit("transcript_update", {"text": "hello"})
    await until(lambda: len(llm.requests) == 1)  # the lull came; the LLM is writing
    await b.emit("audio_activity", {"speaking": True})  # and now B talks
    await until(lambda: llm.answered_slow == 1)
    await b.emit("audio_activity", {"speaking": False})
    line = await a.wait_for("ai_interjection")
    assert line["text"] == "Right on time?" and line["source"] == "llm"
    assert len(llm.requests) == 2 and len(b.received["ai_interjection"]) <= 1


async def test_the_summary_falls_back_offline(serve: Serve, llm: FakeLLM) -> None:
    llm.default = ("status", 400)
    host, clients = await serve(silence_seconds=60, llm_url=llm.url)
    ear = facilitator(host).hearing.ear
    assert isinstance(ear, SpacyEar) and await ear.warm()  # the model has loaded in its worker
    a, b = await clients.pair()
    await a.emit("transcript_update", {"text": "we talked about sailing and sailing boats"})
    await b.wait_for("transcript_update")
    session_id = (await a.wait_for("session_info"))["session_id"]
    assert await host.end_session(session_id)
    ended = await a.wait_for("session_ended")
    assert ended["summary"].startswith("Alice told Bob about sailing.")  # the offline one
    assert len(llm.requests) == 1 and "model" not in llm.requests[0]  # no --llm-model: none sent


async def test_the_llm_gets_the_topics_and_its_line_is_checked(serve: Serve, llm: FakeLLM) -> None:
    """The prompt carries the pair's topics and what to avoid; a reply that asks about the
    avoided subject is not said: the offline follow-up is, marked fallback."""
    llm.script = [("json", "Bob, how are you coping with the divorce?")]
    host, clients = await serve(silence_seconds=1, cooldown_seconds=1, llm_url=llm.url)
    ear = facilitator(host).hearing.ear
    assert isinstance(ear, SpacyEar) and await ear.warm()  # "Lisbon" a place: the model's word
    a, b = await clients.pair()
    await b.emit(
        "transcript_update", {"text": "I'd rather not talk about my divorce. I moved to Lisbon in March."}
    )
    await a.emit("transcript_update", {"text": "Lisbon! I went there for a conference and loved the trams."})
    line = await b.wait_for("ai_interjection")
    prompt = llm.requests[0]["messages"][1]["content"]
    assert "Topics they brought up, best first:" in prompt and "- Lisbon (place; brought up by Bob" in prompt
    assert "would rather not talk about it): divorce." in prompt
    assert line["source"] == "fallback" and "divorce" not in line["text"]
    assert any(t in line["text"] for t in ("Lisbon", "conference", "trams"))


async def test_an_llm_summary_that_fails_the_checks_gives_way_to_the_offline_one(
    serve: Serve, llm: FakeLLM
) -> None:
    llm.default = ("json", "They had a lovely chat about life in Paris.")  # nothing they said
    host, clients = await serve(silence_seconds=60, llm_url=llm.url)
    a, b = await clients.pair()
    await a.emit("transcript_update", {"text": "I moved to Lisbon and I'm learning Portuguese."})
    await b.wait_for("transcript_update")
    await b.emit("transcript_update", {"text": "Lisbon! I loved the trams there, and the pastries."})
    await a.wait_for("transcript_update", 2)
    session_id = (await a.wait_for("session_info"))["session_id"]
    assert await host.end_session(session_id)
    ended = await a.wait_for("session_ended")
    assert len(llm.requests) == 1 and "Paris" not in ended["summary"]
    assert "Lisbon" in ended["summary"]  # the offline summary, in their words
