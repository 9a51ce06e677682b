"""Speech to text on the host: the service, the embedded engines' workers, the remote engine."""

from __future__ import annotations

import importlib.util
import logging
import os

from heartlink_desktop.settings import Settings
from heartlink_desktop.speech import whisper
from heartlink_desktop.speech.host import SpeechHost
from heartlink_desktop.speech.remote import RemoteConfig, RemoteEngine, stt_key
from heartlink_desktop.speech.service import Speech

__all__ = ["Speech", "SpeechHost", "default_workers", "install"]

log = logging.getLogger(__name__)


def default_workers() -> int:
    """One recogniser per core (each runs one thread), at least two, at most four."""
    return max(2, min(4, os.cpu_count() or 2))


def install(host: SpeechHost, settings: Settings) -> Speech:
    """Called by app.build_host, which makes it `host.speech` and one of `host.services`."""
    engine = settings.stt_engine
    remote = None
    if engine == "openai" and settings.stt_url:
        remote = RemoteEngine(RemoteConfig(settings.stt_url, settings.stt_model, key=stt_key()))
    # the embedded engine: the one chosen, else (a remote engine's fall back) the better one
    embedded = engine if engine in ("whisper", "pocketsphinx") else "whisper"
    note = ""
    if embedded == "whisper" and (reason := whisper.available()):
        embedded = "pocketsphinx"
        note = f"Whisper cannot run: {reason}. PocketSphinx transcribes instead, with more words wrong."
        log.warning("Whisper cannot run (%s): PocketSphinx transcribes instead", reason)
    if embedded == "pocketsphinx" and importlib.util.find_spec("pocketsphinx") is None:
        engine, note = "off", "PocketSphinx is not installed: the host does not transcribe"
        log.warning("pocketsphinx is missing: speech to text is off")
    workers = settings.stt_workers or default_workers()
    return Speech(host, engine, workers, remote, embedded=embedded, note=note)
