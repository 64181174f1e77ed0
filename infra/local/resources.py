"""Every AWS resource the app needs, created in an emulator from the app's own definitions.

Tables come from the PynamoDB models (``chalicelib.store.tables``), so the local stack, the tests
and the app can never disagree on a schema.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from secrets import token_urlsafe
from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.config import Settings
from chalicelib.store.tables import ReportRecord, create_all

CHECK_MAX_RECEIVES = 5  # deliveries of one check message before it is dead-lettered
CHECK_VISIBILITY_SECONDS = 30
WEBHOOK_VISIBILITY_SECONDS = 60  # longer than one try can take (connect and read timeouts)
VERDICT_VISIBILITY_SECONDS = 120  # longer than one run of the verdict job (it hands over before 60 s)
VERDICT_MAX_RECEIVES = 5
PICTURE_VISIBILITY_SECONDS = 60  # longer than one picture takes (Tesseract stops at 20 s)
PICTURE_MAX_RECEIVES = 3


@dataclass(frozen=True)
class Resources:
    reports_stream_arn: str
    check_queue_url: str
    check_dead_letter_queue_url: str
    webhook_queue_url: str
    webhook_dead_letter_queue_url: str
    verdict_queue_url: str
    verdict_dead_letter_queue_url: str


def create_resources(settings: Settings, check_visibility_seconds: int = CHECK_VISIBILITY_SECONDS) -> Resources:
    """Create (or find) every table, stream, queue, bucket and key; safe to call twice.

    ``check_visibility_seconds``: how long a received check message stays hidden; tests shorten
    it to see a crashed delivery come back without waiting half a minute.
    """
    create_all(settings)
    queue_url, dead_letter_url = _create_queue(
        settings.check_queue_name, settings.check_dead_letter_queue_name, check_visibility_seconds, CHECK_MAX_RECEIVES
    )
    # The delivery function parks a delivery itself after its last try; the redrive only catches
    # messages whose function crashed every time.
    webhook_url, webhook_dead_letter_url = _create_queue(
        settings.webhook_queue_name,
        settings.webhook_dead_letter_queue_name,
        WEBHOOK_VISIBILITY_SECONDS,
        settings.webhook_max_attempts + 2,
    )
    verdict_url, verdict_dead_letter_url = _create_queue(
        settings.verdict_queue_name,
        settings.verdict_dead_letter_queue_name,
        VERDICT_VISIBILITY_SECONDS,
        VERDICT_MAX_RECEIVES,
    )
    picture_url, _ = _create_queue(
        settings.picture_queue_name,
        settings.picture_dead_letter_queue_name,
        PICTURE_VISIBILITY_SECONDS,
        PICTURE_MAX_RECEIVES,
    )
    client("sqs").create_queue(QueueName=settings.stream_failure_queue_name)
    _create_bucket(settings, settings.bucket_name)
    _create_bucket(settings, settings.uploads_bucket_name)
    _notify_uploads(settings, picture_url)
    _allow_page_uploads(settings)
    _create_contacts_key(settings)
    _create_evidence_key(settings)
    _create_pepper(settings)
    stream_arn = client("dynamodb").describe_table(TableName=ReportRecord.Meta.table_name)["Table"]["LatestStreamArn"]
    return Resources(
        stream_arn,
        queue_url,
        dead_letter_url,
        webhook_url,
        webhook_dead_letter_url,
        verdict_url,
        verdict_dead_letter_url,
    )


def _create_queue(name: str, dead_letter_name: str, visibility_seconds: int, max_receives: int) -> tuple[str, str]:
    sqs = client("sqs")
    dead_letter_url = sqs.create_queue(QueueName=dead_letter_name)["QueueUrl"]
    dead_letter_arn = sqs.get_queue_attributes(QueueUrl=dead_letter_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    queue_url = sqs.create_queue(
        QueueName=name,
        Attributes={
            "VisibilityTimeout": str(visibility_seconds),
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": max_receives}),
        },
    )["QueueUrl"]
    return queue_url, dead_letter_url


def _create_pepper(settings: Settings) -> None:
    """The secrets: API key hashes are keyed with one, CloudFront proves itself with the other (never
    sent locally: there is no CloudFront, so a forged header is compared with a value nobody knows).
    Made once, kept by the snapshot."""
    secrets = client("secretsmanager")
    for name in (settings.key_pepper_secret, settings.edge_secret):
        try:
            secrets.describe_secret(SecretId=name)
        except secrets.exceptions.ResourceNotFoundException:
            secrets.create_secret(Name=name, SecretString=token_urlsafe(32))


def _create_bucket(settings: Settings, name: str) -> None:
    s3 = client("s3")
    existing = {bucket["Name"] for bucket in s3.list_buckets().get("Buckets", [])}
    if name not in existing:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": settings.region})


def _notify_uploads(settings: Settings, picture_queue_url: str) -> None:
    """Every object created under ``incoming/`` → a message on the picture queue (as on AWS)."""
    from chalicelib.adapters.uploads import INCOMING

    arn = client("sqs").get_queue_attributes(QueueUrl=picture_queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    client("s3").put_bucket_notification_configuration(
        Bucket=settings.uploads_bucket_name,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": INCOMING}]}},
                }
            ]
        },
    )


def _allow_page_uploads(settings: Settings) -> None:
    """The public page posts pictures straight to the bucket (a presigned form), so the bucket answers
    it with CORS headers. Locally any origin: the page's own address depends on the port chosen."""
    client("s3").put_bucket_cors(
        Bucket=settings.uploads_bucket_name,
        CORSConfiguration={
            "CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["POST"], "AllowedHeaders": ["*"]}]
        },
    )


def _create_evidence_key(settings: Settings) -> None:
    """The key that signs evidence packages: asymmetric, so anyone verifies with its public half."""
    kms = client("kms")
    alias = settings.evidence_key_id
    if any(known["AliasName"] == alias for known in kms.list_aliases()["Aliases"]):
        return
    key_id = kms.create_key(
        Description="Saring evidence packages (local)", KeyUsage="SIGN_VERIFY", KeySpec="ECC_NIST_P256"
    )["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=alias, TargetKeyId=key_id)


def _create_contacts_key(settings: Settings) -> Any:
    kms = client("kms")
    alias = settings.contacts_key_id
    for known in kms.list_aliases()["Aliases"]:
        if known["AliasName"] == alias:
            return known["TargetKeyId"]
    key_id = kms.create_key(Description="Saring reporter contacts (local)")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    return key_id
