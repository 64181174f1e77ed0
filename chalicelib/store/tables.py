"""PynamoDB models of every table: the one definition that the app, the local stack and the tests use.

Table names, region and endpoint come from settings through ``bind``; models are never used unbound.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.connection import Connection, TableConnection
from pynamodb.constants import PAY_PER_REQUEST_BILLING_MODE, STREAM_KEYS_ONLY, STREAM_NEW_AND_OLD_IMAGE
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.config import Settings

PENDING_SHARDS = 8  # spreads the pending index's writes over partitions; the sweep reads each
DAY_SHARDS = 8  # the same for the day index; the export reads each
STATUS_SHARDS = 4  # the same for the cases' status index; the review queue reads each


def shard_of(identifier: str, shards: int) -> int:
    """Which of ``shards`` partitions of an index an item goes to: stable, and spread evenly by its id."""
    return int(hashlib.sha256(identifier.encode()).hexdigest()[:8], 16) % shards


class _Table(Model):
    short_name = ""

    @classmethod
    def _get_connection(cls) -> TableConnection:
        """The table's connection, on the botocore client that every table shares.

        PynamoDB gives each model a connection of its own, and each connection makes a botocore
        session and client, loading the service's definitions from disk again: about 0.1 s per
        table, paid on a cold start by every table a request touches, and by every start of the
        local stack's processes for all of them.
        """
        if cls._connected():
            return super()._get_connection()
        # The first use, perhaps by several threads at once (the local stack after a restart): one
        # makes the connection and shares it, the others then find it made. Unlocked, two each made
        # one and the second to share it raised "Meta-table … already added" (a 500).
        with _CONNECTING:
            made = not cls._connected()
            table = super()._get_connection()
            if made:
                table.connection = _shared_connection(table.connection, table.table_name)
            return table

    @classmethod
    def _connected(cls) -> bool:
        """Whether PynamoDB has made this table's connection (it makes another when the name changes)."""
        return cls._connection is not None and cls._connection.table_name == cls.Meta.table_name


# (region, endpoint) → the connection every table uses there.
_CONNECTIONS: dict[tuple[str | None, str | None], Connection] = {}
# One client serves every table and, in the local stack, every thread at once.
POOL_CONNECTIONS = 32
_CONNECTING = threading.Lock()


def _shared_connection(own: Connection, table_name: str) -> Connection:
    shared = _CONNECTIONS.setdefault((own.region, own.host), own)
    if shared is not own:
        shared.add_meta_table(own.get_meta_table(table_name))  # the table's keys and indexes, known already
    return shared


class PendingIndex(GlobalSecondaryIndex["ReportRecord"]):  # type: ignore[no-untyped-call]
    """Sparse: only reports still waiting for their check carry ``pending_shard``."""

    class Meta:
        index_name = "pending"
        projection = KeysOnlyProjection()

    pending_shard = UnicodeAttribute(hash_key=True)
    updated_at = UTCDateTimeAttribute(range_key=True)


class DayIndex(GlobalSecondaryIndex["ReportRecord"]):  # type: ignore[no-untyped-call]
    """Reports by WIB day, sharded so one busy day spreads over partitions; the export reads it."""

    class Meta:
        index_name = "by_day"
        projection = AllProjection()

    day_shard = UnicodeAttribute(hash_key=True)  # <WIB date>#<shard>
    received_at = UTCDateTimeAttribute(range_key=True)


class CaseReportsIndex(GlobalSecondaryIndex["ReportRecord"]):  # type: ignore[no-untyped-call]
    """A case's reports: what a verdict reaches and what a fact-checker lists."""

    class Meta:
        index_name = "by_case"
        projection = IncludeProjection(["status", "platform", "province", "verdict_json"])

    case_id = UnicodeAttribute(hash_key=True)
    received_at = UTCDateTimeAttribute(range_key=True)


