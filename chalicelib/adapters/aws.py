"""boto3 clients, created on first use and kept for the container's life.

Creating them lazily keeps botocore out of the cold import, and lets tests start moto first.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from chalicelib.config import get_settings


@cache
def client(service: str) -> Any:
    """A boto3 client for ``service`` in the configured region and endpoint."""
    import boto3  # lazy on purpose, see module docstring
    from botocore.config import Config

    settings = get_settings()
    return boto3.session.Session().client(
        service,
        region_name=settings.region,
        endpoint_url=settings.aws_endpoint_url,
        config=Config(
            retries={"mode": "standard", "max_attempts": 4},
            connect_timeout=3,
            # Regional endpoints: the account-based ones (<account>.streams-ddb…) gain nothing
            # here and are unknown to the emulator.
            account_id_endpoint_mode="disabled",
        ),
    )


def reset_clients() -> None:
    """Forget every client (tests, after the emulator restarts)."""
    client.cache_clear()
