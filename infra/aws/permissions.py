"""What each Lambda function may do: one table, read by the CDK stack and checked by the tests.

Resources are named as the app knows them — ``table:reports``, ``table:reports/index:by_case``,
``queue:checks``, ``bucket:exports/`` (a key prefix of the data bucket), ``uploads:incoming/`` (of
the uploads bucket), ``key:contacts``, ``secret:api-key-pepper`` — and the stack turns them into
ARNs. ``tests/integration/test_least_privilege.py`` records every
call each function makes in a day of work against the emulator: each must be granted here, and
each grant here must have been used (or be listed below with the reason the day cannot show it).
"""

from __future__ import annotations

FUNCTIONS = (
    "api",
    "report_stream",
    "check_reports",
    "deliver_webhooks",
    "spread_verdicts",
    "sweep_reports",
    "claims_changed",
    "export_daily",
    "sync_claims",
    "process_pictures",  # the picture function: its own package (a container image), not the Chalice app's
    "receive_mail",  # complaints by e-mail: SES stores each under mail/ and invokes it
    "chain_audit",  # links each new audit entry into its day's hash chain (the audit table's stream)
    "seal_audit",  # signs each WIB day's chain once the day is over
)

_GET_PUT_UPDATE = ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem")

# function → IAM action → resources
GRANTS: dict[str, dict[str, frozenset[str]]] = {
    "api": {
        "dynamodb:GetItem": frozenset(
            f"table:{t}"
            for t in ("reports", "cases", "claims", "contacts", "keys", "webhooks", "sessions", "referrals")
        )
        | {"table:audit_chain"},  # a day's seal, when an agency or admin verifies the day
        "dynamodb:UpdateItem": frozenset(f"table:{t}" for t in ("cases", "keys", "usage", "referrals", "stats")),
        "dynamodb:PutItem": frozenset(
            f"table:{t}"
            for t in ("reports", "contacts", "claims", "keys", "webhooks", "audit", "usage", "sessions", "referrals")
        )
        | {"table:deliveries"},  # a referral's webhook deliveries
        "dynamodb:DeleteItem": frozenset({"table:webhooks", "table:sessions"}),
        "dynamodb:BatchGetItem": frozenset(
            {"table:cases", "table:claims", "table:stats", "table:pictures", "table:reports"}
        ),
        "dynamodb:Query": frozenset(
            {
                "table:audit",
                "table:audit/index:by_target",
                "table:deliveries",
                "table:stats",
                "table:cases/index:by_status",
                "table:reports/index:by_case",
                "table:reports/index:by_day",
                "table:webhooks/index:by_partner",
                "table:audit_chain",
                "table:referrals/index:by_agency",
                "table:referrals/index:by_status",
            }
        ),
        "dynamodb:Scan": frozenset({"table:keys"}),  # admins list keys; a new key's partner id; keys are few
        "s3:GetObject": frozenset(
            {"bucket:claim-index/", "bucket:exports/", "bucket:evidence/", "uploads:incoming/", "uploads:pictures/"}
        ),
        "s3:PutObject": frozenset(
            {"bucket:exports/", "bucket:evidence/", "uploads:incoming/", "uploads:claim-pictures/"}
        ),
        "s3:ListBucket": frozenset({"bucket:claim-index/", "bucket:exports/", "bucket:evidence/", "uploads:incoming/"}),
        "kms:GenerateDataKey": frozenset({"key:contacts"}),
        "kms:Decrypt": frozenset({"key:contacts"}),
        "kms:Sign": frozenset({"key:evidence"}),  # evidence packages' manifests
        "kms:GetPublicKey": frozenset({"key:evidence"}),
        "secretsmanager:GetSecretValue": frozenset({"secret:api-key-pepper", "secret:edge-secret"}),
        "sqs:GetQueueUrl": frozenset({"queue:verdicts", "queue:webhooks"}),
        "sqs:SendMessage": frozenset({"queue:verdicts", "queue:webhooks"}),  # referrals' webhook events
    },
    "report_stream": {
        "dynamodb:PutItem": frozenset({"table:deliveries", "table:stats"}),
        "dynamodb:UpdateItem": frozenset({"table:stats"}),
        "dynamodb:Query": frozenset({"table:webhooks/index:by_partner"}),
        "sqs:GetQueueUrl": frozenset({"queue:checks", "queue:webhooks"}),
        "sqs:SendMessage": frozenset({"queue:checks", "queue:webhooks", "queue:report-stream-failures"}),
    },
    "check_reports": {
        "dynamodb:GetItem": frozenset({"table:cases"}),
        "dynamodb:BatchGetItem": frozenset({"table:pictures"}),
        "dynamodb:UpdateItem": frozenset({"table:reports", "table:cases"}),
        "s3:GetObject": frozenset({"bucket:claim-index/"}),
        "s3:ListBucket": frozenset({"bucket:claim-index/"}),
    },
    "deliver_webhooks": {
        "dynamodb:GetItem": frozenset({"table:webhooks", "table:deliveries"}),
        "dynamodb:UpdateItem": frozenset({"table:deliveries"}),
        "kms:Decrypt": frozenset({"key:contacts"}),
        "sqs:GetQueueUrl": frozenset({"queue:webhooks", "queue:webhooks-dlq"}),
        "sqs:ChangeMessageVisibility": frozenset({"queue:webhooks"}),
        "sqs:SendMessage": frozenset({"queue:webhooks-dlq"}),
    },
    "spread_verdicts": {
        "dynamodb:GetItem": frozenset({"table:cases"}),
        "dynamodb:UpdateItem": frozenset({"table:cases", "table:reports"}),
        "dynamodb:Query": frozenset({"table:reports/index:by_case"}),
        "sqs:GetQueueUrl": frozenset({"queue:verdicts"}),
        "sqs:SendMessage": frozenset({"queue:verdicts"}),
    },
    "sweep_reports": {
        "dynamodb:Query": frozenset({"table:reports/index:pending", "table:cases/index:applying"}),
        "sqs:GetQueueUrl": frozenset({"queue:checks", "queue:verdicts"}),
        "sqs:SendMessage": frozenset({"queue:checks", "queue:verdicts"}),
    },
    "claims_changed": {
        "dynamodb:Scan": frozenset({"table:claims"}),  # a full build (compaction) reads every claim, by design
        # a change set reads the changed claims only; an open case's pictures, to try a claim's new picture
        "dynamodb:BatchGetItem": frozenset({"table:claims", "table:pictures"}),
        "dynamodb:Query": frozenset({"table:cases/index:by_status"}),  # the open cases a new claim may answer
        "dynamodb:UpdateItem": frozenset({"table:cases"}),
        "dynamodb:PutItem": frozenset({"table:audit"}),
        "s3:GetObject": frozenset({"bucket:claim-index/"}),
        "s3:PutObject": frozenset({"bucket:claim-index/"}),
        "s3:ListBucket": frozenset({"bucket:claim-index/"}),
        "sqs:GetQueueUrl": frozenset({"queue:verdicts"}),
        "sqs:SendMessage": frozenset({"queue:report-stream-failures", "queue:verdicts"}),
    },
    "export_daily": {
        "dynamodb:Query": frozenset({"table:reports/index:by_day"}),
        "dynamodb:BatchGetItem": frozenset({"table:pictures"}),  # what a report's pictures show: hash, text read
        "s3:GetObject": frozenset({"bucket:exports/"}),
        "s3:PutObject": frozenset({"bucket:exports/"}),
        "s3:ListBucket": frozenset({"bucket:exports/"}),
    },
    "sync_claims": {
        "secretsmanager:GetSecretValue": frozenset({"secret:fact-check-api-key"}),
        "s3:GetObject": frozenset({"bucket:claim-sync/"}),
        "s3:PutObject": frozenset({"bucket:claim-sync/"}),
        "s3:ListBucket": frozenset({"bucket:claim-sync/"}),
        "dynamodb:BatchGetItem": frozenset({"table:claims"}),
        "dynamodb:BatchWriteItem": frozenset({"table:claims"}),
        "dynamodb:PutItem": frozenset({"table:audit"}),
    },
    "process_pictures": {
        "dynamodb:GetItem": frozenset({"table:pictures"}),
        "dynamodb:PutItem": frozenset({"table:pictures"}),
        "dynamodb:Query": frozenset({"table:picture_bands"}),
        "dynamodb:BatchWriteItem": frozenset({"table:picture_bands"}),
        "s3:GetObject": frozenset({"uploads:incoming/"}),
        "s3:DeleteObject": frozenset({"uploads:incoming/"}),
        "s3:ListBucket": frozenset({"uploads:incoming/"}),
        "s3:PutObject": frozenset({"uploads:pictures/"}),
    },
    "chain_audit": {
        "dynamodb:GetItem": frozenset({"table:audit", "table:audit_chain"}),
        "dynamodb:PutItem": frozenset({"table:audit_chain"}),  # a link and the day's head, in one transaction
    },
    "seal_audit": {
        "dynamodb:GetItem": frozenset({"table:audit_chain"}),
        "dynamodb:PutItem": frozenset({"table:audit_chain"}),
        "dynamodb:Query": frozenset({"table:audit"}),
        "kms:Sign": frozenset({"key:evidence"}),
        "kms:GetPublicKey": frozenset({"key:evidence"}),
    },
    "receive_mail": {
        "dynamodb:PutItem": frozenset({"table:reports"}),
        "dynamodb:UpdateItem": frozenset({"table:usage"}),  # a sender's and everyone's complaints a day
        "dynamodb:BatchGetItem": frozenset({"table:pictures"}),
        "s3:GetObject": frozenset({"bucket:mail/", "uploads:incoming/"}),
        "s3:DeleteObject": frozenset({"bucket:mail/"}),
        "s3:ListBucket": frozenset({"bucket:mail/"}),
        "s3:PutObject": frozenset({"uploads:incoming/"}),  # an e-mail's pictures, as if uploaded
        "secretsmanager:GetSecretValue": frozenset({"secret:api-key-pepper"}),
        "ses:SendEmail": frozenset({"identity:mail-from"}),
    },
}

