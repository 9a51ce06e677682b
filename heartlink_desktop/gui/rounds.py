"""The window's evening of rounds: the mode switch, the countdown, start/next/end, the counts."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from heartlink_desktop.core.vocab import BREAK, EVENING_OVER, LOBBY, PAUSED, ROUND
from heartlink_desktop.gui.style import plain_label


def clock(seconds: float) -> str:
    s = max(0, int(seconds + 0.999))
    return f"{s // 60}:{s % 60:02d}"


def state_line(status: dict[str, Any], left: float | None) -> str:
    """One line of where the evening stands, e.g. `Round 2 of 3 · 1:24 left · 3 conversations`."""
    if not status.get("enabled"):
        return "Off: people are paired as they come, for as long as they like."
    state, n, rounds = status.get("state"), status.get("round", 0), status.get("rounds", 0)
    people = status.get("people", 0)
    if state == LOBBY:
        return f"In the lobby: {people} {'person' if people == 1 else 'people'} waiting. Press Start."
    if state == ROUND:
        convs = status.get("conversations", 0)
        time_left = f" · {clock(left)} left" if left is not None else ""
        return f"Round {n} of {rounds}{time_left} · {convs} conversation{'' if convs == 1 else 's'}"
    if state == PAUSED:  # picked up after a crash
        return (
            f"Paused after round {n} of {rounds}: waiting for people to return ({people} back). "
            "It goes on when two who have not met are back, or press Resume."
        )
    if state == BREAK:
        time_left = f" · next round in {clock(left)}" if left is not None else ""
        return f"Break after round {n} of {rounds}{time_left}"
    return f"The evening is over: {n} round{'' if n == 1 else 's'} held."


class Countdown:
    """The seconds left of a round or a break, counting down on its own between the host's
    news: `set(seconds)` on each status, `left()` when drawing; `draw` is called every half
    second while it runs. Held by the evening's panel and the Present view."""

    def __init__(self, parent: QWidget, draw: Callable[[], None]) -> None:
        self._until: float | None = None  # monotonic time the countdown reaches zero
        self._tick = QTimer(parent)
        self._tick.setInterval(500)
        self._tick.timeout.connect(draw)

    def set(self, seconds: float | None) -> None:
        self._until = None if seconds is None else time.monotonic() + float(seconds)
        if self._until is None:
            self._tick.stop()
        else:
            self._tick.start()

    def left(self) -> float | None:
        return None if self._until is None else max(0.0, self._until - time.monotonic())


class RoundsPanel(QGroupBox):
    """Asks for actions through signals; shows what the bridge says (never touches the server)."""

    mode_changed = Signal(object, float)  # rounds (None: off), minutes per round
    command = Signal(str)  # start | next | end

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Evening of rounds", parent)
        self.enabled = QCheckBox("Run an evening of rounds (everyone meets someone new each round)")
        self.rounds = QSpinBox()
        self.rounds.setRange(1, 50)
        self.rounds.setValue(3)
        self.rounds.setAccessibleName("Rounds")
        self.minutes = QDoubleSpinBox()
        self.minutes.setRange(0.5, 180)
        self.minutes.setSingleStep(0.5)
        self.minutes.setDecimals(1)
        self.minutes.setValue(5)
        self.minutes.setSuffix(" min")
        self.minutes.setAccessibleName("Minutes per round")
        self.start_button = QPushButton("Start")
        self.next_button = QPushButton("Next round")
        self.end_button = QPushButton("End evening")
        self.state = plain_label()
        self.state.setAccessibleName("Evening state")
        self.counts = plain_label()
        self.counts.setAccessibleName("Answers")
        form = QFormLayout()
        form.addRow("Rounds", self.rounds)
        form.addRow("Round length", self.minutes)
        # what runs an evening shows only while one is on: the QR code above keeps its room
        self.running_part = QWidget()
        rv = QVBoxLayout(self.running_part)
        rv.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        for b in (self.start_button, self.next_button, self.end_button):
            buttons.addWidget(b)
        rv.addLayout(buttons)
        rv.addWidget(self.state)
        rv.addWidget(self.counts)
        layout = QVBoxLayout(self)
        layout.addWidget(self.enabled)
        layout.addLayout(form)
        layout.addWidget(self.running_part)
        self._status: dict[str, Any] = {"enabled": False}
        self.countdown = Countdown(self, self._draw)
        self.enabled.toggled.connect(self._toggled)
        self.start_button.clicked.connect(lambda: self.command.emit("start"))
        self.next_button.clicked.connect(lambda: self.command.emit("next"))
        self.end_button.clicked.connect(lambda: self.command.emit("end"))
        self.show_status({"enabled": False})

    def _toggled(self, on: bool) -> None:
        self.mode_changed.emit(self.rounds.value() if on else None, float(self.minutes.value()))

    def running(self) -> bool:
        """An evening is on: the conversations are the round's, not limited by max pairs."""
        return bool(self._status.get("enabled"))

    def left(self) -> float | None:
        return self.countdown.left()

    def show_status(self, status: dict[str, Any]) -> None:
        self._status = dict(status)
        on = bool(status.get("enabled"))
        self.enabled.blockSignals(True)
        self.enabled.setChecked(on)
        self.enabled.blockSignals(False)
        if on:
            self.rounds.setValue(int(status.get("rounds", self.rounds.value())))
            self.minutes.setValue(float(status.get("round_minutes", self.minutes.value())))
        state = status.get("state")
        self.running_part.setVisible(on)
        self.rounds.setEnabled(not on)
        self.minutes.setEnabled(not on)
        self.enabled.setEnabled(not on or state in (LOBBY, EVENING_OVER))
        self.start_button.setEnabled(on and state == LOBBY)
        self.next_button.setEnabled(on and state in (ROUND, BREAK, PAUSED))
        self.next_button.setText("Resume" if state == PAUSED else "Next round")  # next resumes then
        self.end_button.setEnabled(on and state in (ROUND, BREAK, LOBBY, PAUSED))
        self.countdown.set(status.get("seconds_left"))
        self.show_counts(status)
        self._draw()

    def show_counts(self, counts: dict[str, Any]) -> None:
        if not self._status.get("enabled") and not counts.get("answered"):
            self.counts.setText("")
            return
        answered, mutual = int(counts.get("answered", 0)), int(counts.get("mutual", 0))
        self.counts.setText(f"Answers to “again?”: {answered} · mutual matches: {mutual}")

    def _draw(self) -> None:
        self.state.setText(state_line(self._status, self.left()))
