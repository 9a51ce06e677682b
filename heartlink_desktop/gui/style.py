"""How the window writes: labels that never read text as HTML, and the colours it uses."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPalette
from PySide6.QtWidgets import QLabel

from heartlink_desktop.core.vocab import ROLE_A, ROLE_B
from heartlink_desktop.paths import resource

GOOD, WARN, BAD = "#2e7d32", "#b26a00", "#c62828"
SPEAKER_COLOURS = {ROLE_A: "#1565c0", ROLE_B: "#ad1457"}
FACILITATOR_COLOUR, FACILITATOR_BACKGROUND = "#5e35b1", "#f3eefc"


def plain_label(text: str = "", *, selectable: bool = False, wrap: bool = True) -> QLabel:
    """A label that never reads its text as HTML (peer names, messages, addresses)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def clock_time(at: datetime | str) -> str:
    """A moment (or its ISO text) as the host's local time of day; "" when it is no time."""
    try:
        moment = at if isinstance(at, datetime) else datetime.fromisoformat(at)
        return moment.astimezone().strftime("%H:%M:%S")
    except ValueError:
        return ""


def colour(label: QLabel, hex_colour: str, *, bold: bool = False) -> None:
    """Colour by style sheet: for the few labels of the side panels."""
    weight = "font-weight: 600;" if bold else ""
    label.setStyleSheet(f"color: {hex_colour}; {weight}")


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


def app_icon() -> QIcon:
    """HeartLink's icon at every size shipped in resources/icons."""
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        path = resource("icons", f"heartlink-{size}.png")
        if path.exists():
            icon.addFile(str(path))
    return icon
