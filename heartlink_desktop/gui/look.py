"""How the window's conversations look: the colours of the speakers and of a slot's states,
a role's badge, and the small text helpers the cards and the transcripts share."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QLabel

from heartlink_desktop.core.vocab import PHASES, ROLE_A, ROLE_B, phase_label
from heartlink_desktop.gui.model import EMPTY, IN_CALL, LEFT, RECONNECTING, WAITING

SPEAKER_COLOURS = {ROLE_A: "#1565c0", ROLE_B: "#ad1457"}
FACILITATOR_COLOUR, FACILITATOR_BACKGROUND = "#5e35b1", "#f3eefc"
STATE_COLOURS = {
    EMPTY: "#9e9e9e",
    WAITING: "#b26a00",
    IN_CALL: "#2e7d32",
    LEFT: "#c62828",
    RECONNECTING: "#ef6c00",
}



def phase_words(phase: str) -> str:
    """A card's phase in lower case ("deep dive"); a conversation still waiting waits for B."""
    return "waiting for B" if phase == PHASES[0] else phase_label(phase).lower()


def duration(seconds: int | None) -> str:
    if seconds is None:
        return ""
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def tint(label: QLabel, colour: QColor | str, *, bold: bool = False) -> None:
    """Text colour (and weight) by palette and font: a style sheet per label would cost a
    style of its own to every card, which made a card dear to make and to restyle."""
    pal = label.palette()
    pal.setColor(QPalette.ColorRole.WindowText, QColor(colour))
    label.setPalette(pal)
    if bold:
        font = label.font()
        font.setWeight(QFont.Weight.DemiBold)
        label.setFont(font)


def muted(label: QLabel) -> None:
    tint(label, label.palette().color(QPalette.ColorRole.Mid))


_BADGES: dict[str, QPixmap] = {}


def badge(role: str, size: int = 28) -> QPixmap:
    """The round coloured letter of a role, drawn once."""
    found = _BADGES.get(role)
    if found is None:
        found = QPixmap(size, size)
        found.fill(Qt.GlobalColor.transparent)
        p = QPainter(found)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(SPEAKER_COLOURS.get(role, "#757575")))
        p.drawEllipse(0, 0, size, size)
        font = p.font()
        font.setWeight(QFont.Weight.Bold)
        p.setFont(font)
        p.setPen(QColor("white"))
        p.drawText(found.rect(), Qt.AlignmentFlag.AlignCenter, role)
        p.end()
        found = _BADGES[role] = found
    return found


