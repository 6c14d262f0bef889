"""Training staff endpoints: admins manage, staff read."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from rgms.api.pagination import PagePagination
from rgms.api.permissions import IsAdmin, IsStaffOrAdmin
from rgms.api.schema import error_responses
from rgms.cadets.api.support import (
    DETAIL_ERRORS,
    DETAIL_WRITE_ERRORS,
    FORCE_PARAMETER,
    READ_ERRORS,
    WRITE_ERRORS,
    ActionPermissionsMixin,
    int_or_404,
    is_forced,
    query_params,
)
from rgms.staff import services
from rgms.staff.api.serializers import (
    StaffFilterSerializer,
    StaffInputSerializer,
    StaffOutputSerializer,
)
from rgms.staff.models import Staff
from rgms.staff.selectors import StaffFilters, staff_get, staff_list


class StaffViewSet(ActionPermissionsMixin, viewsets.GenericViewSet):
    """Training staff. Admin and staff read; only admins write. DELETE archives;
    `?force=true` deletes for good."""

    queryset = Staff.objects.all()  # for the schema's path parameter; reads use selectors
    pagination_class = PagePagination
    permission_classes = (IsStaffOrAdmin,)
    action_permissions = {
        "list": (IsStaffOrAdmin,),
        "retrieve": (IsStaffOrAdmin,),
        "create": (IsAdmin,),
        "update": (IsAdmin,),
        "partial_update": (IsAdmin,),
        "destroy": (IsAdmin,),
        "restore": (IsAdmin,),
    }

    def _staff_or_404(self, pk: Any) -> Staff:
        staff = staff_get(staff_id=int_or_404(pk))
        if staff is None:
            raise Http404
        return staff

    @extend_schema(
        parameters=[StaffFilterSerializer],
        responses={200: StaffOutputSerializer(many=True), **READ_ERRORS, **error_responses(400)},
    )
    def list(self, request: Request) -> Response:
        filters = StaffFilters(**query_params(StaffFilterSerializer, request))
        page = self.paginate_queryset(staff_list(filters=filters))
        return self.get_paginated_response(StaffOutputSerializer(page, many=True).data)

    @extend_schema(responses={200: StaffOutputSerializer, **DETAIL_ERRORS})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(StaffOutputSerializer(self._staff_or_404(pk)).data)

    @extend_schema(
        request=StaffInputSerializer, responses={201: StaffOutputSerializer, **WRITE_ERRORS}
    )
    def create(self, request: Request) -> Response:
        serializer = StaffInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        staff = services.staff_create(data=serializer.validated_data, created_by=request.user)
        return Response(StaffOutputSerializer(staff).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=StaffInputSerializer, responses={200: StaffOutputSerializer, **DETAIL_WRITE_ERRORS}
    )
    def update(self, request: Request, pk: str | None = None) -> Response:
        return self._update(request, pk, partial=False)

    @extend_schema(
        request=StaffInputSerializer, responses={200: StaffOutputSerializer, **DETAIL_WRITE_ERRORS}
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        return self._update(request, pk, partial=True)

    def _update(self, request: Request, pk: str | None, *, partial: bool) -> Response:
        staff = self._staff_or_404(pk)
        serializer = StaffInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        staff = services.staff_update(
            staff=staff, data=serializer.validated_data, updated_by=request.user
        )
        return Response(StaffOutputSerializer(staff).data)

    @extend_schema(
        parameters=[FORCE_PARAMETER],
        responses={
            204: OpenApiResponse(description="Archived (or deleted with force=true)."),
            **DETAIL_ERRORS,
        },
    )
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        staff = self._staff_or_404(pk)
        if is_forced(request):
            services.staff_delete(staff=staff, deleted_by=request.user)
        else:
            services.staff_archive(staff=staff, archived_by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: StaffOutputSerializer, **DETAIL_ERRORS})
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str | None = None) -> Response:
        """Bring an archived staff member (and their user accounts) back."""
        staff = services.staff_restore(staff=self._staff_or_404(pk), restored_by=request.user)
        return Response(StaffOutputSerializer(staff).data)
