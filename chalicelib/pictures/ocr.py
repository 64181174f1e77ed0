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

from PIL import Image

LANGUAGES = "ind"
TIMEOUT_SECONDS = 20
MIN_WIDTH = 1000  # narrower pictures are enlarged first: Tesseract reads text of 20–30 px best


class OcrUnavailable(RuntimeError):
    """Tesseract is not installed (or not its Indonesian model)."""


def read_text(image: Image.Image) -> str:
    """The text Tesseract reads in the picture, lines joined by newlines; '' when there is none."""
    binary = shutil.which("tesseract")
    if binary is None:
        raise OcrUnavailable("tesseract is not installed (Debian: tesseract-ocr-ind)")
    grey = image.convert("L")
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
