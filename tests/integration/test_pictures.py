"""Pictures end to end in-process: presigned upload, the picture worker, reports, lookups and claims with pictures."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from moto.core.models import botocore_stubber
from PIL import Image

from bench.picture_set import chat_bubble, encoded, news_screenshot, transformed
from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from chalicelib.domain.audit import CLI
from chalicelib.domain.ids import new_upload_id
from chalicelib.domain.models import ClaimInput, Label
from chalicelib.services.claims import create_claim
from infra.local.runner import EventSourceRunner
from tests.integration.conftest import Api, body_of, make_key, upload

TITLE = "Surat suara sudah tercoblos untuk satu paslon di gudang KPU"
HOAX = (
    "Beredar video surat suara pilpres sudah dicoblos untuk paslon nomor urut 2 di gudang logistik KPU "
    "Jakarta Utara. Sebarkan sebelum dihapus!"
)
OTHER = "Harga beras di pasar induk naik dua ribu rupiah sepekan terakhir menurut para pedagang setempat."


@pytest.fixture
def everything(runner: EventSourceRunner, pictures: EventSourceRunner) -> Iterator[Any]:
    def drain() -> None:
        pictures.drain()
        runner.drain()
        pictures.drain()
        runner.drain()

    yield drain


def _claim() -> str:
    return create_claim(ClaimInput(external_id="pictures-1", title=TITLE, text=HOAX, label=Label.HOAKS), CLI).id


def _report(api: Api, images: list[str], **extra: Any) -> Any:
    body = {"images": images, "platform": "whatsapp", "province": "31", **extra}
    return api.post_report(body)


def test_an_upload_ticket_is_a_presigned_post_bound_to_the_partner(partner: Api) -> None:
    answer = partner.http.post(
        "/v1/uploads",
        headers={"Content-Type": "application/json"},
        body=json.dumps({"content_type": "image/jpeg", "size": 2048}),
    )
    ticket = body_of(answer, 201)
    assert ticket["upload_id"].startswith("upl_")
    assert ticket["fields"]["key"] == f"incoming/kabar-app/{ticket['upload_id']}"
    assert ticket["fields"]["Content-Type"] == "image/jpeg"
    policy = json.loads(__import__("base64").b64decode(ticket["fields"]["policy"]))
    assert ["content-length-range", 1, 2048] in policy["conditions"]
    expires = datetime.fromisoformat(ticket["expires_at"])
    assert timedelta(minutes=14) < expires - datetime.now(UTC) <= timedelta(minutes=15)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content_type": "image/svg+xml", "size": 10}, "content_type"),
        ({"content_type": "image/gif", "size": 10}, "content_type"),
        ({"content_type": "image/png", "size": 50 * 1024 * 1024}, "size"),
        ({"content_type": "image/png", "size": 0}, "size"),
    ],
)
def test_an_upload_of_another_type_or_size_is_refused(partner: Api, body: dict[str, Any], field: str) -> None:
    answer = partner.http.post("/v1/uploads", headers={"Content-Type": "application/json"}, body=json.dumps(body))
    problem = body_of(answer, 422)
    assert field in {error["field"] for error in problem["errors"]}


def test_a_screenshot_of_a_debunked_hoax_is_matched_through_its_text(partner: Api, everything: Any) -> None:
    # Given a debunked claim (text only), and a partner's screenshot of the hoax, as a JPEG
    claim_id = _claim()
    everything()
    picture = encoded(news_screenshot(TITLE, HOAX, seed=1).convert("RGB"), "JPEG", quality=85)
    upload_id = upload(partner, picture, "image/jpeg")
    # When the partner reports the picture alone
    answer = _report(partner, [upload_id])
    assert answer.status_code == 202, answer.body
    report_id = json.loads(answer.body)["id"]
    everything()
    # Then the text read in it matched the claim, and the report shows what was read
    report = partner.report(report_id)
    assert report["status"] == "matched", report
    assert report["verdict"]["claim"]["id"] == claim_id
    (shown,) = report["images"]
    assert shown["status"] == "processed" and shown["upload_id"] == upload_id
    assert "gudang" in shown["text_excerpt"].lower()
    assert len(shown["phash"]) == 64 and len(shown["sha256"]) == 64
    assert shown["link"] is None  # a partner gets no link; fact-checkers do


def test_a_claims_picture_matches_reports_of_its_copies(api: Api, partner: Api, checker: Api, everything: Any) -> None:
    # Given a claim whose picture (a chat bubble, no words in common with the claim's text) a checker added
    claim_id = _claim()
    words = "Pesan berantai soal pembagian sembako gratis oleh tim sukses di kelurahan menjelang hari pencoblosan"
    original = chat_bubble(words, seed=3)
    checker_upload = upload(checker, encoded(original))
    everything()
    answer = checker.http.post(
        f"/v1/claims/{claim_id}/images",
        headers={"Content-Type": "application/json"},
        body=json.dumps({"upload_id": checker_upload}),
    )
    claim = body_of(answer, 201)
    assert [picture["sha256"] for picture in claim["images"]] != []
    everything()  # the claims stream brings the picture to the index
    # When a partner reports a re-compressed copy of it in a frame
    copy = transformed(transformed(original, "border", 5), "JPEG quality 30–40", 6)
    report_id = json.loads(_report(partner, [upload(partner, encoded(copy, "JPEG", quality=80), "image/jpeg")]).body)[
        "id"
    ]
    everything()
    # Then the report is matched to the claim, by its picture
    report = partner.report(report_id)
    assert report["status"] == "matched", (report["suggestions"], report["images"])
    assert report["verdict"]["claim"]["id"] == claim_id
    # And a lookup with another copy says so too
    lookup_id = upload(partner, encoded(transformed(original, "scale 50%", 7)))
    everything()
    found = body_of(
        partner.http.post(
            "/v1/lookup", headers={"Content-Type": "application/json"}, body=json.dumps({"images": [lookup_id]})
        )
    )
    assert found["matches"][0]["claim"]["id"] == claim_id
    assert found["matches"][0]["level"] == "match" and found["verdict_hint"] == "HOAKS"
    # And a fact-checker reading the report gets a short-lived link to the clean picture
    shown = checker.report(report_id)["images"][0]
    assert (shown["link"] and "Signature" in shown["link"]) or "X-Amz-Signature" in shown["link"]


def test_reports_of_the_same_picture_join_one_case_copies_too(partner: Api, everything: Any) -> None:
    # Given a picture nobody debunked, reported once
    original = news_screenshot("Harga beras naik lagi", OTHER, seed=11)
    first = json.loads(_report(partner, [upload(partner, encoded(original))]).body)["id"]
    everything()
    # When the same file, and copies of it (re-compressed in a frame, with a status bar, cropped, a
    # screenshot of a screenshot) are reported
    copies = [
        encoded(original),
        encoded(transformed(transformed(original, "border", 1), "JPEG quality 30–40", 2), "JPEG"),
        encoded(transformed(original, "status bar", 3)),
        encoded(transformed(original, "crop 10%", 4)),
        encoded(transformed(original, "screenshot of a screenshot", 5)),
    ]
    others = [json.loads(_report(partner, [upload(partner, copy)]).body)["id"] for copy in copies]
    unrelated = json.loads(_report(partner, [upload(partner, encoded(chat_bubble(HOAX, seed=12)))]).body)["id"]
    everything()
    # Then they are all one case, seen six times; another picture is a case of its own
    cases = {partner.report(report_id)["case_id"] for report_id in [first, *others]}
    assert len(cases) == 1 and partner.report(first)["seen_count"] == 6
    assert partner.report(unrelated)["case_id"] not in cases


def test_metadata_never_outlives_the_upload(partner: Api, everything: Any) -> None:
    # Given a photo carrying EXIF with GPS coordinates and a camera
    image = news_screenshot(TITLE, OTHER, seed=2).convert("RGB")
    exif = Image.Exif()
    exif[0x010F] = "KameraPelapor"  # Make
    exif[0x8825] = {1: "S", 2: (6.0, 12.0, 30.0), 3: "E", 4: (106.0, 49.0, 12.0)}  # GPS: a home in Jakarta
    data = encoded(image, "JPEG", quality=90, exif=exif)
    assert b"KameraPelapor" in data
    upload_id = upload(partner, data, "image/jpeg")
    everything()
    # Then the upload as sent is gone, and the clean copy kept has no metadata at all
    s3 = client("s3")
    bucket = get_settings().uploads_bucket_name
    keys = [entry["Key"] for entry in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert keys == [f"pictures/{upload_id}.jpg"]
    kept = s3.get_object(Bucket=bucket, Key=keys[0])["Body"].read()
    assert b"KameraPelapor" not in kept and b"Exif" not in kept
    assert not Image.open(io.BytesIO(kept)).getexif()


BAD_UPLOADS = {
    "not a picture": (b"%PDF-1.7 this is a document, not a picture" * 10, "Bukan gambar"),
    "a truncated JPEG": (encoded(news_screenshot(TITLE, HOAX, 4).convert("RGB"), "JPEG")[:5000], "rusak"),
    "an SVG": (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>', "Bukan gambar"),
    "a decompression bomb": (encoded(Image.new("1", (20_000, 20_000))), "terlalu besar"),
}


@pytest.mark.parametrize("name", list(BAD_UPLOADS))
def test_a_bad_upload_ends_with_a_reason_on_the_report(partner: Api, everything: Any, name: str) -> None:
    data, reason = BAD_UPLOADS[name]
    report_id = json.loads(_report(partner, [upload(partner, data)], text=OTHER).body)["id"]
    everything()
    report = partner.report(report_id)
    (shown,) = report["images"]
    assert shown["status"] == "refused" and reason in shown["reason"], shown
    assert report["status"] == "needs_review"  # checked on its text; nothing stuck


def test_an_animated_gif_is_read_by_its_first_frame(partner: Api, everything: Any) -> None:
    frames = [news_screenshot(TITLE, HOAX, 5).convert("P"), Image.new("P", (720, 500))]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=500)
    upload_id = upload(partner, out.getvalue())
    everything()
    report_id = json.loads(_report(partner, [upload_id]).body)["id"]
    everything()
    (shown,) = partner.report(report_id)["images"]
    assert shown["status"] == "processed" and "gudang" in shown["text_excerpt"].lower()


def test_an_oversized_upload_is_refused_when_named(partner: Api) -> None:
    # The emulator, unlike S3, does not enforce the size the upload policy allows: the API checks again.
    upload_id = new_upload_id(datetime.now(UTC))
    client("s3").put_object(
        Bucket=get_settings().uploads_bucket_name,
        Key=f"incoming/kabar-app/{upload_id}",
        Body=b"\0" * (11 * 1024 * 1024),
    )
    problem = body_of(_report(partner, [upload_id]), 422)
    assert problem["errors"][0]["field"] == "images.0" and "10 MB" in problem["errors"][0]["message"]


def test_upload_ids_never_uploaded_foreign_or_expired_are_422s_naming_the_field(
    partner: Api, api: Api, everything: Any
) -> None:
    never = new_upload_id(datetime.now(UTC))
    foreign = upload(api.as_key(make_key("partner", partner_id="other-app")), encoded(chat_bubble(OTHER, 1)))
    expired = new_upload_id(datetime.now(UTC) - timedelta(hours=25))
    crafted = "upl_zwfcjlg45cgxbr2bcicop2iddc"  # its "time" is beyond year 9999 (a fuzzer's; was a 500)
    future = new_upload_id(datetime.now(UTC) + timedelta(days=1))
    everything()
    for position, upload_id in enumerate([never, foreign, expired, crafted, future]):
        images = [upload_id] if position == 0 else [upload(partner, encoded(chat_bubble(OTHER, 2))), upload_id]
        problem = body_of(_report(partner, images), 422)
        assert problem["errors"][0]["field"] == f"images.{len(images) - 1}", problem
    malformed = body_of(_report(partner, ["upl_nope"]), 422)
    assert malformed["errors"][0]["field"].startswith("images")
    too_many = body_of(_report(partner, [new_upload_id(datetime.now(UTC)) for _ in range(5)]), 422)
    assert too_many["errors"][0]["field"] == "images"


def test_the_daily_export_shows_a_pictures_hash_and_text_never_its_bytes(
    partner: Api, api: Api, everything: Any
) -> None:
    import csv
    import gzip

    from chalicelib.domain.access import WIB
    from chalicelib.services.exports import build_daily_export

    image = news_screenshot(TITLE, HOAX, seed=8).convert("RGB")
    exif = Image.Exif()
    exif[0x010F] = "KameraPelapor"
    report_id = json.loads(_report(partner, [upload(partner, encoded(image, "JPEG", exif=exif))], text=OTHER).body)[
        "id"
    ]
    everything()
    picture = partner.report(report_id)["images"][0]
    day = datetime.now(UTC).astimezone(WIB).date()
    build_daily_export(day)
    s3 = client("s3")
    bucket = get_settings().bucket_name
    files = {entry["Key"].rsplit("/", 1)[-1]: entry["Key"] for entry in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    rows = list(
        csv.DictReader(
            io.StringIO(s3.get_object(Bucket=bucket, Key=files["reports.csv"])["Body"].read().decode("utf-8-sig"))
        )
    )
    (row,) = [r for r in rows if r["id"] == report_id]
    assert row["content_type"] == "text+image"
    assert row["image_sha256"] == picture["sha256"] and row["image_phash"] == picture["phash"]
    assert "gudang" in row["image_text_excerpt"].lower()
    raw = gzip.decompress(s3.get_object(Bucket=bucket, Key=files["reports.jsonl.gz"])["Body"].read())
    assert b"KameraPelapor" not in raw and picture["sha256"].encode() in raw


def test_a_case_shows_its_pictures_and_fact_checkers_a_link_to_each(
    partner: Api, checker: Api, api: Api, everything: Any
) -> None:
    report_id = json.loads(_report(partner, [upload(partner, encoded(chat_bubble(OTHER, seed=13)))]).body)["id"]
    everything()
    case_id = partner.report(report_id)["case_id"]
    (shown,) = body_of(checker.http.get(f"/v1/cases/{case_id}"))["images"]
    assert (
        shown["status"] == "processed" and "X-Amz-Signature" in shown["link"] and "X-Amz-Expires=300" in shown["link"]
    )
    picture = requests.Request("GET", shown["link"]).prepare()
    answer = botocore_stubber.process_prepared_request(picture)
    assert answer is not None and answer[0] == 200
    assert answer[2][:3] == b"\xff\xd8\xff" or answer[2][:8] == b"\x89PNG\r\n\x1a\n"  # the clean copy itself
    agency = api.as_key(make_key("agency", partner_id="bawaslu"))
    (seen,) = body_of(agency.http.get(f"/v1/cases/{case_id}"))["images"]
    assert seen["link"] is None and seen["sha256"] == shown["sha256"]


def test_a_claims_new_picture_decides_the_open_cases_of_that_picture(
    partner: Api, checker: Api, everything: Any
) -> None:
    # Given a photo with no words (noise), reported twice, waiting for a fact-checker
    from bench.picture_set import noise

    photo = noise(seed=41)
    report_ids = [json.loads(_report(partner, [upload(partner, encoded(photo))]).body)["id"] for _ in range(2)]
    everything()
    assert {partner.report(r)["status"] for r in report_ids} == {"needs_review"}
    # When a checker gives a claim that picture (a re-compressed copy of it)
    claim_id = _claim()
    copy = upload(checker, encoded(transformed(photo, "JPEG quality 30–40", 1), "JPEG"))
    everything()
    body_of(
        checker.http.post(
            f"/v1/claims/{claim_id}/images",
            headers={"Content-Type": "application/json"},
            body=json.dumps({"upload_id": copy}),
        ),
        201,
    )
    everything()
    # Then the open case is decided by the claim, automatically, and both reports carry the verdict
    for report_id in report_ids:
        report = partner.report(report_id)
        assert report["status"] == "reviewed", report
        assert report["verdict"]["decided_by"] == "auto" and report["verdict"]["claim"]["id"] == claim_id
