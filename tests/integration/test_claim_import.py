"""Importing claims: idempotent by external id, bad rows reported, the index rebuilt from the stream."""

from __future__ import annotations

import json

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings
from chalicelib.domain.claim_formats import read_json_lines
from chalicelib.services.claims import import_claims
from infra.local.runner import EventSourceRunner
from tests.integration.conftest import Api

LINES = [
    {
        "external_id": f"imp-{n}",
        "title": f"Klaim nomor {n} tentang jembatan {n} runtuh",
        "label": "SALAH",
        "text": f"Jembatan {n} di kota kami runtuh pagi tadi, banyak korban, sebarkan segera kepada semua orang",
    }
    for n in range(150)
]


def _claim_count() -> int:
    return int(client("dynamodb").scan(TableName=get_settings().table_name("claims"), Select="COUNT")["Count"])


def test_a_reimport_updates_and_never_duplicates(api: Api, runner: EventSourceRunner) -> None:
    content = "\n".join(json.dumps(line) for line in LINES) + "\n{broken\n"
    seen: list[int] = []
    first = import_claims(read_json_lines(content), progress=seen.append)
    assert first.saved == 150
    assert first.problems == [(151, "not JSON: Expecting property name enclosed in double quotes")]
    assert seen[-1] == 151
    changed = [{**LINES[0], "title": "Judul yang diperbarui"}]
    again = import_claims(read_json_lines("\n".join(json.dumps(line) for line in changed + LINES[1:])))
    # Only the changed claim is written again; the rest are left as they were
    assert (again.added, again.updated, again.unchanged) == (0, 1, 149)
    assert _claim_count() == 150
    # And once the claims' stream ran, lookups answer from the rebuilt index
    runner.drain()
    answer = api.http.post(
        "/v1/lookup",
        headers={"Content-Type": "application/json"},
        body=json.dumps({"text": "jembatan 7 di kota kami runtuh pagi tadi banyak korban"}),
    )
    assert json.loads(answer.body)["matches"][0]["claim"]["external_id"] == "imp-7"
