"""The live conversations: a card per pair with slots A and B, and each one's transcript.

An event touches only the card and the line it changes: a card is drawn when its own
conversation changes, the clock each second updates only the cards in sight, and selecting a
conversation restyles two cards. Lines reach their transcript view together, at most every
`LINES_MS`, so a busy conversation costs one layout and one paint per batch, not per line.
With hundreds of conversations the window answers at once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from heartlink_desktop.gui.model import (
    EMPTY,
    IN_CALL,
    LEFT,
    REASONS,
    RECONNECTING,
    ROLES,
    WAITING,
    SessionView,
    SlotView,
    line_time,
    speaker_name,
)
from heartlink_desktop.gui.panels import plain_label

SPEAKER_COLOURS = {"A": "#1565c0", "B": "#ad1457"}
FACILITATOR_COLOUR, FACILITATOR_BACKGROUND = "#5e35b1", "#f3eefc"
STATE_COLOURS = {
    EMPTY: "#9e9e9e",
    WAITING: "#b26a00",
    IN_CALL: "#2e7d32",
    LEFT: "#c62828",
    RECONNECTING: "#ef6c00",
}
LINES_MS = 40  # new lines are shown together, at most this long after they came

PHASES = {
    "waiting": "waiting for B",
    "icebreaker": "icebreaker",
    "deep_dive": "deep dive",
    "decision": "decision",
}


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


class SlotCard(QFrame):
    """One person's place in a conversation: name, profile line, state, time."""

    def __init__(self, role: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.role = role
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
        grid = QGridLayout(self)
        grid.addWidget(self.badge, 0, 0, 2, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.name, 0, 1)
        grid.addWidget(self.time, 0, 2)
        grid.addWidget(self.profile, 1, 1, 1, 2)
        grid.addWidget(self.state, 2, 1, 1, 2)
        grid.setColumnStretch(1, 1)

    def show_slot(self, slot: SlotView, now: datetime) -> None:
        self.name.setText(slot.name or ("(empty)" if slot.state == EMPTY else "?"))
        self.name.setEnabled(bool(slot.name))
        self.profile.setText(slot.profile_line)
        self.profile.setVisible(bool(slot.profile_line))
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
        bits = [PHASES.get(v.phase, v.phase.replace("_", " "))]
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


class TranscriptView(QPlainTextEdit):
    """One conversation's lines, as plain text: speakers coloured, the facilitator set apart."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setAccessibleName("Transcript")
        self.lines = 0
        self.edits = 0  # times lines were added (each one layout and paint)
        # Follow the newest line while the view is at the bottom; a host who scrolled up to
        # read keeps their place until they scroll back down.
        self.following = True
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._moved)
        bar.rangeChanged.connect(self._grew)

    def _moved(self, value: int) -> None:
        self.following = value >= self.verticalScrollBar().maximum()

    def _grew(self, low: int, high: int) -> None:
        if self.following:
            self.verticalScrollBar().setValue(high)

    def add(self, v: SessionView, entry: dict[str, Any]) -> None:
        self.add_many(v, [entry])

    def add_many(self, v: SessionView, entries: list[dict[str, Any]]) -> None:
        """Lines at the end, in one edit: one layout and one paint for all of them."""
        self.edits += 1
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        for entry in entries:
            self._add(cursor, v, entry)
        cursor.endEditBlock()

    def _add(self, cursor: QTextCursor, v: SessionView, entry: dict[str, Any]) -> None:
        cursor.movePosition(QTextCursor.MoveOperation.End)
        ai = entry.get("speaker") == "AI"
        block = QTextBlockFormat()
        block.setTopMargin(3)
        block.setBottomMargin(3)
        if ai:
            block.setBackground(QColor(FACILITATOR_BACKGROUND))
            block.setLeftMargin(12)
        self._start_block(cursor, block)
        meta = QTextCharFormat()
        meta.setForeground(QColor("#9e9e9e"))
        who = QTextCharFormat()
        who.setFontWeight(QFont.Weight.Bold)
        body = QTextCharFormat()
        if ai:
            who.setForeground(QColor(FACILITATOR_COLOUR))
            body.setForeground(QColor(FACILITATOR_COLOUR))
            body.setFontItalic(True)
        else:
            who.setForeground(QColor(SPEAKER_COLOURS.get(str(entry.get("speaker")), "#424242")))
        # insertText takes the text as it is: a name like <b>x</b> stays those seven characters
        cursor.insertText(f"{line_time(entry)}  ", meta)
        cursor.insertText(("✦ " if ai else "") + speaker_name(v, entry) + ": ", who)
        cursor.insertText(str(entry.get("text", "")), body)
        self.lines += 1

    def _start_block(self, cursor: QTextCursor, block: QTextBlockFormat) -> None:
        """A new paragraph after the last line; the document's first one is reused."""
        if self.lines:
            cursor.insertBlock(block)
        else:
            cursor.setBlockFormat(block)

    def add_ending(self, v: SessionView) -> None:
        """A closing note in grey: why it ended, and the facilitator's summary if there is one."""
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        block = QTextBlockFormat()
        block.setTopMargin(10)
        self._start_block(cursor, block)
        note = QTextCharFormat()
        note.setForeground(QColor("#757575"))
        text = f"— Conversation ended: {REASONS.get(v.end_reason, v.end_reason.replace('_', ' '))}."
        if v.summary:
            text += f" Summary: {v.summary}"
        cursor.insertText(text, note)
        self.lines += 1


class TranscriptPanel(QWidget):
    """Pick a conversation, read it live, export it."""

    export_requested = Signal(str, str)  # session_id, "md" | "json"
    current_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.picker = QComboBox()
        self.picker.setAccessibleName("Conversation")
        self.picker.currentIndexChanged.connect(self._picked)
        self.export_md = QPushButton("Export Markdown…")
        self.export_json = QPushButton("Export JSON…")
        self.export_md.clicked.connect(lambda: self._export("md"))
        self.export_json.clicked.connect(lambda: self._export("json"))
        head = QHBoxLayout()
        head.addWidget(self.picker, 1)
        head.addWidget(self.export_md)
        head.addWidget(self.export_json)
        self.stack = QStackedWidget()
        self.placeholder = plain_label("The conversation appears here, line by line, as the two talk.")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setStyleSheet("color: palette(mid);")
        self.stack.addWidget(self.placeholder)
        self.views: dict[str, TranscriptView] = {}
        self._pending: dict[str, tuple[SessionView, list[dict[str, Any]]]] = {}
        self._lines_timer = QTimer(self)
        self._lines_timer.setSingleShot(True)
        self._lines_timer.setInterval(LINES_MS)
        self._lines_timer.timeout.connect(self.show_pending)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.stack, 1)
        self._sync_buttons()

    def current(self) -> str:
        sid = self.picker.currentData()
        return sid if isinstance(sid, str) else ""

    def view(self, session_id: str) -> TranscriptView | None:
        return self.views.get(session_id)

    def ensure(self, v: SessionView) -> TranscriptView:
        tv = self.views.get(v.session_id)
        if tv is None:
            tv = self.views[v.session_id] = TranscriptView()
            self.stack.addWidget(tv)
            for entry in v.transcript:
                tv.add(v, entry)
            self.picker.addItem(v.title, v.session_id)
            if self.picker.count() == 1:
                self._picked(0)
        else:
            i = self.picker.findData(v.session_id)
            if i >= 0 and self.picker.itemText(i) != v.title:
                self.picker.setItemText(i, v.title)
        return tv

    def add(self, v: SessionView, entry: dict[str, Any]) -> None:
        """One line for the end of its conversation's view (shown with the others of the
        moment, within LINES_MS); nothing else is touched."""
        if v.session_id not in self.views:
            self.ensure(v)  # made from the conversation's lines so far, this one included
            return
        self._pending.setdefault(v.session_id, (v, []))[1].append(entry)
        if not self._lines_timer.isActive():
            self._lines_timer.start()

    def show_pending(self) -> None:
        pending, self._pending = self._pending, {}
        for sid, (v, entries) in pending.items():
            tv = self.views.get(sid)
            if tv is not None:
                tv.add_many(v, entries)

    def add_ending(self, v: SessionView) -> None:
        self.show_pending()  # its last lines first
        self.ensure(v).add_ending(v)

    def select(self, session_id: str) -> None:
        i = self.picker.findData(session_id)
        if i >= 0:
            self.picker.setCurrentIndex(i)

    def remove_all(self) -> None:
        self._pending.clear()
        self.picker.clear()
        for tv in self.views.values():
            self.stack.removeWidget(tv)
            tv.deleteLater()
        self.views.clear()
        self.stack.setCurrentWidget(self.placeholder)
        self._sync_buttons()

    def _picked(self, index: int) -> None:
        sid = self.current()
        tv = self.views.get(sid)
        self.stack.setCurrentWidget(tv if tv is not None else self.placeholder)
        self._sync_buttons()
        self.current_changed.emit(sid)

    def _sync_buttons(self) -> None:
        has = bool(self.current())
        self.export_md.setEnabled(has)
        self.export_json.setEnabled(has)

    def _export(self, fmt: str) -> None:
        if self.current():
            self.export_requested.emit(self.current(), fmt)
