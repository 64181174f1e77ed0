"""The API's vocabulary: one pydantic definition of each schema (OpenAPI is generated from these)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any, Self
from urllib.parse import urlsplit

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from chalicelib.domain.access import DEFAULT_REQUESTS_PER_MINUTE, DEFAULT_SUBMISSIONS_PER_DAY, Role
from chalicelib.domain.provinces import PROVINCES


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


class ReportStatus(StrEnum):
    received = "received"
    checking = "checking"
    matched = "matched"
    needs_review = "needs_review"
    reviewed = "reviewed"

    @property
    def is_pending(self) -> bool:
        """Still waiting for the machine's check."""
        return self in (ReportStatus.received, ReportStatus.checking)


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
    if code not in PROVINCES:
        raise ValueError("unknown province code; use the two-digit Kemendagri code, e.g. '31'")
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


class _Model(BaseModel):
    # Schemas are built on first use, not at import: a cold start pays only for the models it uses.
    model_config = ConfigDict(defer_build=True)


ProvinceCode = Annotated[str, Field(pattern=r"^\d{2}$", examples=["31"]), AfterValidator(_check_province)]
WebUrl = Annotated[str, Field(min_length=8, max_length=2048), AfterValidator(_check_web_url)]
ReportText = Annotated[str, Field(min_length=1, max_length=20_000)]


class _Strict(_Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class Reporter(_Strict):
    """Who reported it: personal data, encrypted at rest and never returned to other partners."""

    contact: str = Field(min_length=3, max_length=254, description="Phone number or e-mail.")


class _Content(_Strict):
    """A text and/or a link: what is reported or looked up."""

    text: ReportText | None = Field(default=None, description="The message as it was received.")
    url: WebUrl | None = Field(default=None, description="A link that was shared.")

    @model_validator(mode="after")
    def _has_content(self) -> Self:
        if not self.text and not self.url:
            raise ValueError("give at least one of text or url")
        return self


class ReportSubmission(_Content):
    """Body of ``POST /v1/reports``."""

    platform: Platform
    province: ProvinceCode
    observed_at: AwareDatetime | None = Field(
        default=None, description="When the reporter saw it (ISO-8601 with a UTC offset)."
    )
    external_id: str | None = Field(default=None, min_length=1, max_length=128, description="The partner's own id.")
    reporter: Reporter | None = None


class ReportAccepted(_Model):
    """The 202 answer to a submission."""

    id: str
    status: ReportStatus
    received_at: datetime


class ClaimSummary(_Model):
    """A fact-checked claim as verdicts and matches cite it."""

    id: str
    external_id: str | None = None
    title: str
    label: Label
    url: str | None = Field(default=None, description="The fact-check article.")
    date: str | None = Field(default=None, description="ISO date of the debunk.")


class MatchLevel(StrEnum):
    match = "match"  # confident: decides a verdict automatically
    suggest = "suggest"  # a fact-checker should look
    none = "none"  # weak


class ClaimMatch(_Model):
    """A claim that may debunk some content, and how sure the engine is."""

    claim: ClaimSummary
    score: float = Field(ge=0, le=1)
    level: MatchLevel


class Verdict(_Model):
    """Who decided what about a report, and why."""

    label: Label | None = Field(description="Null while a fact-checker has yet to decide.")
    decided_by: str = Field(description="'auto' for a matched claim, else the checker's name.")
    claim: ClaimSummary | None = None
    score: float | None = Field(default=None, ge=0, le=1)
    reason: str = Field(description="Why this verdict, in Indonesian.")


class ReportView(_Model):
    """``GET /v1/reports/{id}``."""

    id: str
    status: ReportStatus
    received_at: datetime
    case_id: str | None = None
    seen_count: int = Field(description="Reports of the same content, this one included.")
    verdict: Verdict | None = None
    suggestions: list[ClaimMatch] = Field(
        default_factory=list, description="Claims a fact-checker should look at (when needs_review)."
    )
    reporter: Reporter | None = Field(
        default=None, description="The reporter's contact: only in the submitting partner's own fetch."
    )


class LookupRequest(_Content):
    """Body of ``POST /v1/lookup``: a text or a link (or both)."""

    limit: int = Field(default=5, ge=1, le=20)
    since: date | None = Field(default=None, description="Debunks older than this never auto-confirm.")


class LookupResult(_Model):
    """Ranked claims, best first, and the verdict the best confident match implies."""

    matches: list[ClaimMatch]
    verdict_hint: Label | None = Field(description="The label of a confident match, else null.")


class Health(_Model):
    status: str
    stage: str
    version: str


class ClaimInput(_Strict):
    """A fact-checked claim as it is imported: the debunk and the hoax it debunks."""

    external_id: str = Field(min_length=1, max_length=256, description="The source's own id.")
    title: str = Field(min_length=1, max_length=1_000)
    text: str | None = Field(default=None, max_length=20_000, description="The hoax as it spread.")
    variants: list[Annotated[str, Field(min_length=1, max_length=20_000)]] = Field(
        default_factory=list, max_length=20, description="Other wordings of the same hoax."
    )
    label: Label
    publisher_label: str | None = Field(default=None, max_length=100)
    date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    url: WebUrl | None = Field(default=None, description="The fact-check article.")
    publisher: str | None = Field(default=None, max_length=200)
    topic: str | None = Field(default=None, max_length=100)
    language: str = Field(default="id", pattern=r"^[a-z]{2,3}$", description="ISO 639 code of the hoax.")
    province: ProvinceCode | None = Field(default=None, description="Where it is about, when it is local.")
    appearance_urls: list[WebUrl] = Field(default_factory=list, max_length=50, description="Where the hoax was seen.")


def _without_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


# A patch field that may be left out but never sent as null: no null (nor default) in its schema.
_KEPT: Any = Field(default=None, json_schema_extra=_without_default)


class ClaimPatch(_Strict):
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
    publisher_label: str | None = Field(default=None, max_length=100)
    date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    url: WebUrl | None = None
    publisher: str | None = Field(default=None, max_length=200)
    topic: str | None = Field(default=None, max_length=100)
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}$")] | SkipJsonSchema[None] = _KEPT
    province: ProvinceCode | None = None
    appearance_urls: Annotated[list[WebUrl], Field(max_length=50)] | SkipJsonSchema[None] = _KEPT

    @field_validator("title", "variants", "label", "language", "appearance_urls")
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


