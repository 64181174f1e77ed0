"""Snapshots of the claim index in S3: one object per version and a small pointer to the current one."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings

PREFIX = "claim-index/"
POINTER = PREFIX + "current.json"


def publish(blob: bytes, manifest: dict[str, Any]) -> None:
    """Store a snapshot, then point at it (readers never see a pointer to a missing object)."""
    bucket = get_settings().bucket_name
    key = f"{PREFIX}{manifest['version']}.bin"
    client("s3").put_object(Bucket=bucket, Key=key, Body=blob, ContentType="application/octet-stream")
    pointer = {**manifest, "key": key}
    client("s3").put_object(Bucket=bucket, Key=POINTER, Body=json.dumps(pointer), ContentType="application/json")


def current_pointer() -> dict[str, Any] | None:
    """The pointer to the current snapshot, or None before the first build."""
    s3 = client("s3")
    try:
        body = s3.get_object(Bucket=get_settings().bucket_name, Key=POINTER)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    pointer: dict[str, Any] = json.loads(body)
    return pointer


def fetch(key: str) -> bytes:
    body: bytes = client("s3").get_object(Bucket=get_settings().bucket_name, Key=key)["Body"].read()
    return body
