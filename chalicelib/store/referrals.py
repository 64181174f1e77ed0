"""Referrals in DynamoDB: created with their audit entry and counter, moved only from the status read."""

from __future__ import annotations

from pydantic import TypeAdapter
from pynamodb.transactions import TransactWrite

from chalicelib.domain.models import AuditEntry
from chalicelib.domain.models.referrals import ReferralChange, ReferralView
from chalicelib.domain.referrals import ReferralStatus, categories_of
from chalicelib.store.audit import record_in
from chalicelib.store.tables import ReferralRecord, StatRecord, committed

_HISTORY = TypeAdapter(list[ReferralChange])
REFERRAL_COUNTERS = "referrals"  # the stats partition: one counter per <agency>#<category>


def _view(record: ReferralRecord) -> ReferralView:
    status = ReferralStatus(record.status)
    return ReferralView(
        id=record.id,
        case_id=record.case_id,
        agency=record.agency,
        category=record.category,
        category_label=categories_of(record.agency).get(record.category, record.category),
        note=record.note,
        status=status,
        status_label=status.label,
        outcome=record.outcome,
        referred_by=record.referred_by,
        referrer_partner_id=record.referrer_partner_id,
        created_at=record.created_at,
        updated_at=record.updated_at,
        history=_HISTORY.validate_json(record.history_json),
    )


class ReferralStore:
    """The only code that reads or writes referrals."""

    def create(self, referral: ReferralView, audit: AuditEntry) -> None:
        """The referral, its audit entry and its agency's and category's counter, together."""

        def write(writes: TransactWrite) -> None:
            writes.save(
                ReferralRecord(
                    referral.id,
                    case_id=referral.case_id,
                    agency=referral.agency,
                    category=referral.category,
                    note=referral.note,
                    status=referral.status.value,
                    referred_by=referral.referred_by,
                    referrer_partner_id=referral.referrer_partner_id,
                    created_at=referral.created_at,
                    updated_at=referral.updated_at,
                    history_json=_HISTORY.dump_json(referral.history).decode(),
                ),
                condition=ReferralRecord.id.does_not_exist(),
            )
            record_in(writes, audit)
            writes.update(
                StatRecord(REFERRAL_COUNTERS, f"{referral.agency}#{referral.category}"),
                actions=[StatRecord.tally.add(1)],
            )

        if not committed(write):
            raise RuntimeError(f"referral {referral.id} exists already")  # ids are random: never

    def get(self, referral_id: str) -> ReferralView | None:
        try:
            return _view(ReferralRecord.get(referral_id, consistent_read=True))
        except ReferralRecord.DoesNotExist:
            return None

    def move(self, before: ReferralView, after: ReferralView, audit: AuditEntry) -> bool:
        """Record a status change and its audit entry; False when the referral moved since ``before`` was read."""

        def write(writes: TransactWrite) -> None:
            writes.update(
                ReferralRecord(after.id),
                actions=[
                    ReferralRecord.status.set(after.status.value),
                    ReferralRecord.outcome.set(after.outcome) if after.outcome else ReferralRecord.outcome.remove(),
                    ReferralRecord.updated_at.set(after.updated_at),
                    ReferralRecord.history_json.set(_HISTORY.dump_json(after.history).decode()),
                ],
                condition=ReferralRecord.status == before.status.value,
            )
            record_in(writes, audit)

        return committed(write)

    def of_agency(self, agency: str, status: ReferralStatus | None, limit: int) -> list[ReferralView]:
        """An agency's referrals, newest first (of one status, when given)."""
        condition = ReferralRecord.status == status.value if status else None
        found = ReferralRecord.by_agency.query(agency, filter_condition=condition, scan_index_forward=False)
        return [_view(record) for _, record in zip(range(limit), found, strict=False)]

    def with_status(self, status: ReferralStatus, limit: int) -> list[ReferralView]:
        found = ReferralRecord.by_status.query(status.value, scan_index_forward=False, limit=limit)
        return [_view(record) for record in found]

    def counts(self) -> dict[str, int]:
        """Referrals made, by ``<agency>#<category>``."""
        return {str(record.key): int(record.tally) for record in StatRecord.query(REFERRAL_COUNTERS)}
