"""The claim index in S3: full snapshots, the changes published since, and a small pointer to both.

``claim-index/current.json`` names the current snapshot and, in order, the change sets written
since it; a container reads only the pointer to know whether anything moved (a few hundred bytes).
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings

PREFIX = "claim-index/"
POINTER = PREFIX + "current.json"


def publish(blob: bytes, manifest: dict[str, Any]) -> dict[str, Any]:
    """Store a snapshot, then point at it with no changes yet; returns the pointer."""
    key = f"{PREFIX}{manifest['version']}.bin"
    _put(key, blob, "application/octet-stream")
    return point({**manifest, "key": key, "changes": []})


def publish_changes(pointer: dict[str, Any], changes: bytes) -> dict[str, Any]:
    """Store a set of changes to the pointer's snapshot, then point at it too; returns the new pointer."""
    key = f"{PREFIX}changes/{pointer['version']}/{len(pointer['changes']):08d}.json"
    _put(key, changes, "application/json")
    return point({**pointer, "changes": [*pointer["changes"], key]})


def point(pointer: dict[str, Any]) -> dict[str, Any]:
    """Make ``pointer`` current (written after what it names: readers never see a missing object)."""
    _put(POINTER, json.dumps(pointer).encode(), "application/json")
    return pointer


def current_pointer() -> dict[str, Any] | None:
    """The pointer to the current snapshot and its changes, or None before the first build."""
    s3 = client("s3")
    try:
        body = s3.get_object(Bucket=get_settings().bucket_name, Key=POINTER)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    pointer: dict[str, Any] = json.loads(body)
    pointer.setdefault("changes", [])  # a pointer written before change sets existed
    return pointer


def fetch(key: str) -> bytes:
    body: bytes = client("s3").get_object(Bucket=get_settings().bucket_name, Key=key)["Body"].read()
    return body


def _put(key: str, body: bytes, content_type: str) -> None:
    client("s3").put_object(Bucket=get_settings().bucket_name, Key=key, Body=body, ContentType=content_type)
