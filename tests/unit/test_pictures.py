"""Pictures without AWS: cleaning, hashing, distances, the text matched, the image index."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from PIL import Image

from bench.picture_set import chat_bubble, encoded, meme, news_screenshot, transformed
from chalicelib.domain.checking import merged
from chalicelib.domain.ids import is_upload_id, new_upload_id, upload_issued_at
from chalicelib.domain.matching.documents import ClaimDoc, Match
from chalicelib.domain.matching.index import ClaimIndex
from chalicelib.domain.normalise import content_fingerprint
from chalicelib.domain.pictures import (
    MATCH_DISTANCE,
    bands,
    distance,
    group_entries,
    matchable_text,
    nearest_group,
    picture_distance,
    similarity,
    text_excerpt,
    text_signature,
)
from chalicelib.events.pictures import uploaded_keys
from chalicelib.pictures.processing import PictureRefused, canonical_form, clean, picture_hashes

TEXT = "Beredar kabar KPU menunda pemungutan suara karena surat suara rusak di gudang logistik Jawa Tengah"


def hashes_of(image: Image.Image) -> tuple[str, ...]:
    return picture_hashes(clean(encoded(image)).image).hashes


# -- cleaning ----------------------------------------------------------------------------------


def test_cleaning_drops_every_piece_of_metadata_and_keeps_the_orientation() -> None:
    image = Image.new("RGB", (300, 100), "white")
    image.paste(Image.new("RGB", (100, 100), "red"), (0, 0))  # red on the left
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    exif[0x010F] = "KameraPelapor"
    exif[0x8825] = {1: "S", 2: (6.0, 12.0, 30.0), 3: "E", 4: (106.0, 49.0, 12.0)}
    data = encoded(image, "JPEG", exif=exif, quality=95, icc_profile=b"\0" * 128)
    picture = clean(data)
    again = Image.open(io.BytesIO(picture.data))
    assert not again.getexif() and "icc_profile" not in again.info and b"KameraPelapor" not in picture.data
    assert again.size == (100, 300)  # upright, as the phone showed it
    top, bottom = cast(tuple[int, ...], again.getpixel((50, 20))), cast(tuple[int, ...], again.getpixel((50, 280)))
    assert top[1] < 60 and bottom[1] > 200  # red (no green) now on top, white below
    assert picture.content_type == "image/jpeg" and len(picture.sha256) == 64


def test_transparency_is_laid_on_white_and_lossless_stays_lossless() -> None:
    image = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    picture = clean(encoded(image))
    assert picture.content_type == "image/png"
    assert picture.image.getpixel((5, 5)) == (255, 255, 255)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.7\n" * 50, "Bukan gambar"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9"/></svg>', "Bukan gambar"),
        (encoded(Image.new("RGB", (800, 600), "blue"), "JPEG")[:700], "rusak"),
        (encoded(Image.new("1", (10_000, 10_000))), "terlalu besar"),  # 100 Mpx in a few kB
        (encoded(Image.new("RGB", (64, 64)), "TIFF"), "Bukan gambar"),
        (b"\0" * (10 * 1024 * 1024 + 1), "10 MB"),
    ],
    ids=["document", "svg", "truncated jpeg", "decompression bomb", "tiff", "over 10 MB"],
)
def test_what_is_not_a_safe_picture_is_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(PictureRefused) as refused:
        clean(data)
    assert reason in refused.value.reason


def test_an_animated_gif_gives_its_first_frame() -> None:
    first, second = Image.new("P", (50, 50), 1), Image.new("P", (50, 50), 2)
    first.putpalette([0, 0, 0, 255, 0, 0, 0, 0, 255] + [0] * 759)
    out = io.BytesIO()
    first.save(out, "GIF", save_all=True, append_images=[second], duration=100)
    assert clean(out.getvalue()).image.getpixel((10, 10)) == (255, 0, 0)


# -- hashing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("transform", "within"),
    [
        ("scale 50%", MATCH_DISTANCE),
        ("JPEG quality 30–40", MATCH_DISTANCE),
        ("border", MATCH_DISTANCE),
        ("status bar", MATCH_DISTANCE),
        ("brightness", MATCH_DISTANCE),
        ("watermark", 60),  # new content on the picture: near, not always the same picture
    ],
)
def test_copies_hash_close_to_their_original_and_far_from_other_pictures(transform: str, within: int) -> None:
    originals = [news_screenshot("Judul berita palsu", TEXT, 1), chat_bubble(TEXT, 2), meme("KPU tunda pemilu", 3)]
    hashed = [hashes_of(original) for original in originals]
    for n, original in enumerate(originals):
        copy = hashes_of(transformed(original, transform, n))
        assert picture_distance(copy, hashed[n]) <= within
        assert all(picture_distance(copy, other) > 70 for m, other in enumerate(hashed) if m != n)


def test_the_canonical_form_trims_borders_and_a_status_bar() -> None:
    original = news_screenshot("Judul berita palsu", TEXT, 4)
    framed = transformed(transformed(original, "status bar", 1), "border", 2)
    assert canonical_form(framed).size == canonical_form(original).size
    assert picture_distance(hashes_of(framed), hashes_of(original)) <= 8


def test_hashes_are_pdq_hex_and_distances_count_bits() -> None:
    hashes = hashes_of(chat_bubble(TEXT, 5))
    assert len(hashes) == 3 and all(len(h) == 64 and int(h, 16) >= 0 for h in hashes)
    assert distance("0" * 64, "f" + "0" * 63) == 4
    assert similarity(0) == 1.0 and similarity(128) == 0.0 and similarity(200) == 0.0


# -- the text of a picture ---------------------------------------------------------------------


def test_the_chrome_of_a_screenshot_is_left_out_of_matching() -> None:
    read = "\n".join(
        [
            "04.15 4G 87%",
            "INFO NUSANTARA",
            "Beredar kabar KPU menunda pemungutan suara",
            "karena surat suara rusak di gudang",
        ]
    )
    read += "\n@grupwarga"
    assert matchable_text(read) == "Beredar kabar KPU menunda pemungutan suara\nkarena surat suara rusak di gudang"
    assert matchable_text("HOAKS!\nAwas") == "HOAKS!\nAwas"  # nothing long: everything is kept
    assert matchable_text("Diteruskan\nBansos cair pukul 14.05 hari ini\n14.05") == "Bansos cair pukul hari ini"
    assert matchable_text("VIDEO LAUTAN MANUSIA DI\nMADRID, SPANYOL UNTUK\nPALESTINA") == (
        "VIDEO LAUTAN MANUSIA DI\nMADRID, SPANYOL UNTUK"  # a meme's short lines are its message
    )
    assert matchable_text("@ . @ & » 2\nSURAT SUARA DICOBLOS DULUAN") == "SURAT SUARA DICOBLOS DULUAN"
    assert (text_excerpt("a\n\n b " * 200) or "").startswith("a b a b") and len(text_excerpt("a " * 400) or "") == 280


def test_a_report_without_pictures_keeps_its_case_fingerprint() -> None:
    assert content_fingerprint("teks", None) == content_fingerprint("teks", None, ())
    assert content_fingerprint("teks", None, ("a", "b")) == content_fingerprint("teks", None, ("b", "a"))
    assert content_fingerprint("teks", None, ("a",)) != content_fingerprint("teks", None)


# -- upload ids and events ---------------------------------------------------------------------


def test_an_upload_id_says_when_it_was_issued() -> None:
    issued = datetime(2026, 11, 30, 8, 0, 1, tzinfo=UTC)
    upload_id = new_upload_id(issued)
    assert is_upload_id(upload_id) and upload_issued_at(upload_id) == issued
    assert new_upload_id(issued) != upload_id
    assert not is_upload_id("upl_" + "A" * 26) and not is_upload_id("rpt_" + "a" * 26)
    assert upload_issued_at(new_upload_id(issued + timedelta(days=400))) == issued + timedelta(days=400)
    assert upload_issued_at("upl_zwfcjlg45cgxbr2bcicop2iddc") is None  # a crafted id far beyond year 9999


def test_the_worker_reads_keys_from_s3_events_and_ignores_the_rest() -> None:
    event = '{"Records": [{"eventName": "ObjectCreated:Post", "s3": {"object": {"key": "incoming/p/upl%3Dx+y"}}}]}'
    assert uploaded_keys(event) == ["incoming/p/upl=x y"]
    assert uploaded_keys('{"Service": "Amazon S3", "Event": "s3:TestEvent"}') == []
    assert uploaded_keys("not json") == []
    removed = '{"Records": [{"eventName": "ObjectRemoved:Delete", "s3": {"object": {"key": "incoming/p/u"}}}]}'
    assert uploaded_keys(removed) == []


# -- the image index ---------------------------------------------------------------------------


def _claim(claim_id: str, title: str, hashes: tuple[str, ...], date: str = "2024-02-01") -> ClaimDoc:
    return ClaimDoc(claim_id, claim_id, title, "HOAKS", date=date, texts=(title,), pictures=(hashes,))


def test_a_claims_picture_is_found_closest_first_and_confirmed_only_when_unambiguous() -> None:
    kpu, river = hashes_of(news_screenshot("KPU tunda pemilu", TEXT, 6)), hashes_of(meme("kotak suara di sungai", 7))
    index = ClaimIndex.build(
        [_claim("clm_a", "KPU tunda pemilu", kpu), _claim("clm_b", "Kotak suara di sungai", river)]
    )
    copy = hashes_of(transformed(news_screenshot("KPU tunda pemilu", TEXT, 6), "JPEG quality 30–40", 1))
    (found,) = index.search_pictures([copy])
    assert found.claim.id == "clm_a" and found.level == "match" and found.score > 0.9
    assert index.search_pictures([copy], since="2025-01-01")[0].level == "suggest"  # older than the window
    # A second claim with the same picture: the picture cannot tell which, so both are suggestions
    both = ClaimIndex.build([_claim("clm_a", "KPU", kpu), _claim("clm_c", "Versi lain", kpu)])
    assert [match.level for match in both.search_pictures([copy])] == ["suggest", "suggest"]
    # Withdrawn: gone; after a snapshot round trip: the same answers
    assert index.with_changes({"clm_a": None}).search_pictures([copy]) == []
    assert ClaimIndex.from_bytes(index.to_bytes()).search_pictures([copy]) == index.search_pictures([copy])
    assert index.search_pictures([hashes_of(chat_bubble("Harga cabai naik lagi di pasar", 9))]) == []


def test_text_and_picture_matches_merge_by_claim_at_their_strongest() -> None:
    def match(claim_id: str, score: float, level: str) -> Match:
        return Match(ClaimDoc(claim_id, claim_id, claim_id, "HOAKS"), score, level)

    text = [match("a", 0.7, "suggest"), match("b", 0.5, "suggest")]
    pictures = [match("b", 0.95, "match")]
    assert [(m.claim.id, m.level) for m in merged(text, pictures)] == [("b", "match"), ("a", "suggest")]
    assert merged(text, []) is text  # one search alone keeps its order
    assert merged([], []) == []


def test_the_local_emulator_finds_the_key_of_a_form_upload() -> None:
    import requests

    from infra.local.emulator import _form_key

    # A picture whose bytes hold blank lines and even the words name="key" must not be taken for the field
    picture = b'\x89PNG\r\n\r\nname="key"\r\n\r\nnot-this\r\n'
    fields = {"key": "incoming/kabar-app/upl_x", "Content-Type": "image/png"}
    form = requests.Request("POST", "http://127.0.0.1:1/b", data=fields, files={"file": ("p", picture)}).prepare()
    body = form.body if isinstance(form.body, bytes) else b""
    environ: dict[str, Any] = {"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
    assert _form_key(environ) == "incoming/kabar-app/upl_x"
    assert environ["wsgi.input"].read() == body  # put back for the emulator


def test_near_copies_share_a_band_and_find_their_group() -> None:
    original = "0123456789abcdef" * 4
    flipped = list(original)
    for at in range(22):  # 22 hex digits changed by one bit each: 22 bits apart, bands 6 to 15 untouched
        flipped[at] = format(int(flipped[at], 16) ^ 1, "x")
    copy = "".join(flipped)
    assert distance(original, copy) == 22
    assert len(bands(original)) == 16 and bands(original)[1] == "1:4567"
    assert len(set(bands(original)) & set(bands(copy))) == 10
    far = "f" * 64
    assert nearest_group(copy, None, [("g1", original), ("g2", far)]) == "g1"
    assert nearest_group(far[:-1] + "0", None, [("g1", original)]) is None


def test_copies_whose_hash_differs_meet_by_the_text_read_in_them() -> None:
    read = "Beredar pesan KPU menunda pemungutan suara karena surat suara rusak di gudang logistik Jawa Tengah"
    cropped = "pesan KPU menunda pemungutan suara karena surat suara rusak di gudang logistik Jawa"  # edges cut
    other = "Harga beras di pasar induk naik dua ribu rupiah sepekan terakhir menurut para pedagang setempat"
    signature, copy, unrelated = text_signature(read), text_signature(cropped), text_signature(other)
    assert signature and copy and unrelated and len(signature) == 32
    assert text_signature("Pesan pendek saja") is None  # too few words to tell a copy by
    filed = group_entries(None, signature)
    assert len(filed) == 16 and all(band.startswith("t") for band, _ in filed)
    assert {band for band, _ in filed} & {band for band, _ in group_entries(None, copy)}  # they meet in a band
    stored = [("g1", filed[0][1])]
    assert nearest_group(None, copy, stored) == "g1"
    assert nearest_group(None, unrelated, stored) is None
    # A hash within reach wins over a text
    assert nearest_group("0" * 64, copy, [("g2", "0" * 64), *stored]) == "g2"
