"""Make the program's icons from resources/icons/labour-survey.svg: the PNG of the Linux menu
entry (resources/icons/labour-survey.png, 256 px) and the Windows icon with the sizes Windows
asks for (installer/windows/labour-survey.ico). Run after editing the SVG; both are committed,
so a build needs neither Pillow nor this script.

    QT_QPA_PLATFORM=offscreen .venv/bin/python installer/make_icons.py   (Pillow: pip install pillow)
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "labour-survey.svg"
PNG = ROOT / "resources" / "icons" / "labour-survey.png"
ICO = ROOT / "installer" / "windows" / "labour-survey.ico"
ICO_SIZES = [16, 24, 32, 48, 64, 128, 256]


def render(size: int) -> Image.Image:
    """The SVG drawn at `size` pixels by Qt (sharper small sizes than scaling one big PNG)."""
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(SVG)).render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(data))).convert("RGBA")


def main() -> None:
    _app = QGuiApplication([])
    render(256).save(PNG, optimize=True)
    images = {size: render(size) for size in ICO_SIZES}
    images[256].save(ICO, sizes=[(s, s) for s in ICO_SIZES], append_images=[images[s] for s in ICO_SIZES[:-1]])
    print(f"wrote {PNG.relative_to(ROOT)} and {ICO.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
