"""The window's speech-to-text panel: the engine and model in use, streams, how far behind,
problems."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox

from heartlink_desktop.gui.style import WARN, colour, plain_label

CHOICES = {
    "whisper": "On this computer (Whisper)",
    "pocketsphinx": "On this computer (PocketSphinx, fewer words right)",
    "openai": "Speech service (--stt-url)",
    "off": "Off: the phones' own browser (online)",
}


class SpeechPanel(QGroupBox):
    """The speech service's status, shown (fed by Bridge.speech_changed), and the engine chosen
    (`engine_chosen`, which the window connects to Bridge.set_stt)."""

    engine_chosen = Signal(str)

    def __init__(self) -> None:
        super().__init__("Speech to text")
        self.choice = QComboBox()
        self.choice.setAccessibleName("Speech-to-text engine")
        self.choice.activated.connect(lambda i: self.engine_chosen.emit(str(self.choice.itemData(i))))
        # plain text: a reason may quote a remote server's words
        self.engine = plain_label()
        self.model = plain_label()
        self.streams = plain_label()
        self.behind = plain_label()
        self.note = plain_label()
        colour(self.note, WARN)
        self.note.hide()
        form = QFormLayout(self)
        form.addRow("Transcribe", self.choice)
        form.addRow("In use", self.engine)
        form.addRow("Model", self.model)
        form.addRow("Voices", self.streams)
        form.addRow("Behind", self.behind)
        form.addRow(self.note)
        self.show_status({"engine": "whisper", "in_use": "whisper", "label": "Whisper (on this computer)"})

    def show_status(self, status: Any) -> None:
        if not isinstance(status, dict):
            return
        choices = status.get("choices") or list(CHOICES)
        if [self.choice.itemData(i) for i in range(self.choice.count())] != choices:
            self.choice.clear()
            for key in choices:
                self.choice.addItem(CHOICES.get(key, key), key)
        self.choice.setCurrentIndex(max(0, self.choice.findData(status.get("engine"))))
        engine = str(status.get("label") or status.get("in_use") or "")
        if status.get("in_use") == "off":
            engine = (
                "Off: the phones may offer their browser's own speech to text, which is an online service"
            )
        elif status.get("engine") == "openai" and status.get("in_use") == "openai":
            engine = "Speech service at the address set with --stt-url (the voices leave this computer)"
        self.engine.setText(engine)
        self.model.setText(str(status.get("model") or "none"))
        streams = int(status.get("streams") or 0)
        capacity = status.get("capacity")
        text = f"{streams} being transcribed"
        if isinstance(capacity, int):
            text += f" (up to {capacity} at once in real time)"
        self.streams.setText(text)
        behind = float(status.get("behind") or 0.0)
        self.behind.setText("up to date" if behind < 0.05 else f"{behind:.1f} s")
        lines = []
        if status.get("over_capacity"):
            lines.append(
                "More people are speaking than this computer can transcribe at once: their words "
                "come late. Typed messages are not affected."
            )
        if status.get("note"):
            lines.append(str(status["note"]))
        self.note.setText("\n".join(lines))
        self.note.setVisible(bool(lines))
