"""Saring on AWS: every resource the app uses, each function with a role of its own, alarms.

Names come from the app's own settings for the stage (``saring-<stage>-…``), tables from the
PynamoDB models and roles from ``permissions.py``: the code, the local stack and AWS agree by
construction, and the tests check it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import (
    aws_cloudfront as cloudfront,
)
from aws_cdk import (
    aws_cloudfront_origins as origins,
)
from aws_cdk import (
    aws_cloudwatch as cloudwatch,
)
from aws_cdk import (
    aws_cloudwatch_actions as cloudwatch_actions,
)
from aws_cdk import (
    aws_dynamodb as dynamodb,
)
from aws_cdk import (
    aws_iam as iam,
)
from aws_cdk import (
    aws_kms as kms,
)
from aws_cdk import (
    aws_lambda as lambda_,
)
from aws_cdk import (
    aws_logs as logs,
)
from aws_cdk import (
    aws_s3 as s3,
)
from aws_cdk import (
    aws_s3_deployment as s3_deployment,
)
from aws_cdk import (
    aws_secretsmanager as secretsmanager,
)
from aws_cdk import (
    aws_ses as ses,
)
from aws_cdk import (
    aws_sns as sns,
)
from aws_cdk import (
    aws_sqs as sqs,
)
from aws_cdk import (
    aws_wafv2 as wafv2,
)
from chalice.cdk import Chalice
from constructs import Construct
from pynamodb.attributes import TTLAttribute

from chalicelib.adapters.fact_check_api import UNSET_SECRET
from chalicelib.api.access import SESSION_COOKIE
from chalicelib.config import Settings, settings_from
from chalicelib.store.tables import ALL_TABLES
from infra.aws.package import package
from infra.aws.permissions import CONSUMES, FUNCTIONS, GRANTS, KMS_CONTEXT_KEYS
from infra.web import CONSOLE, PUBLIC_PAGE, security_headers

# Function name in the app → its logical id in Chalice's SAM template.
LOGICAL_IDS = {
    "api": "APIHandler",
    "report_stream": "ReportStream",
    "check_reports": "CheckReports",
    "deliver_webhooks": "DeliverWebhooks",
    "spread_verdicts": "SpreadVerdicts",
    "sweep_reports": "SweepReports",
    "claims_changed": "ClaimsChanged",
    "export_daily": "ExportDaily",
    "sync_claims": "SyncClaims",
    "process_pictures": "ProcessPictures",  # not Chalice's: a container image function (_picture_function)
    "receive_mail": "ReceiveMail",
    "chain_audit": "ChainAudit",
    "seal_audit": "SealAudit",
}
CHALICE_FUNCTIONS = tuple(name for name in LOGICAL_IDS if name != "process_pictures")
# Per function: timeout (s) and memory (MB); a queue's visibility is six times its consumer's timeout.
SIZING = {
    "api": (29, 1024),
    "report_stream": (60, 512),
    "check_reports": (60, 1024),
    "deliver_webhooks": (30, 512),
    "spread_verdicts": (120, 512),
    "sweep_reports": (60, 512),
    "claims_changed": (300, 2048),
    "export_daily": (900, 1024),
    "sync_claims": (900, 512),
    "process_pictures": (60, 2048),  # one picture a call; Tesseract stops at 20 s
    "receive_mail": (60, 512),
    "chain_audit": (60, 512),
    "seal_audit": (60, 512),
}
# Concurrency reserved per function: a flood on the API cannot starve the pipeline, and no function
# can take the whole account. Stream consumers run one per shard and need none.
RESERVED_CONCURRENCY = {
    "api": 100,
    "check_reports": 20,
    "deliver_webhooks": 10,
    "spread_verdicts": 5,
    "sync_claims": 1,
    "process_pictures": 10,
    "receive_mail": 5,
}
UPLOADS_KEPT = cdk.Duration.days(1)  # an upload the worker never took (it deletes the ones it takes)
# What the picture function's image is built from: the app's code and requirements, nothing else.
PICTURE_IMAGE_FILES = ["*", "!chalicelib", "!requirements.txt", "!requirements-pictures.txt", "!infra/aws/pictures"]
# Requests one address may send in five minutes (WAF's window) before WAF blocks it for a while;
# a partner's key allows 600 a minute, so a partner's server stays well inside it.
REQUESTS_PER_ADDRESS_PER_5_MINUTES = 10_000
API_STAGE = "api"  # Chalice's API Gateway stage name (.chalice/config.json)
STREAM_RETRIES = 10
LOG_RETENTION = logs.RetentionDays.THREE_MONTHS
EXPORTS_KEPT = cdk.Duration.days(400)  # a year of daily exports, and a month to spare
THROTTLE_RATE, THROTTLE_BURST = 500, 1000  # requests a second across the API, per stage
# The public's routes (no key) get their own, lower ceilings: a flood of them cannot take the partners' share.
PUBLIC_THROTTLES = {
    ("/v1/public/check", "POST"): (100, 200),
    ("/v1/public/uploads", "POST"): (20, 40),
    ("/v1/public/challenge", "GET"): (50, 100),
    ("/v1/public/reports", "POST"): (20, 40),
    ("/v1/public/reports/{tracking_code}", "GET"): (50, 100),
    ("/v1/sessions", "POST"): (10, 20),  # signing in to the console: people, not programs
    ("/v1/evidence-key", "GET"): (10, 20),
}
# What WAF lets one address send to the public's routes in five minutes (the app's own limit is
# 60 a minute per address; this is the coarse layer in front of it).
PUBLIC_REQUESTS_PER_ADDRESS_PER_5_MINUTES = 500
EDGE_HEADER = "X-Saring-Edge"  # CloudFront proves with it that it forwarded the page's call (api/access.py)
# CloudFront's viewer-request function: "/console" and "/console/" serve the console's index.html, as
# the local server does (infra/web.py page_file).
DIRECTORY_INDEX = """
function handler(event) {
  var request = event.request;
  if (request.uri === '/console') { request.uri = '/console/index.html'; }
  else if (request.uri.endsWith('/')) { request.uri += 'index.html'; }
  return request;
}
"""
MAIL_KEPT = cdk.Duration.days(7)  # a message SES stored that no function took (taken ones are deleted)
PLACEHOLDER_ROLE = "arn:aws:iam::123456789012:role/replaced-by-the-stack"

_PROJECTIONS = {
    "ALL": dynamodb.ProjectionType.ALL,
    "KEYS_ONLY": dynamodb.ProjectionType.KEYS_ONLY,
    "INCLUDE": dynamodb.ProjectionType.INCLUDE,
}


def acknowledge(construct: Construct, rule: str, reason: str) -> None:
    """Accept one cdk-nag finding on one construct, saying why (the justification lives in the code)."""
    cdk.Validations.of(construct).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))


def _attribute(definitions: list[dict[str, str]], name: str) -> dynamodb.Attribute:
    kind = next(d["AttributeType"] for d in definitions if d["AttributeName"] == name)
    return dynamodb.Attribute(
        name=name, type={"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER}[kind]
    )


def _keys(
    schema: list[dict[str, str]], definitions: list[dict[str, str]]
) -> tuple[dynamodb.Attribute, dynamodb.Attribute | None]:
    """The (partition, sort) keys of a table or index schema."""
    by_type = {key["KeyType"]: _attribute(definitions, key["AttributeName"]) for key in schema}
    return by_type["HASH"], by_type.get("RANGE")


class SaringStack(cdk.Stack):
    """One stage of Saring."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        alarm_email: str | None = None,
        mail_domain: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.settings: Settings = settings_from({"SARING_STAGE": stage, "AWS_REGION": self.region})
        self.stage = stage
        self.tables = {model.short_name: self._table(model) for model in ALL_TABLES}
        self.queues = self._queues()
        self.bucket = self._bucket()
        self.uploads = self._uploads_bucket()
        self.contacts_key = kms.Key(
            self,
            "ContactsKey",
            alias=self.settings.contacts_key_id.removeprefix("alias/"),
            description="Saring: reporter contacts and webhook secrets (envelope encryption)",
            enable_key_rotation=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.pepper = self._secret(
            "ApiKeyPepper",
            self.settings.key_pepper_secret,
            "Keys the stored hashes of API keys",
            "Rotating the pepper would invalidate the stored hash of every API key; it is changed by re-keying.",
            generated_length=48,
        )
        # The operator puts the Fact Check Tools API key here; until then the claim sync does nothing.
        self.fact_check_key = self._secret(
            "FactCheckApiKey",
            self.settings.fact_check_key_secret,
            "Google Fact Check Tools API key of the claim sync ('unset' until an operator sets it)",
            "An API key issued by Google: the operator replaces it there and here; no Lambda can rotate it.",
        )
        # Signs evidence packages: asymmetric, so anyone verifies them with its public half, offline.
        self.evidence_key = kms.Key(
            self,
            "EvidenceKey",
            alias=self.settings.evidence_key_id.removeprefix("alias/"),
            description="Saring: signs evidence packages of referrals (ECDSA P-256)",
            key_spec=kms.KeySpec.ECC_NIST_P256,
            key_usage=kms.KeyUsage.SIGN_VERIFY,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        # CloudFront sends it with the page's API calls; the API then trusts CloudFront's viewer address.
        self.edge_secret = self._secret(
            "EdgeSecret",
            self.settings.edge_secret,
            "Sent by CloudFront with the public page's API calls, proving it forwarded them",
            "CloudFront's origin header holds it; it is changed by a deploy that replaces both, not by a rotation.",
            generated_length=40,
        )
        self.mail_from = f"aduan@{mail_domain}" if mail_domain else self.settings.mail_from
        self.log_groups = {
            name: logs.LogGroup(
                self,
                f"Logs{LOGICAL_IDS[name]}",
                log_group_name=f"/aws/lambda/saring-{stage}-{name}",
                retention=LOG_RETENTION,
                removal_policy=cdk.RemovalPolicy.RETAIN,
            )
            for name in FUNCTIONS
        }
        self.roles = {name: self._role(name) for name in FUNCTIONS}
        self.app = self._chalice_app()
        self.picture_function = self._picture_function()
        self.distribution = self._public_page()
        if mail_domain:
            self._mail(mail_domain)
        self.alarm_topic = sns.Topic(
            self,
            "Alarms",
            display_name=f"Saring {stage} alarms",
            enforce_ssl=True,
            master_key=kms.Alias.from_alias_name(self, "SnsKey", "alias/aws/sns"),
        )
        if alarm_email:
            sns.Subscription(
                self, "AlarmMail", topic=self.alarm_topic, endpoint=alarm_email, protocol=sns.SubscriptionProtocol.EMAIL
            )
        self._alarms()
        cdk.CfnOutput(self, "AlarmTopicArn", value=self.alarm_topic.topic_arn)
        cdk.CfnOutput(self, "BucketName", value=self.bucket.bucket_name)
        cdk.CfnOutput(self, "UploadsBucketName", value=self.uploads.bucket_name)
        cdk.CfnOutput(self, "PublicPageUrl", value=f"https://{self.distribution.distribution_domain_name}/")

    def _secret(
        self, construct_id: str, name: str, description: str, why_not_rotated: str, generated_length: int = 0
    ) -> secretsmanager.Secret:
        """A retained secret: generated (``generated_length`` characters), or ``unset`` for an operator to fill."""
        secret = secretsmanager.Secret(
            self,
            construct_id,
            secret_name=name,
            description=description,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                exclude_punctuation=True, password_length=generated_length
            )
            if generated_length
            else None,
            secret_string_value=None if generated_length else cdk.SecretValue.unsafe_plain_text(UNSET_SECRET),
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        acknowledge(secret, "AwsSolutions-SMG4", why_not_rotated)
        return secret

    # --- data

    def _table(self, model: Any) -> dynamodb.Table:
        schema = model._get_schema()
        definitions = schema["attribute_definitions"]
        ttl = next((name for name, attr in model.get_attributes().items() if isinstance(attr, TTLAttribute)), None)
        stream = getattr(model.Meta, "stream_view_type", None)
        partition, sort = _keys(schema["key_schema"], definitions)
        table = dynamodb.Table(
            self,
            f"Table{model.short_name.title()}",
            table_name=self.settings.table_name(model.short_name),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
            time_to_live_attribute=ttl,
            stream=dynamodb.StreamViewType(stream) if stream else None,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            partition_key=partition,
            sort_key=sort,
        )
        for index in schema.get("global_secondary_indexes", []):
            projection = index["projection"]
            index_partition, index_sort = _keys(index["key_schema"], index["attribute_definitions"])
            table.add_global_secondary_index(
                index_name=index["index_name"],
                projection_type=_PROJECTIONS[projection["ProjectionType"]],
                non_key_attributes=projection.get("NonKeyAttributes"),
                partition_key=index_partition,
                sort_key=index_sort,
            )
        return table

    def _queue(self, name: str, visibility: int, max_receives: int) -> sqs.Queue:
        dead_letters = sqs.Queue(
            self,
            f"Queue{name.title()}Dlq",
            queue_name=f"{self.settings.table_prefix}{name}-dlq",
            retention_period=cdk.Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        acknowledge(dead_letters, "AwsSolutions-SQS3", "It is the dead-letter queue.")
        return sqs.Queue(
            self,
            f"Queue{name.title()}",
            queue_name=f"{self.settings.table_prefix}{name}",
            visibility_timeout=cdk.Duration.seconds(visibility),
            retention_period=cdk.Duration.days(4),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letters, max_receive_count=max_receives),
        )

    def _queues(self) -> dict[str, sqs.IQueue]:
        consumed = {
            "checks": self._queue("checks", 6 * SIZING["check_reports"][0], 5),
            # The delivery function parks a delivery itself after its last try; the redrive only
            # catches messages whose function crashed every time.
            "webhooks": self._queue(
                "webhooks", 6 * SIZING["deliver_webhooks"][0], self.settings.webhook_max_attempts + 2
            ),
            "verdicts": self._queue("verdicts", 6 * SIZING["spread_verdicts"][0], 5),
            "pictures": self._queue("pictures", 6 * SIZING["process_pictures"][0], 3),
        }
        queues: dict[str, sqs.IQueue] = dict(consumed)
        for name, queue in consumed.items():
            dead = queue.dead_letter_queue
            assert dead is not None
            queues[f"{name}-dlq"] = dead.queue
        failures = sqs.Queue(
            self,
            "QueueStreamFailures",
            queue_name=self.settings.stream_failure_queue_name,
            retention_period=cdk.Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        acknowledge(failures, "AwsSolutions-SQS3", "It is the streams' on-failure destination: a dead end.")
        queues["report-stream-failures"] = failures
        return queues

    def _bucket(self) -> s3.Bucket:
        self.access_logs = access_logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(90))],
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        acknowledge(access_logs, "AwsSolutions-S1", "It is the access-log bucket; logging it would loop.")
        return s3.Bucket(
            self,
            "Data",
            bucket_name=self.settings.bucket_name,
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="data/",
            removal_policy=cdk.RemovalPolicy.RETAIN,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="exports",
                    prefix="exports/",
                    expiration=EXPORTS_KEPT,
                    noncurrent_version_expiration=cdk.Duration.days(30),
                ),
                # Each index build writes a new snapshot; only the pointed-to one is read.
                s3.LifecycleRule(
                    id="claim-index",
                    prefix="claim-index/",
                    expiration=cdk.Duration.days(30),
                    noncurrent_version_expiration=cdk.Duration.days(7),
                ),
                s3.LifecycleRule(id="uploads", abort_incomplete_multipart_upload_after=cdk.Duration.days(1)),
                # Complaints by e-mail: taken and deleted at once; a copy left over, or a deleted
                # version, holds a sender's address and goes soon (minimisation).
                s3.LifecycleRule(
                    id="mail",
                    prefix="mail/",
                    expiration=MAIL_KEPT,
                    noncurrent_version_expiration=cdk.Duration.days(1),
                ),
            ],
        )

    def _uploads_bucket(self) -> s3.Bucket:
        """Pictures: uploads as sent (taken and deleted by the picture function), clean copies, claims' pictures.

        KMS-encrypted, never public; a report's picture is deleted after the retention period, an
        upload nobody took after a day. Every upload under ``incoming/`` is announced on the
        picture queue (configured on the bucket itself, so no custom resource is needed).
        """
        bucket = s3.Bucket(
            self,
            "Uploads",
            bucket_name=self.settings.uploads_bucket_name,
            encryption=s3.BucketEncryption.KMS_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="uploads/",
            removal_policy=cdk.RemovalPolicy.RETAIN,
            lifecycle_rules=[
                s3.LifecycleRule(id="incoming", prefix="incoming/", expiration=UPLOADS_KEPT),
                s3.LifecycleRule(
                    id="report-pictures",
                    prefix="pictures/",
                    expiration=cdk.Duration.days(self.settings.picture_retention_days),
                ),
                s3.LifecycleRule(id="unfinished", abort_incomplete_multipart_upload_after=cdk.Duration.days(1)),
            ],
        )
        queue = self.queues["pictures"]
        source_arn = f"arn:{self.partition}:s3:::{self.settings.uploads_bucket_name}"
        policy = sqs.CfnQueuePolicy(
            self,
            "PictureQueueFromUploads",
            queues=[queue.queue_url],
            policy_document={
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "s3.amazonaws.com"},
                        "Action": "sqs:SendMessage",
                        "Resource": queue.queue_arn,
                        "Condition": {
                            "ArnEquals": {"aws:SourceArn": source_arn},
                            "StringEquals": {"aws:SourceAccount": self.account},
                        },
                    }
                ],
            },
        )
        cfn = bucket.node.default_child
        assert isinstance(cfn, s3.CfnBucket)
        cfn.add_property_override(
            "NotificationConfiguration.QueueConfigurations",
            [
                {
                    "Event": "s3:ObjectCreated:*",
                    "Queue": queue.queue_arn,
                    "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "incoming/"}]}},
                }
            ],
        )
        cfn.add_dependency(policy)  # S3 checks that it may send before it saves the configuration
        return bucket

    def _picture_function(self) -> lambda_.DockerImageFunction:
        """The picture function: a container image of its own (Tesseract is a Debian package), fed by its queue."""
        timeout, memory = SIZING["process_pictures"]
        function = lambda_.DockerImageFunction(
            self,
            LOGICAL_IDS["process_pictures"],
            function_name=f"saring-{self.stage}-process_pictures",
            code=lambda_.DockerImageCode.from_image_asset(
                str(Path(__file__).resolve().parents[2]),
                file="infra/aws/pictures/Dockerfile",
                exclude=PICTURE_IMAGE_FILES,
                ignore_mode=cdk.IgnoreMode.DOCKER,
            ),
            role=self.roles["process_pictures"],
            timeout=cdk.Duration.seconds(timeout),
            memory_size=memory,
            reserved_concurrent_executions=RESERVED_CONCURRENCY["process_pictures"],
            environment={"SARING_STAGE": self.stage},
            log_group=self.log_groups["process_pictures"],
        )
        # The role is referenced (GetAtt) already: an explicit DependsOn on it is redundant (cfn-lint W3005).
        cfn = function.node.default_child
        assert isinstance(cfn, lambda_.CfnFunction)
        cfn.add_deletion_override("DependsOn")
        lambda_.EventSourceMapping(
            self,
            "ProcessPicturesQueue",
            target=function,
            event_source_arn=self.queues["pictures"].queue_arn,
            batch_size=1,
            report_batch_item_failures=True,
        )
        return function

    # --- functions

    def _arn(self, resource: str) -> list[str]:
        """The ARNs a resource of ``permissions.py`` stands for."""
        kind, _, name = resource.partition(":")
        if kind == "table":
            table, _, index = name.partition("/index:")
            arn = self.tables[table].table_arn
            return [f"{arn}/index/{index}"] if index else [arn]
        if kind == "stream":
            stream = self.tables[name].table_stream_arn
            assert stream is not None
            return [stream]
        if kind == "identity":  # SES: the sender address of answers, and its domain (whichever is verified)
            identity = f"arn:{self.partition}:ses:{self.region}:{self.account}:identity/"
            return [identity + self.mail_from, identity + self.mail_from.split("@", 1)[1]]
        named: dict[str, dict[str, Any]] = {
            "queue": {queue: self.queues[queue].queue_arn for queue in self.queues},
            "key": {"contacts": self.contacts_key.key_arn, "evidence": self.evidence_key.key_arn},
            "secret": {
                "api-key-pepper": self.pepper.secret_arn,
                "fact-check-api-key": self.fact_check_key.secret_arn,
                "edge-secret": self.edge_secret.secret_arn,
            },
            "bucket": {name: self.bucket.arn_for_objects(f"{name}*")},
            "uploads": {name: self.uploads.arn_for_objects(f"{name}*")},
        }
        if name not in named.get(kind, {}):
            raise ValueError(f"unknown resource in {resource}")
        return [named[kind][name]]

    def _statements(self, name: str) -> list[iam.PolicyStatement]:
        statements = []
        for action, resources in sorted(GRANTS[name].items()):
            if action == "s3:ListBucket":
                for kind, bucket in (("bucket:", self.bucket), ("uploads:", self.uploads)):
                    prefixes = sorted(r.removeprefix(kind) + "*" for r in resources if r.startswith(kind))
                    if prefixes:
                        statements.append(
                            iam.PolicyStatement(
                                actions=[action],
                                resources=[bucket.bucket_arn],
                                conditions={"StringLike": {"s3:prefix": prefixes}},
                            )
                        )
                continue
            arns = [arn for resource in sorted(resources) for arn in self._arn(resource)]
            conditions = None
            if action in ("kms:GenerateDataKey", "kms:Decrypt", "kms:Encrypt"):
                # The key opens only what is sealed for this function's own kind of item.
                conditions = {
                    "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": list(KMS_CONTEXT_KEYS[name])},
                    "Null": {"kms:EncryptionContextKeys": "false"},
                }
            statements.append(iam.PolicyStatement(actions=[action], resources=arns, conditions=conditions))
        consumed = CONSUMES.get(name)
        if consumed and consumed.startswith("queue:"):
            statements.append(
                iam.PolicyStatement(
                    actions=["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                    resources=self._arn(consumed),
                )
            )
        elif consumed:
            statements.append(
                iam.PolicyStatement(
                    actions=["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
                    resources=self._arn(consumed),
                )
            )
            # ListStreams has no resource-level permissions: AWS requires "*" for it.
            statements.append(iam.PolicyStatement(actions=["dynamodb:ListStreams"], resources=["*"]))
        log_group = self.log_groups[name].log_group_arn
        statements.append(
            iam.PolicyStatement(actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group])
        )
        return statements

    def _role(self, name: str) -> iam.Role:
        role = iam.Role(
            self,
            f"Role{LOGICAL_IDS[name]}",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Saring {self.stage}: the {name} function, exactly what it calls",
            inline_policies={"saring": iam.PolicyDocument(statements=self._statements(name))},
        )
        for kind, bucket_construct in (("bucket:", self.bucket), ("uploads:", self.uploads)):
            bucket = self.get_logical_id(bucket_construct.node.default_child)
            for prefix in sorted(
                {r.removeprefix(kind) for rs in GRANTS[name].values() for r in rs if r.startswith(kind)}
            ):
                acknowledge(
                    role,
                    f"AwsSolutions-IAM5[Resource::<{bucket}.Arn>/{prefix}*]",
                    f"The objects under {prefix}: the files this function reads or writes, named per day, build "
                    "or upload.",
                )
        if CONSUMES.get(name, "").startswith("stream:"):
            acknowledge(
                role, "AwsSolutions-IAM5[Resource::*]", "dynamodb:ListStreams has no resource-level permission."
            )
        return role

    def _stage_config(self) -> dict[str, Any]:
        return {
            "manage_iam_role": False,
            "iam_role_arn": PLACEHOLDER_ROLE,  # each function's own role replaces it below
            "environment_variables": {"SARING_STAGE": self.stage},
        }

    def _chalice_app(self) -> Chalice:
        stage = self.stage
        config = self._stage_config()

        class CompiledChalice(Chalice):
            """Chalice's construct, packaged offline with compiled bytecode (``package.py``)."""

            def _package_app(self) -> None:
                package(stage, Path(self._sam_package_dir), config)

        app = CompiledChalice(self, "App", source_dir=str(Path(__file__).resolve().parents[2]), stage_config=config)
        for name in CHALICE_FUNCTIONS:
            function = app.get_resource(LOGICAL_IDS[name])
            function.add_property_override("Role", self.roles[name].role_arn)
            function.add_property_override("LoggingConfig", {"LogGroup": self.log_groups[name].log_group_name})
            function.add_property_override("FunctionName", f"saring-{stage}-{name}")
            timeout, memory = SIZING[name]
            function.add_property_override("Timeout", timeout)
            function.add_property_override("MemorySize", memory)
            if name in RESERVED_CONCURRENCY:
                function.add_property_override("ReservedConcurrentExecutions", RESERVED_CONCURRENCY[name])
        self._event_sources(app)
        api = app.get_resource("RestAPI")
        # Regional, not edge-optimised: the callers are in Indonesia, and WAF attaches to a regional stage.
        api.add_property_override("EndpointConfiguration", {"Type": "REGIONAL"})
        api.add_property_override(
            "AccessLogSetting",
            {"DestinationArn": self._access_logs().log_group_arn, "Format": json.dumps(ACCESS_LOG_FORMAT)},
        )
        self._firewall(api)
        api.add_property_override(
            "MethodSettings",
            [
                {
                    "ResourcePath": "/*",
                    "HttpMethod": "*",
                    "ThrottlingRateLimit": THROTTLE_RATE,
                    "ThrottlingBurstLimit": THROTTLE_BURST,
                    "MetricsEnabled": True,
                },
                *(
                    {
                        "ResourcePath": path.replace("/", "~1"),
                        "HttpMethod": method,
                        "ThrottlingRateLimit": rate,
                        "ThrottlingBurstLimit": burst,
                        "MetricsEnabled": True,
                    }
                    for (path, method), (rate, burst) in PUBLIC_THROTTLES.items()
                ),
            ],
        )
        not_found = {
            "type": "about:blank",
            "title": "Not Found",
            "status": 404,
            "detail": "There is no such endpoint; see /v1/openapi.json.",
        }
        api.add_property_override(
            "GatewayResponses",
            {
                # API Gateway answers a path it does not know with a 403 "Missing Authentication Token".
                "MISSING_AUTHENTICATION_TOKEN": {
                    "StatusCode": 404,
                    "ResponseParameters": {"Headers": {"Content-Type": "'application/problem+json'"}},
                    "ResponseTemplates": {"application/json": json.dumps(not_found)},
                }
            },
        )
        return app

    def _access_logs(self) -> logs.LogGroup:
        """Where API Gateway writes one line a request (no headers, no bodies: no key, no personal data)."""
        group = logs.LogGroup(
            self,
            "ApiAccessLogs",
            log_group_name=f"/saring/{self.stage}/api-access",
            retention=LOG_RETENTION,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        # API Gateway writes logs through one role per account and region.
        role = iam.Role(
            self,
            "ApiGatewayLogsRole",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AmazonAPIGatewayPushToCloudWatchLogs")
            ],
        )
        acknowledge(
            role,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
            "AWS's own policy for API Gateway's account-wide logging role: it may create any log group it logs to.",
        )
        account = apigateway_account(self, role)
        self.api_logs_account = account
        return group

    def _firewall(self, api: Any) -> None:
        """WAF in front of the API stage: a rate limit per address, and AWS's lists of bad inputs and addresses."""

        def visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
            return wafv2.CfnWebACL.VisibilityConfigProperty(
                cloud_watch_metrics_enabled=True,
                metric_name=f"saring-{self.stage}-{name}",
                sampled_requests_enabled=True,
            )

        def managed(priority: int, name: str) -> wafv2.CfnWebACL.RuleProperty:
            return wafv2.CfnWebACL.RuleProperty(
                name=name,
                priority=priority,
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS", name=name
                    )
                ),
                visibility_config=visibility(name),
            )

        # The page's calls come through CloudFront: their source is an edge server that speaks for many
        # people, so the rate rules count direct callers only (the app counts CloudFront's viewers).
        direct = wafv2.CfnWebACL.StatementProperty(
            not_statement=wafv2.CfnWebACL.NotStatementProperty(
                statement=wafv2.CfnWebACL.StatementProperty(
                    size_constraint_statement=wafv2.CfnWebACL.SizeConstraintStatementProperty(
                        field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(
                            single_header={"Name": EDGE_HEADER.lower()}
                        ),
                        comparison_operator="GT",
                        size=0,
                        text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")],
                    )
                )
            )
        )
        public_routes = wafv2.CfnWebACL.StatementProperty(
            byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
                positional_constraint="CONTAINS",
                search_string="/v1/public/",
                text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="LOWERCASE")],
            )
        )

        def rate_rule(name: str, priority: int, limit: int, *only: Any) -> wafv2.CfnWebACL.RuleProperty:
            scope = (
                only[0]
                if len(only) == 1
                else wafv2.CfnWebACL.StatementProperty(
                    and_statement=wafv2.CfnWebACL.AndStatementProperty(statements=list(only))
                )
            )
            return wafv2.CfnWebACL.RuleProperty(
                name=name,
                priority=priority,
                action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                        limit=limit, aggregate_key_type="IP", scope_down_statement=scope
                    )
                ),
                visibility_config=visibility(name),
            )

        per_address = rate_rule("requests-per-address", 0, REQUESTS_PER_ADDRESS_PER_5_MINUTES, direct)
        public_per_address = rate_rule(
            "public-requests-per-address", 3, PUBLIC_REQUESTS_PER_ADDRESS_PER_5_MINUTES, direct, public_routes
        )
        acl = wafv2.CfnWebACL(
            self,
            "ApiFirewall",
            name=f"saring-{self.stage}-api",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=[
                per_address,
                managed(1, "AWSManagedRulesAmazonIpReputationList"),
                managed(2, "AWSManagedRulesKnownBadInputsRuleSet"),
                public_per_address,
            ],
            visibility_config=visibility("api"),
        )
        association = wafv2.CfnWebACLAssociation(
            self,
            "ApiFirewallAssociation",
            resource_arn=f"arn:{self.partition}:apigateway:{self.region}::/restapis/{api.ref}/stages/{API_STAGE}",
            web_acl_arn=acl.attr_arn,
        )
        # The stage is made by SAM's transform from the API: the association waits for it.
        association.add_override("DependsOn", [f"RestAPI{API_STAGE}Stage"])

    def _public_page(self) -> cloudfront.Distribution:
        """The public page: ``web/public`` in a private bucket behind CloudFront, the API under ``/v1/*``.

        One origin for the page and its API calls, so no CORS; CloudFront adds the viewer's address
        and the edge secret to each API call (``api/access.py`` trusts the one only with the other).
        The page's headers are the local server's (``infra/web.py``); pictures go straight to the
        uploads bucket, whose CORS lets this origin post.
        """
        site = s3.Bucket(
            self,
            "PublicPage",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="page/",
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        uploads_origin = f"https://{self.settings.uploads_bucket_name}.s3.{self.region}.amazonaws.com"
        headers = security_headers(uploads_origin)
        policy = cloudfront.ResponseHeadersPolicy(
            self,
            "PublicPageHeaders",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=headers["Content-Security-Policy"], override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
                ),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=cdk.Duration.days(365), include_subdomains=True, override=True
                ),
            ),
            custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(
                custom_headers=[
                    cloudfront.ResponseCustomHeader(header=name, value=value, override=True)
                    for name, value in headers.items()
                    if name in ("Permissions-Policy", "Cross-Origin-Opener-Policy")
                ]
            ),
        )
        api_calls = cloudfront.OriginRequestPolicy(
            self,
            "PublicApiCalls",
            comment="The pages' API calls: their own headers, the viewer's address, the console's session only",
            header_behavior=cloudfront.OriginRequestHeaderBehavior.allow_list(
                "Accept",
                "Content-Type",
                "Idempotency-Key",
                "X-Api-Key",
                "X-CSRF-Token",
                "X-Request-Id",
                "CloudFront-Viewer-Address",
            ),
            query_string_behavior=cloudfront.OriginRequestQueryStringBehavior.all(),
            cookie_behavior=cloudfront.OriginRequestCookieBehavior.allow_list(SESSION_COOKIE),
        )
        api_domain = f"{self.app.get_resource('RestAPI').ref}.execute-api.{self.region}.amazonaws.com"
        edge_proof = self.edge_secret.secret_value.unsafe_unwrap()  # a dynamic reference, resolved at deploy
        distribution = cloudfront.Distribution(
            self,
            "PublicPageDistribution",
            comment=f"Saring {self.stage}: the public page and its API calls",
            default_root_object="index.html",
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            price_class=cloudfront.PriceClass.PRICE_CLASS_200,  # includes the edges in Indonesia
            enable_logging=True,
            log_bucket=self.access_logs,
            log_file_prefix="cloudfront/",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(site),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                response_headers_policy=policy,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=cloudfront.Function(
                            self,
                            "PageIndexes",
                            comment="A folder's address serves its index.html (the console at /console/)",
                            code=cloudfront.FunctionCode.from_inline(DIRECTORY_INDEX),
                            runtime=cloudfront.FunctionRuntime.JS_2_0,
                        ),
                        event_type=cloudfront.FunctionEventType.VIEWER_REQUEST,
                    )
                ],
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                compress=True,
            ),
            additional_behaviors={
                "/v1/*": cloudfront.BehaviorOptions(
                    origin=origins.HttpOrigin(
                        api_domain, origin_path=f"/{API_STAGE}", custom_headers={EDGE_HEADER: edge_proof}
                    ),
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    origin_request_policy=api_calls,
                )
            },
        )
        acknowledge(distribution, "AwsSolutions-CFR1", "The page is for everyone: no country is refused.")
        acknowledge(
            distribution,
            "AwsSolutions-CFR2",
            "WAF for CloudFront lives in us-east-1: the API stage's regional WAF and the app's per-address "
            "limits hold the page's calls; the page itself is static files.",
        )
        acknowledge(
            distribution,
            "AwsSolutions-CFR4",
            "The default cloudfront.net certificate cannot refuse old TLS; a custom domain's certificate sets TLS 1.2.",
        )
        s3_deployment.BucketDeployment(
            self,
            "PublicPageFiles",
            sources=[s3_deployment.Source.asset(str(PUBLIC_PAGE))],
            destination_bucket=site,
            exclude=["console/*"],  # the console's files are deployed (and pruned) by their own deployment
            distribution=distribution,
            memory_limit=256,
        )
        s3_deployment.BucketDeployment(
            self,
            "ConsoleFiles",
            sources=[s3_deployment.Source.asset(str(CONSOLE))],
            destination_bucket=site,
            destination_key_prefix="console/",
            distribution=distribution,
            memory_limit=256,
        )
        # CDK's own function copies the files at deploy time (a singleton of the stack): its grants are CDK's.
        [copier] = [child for child in self.node.children if child.node.id.startswith("Custom::CDKBucketDeployment")]
        site_arn = f"<{self.get_logical_id(site.node.default_child)}.Arn>"
        assets = f"arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-{self.region}/*"
        copying = "CDK's deployment function reads the page's asset and replaces the page's files with it."
        for rule, reason in (
            (
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
                "CDK's deployment function logs with AWS's basic execution policy.",
            ),
            *(
                (f"AwsSolutions-IAM5[{finding}]", copying)
                for finding in (
                    "Action::s3:GetObject*",
                    "Action::s3:GetBucket*",
                    "Action::s3:List*",
                    "Action::s3:DeleteObject*",
                    "Action::s3:Abort*",
                    f"Resource::{assets}",
                    f"Resource::{site_arn}/*",
                    "Resource::*",
                )
            ),
            ("AwsSolutions-L1", "CDK picks the deployment function's runtime with the CDK release, not this stack."),
        ):
            acknowledge(copier, rule, reason)
        copier_function = copier.node.default_child
        assert isinstance(copier_function, lambda_.CfnFunction)
        copier_function.add_deletion_override("DependsOn")  # its role is referenced already (cfn-lint W3005)
        # The page posts pictures straight to the uploads bucket (a presigned form). The origin is any
        # CloudFront domain: naming this distribution's would make a cycle (its API's roles name the
        # bucket), and CORS only lets a page read the answer; the presigned policy decides what is stored.
        uploads = self.uploads.node.default_child
        assert isinstance(uploads, s3.CfnBucket)
        uploads.add_property_override(
            "CorsConfiguration.CorsRules",
            [
                {
                    "AllowedMethods": ["POST"],
                    "AllowedOrigins": ["https://*.cloudfront.net"],
                    "AllowedHeaders": ["*"],
                    "MaxAge": 3600,
                }
            ],
        )
        receive_mail = self.app.get_resource(LOGICAL_IDS["receive_mail"])
        receive_mail.add_property_override(
            "Environment.Variables",
            {
                "SARING_STAGE": self.stage,
                "SARING_MAIL_FROM": self.mail_from,
                "SARING_PUBLIC_PAGE_URL": f"https://{distribution.distribution_domain_name}/",
            },
        )
        return distribution

    def _mail(self, domain: str) -> None:
        """Complaints by e-mail to ``aduan@<domain>``: SES stores each under ``mail/incoming/``, then invokes
        ``receive_mail``. The domain's MX record and activating the rule set are the operator's (docs)."""
        function = self.app.get_resource(LOGICAL_IDS["receive_mail"])
        self.bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="SesStoresComplaintMail",
                principals=[iam.ServicePrincipal("ses.amazonaws.com")],
                actions=["s3:PutObject"],
                resources=[self.bucket.arn_for_objects("mail/incoming/*")],
                conditions={"StringEquals": {"aws:SourceAccount": self.account}},
            )
        )
        permission = lambda_.CfnPermission(
            self,
            "SesInvokesReceiveMail",
            action="lambda:InvokeFunction",
            function_name=function.ref,
            principal="ses.amazonaws.com",
            source_account=self.account,
        )
        rule_set = ses.CfnReceiptRuleSet(self, "MailRules", rule_set_name=f"saring-{self.stage}")
        rule = ses.CfnReceiptRule(
            self,
            "ComplaintMail",
            rule_set_name=rule_set.ref,
            rule=ses.CfnReceiptRule.RuleProperty(
                name="complaints",
                enabled=True,
                recipients=[f"aduan@{domain}"],
                scan_enabled=True,  # SES's spam and virus verdicts reach the function (a virus is dropped unread)
                tls_policy="Require",
                actions=[
                    ses.CfnReceiptRule.ActionProperty(
                        s3_action=ses.CfnReceiptRule.S3ActionProperty(
                            bucket_name=self.bucket.bucket_name, object_key_prefix="mail/incoming/"
                        )
                    ),
                    ses.CfnReceiptRule.ActionProperty(
                        lambda_action=ses.CfnReceiptRule.LambdaActionProperty(
                            function_arn=function.get_att("Arn").to_string(), invocation_type="Event"
                        )
                    ),
                ],
            ),
        )
        rule.add_dependency(permission)
        bucket_policy = self.bucket.policy
        assert bucket_policy is not None
        rule.node.add_dependency(bucket_policy)  # SES checks it may write before it saves the rule
        cdk.CfnOutput(self, "ComplaintMailAddress", value=f"aduan@{domain}")

    def _event_sources(self, app: Chalice) -> None:
        queues = {"check_reports": "checks", "deliver_webhooks": "webhooks", "spread_verdicts": "verdicts"}
        for name, queue in queues.items():
            event = f"Events.{LOGICAL_IDS[name]}SqsEventSource.Properties"
            function = app.get_resource(LOGICAL_IDS[name])
            function.add_property_override(f"{event}.Queue", self.queues[queue].queue_arn)
            # Chalice never asks for partial batch responses: without this a failed message is deleted.
            function.add_property_override(f"{event}.FunctionResponseTypes", ["ReportBatchItemFailures"])
        streams = {"report_stream": "reports", "claims_changed": "claims", "chain_audit": "audit"}
        for name, table in streams.items():
            event = f"Events.{LOGICAL_IDS[name]}DynamodbEventSource.Properties"
            function = app.get_resource(LOGICAL_IDS[name])
            function.add_property_override(f"{event}.Stream", self.tables[table].table_stream_arn)
            function.add_property_override(f"{event}.FunctionResponseTypes", ["ReportBatchItemFailures"])
            function.add_property_override(f"{event}.MaximumRetryAttempts", STREAM_RETRIES)
            function.add_property_override(f"{event}.BisectBatchOnFunctionError", True)
            function.add_property_override(
                f"{event}.DestinationConfig",
                {"OnFailure": {"Type": "SQS", "Destination": self.queues["report-stream-failures"].queue_arn}},
            )

    # --- alarms

    def _alarm(self, name: str, metric: cloudwatch.IMetric, threshold: float, description: str) -> None:
        alarm = cloudwatch.Alarm(
            self,
            f"Alarm{name}",
            alarm_name=f"saring-{self.stage}-{name}",
            alarm_description=description,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(cloudwatch_actions.SnsAction(self.alarm_topic))

    def _alarms(self) -> None:
        five_minutes = cdk.Duration.minutes(5)
        for queue in ("checks-dlq", "webhooks-dlq", "verdicts-dlq", "pictures-dlq", "report-stream-failures"):
            self._alarm(
                f"{queue.title().replace('-', '')}Depth",
                self.queues[queue].metric_approximate_number_of_messages_visible(
                    period=five_minutes, statistic="Maximum"
                ),
                1,
                f"Messages in {queue}: work that failed every try and needs an operator.",
            )
        self._alarm(
            "OldestUncheckedReport",
            self.queues["checks"].metric_approximate_age_of_oldest_message(period=five_minutes, statistic="Maximum"),
            self.settings.stale_after_seconds,
            "A report has waited longer than the sweep's stale time for its check.",
        )
        for name in FUNCTIONS:
            dimensions = {"FunctionName": f"saring-{self.stage}-{name}"}
            for metric_name, threshold in (("Errors", 1), ("Throttles", 1)):
                self._alarm(
                    f"{LOGICAL_IDS[name]}{metric_name}",
                    cloudwatch.Metric(
                        namespace="AWS/Lambda",
                        metric_name=metric_name,
                        dimensions_map=dimensions,
                        period=five_minutes,
                        statistic="Sum",
                    ),
                    threshold,
                    f"The {name} function: {metric_name.lower()} in the last five minutes.",
                )
        sync_hours = self.settings.fact_check_sync_hours
        sync_failed = cloudwatch.Metric(
            namespace=self.settings.metrics_namespace,
            metric_name="ClaimSyncFailed",
            dimensions_map={"service": "saring"},
            period=cdk.Duration.hours(sync_hours),
            statistic="Sum",
        )
        alarm = cloudwatch.Alarm(
            self,
            "AlarmClaimSyncFailing",
            alarm_name=f"saring-{self.stage}-ClaimSyncFailing",
            alarm_description="The claim sync failed on two runs in a row (the API, its key, or its answers).",
            metric=sync_failed,
            threshold=1,
            evaluation_periods=2,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(cloudwatch_actions.SnsAction(self.alarm_topic))
        for name in ("report_stream", "claims_changed"):
            self._alarm(
                f"{LOGICAL_IDS[name]}IteratorAge",
                cloudwatch.Metric(
                    namespace="AWS/Lambda",
                    metric_name="IteratorAge",
                    dimensions_map={"FunctionName": f"saring-{self.stage}-{name}"},
                    period=five_minutes,
                    statistic="Maximum",
                ),
                60_000,
                f"The {name} function is more than a minute behind its stream.",
            )


# One JSON line a request: who (address), what (method, route, status, size), how long. Never headers
# (the API key) nor bodies (reports, contacts).
ACCESS_LOG_FORMAT = {
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "time": "$context.requestTime",
    "method": "$context.httpMethod",
    "route": "$context.resourcePath",
    "status": "$context.status",
    "bytes": "$context.responseLength",
    "latencyMs": "$context.responseLatency",
    "wafResponse": "$context.waf.status",
}


def apigateway_account(scope: Construct, role: iam.IRole) -> cdk.CfnResource:
    """API Gateway's account settings: the role it logs with (one per account and region)."""
    from aws_cdk import aws_apigateway as apigateway

    return apigateway.CfnAccount(scope, "ApiGatewayAccount", cloud_watch_role_arn=role.role_arn)


def stack_environment() -> cdk.Environment:
    """The region from the environment (default Jakarta); the account only when deploying."""
    region = os.environ.get("CDK_DEFAULT_REGION") or os.environ.get("AWS_REGION") or "ap-southeast-3"
    return cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=region)