class ReportRecord(_Table):
    class Meta:
        table_name = "unbound"
        billing_mode = PAY_PER_REQUEST_BILLING_MODE
        stream_view_type = STREAM_NEW_AND_OLD_IMAGE

    short_name = "reports"

    id = UnicodeAttribute(hash_key=True)
    partner_id = UnicodeAttribute()
    status = UnicodeAttribute()
    received_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    checked_at = UTCDateTimeAttribute(null=True)  # when the check recorded its outcome
    observed_at = UTCDateTimeAttribute(null=True)
    platform = UnicodeAttribute()
    province = UnicodeAttribute()
    text = UnicodeAttribute(null=True)
    url = UnicodeAttribute(null=True)
    external_id = UnicodeAttribute(null=True)
    has_contact = BooleanAttribute(default=False)
    request_hash = UnicodeAttribute()
    case_id = UnicodeAttribute(null=True)
    verdict_json = UnicodeAttribute(null=True)
    suggestions_json = UnicodeAttribute(null=True)
    check_attempts = NumberAttribute(default=0)
    verdict_version = NumberAttribute(null=True)  # the case version of a fact-checker's verdict
    images = ListAttribute(of=UnicodeAttribute, null=True)  # upload ids of the report's pictures
    by_case = CaseReportsIndex()
    pending_shard = UnicodeAttribute(null=True)
    pending = PendingIndex()
    day_shard = UnicodeAttribute(null=True)
    by_day = DayIndex()


class CaseStatusIndex(GlobalSecondaryIndex["CaseRecord"]):  # type: ignore[no-untyped-call]
    """Cases by status, most recently seen first: the review queue reads it."""

    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    status_shard = UnicodeAttribute(hash_key=True)  # <status>#<shard>
    last_seen = UTCDateTimeAttribute(range_key=True)


class UnappliedVerdictIndex(GlobalSecondaryIndex["CaseRecord"]):  # type: ignore[no-untyped-call]
    """Sparse: only cases whose latest verdict has yet to reach all their reports carry ``applying_shard``."""

    class Meta:
        index_name = "applying"
        projection = KeysOnlyProjection()

    applying_shard = UnicodeAttribute(hash_key=True)
    updated_at = UTCDateTimeAttribute(range_key=True)


class CaseRecord(_Table):
    class Meta:
        table_name = "unbound"
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    short_name = "cases"

    id = UnicodeAttribute(hash_key=True)
    fingerprint = UnicodeAttribute()
    seen_count = NumberAttribute(default=0)
    first_seen = UTCDateTimeAttribute()
    last_seen = UTCDateTimeAttribute()
    status = UnicodeAttribute(default="open")
    status_shard = UnicodeAttribute(null=True)
    by_status = CaseStatusIndex()
    sample_text = UnicodeAttribute(null=True)
    sample_url = UnicodeAttribute(null=True)
    sample_images = ListAttribute(of=UnicodeAttribute, null=True)  # the first report's pictures (upload ids)
    public_count = NumberAttribute(null=True)  # of seen_count: complaints from the public
    suggestions_json = UnicodeAttribute(null=True)  # the engine's suggestions for the first report
    version = NumberAttribute(default=0)  # moves with every review or verdict: the optimistic lock
    reviewer = UnicodeAttribute(null=True)
    verdict_json = UnicodeAttribute(null=True)
    history = ListAttribute(of=UnicodeAttribute, null=True)  # every verdict entry, as JSON, oldest first
    updated_at = UTCDateTimeAttribute(null=True)
    applying_shard = UnicodeAttribute(null=True)
    applying = UnappliedVerdictIndex()
    applied_version = NumberAttribute(null=True)  # the verdict version the progress below is about
    applied_count = NumberAttribute(null=True)
    applied_cursor = UnicodeAttribute(null=True)  # where to resume: the last report page's end


