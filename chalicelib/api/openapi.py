"""The OpenAPI document, generated from the pydantic models (no hand-written schema)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.domain.access import is_public
from chalicelib.domain.models import (
    AuditPage,
    CasePage,
    CaseReportPage,
    CaseReviewRequest,
    CaseVerdictRequest,
    CaseView,
    ClaimInput,
    ClaimPage,
    ClaimPatch,
    ClaimView,
    DailyExport,
    DailyStats,
    DeliveryPage,
    Health,
    KeyCreated,
    KeyPage,
    KeyRequest,
    KeyView,
    LookupRequest,
    LookupResult,
    ReportAccepted,
    ReportSubmission,
    ReportView,
    Trending,
    WebhookCreated,
    WebhookEvent,
    WebhookPage,
    WebhookRequest,
    WebhookView,
)
from chalicelib.domain.problem_details import Problem
from chalicelib.version import VERSION

_MODELS: list[type[BaseModel]] = [
    ReportSubmission,
    ReportAccepted,
    ReportView,
    LookupRequest,
    LookupResult,
    ClaimInput,
    ClaimPatch,
    ClaimView,
    ClaimPage,
    Health,
    Problem,
    KeyRequest,
    KeyCreated,
    KeyView,
    KeyPage,
    WebhookRequest,
    WebhookCreated,
    WebhookView,
    WebhookPage,
    DeliveryPage,
    WebhookEvent,
    DailyExport,
    DailyStats,
    Trending,
    CasePage,
    CaseView,
    CaseReportPage,
    CaseReviewRequest,
    CaseVerdictRequest,
    AuditPage,
]
_REQUESTS = (
    ReportSubmission,
    LookupRequest,
    ClaimInput,
    ClaimPatch,
    KeyRequest,
    WebhookRequest,
    CaseReviewRequest,
    CaseVerdictRequest,
)


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(model)}}}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    return [
        {"name": name, "in": "query", "required": name in schema.get("required", []), "schema": field}
        for name, field in schema["properties"].items()
    ]


def _path(name: str, string_format: str | None = None) -> dict[str, Any]:
    schema = {"type": "string", **({"format": string_format} if string_format else {})}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _body(model: type[BaseModel]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(model)}}}


def _problems(*statuses: int) -> dict[str, Any]:
    content = {"application/problem+json": {"schema": _ref(Problem)}}
    return {str(status): {"description": "Problem details", "content": content} for status in statuses}


@lru_cache(maxsize=1)
def openapi_document() -> dict[str, Any]:
    """The whole document, built once per container."""
    from chalicelib.api.io import PageQuery
    from chalicelib.api.stats import TrendingQuery
    from chalicelib.domain.models import AuditQuery, CaseQuery, ClaimQuery, StatsQuery

    _, definitions = models_json_schema(
        [(model, "validation" if model in _REQUESTS else "serialization") for model in _MODELS],
        ref_template="#/components/schemas/{model}",
    )
    report_id, claim_id, key_id, webhook_id, case_id = (
        _path(name) for name in ("report_id", "claim_id", "key_id", "webhook_id", "case_id")
    )
    export_date = {**_path("date", "date"), "description": "A WIB day, YYYY-MM-DD."}
    idempotency_key = {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "A retry with the same key returns the first answer; another body is a 422.",
        "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    }
    paths: dict[str, Any] = {
        "/v1/reports": {
            "post": {
                "operationId": "submitReport",
                "parameters": [idempotency_key],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref(ReportSubmission)}},
                },
                "responses": {
                    "202": _json(ReportAccepted, "Accepted for checking"),
                    **_problems(400, 409, 413, 415, 422),
                },
            }
        },
        "/v1/reports/{report_id}": {
            "get": {
                "operationId": "getReport",
                "parameters": [report_id],
                "responses": {"200": _json(ReportView, "The report"), **_problems(404)},
            }
        },
        "/v1/lookup": {
            "post": {
                "operationId": "lookup",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref(LookupRequest)}},
                },
                "responses": {
                    "200": _json(LookupResult, "Ranked claims"),
                    **_problems(400, 413, 415, 422),
                },
            }
        },
        "/v1/claims": {
            "get": {
                "operationId": "listClaims",
                "parameters": _query_parameters(ClaimQuery),
                "responses": {"200": _json(ClaimPage, "A page of claims"), **_problems(422)},
            },
            "post": {
                "operationId": "createClaim",
                "requestBody": _body(ClaimInput),
                "responses": {"201": _json(ClaimView, "Saved"), **_problems(400, 413, 415, 422)},
            },
        },
        "/v1/claims/{claim_id}": {
            "get": {
                "operationId": "getClaim",
                "parameters": [claim_id],
                "responses": {
                    "200": {
                        "description": "The claim; as schema.org ClaimReview with Accept: application/ld+json "
                        "or ?format=jsonld",
                        "content": {"application/json": {"schema": _ref(ClaimView)}, "application/ld+json": {}},
                    },
                    **_problems(404),
                },
            },
            "patch": {
                "operationId": "updateClaim",
                "parameters": [claim_id],
                "requestBody": _body(ClaimPatch),
                "responses": {"200": _json(ClaimView, "Updated"), **_problems(400, 404, 413, 415, 422)},
            },
        },
        "/v1/keys": {
            "post": {
                "operationId": "createKey",
                "requestBody": _body(KeyRequest),
                "responses": {
                    "201": _json(KeyCreated, "Created; the key is shown this once"),
                    **_problems(400, 413, 415, 422),
                },
            },
            "get": {
                "operationId": "listKeys",
                "parameters": _query_parameters(PageQuery),
                "responses": {"200": _json(KeyPage, "A page of keys"), **_problems(422)},
            },
        },
        "/v1/keys/{key_id}": {
            "delete": {
                "operationId": "revokeKey",
                "parameters": [key_id],
                "responses": {"200": _json(KeyView, "Revoked"), **_problems(404)},
            }
        },
        "/v1/webhooks": {
            "post": {
                "operationId": "createWebhook",
                "requestBody": _body(WebhookRequest),
                "responses": {
                    "201": _json(WebhookCreated, "Subscribed; the secret is shown this once"),
                    **_problems(400, 409, 413, 415, 422),
                },
                "callbacks": {
                    "reportEvent": {
                        "{$request.body#/url}": {
                            "post": {
                                "requestBody": _body(WebhookEvent),
                                "responses": {"200": {"description": "Any 2xx acknowledges the delivery"}},
                            }
                        }
                    }
                },
            },
            "get": {"operationId": "listWebhooks", "responses": {"200": _json(WebhookPage, "Your webhooks")}},
        },
        "/v1/webhooks/{webhook_id}": {
            "get": {
                "operationId": "getWebhook",
                "parameters": [webhook_id],
                "responses": {"200": _json(WebhookView, "The webhook"), **_problems(404)},
            },
            "delete": {
                "operationId": "deleteWebhook",
                "parameters": [webhook_id],
                "responses": {"204": {"description": "Deleted"}, **_problems(404)},
            },
        },
        "/v1/webhooks/{webhook_id}/deliveries": {
            "get": {
                "operationId": "listDeliveries",
                "parameters": [webhook_id, *_query_parameters(PageQuery)],
                "responses": {"200": _json(DeliveryPage, "Deliveries, newest first"), **_problems(404, 422)},
            }
        },
        "/v1/exports/daily/{date}": {
            "get": {
                "operationId": "getDailyExport",
                "parameters": [export_date],
                "responses": {
                    "200": _json(DailyExport, "The files, with links valid 15 minutes"),
                    **_problems(404, 422),
                },
            },
            "post": {
                "operationId": "buildDailyExport",
                "parameters": [export_date],
                "description": "Builds today's or yesterday's export now (other days: 422); 5 minutes apart (429).",
                "responses": {"200": _json(DailyExport, "Built (again) now"), **_problems(404, 422)},
            },
        },
        "/v1/stats/daily": {
            "get": {
                "operationId": "dailyStats",
                "parameters": _query_parameters(StatsQuery),
                "responses": {"200": _json(DailyStats, "Per WIB day"), **_problems(422)},
            }
        },
        "/v1/stats/trending": {
            "get": {
                "operationId": "trendingCases",
                "parameters": _query_parameters(TrendingQuery),
                "responses": {"200": _json(Trending, "Cases growing fastest"), **_problems(422)},
            }
        },
        "/v1/cases": {
            "get": {
                "operationId": "reviewQueue",
                "parameters": _query_parameters(CaseQuery),
                "responses": {"200": _json(CasePage, "Cases by priority, highest first"), **_problems(422)},
            }
        },
        "/v1/cases/{case_id}": {
            "get": {
                "operationId": "getCase",
                "parameters": [case_id],
                "responses": {"200": _json(CaseView, "The case"), **_problems(404)},
            }
        },
        "/v1/cases/{case_id}/reports": {
            "get": {
                "operationId": "listCaseReports",
                "parameters": [case_id, *_query_parameters(PageQuery)],
                "responses": {"200": _json(CaseReportPage, "The case's reports, oldest first"), **_problems(404, 422)},
            }
        },
        "/v1/cases/{case_id}/review": {
            "post": {
                "operationId": "takeCase",
                "parameters": [case_id],
                "requestBody": _body(CaseReviewRequest),
                "responses": {"200": _json(CaseView, "Taken for review"), **_problems(400, 404, 409, 413, 415, 422)},
            }
        },
        "/v1/cases/{case_id}/verdict": {
            "post": {
                "operationId": "decideCase",
                "parameters": [case_id],
                "requestBody": _body(CaseVerdictRequest),
                "responses": {
                    "202": _json(CaseView, "Decided; the verdict is reaching the case's reports (see progress)"),
                    **_problems(400, 404, 409, 413, 415, 422),
                },
            }
        },
        "/v1/audit": {
            "get": {
                "operationId": "auditTrail",
                "parameters": _query_parameters(AuditQuery),
                "responses": {"200": _json(AuditPage, "Entries, newest first"), **_problems(422)},
            }
        },
        "/v1/health": {"get": {"operationId": "health", "responses": {"200": _json(Health, "Alive")}}},
        "/v1/openapi.json": {
            "get": {
                "operationId": "openapi",
                "responses": {"200": {"description": "This document"}},
            }
        },
    }
    for path, operations in paths.items():
        for method, operation in operations.items():
            if is_public(method.upper(), path):
                operation["security"] = []
            else:
                operation["responses"].update(_problems(401, 403, 429))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Saring",
            "version": VERSION,
            "description": "Hoax verification API: report suspicious content, fetch the verdict. "
            "Every call but health and this document needs an API key in X-Api-Key.",
        },
        "security": [{"ApiKey": []}],
        "paths": paths,
        "components": {
            "schemas": definitions["$defs"],
            "securitySchemes": {"ApiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}},
        },
    }
