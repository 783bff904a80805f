"""Product pictures drawn locally with Pillow, so the demo shop has images without any download."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

PALETTE = {
    "red": (214, 69, 65),
    "blue": (52, 120, 219),
    "black": (40, 40, 46),
    "white": (236, 236, 232),
    "green": (60, 160, 100),
    "grey": (140, 144, 150),
    "navy": (36, 52, 100),
    "pink": (232, 140, 170),
    "yellow": (240, 200, 70),
    "beige": (222, 204, 170),
}


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in ("DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def product_image(path: Path, title: str, subtitle: str, color: str, size: int = 480) -> Path:
    """A card with the product's colour and name; the same inputs give the same picture."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    base = PALETTE.get(color, (120, 120, 160))
    # A lighter tint of the colour, placed by a hash of the name so products don't all look alike.
    seed = int(hashlib.sha1(title.encode()).hexdigest()[:4], 16)
    accent = tuple(int(c + (255 - c) * 0.35) for c in base)
    img = Image.new("RGB", (size, size), base)
    draw = ImageDraw.Draw(img)
    shift = (seed % 60 - 30) / 480 * size
    draw.rounded_rectangle(
        (size * 0.2 + shift, size * 0.1, size * 0.8 + shift, size * 0.58), radius=size // 10, fill=accent
    )
    dark = sum(base) / 3 > 150
    ink = (30, 30, 30) if dark else (250, 250, 250)
    words, lines, line = title.split(), [], ""
    for word in words:
        if len(line) + len(word) > 16 and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    font, small = _font(size // 12), _font(size // 20)
    y = size * 0.74 - (len(lines) - 1) * size // 24
    for text in lines:
        draw.text((size / 2, y), text, font=font, fill=ink, anchor="mm")
        y += size // 11
    draw.text((size / 2, size * 0.94), subtitle, font=small, fill=ink, anchor="mm")
    img.save(path, "PNG", optimize=True)
    return path
