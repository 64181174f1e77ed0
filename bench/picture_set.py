"""Synthetic pictures for the picture tests and ``make eval``: made here, from texts, with Debian's DejaVu fonts.

No real hoax picture is copied into the project. A *source* picture renders a text the way hoaxes
travel as pictures — a screenshot of a news article, a chat bubble, a meme — and a *copy* is what
happens to it on the way: scaled, cropped, re-compressed, framed, brightened, a phone's status bar
on top, a screenshot of a screenshot, a watermark. Every picture depends on its seed only.
"""

from __future__ import annotations

import io
import random
import textwrap
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFont

FONTS = Path("/usr/share/fonts/truetype/dejavu")
SANS = FONTS / "DejaVuSans.ttf"
BOLD = FONTS / "DejaVuSans-Bold.ttf"


def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def _lines(text: str, width: int) -> list[str]:
    return textwrap.wrap(" ".join(text.split()), width)[:14]


def news_screenshot(title: str, text: str, seed: int) -> Image.Image:
    """A news site's article as a phone shows it: a coloured masthead, a bold headline, the body."""
    rng = random.Random(seed)
    image = Image.new("RGB", (720, 1000), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    masthead = (rng.randrange(20, 200), rng.randrange(20, 120), rng.randrange(60, 220))
    draw.rectangle((0, 0, 720, 90), fill=masthead)
    draw.text(
        (28, 26),
        rng.choice(["BERITA TERKINI", "KABAR24", "INFO NUSANTARA", "WARTA RAKYAT"]),
        font=_font(BOLD, 32),
        fill="white",
    )
    y = 120
    for line in _lines(title, 32):
        draw.text((28, y), line, font=_font(BOLD, 34), fill=(15, 15, 15))
        y += 44
    y += 16
    for line in _lines(text, 44):
        draw.text((28, y), line, font=_font(SANS, 26), fill=(40, 40, 40))
        y += 36
    return image.crop((0, 0, 720, min(1000, y + 40)))


def chat_bubble(text: str, seed: int) -> Image.Image:
    """A forwarded message in a chat app: a pale wallpaper, a green bubble, the time under it."""
    rng = random.Random(seed)
    lines = _lines(text, 36)
    height = 160 + 36 * len(lines)
    image = Image.new("RGB", (720, height), (rng.randrange(225, 240), rng.randrange(215, 230), rng.randrange(200, 215)))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((60, 40, 690, height - 40), radius=24, fill=(220, 248, 198))
    draw.text((90, 56), "Diteruskan", font=_font(SANS, 20), fill=(120, 120, 120))
    y = 90
    for line in lines:
        draw.text((90, y), line, font=_font(SANS, 26), fill=(20, 20, 20))
        y += 36
    draw.text(
        (590, height - 76),
        f"{rng.randrange(7, 23):02d}.{rng.randrange(60):02d}",
        font=_font(SANS, 20),
        fill=(120, 120, 120),
    )
    return image


def meme(text: str, seed: int) -> Image.Image:
    """Big white words with a black outline on a coloured, noisy background."""
    rng = random.Random(seed)
    top, bottom = [rng.randrange(256) for _ in range(3)], [rng.randrange(256) for _ in range(3)]
    image = Image.new("RGB", (720, 720))
    draw = ImageDraw.Draw(image)
    for row in range(720):
        mix = row / 719
        draw.line((0, row, 720, row), fill=tuple(int(a + (b - a) * mix) for a, b in zip(top, bottom, strict=True)))
    for _ in range(400):
        x, y, r = rng.randrange(720), rng.randrange(720), rng.randrange(3, 14)
        draw.ellipse((x, y, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    y = 40
    for line in _lines(text.upper(), 26)[:10]:
        draw.text((30, y), line, font=_font(BOLD, 34), fill="white", stroke_width=3, stroke_fill="black")
        y += 48
    return image


# -- what happens to a picture on its way ---------------------------------------------------


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    out.seek(0)
    return Image.open(out).convert("RGB")


def _crop(image: Image.Image, rng: random.Random) -> Image.Image:
    """10% of the width and of the height cut, split at random between the two sides."""
    width, height = image.size
    left, top = rng.randint(0, width // 10), rng.randint(0, height // 10)
    return image.crop((left, top, left + width - width // 10, top + height - height // 10))


def _status_bar(image: Image.Image, rng: random.Random) -> Image.Image:
    bar = max(24, image.height // 22)
    out = Image.new("RGB", (image.width, image.height + bar), (0, 0, 0) if rng.random() < 0.5 else (245, 245, 245))
    out.paste(image, (0, bar))
    ink = "white" if out.getpixel((2, 2)) == (0, 0, 0) else "black"
    draw = ImageDraw.Draw(out)
    draw.text(
        (16, bar // 5), f"{rng.randrange(24):02d}:{rng.randrange(60):02d}", font=_font(SANS, bar * 3 // 5), fill=ink
    )
    draw.text((image.width - 120, bar // 5), f"4G {rng.randrange(10, 100)}%", font=_font(SANS, bar * 3 // 5), fill=ink)
    return out


def _border(image: Image.Image, rng: random.Random) -> Image.Image:
    pad = rng.randrange(20, 60)
    out = Image.new("RGB", (image.width + 2 * pad, image.height + 2 * pad), tuple(rng.randrange(256) for _ in range(3)))
    out.paste(image, (pad, pad))
    return out


def _screenshot_of_screenshot(image: Image.Image, rng: random.Random) -> Image.Image:
    """The picture shown smaller inside another phone's screen, with that phone's bars, captured again."""
    inner = image.resize((image.width * 4 // 5, image.height * 4 // 5))
    out = Image.new("RGB", (image.width, inner.height + 140), (18, 18, 18))
    out.paste(inner, ((image.width - inner.width) // 2, 70))
    return _status_bar(out, rng)


def _watermark(image: Image.Image, rng: random.Random) -> Image.Image:
    out = image.copy()
    draw = ImageDraw.Draw(out)
    label = rng.choice(["@infowarga", "Grup Keluarga", "VIRAL!!", "sumber: WA"])
    draw.text(
        (image.width // 6, image.height // 2), label, font=_font(BOLD, max(18, image.width // 14)), fill=(200, 200, 200)
    )
    return out


TRANSFORMS: dict[str, Callable[[Image.Image, random.Random], Image.Image]] = {
    "scale 50%": lambda image, _: image.resize((image.width // 2, image.height // 2)),
    "crop 10%": _crop,
    "JPEG quality 30–40": lambda image, rng: _jpeg(image, rng.randint(30, 40)),
    "status bar": _status_bar,
    "border": _border,
    "brightness": lambda image, rng: ImageEnhance.Brightness(image).enhance(rng.choice([0.75, 1.3])),
    "screenshot of a screenshot": _screenshot_of_screenshot,
    "watermark": _watermark,
}


def transformed(image: Image.Image, name: str, seed: int) -> Image.Image:
    return TRANSFORMS[name](image, random.Random(seed))


def noise(seed: int) -> Image.Image:
    rng = random.Random(seed)
    data = bytes(rng.randrange(256) for _ in range(240 * 240 * 3))
    return Image.frombytes("RGB", (240, 240), data).resize((720, 720))


def gradient(seed: int) -> Image.Image:
    rng = random.Random(seed)
    image = Image.new("RGB", (720, 540))
    draw = ImageDraw.Draw(image)
    start, end = [rng.randrange(256) for _ in range(3)], [rng.randrange(256) for _ in range(3)]
    for column in range(720):
        mix = column / 719
        draw.line((column, 0, column, 540), fill=tuple(int(a + (b - a) * mix) for a, b in zip(start, end, strict=True)))
    return image


def encoded(image: Image.Image, kind: str = "PNG", **options: object) -> bytes:
    """A picture as a file's bytes."""
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()
