"""One logger and one metrics sink for the whole app (Powertools).

Chalice's own log handler is off (``configure_logs=False`` in app.py), so each line prints once.
Nothing personal is ever logged: ids and counts only, never texts or contacts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from chalicelib.config import get_settings

SERVICE = "saring"
R = TypeVar("R")

logger = Logger(service=SERVICE, level=get_settings().log_level)
metrics = Metrics(namespace=get_settings().metrics_namespace, service=SERVICE)


def count(name: str, value: int = 1) -> None:
    """Add to a counter metric (published when the invocation flushes)."""
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def flush_metrics() -> None:
    """Publish what this invocation counted; called once at the end of each handler."""
    if metrics.metric_set:
        metrics.flush_metrics()


@contextmanager
def invocation(request_id: str | None) -> Iterator[None]:
    """One invocation of a handler: its log lines carry ``request_id``; what it counted is published at its end."""
    start_invocation(request_id)
    try:
        yield
    finally:
        flush_metrics()


def event_handler(handle: Callable[[dict[str, Any], Any], R]) -> Callable[[dict[str, Any], Any], R]:
    """An event source's handler (stream, queue, schedule) run as one invocation (see ``invocation``)."""

    @wraps(handle)
    def handler(event: dict[str, Any], context: Any) -> R:
        with invocation(getattr(context, "aws_request_id", None)):
            return handle(event, context)

    return handler


def start_invocation(request_id: str | None) -> None:
    """Tag every log line of this invocation with its request id."""
    logger.set_correlation_id(request_id)