# What the event source mappings read with the function's role (Lambda polls, not the code).
CONSUMES: dict[str, str] = {
    "report_stream": "stream:reports",
    "claims_changed": "stream:claims",
    "check_reports": "queue:checks",
    "deliver_webhooks": "queue:webhooks",
    "spread_verdicts": "queue:verdicts",
    "process_pictures": "queue:pictures",
    "chain_audit": "stream:audit",
}

# Grants the day of work cannot show, each with why it is needed and where it is exercised.
NOT_IN_SCENARIO: dict[tuple[str, str, str], str] = {
    ("api", "s3:ListBucket", "bucket:claim-index/"): "without it a missing object is 403, not 404 (no index yet)",
    ("api", "s3:ListBucket", "bucket:exports/"): "without it a day not built yet is 403, not 404",
    ("check_reports", "s3:ListBucket", "bucket:claim-index/"): "the same: no index published yet",
    ("claims_changed", "s3:ListBucket", "bucket:claim-index/"): "the same: the first change, before any index",
    ("export_daily", "s3:ListBucket", "bucket:exports/"): "the same: a day never built",
    ("sync_claims", "s3:ListBucket", "bucket:claim-sync/"): "the same: the first run has no state yet",
    ("report_stream", "sqs:SendMessage", "queue:report-stream-failures"): "on-failure destination (Lambda sends)",
    ("claims_changed", "sqs:SendMessage", "queue:report-stream-failures"): "on-failure destination (Lambda sends)",
    ("deliver_webhooks", "sqs:ChangeMessageVisibility", "queue:webhooks"): "backoff; test_webhooks retries",
    ("deliver_webhooks", "sqs:GetQueueUrl", "queue:webhooks"): "backoff; test_webhooks retries",
    ("deliver_webhooks", "sqs:GetQueueUrl", "queue:webhooks-dlq"): "parking; test_webhooks dead-letters",
    ("deliver_webhooks", "sqs:SendMessage", "queue:webhooks-dlq"): "parking; test_webhooks dead-letters",
    ("spread_verdicts", "sqs:GetQueueUrl", "queue:verdicts"): "hand-over; test_cases hands over",
    ("spread_verdicts", "sqs:SendMessage", "queue:verdicts"): "hand-over; test_cases hands over",
    ("sweep_reports", "sqs:GetQueueUrl", "queue:verdicts"): "a lost verdict; test_cases re-drives one",
    ("sweep_reports", "sqs:SendMessage", "queue:verdicts"): "a lost verdict; test_cases re-drives one",
    ("api", "s3:PutObject", "uploads:incoming/"): "signs the presigned upload the partner's app sends (no API call)",
    ("api", "s3:ListBucket", "uploads:incoming/"): "without it an id never uploaded is 403, not 404",
    ("process_pictures", "s3:ListBucket", "uploads:incoming/"): "the same: an upload already taken",
    ("export_daily", "dynamodb:BatchGetItem", "table:pictures"): "the day exported had no pictures; test_pictures has",
    ("receive_mail", "s3:ListBucket", "bucket:mail/"): "without it a message already taken is 403, not 404",
    ("api", "s3:ListBucket", "bucket:evidence/"): "without it a package not built yet is 403, not 404",
}


def grants() -> list[tuple[str, str, str]]:
    """Every (function, action, resource) granted."""
    return sorted(
        (function, action, resource)
        for function, actions in GRANTS.items()
        for action, resources in actions.items()
        for resource in resources
    )


def allowed(function: str, action: str, resource: str) -> bool:
    return resource in GRANTS.get(function, {}).get(action, frozenset())


# The encryption-context keys each function's KMS calls carry (``adapters/sealing.py``): its grants
# are conditioned on them, so the webhook function cannot open a reporter's contact.
KMS_CONTEXT_KEYS: dict[str, tuple[str, ...]] = {
    "api": ("report_id", "webhook_id"),
    "deliver_webhooks": ("webhook_id",),
}
