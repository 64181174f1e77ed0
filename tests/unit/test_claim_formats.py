"""Claim files as others write them: every good row read, every bad row named by line."""

import json

import pytest

from chalicelib.domain.claim_formats import normalise_label, read_claim_review, read_csv, read_json_lines, reader_for
from chalicelib.domain.models import ClaimInput, Label


def test_publisher_labels_map_to_the_normalised_set() -> None:
    assert normalise_label("[SALAH]") is Label.HOAKS
    assert normalise_label("Misleading") is Label.MENYESATKAN
    assert normalise_label("belum terbukti") is Label.BELUM_TERBUKTI
    assert normalise_label("entah", Label.HOAKS) is Label.HOAKS
    assert normalise_label(None) is None


def test_turnbackhoax_lines_import_as_they_are() -> None:
    # Given the shape of the shared fact-checks (written here, not copied)
    line = {
        "id": "tbh-1",
        "title": "Jembatan runtuh",
        "narrative": "Jembatan X runtuh pagi ini",
        "date": "2024-01-02",
        "url": "https://turnbackhoax.id/2024/01/02/salah-jembatan",
        "label": "SALAH",
        "topic": "others",
        "source": "scrape",
    }
    scam = {**line, "id": "tbh-2", "label": "PENIPUAN", "narrative": None}
    unknown = {**line, "id": "tbh-3", "label": None}
    rows = list(read_json_lines("\n".join(json.dumps(r) for r in (line, scam, unknown))))
    claims = [row for _, row in rows]
    assert all(isinstance(c, ClaimInput) for c in claims)
    first = claims[0]
    assert isinstance(first, ClaimInput)
    assert (first.external_id, first.text, first.label, first.publisher_label) == (
        "tbh-1",
        "Jembatan X runtuh pagi ini",
        Label.HOAKS,
        "SALAH",
    )
    assert first.publisher == "turnbackhoax.id"
    assert [c.label for c in claims if isinstance(c, ClaimInput)] == [Label.HOAKS, Label.PENIPUAN, Label.HOAKS]


def test_bad_lines_are_named_and_good_ones_kept() -> None:
    good = json.dumps({"external_id": "a", "title": "Judul", "label": "HOAKS"})
    rows = list(read_json_lines("\n".join([good, "{nope", "[1]", json.dumps({"external_id": "b", "label": "X"})])))
    assert isinstance(rows[0][1], ClaimInput)
    assert [(line, type(row)) for line, row in rows[1:]] == [(2, str), (3, str), (4, str)]
    assert "title" in str(rows[3][1])


def test_csv_with_a_bad_row() -> None:
    content = (
        "\ufeffexternal_id,title,text,label,date,appearance_urls\n"
        "c-1,Hadiah palsu,Selamat anda menang,PENIPUAN,2024-02-01,https://a.example/x|https://b.example/y\n"
        "c-2,,teks tanpa judul,SALAH,2024-02-02,\n"
    )
    rows = list(read_csv(content))
    first = rows[0][1]
    assert isinstance(first, ClaimInput)
    assert first.appearance_urls == ["https://a.example/x", "https://b.example/y"]
    assert first.label is Label.PENIPUAN
    assert rows[1][0] == 3 and "title" in str(rows[1][1])


def test_csv_with_unknown_columns_is_refused_whole() -> None:
    assert list(read_csv("id,judul\n1,x\n")) == [(1, "unknown columns: id, judul")]


def test_claim_review_json() -> None:
    review = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": "https://cek.example/2024/surat-suara",
        "claimReviewed": "Surat suara sudah dicoblos",
        "datePublished": "2024-02-10T08:00:00+07:00",
        "author": {"@type": "Organization", "name": "Cek Fakta Contoh"},
        "reviewRating": {"@type": "Rating", "ratingValue": 1, "alternateName": "Salah"},
        "itemReviewed": {"@type": "Claim", "appearance": [{"@type": "CreativeWork", "url": "https://x.example/p"}]},
    }
    rows = list(read_claim_review(json.dumps({"@graph": [review, {"@type": "Thing"}]})))
    claim = rows[0][1]
    assert isinstance(claim, ClaimInput)
    assert (claim.external_id, claim.title, claim.label, claim.date, claim.publisher) == (
        "https://cek.example/2024/surat-suara",
        "Surat suara sudah dicoblos",
        Label.HOAKS,
        "2024-02-10",
        "Cek Fakta Contoh",
    )
    assert claim.appearance_urls == ["https://x.example/p"]
    assert rows[1] == (2, "not a ClaimReview")


def test_the_reader_follows_the_file_ending() -> None:
    assert reader_for("a.JSONL") is read_json_lines
    assert reader_for("a.csv") is read_csv
    assert reader_for("a.json") is read_claim_review
    with pytest.raises(ValueError, match="xlsx"):
        reader_for("a.xlsx")
