"""The conversations' cards: one per pair with slots A and B, and the free place for the next.

An event touches only the card it changes: a card is drawn when its own conversation changes,
the clock each second updates only the cards in sight, and selecting a conversation restyles
two cards. With hundreds of conversations the window answers at once."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from heartlink_desktop.core.vocab import PHASES, ROLE_B, ROLES, phase_label
from heartlink_desktop.gui.model import (
    EMPTY,
    ENDED,
    IN_CALL,
    LEFT,
    RECONNECTING,
    WAITING,
    SessionView,
    SlotView,
)
from heartlink_desktop.gui.style import SPEAKER_COLOURS, muted, plain_label, tint

STATE_COLOURS = {
    EMPTY: "#9e9e9e",
    WAITING: "#b26a00",
    IN_CALL: "#2e7d32",
    LEFT: "#c62828",
    RECONNECTING: "#ef6c00",
}


def phase_words(phase: str) -> str:
    """A card's phase in lower case ("deep dive"); the first, waiting, says for whom."""
    words = phase_label(phase).lower()
    return f"{words} for {ROLE_B}" if phase == PHASES[0] else words


def duration(seconds: int | None) -> str:
    if seconds is None:
        return ""
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


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


class SlotCard(QFrame):
    """One person's place in a conversation: name, profile line, state, time, and Remove
    for the person in it (the window asks the host to confirm)."""

    remove_requested = Signal(str, str)  # socket, name

    def __init__(self, role: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.role = role
        self._who = ("", "")  # the socket and name of the person shown
        self.setObjectName("slot")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.badge = QLabel()
        self.badge.setFixedSize(28, 28)
        self.badge.setPixmap(badge(role))
        self.badge.setAccessibleName(role)
        self.name = plain_label(wrap=False)
        font = self.name.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setWeight(QFont.Weight.DemiBold)
        self.name.setFont(font)
        self.profile = plain_label()
        muted(self.profile)
        self.state = plain_label(wrap=False)
        tint(self.state, STATE_COLOURS[EMPTY], bold=True)
        self.time = plain_label(wrap=False)
        self.time.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.remove = QToolButton()
        self.remove.setText("Remove…")
        self.remove.setAutoRaise(True)
        self.remove.setToolTip("Remove this person from the event (you are asked first)")
        self.remove.clicked.connect(lambda: self.remove_requested.emit(*self._who))
        self.remove.hide()
        grid = QGridLayout(self)
        grid.addWidget(self.badge, 0, 0, 2, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.name, 0, 1)
        grid.addWidget(self.time, 0, 2)
        grid.addWidget(self.profile, 1, 1, 1, 2)
        grid.addWidget(self.state, 2, 1)
        grid.addWidget(self.remove, 2, 2, Qt.AlignmentFlag.AlignRight)
        grid.setColumnStretch(1, 1)

    def show_slot(self, slot: SlotView, now: datetime) -> None:
        self.name.setText(slot.name or ("(empty)" if slot.state == EMPTY else "?"))
        self.name.setEnabled(bool(slot.name))
        self.profile.setText(slot.profile_line)
        self.profile.setVisible(bool(slot.profile_line))
        self._who = (slot.sid or "", slot.name)
        removable = bool(slot.sid) and slot.state not in (EMPTY, ENDED, LEFT)
        if removable == self.remove.isHidden():
            self.remove.setVisible(removable)
        if self.state.text() != slot.state:
            self.state.setText(slot.state)
            tint(self.state, STATE_COLOURS.get(slot.state, "#757575"))
        self.show_time(slot, now)

    def show_time(self, slot: SlotView, now: datetime) -> None:
        text = duration(slot.seconds(now))
        if self.time.text() != text:
            self.time.setText(text)


class PairCard(QFrame):
    """One conversation (or the free place for the next one): slots A and B side by side."""

    clicked = Signal(str)
    remove_requested = Signal(str, str)  # socket, name: from either slot

    def __init__(self, session_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session_id = session_id
        self.setObjectName("pair")
        self.title = plain_label(wrap=False)
        tint(self.title, self.title.palette().color(QPalette.ColorRole.WindowText), bold=True)
        self.detail = plain_label(wrap=False)
        muted(self.detail)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.detail)
        self.slots = {role: SlotCard(role) for role in ROLES}
        row = QHBoxLayout()
        for role in ROLES:
            row.addWidget(self.slots[role], 1)
            self.slots[role].remove_requested.connect(self.remove_requested)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(row)
        self.view: SessionView | None = None
        self.draws = 0  # times this card was drawn (a change of its own conversation)
        self.ticks = 0  # times its clocks were moved on
        self.selected: bool | None = None
        self.set_selected(False)

    def set_selected(self, selected: bool) -> None:
        if selected == self.selected:
            return  # a style sheet costs a re-polish of the card: only when it changes
        self.selected = selected
        self.update()  # the border is painted: see paintEvent

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = QColor("#e91e63") if self.selected else self.palette().color(QPalette.ColorRole.Mid)
        p.setPen(QPen(colour, 2))
        p.drawRoundedRect(self.rect().adjusted(1, 1, -1, -1), 8, 8)
        p.end()

    def show_times(self, now: datetime) -> None:
        self.ticks += 1
        if self.view is not None:
            for role in ROLES:
                self.slots[role].show_time(self.view.slots[role], now)

    def show_view(self, v: SessionView | None, now: datetime) -> None:
        self.view = v
        self.draws += 1
        if v is None:  # the free place
            self.title.setText("Free place")
            self.detail.setText("waiting for someone to scan the code")
            for role in ROLES:
                self.slots[role].show_slot(SlotView(role), now)
            return
        self.title.setText(f"Conversation {v.number}")
        bits = [phase_words(v.phase)]
        if v.ended:
            bits = ["ended"]
        if v.spiciness:
            bits.append(f"spiciness {v.spiciness}")
        self.detail.setText(" · ".join(bits))
        for role in ROLES:
            self.slots[role].show_slot(v.slots[role], now)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.session_id:
            self.clicked.emit(self.session_id)
        super().mousePressEvent(event)


class SlotsPanel(QScrollArea):
    """A card per live conversation, and one free place while there is room for more.

    Cards keep the order the conversations started in; the free place comes last."""

    selected = Signal(str)
    remove_requested = Signal(str, str)  # socket, name: Remove on a slot card

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        self._layout = QVBoxLayout(inner)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addStretch(1)
        self.setWidget(inner)
        self.cards: dict[str, PairCard] = {}
        self.free = PairCard("")
        self._layout.insertWidget(0, self.free)
        self._current = ""
        self._now: datetime | None = None
        self.free.show_view(None, datetime.now().astimezone())
        self.verticalScrollBar().valueChanged.connect(self._scrolled)

    def card(self, session_id: str) -> PairCard | None:
        return self.cards.get(session_id)

    def show_view(self, v: SessionView, now: datetime) -> PairCard:
        """Draw one conversation's card (made, after the others, if it is new)."""
        card = self.cards.get(v.session_id)
        made = card is None
        if card is None:
            card = self.cards[v.session_id] = PairCard(v.session_id)
            card.clicked.connect(self.selected)
            card.remove_requested.connect(self.remove_requested)
            self._layout.insertWidget(self._layout.indexOf(self.free), card)
            card.set_selected(v.session_id == self._current)
        card.show_view(v, now)
        if made and len(self.cards) <= 3:
            self._fit()  # (only the first three count)
        return card

    def remove(self, session_id: str) -> None:
        card = self.cards.pop(session_id, None)
        if card is not None:
            self._layout.removeWidget(card)
            card.deleteLater()
            self._fit()

    def show_room(self, live: int, max_pairs: int) -> None:
        """The free place shows while fewer conversations than the maximum are live."""
        free = live < max_pairs
        if free == self.free.isHidden():
            self.free.setVisible(free)
            self._fit()

    def show_views(self, views: list[SessionView], max_pairs: int, now: datetime) -> None:
        """Draw them all (start, reset): the cards of conversations not listed go."""
        wanted = {v.session_id for v in views}
        for sid in [s for s in self.cards if s not in wanted]:
            self.remove(sid)
        for v in views:
            self.show_view(v, now)
        self.show_room(sum(1 for v in views if not v.ended), max_pairs)

    def tick(self, now: datetime) -> None:
        """The clocks move on: only the cards in sight are touched (the others on scrolling)."""
        self._now = now
        for card in self.in_sight():
            card.show_times(now)

    def in_sight(self) -> list[PairCard]:
        if not self.cards:
            return []
        top = self.verticalScrollBar().value()
        bottom = top + self.viewport().height()
        out = []
        for card in self.cards.values():  # in layout order: stop after the last one in sight
            y = card.y()
            if y > bottom:
                break
            if y + card.height() >= top:
                out.append(card)
        return out

    def _scrolled(self, value: int) -> None:
        if self._now is not None:
            for card in self.in_sight():
                card.show_times(self._now)

    def _fit(self) -> None:
        """As tall as the cards, up to about three of them; then it scrolls."""
        shown = [c for c in self.cards.values()][:3]
        if len(shown) < 3 and not self.free.isHidden():
            shown.append(self.free)
        tall = sum(c.sizeHint().height() for c in shown) + self._layout.spacing() * max(0, len(shown) - 1)
        self.setFixedHeight(max(60, min(tall, 3 * self.free.sizeHint().height())))

    def select(self, session_id: str) -> None:
        before, self._current = self._current, session_id
        for sid in (before, session_id):
            card = self.cards.get(sid)
            if card is not None:
                card.set_selected(sid == session_id)
