"""Use cases of the daily export: build one WIB day's files, and hand out links to them."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

from chalicelib.adapters.export_files import MultipartFile, get_manifest, key_of, presigned_url, put_manifest
from chalicelib.domain.exports import (
    CSV_NAME,
    JSONL_NAME,
    MANIFEST_NAME,
    buildable_on_demand,
    manifest,
    wib_day_bounds,
    wib_day_of,
    write_export,
)
from chalicelib.domain.models import DailyExport, ExportFile
from chalicelib.observability import count, logger
from chalicelib.services.errors import ExportCoolingDown, InvalidField
from chalicelib.store import stores
from chalicelib.version import VERSION

DOWNLOAD_SECONDS = 15 * 60  # how long a presigned link works
SCHEDULED_AT = timedelta(minutes=15)  # after WIB midnight: late reports of the day have landed
REBUILD_COOLDOWN = timedelta(minutes=5)  # between two builds of one day on request


def build_on_request(day: date, now: datetime | None = None) -> DailyExport:
    """An agency's rebuild of today's or yesterday's export.

    Raises InvalidField for any other day, ExportCoolingDown within REBUILD_COOLDOWN of the day's
    last build (that build's files are what a GET answers meanwhile).
    """
    now = now or datetime.now(UTC)
    if not buildable_on_demand(day, now):
        raise InvalidField(
            "path.date", "only today and yesterday (WIB) are built on request; earlier days were built at 00:15 WIB"
        )
    last = get_manifest(day)
    if last is not None:
        ready = datetime.fromisoformat(str(last["generated_at"])) + REBUILD_COOLDOWN
        if ready > now:
            raise ExportCoolingDown(day, max(1, math.ceil((ready - now).total_seconds())))
    return build_daily_export(day, now)


def build_daily_export(day: date, now: datetime | None = None) -> DailyExport:
    """Write the day's CSV, JSON Lines and manifest to S3 (again, if they exist) and link to them."""
    now = now or datetime.now(UTC)
    csv_file = MultipartFile(key_of(day, CSV_NAME), "text/csv; charset=utf-8")
    jsonl_file = MultipartFile(key_of(day, JSONL_NAME), "application/gzip")
    try:
        files = write_export(stores().reports.of_day(day), csv_file, jsonl_file)
        csv_file.close()
        jsonl_file.close()
    except BaseException:
        csv_file.abort()
        jsonl_file.abort()
        raise
    complete = now >= wib_day_bounds(day)[1]
    put_manifest(day, manifest(day, files, now, VERSION, complete=complete))
    count("ExportsBuilt")
    logger.info("daily export built", extra={"date": day.isoformat(), "rows": files[CSV_NAME]["rows"]})
    view = daily_export(day, now)
    assert view is not None  # just written
    return view


def daily_export(day: date, now: datetime | None = None) -> DailyExport | None:
    """The day's export with fresh download links, or None when it has not been built."""
    found = get_manifest(day)
    if found is None:
        return None
    now = now or datetime.now(UTC)
    files = [
        ExportFile(
            name=str(item["name"]),
            rows=int(item["rows"]),
            bytes=int(item["bytes"]),
            sha256=str(item["sha256"]),
            url=presigned_url(day, str(item["name"]), DOWNLOAD_SECONDS),
        )
        for item in found["files"]
    ]
    return DailyExport(
        date=day,
        complete=bool(found["complete"]),
        rows=int(found["rows"]),
        generated_at=datetime.fromisoformat(str(found["generated_at"])),
        code_version=str(found["code_version"]),
        manifest_url=presigned_url(day, MANIFEST_NAME, DOWNLOAD_SECONDS),
        files=files,
        urls_expire_at=now + timedelta(seconds=DOWNLOAD_SECONDS),
    )


def ready_at(day: date) -> datetime:
    """When the scheduled build of ``day`` runs: 00:15 WIB the next day."""
    return wib_day_bounds(day)[1] + SCHEDULED_AT


def export_previous_day(now: datetime | None = None) -> DailyExport:
    """The schedule's job (00:15 WIB): the WIB day that just ended."""
    now = now or datetime.now(UTC)
    return build_daily_export(wib_day_of(now) - timedelta(days=1), now)
