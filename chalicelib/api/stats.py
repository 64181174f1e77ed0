"""Routes of statistics (agencies and admins; the policy says so)."""

from __future__ import annotations

from chalice.app import Blueprint
from pydantic import BaseModel, ConfigDict, Field

from chalicelib.api.io import json_response, parse_query

stats = Blueprint(__name__)


class TrendingQuery(BaseModel):
    """Query string of ``GET /v1/stats/trending``."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=10, ge=1, le=50)


@stats.route("/v1/stats/daily", methods=["GET"])
def get_daily_stats() -> object:
    from chalicelib.domain.models import StatsQuery

    query = parse_query(stats.current_request.query_params, StatsQuery)
    from chalicelib.services.stats import daily_stats

    return json_response(daily_stats(query.from_, query.to, query.group_by))


@stats.route("/v1/stats/trending", methods=["GET"])
def get_trending() -> object:
    query = parse_query(stats.current_request.query_params, TrendingQuery)
    from chalicelib.services.stats import trending_cases

    return json_response(trending_cases(query.limit))
