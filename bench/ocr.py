"""Tesseract beside RapidOCR on the same synthetic pictures: how much of the text each reads, how fast, how big.

    .venv/bin/python -m bench.ocr            # Tesseract, and RapidOCR when it is installed

RapidOCR (``rapidocr-onnxruntime`` 1.4.4, its PP-OCR models inside the wheel) is not a project
dependency: the measurement that chose Tesseract is in docs/matching.md; to repeat it, install
``rapidocr-onnxruntime==1.4.4 onnxruntime opencv-python-headless`` in a scratch environment.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from collections.abc import Callable
from difflib import SequenceMatcher
from pathlib import Path
from statistics import median

from PIL import Image

from bench.picture_set import chat_bubble, meme, news_screenshot, transformed

TEXTS = [
    (
        "Surat suara sudah tercoblos di gudang KPU",
        "Beredar video surat suara pilpres sudah dicoblos untuk paslon nomor urut 2 di gudang logistik KPU "
        "Jakarta Utara. Sebarkan sebelum dihapus!",
    ),
    (
        "Pemilih tanpa KTP elektronik tidak bisa mencoblos",
        "Mulai pemilu ini, pemilih yang belum punya KTP elektronik dilarang mencoblos di TPS walaupun "
        "namanya ada di DPT.",
    ),
    (
        "Bansos dicairkan lewat tautan",
        "Bantuan sosial Rp 600 ribu cair hari ini, isi data KTP dan nomor rekening di tautan berikut "
        "sebelum kuota habis.",
    ),
    (
        "Kotak suara dibuang ke sungai",
        "Foto kotak suara dibuang ke sungai di Bekasi setelah penghitungan suara selesai malam ini, netizen geram.",
    ),
    (
        "Capres akan menghapus BPJS",
        "Capres nomor urut 2 disebut akan menghapus BPJS Kesehatan jika terpilih, menurut video yang beredar di grup.",
    ),
    (
        "KPU menunda pemungutan suara",
        "KPU resmi mengundurkan hari pemungutan suara ke bulan Juni karena logistik belum siap, "
        "tidak perlu datang ke TPS.",
    ),
]


def _pictures() -> list[tuple[Image.Image, str]]:
    out = []
    for n, (title, text) in enumerate(TEXTS):
        for kind, image, reference in (
            ("news", news_screenshot(title, text, n), f"{title} {text}"),
            ("chat", chat_bubble(text, n), text),
            ("meme", meme(title, n), title),
        ):
            for name in ("JPEG quality 30–40", "scale 50%", "status bar"):
                out.append((transformed(image, name, n).convert("RGB"), reference))
            del kind
    return out


def _words(text: str) -> list[str]:
    return "".join(c.lower() if c.isalnum() else " " for c in text).split()


def _score(read: str, reference: str) -> tuple[float, float]:
    """(characters: similarity of the word sequences as text, words: share of the reference's words read)."""
    got, want = _words(read), _words(reference)
    characters = SequenceMatcher(None, " ".join(got), " ".join(want)).ratio()
    words = sum(1 for word in want if word in set(got)) / max(1, len(want))
    return characters, words


def _tesseract(image: Image.Image) -> str:
    from chalicelib.pictures.ocr import read_text

    return read_text(image)


def _rapidocr() -> Callable[[Image.Image], str]:
    import numpy as np
    from rapidocr_onnxruntime import RapidOCR  # type: ignore[import-not-found]

    engine = RapidOCR()

    def read(image: Image.Image) -> str:
        found, _ = engine(np.asarray(image))
        return "\n".join(str(line[1]) for line in found or [])

    return read


def _size_of_debian(package: str) -> float:
    done = subprocess.run(
        ["dpkg-query", "-W", "-f=${Installed-Size}", package], capture_output=True, text=True, check=False
    )
    return int(done.stdout or 0) / 1024


def _size_of_python(*modules: str) -> float:
    total = 0
    for module in modules:
        spec = importlib.util.find_spec(module)
        if spec and spec.origin:
            root = Path(spec.origin).parent
            total += sum(f.stat().st_size for f in root.rglob("*") if f.is_file())
    return total / 1024 / 1024


def main() -> int:
    pictures = _pictures()
    engines: dict[str, Callable[[Image.Image], str]] = {"Tesseract 5 (ind)": _tesseract}
    if importlib.util.find_spec("rapidocr_onnxruntime"):
        engines["RapidOCR 1.4.4"] = _rapidocr()
    sizes = {
        "Tesseract 5 (ind)": sum(
            _size_of_debian(p)
            for p in ("tesseract-ocr", "tesseract-ocr-ind", "tesseract-ocr-eng", "libtesseract5", "liblept5")
        ),
        "RapidOCR 1.4.4": _size_of_python("rapidocr_onnxruntime", "onnxruntime", "cv2", "shapely", "pyclipper"),
    }
    print(
        f"OCR on {len(pictures)} synthetic pictures "
        "(news screenshots, chat bubbles, memes; JPEG 30–40, half size, status bar)"
    )
    print(f"  {'engine':<20} {'characters':>10} {'words':>7} {'median s':>9} {'max s':>7} {'installed MB':>13}")
    for name, read in engines.items():
        read(pictures[0][0])  # models loaded
        scores, seconds = [], []
        for image, reference in pictures:
            start = time.perf_counter()
            text = read(image)
            seconds.append(time.perf_counter() - start)
            scores.append(_score(text, reference))
        characters = sum(s[0] for s in scores) / len(scores)
        words = sum(s[1] for s in scores) / len(scores)
        print(
            f"  {name:<20} {characters:>10.3f} {words:>7.3f} {median(seconds):>9.2f} {max(seconds):>7.2f}"
            f" {sizes[name]:>13.0f}"
        )
    if len(engines) == 1:
        print(
            "  RapidOCR is not installed here (not a dependency): docs/matching.md has the figures measured beside it"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