class ClaimRecord(_Table):
    class Meta:
        table_name = "unbound"
        billing_mode = PAY_PER_REQUEST_BILLING_MODE
        stream_view_type = STREAM_KEYS_ONLY  # a change is what matters: the handler reads the changed claims

    short_name = "claims"

    id = UnicodeAttribute(hash_key=True)
    external_id = UnicodeAttribute()
    title = UnicodeAttribute()
    text = UnicodeAttribute(null=True)
    label = UnicodeAttribute()
    summary = UnicodeAttribute(null=True)
    publisher_label = UnicodeAttribute(null=True)
    date = UnicodeAttribute(null=True)
    url = UnicodeAttribute(null=True)
    publisher = UnicodeAttribute(null=True)
    topic = UnicodeAttribute(null=True)
    language = UnicodeAttribute(default="id")
    province = UnicodeAttribute(null=True)
    variants = ListAttribute(of=UnicodeAttribute, default=list)
    appearance_urls = ListAttribute(of=UnicodeAttribute, default=list)
    appearance_image_urls = ListAttribute(of=UnicodeAttribute, null=True)  # links only: never fetched
    updated_at = UTCDateTimeAttribute()
    analysis = UnicodeAttribute(null=True)  # what matching needs of the texts, analysed once when written
    pictures_json = UnicodeAttribute(null=True)  # the claim's pictures: hashes, text read, where the clean copy is


class ContactRecord(_Table):
    """A reporter's contact, sealed with a KMS data key; DynamoDB's TTL deletes it on schedule."""

    class Meta:
        table_name = "unbound"
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    short_name = "contacts"

    report_id = UnicodeAttribute(hash_key=True)
    partner_id = UnicodeAttribute()
    sealed = UnicodeAttribute()
    expires_at = TTLAttribute()


class PictureRecord(_Table):
    """What the picture worker made of one upload: its clean copy's place, hashes and text, or why it was refused.

    Never the picture's metadata. A report's picture is deleted on schedule (TTL, and the bucket's
    lifecycle for the copy); a claim's picture is copied into the claim and kept with it.
    """

    class Meta:
        table_name = "unbound"
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    short_name = "pictures"

    upload_id = UnicodeAttribute(hash_key=True)
    owner = UnicodeAttribute()  # the partner that uploaded it
    status = UnicodeAttribute()  # processed | refused
    reason = UnicodeAttribute(null=True)
    sha256 = UnicodeAttribute(null=True)
    width = NumberAttribute(null=True)
    height = NumberAttribute(null=True)
    hashes = ListAttribute(of=UnicodeAttribute, null=True)
    quality = NumberAttribute(null=True)
    text = UnicodeAttribute(null=True)
    picture_key = UnicodeAttribute(null=True)  # the clean copy in the uploads bucket
    group = UnicodeAttribute(null=True)  # the same picture reported before (near copies too): its first one's sha256
    processed_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()


class PictureBandRecord(_Table):
    """A band of a picture group's canonical hash, or of its text's signature: near copies share one.

    ``band`` is ``<position>:<four hex digits>`` of the hash (two hashes within 31 bits agree in one
    of their sixteen bands nine times in ten, and surely within 15), or ``t<position>:…`` of the
    text's MinHash signature (domain/pictures.py).
    """

    class Meta:
        table_name = "unbound"
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    short_name = "picture_bands"

    band = UnicodeAttribute(hash_key=True)
    group = UnicodeAttribute(range_key=True)
    hash = UnicodeAttribute()  # the group's first picture's canonical hash, or its text's signature ("s:…")
    expires_at = TTLAttribute()


class SessionRecord(_Table):
    """A console session: the hash of its cookie's token, the key it acts for, its CSRF token."""

    class Meta:
        table_name = "unbound"
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    short_name = "sessions"

    id = UnicodeAttribute(hash_key=True)  # SHA-256 of the token: a leaked table opens no session
    key_id = UnicodeAttribute()
    csrf_token = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()


class ApiKeyRecord(_Table):
    """An API key: only its keyed hash is stored, never the key."""

    class Meta:
        table_name = "unbound"
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    short_name = "keys"

    id = UnicodeAttribute(hash_key=True)
    key_hash = UnicodeAttribute()
    partner_id = UnicodeAttribute()
    roles = ListAttribute(of=UnicodeAttribute)
    name = UnicodeAttribute(null=True)
    requests_per_minute = NumberAttribute()
    submissions_per_day = NumberAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute(null=True)
    revoked_at = UTCDateTimeAttribute(null=True)


