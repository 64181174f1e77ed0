"""One picture, from the bytes a partner uploaded to what is kept of it.

``clean`` is the first and only reader of an upload: it refuses what is not a picture, or too big
to decode safely, and re-encodes the pixels alone (EXIF, GPS, ICC profiles and comments are left
behind: UU PDP, a photo can say where its reporter lives). Everything after reads the clean copy.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

import numpy as np
import pdqhash
from PIL import Image, ImageOps, UnidentifiedImageError

from chalicelib.domain.models.pictures import MAX_UPLOAD_BYTES

MAX_PIXELS = 40_000_000  # decoded size at most (a 10 MB upload may expand to gigabytes: a bomb)
MAX_SIDE = 4096  # the clean copy's longest side at most
HASH_SIDE = 256  # pictures are hashed with this longest side, smaller or larger ones resampled to it alike
DECODED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF"})  # a GIF: its first frame
STATUS_BAR_SHARE = 0.08  # a phone's status bar sits within the top 8% of a screenshot
STATUS_BAR_CONTRAST = 60  # grey levels between the bar and what is under it
CANONICAL_ROUNDS = 3
BORDER_TOLERANCE = 12  # grey levels a border row or column may vary by …
PLAIN_SHARE = 0.95  # … in this share of its pixels (a status bar's few characters stay under the rest)

NOT_A_PICTURE = "Bukan gambar JPEG, PNG, WebP atau GIF."

Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own bomb check, at the same bound


class PictureRefused(ValueError):
    """The upload is not a picture Saring can take; ``reason`` says why, in Indonesian."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CleanPicture:
    data: bytes  # re-encoded, without metadata
    content_type: str
    sha256: str
    image: Image.Image  # RGB


def clean(data: bytes) -> CleanPicture:
    """Decode (bounded), drop every piece of metadata and re-encode; raises PictureRefused."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise PictureRefused(f"Berkas lebih dari {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source = Image.open(io.BytesIO(data))
            if source.format not in DECODED_FORMATS:
                raise PictureRefused(NOT_A_PICTURE)
            if source.width * source.height > MAX_PIXELS:
                raise PictureRefused("Gambar terlalu besar untuk dibuka (lebih dari 40 juta piksel).")
            source.seek(0)  # an animated picture: its first frame
            source.load()
            upright = ImageOps.exif_transpose(source)  # the orientation is kept in the pixels, not in EXIF
    except PictureRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PictureRefused("Gambar terlalu besar untuk dibuka (lebih dari 40 juta piksel).") from None
    except UnidentifiedImageError:
        raise PictureRefused(NOT_A_PICTURE) from None
    except (OSError, ValueError, SyntaxError, EOFError):
        raise PictureRefused("Berkas rusak atau bukan gambar yang dapat dibaca.") from None
    keeps_edges = source.format in ("PNG", "GIF")  # screenshots and drawings: lossless stays lossless
    image = _flattened(upright)
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if keeps_edges:
        image.save(out, "PNG", optimize=False)
        content_type = "image/png"
    else:
        image.save(out, "JPEG", quality=90)
        content_type = "image/jpeg"
    cleaned = out.getvalue()
    return CleanPicture(cleaned, content_type, hashlib.sha256(cleaned).hexdigest(), image)


def _flattened(image: Image.Image) -> Image.Image:
    """RGB pixels only: transparency laid on white, palettes and greys expanded, nothing else kept."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    rgb = image.convert("RGB")
    return Image.frombytes("RGB", rgb.size, rgb.tobytes())  # a new image: no info, no EXIF


@dataclass(frozen=True)
class PictureHashes:
    hashes: tuple[str, ...]  # as it is, canonical, centre of canonical (domain/pictures.py)
    quality: int


def picture_hashes(image: Image.Image) -> PictureHashes:
    """The picture's PDQ hashes (hex), with PDQ's quality of the first."""
    canonical = canonical_form(image)
    width, height = canonical.size
    centre = canonical.crop((width // 20, height // 20, width - width // 20, height - height // 20))
    hashed = [_pdq(_resampled(picture)) for picture in (image, canonical, centre)]
    return PictureHashes(tuple(hex_hash for hex_hash, _ in hashed), hashed[0][1])


def _resampled(image: Image.Image) -> Image.Image:
    """The picture with its longest side HASH_SIDE: a copy at half the size then hashes like the original
    (PDQ's own reduction of text at different sizes aliases differently)."""
    scale = HASH_SIDE / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS)


def _pdq(image: Image.Image) -> tuple[str, int]:
    bits, quality = pdqhash.compute(np.asarray(image, dtype=np.uint8))
    return np.packbits(bits.astype(np.uint8)).tobytes().hex(), int(quality)


def canonical_form(image: Image.Image) -> Image.Image:
    """The picture without what copies add around it: borders, frames and phone bars, trimmed from each edge.

    A row (or column) at an edge is trimmed while nearly all of it is one colour: a border, the dark
    frame around a screenshot of a screenshot, a status bar whose few characters are small. A copy
    and its original are then hashed on the same content.
    """
    grey = np.asarray(image.convert("L"), dtype=np.int16)
    top, bottom, left, right = 0, grey.shape[0], 0, grey.shape[1]
    for _ in range(CANONICAL_ROUNDS):  # a frame around a status bar around the picture: one layer a round
        inside = grey[top:bottom, left:right]
        bar = _status_bar_height(inside)
        box = _content_box(inside[bar:])
        if bar == 0 and box == (0, inside.shape[0], 0, inside.shape[1]):
            break
        top, bottom, left, right = top + bar + box[0], top + bar + box[1], left + box[2], left + box[3]
    return image.crop((left, top, right, bottom))


def _status_bar_height(grey: np.ndarray) -> int:
    """Rows of a band across the top that differs sharply in brightness from what follows (0 if none)."""
    height = grey.shape[0]
    means = grey.mean(axis=1)
    for row in range(max(3, height // 100), int(height * STATUS_BAR_SHARE)):
        above = means[:row].mean()
        below = means[row : row + max(3, height // 50)].mean()
        if abs(above - below) > STATUS_BAR_CONTRAST:
            return row
    return 0


def _content_box(grey: np.ndarray) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) inside the rows and columns of nearly one colour around the picture."""
    height, width = grey.shape
    if height < 8 or width < 8:
        return 0, height, 0, width
    rows = _plain(grey)
    columns = _plain(grey.T)
    top = _leading(rows, height // 3)
    bottom = height - _leading(rows[::-1], height // 3)
    left = _leading(columns, width // 3)
    right = width - _leading(columns[::-1], width // 3)
    return top, bottom, left, right


def _plain(lines: np.ndarray) -> np.ndarray:
    """Whether each row is nearly one colour: PLAIN_SHARE of its pixels within BORDER_TOLERANCE of its median."""
    median = np.median(lines, axis=1, keepdims=True)
    near = np.abs(lines - median) <= BORDER_TOLERANCE
    flags: np.ndarray = near.mean(axis=1) >= PLAIN_SHARE
    return flags


def _leading(flags: np.ndarray, limit: int) -> int:
    """How many of the first flags are set, at most ``limit``."""
    unset = np.flatnonzero(~flags[:limit])
    return int(unset[0]) if len(unset) else limit
