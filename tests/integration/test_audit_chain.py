"""The audit trail's hash chain through the stream handler: whole days, and each way of tampering seen."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from chalicelib.domain.exports import wib_day_of
from chalicelib.services.audit import seal_day, verify_day
from infra.local.runner import EventSourceRunner
from tests.integration.conftest import Api, body_of, make_key


@pytest.fixture
def day_of_changes(api: Api, checker: Api, runner: EventSourceRunner) -> date:
    """Three claims written today, each audited, and the stream handler run."""
    for n in range(3):
        claim = {"external_id": f"chain-{n}", "title": f"Klaim {n}", "text": f"Teks hoaks nomor {n}", "label": "HOAKS"}
        body_of(checker.http.post("/v1/claims", body=claim), 201)
    runner.drain()
    return wib_day_of(datetime.now(UTC))


def _table(name: str) -> str:
    return get_settings().table_name(name)


def _entries(day: date) -> list[dict[str, dict[str, str]]]:
    answer = client("dynamodb").query(
        TableName=_table("audit"),
        KeyConditionExpression="#d = :d",
        ExpressionAttributeNames={"#d": "day"},
        ExpressionAttributeValues={":d": {"S": day.isoformat()}},
    )
    return list(answer["Items"])


def test_a_day_of_audited_changes_is_whole_and_sealed_after_it(
    api: Api, day_of_changes: date, runner: EventSourceRunner
) -> None:
    admin = api.as_key(make_key("admin", partner_id="ops"))
    # Its key's own entry is not linked yet (the chain follows the stream): pending, not a problem
    check = body_of(admin.http.get(f"/v1/audit/verify?day={day_of_changes}"))
    assert (
        check["intact"] and check["entries"] >= 4 and (check["linked"], check["pending"]) == (check["entries"] - 1, 1)
    )
    assert not check["sealed"] and check["problems"] == []
    with pytest.raises(RuntimeError, match="not linked yet"):
        seal_day(day_of_changes)  # a seal waits until every entry of the day is linked
    runner.drain()
    # Sealed once the day is over (here: now), the seal is signed by the evidence key
    assert seal_day(day_of_changes) and not seal_day(day_of_changes)  # a seal is never replaced
    sealed = verify_day(day_of_changes)
    assert sealed.intact and sealed.sealed
    # An agency may check a day too; a partner may not; the day is required
    assert _agency(api).http.get(f"/v1/audit/verify?day={day_of_changes}").status_code == 200
    assert body_of(admin.http.get("/v1/audit/verify"), 422)["errors"][0]["field"] == "query.day"


def _agency(api: Api) -> Api:
    return api.as_key(make_key("agency", partner_id="bawaslu"))


def test_an_edited_a_deleted_and_a_slipped_in_entry_are_each_seen(day_of_changes: date) -> None:
    dynamodb = client("dynamodb")
    first, second, *_ = sorted(_entries(day_of_changes), key=lambda item: item["id"]["S"])
    # Edited: the "after" of an entry changed in place
    dynamodb.update_item(
        TableName=_table("audit"),
        Key={"day": first["day"], "id": first["id"]},
        UpdateExpression="SET after_json = :a",
        ExpressionAttributeValues={":a": {"S": '{"title": "diubah"}'}},
    )
    # Deleted: an entry gone
    dynamodb.delete_item(TableName=_table("audit"), Key={"day": second["day"], "id": second["id"]})
    # Slipped in: an entry written straight into the table, an hour ago, with no link
    forged = {
        **first,
        "id": {"S": "aud_" + (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y%m%d%H%M%S%f") + "aaaaaaaa"},
    }
    forged["at"] = {"S": (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.%f+0000")}
    dynamodb.put_item(TableName=_table("audit"), Item=forged)
    problems = verify_day(day_of_changes).problems
    assert any(first["id"]["S"] in p and "changed" in p for p in problems), problems
    assert any(second["id"]["S"] in p and "deleted" in p for p in problems), problems
    assert any(forged["id"]["S"] in p and "in no link" in p for p in problems), problems


def test_the_last_entries_removed_with_their_links_fall_short_of_the_seal(day_of_changes: date) -> None:
    seal_day(day_of_changes)
    dynamodb = client("dynamodb")
    links = dynamodb.query(
        TableName=_table("audit_chain"),
        KeyConditionExpression="#d = :d AND begins_with(entry_id, :a)",
        ExpressionAttributeNames={"#d": "day"},
        ExpressionAttributeValues={":d": {"S": day_of_changes.isoformat()}, ":a": {"S": "aud_"}},
    )["Items"]
    last = max(links, key=lambda item: int(item["seq"]["N"]))
    # Someone with the account's credentials removes the last entry and its link, and moves the head back
    dynamodb.delete_item(TableName=_table("audit"), Key={"day": last["day"], "id": last["entry_id"]})
    dynamodb.delete_item(TableName=_table("audit_chain"), Key={"day": last["day"], "entry_id": last["entry_id"]})
    check = verify_day(day_of_changes)
    assert not check.intact and any("sealed at" in problem for problem in check.problems), check.problems


def test_a_redelivered_stream_batch_links_nothing_twice(day_of_changes: date) -> None:
    from chalicelib.services.audit import chain_new_entries

    keys = [(item["day"]["S"], item["id"]["S"]) for item in _entries(day_of_changes)]
    assert chain_new_entries(keys) == 0
    assert verify_day(day_of_changes).intact
