"""Settings, validated once from the environment.

This is the only module that reads ``os.environ``. Every other module asks
``get_settings()`` for what it needs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

Stage = Literal["local", "dev", "prod"]

# Environment variable → settings field. Kept explicit so the README can list every setting.
ENVIRONMENT = {
    "SARING_STAGE": "stage",
    "AWS_REGION": "region",
    "SARING_AWS_ENDPOINT_URL": "aws_endpoint_url",
    "SARING_TABLE_PREFIX": "table_prefix",
    "SARING_REPORTS_STREAM_ARN": "reports_stream_arn",
    "SARING_CLAIMS_STREAM_ARN": "claims_stream_arn",
    "SARING_AUDIT_STREAM_ARN": "audit_stream_arn",
    "SARING_INDEX_REFRESH_SECONDS": "index_refresh_seconds",
    "SARING_CHECK_QUEUE": "check_queue_name",
    "SARING_BUCKET": "bucket_name",
    "SARING_UPLOADS_BUCKET": "uploads_bucket_name",
    "SARING_PICTURE_QUEUE": "picture_queue_name",
    "SARING_PICTURE_RETENTION_DAYS": "picture_retention_days",
    "SARING_UPLOAD_USE_HOURS": "upload_use_hours",
    "SARING_CONTACTS_KEY_ID": "contacts_key_id",
    "SARING_EVIDENCE_KEY_ID": "evidence_key_id",
    "SARING_MAX_BODY_BYTES": "max_body_bytes",
    "SARING_STALE_AFTER_SECONDS": "stale_after_seconds",
    "SARING_SWEEP_MINUTES": "sweep_minutes",
    "SARING_MAX_CHECK_ATTEMPTS": "max_check_attempts",
    "SARING_CONTACT_RETENTION_DAYS": "contact_retention_days",
    "SARING_KEY_CACHE_SECONDS": "key_cache_seconds",
    "SARING_KEY_PEPPER_SECRET": "key_pepper_secret",
    "SARING_WEBHOOK_QUEUE": "webhook_queue_name",
    "SARING_WEBHOOK_MAX_ATTEMPTS": "webhook_max_attempts",
    "SARING_WEBHOOK_BACKOFF_SECONDS": "webhook_backoff_seconds",
    "SARING_WEBHOOK_TIMEOUT_SECONDS": "webhook_timeout_seconds",
    "SARING_VERDICT_QUEUE": "verdict_queue_name",
    "SARING_VERDICT_WRITERS": "verdict_writers",
    "SARING_FACT_CHECK_API_URL": "fact_check_api_url",
    "SARING_FACT_CHECK_KEY_SECRET": "fact_check_key_secret",
    "SARING_FACT_CHECK_QUERIES": "fact_check_queries",
    "SARING_FACT_CHECK_PUBLISHERS": "fact_check_publishers",
    "SARING_FACT_CHECK_SYNC_HOURS": "fact_check_sync_hours",
    "SARING_FACT_CHECK_FIRST_DAYS": "fact_check_first_days",
    "SARING_PUBLIC_REQUESTS_PER_MINUTE": "public_requests_per_minute",
    "SARING_PUBLIC_COMPLAINTS_PER_DAY": "public_complaints_per_day",
    "SARING_PUBLIC_TOTAL_PER_MINUTE": "public_total_per_minute",
    "SARING_PUBLIC_COMPLAINTS_TOTAL_PER_DAY": "public_complaints_total_per_day",
    "SARING_CHALLENGE_DIFFICULTY": "challenge_difficulty",
    "SARING_CHALLENGE_SECONDS": "challenge_seconds",
    "SARING_PUBLIC_PAGE_URL": "public_page_url",
    "SARING_SESSION_MINUTES": "session_minutes",
    "SARING_EDGE_SECRET": "edge_secret",
    "SARING_MAIL_FROM": "mail_from",
    "SARING_MAIL_OUTBOX": "mail_outbox",
    "SARING_LOG_LEVEL": "log_level",
    "SARING_METRICS_NAMESPACE": "metrics_namespace",
}


class Settings(BaseModel):
    """Everything the runtime can be told; defaults fit the local stack, but the stage is always given.

    The stage is required (fail closed): ``local`` relaxes the webhook address rules for loopback
    receivers, so a function deployed without it must refuse to start rather than run as local.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    stage: Stage
    region: str = "ap-southeast-3"
    aws_endpoint_url: str | None = None
    table_prefix: str = ""
    reports_stream_arn: str = ""
    claims_stream_arn: str = ""
    audit_stream_arn: str = ""
    index_refresh_seconds: float = Field(default=2, ge=0, le=3600)
    check_queue_name: str = ""
    bucket_name: str = ""
    uploads_bucket_name: str = ""  # pictures: uploads as sent (deleted once processed), and their clean copies
    picture_queue_name: str = ""
    picture_retention_days: int = Field(default=90, ge=1, le=3650)  # a report's picture, then deleted
    upload_use_hours: int = Field(default=24, ge=1, le=168)  # an upload id names a picture this long
    contacts_key_id: str = ""
    evidence_key_id: str = ""  # an asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY): evidence packages, audit days
    max_body_bytes: int = Field(default=65_536, ge=1_024, le=6_000_000)
    stale_after_seconds: int = Field(default=300, ge=0)
    sweep_minutes: int = Field(default=5, ge=1, le=60)
    max_check_attempts: int = Field(default=8, ge=1, le=100)
    contact_retention_days: int = Field(default=90, ge=1, le=3650)
    key_cache_seconds: float = Field(default=10, ge=0, le=300)
    key_pepper_secret: str = ""
    webhook_queue_name: str = ""
    webhook_max_attempts: int = Field(default=8, ge=1, le=20)
    webhook_backoff_seconds: float = Field(default=30, ge=0, le=3600)
    webhook_timeout_seconds: float = Field(default=5, gt=0, le=30)
    verdict_queue_name: str = ""
    verdict_writers: int = Field(default=8, ge=1, le=32)
    fact_check_api_url: str = "https://factchecktools.googleapis.com/v1alpha1/claims:search"
    fact_check_key_secret: str = ""
    fact_check_queries: str = "pemilu,kpu,bawaslu,capres,caleg,surat suara"
    fact_check_publishers: str = "turnbackhoax.id,cekfakta.tempo.co,cekfakta.com"
    fact_check_sync_hours: int = Field(default=6, ge=1, le=168)
    fact_check_first_days: int = Field(default=365, ge=1, le=3650)
    # The public's door (no key): per client address, and for everyone together.
    public_requests_per_minute: int = Field(default=60, ge=1, le=100_000)
    public_complaints_per_day: int = Field(default=20, ge=0, le=100_000)
    public_total_per_minute: int = Field(default=6_000, ge=1, le=10_000_000)
    public_complaints_total_per_day: int = Field(default=100_000, ge=0, le=10_000_000)
    challenge_difficulty: int = Field(default=16, ge=0, le=32)  # leading zero bits: ~65k hashes, ~1 s on a cheap phone
    challenge_seconds: int = Field(default=600, ge=30, le=3_600)
    edge_secret: str = ""  # the secret CloudFront sends with the page's API calls: then its viewer address counts
    session_minutes: int = Field(default=480, ge=5, le=1_440)  # a console session; then the person signs in again
    public_page_url: str = ""  # where the public page is: the link in answers to complaints by e-mail
    mail_from: str = "aduan@saring.localhost"  # answers to complaints by e-mail come from here (SES identity)
    mail_outbox: str = ""  # local stack only: answers are written here as .eml files instead of sent by SES
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    metrics_namespace: str = "Saring"

    def model_post_init(self, __context: object) -> None:
        # Names derived from the stage unless set; object.__setattr__ because the model is frozen.
        prefix = self.table_prefix or f"saring-{self.stage}-"
        object.__setattr__(self, "table_prefix", prefix)
        defaults = {
            "check_queue_name": f"{prefix}checks",
            "webhook_queue_name": f"{prefix}webhooks",
            "verdict_queue_name": f"{prefix}verdicts",
            "key_pepper_secret": f"{prefix}api-key-pepper",
            "edge_secret": f"{prefix}edge-secret",
            "fact_check_key_secret": f"{prefix}fact-check-api-key",
            "bucket_name": f"{prefix}data",
            "uploads_bucket_name": f"{prefix}uploads",
            "picture_queue_name": f"{prefix}pictures",
            "contacts_key_id": f"alias/{prefix}contacts",
            "evidence_key_id": f"alias/{prefix}evidence",
            "reports_stream_arn": f"arn:aws:dynamodb:{self.region}:000000000000:table/{prefix}reports/stream/unset",
            "claims_stream_arn": f"arn:aws:dynamodb:{self.region}:000000000000:table/{prefix}claims/stream/unset",
            "audit_stream_arn": f"arn:aws:dynamodb:{self.region}:000000000000:table/{prefix}audit/stream/unset",
        }
        for field, value in defaults.items():
            if not getattr(self, field):
                object.__setattr__(self, field, value)

    def table_name(self, short_name: str) -> str:
        """Full table name of one of the app's tables (``reports``, ``cases`` …)."""
        return f"{self.table_prefix}{short_name}"

    @property
    def check_dead_letter_queue_name(self) -> str:
        return f"{self.check_queue_name}-dlq"

    @property
    def picture_dead_letter_queue_name(self) -> str:
        return f"{self.picture_queue_name}-dlq"

    @property
    def webhook_dead_letter_queue_name(self) -> str:
        return f"{self.webhook_queue_name}-dlq"

    @property
    def verdict_dead_letter_queue_name(self) -> str:
        return f"{self.verdict_queue_name}-dlq"

    @property
    def is_local(self) -> bool:
        """The local stack: webhooks may call loopback over plain http (tests, demos)."""
        return self.stage == "local"

    @property
    def fact_check_searches(self) -> list[tuple[str, str]]:
        """What the claim sync asks for: ("query", term) and ("publisher", site) pairs, in order."""
        terms = [("query", term.strip()) for term in self.fact_check_queries.split(",") if term.strip()]
        sites = [("publisher", site.strip()) for site in self.fact_check_publishers.split(",") if site.strip()]
        return terms + sites

    @property
    def stream_failure_queue_name(self) -> str:
        """Where a report-stream batch that kept failing is recorded (on-failure destination)."""
        return f"{self.table_prefix}report-stream-failures"


def settings_from(environ: Mapping[str, str]) -> Settings:
    """Build settings from an environment mapping; raises ValueError naming the bad variable."""
    values = {field: environ[name] for name, field in ENVIRONMENT.items() if environ.get(name)}
    if "region" not in values and environ.get("AWS_DEFAULT_REGION"):
        values["region"] = environ["AWS_DEFAULT_REGION"]
    try:
        return Settings(**values)
    except ValidationError as error:
        names = {field: name for name, field in ENVIRONMENT.items()}
        problems = "; ".join(f"{names.get(str(e['loc'][0]), e['loc'][0])}: {e['msg']}" for e in error.errors())
        raise ValueError(f"invalid settings: {problems}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return settings_from(os.environ)
