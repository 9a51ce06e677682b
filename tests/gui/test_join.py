"""The join panel, the certificate and the server status, with the real server on the window's loop."""

from __future__ import annotations

from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QWidget

from tests.gui.conftest import open_gui
from tests.support import until

pytestmark = pytest.mark.asyncio


def decode(drawn: QWidget | QImage) -> list[str]:
    """Read the QR codes in what the widget actually drew (or an image), with a real decoder."""
    source = drawn.grab().toImage() if isinstance(drawn, QWidget) else drawn
    image = source.convertToFormat(QImage.Format.Format_RGB888)
    w, h, stride = image.width(), image.height(), image.bytesPerLine()
    pil = Image.frombuffer("RGB", (w, h), bytes(image.constBits()), "raw", "RGB", stride, 1)
    return [r.text for r in zxingcpp.read_barcodes(pil)]


async def test_window_shows_the_join_url_and_a_qr_that_decodes_to_it(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    async with open_gui(data_dir) as gui:
        host = gui.host
        url = host.join_url
        assert url.startswith("https://") and f":{host.port}/?t={host.token}" in url
        assert gui.window.join.url.text() == url
        assert decode(gui.window.join.qr) == [url]
        assert decode(gui.window.join.qr.image(240)) == [url]  # small, e.g. for printing
        gui.window.join.copy.click()
        assert QGuiApplication.clipboard().text() == url
        assert f"Join URL: {url}" in capsys.readouterr().out


async def test_certificate_panel_shows_fingerprint_expiry_coverage_and_the_ca_link(data_dir: Path) -> None:
    async with open_gui(data_dir) as gui:
        host, cert = gui.host, gui.window.cert
        assert host.cert is not None
        assert cert.fingerprint.text() == host.cert.short_fingerprint
        assert host.cert.not_after.astimezone().strftime("%Y") in cert.valid_until.text()
        assert cert.coverage.text() == f"✓ Covers {host.address}"
        assert cert.regen.isHidden()
        assert cert.ca_url.text() == f"https://{host.address}:{host.port}/ca.crt"


async def test_status_shows_address_port_phones_and_conversations(data_dir: Path) -> None:
    async with open_gui(data_dir) as gui:
        status = gui.window.status
        host = gui.host
        assert f"Listening on 127.0.0.1:{host.port}" in status.state.text()  # the tests bind loopback
        assert status.counts.text() == "0 phones connected · 0 of 1 conversation live"
        a = await gui.peers.new("a")
        await until(lambda: status.counts.text().startswith("1 phone connected"))
        await a.join("Alice")
        await until(lambda: status.counts.text() == "1 phone connected · 1 of 1 conversation live")
        await a.close()
        await until(lambda: status.counts.text() == "0 phones connected · 0 of 1 conversation live")


async def test_status_says_where_it_listens_and_warns_when_phones_cannot_reach_it(data_dir: Path) -> None:
    async with open_gui(data_dir) as gui:
        status = gui.window.status
        status.show_listening("192.168.1.20", 8765, "0.0.0.0")
        assert status.state.text() == "● Listening on 192.168.1.20:8765"
        assert status.error.isHidden()
        status.show_listening("192.168.1.20", 8765, "192.168.1.20")
        assert status.state.text() == "● Listening on 192.168.1.20:8765"
        status.show_listening("192.168.1.20", 8765, "127.0.0.1")
        assert status.state.text() == "● Listening on 127.0.0.1:8765 only"
        assert "only this computer can connect, not the phones" in status.error.text()
        assert not status.error.isHidden()
