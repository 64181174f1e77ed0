"""Use cases of statistics: count each report change once; read daily figures and trending cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from chalicelib.domain.models import DailyStats, DayStats, StatsGroup, Trending, TrendingCase
from chalicelib.domain.stats import (
    ReportFacts,
    case_partition,
    counted_together,
    counter_changes,
    hour_partition,
    trending,
)
from chalicelib.store import stores
from chalicelib.store.reports import StoredReport

SAMPLE_CHARS = 140


def _facts(report: StoredReport) -> ReportFacts:
    label = report.verdict.label.value if report.verdict and report.verdict.label else None
    return ReportFacts(report.received_at, report.platform, report.province, report.case_id, label)


ReportChange = tuple[StoredReport | None, StoredReport, str]  # (before, after, the stream's change id)


def count_report_changes(changes: list[ReportChange]) -> None:
    """Move the counters for changes of reports (from the stream); a repeated change counts nothing.

    Changes are counted a group per write; a group holding a change counted before (a retried
    batch) is counted again change by change, so that only the new ones move a counter.
    """
    now = datetime.now(UTC)
    moves = [(change_id, counter_changes(_facts(old) if old else None, _facts(new))) for old, new, change_id in changes]
    for change_ids, summed in counted_together(moves):
        if stores().stats.apply(change_ids, summed, now) or len(change_ids) == 1:
            continue
        grouped = set(change_ids)
        for change_id, own in dict(moves).items():
            if change_id in grouped:
                stores().stats.apply([change_id], own, now)


def daily_stats(first: date, last: date, group_by: StatsGroup) -> DailyStats:
    """Per WIB day: reports received and the chosen breakdown (one query a day)."""
    days = []
    prefix = f"{group_by.value}#"
    # Counted from `first`, never past `last`: stepping past 9999-12-31 would overflow.
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        counters = stores().stats.partition(day.isoformat())
        counts = {key[len(prefix) :]: value for key, value in counters.items() if key.startswith(prefix) and value}
        days.append(DayStats(date=day, total=counters.get("total", 0), counts=dict(sorted(counts.items()))))
    return DailyStats(group_by=group_by, days=days)


def reports_by_case(now: datetime, hours_ago: range) -> dict[str, int]:
    """Reports per case received in the given hours before ``now`` (one query an hour)."""
    totals: dict[str, int] = {}
    for hours in hours_ago:
        for case_id, count in stores().stats.partition(hour_partition(now - timedelta(hours=hours))).items():
            totals[case_id] = totals.get(case_id, 0) + count
    return totals


def case_reports_last_24h(case_id: str, now: datetime) -> int:
    """One case's reports in the last 24 hours (one batched read of its hourly counters)."""
    wanted = [(hour_partition(now - timedelta(hours=hours)), case_id) for hours in range(24)]
    return sum(stores().stats.counters(wanted).values())


def case_breakdown(case_id: str) -> tuple[dict[str, int], dict[str, int]]:
    """A case's reports by platform and by province."""
    counters = stores().stats.partition(case_partition(case_id))
    platforms = {key.split("#", 1)[1]: n for key, n in counters.items() if key.startswith("platform#") and n}
    provinces = {key.split("#", 1)[1]: n for key, n in counters.items() if key.startswith("province#") and n}
    return dict(sorted(platforms.items())), dict(sorted(provinces.items()))


def trending_cases(limit: int, now: datetime | None = None) -> Trending:
    """Cases growing fastest over the last 24 hours (48 hourly partitions read, never a scan)."""
    now = now or datetime.now(UTC)
    top = trending(reports_by_case(now, range(24)), reports_by_case(now, range(24, 48)), limit)
    samples = stores().cases.samples([case_id for case_id, _, _ in top]) if top else {}
    return Trending(
        generated_at=now,
        cases=[
            TrendingCase(
                case_id=case_id,
                reports_last_24h=recent,
                reports_previous_24h=before,
                growth=recent - before,
                sample_text=(samples.get(case_id, (None, None))[0] or "")[:SAMPLE_CHARS] or None,
                sample_url=samples.get(case_id, (None, None))[1],
            )
            for case_id, recent, before in top
        ],
    )
