"""Recording every AWS API call the app makes, by the Lambda function that made it (least-privilege tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, NamedTuple
from unittest import mock

API = "api"
current_function: ContextVar[str] = ContextVar("current_function", default=API)

# A transaction's or batch's items, as the IAM actions that authorise them.
_TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
_S3_ACTIONS = {"CreateMultipartUpload": "PutObject", "UploadPart": "PutObject", "CompleteMultipartUpload": "PutObject"}


class Call(NamedTuple):
    function: str
    action: str  # as IAM names it: "dynamodb:PutItem", "sqs:SendMessage", "s3:GetObject" …
    resource: str  # "table:reports", "table:reports/index:by_case", "queue:checks", "bucket:exports/", "key:contacts" …


def _short(name: str, prefix: str) -> str:
    return name[len(prefix) :] if name.startswith(prefix) else name


def _dynamodb(operation: str, params: dict[str, Any], prefix: str) -> list[tuple[str, str]]:
    if operation in ("TransactWriteItems", "TransactGetItems"):
        found = []
        for item in params["TransactItems"]:
            [(kind, body)] = item.items()
            found.append(
                (f"dynamodb:{_TRANSACT_ACTIONS.get(kind, 'GetItem')}", "table:" + _short(body["TableName"], prefix))
            )
        return found
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [(f"dynamodb:{operation}", "table:" + _short(t, prefix)) for t in params["RequestItems"]]
    table = "table:" + _short(params["TableName"], prefix)
    if params.get("IndexName"):
        table += "/index:" + params["IndexName"]
    return [(f"dynamodb:{operation}", table)]


def _resource(service: str, operation: str, params: dict[str, Any], prefix: str) -> tuple[str, str]:
    if service == "sqs":
        name = params.get("QueueName") or str(params["QueueUrl"]).rsplit("/", 1)[-1]
        action = "SendMessage" if operation == "SendMessageBatch" else operation
        return f"sqs:{action}", "queue:" + _short(name, prefix)
    if service == "s3":
        return f"s3:{_S3_ACTIONS.get(operation, operation)}", _object(params, str(params.get("Key", "")))
    if service == "kms":
        return f"kms:{operation}", "key:evidence" if "evidence" in str(params.get("KeyId", "")) else "key:contacts"
    if service == "sesv2":  # sent as the verified identity of SARING_MAIL_FROM
        return f"ses:{operation}", "identity:mail-from"
    if service == "secretsmanager":
        return f"secretsmanager:{operation}", "secret:" + _short(str(params["SecretId"]), prefix)
    return f"{service}:{operation}", "*"


def _object(params: dict[str, Any], key: str) -> str:
    """``bucket:<first folder>/`` of the data bucket, ``uploads:<first folder>/`` of the uploads bucket."""
    from chalicelib.config import get_settings

    kind = "uploads:" if params.get("Bucket") == get_settings().uploads_bucket_name else "bucket:"
    return kind + (key.split("/", 1)[0] + "/" if "/" in key else key)


def _resources(service: str, operation: str, params: dict[str, Any], prefix: str) -> list[tuple[str, str]]:
    """(IAM action, resource) pairs one API call needs."""
    if service == "dynamodb":
        return _dynamodb(operation, params, prefix)
    if service == "s3" and operation == "HeadObject":  # authorised as GetObject
        return [("s3:GetObject", _object(params, str(params["Key"])))]
    if service == "s3" and operation == "CopyObject":  # reads the source, writes the copy
        source = params["CopySource"]
        return [
            ("s3:GetObject", _object(source, str(source["Key"]))),
            ("s3:PutObject", _object(params, str(params["Key"]))),
        ]
    return [_resource(service, operation, params, prefix)]


@contextmanager
def recording_aws_calls(table_prefix: str) -> Iterator[set[Call]]:
    """Every call made inside the block, through boto3 or PynamoDB, tagged with ``current_function``."""
    from botocore.client import BaseClient

    calls: set[Call] = set()
    original = BaseClient._make_api_call

    def record(self: Any, operation: str, params: dict[str, Any]) -> Any:
        service = self.meta.service_model.service_name
        for action, resource in _resources(service, operation, params, table_prefix):
            calls.add(Call(current_function.get(), action, resource))
        return original(self, operation, params)

    with mock.patch.object(BaseClient, "_make_api_call", record):
        yield calls
