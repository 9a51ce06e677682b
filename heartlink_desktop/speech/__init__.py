"""Speech to text on the host: the service, the embedded engine's workers, the remote engine."""

from __future__ import annotations

import importlib.util
import logging
import os
from typing import Any

from heartlink_desktop.speech.remote import RemoteConfig, RemoteEngine, stt_key
from heartlink_desktop.speech.service import Speech

__all__ = ["Speech", "default_workers", "install"]

log = logging.getLogger(__name__)


def default_workers() -> int:
    """One recogniser per core, at least two (PocketSphinx runs at a fraction of real time), at most four."""
    return max(2, min(4, os.cpu_count() or 2))


def install(host: Any) -> Speech:
    """Called by app.build_host: the service starts and stops with the server; `host.speech`."""
    settings = host.settings
    engine = settings.stt_engine
    remote = None
    if engine == "openai":
        remote = RemoteEngine(RemoteConfig(settings.stt_url, settings.stt_model, key=stt_key()))
    note = ""
    if engine == "pocketsphinx" and importlib.util.find_spec("pocketsphinx") is None:
        engine, note = "off", "PocketSphinx is not installed: the host does not transcribe"
        log.warning("pocketsphinx is missing: speech to text is off")
    speech = Speech(engine, settings.stt_workers or default_workers(), remote)
    speech.note = note
    speech.host = host
    host.services.append(speech)
    host.speech = speech
    return speech
