"""OpenAPI pieces shared by every view: the one error body and its responses."""

from __future__ import annotations

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
