"""Local data survives a restart: a snapshot restores tables, objects and the contacts key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chalicelib.adapters.aws import client, secret_bytes
from chalicelib.adapters.sealing import open_sealed
from chalicelib.config import get_settings
from chalicelib.services.access import forget_cached_keys
from infra.local.resources import create_resources
from infra.local.runner import EventSourceRunner
from infra.local.snapshot import restore_snapshot, save_snapshot
from tests.integration.conftest import Api, make_key

CONTACT = "pelapor@example.org"


def test_a_restored_snapshot_has_every_report_object_and_readable_contact(
    api: Api, runner: EventSourceRunner, _emulator: Any, tmp_path: Path
) -> None:
    # Given a checked report with a sealed contact, and an object in the bucket
    settings = get_settings()
    report_id = api.submit(
        {"text": "Pemilu diundur", "platform": "whatsapp", "province": "31", "reporter": {"contact": CONTACT}}
    )
    runner.drain()
    before = api.report(report_id)
    client("s3").put_object(Bucket=settings.bucket_name, Key="exports/x.csv", Body=b"a,b\n", ContentType="text/csv")
    manifest = save_snapshot(settings, tmp_path)
    assert manifest["tables"]["reports"] == 1
    # When the emulator starts empty and the snapshot is restored
    _emulator.reset()
    create_resources(settings)
    assert _item_counts(manifest["tables"]) != manifest["tables"]  # the fresh emulator really is empty
    restored = restore_snapshot(settings, tmp_path)
    # Then every table holds what it held, counted in the emulator itself, and reads the same
    assert restored is not None
    assert _item_counts(manifest["tables"]) == manifest["tables"]
    assert api.report(report_id) == before
    obj = client("s3").get_object(Bucket=settings.bucket_name, Key="exports/x.csv")
    assert obj["Body"].read() == b"a,b\n"
    sealed = client("dynamodb").get_item(
        TableName=settings.table_name("contacts"), Key={"report_id": {"S": report_id}}
    )["Item"]["sealed"]["S"]
    assert open_sealed(sealed, ("report_id", report_id)) == CONTACT


def test_no_snapshot_means_a_fresh_start(aws: Any, tmp_path: Path) -> None:
    assert restore_snapshot(get_settings(), tmp_path) is None


def _item_counts(tables: dict[str, int]) -> dict[str, int]:
    settings = get_settings()
    return {
        name: int(client("dynamodb").scan(TableName=settings.table_name(name), Select="COUNT")["Count"])
        for name in tables
    }


def test_an_api_key_made_before_a_restart_still_works_after_it(api: Api, _emulator: Any, tmp_path: Path) -> None:
    # Given a partner key (its hash in the keys table, under the pepper in Secrets Manager) and a snapshot
    settings = get_settings()
    key = make_key("partner", partner_id="kabar-app")
    assert api.as_key(key).http.get("/v1/webhooks").status_code == 200
    save_snapshot(settings, tmp_path)

    # When the emulator starts empty (with a new, different pepper), the snapshot is restored, and
    # the process forgets what it had read, as a restarted stack does
    _emulator.reset()
    create_resources(settings)
    fresh_pepper = client("secretsmanager").get_secret_value(SecretId=settings.key_pepper_secret)["SecretString"]
    restore_snapshot(settings, tmp_path)
    secret_bytes.cache_clear()
    forget_cached_keys()

    # Then the key still authenticates: both the keys table and the pepper came back
    restored_pepper = client("secretsmanager").get_secret_value(SecretId=settings.key_pepper_secret)["SecretString"]
    assert restored_pepper != fresh_pepper
    assert api.as_key(key).http.get("/v1/webhooks").status_code == 200
