"""Local data survives a restart: a snapshot restores tables, objects and the contacts key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.adapters.sealing import open_sealed
from chalicelib.config import get_settings
from infra.local.resources import create_resources
from infra.local.runner import EventSourceRunner
from infra.local.snapshot import restore_snapshot, save_snapshot
from tests.integration.conftest import Api

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
    restored = restore_snapshot(settings, tmp_path)
    # Then everything is back, and the contact still opens with the restored key
    assert restored is not None and restored["tables"] == manifest["tables"]
    assert api.report(report_id) == before
    obj = client("s3").get_object(Bucket=settings.bucket_name, Key="exports/x.csv")
    assert obj["Body"].read() == b"a,b\n"
    sealed = client("dynamodb").get_item(
        TableName=settings.table_name("contacts"), Key={"report_id": {"S": report_id}}
    )["Item"]["sealed"]["S"]
    assert open_sealed(sealed, ("report_id", report_id)) == CONTACT


def test_no_snapshot_means_a_fresh_start(aws: Any, tmp_path: Path) -> None:
    assert restore_snapshot(get_settings(), tmp_path) is None
