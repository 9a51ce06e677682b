"""The host's side panels: how to join, the certificate, the server's status, the settings."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from heartlink_desktop import __version__, net, tls
from heartlink_desktop.gui.qr import QrWidget
from heartlink_desktop.gui.style import BAD, GOOD, WARN, colour, plain_label
from heartlink_desktop.settings import MAX_PAIRS, Settings

LOOPBACK = "127.0.0.1"


class JoinPanel(QGroupBox):
    """The QR code, the URL with Copy, and which LAN address the URL uses."""

    address_chosen = Signal(str)
    present_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Join", parent)
        self.qr = QrWidget()
        self.hint = plain_label("Scan with the phone's camera, or open the link below.")
        self.url = QLineEdit()
        self.url.setReadOnly(True)
        self.url.setAccessibleName("Join link")
        self.copy = QPushButton("Copy")
        self.copy.setToolTip("Copy the join link")
        self.copy.clicked.connect(self._copy)
        self.present = QPushButton("Present")
        self.present.setToolTip("Show the join code full screen, for a projector or a TV (F5; Esc leaves)")
        self.present.clicked.connect(self.present_requested)
        row = QHBoxLayout()
        row.addWidget(self.url, 1)
        row.addWidget(self.copy)
        row.addWidget(self.present)
        self.addresses = QComboBox()
        self.addresses.setAccessibleName("Address in the link")
        self.addresses.activated.connect(self._chosen)
        self.address_note = plain_label()
        form = QFormLayout()
        form.addRow("Address", self.addresses)
        layout = QVBoxLayout(self)
        layout.addWidget(self.qr, 1)
        layout.addWidget(self.hint)
        layout.addLayout(row)
        layout.addLayout(form)
        layout.addWidget(self.address_note)

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.url.text())
        self.copy.setText("Copied")

    def _chosen(self, index: int) -> None:
        ip = self.addresses.itemData(index)
        if isinstance(ip, str):
            self.address_chosen.emit(ip)

    def show_url(self, url: str) -> None:
        self.url.setText(url)
        self.url.setCursorPosition(0)
        self.qr.set_text(url)
        self.copy.setText("Copy")

    def show_addresses(self, addresses: Sequence[net.LanAddress], current: str) -> None:
        self.addresses.blockSignals(True)
        self.addresses.clear()
        for a in addresses:
            extra = ", default route" if a.default_route else ""
            self.addresses.addItem(f"{a.ip}  ({a.interface}{extra})", a.ip)
        if current not in [a.ip for a in addresses]:
            self.addresses.addItem(f"{current}  (this computer only)", current)
        self.addresses.setCurrentIndex(max(0, self.addresses.findData(current)))
        self.addresses.setEnabled(self.addresses.count() > 1)
        self.addresses.blockSignals(False)
        if current == LOOPBACK:
            self.address_note.setText(
                "No network address found: phones cannot reach this computer. "
                "Connect it to the same Wi-Fi as the phones."
            )
            colour(self.address_note, WARN)
            self.address_note.show()
        elif len(addresses) > 1:
            self.address_note.setText("This computer has several networks: pick the one the phones are on.")
            colour(self.address_note, "palette(mid)")
            self.address_note.show()
        else:
            self.address_note.hide()


class CertPanel(QGroupBox):
    """The host's own certificate: fingerprint, expiry, the address check, the CA for phones."""

    regenerate = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Certificate", parent)
        self.fingerprint = plain_label(selectable=True)
        self.fingerprint.setStyleSheet("font-family: monospace;")
        self.valid_until = plain_label()
        self.coverage = plain_label()
        self.regen = QPushButton("Regenerate")
        self.regen.setToolTip("Issue a new certificate that covers every address of this computer")
        self.regen.clicked.connect(self.regenerate)
        cover_row = QHBoxLayout()
        cover_row.addWidget(self.coverage, 1)
        cover_row.addWidget(self.regen)
        self.ca_url = plain_label(selectable=True)
        form = QFormLayout()
        form.addRow("SHA-256", self.fingerprint)
        form.addRow("Valid until", self.valid_until)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(cover_row)
        layout.addWidget(
            plain_label(
                "Phones that warn about the connection can install this computer's "
                "certificate authority once, from:"
            )
        )
        layout.addWidget(self.ca_url)

    def show_status(self, status: tls.CertStatus | None, address: str, port: int | None) -> None:
        if status is None:
            return
        self.fingerprint.setText(status.short_fingerprint)
        self.fingerprint.setToolTip(status.fingerprint)
        self.valid_until.setText(status.not_after.astimezone().strftime("%d %B %Y"))
        if status.covers(address):
            self.coverage.setText(f"✓ Covers {address}")
            colour(self.coverage, GOOD, bold=True)
            self.regen.hide()
        else:
            self.coverage.setText(f"⚠ {address} is not in the certificate: phones will refuse it.")
            colour(self.coverage, WARN, bold=True)
            self.regen.show()
        self.ca_url.setText(f"https://{address}:{port}/ca.crt" if port else "(when the server is running)")


