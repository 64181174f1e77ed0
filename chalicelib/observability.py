"""One logger for the whole app and one metrics sink per invocation (Powertools).

Chalice's own log handler is off (``configure_logs=False`` in app.py), so each line prints once.
Nothing personal is ever logged: ids and counts only, never texts or contacts.

An invocation's request id and what it counted belong to the thread running it. On Lambda that
is one invocation per process at a time; the local stack runs HTTP requests and event handlers
side by side in threads, and one shared metric set was published by whichever flushed first (the
other then failed with "Must contain at least one metric", a 500 for an accepted report), and
log lines carried another request's id.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

from chalicelib.config import get_settings

SERVICE = "saring"
R = TypeVar("R")

logger = Logger(service=SERVICE, level=get_settings().log_level)
_this_thread = threading.local()


def _metrics() -> EphemeralMetrics:
    """This thread's metric set (EphemeralMetrics: instances share nothing, unlike Metrics)."""
    metrics: EphemeralMetrics | None = getattr(_this_thread, "metrics", None)
    if metrics is None:
        metrics = _this_thread.metrics = EphemeralMetrics(namespace=get_settings().metrics_namespace, service=SERVICE)
    return metrics


def count(name: str, value: int = 1) -> None:
    """Add to a counter metric (published when the invocation flushes)."""
    _metrics().add_metric(name=name, unit=MetricUnit.Count, value=value)


def flush_metrics() -> None:
    """Publish what this invocation counted; called once at the end of each handler.

    As Powertools' own flush does, but the line is written in one piece: Powertools prints the
    object and then its newline, and in the local stack another thread's log line could land in
    between, leaving two lines that no log reader can parse (one of them a check's "report checked").
    """
    metrics = _metrics()
    if not metrics.metric_set:
        return
    if not is_metrics_disabled():
        sys.stdout.write(json.dumps(metrics.serialize_metric_set(), separators=(",", ":")) + "\n")
    metrics.clear_metrics()


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
    """Tag every log line of this invocation (this thread's) with its request id."""
    if request_id is None:
        logger.thread_safe_remove_keys(["correlation_id"])
    else:
        logger.thread_safe_append_keys(correlation_id=request_id)