class ClaimPage(_Model):
    """A page of claims; pass ``next_cursor`` back as ``cursor`` for the next one."""

    claims: list[ClaimView]
    next_cursor: str | None = None


class KeyLimits(_Strict):
    """How much one key may do."""

    requests_per_minute: int = Field(default=DEFAULT_REQUESTS_PER_MINUTE, ge=1, le=100_000)
    submissions_per_day: int = Field(
        default=DEFAULT_SUBMISSIONS_PER_DAY, ge=0, le=10_000_000, description="Reports per WIB day."
    )


PartnerId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$", examples=["kabar-app"])]


class KeyRequest(_Strict):
    """Body of ``POST /v1/keys``."""

    partner_id: PartnerId
    roles: list[Role] = Field(min_length=1, max_length=5, json_schema_extra={"uniqueItems": True})
    name: str | None = Field(default=None, min_length=1, max_length=100)
    limits: KeyLimits = Field(default_factory=KeyLimits)
    expires_at: AwareDatetime | None = Field(default=None, description="After this the key is refused.")

    @field_validator("roles")
    @classmethod
    def _distinct_roles(cls, roles: list[Role]) -> list[Role]:
        if len(set(roles)) != len(roles):
            raise ValueError("roles must not repeat")
        return roles

    @field_validator("expires_at")
    @classmethod
    def _in_the_future(cls, moment: datetime | None) -> datetime | None:
        if moment is not None and moment <= datetime.now(UTC):
            raise ValueError("must be in the future")
        return moment


class KeyView(_Model):
    """An API key as admins see it (never the key itself)."""

    id: str
    partner_id: str
    roles: list[Role]
    name: str | None = None
    limits: KeyLimits
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None


class KeyCreated(KeyView):
    """The 201 answer: the only time the key is shown."""

    key: str = Field(description="Send it as X-Api-Key. It is not stored and cannot be shown again.")


class KeyPage(_Model):
    keys: list[KeyView]
    next_cursor: str | None = None


class WebhookEventType(StrEnum):
    report_checked = "report.checked"  # the machine's check finished
    report_verdict_changed = "report.verdict_changed"  # a report got a verdict or another one


class WebhookRequest(_Strict):
    """Body of ``POST /v1/webhooks``."""

    url: WebUrl = Field(description="HTTPS callback; it must resolve to a public address.")
    events: list[WebhookEventType] = Field(
        min_length=1, max_length=len(WebhookEventType), json_schema_extra={"uniqueItems": True}
    )


class WebhookView(_Model):
    id: str
    url: str
    events: list[WebhookEventType]
    created_at: datetime


class WebhookCreated(WebhookView):
    """The 201 answer: the only time the signing secret is shown."""

    secret: str = Field(description="Verifies the Saring-Signature header; keep it secret.")


class WebhookPage(_Model):
    webhooks: list[WebhookView]


