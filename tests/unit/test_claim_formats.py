"""Claim files as others write them: every good row read, every bad row named by line."""

import json
from typing import Any

import pytest

from chalicelib.domain.claim_formats import (
    has_unknown_rating,
    normalise_label,
    read_claim_review,
    read_csv,
    read_json_lines,
    reader_for,
)
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


def test_a_claim_reviews_appearance_images_are_kept_as_links_only(mocker: Any) -> None:
    # A picture of the hoax as it appeared: its link is metadata; nothing is fetched
    opened = mocker.patch("urllib.request.urlopen", side_effect=AssertionError("fetched"))
    appearance = [
        {"@type": "CreativeWork", "url": "https://x.example/p", "image": "https://img.example/a.jpg"},
        {"@type": "ImageObject", "image": [{"@type": "ImageObject", "contentUrl": "https://img.example/b.png"}]},
    ]
    review = {
        "@type": "ClaimReview",
        "url": "https://cek.example/2024/gambar",
        "claimReviewed": "Foto kotak suara dibuang ke sungai",
        "reviewRating": {"@type": "Rating", "alternateName": "Salah"},
        "itemReviewed": {"@type": "Claim", "appearance": appearance},
    }
    [(_, claim)] = list(read_claim_review(json.dumps(review)))
    assert isinstance(claim, ClaimInput)
    assert claim.appearance_image_urls == ["https://img.example/a.jpg", "https://img.example/b.png"]
    assert claim.appearance_urls == ["https://x.example/p"]  # an image link is never a place the text appeared
    opened.assert_not_called()


def test_the_reader_follows_the_file_ending() -> None:
    assert reader_for("a.JSONL") is read_json_lines
    assert reader_for("a.csv") is read_csv
    assert reader_for("a.json") is read_claim_review
    with pytest.raises(ValueError, match="xlsx"):
        reader_for("a.xlsx")


# A saved answer of Google's Fact Check Tools claims:search, written for these tests.
POSTPONED = "KPU mengundurkan pemungutan suara ke bulan Juni karena logistik belum siap"
SEARCH_ANSWER: dict[str, Any] = {
    "claims": [
        {
            "text": POSTPONED,
            "claimant": "Pesan berantai WhatsApp",
            "claimDate": "2024-02-01T00:00:00Z",
            "claimReview": [
                {
                    "publisher": {"name": "Cek Fakta Contoh", "site": "cekfakta.example"},
                    "url": "https://cekfakta.example/2024/02/pemilu-diundur",
                    "title": "[HOAKS] Pemungutan suara diundur ke Juni",
                    "reviewDate": "2024-02-03T08:00:00Z",
                    "textualRating": "Salah",
                    "languageCode": "id",
                },
                {
                    "publisher": {"site": "factcheck.example"},
                    "url": "https://factcheck.example/election-postponed",
                    "textualRating": "Mostly False",
                    "languageCode": "en-US",
                },
            ],
        },
        {
            "text": "Tinta pemilu mengandung lemak babi",
            "claimReview": [
                {
                    "publisher": {"name": "Periksa", "site": "periksa.example"},
                    "url": "https://periksa.example/tinta",
                    "title": "Tinta pemilu halal",
                    "textualRating": "Keliru",
                    "languageCode": "id",
                },
                {"publisher": {"name": "Tanpa Tautan"}, "textualRating": "Salah"},
            ],
        },
        {"text": "Klaim tanpa tinjauan"},
    ],
    "nextPageToken": "CAo",
}


def test_a_claims_search_answer_becomes_a_claim_per_review() -> None:
    rows = list(read_claim_review(json.dumps(SEARCH_ANSWER)))
    claims = [row for _, row in rows if isinstance(row, ClaimInput)]
    problems = [(line, row) for line, row in rows if isinstance(row, str)]

    # Each review with a URL is a claim keyed by that URL, carrying its claim's text
    assert [c.external_id for c in claims] == [
        "https://cekfakta.example/2024/02/pemilu-diundur",
        "https://factcheck.example/election-postponed",
        "https://periksa.example/tinta",
    ]
    first, second, third = claims
    assert (first.label, first.publisher_label, first.publisher) == (Label.HOAKS, "Salah", "Cek Fakta Contoh")
    assert (
        first.title == "[HOAKS] Pemungutan suara diundur ke Juni" and first.text == SEARCH_ANSWER["claims"][0]["text"]
    )
    assert (first.date, first.url, first.language) == ("2024-02-03", first.external_id, "id")
    # A rating the table does not know is kept, labelled BELUM_TERBUKTI, and counted — never guessed
    assert (second.label, second.publisher_label, second.language) == (Label.BELUM_TERBUKTI, "Mostly False", "en")
    assert second.title == second.text  # no review title: the claim's text stands in
    assert (second.date, second.publisher) == ("2024-02-01", "factcheck.example")
    assert [has_unknown_rating(c) for c in claims] == [False, True, False]
    assert third.label is Label.HOAKS
    # A review without a URL, and a claim without reviews, are named
    assert problems == [(2, "a claim review without url"), (3, "a claim without claimReview")]


def test_json_lines_of_claims_search_answers_are_read_too() -> None:
    page_two = {"claims": [{"text": "Teks", "claimReview": [{"url": "https://c.example/2", "textualRating": "Benar"}]}]}
    content = json.dumps(SEARCH_ANSWER) + "\n" + json.dumps(page_two) + "\n"
    claims = [row for _, row in read_json_lines(content) if isinstance(row, ClaimInput)]
    assert len(claims) == 4 and claims[-1].label is Label.BENAR
