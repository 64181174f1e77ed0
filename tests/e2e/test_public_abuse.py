"""The public's door under abuse on the local stack, over HTTP from loopback addresses: bounded, self-stopping."""

from __future__ import annotations

import json
from collections.abc import Callable

from bench.public_door import LoopbackClient, flood, flood_holds
from chalicelib.config import Settings
from tests.e2e.conftest import Stack

FLOOD = 2_000


def test_one_address_flooding_gets_its_limit_and_no_more_and_no_5xx_while_another_is_served(
    stacks: Callable[..., Stack],
) -> None:
    stack = stacks("--no-events")
    limit = Settings(stage="local").public_requests_per_minute
    # When one address sends 2,000 requests as fast as it can
    result = flood(stack.port, "127.0.0.3", FLOOD)
    per_minute = result["per_minute"]
    assert isinstance(per_minute, dict)
    accepted, expected, errors = flood_holds(per_minute, limit)
    # Then exactly the limit of each minute was accepted, the rest refused with 429, none with a 5xx
    assert errors == 0 and accepted == expected and limit <= accepted <= limit * len(per_minute)
    assert sum(counts[429] for counts in per_minute.values()) == FLOOD - accepted
    # And another address was never held back by it
    other = LoopbackClient(stack.port, "127.0.0.4")
    status, body = other.call("GET", "/v1/public/challenge")
    assert status == 200 and json.loads(body)["difficulty"] >= 1


def test_a_complaint_without_a_solved_challenge_is_refused_and_never_filed(stacks: Callable[..., Stack]) -> None:
    stack = stacks("--no-events")
    client = LoopbackClient(stack.port, "127.0.0.5")
    complaint = {"text": "Pesan berantai yang belum diperiksa", "province": "31"}
    refusals = []
    for extra in ({}, {"challenge": "bukan-tantangan", "nonce": "1"}):
        status, body = client.call("POST", "/v1/public/reports", {**complaint, **extra})
        refusals.append((status, json.loads(body)["errors"][0]["field"]))
    status, body = client.call("GET", "/v1/public/challenge")
    challenge = json.loads(body)
    unsolved = next(
        str(n) for n in range(10_000) if not _solves(challenge["challenge"], str(n), challenge["difficulty"])
    )
    status, body = client.call(
        "POST", "/v1/public/reports", {**complaint, "challenge": challenge["challenge"], "nonce": unsolved}
    )
    refusals.append((status, json.loads(body)["errors"][0]["field"]))
    assert refusals == [(422, "challenge"), (422, "challenge"), (422, "nonce")]


def _solves(challenge: str, nonce: str, difficulty: int) -> bool:
    from chalicelib.domain.public import solves

    return solves(challenge, nonce, difficulty)
