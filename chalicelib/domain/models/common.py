"""What every model shares: base classes, platforms, labels, provinces and links."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from chalicelib.domain.provinces import is_province_code


class Platform(StrEnum):
    whatsapp = "whatsapp"
    facebook = "facebook"
    instagram = "instagram"
    x = "x"
    tiktok = "tiktok"
    youtube = "youtube"
    telegram = "telegram"
    web = "web"
    other = "other"


class Label(StrEnum):
    """The normalised verdict labels; the publisher's own wording is kept beside them."""

    HOAKS = "HOAKS"
    DISINFORMASI = "DISINFORMASI"
    MISINFORMASI = "MISINFORMASI"
    MALINFORMASI = "MALINFORMASI"
    MENYESATKAN = "MENYESATKAN"
    PENIPUAN = "PENIPUAN"
    SATIRE = "SATIRE"
    BENAR = "BENAR"
    BELUM_TERBUKTI = "BELUM_TERBUKTI"


def _check_province(code: str) -> str:
    if not is_province_code(code):
        raise ValueError("unknown province code; use the two-digit Kemendagri code, e.g. '31' ('00': not known)")
    return code


_UNSAFE_IN_URL = frozenset('<>"') | frozenset(map(chr, range(0x20))) | {"\x7f"}


def _check_web_url(url: str) -> str:
    # Links are shown in pages and embedded in JSON-LD: characters that end an attribute or a tag
    # have no business in one (a real link percent-encodes them).
    if not _UNSAFE_IN_URL.isdisjoint(url):
        raise ValueError('must not contain <, >, " or control characters (percent-encode them)')
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an absolute http or https URL")
    try:
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        raise ValueError("has an invalid port") from None
    return url


class Model(BaseModel):
    # Schemas are built on first use, not at import: a cold start pays only for the models it uses.
    model_config = ConfigDict(defer_build=True)


ProvinceCode = Annotated[str, Field(pattern=r"^\d{2}$", examples=["31"]), AfterValidator(_check_province)]


WebUrl = Annotated[str, Field(min_length=8, max_length=2048), AfterValidator(_check_web_url)]


ReportText = Annotated[str, Field(min_length=1, max_length=20_000)]


class StrictModel(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class Reporter(StrictModel):
    """Who reported it: personal data, encrypted at rest and never returned to other partners."""

    contact: str = Field(min_length=3, max_length=254, description="Phone number or e-mail.")


UploadId = Annotated[str, Field(pattern=r"^upl_[a-z2-7]{26}$", examples=["upl_abvqzti472edkvmqonko4l43b7"])]

MAX_PICTURES = 4  # pictures per report or lookup


class Content(StrictModel):
    """A text, a link and/or pictures: what is reported or looked up."""

    text: ReportText | None = Field(default=None, description="The message as it was received.")
    url: WebUrl | None = Field(default=None, description="A link that was shared.")
    images: list[UploadId] = Field(
        default_factory=list,
        max_length=MAX_PICTURES,
        description="Pictures, as upload ids from POST /v1/uploads (each uploaded by the same partner).",
    )

    @model_validator(mode="after")
    def _has_content(self) -> Self:
        if not self.text and not self.url and not self.images:
            raise ValueError("give at least one of text, url or images")
        if len(set(self.images)) != len(self.images):
            raise ValueError("images: each upload id once")
        return self


class Health(Model):
    status: str
    stage: str
    version: str
