"""The operator's command line (infra/cli.py) against the emulator, as `make key` and `make import-claims` run it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.cli import main
from infra.local.resources import Resources
from tests.integration.conftest import Api


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_keys_are_created_listed_and_revoked(aws: Resources, api: Api, capsys: pytest.CaptureFixture[str]) -> None:
    # Given the operator creates a partner key (against "AWS": here the emulator, through the environment)
    code, out, _ = _run(
        capsys, "create-key", "--partner", "kabar-app", "--roles", "partner", "--name", "Kabar", "--aws"
    )
    assert code == 0
    key = out.split("key (shown this once): ")[1].strip()
    key_id = out.split()[1]
    # Then the key works, is listed (never its value), and stops working once revoked
    assert api.as_key(key).http.get("/v1/webhooks").status_code == 200
    code, out, _ = _run(capsys, "list-keys", "--aws")
    assert code == 0 and key_id in out and "kabar-app" in out and "active" in out and key not in out
    code, out, _ = _run(capsys, "revoke-key", key_id, "--aws")
    assert code == 0 and f"revoked {key_id}" in out
    assert _run(capsys, "list-keys", "--aws")[1].count("revoked") == 1


def test_bad_key_requests_are_refused_with_the_reason(aws: Resources, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "create-key", "--partner", "kabar-app", "--roles", "partner", "--aws")[0] == 0
    code, _, err = _run(capsys, "create-key", "--partner", "kabar-app", "--roles", "agency", "--aws")
    assert code == 2 and "partner_id" in err and "partner app's id" in err
    code, _, err = _run(capsys, "create-key", "--partner", "kabar-app", "--roles", "superuser", "--aws")
    assert code == 2 and "roles" in err
    code, _, err = _run(capsys, "revoke-key", "key_" + "a" * 16, "--aws")
    assert code == 1 and "no key" in err


def test_without_a_running_stack_it_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "list-keys", "--data-dir", str(tmp_path))
    assert code == 2 and "no local stack is running" in err


def test_claims_are_imported_and_bad_rows_named(
    aws: Resources, api: Api, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a JSON Lines file with two good claims and one without a label
    rows = [
        {"external_id": "cli-1", "title": "Pemilu diundur ke Juni", "label": "HOAKS"},
        {"external_id": "cli-2", "title": "Tinta pemilu mengandung babi", "label": "HOAKS"},
        {"external_id": "cli-3", "title": "Tanpa label"},
    ]
    path = tmp_path / "claims.jsonl"
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    # When the operator imports it
    code, out, _ = _run(capsys, "import-claims", str(path), "--aws")
    # Then the good rows are claims, and the bad one is named by its line
    assert code == 0
    assert "imported 2 claims" in out and "1 rows refused" in out and "line 3" in out
    assert api.http.get("/v1/claims/" + _claim_id("cli-1")).status_code == 200
    # And a file of an unknown kind is refused before anything is written
    other = tmp_path / "claims.xml"
    other.write_text("<claims/>")
    assert _run(capsys, "import-claims", str(other), "--aws")[0] == 2


def _claim_id(external_id: str) -> str:
    from chalicelib.domain.ids import claim_id_for

    return claim_id_for(external_id)


def test_aws_needs_the_stage_named(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("SARING_STAGE")
    code, _, err = _run(capsys, "list-keys", "--aws")
    assert code == 2 and "SARING_STAGE=dev|prod" in err


def test_a_saved_claims_search_answer_imports_with_the_right_labels(
    aws: Resources, api: Api, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an answer of Google's claims:search saved as JSON (one claim, two reviews, one rating unknown)
    answer = {
        "claims": [
            {
                "text": "Surat suara sudah dicoblos sebelum hari pemungutan",
                "claimReview": [
                    {"url": "https://a.example/1", "title": "Tidak benar", "textualRating": "Salah"},
                    {"url": "https://b.example/1", "title": "Partly", "textualRating": "Sebagian salah"},
                ],
            }
        ],
        "nextPageToken": "x",
    }
    path = tmp_path / "search.json"
    path.write_text(json.dumps(answer), encoding="utf-8")
    # When it is imported
    code, out, _ = _run(capsys, "import-claims", str(path), "--aws")
    # Then each review is a claim with its label, and the unknown rating is counted, not guessed
    assert code == 0 and "(2 new, 0 updated, 0 unchanged)" in out and "1 with a rating" in out
    first = json.loads(api.http.get("/v1/claims/" + _claim_id("https://a.example/1")).body)
    second = json.loads(api.http.get("/v1/claims/" + _claim_id("https://b.example/1")).body)
    assert (first["label"], first["publisher_label"]) == ("HOAKS", "Salah")
    assert (second["label"], second["publisher_label"]) == ("BELUM_TERBUKTI", "Sebagian salah")
