"""Where the claim sync keeps its place between runs: one small JSON object in the data bucket."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings

STATE_KEY = "claim-sync/state.json"


def load_state() -> dict[str, Any]:
    """The last run's state, or an empty one before the first run."""
    s3 = client("s3")
    try:
        body = s3.get_object(Bucket=get_settings().bucket_name, Key=STATE_KEY)["Body"].read()
    except s3.exceptions.NoSuchKey:
        return {}
    state: dict[str, Any] = json.loads(body)
    return state


def save_state(state: dict[str, Any]) -> None:
    client("s3").put_object(
        Bucket=get_settings().bucket_name,
        Key=STATE_KEY,
        Body=json.dumps(state, indent=2, sort_keys=True).encode(),
        ContentType="application/json",
    )
