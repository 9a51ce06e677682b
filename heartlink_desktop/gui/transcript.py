"""The transcript view: each conversation's lines as plain text, picked, followed and exported.

A new line touches only its own conversation's view. Lines reach it together, at most every
`LINES_MS`, so a busy conversation costs one layout and one paint per batch, not per line."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QTextBlockFormat, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from heartlink_desktop.core.vocab import FACILITATOR_SPEAKER, end_reason_text
from heartlink_desktop.gui.model import SessionView, line_time, speaker_name
from heartlink_desktop.gui.style import (
    FACILITATOR_BACKGROUND,
    FACILITATOR_COLOUR,
    SPEAKER_COLOURS,
    plain_label,
)

LINES_MS = 40  # new lines are shown together, at most this long after they came


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
        ai = entry.get("speaker") == FACILITATOR_SPEAKER
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
        text = f"— Conversation ended: {end_reason_text(v.end_reason)}."
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
