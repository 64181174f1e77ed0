"""The uploads bucket: pictures as partners send them, and the clean copies the worker makes.

``incoming/<partner>/<upload id>``  as uploaded, read once by the worker and deleted;
``pictures/<upload id>.<ext>``      a report's clean copy, deleted by the bucket's lifecycle rule;
``claim-pictures/<claim id>/<sha256>.<ext>``  a claim's picture, kept with the claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from chalicelib.adapters.aws import client, head_object
from chalicelib.config import get_settings

INCOMING = "incoming/"
REPORT_PICTURES = "pictures/"
CLAIM_PICTURES = "claim-pictures/"
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png"}


def incoming_key(partner_id: str, upload_id: str) -> str:
    return f"{INCOMING}{partner_id}/{upload_id}"


def put_incoming(partner_id: str, upload_id: str, data: bytes, content_type: str) -> None:
    """Store a picture that did not come through a presigned form (an e-mail's attachment), as if uploaded."""
    client("s3").put_object(
        Bucket=get_settings().uploads_bucket_name,
        Key=incoming_key(partner_id, upload_id),
        Body=data,
        ContentType=content_type,
    )


def upload_of(key: str) -> tuple[str, str] | None:
    """(partner id, upload id) of an incoming key, else None."""
    parts = key.split("/")
    if len(parts) != 3 or f"{parts[0]}/" != INCOMING:
        return None
    return parts[1], parts[2]


def report_picture_key(upload_id: str, content_type: str) -> str:
    return f"{REPORT_PICTURES}{upload_id}.{_EXTENSIONS[content_type]}"


def claim_picture_key(claim_id: str, sha256: str, clean_key: str) -> str:
    """Where a claim keeps a report's clean copy (``clean_key``): under the claim, by content, same type."""
    return f"{CLAIM_PICTURES}{claim_id}/{sha256}{PurePosixPath(clean_key).suffix}"


def presigned_upload(key: str, content_type: str, max_bytes: int, expires_seconds: int) -> tuple[str, dict[str, str]]:
    """(url, form fields) of an HTML-form POST that may store one object at ``key``: this type, this size at most."""
    post: dict[str, Any] = client("s3").generate_presigned_post(
        Bucket=get_settings().uploads_bucket_name,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
        ExpiresIn=expires_seconds,
    )
    return str(post["url"]), {name: str(value) for name, value in post["fields"].items()}


@dataclass(frozen=True)
class Uploaded:
    size: int
    content_type: str


def uploaded(key: str) -> Uploaded | None:
    """Size and declared type of an object, or None when there is none."""
    head = head_object(get_settings().uploads_bucket_name, key)
    if head is None:
        return None
    return Uploaded(int(head["ContentLength"]), str(head.get("ContentType") or ""))


def read(key: str, max_bytes: int) -> bytes | None:
    """An object's bytes, reading at most ``max_bytes`` + 1 (so an oversized one is known without reading it all)."""
    s3 = client("s3")
    try:
        answer = s3.get_object(Bucket=get_settings().uploads_bucket_name, Key=key, Range=f"bytes=0-{max_bytes}")
    except s3.exceptions.NoSuchKey:
        return None
    return bytes(answer["Body"].read())


def store(key: str, data: bytes, content_type: str) -> None:
    client("s3").put_object(Bucket=get_settings().uploads_bucket_name, Key=key, Body=data, ContentType=content_type)


def copy(source_key: str, key: str) -> None:
    bucket = get_settings().uploads_bucket_name
    client("s3").copy_object(Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": source_key})


def delete(key: str) -> None:
    client("s3").delete_object(Bucket=get_settings().uploads_bucket_name, Key=key)


def incoming_keys() -> list[str]:
    """Every upload still waiting for the worker (the local stack re-drives them after a restart)."""
    pages = (
        client("s3")
        .get_paginator("list_objects_v2")
        .paginate(Bucket=get_settings().uploads_bucket_name, Prefix=INCOMING)
    )
    return [entry["Key"] for page in pages for entry in page.get("Contents", [])]


def temporary_link(key: str, seconds: int) -> str:
    """A short-lived GET link to one picture (for fact-checkers' eyes)."""
    return str(
        client("s3").generate_presigned_url(
            "get_object", Params={"Bucket": get_settings().uploads_bucket_name, "Key": key}, ExpiresIn=seconds
        )
    )