class UsageRecord(_Table):
    """One key's usage on one WIB day: the current minute's requests and the day's submissions."""

    class Meta:
        table_name = "unbound"
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    short_name = "usage"

    id = UnicodeAttribute(hash_key=True)  # <key id>#<WIB date>
    window = NumberAttribute(null=True)  # minutes since the epoch
    requests = NumberAttribute(null=True)
    submissions = NumberAttribute(null=True)
    expires_at = TTLAttribute(null=True)


class PartnerIndex(GlobalSecondaryIndex["WebhookRecord"]):  # type: ignore[no-untyped-call]
    """A partner's webhooks: read when one of its reports changes."""

    class Meta:
        index_name = "by_partner"
        projection = AllProjection()

    partner_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class WebhookRecord(_Table):
    class Meta:
        table_name = "unbound"
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    short_name = "webhooks"

    id = UnicodeAttribute(hash_key=True)
    partner_id = UnicodeAttribute()
    url = UnicodeAttribute()
    events = ListAttribute(of=UnicodeAttribute)
    sealed_secret = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    by_partner = PartnerIndex()


class DeliveryRecord(_Table):
    """One event sent (or being sent) to one webhook; kept for a while so partners can see failures."""

    class Meta:
        table_name = "unbound"
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    short_name = "deliveries"

    webhook_id = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute(range_key=True)  # time-ordered: newest last
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    status = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    last_status_code = NumberAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()


class StatRecord(_Table):
    """One counter: per WIB day (``total``, ``label#…``, ``province#…``, ``platform#…``), per hour and
    case (``hour#<UTC hour>``), and the markers of stream changes already counted (``applied#…``)."""

    class Meta:
        table_name = "unbound"
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    short_name = "stats"

    partition = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)
    tally = NumberAttribute(default=0)
    expires_at = TTLAttribute(null=True)


class AuditChainRecord(_Table):
    """The audit trail's hash chain, per WIB day: a link per entry (``entry_id`` its id), and the day's
    ``head`` (the last link) and ``seal`` (signed once the day is over). Links are only ever added."""

    class Meta:
        table_name = "unbound"
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    short_name = "audit_chain"

    day = UnicodeAttribute(hash_key=True)  # WIB date
    entry_id = UnicodeAttribute(range_key=True)  # an entry's id, or "head", or "seal"
    seq = NumberAttribute()
    previous = UnicodeAttribute(null=True)
    hash = UnicodeAttribute()
    signature = UnicodeAttribute(null=True)  # the seal's, base64
    key_id = UnicodeAttribute(null=True)  # the seal's
    at = UTCDateTimeAttribute(null=True)  # when the seal was made


class ReferralAgencyIndex(GlobalSecondaryIndex["ReferralRecord"]):  # type: ignore[no-untyped-call]
    """An agency's referrals, newest first: what an agency's key may list."""

    class Meta:
        index_name = "by_agency"
        projection = AllProjection()

    agency = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ReferralStatusIndex(GlobalSecondaryIndex["ReferralRecord"]):  # type: ignore[no-untyped-call]
    """Referrals by status, newest first: what fact-checkers and admins list."""

    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ReferralRecord(_Table):
    """A case referred to an agency: its status, changed only by the agency, and every change."""

    class Meta:
        table_name = "unbound"
        billing_mode = PAY_PER_REQUEST_BILLING_MODE

    short_name = "referrals"

    id = UnicodeAttribute(hash_key=True)
    case_id = UnicodeAttribute()
    agency = UnicodeAttribute()
    category = UnicodeAttribute()
    note = UnicodeAttribute()
    status = UnicodeAttribute()
    outcome = UnicodeAttribute(null=True)
    referred_by = UnicodeAttribute()
    referrer_partner_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    history_json = UnicodeAttribute()
    by_agency = ReferralAgencyIndex()
    by_status = ReferralStatusIndex()


