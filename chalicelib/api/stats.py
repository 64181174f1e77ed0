"""Routes of statistics (agencies and admins; the policy says so)."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.io import json_response, parse_query
from chalicelib.api.routes import DAILY_STATS, TRENDING, serve

stats = Blueprint(__name__)


@serve(stats, DAILY_STATS)
def get_daily_stats() -> object:
    from chalicelib.api.queries import StatsQuery

    query = parse_query(stats.current_request.query_params, StatsQuery)
    from chalicelib.services.stats import daily_stats

    return json_response(daily_stats(query.from_, query.to, query.group_by))


@serve(stats, TRENDING)
def get_trending() -> object:
    from chalicelib.api.queries import TrendingQuery

    query = parse_query(stats.current_request.query_params, TrendingQuery)
    from chalicelib.services.stats import trending_cases

    return json_response(trending_cases(query.limit))
