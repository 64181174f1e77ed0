"""Routes of the daily export (agencies and admins; the policy says so)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from chalice.app import Blueprint

from chalicelib.api.io import json_response
from chalicelib.api.problems import invalid_field_named, not_found
from chalicelib.api.routes import BUILD_DAILY_EXPORT, GET_DAILY_EXPORT, serve
from chalicelib.domain.access import WIB
from chalicelib.domain.exports import FIRST_DAY, buildable_on_demand, wib_day_of

exports = Blueprint(__name__)


def _day(text: str) -> date:
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise invalid_field_named(
            "path.date", "The date must be a calendar date, YYYY-MM-DD (a WIB day).", "not a YYYY-MM-DD date"
        )
    if day > wib_day_of(datetime.now(UTC)):
        raise not_found(f"{day} has not begun in WIB; its export is built at 00:15 WIB the day after.")
    if day < FIRST_DAY:
        raise not_found(f"Saring holds no reports before {FIRST_DAY}; there is no export of {day}.")
    return day


@serve(exports, GET_DAILY_EXPORT)
def get_daily_export(date: str) -> object:
    day = _day(date)
    from chalicelib.services.exports import daily_export, ready_at

    view = daily_export(day)
    if view is None:
        now = datetime.now(UTC)
        when = ready_at(day).astimezone(WIB)
        if when > now:
            detail = f"The export of {day} is built at {when:%Y-%m-%d %H:%M} WIB; POST here to build it now."
        elif buildable_on_demand(day, now):
            detail = f"No export of {day} has been built; POST here to build it."
        else:
            detail = f"No export of {day} was built; an operator can run the export for that day."
        raise not_found(detail)
    return json_response(view, headers={"Cache-Control": "no-store"})


@serve(exports, BUILD_DAILY_EXPORT)
def post_daily_export(date: str) -> object:
    day = _day(date)
    from chalicelib.services.exports import build_on_request

    built = build_on_request(day)
    return json_response(built, headers={"Cache-Control": "no-store"})