class TargetIndex(GlobalSecondaryIndex["AuditRecord"]):  # type: ignore[no-untyped-call]
    """Every entry about one case, claim or key."""

    class Meta:
        index_name = "by_target"
        projection = AllProjection()

    target = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute(range_key=True)


class AuditRecord(_Table):
    """Append-only: the code only ever puts new entries, never updates or deletes one."""

    class Meta:
        table_name = "unbound"
        billing_mode = PAY_PER_REQUEST_BILLING_MODE
        stream_view_type = STREAM_KEYS_ONLY  # each new entry is linked into its day's hash chain

    short_name = "audit"

    day = UnicodeAttribute(hash_key=True)  # WIB date
    id = UnicodeAttribute(range_key=True)  # time-ordered
    at = UTCDateTimeAttribute()
    actor = UnicodeAttribute()
    actor_partner_id = UnicodeAttribute(null=True)
    action = UnicodeAttribute()
    target = UnicodeAttribute()
    before_json = UnicodeAttribute(null=True)
    after_json = UnicodeAttribute(null=True)
    by_target = TargetIndex()


ALL_TABLES: tuple[type[_Table], ...] = (
    ReportRecord,
    CaseRecord,
    ClaimRecord,
    ContactRecord,
    PictureRecord,
    PictureBandRecord,
    ApiKeyRecord,
    SessionRecord,
    UsageRecord,
    WebhookRecord,
    DeliveryRecord,
    StatRecord,
    AuditRecord,
    AuditChainRecord,
    ReferralRecord,
)


def bind(settings: Settings) -> None:
    """Point every model at its table for these settings; a changed target drops the connection."""
    for model in ALL_TABLES:
        target = (settings.table_name(model.short_name), settings.region, settings.aws_endpoint_url)
        meta: Any = model.Meta
        if (meta.table_name, getattr(meta, "region", None), getattr(meta, "host", None)) == target:
            continue  # connections are costly to make (a botocore client each): keep a good one
        meta.table_name, meta.region, meta.host = target
        meta.max_pool_connections = POOL_CONNECTIONS
        model._connection = None


def create_all(settings: Settings) -> None:
    """Create every table that does not exist yet (local stack and tests; CDK owns AWS)."""
    bind(settings)
    for model in ALL_TABLES:
        if not model.exists():
            model.create_table(wait=True)


def untouched_since(index: Any, shards: int, updated_at: Any, before: datetime, limit: int) -> list[str]:
    """Ids in a sparse index sharded ``0…shards-1`` by ``updated_at``, untouched since ``before``, at most ``limit``.

    What the sweep reads to find work that stopped (a report's check, a verdict's spreading); never a scan.
    """
    found: list[str] = []
    for shard in range(shards):
        for record in index.query(str(shard), updated_at < before, limit=limit - len(found)):
            found.append(record.id)
        if len(found) >= limit:
            break
    return found


def transaction() -> TransactWrite:
    """A write transaction over any of the tables (one region and endpoint for all)."""
    # A model's own connection: a new Connection would build a new botocore client every time.
    return TransactWrite(connection=ReportRecord._get_connection().connection)


def committed(write: Callable[[TransactWrite], None]) -> bool:
    """Run ``write`` as one transaction; False when DynamoDB refused it because a condition did not hold."""
    try:
        with transaction() as writes:
            write(writes)
    except TransactWriteError as error:
        if refused_by_condition(error):
            return False
        raise
    return True


def refused_by_condition(error: PynamoDBException) -> bool:
    """True when DynamoDB refused a write because its condition did not hold (an answer, not a fault)."""
    if isinstance(error, TransactWriteError):
        reasons = error.cancellation_reasons or []
        return any(reason is not None and reason.code == "ConditionalCheckFailed" for reason in reasons)
    return error.cause_response_code == "ConditionalCheckFailedException"
