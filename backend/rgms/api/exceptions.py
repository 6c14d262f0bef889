"""One error body for every 4xx/5xx answer of the API.

    {"code": "validation_error", "message": "Invalid input.",
     "errors": {"field": ["reason", ...], ...}}

`message` keeps the legacy client's key; `errors` names each field with its reasons
(`non_field_errors` for rules that span fields). Documented in docs/api-errors.md.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from rgms.core.exceptions import ApplicationError
from rgms.observability.security import audit_permission_denied

logger = logging.getLogger(__name__)


def error_body(code: str, message: str, errors: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "errors": errors or {}}


def _as_lists(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {str(key): _flatten(value) for key, value in detail.items()}
    return {"non_field_errors": _flatten(detail)}


def _flatten(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _flatten(item) for key, item in value.items()}
    if isinstance(value, list):
        if all(not isinstance(item, (dict, list)) for item in value):
            return [str(item) for item in value]
        return [_flatten(item) for item in value]
    return [str(value)]


def _code_and_message(exc: exceptions.APIException) -> tuple[str, str]:
    """simplejwt answers with a dict detail ({detail, code, messages}); keep its words."""
    detail, codes = exc.detail, exc.get_codes()
    if isinstance(detail, dict):
        message = str(detail.get("detail", exc.default_detail))
        code = codes.get("code", codes.get("detail", exc.default_code))
        return str(code[0] if isinstance(code, list) else code), message
    if isinstance(detail, list):
        return str(exc.default_code), "; ".join(str(item) for item in detail)
    return str(codes if isinstance(codes, str) else exc.default_code), str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, exc.message, exc.errors), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.PermissionDenied):
        # Security trail (R16.3): a 403 on an admin endpoint is audited; the body is unchanged.
        audit_permission_denied(request=context.get("request"), view=context.get("view"))

    response = drf_exception_handler(exc, context)
    if response is None:
        # Unexpected: log with the stack trace, answer with the same body shape, no details.
        logger.exception("Unhandled error in %s", context.get("view").__class__.__name__)
        return Response(
            error_body("server_error", "Internal server error."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    assert isinstance(exc, exceptions.APIException)
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("validation_error", "Invalid input.", _as_lists(exc.detail))
    else:
        response.data = error_body(*_code_and_message(exc))
    return response
