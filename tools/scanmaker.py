"""Writers of scans for the sample and the tests: Korean text painted into a picture (no text layer),
as a PNG or as an image-only PDF, with a scanner's grain and a slight tilt."""

from __future__ import annotations

import io
import random
from pathlib import Path

FONT = "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"


def paint(lines: list[str], dpi: int = 300, seed: int = 1, tilt: float = 0.6, width_in: float = 6.5):
    """A greyscale picture of the lines set in NanumGothic 12 pt, slightly rotated and grainy."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    rng = random.Random(seed)
    size = round(12 * dpi / 72)
    font = ImageFont.truetype(FONT, size)
    margin, step = round(0.4 * dpi), round(size * 1.7)
    image = Image.new("L", (round(width_in * dpi), 2 * margin + step * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((margin, margin + i * step), line, font=font, fill=20)
    image = image.rotate(tilt, resample=Image.BICUBIC, expand=True, fillcolor=255).filter(ImageFilter.GaussianBlur(0.4))
    pixels = image.load()
    for _ in range(image.width * image.height // 4000):
        pixels[rng.randrange(image.width), rng.randrange(image.height)] = rng.choice((0, 255))
    return image


def write_scan_png(path: Path, lines: list[str], dpi: int = 300, seed: int = 1) -> Path:
    paint(lines, dpi, seed).save(path, format="PNG", dpi=(dpi, dpi))
    return path


def write_scan_pdf(path: Path, pages: list[list[str]], dpi: int = 300, seed: int = 1) -> Path:
    """An image-only PDF: each page one picture of its lines, no text layer (as a scanner writes)."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    for k, lines in enumerate(pages):
        image = paint(lines, dpi, seed + k)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        pdf.add_page()
        width = 595 - 72
        pdf.image(buffer, x=36, y=36, w=width, h=width * image.height / image.width)
    pdf.output(str(path))
    return path
