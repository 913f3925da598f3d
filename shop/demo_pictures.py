"""Drawn pictures for the demo catalogue: a coloured tile with the product's Korean name.

Why this exists: a fresh ``make run`` should look like a shop, and the demo may not download
anything. Each product gets a square tile whose colours follow its category (food warm,
cleaning blue …) and vary a little by name, a soft pattern, and the name set in Noto Sans
CJK when the system has it (``fonts-noto-cjk``). Without a Korean font the tile carries the
pattern only: boxes for missing glyphs would look broken, not demo-like.

Deterministic: the same name and category give the same bytes (no clock, no randomness
that is not seeded from the name). The tile then goes through the upload pipeline
(``shop.catalog.images``) like any vendor's picture.
"""

from __future__ import annotations

import functools
import hashlib
import io
import random
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from shop.catalog.taxonomy import Category

SIZE = 600
#: Korean-capable fonts, best first: (file, face index of the Korean face in a collection).
FONT_CANDIDATES: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 1),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc", 1),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 1),
    ("/usr/share/fonts/truetype/nanum/NanumGothicBold.ttf", 0),
)
Colours = tuple[tuple[int, int, int], tuple[int, int, int]]
#: Per category: a light, calm background and an accent for the pattern and frame.
PALETTE: dict[Category, Colours] = {
    Category.FOOD: ((247, 226, 198), (214, 128, 64)),
    Category.HOUSEHOLD: ((214, 232, 224), (58, 128, 102)),
    Category.FASHION_BEAUTY: ((242, 224, 230), (176, 72, 104)),
    Category.OFFICE_IT: ((221, 229, 244), (64, 96, 168)),
    Category.TRAVEL_LEISURE: ((220, 236, 240), (48, 128, 150)),
    Category.BOOKS_EDUCATION: ((236, 232, 214), (138, 116, 52)),
}
OTHER: Colours = ((226, 222, 240), (104, 84, 160))
INK = (40, 36, 32)


@functools.cache
def _font_path() -> tuple[str, int] | None:
    for path, index in FONT_CANDIDATES:
        if Path(path).is_file():
            return path, index
    return None


def _font(size: int) -> ImageFont.FreeTypeFont | None:
    found = _font_path()
    return ImageFont.truetype(found[0], size, index=found[1]) if found else None


def _lines(name: str, width: int) -> list[str]:
    """The name broken at spaces where it has them, long words cut in even pieces of at
    most ``width`` characters; four lines at most."""
    lines: list[str] = []
    for word in name.split():
        parts = -(-len(word) // width)  # balanced: 현관중문/단열커튼, not 현관중문단열커/튼
        lines.extend(textwrap.wrap(word, -(-len(word) // parts)) or [word])
    merged: list[str] = []
    for line in lines:
        if merged and len(merged[-1]) + 1 + len(line) <= width:
            merged[-1] = f"{merged[-1]} {line}"
        else:
            merged.append(line)
    return merged[:4]


def draw(name: str, category: str, label: str = "") -> bytes:
    """The tile as PNG bytes (``SIZE`` × ``SIZE``)."""
    seed = int(hashlib.sha256(f"{category}:{name}".encode()).hexdigest()[:16], 16)
    rng = random.Random(seed)
    background, accent = next(
        (colours for c, colours in PALETTE.items() if c.value == category), OTHER
    )
    image = Image.new("RGB", (SIZE, SIZE), background)
    pen = ImageDraw.Draw(image, "RGBA")
    for _ in range(6):
        radius = rng.randint(60, 200)
        x, y = rng.randint(-40, SIZE + 40), rng.randint(-40, SIZE + 40)
        pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(*accent, 38))
    pen.rounded_rectangle((36, 36, SIZE - 36, SIZE - 36), radius=28, outline=(*accent, 140),
                          width=4)
    font = _font(58)
    if font is not None:
        lines = _lines(name, 7)
        line_height = 74
        top = (SIZE - line_height * len(lines)) // 2 - 20
        for i, line in enumerate(lines):
            pen.text((SIZE // 2, top + i * line_height), line, font=font, fill=INK, anchor="mt")
        small = _font(30)
        if label and small is not None:
            pen.text((SIZE // 2, SIZE - 80), label, font=small, fill=(*accent, 255), anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
