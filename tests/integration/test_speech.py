"""Speech to text on the host: real clients stream real recordings (and espeak-ng speech); the
partner gets the words, by Whisper, or by PocketSphinx when Whisper cannot run."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from heartlink_desktop.core import utterance as ut
from heartlink_desktop.server.host import HostServer
from heartlink_desktop.speech import Speech, whisper
from tests import speech
from tests.support import Clients, Peer, Serve, until

pytestmark = pytest.mark.asyncio

RECOGNISED = 30.0  # a cold start loads the model in each worker process first


def service(host: HostServer) -> Speech:
    assert isinstance(host.speech, Speech)
    return host.speech


def listen(peer: Peer) -> Peer:
    """Keep the speech events too (register before joining: they may come at once)."""
    for event in ("speech_status", "transcript_interim"):
        peer.sio.on(event, peer._recorder(event))
    return peer


async def pair(c: Clients) -> tuple[Peer, Peer]:
    a, b = listen(await c.new("a")), listen(await c.new("b"))
    await a.join("Alice")
    await b.join("Bob")
    await a.wait_for("user_joined")
    return a, b


async def say(peer: Peer, key: str, speed: float = 1.6) -> None:
    """Stream a sentence as a page does: 200 ms chunks at about real time, then the end mark."""
    await stream(peer, speech.pcm(key), speed)


async def stream(peer: Peer, pcm: bytes, speed: float = 1.6) -> None:
    for chunk in speech.chunks(pcm):
        await peer.emit("audio", chunk)
        await asyncio.sleep(ut.seconds(len(chunk)) / speed)  # the pace of live speech
    await peer.emit("audio_end", {})


async def line_from(peer: Peer, role: str, count: int = 1, timeout: float = RECOGNISED) -> dict:
    """The `count`-th transcript line spoken by `role` that `peer` received."""
    async with peer._cond:
        await asyncio.wait_for(
            peer._cond.wait_for(
                lambda: len([e for e in peer.received["transcript_update"] if e["speaker"] == role]) >= count
            ),
            timeout,
        )
        return [e for e in peer.received["transcript_update"] if e["speaker"] == role][count - 1]


def heard(text: str, key: str, at_least: int = 2) -> bool:
    return len(speech.heard(text, key)) >= at_least


async def test_speech_becomes_a_line_for_the_partner_and_the_session_file(
    host: HostServer, clients: Clients, data_dir: Path
) -> None:
    a, b = await pair(clients)
    await say(b, "beach")
    line = await line_from(a, "B")
    assert line["name"] == "Bob"
    assert heard(line["text"], "beach"), line["text"]
    mine = await line_from(b, "B")  # the speaker sees its own line too, as with a typed one
    assert mine["text"] == line["text"]
    await until(
        lambda: spoken_in_file(data_dir, "B") == [line["text"]]
    )  # files may be written a moment later
    assert not audio_files(data_dir)


def spoken_in_file(data_dir: Path, role: str) -> list[str]:
    files = list((data_dir / "sessions").glob("session_*.json"))
    if len(files) != 1:
        return []
    try:
        stored = json.loads(files[0].read_text())["transcript"]
    except ValueError:
        return []
    return [e["text"] for e in stored if e["speaker"] == role]


def audio_files(root: Path) -> list[Path]:
    """Files holding a chunk of the audio, or named as audio: none may exist (audio never on disk)."""
    probe = speech.pcm("beach")[6400:9600]
    return [
        p
        for p in root.rglob("*")
        if p.is_file() and (p.suffix in (".wav", ".pcm", ".raw") or probe in p.read_bytes())
    ]


async def test_the_server_names_the_speaker_whatever_the_page_says(
    host: HostServer, clients: Clients
) -> None:
    a, b = await pair(clients)
    await say(a, "weekend")
    line = await line_from(b, "A")
    assert line["name"] == "Alice" and heard(line["text"], "weekend", 2), line


async def test_the_page_hears_that_the_host_transcribes(host: HostServer, clients: Clients) -> None:
    a = listen(await clients.new("a"))
    await a.join("Alice")
    status = await a.wait_for("speech_status")
    assert status["transcribes"] is True and status["engine"] == "whisper" and status["remote"] is False


async def test_bad_audio_gets_its_codes_and_the_host_keeps_serving(
    host: HostServer, clients: Clients
) -> None:
    lone = await clients.new("lone")
    await lone.emit("audio", b"\0\0" * 1600)
    assert (await lone.error(1))["error"] == "not_in_session"
    a, b = await pair(clients)
    await a.emit("audio", b"\0" * (ut.MAX_CHUNK_BYTES + 2))
    assert (await a.error(1))["error"] == "payload_too_large"
    await a.emit("audio", {"pcm": "not bytes"})
    assert (await a.error(2))["error"] == "invalid_payload"
    # faster than twice real time: 10 s of audio at once
    for _ in range(25):
        await b.emit("audio", b"\0\0" * 6400)
    assert (await b.error(1))["error"] == "audio_too_fast"
    # the partner's speech is not slowed by it, and still arrives
    await say(a, "sisters")
    line = await line_from(b, "A")
    assert heard(line["text"], "sisters"), line
    await a.emit("transcript_update", {"text": "typed still works"})
    assert (await line_from(b, "A", 2))["text"] == "typed still works"


async def test_two_pairs_talking_at_once_stay_apart(serve: Serve) -> None:
    host, c = await serve(max_pairs=2)
    a1, b1 = await pair(c)
    a2, b2 = await pair(c)
    assert (await a2.wait_for("session_info"))["session_id"] != (await a1.wait_for("session_info"))[
        "session_id"
    ]
    await asyncio.gather(say(a1, "beach"), say(b2, "weekend"))
    l1 = await line_from(b1, "A")
    l2 = await line_from(a2, "B")
    assert heard(l1["text"], "beach"), l1
    assert heard(l2["text"], "weekend"), l2
    await host.flush()
    assert not [e for e in a1.received["transcript_update"] if e["speaker"] == "B"]
    assert not [e for e in b2.received["transcript_update"] if e["speaker"] == "A"]


async def test_a_click_cut_short_by_a_mute_gives_no_line(host: HostServer, clients: Clients) -> None:
    """A page that is muted mid-sound stops and sends the end mark: too short to be a line."""
    a, b = await pair(clients)
    part = speech.pcm("beach")[: ut.BYTES_PER_SECOND // 10]  # 100 ms, then muted: too short for a line
    await a.emit("audio", part)
    await a.emit("audio_end", {})
    await a.emit("transcript_update", {"text": "after the mute"})
    line = await line_from(b, "A")
    assert line["text"] == "after the mute"
    await until(lambda: not service(host).embedded.utts)


async def test_a_real_recording_reaches_the_partner_with_most_of_its_words(
    host: HostServer, clients: Clients
) -> None:
    a, b = await pair(clients)
    pcm, words = speech.prompt("agent-alreadyon")  # a person, on the telephone, 5.5 s
    await stream(a, pcm)
    line = await line_from(b, "A")
    assert speech.wer(words, line["text"]) <= 0.2, (words, line["text"])
    assert service(host).status()["in_use"] == "whisper"


async def test_noise_gives_no_line(host: HostServer, clients: Clients) -> None:
    a, b = await pair(clients)
    await stream(a, speech.decode_file(speech.NOISE) * 2)  # ALSA's noise recording, 3 s
    await until(lambda: len(service(host).stats) == 1, timeout=RECOGNISED)
    await a.emit("transcript_update", {"text": "typed after the noise"})
    assert (await line_from(b, "A"))["text"] == "typed after the noise"


async def test_a_damaged_whisper_model_falls_back_to_pocketsphinx_with_the_reason_shown(
    serve: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in whisper.MODEL_FILES:
        (tmp_path / name).write_bytes((whisper.model_dir() / name).read_bytes()[:4096])  # cut short
    monkeypatch.setenv(whisper.DIR_ENV, str(tmp_path))  # the worker processes inherit it
    host, c = await serve()
    news: list[dict] = []
    host.subscribe(lambda e: news.append(e.data["status"]) if e.kind == "speech" else None)
    a, b = await pair(c)
    pcm, _words = speech.prompt("vm-intro")
    await stream(a, pcm, speed=3.0)
    line = await line_from(b, "A", timeout=90)  # two rounds of workers start; PocketSphinx's words
    assert line["text"]
    told = await a.wait_for("speech_status", 2)  # the page's speech line gives the reason
    assert "model file model.bin is not the one" in told["note"] and told["engine"] == "pocketsphinx"
    status = service(host).status()
    assert status["engine"] == "whisper" and status["in_use"] == "pocketsphinx"
    assert "PocketSphinx transcribes instead" in status["note"]
    assert any(s["in_use"] == "pocketsphinx" and "not the one" in s["note"] for s in news)


async def test_a_missing_whisper_model_is_named_at_once(
    serve: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(whisper.DIR_ENV, str(tmp_path / "nowhere"))
    host, c = await serve()
    a = listen(await c.new("a"))
    await a.join("Alice")
    told = await a.wait_for("speech_status")
    assert told["transcribes"] and told["engine"] == "pocketsphinx"
    assert "model file model.bin is missing" in told["note"]
    assert service(host).status()["model"].startswith("PocketSphinx")


async def test_past_its_capacity_the_host_says_so_and_catches_up(serve: Serve) -> None:
    host, c = await serve(max_pairs=2, stt_workers=1, stt="pocketsphinx")
    news: list[dict] = []
    host.subscribe(lambda e: news.append(e.data["status"]) if e.kind == "speech" else None)
    a1, b1 = await pair(c)
    a2, b2 = await pair(c)
    await say(a1, "beach", speed=3.0)  # the one worker is up once this line is back
    await line_from(b1, "A")
    await asyncio.gather(say(a1, "beach"), say(a2, "sisters"))
    told = await a2.wait_for("speech_status", 1)
    assert told["transcribes"] is True
    over = [
        s for s in a1.received["speech_status"] + a2.received.get("speech_status", []) if s["over_capacity"]
    ]
    assert over and "typed box" in over[0]["message"]
    assert any(s["over_capacity"] and s["capacity"] == 1 for s in news)
    l1, l2 = await line_from(b1, "A", 2), await line_from(b2, "A")  # both, one after the other
    # PocketSphinx: a word of each sentence is enough here (its accuracy is measured elsewhere)
    assert heard(l1["text"], "beach", 1) and heard(l2["text"], "sisters", 1), (l1, l2)


async def test_whisper_past_its_capacity_says_so_and_every_line_still_comes(serve: Serve) -> None:
    """One worker, four voices ending together: the last waits three decodes. How long that is
    depends on the machine, so here any wait for the worker counts as behind."""
    host, c = await serve(max_pairs=2, stt_workers=1)
    service(host).embedded.over_after = 0.0
    news: list[dict] = []
    host.subscribe(lambda e: news.append(e.data["status"]) if e.kind == "speech" else None)
    a1, b1 = await pair(c)
    a2, b2 = await pair(c)
    await stream(a1, speech.prompt("conf-getpin")[0], speed=3.0)  # the worker is up once it is back
    await line_from(b1, "A")
    clips = [speech.prompt(n)[0] for n in ("vm-intro", "agent-alreadyon", "invalid", "privacy-unident")]
    await asyncio.gather(*(stream(p, pcm) for p, pcm in zip((a1, b1, a2, b2), clips, strict=True)))
    lines = [await line_from(b1, "A", 2), await line_from(a1, "B"), await line_from(b2, "A")]
    lines.append(await line_from(a2, "B"))
    assert all(line["text"] for line in lines)
    told = [s for p in (a1, b1, a2, b2) for s in p.received.get("speech_status", []) if s["over_capacity"]]
    assert told and "typed box" in told[0]["message"]
    assert any(s["over_capacity"] and s["capacity"] == 3 for s in news)


async def test_with_speech_off_the_page_is_told_and_audio_refused(serve: Serve) -> None:
    _, c = await serve(stt="off")
    a = listen(await c.new("a"))
    b = await c.new("b")
    await a.join("Alice")
    await b.join("Bob")
    status = await a.wait_for("speech_status")
    assert status["transcribes"] is False
    await a.emit("audio", b"\0\0" * 1600)
    assert (await a.error())["error"] == "speech_off"


async def test_a_worker_that_dies_is_noticed_and_the_others_go_on(serve: Serve) -> None:
    import os
    import signal

    host, c = await serve(stt_workers=2)
    news: list[dict] = []
    host.subscribe(lambda e: news.append(e.data["status"]) if e.kind == "speech" else None)
    a, b = await pair(c)
    await say(a, "beach", speed=3.0)
    await line_from(b, "A")
    pool = service(host).embedded.pool
    assert pool is not None
    await until(lambda: len(pool.ready) == 2, timeout=30)
    os.kill(pool.procs[0].pid, signal.SIGKILL)
    await until(lambda: any("worker stopped" in s["note"] for s in news), timeout=10)
    assert pool.alive == {1}
    await say(a, "sisters", speed=3.0)
    assert heard((await line_from(b, "A", 2))["text"], "sisters")


async def test_the_summary_mentions_what_they_said_aloud(host: HostServer, clients: Clients) -> None:
    """Spoken lines reach the facilitator as typed ones do: its summary names the topic."""
    a, b = await pair(clients)
    await say(a, "beach", speed=2.0)
    await say(b, "beach", speed=2.0)
    for role in ("A", "B"):
        assert "beach" in speech.words((await line_from(a, role))["text"])
    await a.emit("leave")
    ended = await b.wait_for("session_ended")
    assert "beach" in ended["summary"], ended["summary"]


async def test_without_pocketsphinx_installed_the_host_says_so_and_pages_use_their_own(
    serve: Serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pocketsphinx" else real(name, *a)
    )
    host, c = await serve(stt="pocketsphinx")
    status = service(host).status()
    assert status["in_use"] == "off" and "not installed" in status["note"]
    a = listen(await c.new("a"))
    await a.join("Alice")
    assert (await a.wait_for("speech_status"))["transcribes"] is False


async def test_the_partner_sees_interim_words_before_the_line(host: HostServer, clients: Clients) -> None:
    a, b = await pair(clients)
    await say(a, "beach", speed=3.0)
    await line_from(b, "A")
    pool = service(host).embedded.pool  # both workers up: one decodes the words so far, one waits
    await until(lambda: pool is not None and len(pool.ready) == 2, timeout=60)
    long = speech.pcm("sisters") + speech.pcm("beach") + speech.pcm("weekend")  # about 7 s
    for chunk in speech.chunks(long):
        await a.emit("audio", chunk)
        await asyncio.sleep(ut.seconds(len(chunk)))  # live: interim text comes only then
    first = await b.wait_for("transcript_interim", timeout=RECOGNISED)
    await a.emit("audio_end", {})
    line = await line_from(b, "A", 2)
    assert first["speaker"] == "A" and first["session_id"] == line["session_id"]
    assert first["text"] and len(first["text"]) < len(line["text"])
    assert not a.received["transcript_interim"]  # for the partner only
    await host.flush()
    assert len(b.received["transcript_update"]) == 2  # never a line of its own
