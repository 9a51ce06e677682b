"""The host's main window: the panels, wired to the bridge's signals and actions."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from heartlink_desktop.core.vocab import ACTIVE, SPICE_NAMES
from heartlink_desktop.gui.bridge import Bridge
from heartlink_desktop.gui.line import LinePanel
from heartlink_desktop.gui.model import LiveSessions, write_export
from heartlink_desktop.gui.panels import CertPanel, JoinPanel, SettingsDialog, StatusPanel, about_text
from heartlink_desktop.gui.present import PresentView
from heartlink_desktop.gui.rounds import RoundsPanel
from heartlink_desktop.gui.safety import SafetyPanel
from heartlink_desktop.gui.slots import SlotsPanel
from heartlink_desktop.gui.speech import SpeechPanel
from heartlink_desktop.gui.style import app_icon
from heartlink_desktop.gui.transcript import TranscriptPanel

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """The host's window: the join panel (QR code, link), the certificate, the live
    conversations with their transcripts, the queue, safety (reports, removals, who meets whom),
    speech, the evening of rounds, and End session / Reset. It reads the bridge's signals and
    calls its slots, nothing else. Made by gui/main.py."""

    closing = Signal()  # the host closed the window: stop the server, then quit

    LINGER_MS = 5000  # an ended conversation's card stays this long, showing who left
    CARDS_MS = 30  # cards changed meanwhile are drawn together, at most this long after

    def __init__(self, bridge: Bridge) -> None:
        super().__init__()
        self.bridge = bridge
        self.model = LiveSessions()
        self._gone: set[str] = set()  # ended conversations whose cards were taken away
        self.setWindowTitle("HeartLink")
        self.setWindowIcon(app_icon())
        self.resize(1180, 760)

        self.join = JoinPanel()
        self.cert = CertPanel()
        self.rounds = RoundsPanel()
        self.status = StatusPanel()
        self.slots = SlotsPanel()
        self.line = LinePanel()
        self.safety = SafetyPanel()
        self.transcript = TranscriptPanel()
        self.speech = SpeechPanel()
        self.present_view = PresentView()
        self.end_button = QPushButton("End session")
        self.end_button.setToolTip("End the selected conversation; both phones are told it ended")
        self.ask_button = QPushButton("Ask the facilitator")
        self.ask_button.setToolTip("Have the facilitator offer a question now")
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip(
            "End every conversation, delete their files and make a new join link (old links stop working)"
        )
        self.reset_button.setStyleSheet("QPushButton { color: #c62828; font-weight: 600; }")
        self.spiciness = QComboBox()
        self.spiciness.setAccessibleName("Spiciness")
        for level, name in SPICE_NAMES.items():
            self.spiciness.addItem(f"{level} · {name}", level)
        self.spiciness.setCurrentIndex(self.spiciness.findData(bridge.settings.spiciness))
        self.about_box: QMessageBox | None = None
        self.settings_dialog: SettingsDialog | None = None
        self._build()
        self._menus()
        self._wire()
        self._dirty: dict[str, None] = {}  # conversations whose card is to be drawn, in order
        self._cards_timer = QTimer(self)
        self._cards_timer.setSingleShot(True)
        self._cards_timer.setInterval(self.CARDS_MS)
        self._cards_timer.timeout.connect(self.draw_dirty)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._on_tick)
        self._tick.start()
        self._refresh_all()

    # -- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.join, 1)
        lv.addWidget(self.cert)
        lv.addWidget(self.speech)
        lv.addWidget(self.rounds)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(self.status)
        rv.addWidget(self.safety)
        pairs = QGroupBox("Conversations")
        pv = QVBoxLayout(pairs)
        pv.addWidget(self.slots)
        pv.addWidget(self.line)
        rv.addWidget(pairs)
        talk = QGroupBox("Transcript")
        tv = QVBoxLayout(talk)
        tv.addWidget(self.transcript)
        rv.addWidget(talk, 3)
        actions = QHBoxLayout()
        actions.addWidget(self.end_button)
        actions.addWidget(self.ask_button)
        actions.addStretch(1)
        actions.addWidget(QLabel("Spiciness"))
        actions.addWidget(self.spiciness)
        actions.addSpacing(16)
        actions.addWidget(self.reset_button)
        rv.addLayout(actions)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([440, 720])
        split.setChildrenCollapsible(False)
        body = QWidget()
        bl = QVBoxLayout(body)
        bl.addWidget(split)
        self.setCentralWidget(body)

    def _menus(self) -> None:
        file = self.menuBar().addMenu("&File")
        settings = QAction("&Settings…", self)
        settings.triggered.connect(self.open_settings)
        file.addAction(settings)
        present = QAction("&Present the join code", self)
        present.setShortcut(QKeySequence(Qt.Key.Key_F5))
        present.triggered.connect(self.present)
        file.addAction(present)
        self.addAction(present)  # F5 works with the menu closed
        file.addSeparator()
        quit_ = QAction("&Quit", self)
        quit_.setShortcut(QKeySequence.StandardKey.Quit)
        quit_.triggered.connect(self.close)
        file.addAction(quit_)
        help_ = self.menuBar().addMenu("&Help")
        about = QAction("&About HeartLink", self)
        about.triggered.connect(self.open_about)
        help_.addAction(about)

    def _wire(self) -> None:
        b = self.bridge
        b.session_changed.connect(self._on_session)
        b.slot_state.connect(self._on_slot_state)
        b.transcript_line.connect(self._on_line)
        b.session_ended.connect(self._on_ended)
        b.queue_changed.connect(self._on_queue)
        b.listening.connect(lambda *_: self._refresh_all())
        b.stopped.connect(self.status.show_stopped)
        b.clients_changed.connect(lambda *_: self._refresh_counts())
        b.url_changed.connect(lambda *_: self._refresh_join())
        b.certificate_changed.connect(lambda *_: self._refresh_join())  # new addresses, maybe
        b.port_busy.connect(self.status.show_port_busy)
        b.port_busy.connect(lambda *_: self._not_running())
        b.problem.connect(self.status.show_problem)
        b.problem.connect(lambda *_: self._not_running())
        b.reset_done.connect(self._on_reset_done)
        b.notice.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.safety.attach(b)
        self.safety.notice.connect(lambda text: self.statusBar().showMessage(text, 30000))
        self.slots.remove_requested.connect(self.safety.ask_remove)
        self.line.remove_requested.connect(self.safety.ask_remove)
        b.speech_changed.connect(self.speech.show_status)
        self.speech.engine_chosen.connect(b.set_stt)
        self.join.address_chosen.connect(b.choose_address)
        self.join.present_requested.connect(self.present)
        b.evening_changed.connect(self.present_view.show_evening)
        self.cert.regenerate.connect(b.regenerate_certificate)
        self.status.use_port.connect(b.start_on_port)
        self.slots.selected.connect(self.transcript.select)
        self.transcript.current_changed.connect(self._on_current)
        self.transcript.export_requested.connect(self.export_dialog)
        self.end_button.clicked.connect(self.end_selected)
        self.ask_button.clicked.connect(self.ask_facilitator)
        self.reset_button.clicked.connect(lambda: b.reset())
        self.spiciness.activated.connect(lambda i: b.set_spiciness(int(self.spiciness.itemData(i))))
        b.evening_changed.connect(self.rounds.show_status)
        b.evening_changed.connect(lambda *_: self._refresh_counts())
        b.again_changed.connect(self.rounds.show_counts)
        self.rounds.mode_changed.connect(b.set_evening)
        self.rounds.command.connect(b.evening_command)
        self.rounds.show_status(b.evening_status())

    # -- drawing --------------------------------------------------------------------------
    def now(self) -> datetime:
        return datetime.now(UTC)

    def _refresh_all(self) -> None:
        self._refresh_join()
        self._refresh_cert()
        s = self.bridge.status
        if s.running and s.port:
            self.status.show_listening(s.address, s.port, s.bind)
        self._refresh_counts()
        self._redraw_slots()

    def _refresh_join(self) -> None:
        s = self.bridge.status
        if s.running:
            self.join.show_url(s.join_url)
            self.present_view.show_join(s.join_url)
        self.join.show_addresses(s.addresses, s.address)
        self._refresh_cert()

    def _refresh_cert(self) -> None:
        s = self.bridge.status
        self.cert.show_status(s.cert, s.address, s.port if s.running else None)

    def _refresh_counts(self) -> None:
        s = self.bridge.status
        queue = self.model.queue if s.queue_enabled else None
        limit = None if self.rounds.running() else s.max_pairs
        self.status.show_counts(s.clients, self.model.live_count(), limit, queue)

    def _redraw_slots(self) -> None:
        """Every card drawn again (start, reset); an event draws only its own card."""
        shown = [v for v in self.model.views.values() if v.session_id not in self._gone]
        self.slots.show_views(shown, self.bridge.status.max_pairs, self.now())
        self._sync_actions()

    def _redraw_card(self, session_id: str) -> None:
        """Draw that card (its transcript's title, the counts) within CARDS_MS: after what
        the event sends has gone out, and once for all the events meanwhile (created, joined,
        phase; many pairs joining at once are laid out and painted together)."""
        self._dirty[session_id] = None
        if not self._cards_timer.isActive():
            self._cards_timer.start()

    def draw_dirty(self) -> None:
        dirty, self._dirty = self._dirty, {}
        now = self.now()
        for session_id in dirty:
            v = self.model.views.get(session_id)
            if v is None:
                continue
            self.transcript.ensure(v)
            shown = self.model.views.get(self.transcript.current())
            if not v.ended and (shown is None or shown.ended):  # follow the newest live one
                self.transcript.select(session_id)
            if session_id not in self._gone:
                self.slots.show_view(v, now)
        self._show_room()
        self._refresh_counts()
        if self.transcript.current() in dirty:
            self._sync_actions()

    def _show_room(self) -> None:
        self.slots.show_room(self.model.live_count(), self.bridge.status.max_pairs)

    def _on_tick(self) -> None:
        self.slots.tick(self.now())
        self._sync_actions()

    def _sync_actions(self) -> None:
        v = self.model.views.get(self.transcript.current())
        live = v is not None and not v.ended
        self.end_button.setEnabled(live)
        self.ask_button.setEnabled(live and v is not None and v.status == ACTIVE)

    # -- bridge signals -------------------------------------------------------------------
    def _on_session(self, session_id: str, snapshot: dict[str, Any]) -> None:
        self.model.apply_snapshot(session_id, snapshot, self.now())
        self._redraw_card(session_id)

    def _on_slot_state(self, session_id: str, role: str, state: str) -> None:
        if self.model.set_state(session_id, role, state) is not None:
            self._redraw_card(session_id)

    def _on_line(self, session_id: str, entry: dict[str, Any]) -> None:
        v = self.model.add_line(session_id, entry)
        self.transcript.add(v, entry)

    def _on_ended(self, session_id: str, reason: str, summary: str) -> None:
        v = self.model.end(session_id, reason, summary, self.now())
        self.transcript.add_ending(v)
        self._redraw_card(session_id)
        QTimer.singleShot(self.LINGER_MS, self, lambda: self._retire(session_id))  # dies with the window

    def _retire(self, session_id: str) -> None:
        v = self.model.views.get(session_id)
        if v is not None and v.ended:
            self._gone.add(session_id)
            self._dirty.pop(session_id, None)
            self.slots.remove(session_id)
            self._show_room()

    def _not_running(self) -> None:
        if not self.bridge.running:
            self.join.qr.set_placeholder("Not running: see Server")

    def _on_queue(self, line: list[dict[str, Any]]) -> None:
        self.model.queue = len(line)
        self.line.show_line(line)
        self._refresh_counts()

    def _on_current(self, session_id: str) -> None:
        self.slots.select(session_id)
        self._sync_actions()

    def _on_reset_done(self) -> None:
        self._dirty.clear()
        self.model.clear()
        self._gone.clear()
        self.transcript.remove_all()
        self._refresh_all()
        self.statusBar().showMessage(
            "Reset: every conversation ended, their files deleted, and a new link made.", 10000
        )

    # -- actions --------------------------------------------------------------------------
    def end_selected(self) -> None:
        sid = self.transcript.current()
        v = self.model.views.get(sid)
        if v is not None and not v.ended:
            self.bridge.end_session(sid)

    def ask_facilitator(self) -> None:
        sid = self.transcript.current()
        if sid:
            self.bridge.interject(sid)

    def export_dialog(self, session_id: str, fmt: str) -> None:
        """Write one conversation to a file the host chooses (private to this user)."""
        v = self.model.views.get(session_id)
        if v is None:
            return
        what = "Markdown (*.md)" if fmt == "md" else "JSON (*.json)"
        default = str(Path.home() / f"heartlink-conversation-{v.number}.{fmt}")
        chosen, _ = QFileDialog.getSaveFileName(self, "Export the transcript", default, what)
        if not chosen:
            return
        try:
            written = write_export(v, fmt, Path(chosen), self.now())
        except OSError as exc:
            self.status.show_problem(f"Could not write {chosen}: {exc.strerror or exc}")
            return
        self.statusBar().showMessage(f"Saved {written}", 8000)

    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.bridge.settings, self)
        dialog.saved.connect(self._settings_saved)
        dialog.open()  # window-modal, never blocks the loop
        self.settings_dialog = dialog
        return dialog

    def _settings_saved(self, values: dict[str, Any]) -> None:
        if self.bridge.save(**values):
            self.statusBar().showMessage(
                "Saved. The port and the number of conversations apply at the next start.", 10000
            )

    def open_about(self) -> QMessageBox:
        box = QMessageBox(self)
        box.setWindowTitle("About HeartLink")
        box.setIconPixmap(app_icon().pixmap(64, 64))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(about_text(self.bridge.paths.data))
        box.open()
        self.about_box = box
        return box

    def present(self) -> PresentView:
        """The join code full screen, for a projector or a TV (Esc leaves)."""
        self.present_view.present()
        return self.present_view

    def closeEvent(self, event: QCloseEvent) -> None:
        self._tick.stop()
        self.present_view.close()
        self.closing.emit()
        event.accept()
