"""Reporter contacts: encrypted at rest, bound to their report, never logged nor returned."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from chalicelib.adapters.aws import client
from chalicelib.adapters.contact_cipher import open_contact
from chalicelib.config import get_settings
from chalicelib.observability import logger
from infra.local.runner import EventSourceRunner
from tests.integration.conftest import Api

CONTACT = "+62 812-3456-7890"


def _stored_contact(report_id: str) -> dict[str, object]:
    table = get_settings().table_name("contacts")
    item = client("dynamodb").get_item(TableName=table, Key={"report_id": {"S": report_id}})["Item"]
    return dict(item)


def test_the_contact_is_sealed_and_opens_only_for_its_report(api: Api) -> None:
    report_id = api.submit(
        {"text": "Pesan berantai", "platform": "whatsapp", "province": "31", "reporter": {"contact": CONTACT}}
    )
    item = _stored_contact(report_id)
    # The clear text is nowhere in the stored item, and a deletion time is set
    assert CONTACT not in json.dumps(item)
    assert int(str(item["expires_at"]["N"])) > 0  # type: ignore[index]
    sealed = str(item["sealed"]["S"])  # type: ignore[index]
    assert open_contact(report_id, sealed) == CONTACT
    with pytest.raises(Exception):  # noqa: B017 - KMS or GCM refuses; either is right
        open_contact("rpt_" + "a" * 26, sealed)


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Every line the app logs, formatted exactly as in production (Powertools JSON)."""
    sink = io.StringIO()
    handler = logging.StreamHandler(sink)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    yield sink
    logger.handlers.remove(handler)


def test_the_contact_is_in_no_answer_and_no_log_line(
    api: Api, runner: EventSourceRunner, log_lines: io.StringIO
) -> None:
    answer = api.post_report(
        {"text": "Pesan berantai", "platform": "whatsapp", "province": "31", "reporter": {"contact": CONTACT}}
    )
    report_id = json.loads(answer.body)["id"]
    runner.drain()
    fetched = api.client.http.get(f"/v1/reports/{report_id}")
    logged = log_lines.getvalue()
    everything = answer.body.decode() + fetched.body.decode() + logged
    assert report_id in logged  # the logs did speak about this report …
    assert CONTACT not in everything  # … and never of who reported it
    assert "3456" not in everything


def test_the_report_item_holds_no_contact(api: Api) -> None:
    report_id = api.submit(
        {"text": "Pesan", "platform": "whatsapp", "province": "31", "reporter": {"contact": CONTACT}}
    )
    table = get_settings().table_name("reports")
    item = client("dynamodb").get_item(TableName=table, Key={"id": {"S": report_id}})["Item"]
    assert CONTACT not in json.dumps(item)
    assert item["has_contact"] == {"BOOL": True}
