"""RFC 9457 problem details: the two models every error answer uses, apart so errors import little."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class FieldProblem(BaseModel):
    """One field at fault in a request."""

    model_config = ConfigDict(defer_build=True)

    field: str = Field(description="Dotted path of the field, e.g. 'reporter.contact'.")
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details (``application/problem+json``)."""

    model_config = ConfigDict(defer_build=True)

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldProblem] | None = None
