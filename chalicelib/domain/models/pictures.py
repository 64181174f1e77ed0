"""Pictures: the upload that brings one in, and what a report or a claim shows of it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from chalicelib.domain.models.common import Model, StrictModel, UploadId

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class PictureType(StrEnum):
    jpeg = "image/jpeg"
    png = "image/png"
    webp = "image/webp"


class PictureStatus(StrEnum):
    processed = "processed"  # analysed: a clean copy, its hashes and the text read in it
    refused = "refused"  # not a picture Saring can take; the reason says why
    waiting = "waiting"  # not analysed yet


class UploadRequest(StrictModel):
    """Body of ``POST /v1/uploads``: what will be uploaded."""

    content_type: PictureType
    size: int = Field(ge=1, le=MAX_UPLOAD_BYTES, description="Bytes, at most 10 MB.")


class UploadTicket(Model):
    """Where and how to upload one picture: an HTML-form POST of ``fields`` plus ``file`` to ``url``."""

    upload_id: str
    url: str
    fields: dict[str, str]
    expires_at: datetime = Field(description="The upload must start before this; the id names the picture for a day.")


class ClaimPictureRequest(StrictModel):
    """Body of ``POST /v1/claims/{claim_id}/images``."""

    upload_id: UploadId


class PictureView(Model):
    """A picture as a report or claim shows it: never its bytes, never its metadata."""

    upload_id: str | None = None
    status: PictureStatus
    sha256: str | None = Field(default=None, description="Of the cleaned picture (metadata removed).")
    width: int | None = None
    height: int | None = None
    phash: str | None = Field(default=None, description="PDQ perceptual hash, 64 hex digits.")
    text_excerpt: str | None = Field(default=None, description="Text read in the picture (OCR), shortened.")
    reason: str | None = Field(default=None, description="Why the picture was refused (Indonesian).")
    link: str | None = Field(default=None, description="A short-lived link to the picture (fact-checkers only).")