class DeliveryStatus(StrEnum):
    pending = "pending"
    retrying = "retrying"
    delivered = "delivered"
    dead_lettered = "dead_lettered"  # every try failed; parked in the dead-letter queue


class DeliveryView(_Model):
    id: str
    event_id: str
    event_type: WebhookEventType
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None = None
    last_error: str | None = None
    created_at: datetime
    updated_at: datetime


class DeliveryPage(_Model):
    """Deliveries, newest first; pass ``next_cursor`` back as ``cursor``."""

    deliveries: list[DeliveryView]
    next_cursor: str | None = None


class ReportEventData(_Model):
    """The report an event is about, as its partner sees it (never personal data)."""

    id: str
    external_id: str | None = None
    status: ReportStatus
    received_at: datetime
    case_id: str | None = None
    verdict: Verdict | None = None


class WebhookEvent(_Model):
    """The JSON body of every webhook delivery."""

    id: str = Field(description="Stable across retries: use it to drop duplicates.")
    type: WebhookEventType
    created_at: datetime
    report: ReportEventData


class ExportFile(_Model):
    name: str
    rows: int
    bytes: int
    sha256: str
    url: str = Field(description="Presigned download URL; valid until the export's urls_expire_at.")


class DailyExport(_Model):
    """``GET /v1/exports/daily/{date}``: the files of one WIB day and how to check them."""

    date: date
    complete: bool = Field(description="False for a day not over yet (an on-demand build of today).")
    rows: int
    generated_at: datetime
    code_version: str
    manifest_url: str
    files: list[ExportFile]
    urls_expire_at: datetime


class StatsGroup(StrEnum):
    label = "label"
    province = "province"
    platform = "platform"


class StatsQuery(_Strict):
    """Query string of ``GET /v1/stats/daily``."""

    from_: date = Field(alias="from", description="First WIB day.")
    to: date = Field(description="Last WIB day (at most 92 days after `from`).")
    group_by: StatsGroup = StatsGroup.label

    model_config = ConfigDict(extra="forbid", populate_by_name=False)

    @model_validator(mode="after")
    def _a_range(self) -> Self:
        if self.to < self.from_:
            raise ValueError("`to` is before `from`")
        if (self.to - self.from_).days > 91:
            raise ValueError("at most 92 days at once")
        return self


class DayStats(_Model):
    date: date
    total: int = Field(description="Reports received that WIB day.")
    counts: dict[str, int] = Field(description="By the chosen group; labels are the verdicts so far.")


class DailyStats(_Model):
    group_by: StatsGroup
    days: list[DayStats]


class TrendingCase(_Model):
    case_id: str
    reports_last_24h: int
    reports_previous_24h: int
    growth: int
    sample_text: str | None = Field(default=None, description="The start of the case's content (no personal data).")
    sample_url: str | None = None


class Trending(_Model):
    """Cases growing fastest: reports in the last 24 hours against the 24 before."""

    generated_at: datetime
    cases: list[TrendingCase]


class ClaimQuery(_Strict):
    """Query string of ``GET /v1/claims``."""

    q: str | None = Field(default=None, min_length=1, max_length=2_000)
    label: Label | None = None
    since: date | None = None
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=20, ge=1, le=100)


class CaseStatus(StrEnum):
    open = "open"  # waiting for a fact-checker
    in_review = "in_review"  # a fact-checker took it
    decided = "decided"  # a fact-checker published a verdict


class PriorityComponent(_Model):
    """One reason a case is urgent: what was seen, its score in [0, 1], and its weight in the total."""

    name: str = Field(description="spread, election, risk or suggestion.")
    score: float = Field(ge=0, le=1)
    weight: float
    points: float = Field(description="score × weight × 100: this component's share of the total.")
    evidence: list[str] = Field(description="What was seen: a rate, the words found, the best claim.")


class Priority(_Model):
    """How urgent a case is for the review queue (0–100), explained by its components."""

    total: float = Field(ge=0, le=100)
    components: list[PriorityComponent]


class VerdictEntry(_Model):
    """One verdict a case received; a changed verdict keeps the ones before."""

    version: int = Field(description="The case version this verdict created.")
    label: Label
    summary: str
    fact_check_url: str
    claim_id: str
    decided_by: str
    decided_at: datetime


class VerdictProgress(_Model):
    """How far the current verdict has reached the case's reports."""

    version: int
    reports_updated: int
    done: bool


class CaseSummary(_Model):
    """A case in the review queue."""

    id: str
    status: CaseStatus
    version: int = Field(description="Send it back with a verdict: a case changed since is a 409.")
    seen_count: int
    first_seen: datetime
    last_seen: datetime
    sample_text: str | None = None
    sample_url: str | None = None
    reviewer: str | None = Field(default=None, description="Who took the case for review.")
    priority: Priority


