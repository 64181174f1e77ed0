"""Claims: fact-checks as Saring stores them, and their pages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import ConfigDict, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from chalicelib.domain.models.common import Label, Model, ProvinceCode, StrictModel, WebUrl
from chalicelib.domain.models.pictures import PictureView


class ClaimInput(StrictModel):
    """A fact-checked claim as it is imported: the debunk and the hoax it debunks."""

    external_id: str = Field(min_length=1, max_length=256, description="The source's own id.")
    title: str = Field(min_length=1, max_length=1_000)
    text: str | None = Field(default=None, max_length=20_000, description="The hoax as it spread.")
    variants: list[Annotated[str, Field(min_length=1, max_length=20_000)]] = Field(
        default_factory=list, max_length=20, description="Other wordings of the same hoax."
    )
    label: Label
    summary: str | None = Field(
        default=None, max_length=2_000, description="The fact-check's explanation for the public, in Indonesian."
    )
    publisher_label: str | None = Field(default=None, max_length=100)
    date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    url: WebUrl | None = Field(default=None, description="The fact-check article.")
    publisher: str | None = Field(default=None, max_length=200)
    topic: str | None = Field(default=None, max_length=100)
    language: str = Field(default="id", pattern=r"^[a-z]{2,3}$", description="ISO 639 code of the hoax.")
    province: ProvinceCode | None = Field(default=None, description="Where it is about, when it is local.")
    appearance_urls: list[WebUrl] = Field(default_factory=list, max_length=50, description="Where the hoax was seen.")
    appearance_image_urls: list[WebUrl] = Field(
        default_factory=list,
        max_length=20,
        description="Pictures of the hoax elsewhere (ClaimReview's appearance images): kept as links, never fetched.",
    )


def _without_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


# A patch field that may be left out but never sent as null: no null (nor default) in its schema.
_KEPT: Any = Field(default=None, json_schema_extra=_without_default)


class ClaimPatch(StrictModel):
    """Body of ``PATCH /v1/claims/{id}``: the fields to change (the external id never changes).

    Null clears an optional field; the fields every claim has cannot be cleared, only changed.
    """

    title: Annotated[str, Field(min_length=1, max_length=1_000)] | SkipJsonSchema[None] = _KEPT
    text: str | None = Field(default=None, max_length=20_000)
    variants: (
        Annotated[list[Annotated[str, Field(min_length=1, max_length=20_000)]], Field(max_length=20)]
        | SkipJsonSchema[None]
    ) = _KEPT
    label: Label | SkipJsonSchema[None] = _KEPT
    summary: str | None = Field(default=None, max_length=2_000)
    publisher_label: str | None = Field(default=None, max_length=100)
    date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    url: WebUrl | None = None
    publisher: str | None = Field(default=None, max_length=200)
    topic: str | None = Field(default=None, max_length=100)
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}$")] | SkipJsonSchema[None] = _KEPT
    province: ProvinceCode | None = None
    appearance_urls: Annotated[list[WebUrl], Field(max_length=50)] | SkipJsonSchema[None] = _KEPT
    appearance_image_urls: Annotated[list[WebUrl], Field(max_length=20)] | SkipJsonSchema[None] = _KEPT

    @field_validator("title", "variants", "label", "language", "appearance_urls", "appearance_image_urls")
    @classmethod
    def _kept(cls, value: object) -> object:
        # Runs only for a value that was sent: an explicit null, not a left-out field.
        if value is None:
            raise ValueError("every claim has this field: change it, or leave it out to keep it")
        return value


class ClaimView(ClaimInput):
    """A fact-checked claim as stored."""

    model_config = ConfigDict(extra="ignore")

    id: str
    updated_at: datetime
    images: list[PictureView] = Field(default_factory=list, description="Pictures of the hoax, as analysed.")


class ClaimPage(Model):
    """A page of claims; pass ``next_cursor`` back as ``cursor`` for the next one."""

    claims: list[ClaimView]
    next_cursor: str | None = None
