"""API keys and their usage counters in DynamoDB."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.transactions import TransactWrite

from chalicelib.domain.access import Role, UsageVerdict, UsageWindow
from chalicelib.domain.models import AuditEntry, KeyLimits, KeyView
from chalicelib.store.audit import record_in
from chalicelib.store.tables import ApiKeyRecord, SessionRecord, UsageRecord, committed

USAGE_KEPT_SECONDS = 2 * 86_400  # a day's counters outlive the day a little, then TTL removes them


@dataclass(frozen=True)
class StoredKey:
    view: KeyView
    key_hash: str


def _stored(record: ApiKeyRecord) -> StoredKey:
    view = KeyView(
        id=record.id,
        partner_id=record.partner_id,
        roles=[Role(str(role)) for role in record.roles],
        name=record.name,
        limits=KeyLimits(
            requests_per_minute=int(record.requests_per_minute), submissions_per_day=int(record.submissions_per_day)
        ),
        created_at=record.created_at,
        expires_at=record.expires_at,
        revoked_at=record.revoked_at,
    )
    return StoredKey(view, record.key_hash)


class KeyStore:
    """The only code that reads or writes API keys."""

    def save(self, key: KeyView, key_hash: str, audit: AuditEntry, *, replace: bool = False) -> bool:
        """Store a key and its audit entry together; False when the id exists and ``replace`` is not set."""
        record = ApiKeyRecord(
            key.id,
            key_hash=key_hash,
            partner_id=key.partner_id,
            roles=[role.value for role in key.roles],
            name=key.name,
            requests_per_minute=key.limits.requests_per_minute,
            submissions_per_day=key.limits.submissions_per_day,
            created_at=key.created_at,
            expires_at=key.expires_at,
            revoked_at=key.revoked_at,
        )

        def write(writes: TransactWrite) -> None:
            writes.save(record, condition=None if replace else ApiKeyRecord.id.does_not_exist())
            record_in(writes, audit)

        return committed(write)

    def get(self, key_id: str) -> StoredKey | None:
        try:
            return _stored(ApiKeyRecord.get(key_id))
        except ApiKeyRecord.DoesNotExist:
            return None

    def roles_of_partner(self, partner_id: str) -> set[Role]:
        """Every role any key of this partner id carries, revoked keys included (a scan: keys are few)."""
        found: set[Role] = set()
        for record in ApiKeyRecord.scan(ApiKeyRecord.partner_id == partner_id, attributes_to_get=["roles"]):
            found.update(Role(str(role)) for role in record.roles)
        return found

    def page(self, after: str | None, limit: int) -> tuple[list[KeyView], str | None]:
        """Keys in id order after ``after``; and the id to continue from, if more may follow.

        A scan: keys are few and only admins list them.
        """
        start = {"id": {"S": after}} if after else None
        result = ApiKeyRecord.scan(limit=limit, last_evaluated_key=start)
        keys = [_stored(record).view for record in result]
        last = result.last_evaluated_key
        return keys, (str(last["id"]["S"]) if last else None)

    def revoke(self, key_id: str, now: datetime, audit: AuditEntry) -> bool:
        """Mark a key revoked (the first revocation time stays) and record it; False when there is no such key."""

        def write(writes: TransactWrite) -> None:
            writes.update(
                ApiKeyRecord(key_id),
                actions=[ApiKeyRecord.revoked_at.set(ApiKeyRecord.revoked_at | now)],
                condition=ApiKeyRecord.id.exists(),
            )
            record_in(writes, audit)

        return committed(write)


class UsageStore:
    """Per-key counters: one conditional write per request counts and limits it."""

    def __init__(self) -> None:
        # The minute this container last counted for each key: picks the branch that usually succeeds.
        self._last_window: dict[str, int] = {}

    def consume(self, key_id: str, window: UsageWindow, rate: int, quota: int, *, submission: bool) -> UsageVerdict:
        """Count one request (and one submission) unless a limit is reached.

        One UpdateItem in the usual case. DynamoDB cannot branch inside one update, so the update
        either continues the container's known minute or starts a new one; only when another
        container started the minute first does the other branch run as a second write.
        """
        from chalicelib.adapters.aws import client

        dynamodb = client("dynamodb")
        same_first = self._last_window.get(key_id) == window.minute
        for same in (same_first, not same_first):
            try:
                update = self._update(key_id, window, rate, quota, same=same, submission=submission)
                answer = dynamodb.update_item(**update)
            except dynamodb.exceptions.ConditionalCheckFailedException as failed:
                old = failed.response.get("Item") or {}
                old_window = int(old["window"]["N"]) if "window" in old else None
                if submission and int(old.get("submissions", {}).get("N", 0)) >= quota:
                    return UsageVerdict(
                        False, rate, 0, window.seconds_to_next_minute, "quota", window.seconds_to_next_day
                    )
                if old_window is not None and old_window >= window.minute and int(old["requests"]["N"]) >= rate:
                    self._last_window[key_id] = old_window
                    return UsageVerdict(
                        False, rate, 0, window.seconds_to_next_minute, "rate", window.seconds_to_next_minute
                    )
                continue
            self._last_window[key_id] = window.minute
            used = int(answer["Attributes"]["requests"]["N"])
            return UsageVerdict(True, rate, rate - used, window.seconds_to_next_minute)
        # Both branches lost to other containers within one request: let it through uncounted.
        return UsageVerdict(True, rate, 0, window.seconds_to_next_minute)

    def spend_once(self, token: str, expires_at: datetime) -> bool:
        """Mark a single-use token (a public challenge) spent; False when it was spent before.

        One conditional put; DynamoDB's TTL forgets the mark once the token has expired anyway.
        """
        from chalicelib.adapters.aws import client

        dynamodb = client("dynamodb")
        try:
            dynamodb.put_item(
                TableName=UsageRecord.Meta.table_name,
                Item={"id": {"S": f"spent#{token}"}, "expires_at": {"N": str(int(expires_at.timestamp()) + 60)}},
                ConditionExpression="attribute_not_exists(id)",
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def _update(
        self, key_id: str, window: UsageWindow, rate: int, quota: int, *, same: bool, submission: bool
    ) -> dict[str, Any]:
        values: dict[str, Any] = {":w": {"N": str(window.minute)}, ":one": {"N": "1"}}
        if same:
            sets = ["requests = requests + :one"]
            condition = "#w = :w AND requests < :rate"
            values[":rate"] = {"N": str(rate)}
        else:
            sets = ["#w = :w", "requests = :one", "expires_at = :ttl"]
            condition = "(attribute_not_exists(#w) OR #w < :w)"
            values[":ttl"] = {"N": str(window.minute * 60 + USAGE_KEPT_SECONDS)}
        if submission:
            sets.append("submissions = if_not_exists(submissions, :zero) + :one")
            condition += " AND (attribute_not_exists(submissions) OR submissions < :quota)"
            values[":zero"] = {"N": "0"}
            values[":quota"] = {"N": str(quota)}
        return {
            "TableName": UsageRecord.Meta.table_name,
            "Key": {"id": {"S": f"{key_id}#{window.day}"}},
            "UpdateExpression": "SET " + ", ".join(sets),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#w": "window"},
            "ExpressionAttributeValues": values,
            "ReturnValues": "ALL_NEW",  # UPDATED_NEW may leave out a value set to what it was
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }


@dataclass(frozen=True)
class StoredSession:
    id: str
    key_id: str
    csrf_token: str
    created_at: datetime
    expires_at: datetime


class SessionStore:
    """Console sessions: one item each, deleted at sign-out and by TTL after it expires."""

    def create(self, session: StoredSession) -> None:
        SessionRecord(
            session.id,
            key_id=session.key_id,
            csrf_token=session.csrf_token,
            created_at=session.created_at,
            expires_at=session.expires_at,
        ).save(condition=SessionRecord.id.does_not_exist())

    def get(self, session_id: str, now: datetime) -> StoredSession | None:
        """The session, unless there is none or it expired (DynamoDB's TTL deletes late)."""
        try:
            record = SessionRecord.get(session_id, consistent_read=True)
        except SessionRecord.DoesNotExist:
            return None
        if record.expires_at <= now:
            return None
        return StoredSession(record.id, record.key_id, record.csrf_token, record.created_at, record.expires_at)

    def delete(self, session_id: str) -> None:
        SessionRecord(session_id).delete()
