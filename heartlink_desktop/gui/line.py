"""The people waiting in the queue for a conversation, in order, with Remove."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from heartlink_desktop.gui.style import clock_time, plain_label

ROWS_SHOWN = 3  # people in sight before the list scrolls


class LinePanel(QWidget):
    """Who waits in the queue (`Bridge.queue_changed`): one row each, first first, and Remove
    for the chosen one (the window asks the host to confirm). A list of items, not a widget per
    person: a long line is redrawn cheaply on each change. Made by the main window."""

    remove_requested = Signal(str, str)  # socket, name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = plain_label(wrap=False)
        self.people = QListWidget()
        self.people.setAccessibleName("People waiting in the queue")
        self.people.currentItemChanged.connect(lambda *_: self._sync())
        self.remove = QPushButton("Remove…")
        self.remove.setToolTip("Remove the person chosen in the list from this event (you are asked first)")
        self.people.itemActivated.connect(lambda *_: self._remove())  # a double click, or Enter
        self.remove.clicked.connect(self._remove)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.remove)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.people)
        self.show_line([])

    def show_line(self, line: list[dict[str, Any]]) -> None:
        chosen = self.chosen()
        self.people.clear()
        for entry in line:
            sid, name = str(entry.get("sid") or ""), str(entry.get("name") or "")
            since = clock_time(str(entry.get("since") or ""))
            text = f"{entry.get('position', '')}. {name}" + (f" · waiting since {since}" if since else "")
            item = QListWidgetItem(text)  # an item's text is drawn as plain text
            item.setData(Qt.ItemDataRole.UserRole, (sid, name))
            self.people.addItem(item)
            if chosen is not None and chosen[0] == sid:
                self.people.setCurrentItem(item)
        n = len(line)
        self.title.setText(f"Waiting in the queue: {n} {'person' if n == 1 else 'people'}")
        row = self.people.sizeHintForRow(0) if n else 0
        self.people.setFixedHeight(min(n, ROWS_SHOWN) * row + 2 * self.people.frameWidth() + 4)
        self.setVisible(bool(n))
        self._sync()

    def chosen(self) -> tuple[str, str] | None:
        item = self.people.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def choose(self, sid: str) -> None:
        for i in range(self.people.count()):
            item = self.people.item(i)
            if item.data(Qt.ItemDataRole.UserRole)[0] == sid:
                self.people.setCurrentItem(item)

    def _sync(self) -> None:
        self.remove.setEnabled(self.chosen() is not None)

    def _remove(self) -> None:
        chosen = self.chosen()
        if chosen is not None:
            self.remove_requested.emit(*chosen)
