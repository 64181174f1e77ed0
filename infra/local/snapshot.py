"""Local data that survives a restart: tables, objects and the contacts key, saved to a folder.

The emulator keeps everything in memory. The stack saves a snapshot on shutdown and every few
minutes, and restores it on start, before anything else touches the emulator; the journal
(``journal.py``) holds every write since. Messages in flight are not saved: a restored report still
waiting for its check is queued again at start.

Layout of ``<data dir>/snapshot``: ``manifest.json``; ``tables/<table>.jsonl`` (DynamoDB JSON, one
item a line); ``objects/<bucket>/<key>`` with ``objects.json`` (content types); ``kms.json``;
``secrets.json`` (the API key pepper: without it no stored key would verify).
The KMS part reaches into moto's memory (the emulator runs in this process): KMS never exports
key material, but without it no restored contact could be decrypted.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.config import Settings
from chalicelib.store.tables import ALL_TABLES

FORMAT_VERSION = 1
ACCOUNT = "123456789012"  # moto's default account


def _kms_backend(settings: Settings) -> Any:
    from moto.kms.models import kms_backends  # only the local stack has moto

    return kms_backends[ACCOUNT][settings.region]


def save_snapshot(
    settings: Settings,
    data_dir: Path,
    *,
    streams: dict[str, int] | None = None,
    lines_of: Callable[[str], Iterator[str]] | None = None,
) -> dict[str, Any]:
    """Write a complete snapshot beside the old one, then swap it in; returns the manifest.

    ``streams``: each streamed table's next sequence number when the snapshot began (a restart
    numbers on from there). ``lines_of(table)``: its items as lines of DynamoDB JSON, straight from
    the emulator's memory (its own process does, much faster than a scan); without it, a scan.
    """
    target = data_dir / "snapshot"
    work = data_dir / "snapshot.partial"
    shutil.rmtree(work, ignore_errors=True)
    (work / "tables").mkdir(parents=True)
    manifest: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "saved_at": datetime.now(UTC).isoformat(),
        "tables": {},
        "streams": streams or {},
    }
    dynamodb = client("dynamodb")
    for model in ALL_TABLES:
        name = settings.table_name(model.short_name)
        rows = 0
        with (work / "tables" / f"{model.short_name}.jsonl").open("w", encoding="utf-8") as out:
            for line in lines_of(name) if lines_of is not None else _scanned_lines(dynamodb, name):
                out.write(line + "\n")
                rows += 1
        manifest["tables"][model.short_name] = rows
    manifest["objects"] = _save_objects(settings, work)
    _save_kms(settings, work)
    _save_secrets(settings, work)
    (work / "manifest.json").write_text(json.dumps(manifest, indent=2))
    _on_disk(work)  # before the swap: the journal segments it replaces are removed after it
    old = data_dir / "snapshot.old"
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    work.rename(target)
    _on_disk(data_dir, files=False)
    shutil.rmtree(old, ignore_errors=True)
    return manifest


def _scanned_lines(dynamodb: Any, table: str) -> Iterator[str]:
    for page in dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        for item in page["Items"]:
            yield json.dumps(item, ensure_ascii=False)


def _on_disk(folder: Path, *, files: bool = True) -> None:
    """fsync every file below ``folder`` (if ``files``) and every folder, so a power cut keeps them."""
    paths = [path for path in folder.rglob("*") if files or path.is_dir()] + [folder]
    for path in paths:
        handle = os.open(path, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def restore_snapshot(
    settings: Settings, data_dir: Path, put_item: Callable[[str, dict[str, Any]], None] | None = None
) -> dict[str, Any] | None:
    """Load the last snapshot into fresh tables, bucket and key; None when there is none.

    Call on a fresh emulator right after ``create_resources``. ``put_item(table, item)`` writes an
    item straight into the emulator's tables (the emulator's own process does, much faster than
    over HTTP); without it the items go through the DynamoDB API, 25 a call.
    """
    source = data_dir / "snapshot"
    if not (source / "manifest.json").exists():
        return None
    manifest: dict[str, Any] = json.loads((source / "manifest.json").read_text())
    if manifest.get("version") != FORMAT_VERSION:
        raise RuntimeError(f"snapshot format {manifest.get('version')} is not {FORMAT_VERSION}; move {source} away")
    dynamodb = client("dynamodb")
    for model in ALL_TABLES:
        path = source / "tables" / f"{model.short_name}.jsonl"
        if not path.exists():
            continue
        name = settings.table_name(model.short_name)
        batch: list[dict[str, Any]] = []
        with path.open(encoding="utf-8") as rows:
            for line in rows:
                if put_item is not None:
                    put_item(name, json.loads(line))
                    continue
                batch.append({"PutRequest": {"Item": json.loads(line)}})
                if len(batch) == 25:
                    _write_batch(dynamodb, name, batch)
                    batch = []
        if batch:
            _write_batch(dynamodb, name, batch)
    _restore_objects(settings, source)
    _restore_kms(settings, source)
    _restore_secrets(settings, source)
    return manifest


def _write_batch(dynamodb: Any, table: str, batch: list[dict[str, Any]]) -> None:
    pending: dict[str, Any] = {table: batch}
    while pending:
        pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def _buckets(settings: Settings) -> dict[str, str]:
    """Each bucket the stack keeps, by the name of its folder in a snapshot."""
    return {"objects": settings.bucket_name, "uploads": settings.uploads_bucket_name}


def _save_objects(settings: Settings, work: Path) -> int:
    s3 = client("s3")
    count = 0
    for folder, bucket in _buckets(settings).items():
        kinds: dict[str, str] = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for entry in page.get("Contents", []):
                obj = s3.get_object(Bucket=bucket, Key=entry["Key"])
                path = work / folder / entry["Key"]
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(obj["Body"].read())
                kinds[entry["Key"]] = obj.get("ContentType", "application/octet-stream")
                count += 1
        (work / f"{folder}.json").write_text(json.dumps(kinds))
    return count


def _restore_objects(settings: Settings, source: Path) -> None:
    s3 = client("s3")
    for folder, bucket in _buckets(settings).items():
        kinds_path = source / f"{folder}.json"
        if not kinds_path.exists():
            continue
        for key, content_type in json.loads(kinds_path.read_text()).items():
            body = (source / folder / key).read_bytes()
            s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)


def _save_kms(settings: Settings, work: Path) -> None:
    """The contacts key's material and the evidence key's private half (KMS never exports either on AWS)."""
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    backend = _kms_backend(settings)
    saved = []
    for alias in (settings.contacts_key_id, settings.evidence_key_id):
        key_id = backend.get_key_id_from_alias(alias)
        if key_id is None:
            continue
        key = backend.keys[key_id]
        entry = {"alias": alias, "key_id": key.id, "spec": key.key_spec}
        if key.key_spec == "SYMMETRIC_DEFAULT":
            entry["material"] = base64.b64encode(key.key_material).decode()
        else:
            private = key.private_key.private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
            entry["private_key"] = private.decode()
        saved.append(entry)
    (work / "kms.json").write_text(json.dumps(saved))


def _restore_kms(settings: Settings, source: Path) -> None:
    path = source / "kms.json"
    if not path.exists():
        return
    saved = json.loads(path.read_text())
    for entry in [saved] if isinstance(saved, dict) else saved:  # one dict: a snapshot from before the evidence key
        _restore_key(settings, entry)


def _restore_key(settings: Settings, saved: dict[str, str]) -> None:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    backend = _kms_backend(settings)
    current = backend.get_key_id_from_alias(saved["alias"])
    if current == saved["key_id"]:
        return
    if current is not None:
        # create_resources made a new key for the alias; nothing is sealed or signed with it yet.
        client("kms").delete_alias(AliasName=saved["alias"])
    spec = saved.get("spec", "SYMMETRIC_DEFAULT")
    usage = "ENCRYPT_DECRYPT" if spec == "SYMMETRIC_DEFAULT" else "SIGN_VERIFY"
    fresh_id = client("kms").create_key(Description=f"Saring {saved['alias']} (local)", KeySpec=spec, KeyUsage=usage)[
        "KeyMetadata"
    ]["KeyId"]
    key = backend.keys.pop(fresh_id)
    key.id = saved["key_id"]
    key.arn = key.arn.rsplit("/", 1)[0] + "/" + saved["key_id"]
    if "material" in saved:
        key.key_material = base64.b64decode(saved["material"])
    else:
        key.private_key.private_key = load_pem_private_key(saved["private_key"].encode(), password=None)
    backend.keys[key.id] = key
    client("kms").create_alias(AliasName=saved["alias"], TargetKeyId=key.id)


def _save_secrets(settings: Settings, work: Path) -> None:
    value = client("secretsmanager").get_secret_value(SecretId=settings.key_pepper_secret)["SecretString"]
    (work / "secrets.json").write_text(json.dumps({settings.key_pepper_secret: value}))


def _restore_secrets(settings: Settings, source: Path) -> None:
    path = source / "secrets.json"
    if not path.exists():
        return
    for name, value in json.loads(path.read_text()).items():
        client("secretsmanager").put_secret_value(SecretId=name, SecretString=value)
