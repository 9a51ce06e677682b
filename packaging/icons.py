"""Icons for one build: the app's own, a drawn stand-in for any missing, .ico and .icns made from the PNG."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
PNG, SVG = "heartlink-256.png", "heartlink.svg"


def draw_stand_in(path: Path) -> None:
    """A plain heart on a rounded square, for builds made before the real icon exists."""
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath

    image = QImage(256, 256, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#c2185b"))
    p.drawRoundedRect(QRectF(8, 8, 240, 240), 48, 48)
    heart = QPainterPath(QPointF(128, 206))
    heart.cubicTo(QPointF(40, 150), QPointF(46, 64), QPointF(100, 64))
    heart.cubicTo(QPointF(116, 64), QPointF(124, 74), QPointF(128, 86))
    heart.cubicTo(QPointF(132, 74), QPointF(140, 64), QPointF(156, 64))
    heart.cubicTo(QPointF(210, 64), QPointF(216, 150), QPointF(128, 206))
    p.setBrush(QColor("white"))
    p.drawPath(heart)
    p.end()
    if not image.save(str(path), "PNG"):  # type: ignore[call-overload]  # the stub says bytes, Qt wants str
        raise SystemExit(f"could not write {path}")


def convert(png: Path, out: Path, fmt: str) -> bool:
    from PySide6.QtGui import QImage

    return QImage(str(png)).save(str(out), fmt)  # type: ignore[call-overload]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="folder for the icons of this build")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for path in [*ICONS.glob("heartlink-*.png"), ICONS / SVG]:
        if path.is_file():
            shutil.copyfile(path, out / path.name)
    if not (out / PNG).is_file():
        print(f"note: {ICONS / PNG} is missing; the build uses a drawn stand-in icon", file=sys.stderr)
        draw_stand_in(out / PNG)
    for name, fmt in (("heartlink.ico", "ICO"), ("heartlink.icns", "ICNS")):
        if (ICONS / name).is_file():
            shutil.copyfile(ICONS / name, out / name)
        elif not convert(out / PNG, out / name, fmt):
            print(f"note: Qt could not write {name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
