"""Routes of the daily export (agencies and admins; the policy says so)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from chalice.app import Blueprint

from chalicelib.api.io import json_response
from chalicelib.api.problems import ApiProblem, invalid_field, not_found
from chalicelib.domain.access import WIB
from chalicelib.domain.exports import FIRST_DAY, buildable_on_demand, wib_day_of
from chalicelib.domain.problem_details import FieldProblem

exports = Blueprint(__name__)


def _day(text: str) -> date:
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise ApiProblem(
            422,
            "The date must be a calendar date, YYYY-MM-DD (a WIB day).",
            type_name="invalid-fields",
            errors=[FieldProblem(field="path.date", message="not a YYYY-MM-DD date")],
        )
    if day > wib_day_of(datetime.now(UTC)):
        raise not_found(f"{day} has not begun in WIB; its export is built at 00:15 WIB the day after.")
    if day < FIRST_DAY:
        raise not_found(f"Saring holds no reports before {FIRST_DAY}; there is no export of {day}.")
    return day


@exports.route("/v1/exports/daily/{date}", methods=["GET"])
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


@exports.route("/v1/exports/daily/{date}", methods=["POST"])
def post_daily_export(date: str) -> object:
    day = _day(date)
    from chalicelib.services.errors import ExportCoolingDown, InvalidField
    from chalicelib.services.exports import build_on_request

    try:
        built = build_on_request(day)
    except InvalidField as invalid:
        raise invalid_field(invalid.field, invalid.message) from None
    except ExportCoolingDown as cooling:
        raise ApiProblem(
            429,
            f"The export of {day} was built moments ago; GET it, or build it again in {cooling.retry_after} s.",
            type_name="export-cooling-down",
            headers={"Retry-After": str(cooling.retry_after)},
        ) from None
    return json_response(built, headers={"Cache-Control": "no-store"})
