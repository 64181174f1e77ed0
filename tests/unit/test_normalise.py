"""Normalisation and fingerprints: copies that differ only in form are the same content."""

import pytest

from chalicelib.domain.normalise import canonicalise_url, content_fingerprint, normalise_text


def test_text_is_nfkc_casefolded_and_whitespace_collapsed() -> None:
    # Given a shouted copy with full-width letters, tabs and a non-breaking space
    shouted = "  ＫＰＵ\tMENGUNDURKAN\u00a0pemilu\n\nke JUNI  "
    # When it is normalised
    # Then it reads like the plain text
    assert normalise_text(shouted) == "kpu mengundurkan pemilu ke juni"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("HTTP://Example.COM", "http://example.com/"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com/a?utm_source=wa&utm_medium=x&id=7", "https://example.com/a?id=7"),
        ("https://example.com/a?fbclid=abc&gclid=def", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://EXAMPLE.com./Path/Keeps/Case", "https://example.com/Path/Keeps/Case"),
    ],
)
def test_url_is_canonicalised(given: str, expected: str) -> None:
    assert canonicalise_url(given) == expected


def test_same_content_in_another_form_has_the_same_fingerprint() -> None:
    # Given the same text and link, once as forwarded (shouting, tracking) and once plain
    forwarded = content_fingerprint("SURAT SUARA  sudah dicoblos", "https://X.com/p?utm_source=wa")
    plain = content_fingerprint("surat suara sudah dicoblos", "https://x.com/p")
    # Then they are one case, and other content is another
    assert forwarded == plain
    assert content_fingerprint("surat suara sudah dicoblos", None) != plain
    assert content_fingerprint(None, "https://x.com/p") != plain
