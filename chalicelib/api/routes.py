"""Every route of the API, declared once: method, path, roles, models and answers.

The blueprints register their handlers with ``serve(blueprint, ROUTE)``; the access policy
(``ROUTE_POLICY``), the OpenAPI paths (``openapi.py``) and the route table of ``docs/api.md``
(``python -m chalicelib.api.routes``) are derived from these declarations. A route that is not
declared here cannot be served, and is refused to everyone.

Models are named, not imported: the cold start imports only what the route it serves needs.

    python -m chalicelib.api.routes     # prints the docs' route table
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from chalicelib.domain.access import Role
from chalicelib.services.errors import Refused

if TYPE_CHECKING:
    from chalice.app import Blueprint

BODY_ERRORS = (400, 413, 415, 422)  # a JSON body: malformed, too large, not JSON, invalid fields
KEY_ERRORS = (401, 403, 429)  # every route that needs a key: no key, wrong role, over its limits


@dataclass(frozen=True)
class Route:
    """One operation of the API.

    ``roles`` None: public (no key). ``request``, ``query`` and ``response`` name pydantic models
    (domain models, or ``api/queries.py`` for query strings). ``errors`` are the problem statuses
    the route itself answers; those of a key (401, 403, 429) are added to every non-public route.
    ``per_address``: a public route counted against the limits of its client address and of everyone
    (``services/access.use_public_allowance``); ``complaint`` also against their complaints a day.
    """

    method: str
    path: str
    operation_id: str
    roles: frozenset[Role] | None
    summary: str
    status: int = 200
    response: str | None = None
    request: str | None = None
    query: str | None = None
    errors: tuple[int, ...] = ()
    description: str | None = None
    openapi: Mapping[str, Any] = field(default_factory=dict)  # what else the OpenAPI operation says
    purpose: str = ""  # what it does, for the docs' route table (Markdown)
    per_address: bool = False
    complaint: bool = False

    @property
    def path_parameters(self) -> list[str]:
        return re.findall(r"\{(\w+)\}", self.path)

    @property
    def all_errors(self) -> tuple[int, ...]:
        added = set(KEY_ERRORS) if self.roles is not None else {429} if self.per_address else set()
        return tuple(sorted(set(self.errors) | added))


_READERS = frozenset({Role.partner, Role.media, Role.agency, Role.checker, Role.admin})
_CASE_READERS = frozenset({Role.checker, Role.agency, Role.admin})
_AGENCIES = frozenset({Role.agency, Role.admin})
_CHECKERS = frozenset({Role.checker, Role.admin})
_ADMIN = frozenset({Role.admin})
_PARTNER = frozenset({Role.partner})
_CHECKER = frozenset({Role.checker})
_CONSOLE = frozenset({Role.checker, Role.agency, Role.admin})
# Who subscribes webhooks: partners (their reports), agencies and fact-checkers (referrals to and from them)
_HOOKED = frozenset({Role.partner, Role.agency, Role.checker})

IDEMPOTENCY_KEY_HEADER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "A retry with the same key returns the first answer; another body is a 422.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}

HEALTH = Route("GET", "/v1/health", "health", None, "Alive", response="Health", purpose="liveness")
OPENAPI = Route(
    "GET",
    "/v1/openapi.json",
    "openapi",
    None,
    "This document",
    purpose="this API as OpenAPI 3.1, generated from the pydantic models",
)
SUBMIT_REPORT = Route(
    "POST",
    "/v1/reports",
    "submitReport",
    _PARTNER,
    "Accepted for checking",
    status=202,
    response="ReportAccepted",
    request="ReportSubmission",
    errors=BODY_ERRORS,
    openapi={"parameters": [IDEMPOTENCY_KEY_HEADER]},
    purpose="submit a report for checking",
)
GET_REPORT = Route(
    "GET",
    "/v1/reports/{report_id}",
    "getReport",
    frozenset({Role.partner, Role.agency, Role.checker, Role.admin}),
    "The report",
    response="ReportView",
    errors=(404,),
    purpose="the report's status and verdict (a partner: its own only)",
)
LOOKUP = Route(
    "POST",
    "/v1/lookup",
    "lookup",
    _READERS,
    "Ranked claims",
    response="LookupResult",
    request="LookupRequest",
    errors=(*BODY_ERRORS, 409),
    purpose='"has this been checked?" for a text, URL and/or pictures (upload ids)',
)
CREATE_UPLOAD = Route(
    "POST",
    "/v1/uploads",
    "createUpload",
    frozenset({Role.partner, Role.media, Role.checker, Role.admin}),
    "Where to upload one picture",
    status=201,
    response="UploadTicket",
    request="UploadRequest",
    errors=BODY_ERRORS,
    purpose=(
        "a presigned upload for one picture (`content_type` image/jpeg, image/png or image/webp, `size` ≤ 10 MB; "
        "valid 15 min); its `upload_id` then goes in `images` of a report or lookup"
    ),
)
ADD_CLAIM_PICTURE = Route(
    "POST",
    "/v1/claims/{claim_id}/images",
    "addClaimPicture",
    _CHECKERS,
    "The claim, with the picture",
    status=201,
    response="ClaimView",
    request="ClaimPictureRequest",
    errors=(*BODY_ERRORS, 404, 409),
    purpose="give a claim a picture of the hoax (an analysed upload): reports with that picture then match it",
)
LIST_CLAIMS = Route(
    "GET",
    "/v1/claims",
    "listClaims",
    _READERS,
    "A page of claims",
    response="ClaimPage",
    query="ClaimQuery",
    errors=(422,),
    purpose="claims: `q` (text search, best first), `label`, `since` (date), `limit` (≤ 100), `cursor`",
)
CREATE_CLAIM = Route(
    "POST",
    "/v1/claims",
    "createClaim",
    _CHECKERS,
    "Saved",
    status=201,
    response="ClaimView",
    request="ClaimInput",
    errors=BODY_ERRORS,
    purpose="create a claim, or update the one with the same `external_id`",
)
GET_CLAIM = Route(
    "GET",
    "/v1/claims/{claim_id}",
    "getClaim",
    _READERS,
    "The claim; as schema.org ClaimReview with Accept: application/ld+json or ?format=jsonld",
    response="ClaimView",
    errors=(404,),
    openapi={"also_returns": {"application/ld+json": {}}},
    purpose="one claim; as schema.org ClaimReview with `Accept: application/ld+json` or `?format=jsonld`",
)
UPDATE_CLAIM = Route(
    "PATCH",
    "/v1/claims/{claim_id}",
    "updateClaim",
    _CHECKERS,
    "Updated",
    response="ClaimView",
    request="ClaimPatch",
    errors=(*BODY_ERRORS, 404),
    purpose="change some fields of a claim (null clears an optional one)",
)
CREATE_KEY = Route(
    "POST",
    "/v1/keys",
    "createKey",
    _ADMIN,
    "Created; the key is shown this once",
    status=201,
    response="KeyCreated",
    request="KeyRequest",
    errors=BODY_ERRORS,
    purpose=(
        "create an API key (`partner_id`, `roles`, optional `name`, `limits`, `expires_at`); a partner app's "
        "id takes only `partner`/`media` keys"
    ),
)
LIST_KEYS = Route(
    "GET",
    "/v1/keys",
    "listKeys",
    _ADMIN,
    "A page of keys",
    response="KeyPage",
    query="PageQuery",
    errors=(422,),
    purpose="keys, never their values (`cursor`, `limit`)",
)
REVOKE_KEY = Route(
    "DELETE",
    "/v1/keys/{key_id}",
    "revokeKey",
    _ADMIN,
    "Revoked",
    response="KeyView",
    errors=(404,),
    purpose="revoke a key for good",
)
CREATE_WEBHOOK = Route(
    "POST",
    "/v1/webhooks",
    "createWebhook",
    _HOOKED,
    "Subscribed; the secret is shown this once",
    status=201,
    response="WebhookCreated",
    request="WebhookRequest",
    errors=(*BODY_ERRORS, 409),
    openapi={"callback_body": "WebhookEvent"},
    purpose="subscribe a callback (`url`, `events`); at most 10 a partner",
)
LIST_WEBHOOKS = Route(
    "GET",
    "/v1/webhooks",
    "listWebhooks",
    _HOOKED,
    "Your webhooks",
    response="WebhookPage",
    purpose="the partner's webhooks",
)
GET_WEBHOOK = Route(
    "GET",
    "/v1/webhooks/{webhook_id}",
    "getWebhook",
    _HOOKED,
    "The webhook",
    response="WebhookView",
    errors=(404,),
    purpose="one of them",
)
DELETE_WEBHOOK = Route(
    "DELETE",
    "/v1/webhooks/{webhook_id}",
    "deleteWebhook",
    _HOOKED,
    "Deleted",
    status=204,
    errors=(404,),
    purpose="unsubscribe",
)
LIST_DELIVERIES = Route(
    "GET",
    "/v1/webhooks/{webhook_id}/deliveries",
    "listDeliveries",
    _HOOKED,
    "Deliveries, newest first",
    response="DeliveryPage",
    query="PageQuery",
    errors=(404, 422),
    purpose="what was sent, newest first, with status and last error (`cursor`, `limit`)",
)
GET_DAILY_EXPORT = Route(
    "GET",
    "/v1/exports/daily/{date}",
    "getDailyExport",
    _AGENCIES,
    "The files, with links valid 15 minutes",
    response="DailyExport",
    errors=(404, 422),
    purpose="one WIB day's export: presigned links (15 minutes) to the CSV, the JSON Lines and the manifest",
)
BUILD_DAILY_EXPORT = Route(
    "POST",
    "/v1/exports/daily/{date}",
    "buildDailyExport",
    _AGENCIES,
    "Built (again) now",
    response="DailyExport",
    errors=(404, 422),
    description="Builds today's or yesterday's export now (other days: 422); 5 minutes apart (429).",
    purpose=(
        "build (or rebuild) today's or yesterday's export now (today's is marked `complete: false`); 5 minutes apart"
    ),
)
DAILY_STATS = Route(
    "GET",
    "/v1/stats/daily",
    "dailyStats",
    _AGENCIES,
    "Per WIB day",
    response="DailyStats",
    query="StatsQuery",
    errors=(422,),
    purpose=(
        "per WIB day from `from` to `to` (≤ 92 days): reports received and counts by `group_by` = `label`, "
        "`province` or `platform`"
    ),
)
TRENDING = Route(
    "GET",
    "/v1/stats/trending",
    "trendingCases",
    _AGENCIES,
    "Cases growing fastest",
    response="Trending",
    query="TrendingQuery",
    errors=(422,),
    purpose="cases growing fastest: reports in the last 24 h against the 24 h before (`limit` ≤ 50)",
)
REVIEW_QUEUE = Route(
    "GET",
    "/v1/cases",
    "reviewQueue",
    _CASE_READERS,
    "Cases by priority, highest first",
    response="CasePage",
    query="CaseQuery",
    errors=(422,),
    purpose=(
        "the review queue: cases of a `status` (`open` by default, `in_review`, `decided`) by priority, each "
        "component explained (`cursor`, `limit`)"
    ),
)
GET_CASE = Route(
    "GET",
    "/v1/cases/{case_id}",
    "getCase",
    _CASE_READERS,
    "The case",
    response="CaseView",
    errors=(404,),
    purpose="a case: counts per platform and province, suggestions, verdict, history, progress of the verdict",
)
LIST_CASE_REPORTS = Route(
    "GET",
    "/v1/cases/{case_id}/reports",
    "listCaseReports",
    _CASE_READERS,
    "The case's reports, oldest first",
    response="CaseReportPage",
    query="PageQuery",
    errors=(404, 422),
    purpose="the case's reports, oldest first (`cursor`, `limit`)",
)
TAKE_CASE = Route(
    "POST",
    "/v1/cases/{case_id}/review",
    "takeCase",
    _CHECKER,
    "Taken for review",
    response="CaseView",
    request="CaseReviewRequest",
    errors=(*BODY_ERRORS, 404, 409),
    purpose="take an open case (`version`): it shows as `in_review` with the checker's name",
)
DECIDE_CASE = Route(
    "POST",
    "/v1/cases/{case_id}/verdict",
    "decideCase",
    _CHECKER,
    "Decided; the verdict is reaching the case's reports (see progress)",
    status=202,
    response="CaseView",
    request="CaseVerdictRequest",
    errors=(*BODY_ERRORS, 404, 409),
    purpose=(
        "decide (`version`, `label`, `summary`, `fact_check_url`, and `claim_id` of an existing claim or "
        "`title` — with optional `text` and `appearance_urls` the checker writes — of a new one)"
    ),
)
AUDIT_TRAIL = Route(
    "GET",
    "/v1/audit",
    "auditTrail",
    _ADMIN,
    "Entries, newest first",
    response="AuditPage",
    query="AuditQuery",
    errors=(422,),
    purpose="the audit trail: one WIB `day` (default today) or one `target` (a case, claim or key id), newest first",
)
PUBLIC_CHECK = Route(
    "POST",
    "/v1/public/check",
    "publicCheck",
    None,
    "Published fact-checks that answer it",
    response="PublicCheckResult",
    request="PublicCheckRequest",
    errors=(*BODY_ERRORS, 409),
    per_address=True,
    purpose='the public\'s "cek dulu": published fact-checks for a text, link and/or pictures (no key)',
)
PUBLIC_UPLOAD = Route(
    "POST",
    "/v1/public/uploads",
    "publicUpload",
    None,
    "Where to upload one picture",
    status=201,
    response="UploadTicket",
    request="UploadRequest",
    errors=BODY_ERRORS,
    per_address=True,
    purpose="a presigned upload for one picture of the public, for `images` of a check or complaint (no key)",
)
PUBLIC_CHALLENGE = Route(
    "GET",
    "/v1/public/challenge",
    "publicChallenge",
    None,
    "A challenge to solve",
    response="PublicChallenge",
    per_address=True,
    purpose="a single-use proof-of-work challenge a complaint must carry solved (no key)",
)
PUBLIC_COMPLAINT = Route(
    "POST",
    "/v1/public/reports",
    "submitComplaint",
    None,
    "Accepted; follow it with the tracking code",
    status=202,
    response="ComplaintAccepted",
    request="Complaint",
    errors=BODY_ERRORS,
    per_address=True,
    complaint=True,
    purpose="a complaint (*aduan*) from the public, with a solved `challenge` and `nonce` (no key)",
)
PUBLIC_COMPLAINT_STATUS = Route(
    "GET",
    "/v1/public/reports/{tracking_code}",
    "getComplaint",
    None,
    "The complaint's status and verdict",
    response="ComplaintStatus",
    errors=(404,),
    per_address=True,
    purpose="a complaint's status and verdict, by its tracking code (no key)",
)
SIGN_IN = Route(
    "POST",
    "/v1/sessions",
    "signIn",
    None,
    "Signed in; the session is in the Set-Cookie header",
    status=201,
    response="SessionView",
    request="SessionRequest",
    errors=(*BODY_ERRORS, 401, 403),
    per_address=True,
    purpose=(
        "the console's sign-in with a checker, agency or admin key: an HttpOnly, SameSite=Strict session "
        "cookie and its `csrf_token` (send it as `X-CSRF-Token` on every call that changes something)"
    ),
)
CURRENT_SESSION = Route(
    "GET",
    "/v1/sessions",
    "currentSession",
    _CONSOLE,
    "The session",
    response="SessionView",
    errors=(404,),
    purpose="the caller's console session (its roles and `csrf_token`), as the console reloads it",
)
SIGN_OUT = Route(
    "DELETE",
    "/v1/sessions",
    "signOut",
    _CONSOLE,
    "Signed out; the cookie is cleared",
    status=204,
    errors=(404,),
    purpose="sign out of the console: the session ends at once",
)
REFER_CASE = Route(
    "POST",
    "/v1/cases/{case_id}/referrals",
    "referCase",
    _CHECKERS,
    "Referred",
    status=201,
    response="ReferralView",
    request="ReferralRequest",
    errors=(*BODY_ERRORS, 404),
    purpose="refer a case to an agency (`bawaslu`, `polri`, or another agency's partner id) with a category and a note",
)
LIST_REFERRALS = Route(
    "GET",
    "/v1/referrals",
    "listReferrals",
    _CASE_READERS,
    "Referrals, newest first",
    response="ReferralPage",
    query="ReferralQuery",
    errors=(422,),
    purpose="referrals (`status`): an agency's own; every one for fact-checkers and admins",
)
GET_REFERRAL = Route(
    "GET",
    "/v1/referrals/{referral_id}",
    "getReferral",
    _CASE_READERS,
    "The referral",
    response="ReferralView",
    errors=(404,),
    purpose="one referral and its history (an agency: only those addressed to it)",
)
MOVE_REFERRAL = Route(
    "POST",
    "/v1/referrals/{referral_id}/status",
    "moveReferral",
    frozenset({Role.agency}),
    "Moved",
    response="ReferralView",
    request="ReferralStatusRequest",
    errors=(*BODY_ERRORS, 404),
    purpose="the receiving agency moves its referral: `acknowledged` → `in_process` → `closed` (with `outcome`)",
)
REFERRAL_EVIDENCE = Route(
    "GET",
    "/v1/referrals/{referral_id}/evidence",
    "referralEvidence",
    _CASE_READERS,
    "The evidence package",
    response="EvidencePackage",
    errors=(404,),
    purpose=(
        "a ZIP of the case's reports, pictures, verdict, fact-check and audit trail with `manifest.json` "
        "(each file's SHA-256) signed by the evidence key; a presigned link"
    ),
)
EVIDENCE_KEY = Route(
    "GET",
    "/v1/evidence-key",
    "evidenceKey",
    None,
    "The evidence key's public half",
    response="EvidenceKey",
    per_address=True,
    purpose="the public key (PEM) that verifies evidence packages offline (no key)",
)
REFERRAL_STATS = Route(
    "GET",
    "/v1/stats/referrals",
    "referralStats",
    _CASE_READERS,
    "Referrals per agency and category",
    response="ReferralCounts",
    purpose="referrals made, per agency and category (an agency: its own)",
)
VERIFY_AUDIT = Route(
    "GET",
    "/v1/audit/verify",
    "verifyAudit",
    _AGENCIES,
    "Whether the day's audit trail is whole",
    response="AuditDayCheck",
    query="AuditVerifyQuery",
    errors=(422,),
    purpose="recompute a WIB `day`'s hash chain from its entries and check its links and signed seal",
)

# In the order the docs and the OpenAPI document list them.
ROUTES: tuple[Route, ...] = (
    CREATE_UPLOAD,
    SUBMIT_REPORT,
    GET_REPORT,
    LOOKUP,
    LIST_CLAIMS,
    CREATE_CLAIM,
    GET_CLAIM,
    UPDATE_CLAIM,
    ADD_CLAIM_PICTURE,
    CREATE_KEY,
    LIST_KEYS,
    REVOKE_KEY,
    CREATE_WEBHOOK,
    LIST_WEBHOOKS,
    GET_WEBHOOK,
    DELETE_WEBHOOK,
    LIST_DELIVERIES,
    GET_DAILY_EXPORT,
    BUILD_DAILY_EXPORT,
    DAILY_STATS,
    TRENDING,
    REVIEW_QUEUE,
    GET_CASE,
    LIST_CASE_REPORTS,
    TAKE_CASE,
    DECIDE_CASE,
    AUDIT_TRAIL,
    VERIFY_AUDIT,
    REFER_CASE,
    LIST_REFERRALS,
    GET_REFERRAL,
    MOVE_REFERRAL,
    REFERRAL_EVIDENCE,
    REFERRAL_STATS,
    EVIDENCE_KEY,
    PUBLIC_CHECK,
    PUBLIC_UPLOAD,
    PUBLIC_CHALLENGE,
    PUBLIC_COMPLAINT,
    PUBLIC_COMPLAINT_STATUS,
    SIGN_IN,
    CURRENT_SESSION,
    SIGN_OUT,
    HEALTH,
    OPENAPI,
)

# (method, route) → roles allowed; None means public. A route missing here is refused to everyone.
ROUTE_POLICY: dict[tuple[str, str], frozenset[Role] | None] = {
    (route.method, route.path): route.roles for route in ROUTES
}


# Public routes counted against the limits of a client address: (method, route) → counts a complaint.
PER_ADDRESS: dict[tuple[str, str], bool] = {
    (route.method, route.path): route.complaint for route in ROUTES if route.per_address
}


def methods_of(path: str) -> list[str]:
    """The methods declared for a path (the Allow header of a 405)."""
    return sorted(method for method, known in ROUTE_POLICY if known == path)


def is_public(method: str, path: str) -> bool:
    return (method, path) in ROUTE_POLICY and ROUTE_POLICY[(method, path)] is None


def may_call(roles: frozenset[Role], method: str, path: str) -> bool:
    """True when any of ``roles`` is allowed on the route (undeclared routes: never)."""
    allowed = ROUTE_POLICY.get((method, path), frozenset())
    return allowed is None or bool(roles & allowed)


Handler = TypeVar("Handler", bound=Callable[..., object])


def serve(blueprint: Blueprint, route: Route) -> Callable[[Handler], Handler]:
    """Register a handler for a declared route; a service's refusal becomes its problem (``problems.py``)."""
    if route not in ROUTES:
        raise ValueError(f"{route.method} {route.path} is not declared in ROUTES")

    def register(handler: Handler) -> Handler:
        @wraps(handler)
        def handled(*args: Any, **kwargs: Any) -> object:
            try:
                return handler(*args, **kwargs)
            except Refused as refused:
                from chalicelib.api.problems import problem_of

                raise problem_of(refused) from None

        blueprint.route(route.path, methods=[route.method])(handled)
        return handled  # type: ignore[return-value]

    return register


def _roles_text(roles: frozenset[Role] | None) -> str:
    return "public" if roles is None else ", ".join(role.value for role in Role if role in roles)


def route_table() -> str:
    """The Markdown table of every route, as ``docs/api.md`` shows it (a test keeps it current)."""
    rows = ["| method and path | what it does | roles | answer | problems |", "|---|---|---|---|---|"]
    for route in ROUTES:
        answer = f"{route.status} `{route.response}`" if route.response else str(route.status)
        problems = ", ".join(str(status) for status in route.all_errors) or "none"
        cells = [f"`{route.method} {route.path}`", route.purpose, _roles_text(route.roles), answer, problems]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(route_table(), end="")
