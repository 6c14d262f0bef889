"""Small API helpers shared by the cadet, staff, grading and attendance views: per-action
permission classes, query-parameter validation and the documented error responses."""

from __future__ import annotations

from typing import Any

import orjson
from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request

from rgms.api.fields import MAX_ID
from rgms.api.schema import error_responses

# The one error body, documented per operation (rgms.api.schema; 401 is always included).
READ_ERRORS = error_responses(403)
DETAIL_ERRORS = error_responses(403, 404)
WRITE_ERRORS = error_responses(400, 403)
DETAIL_WRITE_ERRORS = error_responses(400, 403, 404)


class ActionPermissionsMixin:
    """Permission classes per ViewSet action; `permission_classes` for anything unlisted."""

    permission_classes: tuple[type[BasePermission], ...] = (IsAuthenticated,)
    action_permissions: dict[str, tuple[type[BasePermission], ...]] = {}
    action: str | None

    def get_permissions(self) -> list[BasePermission]:
        classes = self.action_permissions.get(self.action or "", self.permission_classes)
        return [permission() for permission in classes]


def query_params(serializer_class: type[serializers.Serializer], request: Request) -> Any:
    """Validated query parameters (400 naming the parameter when one is bad)."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def is_forced(request: Request) -> bool:
    return request.query_params.get("force", "").lower() in {"true", "1"}


FORCE_PARAMETER = OpenApiParameter(
    "force",
    bool,
    description="Admins only: delete the row for good instead of archiving it.",
)


def int_or_404(value: Any) -> int:
    """A path id as a positive integer; anything else is simply not found."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 1 <= number <= MAX_ID:
        raise Http404
    return number


def json_bytes(data: Any) -> bytes:
    """`data` encoded as DRF's JSONRenderer would (compact UTF-8; datetimes in UTC end in
    "Z"), by orjson: several times faster on a roster page, and bytes can be cached as they
    are sent. The output serializers still describe these bodies in the schema."""
    return orjson.dumps(data, option=orjson.OPT_UTC_Z)


def json_response(body: bytes, status: int = 200) -> HttpResponse:
    """A ready JSON body as the response (content negotiation already ran in DRF's
    `initial`, and only JSON is offered)."""
    return HttpResponse(body, status=status, content_type="application/json")