class CaseView(CaseSummary):
    """``GET /v1/cases/{id}``: the case, its counts, the engine's suggestions, its verdicts."""

    platforms: dict[str, int] = Field(description="Reports by platform.")
    provinces: dict[str, int] = Field(description="Reports by province code.")
    suggestions: list[ClaimMatch]
    verdict: Verdict | None = None
    history: list[VerdictEntry] = Field(description="Every verdict, oldest first.")
    progress: VerdictProgress | None = None


class CasePage(_Model):
    """Cases by priority, highest first; pass ``next_cursor`` back as ``cursor``."""

    cases: list[CaseSummary]
    next_cursor: str | None = None


class CaseQuery(_Strict):
    """Query string of ``GET /v1/cases``."""

    status: CaseStatus = CaseStatus.open
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=20, ge=1, le=100)


class CaseReport(_Model):
    """A report of a case, as a fact-checker sees it (never personal data)."""

    id: str
    status: ReportStatus
    received_at: datetime
    platform: str
    province: str
    verdict: Verdict | None = None


class CaseReportPage(_Model):
    reports: list[CaseReport]
    next_cursor: str | None = None


class CaseVerdictRequest(_Strict):
    """Body of ``POST /v1/cases/{id}/verdict``: link a claim (``claim_id``) or create one (``title``)."""

    version: int = Field(ge=0, description="The case's version as you read it.")
    label: Label
    summary: str = Field(min_length=10, max_length=2_000, description="Why, in Indonesian, for the public.")
    fact_check_url: WebUrl = Field(description="The published fact-check article.")
    claim_id: str | None = Field(
        default=None, pattern=r"^clm_[0-9a-f]{24}$", description="An existing claim this case repeats."
    )
    title: str | None = Field(
        default=None, min_length=1, max_length=1_000, description="Title of a new claim made from the case."
    )
    text: str | None = Field(
        default=None,
        min_length=1,
        max_length=20_000,
        description=(
            "The new claim's hoax text, as the checker wrote it (a console pre-fills the case's text for "
            "editing: remove names, numbers and addresses of private people). Claims are public: nothing of "
            "a report is copied into one without this."
        ),
    )
    appearance_urls: list[WebUrl] = Field(
        default_factory=list,
        max_length=50,
        description=(
            "Links where the hoax itself was posted, added to the new claim. A link only a checker names here "
            "ever makes a certain match; the case's own link is never copied (a hoax often cites an official page)."
        ),
    )

    @model_validator(mode="after")
    def _one_claim(self) -> Self:
        if (self.claim_id is None) == (self.title is None):
            raise ValueError("give either claim_id (an existing claim) or title (a new claim from the case)")
        if self.claim_id is not None and (self.text is not None or self.appearance_urls):
            raise ValueError("text and appearance_urls describe a new claim: change an existing claim with PATCH")
        return self


class CaseReviewRequest(_Strict):
    """Body of ``POST /v1/cases/{id}/review``: take an open case."""

    version: int = Field(ge=0, description="The case's version as you read it.")


class AuditAction(StrEnum):
    verdict_published = "verdict.published"
    case_taken = "case.taken"
    claim_created = "claim.created"
    claim_updated = "claim.updated"
    claims_imported = "claims.imported"
    key_created = "key.created"
    key_revoked = "key.revoked"


class AuditEntry(_Model):
    """One recorded change: who did what to which thing, and the thing before and after."""

    id: str
    at: datetime
    actor: str = Field(description="The key id (and its name) or 'cli' for the operator's command line.")
    actor_partner_id: str | None = None
    action: AuditAction
    target: str = Field(description="The id of what changed: a case, claim or key.")
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


class AuditPage(_Model):
    """Entries newest first; pass ``next_cursor`` back as ``cursor``."""

    entries: list[AuditEntry]
    next_cursor: str | None = None


class AuditQuery(_Strict):
    """Query string of ``GET /v1/audit``: one WIB day (default today) or every entry of one target."""

    day: date | None = Field(default=None, description="A WIB day, YYYY-MM-DD.")
    target: str | None = Field(default=None, min_length=3, max_length=100, pattern=r"^[a-z]+_[a-z0-9]+$")
    cursor: str | None = Field(default=None, max_length=400)
    limit: int = Field(default=50, ge=1, le=100)

    @model_validator(mode="after")
    def _one_filter(self) -> Self:
        if self.day is not None and self.target is not None:
            raise ValueError("give day or target, not both")
        return self
