"""The audit log: admins only, read-only, newest first in cursor pages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from rgms.api.pagination import RecentFirstCursorPagination
from rgms.api.permissions import IsAdmin
from rgms.api.schema import error_responses
from rgms.audit import selectors
from rgms.audit.api.serializers import AuditLogFilterSerializer, AuditLogOutputSerializer
from rgms.audit.models import AuditLog


@extend_schema_view(
    list=extend_schema(
        summary="List audit records, newest first (admin)",
        parameters=[AuditLogFilterSerializer],
        responses={200: AuditLogOutputSerializer(many=True), **error_responses(400, 403)},
    ),
    retrieve=extend_schema(
        summary="Get an audit record (admin)",
        responses={200: AuditLogOutputSerializer, **error_responses(403, 404)},
    ),
)
class AuditLogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = AuditLog.objects.all()
    serializer_class = AuditLogOutputSerializer
    permission_classes = [IsAdmin]
    pagination_class = RecentFirstCursorPagination

    def get_queryset(self) -> Any:
        return selectors.audit_log_list()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        filters = AuditLogFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = self.paginate_queryset(selectors.audit_log_list(**filters.validated_data))
        return self.get_paginated_response(AuditLogOutputSerializer(page, many=True).data)
