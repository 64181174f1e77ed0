"""The public's door, pure: challenges, proof of work, tracking codes, addresses; the page's files and lists."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from chalicelib.domain.public import (
    address_key,
    leading_zero_bits,
    new_challenge,
    normal_tracking_code,
    read_challenge,
    report_id_of_tracking_code,
    solve,
    solves,
    tracking_code,
)
from infra.web import PUBLIC_PAGE, choices, content_security_policy, page_file

SECRET = b"rahasia-uji"
NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


def test_a_challenge_reads_back_only_with_its_secret_and_unaltered() -> None:
    challenge = new_challenge(SECRET, 12, NOW)
    issued = read_challenge(SECRET, challenge)
    assert issued is not None and issued.issued_at == NOW and issued.difficulty == 12
    assert read_challenge(b"other", challenge) is None
    harder = challenge.replace(".12.", ".2.", 1)  # asking less work than was issued
    assert read_challenge(SECRET, harder) is None
    assert read_challenge(SECRET, "9999999999.40.aaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaa") is None
    assert read_challenge(SECRET, "") is None and read_challenge(SECRET, "x" * 100) is None


def test_proof_of_work_counts_leading_zero_bits_of_sha256() -> None:
    assert leading_zero_bits(bytes([0, 0, 0x10])) == 19
    assert leading_zero_bits(bytes([0x80])) == 0 and leading_zero_bits(bytes(4)) == 32
    challenge = new_challenge(SECRET, 10, NOW)
    nonce = solve(challenge, 10)
    assert solves(challenge, nonce, 10)
    assert leading_zero_bits(hashlib.sha256((challenge + nonce).encode()).digest()) >= 10
    assert not all(solves(challenge, str(n), 10) for n in range(50))


def test_the_same_complaint_has_the_same_code_and_people_type_it_any_way() -> None:
    code = tracking_code(SECRET, "addr_x", "2026-11-30", "fp")
    assert code == tracking_code(SECRET, "addr_x", "2026-11-30", "fp")
    assert code != tracking_code(SECRET, "addr_y", "2026-11-30", "fp")
    assert code != tracking_code(SECRET, "addr_x", "2026-12-01", "fp")
    assert len(code) == 23 and code.startswith("SRG-")
    assert normal_tracking_code(code.lower().replace("-", " ")) == code
    assert normal_tracking_code("SRG-1111-1111-1111-1111") is None  # 0, 1, 8, 9 are not base32
    assert normal_tracking_code("rpt_abc") is None
    assert report_id_of_tracking_code(code).startswith("rpt_")


def test_an_address_is_counted_under_a_keyed_hash() -> None:
    key = address_key(SECRET, "203.0.113.9")
    assert key.startswith("addr_") and "203" not in key
    assert key == address_key(SECRET, " 203.0.113.9 ") and key != address_key(b"x", "203.0.113.9")


def test_the_page_serves_its_own_files_only() -> None:
    assert page_file("/") == PUBLIC_PAGE / "index.html"
    assert page_file("/app.js?v=1") == PUBLIC_PAGE / "app.js"
    for outside in ("/../app.py", "/%2e%2e/app.py", "/../../etc/passwd", "/nothing.html", "/.."):
        assert page_file(outside) is None, outside


def test_the_pages_lists_are_the_apis_and_current() -> None:
    # python -m infra.web writes it; the form offers exactly what the API takes
    assert json.loads((PUBLIC_PAGE / "choices.json").read_text()) == json.loads(json.dumps(choices()))


def test_the_content_security_policy_allows_nothing_inline_and_nothing_from_elsewhere() -> None:
    policy = content_security_policy("https://uploads.example")
    assert "default-src 'none'" in policy and "script-src 'self';" in policy + ";"
    assert "unsafe" not in policy and "connect-src 'self' https://uploads.example" in policy
    page = (PUBLIC_PAGE / "index.html").read_text()
    assert "<script>" not in page and " style=" not in page and "onclick" not in page
