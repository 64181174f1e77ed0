"""Export files in S3: streamed with multipart uploads (memory stays flat), read back as presigned URLs."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from chalicelib.domain.exports import MANIFEST_NAME

PREFIX = "exports/daily/"
PART_BYTES = 8 * 1024 * 1024  # S3 wants parts of 5 MiB at least (but the last)


def key_of(day: date, name: str) -> str:
    return f"{PREFIX}{day.isoformat()}/{name}"


class MultipartFile:
    """A write-only S3 object, uploaded a part at a time; ``close`` completes it, ``abort`` drops it."""

    def __init__(self, key: str, content_type: str) -> None:
        self.bucket = get_settings().bucket_name
        self.key = key
        self.content_type = content_type
        self._buffer = bytearray()
        self._parts: list[dict[str, Any]] = []
        self._upload_id: str | None = None

    def write(self, data: bytes) -> int:
        self._buffer += data
        if len(self._buffer) >= PART_BYTES:
            self._send_part()
        return len(data)

    def _send_part(self) -> None:
        s3 = client("s3")
        if self._upload_id is None:
            self._upload_id = s3.create_multipart_upload(
                Bucket=self.bucket, Key=self.key, ContentType=self.content_type
            )["UploadId"]
        number = len(self._parts) + 1
        answer = s3.upload_part(
            Bucket=self.bucket, Key=self.key, UploadId=self._upload_id, PartNumber=number, Body=bytes(self._buffer)
        )
        self._parts.append({"PartNumber": number, "ETag": answer["ETag"]})
        self._buffer.clear()

    def close(self) -> None:
        if self._upload_id is None:  # small enough for one request
            client("s3").put_object(
                Bucket=self.bucket, Key=self.key, Body=bytes(self._buffer), ContentType=self.content_type
            )
            return
        if self._buffer:
            self._send_part()
        client("s3").complete_multipart_upload(
            Bucket=self.bucket, Key=self.key, UploadId=self._upload_id, MultipartUpload={"Parts": self._parts}
        )

    def abort(self) -> None:
        if self._upload_id is not None:
            client("s3").abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self._upload_id)


def put_manifest(day: date, manifest: dict[str, Any]) -> None:
    """Written last: a manifest means both files are complete."""
    client("s3").put_object(
        Bucket=get_settings().bucket_name,
        Key=key_of(day, MANIFEST_NAME),
        Body=json.dumps(manifest, indent=2).encode(),
        ContentType="application/json",
    )


def get_manifest(day: date) -> dict[str, Any] | None:
    s3 = client("s3")
    try:
        body = s3.get_object(Bucket=get_settings().bucket_name, Key=key_of(day, MANIFEST_NAME))["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    manifest: dict[str, Any] = json.loads(body)
    return manifest


def presigned_url(day: date, name: str, seconds: int) -> str:
    return str(
        client("s3").generate_presigned_url(
            "get_object", Params={"Bucket": get_settings().bucket_name, "Key": key_of(day, name)}, ExpiresIn=seconds
        )
    )
