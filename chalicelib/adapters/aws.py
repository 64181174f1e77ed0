"""boto3 clients, created on first use and kept for the container's life.

Creating them lazily keeps botocore out of the cold import, and lets tests start moto first.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

from chalicelib.config import get_settings

_creating = threading.Lock()


def client(service: str) -> Any:
    """A boto3 client for ``service`` in the configured region and endpoint: one per process.

    Threads asking at once for the first time (the local stack's, after a restart) wait for one
    another. Each had made a client of its own, with its own exception classes: a thread then
    caught ``client(…).exceptions.X`` of the client kept, not of the one that raised, and a refused
    condition became a 500.
    """
    with _creating:
        return _client(service)


@cache
def _session() -> Any:
    """One boto3 session for every client: it reads botocore's shared data (endpoints, retry rules)
    once, so the second and later clients cost a third of the first (5 clients: 0.27 s, not 0.7 s).
    Sessions are not safe to share between threads making clients; ``client``'s lock serialises that."""
    import boto3  # lazy on purpose, see module docstring

    return boto3.session.Session()


@cache
def _client(service: str) -> Any:
    from botocore.config import Config

    settings = get_settings()
    return _session().client(
        service,
        region_name=settings.region,
        endpoint_url=settings.aws_endpoint_url,
        config=Config(
            retries={"mode": "standard", "max_attempts": 4},
            connect_timeout=3,
            # One per thread that may call at once (the local stack's server and event sources),
            # so that connections are kept rather than opened anew for each call.
            max_pool_connections=64,
            # Regional endpoints: the account-based ones (<account>.streams-ddb…) gain nothing
            # here and are unknown to the emulator.
            account_id_endpoint_mode="disabled",
        ),
    )


@cache
def queue_url(queue_name: str) -> str:
    """The URL of one of the app's SQS queues, looked up once."""
    return str(client("sqs").get_queue_url(QueueName=queue_name)["QueueUrl"])


@cache
def secret_bytes(secret_id: str) -> bytes:
    """A Secrets Manager secret's value, read once per container."""
    return str(client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"]).encode()


def head_object(bucket: str, key: str) -> dict[str, Any] | None:
    """An S3 object's head (size, type, metadata), or None when there is no such object."""
    s3 = client("s3")
    try:
        return dict(s3.head_object(Bucket=bucket, Key=key))
    except s3.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def reset_clients() -> None:
    """Forget every client and what was read with them (tests, after the emulator restarts)."""
    _client.cache_clear()
    _session.cache_clear()
    queue_url.cache_clear()
    secret_bytes.cache_clear()
