"""OpenAPI pieces shared by every view: the one error body and its responses."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

_DESCRIPTIONS = {
    400: "Invalid input: `errors` names each field with its reasons.",
    401: "No token, or a bad or expired one.",
    403: "Authenticated, but this role may not do this.",
    404: "Not found, or not visible to this user.",
    405: "Method not allowed.",
    409: "Conflict with the current state.",
}


class ErrorBodySerializer(serializers.Serializer):
    """The one error body of every 4xx/5xx answer (rgms.api.exceptions)."""

    code = serializers.CharField()
    message = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Field name -> list of reasons (non_field_errors for cross-field rules).",
    )


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    """Error responses for extend_schema(responses=...); 401 is always included."""
    wanted = sorted({401, *statuses})
    return {
        status: OpenApiResponse(ErrorBodySerializer, description=_DESCRIPTIONS[status])
        for status in wanted
    }


_ERROR_BODY_REF = {"$ref": "#/components/schemas/ErrorBody"}
_IMPLIED = {
    "paginated": (
        (400, _DESCRIPTIONS[400]),
        (404, "The page or cursor does not exist (DRF's answer for a page past the end)."),
    ),
    "body": ((415, "The request body's media type is not one this operation parses."),),
}


def postprocess_implied_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular hook: the error responses every operation of a kind can give.

    A paginated list answers 400 or 404 to a bad ``page``, ``page_size`` or ``cursor``, and an
    operation that reads a body answers 415 to a media type it does not parse, whatever its view
    declared. Only missing entries are added; a view's own description wins.
    """
    if "ErrorBody" not in result.get("components", {}).get("schemas", {}):
        return result
    for item in result.get("paths", {}).values():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            query = {
                p.get("name") for p in operation.get("parameters", []) if p.get("in") == "query"
            }
            kinds = []
            if method == "get" and query & {"page", "cursor"}:
                kinds.append("paginated")
            if "requestBody" in operation:
                kinds.append("body")
            responses = operation["responses"]
            for kind in kinds:
                for status, description in _IMPLIED[kind]:
                    responses.setdefault(
                        str(status),
                        {
                            "content": {"application/json": {"schema": dict(_ERROR_BODY_REF)}},
                            "description": description,
                        },
                    )
            operation["responses"] = dict(sorted(responses.items()))
    return result
