"""Text in a picture, read by Tesseract 5 with its Indonesian model (Debian's ``tesseract-ocr-ind``).

Chosen over RapidOCR by measurement (docs/matching.md): RapidOCR's bundled models drop most spaces
between Indonesian words, which the word-based matcher cannot use. One Tesseract process a picture,
on one thread (OpenMP on two cores made it eight times slower).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess

import numpy as np
from PIL import Image

LANGUAGES = "ind"
TIMEOUT_SECONDS = 20
MIN_WIDTH = 1000  # narrower pictures are enlarged first: Tesseract reads text of 20–30 px best


class OcrUnavailable(RuntimeError):
    """Tesseract is not installed (or not its Indonesian model)."""


MIN_WORDS = 6  # fewer words of three letters or more: read the picture's bright text alone, too
INK_MARGIN = 40  # "white" letters: within this of the brightest pixels (a darkened copy's white is grey)


def read_text(image: Image.Image) -> str:
    """The text Tesseract reads in the picture, lines joined by newlines; '' when there is none.

    A meme's white letters with a dark outline on a busy photo defeat a plain reading: when it
    finds few words, the white pixels alone are read again as dark text on white, and the reading
    with more words is kept.
    """
    text = _tesseract(image.convert("L"))
    if _word_count(text) >= MIN_WORDS:
        return text
    again = _tesseract(_white_ink(image))
    return again if _word_count(again) > _word_count(text) else text


def _white_ink(image: Image.Image) -> Image.Image:
    """Black where a pixel is near the picture's brightest white in every channel (white letters), white elsewhere."""
    darkest = np.asarray(image.convert("RGB"), dtype=np.uint8).min(axis=2)  # a white pixel is bright in all three
    white = float(np.percentile(darkest, 99.5))
    ink = darkest >= max(white - INK_MARGIN, 100)
    return Image.fromarray(np.where(ink, 0, 255).astype(np.uint8), "L")


def _word_count(text: str) -> int:
    return sum(1 for word in text.split() if len(word) >= 3 and word.isalpha())


def _tesseract(grey: Image.Image) -> str:
    binary = shutil.which("tesseract")
    if binary is None:
        raise OcrUnavailable("tesseract is not installed (Debian: tesseract-ocr-ind)")
    if grey.width < MIN_WIDTH:
        factor = MIN_WIDTH / grey.width
        grey = grey.resize((MIN_WIDTH, max(1, round(grey.height * factor))), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    grey.save(buffer, "PNG")
    done = subprocess.run(
        [binary, "stdin", "stdout", "-l", LANGUAGES, "--psm", "3"],
        input=buffer.getvalue(),
        capture_output=True,
        timeout=TIMEOUT_SECONDS,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        check=False,
    )
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        if any("Failed loading language" in line for line in message):
            raise OcrUnavailable("Tesseract's Indonesian model is missing (Debian: tesseract-ocr-ind)")
        raise RuntimeError(f"tesseract failed: {message[-1] if message else done.returncode}")
    lines = (line.strip() for line in done.stdout.decode("utf-8", "replace").splitlines())
    return "\n".join(line for line in lines if line)
