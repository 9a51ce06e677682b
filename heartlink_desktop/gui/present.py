"""The Present view: the join code for a projector or a TV, readable across a room.

Full screen, white, the QR code as large as the screen allows, the link in large type beneath
it, and during an evening the round, its countdown and how many people are here. F5 (or the
window's Present button) opens it; Esc, F5 or a click closes it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QMouseEvent, QPalette, QResizeEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from heartlink_desktop.core.vocab import BREAK, EVENING_OVER, LOBBY, ROUND
from heartlink_desktop.gui.qr import QrWidget
from heartlink_desktop.gui.rounds import Countdown, clock
from heartlink_desktop.gui.style import plain_label

# Share of the screen's height the link's and the evening's lines take: a 1080-line screen
# gives 43 px type for the link, about 1.5 cm on a 2 m wide projection, readable at 5 m.
LINK_SHARE = 0.04
EVENING_SHARE = 0.055


def evening_words(status: dict[str, Any], left: float | None, people: int) -> str:
    """The evening's line on the big screen, e.g. `Round 2 of 5 · 3:12 left · 14 here`."""
    if not status.get("enabled"):
        return ""
    state, n, rounds = status.get("state"), status.get("round", 0), status.get("rounds", 0)
    here = f"{people} here"
    if state == LOBBY:
        return f"Scan to join · Round 1 starts soon · {here}"
    if state == ROUND:
        time_left = f" · {clock(left)} left" if left is not None else ""
        return f"Round {n} of {rounds}{time_left} · {here}"
    if state == BREAK:
        time_left = f" in {clock(left)}" if left is not None else " soon"
        return f"Break · round {n + 1} of {rounds} starts{time_left} · {here}"
    if state == EVENING_OVER:
        return "The evening is over. Thank you for coming!"
    return here


class PresentView(QWidget):
    """A top-level window of its own, shown full screen over the host's window. The main
    window feeds it (`show_join`, `show_evening`) from the bridge's signals; it
    touches nothing else. `closed` tells the main window it was left."""

    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("HeartLink: join")
        self.setAccessibleName("Present view")
        self.setAutoFillBackground(True)
        pal = self.palette()
        pal.setColor(QPalette.ColorRole.Window, QColor("white"))
        pal.setColor(QPalette.ColorRole.WindowText, QColor("black"))
        self.setPalette(pal)
        self.qr = QrWidget()
        self.link = plain_label(wrap=True)
        self.link.setAccessibleName("Join link")
        self.link.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.evening = plain_label(wrap=True)
        self.evening.setAccessibleName("Evening")
        self.evening.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = QLabel("Esc to leave")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.hint.setStyleSheet("color: #999;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 12)
        layout.addWidget(self.qr, 1)
        layout.addWidget(self.link)
        layout.addWidget(self.evening)
        layout.addWidget(self.hint)
        self._status: dict[str, Any] = {"enabled": False}
        self.countdown = Countdown(self, self._draw_evening)
        self._fit_type()
        self._draw_evening()

    # -- what the main window tells it ------------------------------------------------------
    def show_join(self, url: str) -> None:
        self.qr.set_text(url)
        self.link.setText(url)

    def show_evening(self, status: dict[str, Any]) -> None:
        self._status = dict(status)
        self.countdown.set(status.get("seconds_left"))
        self._draw_evening()

    def left(self) -> float | None:
        return self.countdown.left()

    def _draw_evening(self) -> None:
        words = evening_words(self._status, self.left(), int(self._status.get("people", 0)))
        self.evening.setText(words)
        self.evening.setVisible(bool(words))

    # -- in and out ---------------------------------------------------------------------------
    def present(self) -> None:
        self.showFullScreen()
        self.raise_()
        self.activateWindow()

    def leave(self) -> None:
        if self.isVisible():
            self.hide()
            self.closed.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_F5, Qt.Key.Key_Q):
            self.leave()
            return
        super().keyPressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.leave()

    # -- type as large as the screen allows ------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_type()

    def _fit_type(self) -> None:
        height = max(self.height(), 480)
        for label, share in ((self.link, LINK_SHARE), (self.evening, EVENING_SHARE)):
            font = QFont(label.font())
            font.setPixelSize(max(18, round(height * share)))
            font.setWeight(QFont.Weight.DemiBold if label is self.evening else QFont.Weight.Normal)
            label.setFont(font)
