"""Render heartlink.svg to the PNG sizes, .ico and .icns the app and the installers use.

Run from the repository root: .venv/bin/python resources/icons/make_icons.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

HERE = Path(__file__).resolve().parent
SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(HERE / "heartlink.svg"))
    if not renderer.isValid():
        print("heartlink.svg could not be read", file=sys.stderr)
        return 1
    for size in SIZES:
        render(renderer, size).save(str(HERE / f"heartlink-{size}.png"))
    render(renderer, 256).save(str(HERE / "heartlink.png"))
    try:  # several sizes in one file; Pillow does this better than Qt's single-image writers
        from PIL import Image
    except ImportError:
        print("Pillow is missing: skipped heartlink.ico and heartlink.icns", file=sys.stderr)
        return 0
    big = Image.open(HERE / "heartlink-1024.png")
    big.save(HERE / "heartlink.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    big.save(HERE / "heartlink.icns")
    return 0


if __name__ == "__main__":
    sys.exit(main())