class StatusPanel(QGroupBox):
    """Is the server up, where, with how many people; problems in plain words."""

    use_port = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Server", parent)
        self.state = plain_label("Starting…")
        self.counts = plain_label()
        self.error = plain_label(selectable=True)
        colour(self.error, BAD)
        self.error.hide()
        self._offer = 0
        self.other_port = QPushButton()
        self.other_port.hide()
        self.other_port.clicked.connect(lambda: self.use_port.emit(self._offer))
        err_row = QHBoxLayout()
        err_row.addWidget(self.error, 1)
        err_row.addWidget(self.other_port)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addWidget(self.counts)
        layout.addLayout(err_row)

    def show_listening(self, address: str, port: int, bind: str) -> None:
        self.clear_problem()
        if bind in ("0.0.0.0", "::") or bind == address:
            self.state.setText(f"● Listening on {address}:{port}")
            colour(self.state, GOOD, bold=True)
            return
        self.state.setText(f"● Listening on {bind}:{port} only")
        colour(self.state, WARN, bold=True)
        if bind.startswith("127."):
            self.show_problem(f"Started with --host {bind}: only this computer can connect, not the phones.")

    def show_stopped(self) -> None:
        self.state.setText("○ Stopped")
        colour(self.state, BAD, bold=True)

    def show_counts(self, peers: int, live: int, max_pairs: int | None, queue: int | None) -> None:
        """max_pairs None: no limit to show (an evening seats everyone present)."""
        people = "1 phone connected" if peers == 1 else f"{peers} phones connected"
        if max_pairs is None:
            convs = f"{live} conversation{'s' if live != 1 else ''} live"
        else:
            convs = f"{live} of {max_pairs} conversation{'s' if max_pairs != 1 else ''} live"
        text = f"{people} · {convs}"
        if queue:
            text += f" · {queue} waiting in the queue"
        self.counts.setText(text)

    def show_problem(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def show_port_busy(self, port: int, offer: int) -> None:
        self.state.setText("○ Not running")
        colour(self.state, BAD, bold=True)
        self.show_problem(
            f"Port {port} is already in use by another program (perhaps another HeartLink). "
            f"Port {offer} is free."
        )
        self._offer = offer
        self.other_port.setText(f"Use port {offer}")
        self.other_port.show()

    def clear_problem(self) -> None:
        self.error.hide()
        self.other_port.hide()


class SettingsDialog(QDialog):
    """Port and conversations at once: saved now, used at the next start."""

    saved = Signal(dict)

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("HeartLink settings")
        self.port = QSpinBox()
        self.port.setRange(1024, 65535)
        self.port.setValue(settings.port if settings.port >= 1024 else 8765)
        self.max_pairs = QSpinBox()
        self.max_pairs.setRange(1, MAX_PAIRS)
        self.max_pairs.setValue(settings.max_pairs)
        form = QFormLayout()
        form.addRow("Port", self.port)
        form.addRow("Conversations at once", self.max_pairs)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(
            plain_label(
                "These take effect the next time HeartLink starts. The spiciness and "
                "the address apply at once, from the main window."
            )
        )
        layout.addWidget(buttons)

    def values(self) -> dict[str, Any]:
        return {"port": self.port.value(), "max_pairs": self.max_pairs.value()}

    def _save(self) -> None:
        self.saved.emit(self.values())
        self.accept()


def about_text(paths_data: Path) -> str:
    """The About box's words: the version, what HeartLink does, where its data lives."""
    return (
        f"HeartLink Desktop {__version__}\n\n"
        "Hosts a private video conversation for two people on the same network, with a gentle "
        "facilitator. Nothing leaves this network; each conversation's file is deleted when it ends.\n\n"
        f"Data folder: {paths_data}"
    )
