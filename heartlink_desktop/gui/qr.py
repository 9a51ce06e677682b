"""The join QR code, drawn module by module so it stays crisp at any size and DPI."""

from __future__ import annotations

import segno
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

QUIET_ZONE = 4  # modules of white around the code; scanners need it


class QrWidget(QWidget):
    """Shows one text as a QR code, square, black on white, on whole-pixel modules."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self._matrix: list[list[bool]] = []
        self._placeholder = "Starting…"
        self.setMinimumSize(180, 180)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setAccessibleName("Join QR code")

    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        if text == self._text:
            return
        self._text = text
        if text:
            code = segno.make(text, error="m", micro=False)
            self._matrix = [[bool(v) for v in row] for row in code.matrix]
        else:
            self._matrix = []
        self.setToolTip(text)
        self.update()

    def set_placeholder(self, words: str) -> None:
        """What shows while there is no code (starting, or the server could not start)."""
        self._placeholder = words
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(300, 300)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width

    def paint_on(self, painter: QPainter, width: int, height: int) -> None:
        painter.fillRect(0, 0, width, height, QColor("white"))
        if not self._matrix:
            painter.setPen(QColor("#888"))
            painter.drawText(QRectF(0, 0, width, height), Qt.AlignmentFlag.AlignCenter, self._placeholder)
            return
        n = len(self._matrix) + 2 * QUIET_ZONE
        module = max(1, min(width, height) // n)  # whole pixels: no blurred edges
        side = module * n
        x0 = (width - side) // 2 + QUIET_ZONE * module
        y0 = (height - side) // 2 + QUIET_ZONE * module
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("black"))
        for r, row in enumerate(self._matrix):
            for c, dark in enumerate(row):
                if dark:
                    painter.drawRect(x0 + c * module, y0 + r * module, module, module)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        ratio = self.devicePixelRatioF()  # draw in device pixels: whole modules on a scaled screen too
        painter.scale(1 / ratio, 1 / ratio)
        self.paint_on(painter, round(self.width() * ratio), round(self.height() * ratio))
        painter.end()

    def image(self, size: int = 600) -> QImage:
        """The code alone as an image, e.g. to print or to save."""
        image = QImage(size, size, QImage.Format.Format_RGB32)
        painter = QPainter(image)
        self.paint_on(painter, size, size)
        painter.end()
        return image
