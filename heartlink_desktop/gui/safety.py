"""Safe to meet strangers, in the window: who meets whom, the reports, removing someone (with a
confirmation) and undoing it."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from heartlink_desktop.core.safety import Report, name_key
from heartlink_desktop.core.vocab import MODE_EVERYONE, MODE_PREFERENCES, REPORT_REASONS
from heartlink_desktop.gui.bridge import Bridge
from heartlink_desktop.gui.style import WARN, clock_time, muted, plain_label, tint

REPORT_BACKGROUND = "#fff4e5"
MODES = {
    MODE_PREFERENCES: "By each person's preferences",
    MODE_EVERYONE: "Everyone meets everyone",
}


def reason_words(code: str) -> str:
    return REPORT_REASONS.get(code, code)


def who_reported(report: Report) -> str:
    """`Maya reported Tom` (peer text: shown only in plain-text labels)."""
    return f"{report.reporter_name or 'Someone'} reported {report.reported_name or 'their partner'}"


def report_notice(report: Report) -> str:
    return f"Report: {who_reported(report)} ({reason_words(report.reason)})."


class ReportRow(QFrame):
    """One report as the host sees it: when, who reported whom, the reason in words, the note
    as plain text, and Remove for the reported person. Made by `SafetyPanel`."""

    remove_requested = Signal(str, str)  # the reported person's key, their name

    def __init__(self, report: Report, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)  # a tint that stands out from the panels around it
        pal = self.palette()
        pal.setColor(QPalette.ColorRole.Window, QColor(REPORT_BACKGROUND))
        self.setPalette(pal)
        self.time = plain_label(clock_time(report.at), wrap=False)
        muted(self.time)
        self.who = plain_label(who_reported(report), wrap=False)
        tint(self.who, self.who.palette().color(self.who.foregroundRole()), bold=True)
        self.reason = plain_label(reason_words(report.reason), wrap=False)
        tint(self.reason, WARN, bold=True)
        self.note = plain_label(f"“{report.note}”" if report.note else "")
        self.note.setVisible(bool(report.note))
        self.remove = QPushButton("Remove…")
        self.remove.setToolTip("Remove the reported person from this event (you are asked first)")
        self.remove.clicked.connect(lambda: self.remove_requested.emit(report.reported, report.reported_name))
        head = QHBoxLayout()
        head.addWidget(self.time)
        head.addWidget(self.who)
        head.addWidget(plain_label("·", wrap=False))
        head.addWidget(self.reason)
        head.addStretch(1)
        head.addWidget(self.remove)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addLayout(head)
        layout.addWidget(self.note)

    def set_removed(self, removed: bool) -> None:
        self.remove.setEnabled(not removed)
        self.remove.setText("Removed" if removed else "Remove…")


class RemovedRow(QWidget):
    """Someone the host removed, with Undo. Made by `SafetyPanel`."""

    undo_requested = Signal(str)  # the name (undo by name takes back every key of theirs)

    def __init__(self, removal: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = str(removal.get("name") or "")
        self.person = str(removal.get("person") or "")
        self.label = plain_label(
            f"{self.name or self.person} · removed at {clock_time(str(removal.get('at')))}"
        )
        self.undo = QPushButton("Undo")
        self.undo.setToolTip("Let this person join again")
        self.undo.clicked.connect(lambda: self.undo_requested.emit(self.name or self.person))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label, 1)
        row.addWidget(self.undo)


class SafetyPanel(QGroupBox):
    """Who meets whom, the reports since the last reset (newest first, each with Remove), the
    people removed (each with Undo), and Remove by name. Every Remove in the window (a report, a
    slot card, the queue) comes to `ask_remove`, which asks the host to confirm. Reads the
    bridge's signals and calls its slots (`attach`); made by the main window."""

    removing = Signal(str, str)  # confirmed: the target (socket or person key), the name
    undo_requested = Signal(str)  # a name
    notice = Signal(str)  # a new report, for the status bar
    ROWS_SHOWN = 2.5  # reports in sight before the list scrolls

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Safety", parent)
        self.mode = QComboBox()
        self.mode.setAccessibleName("Who meets whom")
        self.mode.setToolTip(
            "By preferences: two people meet only when each is someone the other would like to meet "
            "(their profiles' gender and whom they meet). Applies to whoever is seated next."
        )
        for key, words in MODES.items():
            self.mode.addItem(words, key)
        self.name = QLineEdit()
        self.name.setPlaceholderText("name")
        self.name.setAccessibleName("Name of someone to remove")
        self.remove_by_name = QPushButton("Remove…")
        self.remove_by_name.setToolTip("Remove someone by the name they joined with, connected or not")
        self.remove_by_name.clicked.connect(self._remove_named)
        self.name.returnPressed.connect(self._remove_named)
        top = QHBoxLayout()
        top.addWidget(QLabel("Who meets whom"))
        top.addWidget(self.mode, 1)
        top.addSpacing(12)
        top.addWidget(QLabel("Remove someone"))
        top.addWidget(self.name, 1)
        top.addWidget(self.remove_by_name)
        self.no_reports = plain_label("No reports.")
        muted(self.no_reports)
        inner = QWidget()
        self._rows = QVBoxLayout(inner)
        self._rows.setContentsMargins(0, 0, 0, 0)
        self._rows.setSpacing(4)
        self._rows.addStretch(1)
        self.reports_area = QScrollArea()
        self.reports_area.setWidgetResizable(True)
        self.reports_area.setFrameShape(QFrame.Shape.NoFrame)
        self.reports_area.setWidget(inner)
        self.reports_area.hide()
        self.removed_box = QWidget()
        self._removed = QVBoxLayout(self.removed_box)
        self._removed.setContentsMargins(0, 0, 0, 0)
        self.removed_box.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.no_reports)
        layout.addWidget(self.reports_area)
        layout.addWidget(self.removed_box)
        self.report_rows: list[ReportRow] = []  # oldest first, shown newest first
        self.removed_rows: list[RemovedRow] = []
        self._removed_keys: set[str] = set()
        self.confirm: QMessageBox | None = None
        self.confirm_yes: QPushButton | None = None

    def attach(self, bridge: Bridge) -> None:
        """Follow the bridge's reports, removals and mode; ask it to remove, undo, switch."""
        bridge.reports_changed.connect(self.show_reports)
        bridge.removals_changed.connect(self.show_removals)
        bridge.meet_mode_changed.connect(self.show_mode)
        bridge.reset_done.connect(lambda: self.show_reports(bridge.reports()))
        self.removing.connect(bridge.remove_person)
        self.undo_requested.connect(bridge.undo_removal)
        self.mode.activated.connect(lambda i: bridge.set_meet_mode(str(self.mode.itemData(i))))
        bridge.listening.connect(lambda *_: self._as_it_stands(bridge))  # an evening's file is read
        self.show_mode(bridge.status.meet_mode)
        self._as_it_stands(bridge)

    def _as_it_stands(self, bridge: Bridge) -> None:
        """The reports and removals as the host has them (after a crash, those an evening kept)."""
        self.show_removals(bridge.removals())
        self.show_reports(bridge.reports(), announce=False)

    # -- who meets whom -------------------------------------------------------------------
    def show_mode(self, mode: str) -> None:
        found = self.mode.findData(mode)
        if found >= 0:
            self.mode.setCurrentIndex(found)

    # -- reports ----------------------------------------------------------------------------
    def show_reports(self, reports: list[Report], announce: bool = True) -> None:
        """The reports since the last reset; new ones are added on top and said as a notice."""
        shown = [row.report for row in self.report_rows]
        if reports[: len(shown)] != shown:  # a reset: start again
            for row in self.report_rows:
                self._rows.removeWidget(row)
                row.deleteLater()
            self.report_rows = []
            shown = []
        for report in reports[len(shown) :]:
            row = ReportRow(report)
            row.remove_requested.connect(self.ask_remove)
            self._rows.insertWidget(0, row)
            self.report_rows.append(row)
            row.set_removed(self._is_removed(report))
            if announce:
                self.notice.emit(report_notice(report))
        self.no_reports.setVisible(not self.report_rows)
        self.reports_area.setVisible(bool(self.report_rows))
        if self.report_rows:
            one = self.report_rows[-1].sizeHint().height() + self._rows.spacing()
            self.reports_area.setFixedHeight(int(min(len(self.report_rows), self.ROWS_SHOWN) * one))

    def _is_removed(self, report: Report) -> bool:
        return bool({report.reported, name_key(report.reported_name)} & self._removed_keys)

    # -- removals ---------------------------------------------------------------------------
    def ask_remove(self, target: str, name: str) -> QMessageBox:
        """Ask before removing; nothing waits for the answer (the box is window-modal)."""
        if self.confirm is not None:  # one question at a time: the newest
            self.confirm.close()
            self.confirm.deleteLater()
        box = QMessageBox(self.window())
        box.setWindowTitle("Remove someone")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setTextFormat(Qt.TextFormat.PlainText)  # the name is a peer's text
        box.setText(f"Remove {name or target} from this event?")
        box.setInformativeText(
            "Their conversation ends and they cannot join again, from this phone or with this "
            "name, until you undo it or reset."
        )
        yes = box.addButton("Remove", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
        box.buttonClicked.connect(
            lambda clicked: self.removing.emit(target, name) if clicked is yes else None
        )
        box.open()
        self.confirm, self.confirm_yes = box, yes
        return box

    def _remove_named(self) -> None:
        name = " ".join(self.name.text().split())
        if name:
            self.ask_remove("", name)
            self.name.clear()

    def show_removals(self, removals: list[dict[str, Any]]) -> None:
        for row in self.removed_rows:
            self._removed.removeWidget(row)
            row.deleteLater()
        self.removed_rows = []
        for removal in removals:
            row = RemovedRow(removal)
            row.undo_requested.connect(self.undo_requested)
            self._removed.addWidget(row)
            self.removed_rows.append(row)
        self.removed_box.setVisible(bool(removals))
        keys = {str(r.get("person") or "") for r in removals}
        keys |= {name_key(str(r.get("name") or "")) for r in removals}
        self._removed_keys = keys - {""}
        for report_row in self.report_rows:
            report_row.set_removed(self._is_removed(report_row.report))
