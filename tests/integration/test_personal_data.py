"""Reporter contacts: encrypted at rest, bound to their report, never logged nor returned."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from chalicelib.adapters.aws import client
from chalicelib.adapters.sealing import open_sealed
from chalicelib.config import get_settings
from chalicelib.observability import logger
from infra.local.runner import EventSourceRunner
from tests.integration.conftest import Api, make_key

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
    assert open_sealed(sealed, ("report_id", report_id)) == CONTACT
    with pytest.raises(Exception):  # noqa: B017 - KMS or GCM refuses; either is right
        open_sealed(sealed, ("report_id", "rpt_" + "a" * 26))


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Every line the app logs, formatted exactly as in production (Powertools JSON)."""
    sink = io.StringIO()
    handler = logging.StreamHandler(sink)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    yield sink
    logger.handlers.remove(handler)


def test_the_contact_reaches_only_its_own_partner_and_no_log_line(
    api: Api, runner: EventSourceRunner, log_lines: io.StringIO
) -> None:
    # Given a report with a contact, checked
    answer = api.post_report(
        {"text": "Pesan berantai", "platform": "whatsapp", "province": "31", "reporter": {"contact": CONTACT}}
    )
    report_id = json.loads(answer.body)["id"]
    runner.drain()
    # When the submitting partner and every other kind of reader fetch it
    own = json.loads(api.http.get(f"/v1/reports/{report_id}").body)
    others = [
        api.as_key(make_key(*roles, partner_id=partner)).http.get(f"/v1/reports/{report_id}")
        for roles, partner in (
            (("agency",), "bawaslu"),
            (("checker",), "cekfakta"),
            (("admin",), "ops"),
            (("partner", "agency"), "other-app"),
        )
    ]
    # Then only the owner's fetch carries the contact: not the others, not the 202, not a log line
    assert own["reporter"] == {"contact": CONTACT}
    assert all(other.status_code == 200 for other in others)
    logged = log_lines.getvalue()
    everything = answer.body.decode() + "".join(other.body.decode() for other in others) + logged
    assert report_id in logged  # the logs did speak about this report …
    assert CONTACT not in everything  # … and never of who reported it
    assert "3456" not in everything


def test_another_partner_cannot_see_a_report_at_all(api: Api) -> None:
    report_id = api.submit({"text": "Pesan", "platform": "whatsapp", "province": "31"})
    stranger = api.as_key(make_key("partner", partner_id="other-app"))
    answer = stranger.http.get(f"/v1/reports/{report_id}")
    assert answer.status_code == 404
    assert json.loads(answer.body)["detail"] == "There is no report with this id."


def test_the_report_item_holds_no_contact(api: Api) -> None:
    report_id = api.submit(
        {"text": "Pesan", "platform": "whatsapp", "province": "31", "reporter": {"contact": CONTACT}}
    )
    table = get_settings().table_name("reports")
    item = client("dynamodb").get_item(TableName=table, Key={"id": {"S": report_id}})["Item"]
    assert CONTACT not in json.dumps(item)
    assert item["has_contact"] == {"BOOL": True}
