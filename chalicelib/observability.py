"""One logger and one metrics sink for the whole app (Powertools).

Chalice's own log handler is off (``configure_logs=False`` in app.py), so each line prints once.
Nothing personal is ever logged: ids and counts only, never texts or contacts.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from chalicelib.config import get_settings

SERVICE = "saring"

logger = Logger(service=SERVICE, level=get_settings().log_level)
metrics = Metrics(namespace=get_settings().metrics_namespace, service=SERVICE)


def count(name: str, value: int = 1) -> None:
    """Add to a counter metric (published when the invocation flushes)."""
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def flush_metrics() -> None:
    """Publish what this invocation counted; called once at the end of each handler."""
    if metrics.metric_set:
        metrics.flush_metrics()


def start_invocation(request_id: str | None) -> None:
    """Tag every log line of this invocation with its request id."""
    logger.set_correlation_id(request_id)
