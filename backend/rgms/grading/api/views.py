"""Grade and merit/demerit ledger endpoints."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from rgms.api.pagination import PagePagination
from rgms.api.permissions import IsStaffOrAdmin
from rgms.api.schema import error_responses
from rgms.cadets.api.support import (
    DETAIL_ERRORS,
    DETAIL_WRITE_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    ActionPermissionsMixin,
    int_or_404,
    query_params,
)
from rgms.grading import selectors, services
from rgms.grading.api.serializers import (
    GradeFilterSerializer,
    GradeInputSerializer,
    GradeOutputSerializer,
    MeritDemeritLogFilterSerializer,
    MeritDemeritLogInputSerializer,
    MeritDemeritLogOutputSerializer,
)
from rgms.grading.models import Grade, MeritDemeritLog


class GradeViewSet(ActionPermissionsMixin, viewsets.GenericViewSet):
    """Grades with the computed legacy grade. Admin and staff read all and update; a cadet
    reads only their own grade (another cadet's is 404)."""

    queryset = Grade.objects.all()  # for the schema's path parameter; reads use selectors
    pagination_class = PagePagination
    permission_classes = (IsAuthenticated,)
    action_permissions = {
        "list": (IsAuthenticated,),
        "retrieve": (IsAuthenticated,),
        "update": (IsStaffOrAdmin,),
        "partial_update": (IsStaffOrAdmin,),
    }

    def _detail(self, pk: int) -> dict:
        row = selectors.grade_detail_get(viewer=self.request.user, grade_id=pk)
        if row is None:
            raise Http404
        return row

    @extend_schema(
        parameters=[GradeFilterSerializer],
        responses={200: GradeOutputSerializer(many=True), **READ_ERRORS, **error_responses(400)},
    )
    def list(self, request: Request) -> Response:
        filters = selectors.GradeFilters(**query_params(GradeFilterSerializer, request))
        page = self.paginate_queryset(selectors.grade_list(viewer=request.user, filters=filters))
        return self.get_paginated_response(selectors.grade_rows(page))

    @extend_schema(responses={200: GradeOutputSerializer, **DETAIL_ERRORS})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(self._detail(int_or_404(pk)))

    @extend_schema(
        request=GradeInputSerializer,
        responses={200: GradeOutputSerializer, **DETAIL_WRITE_ERRORS},
    )
    def update(self, request: Request, pk: str | None = None) -> Response:
        return self._update(request, pk, partial=False)

    @extend_schema(
        request=GradeInputSerializer,
        responses={200: GradeOutputSerializer, **DETAIL_WRITE_ERRORS},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        return self._update(request, pk, partial=True)

    def _update(self, request: Request, pk: str | None, *, partial: bool) -> Response:
        grade_id = int_or_404(pk)
        serializer = GradeInputSerializer(data=request.data, partial=partial)
        if not serializer.is_valid():
            # A missing grade is 404 whatever the body (the service finds it otherwise).
            if selectors.grade_get(viewer=request.user, grade_id=grade_id) is None:
                raise Http404
            raise ValidationError(serializer.errors)
        grade = services.grade_update(
            grade_id=grade_id, data=serializer.validated_data, updated_by=request.user
        )
        if grade is None:
            raise Http404
        return Response(selectors.grade_row(grade))


class MeritDemeritLogViewSet(ActionPermissionsMixin, viewsets.GenericViewSet):
    """The merit/demerit ledger. Admin and staff read all and record; a cadet reads only
    their own entries. Entries are never edited or deleted through the API."""

    queryset = MeritDemeritLog.objects.all()  # for the schema; reads use selectors
    pagination_class = PagePagination
    permission_classes = (IsAuthenticated,)
    action_permissions = {
        "list": (IsAuthenticated,),
        "retrieve": (IsAuthenticated,),
        "create": (IsStaffOrAdmin,),
    }

    @extend_schema(
        parameters=[MeritDemeritLogFilterSerializer],
        responses={
            200: MeritDemeritLogOutputSerializer(many=True),
            **READ_ERRORS,
            **error_responses(400),
        },
    )
    def list(self, request: Request) -> Response:
        filters = selectors.MeritDemeritLogFilters(
            **query_params(MeritDemeritLogFilterSerializer, request)
        )
        queryset = selectors.merit_demerit_log_list(viewer=request.user, filters=filters)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(MeritDemeritLogOutputSerializer(page, many=True).data)

    @extend_schema(responses={200: MeritDemeritLogOutputSerializer, **DETAIL_ERRORS})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        log = selectors.merit_demerit_log_get(viewer=request.user, log_id=int_or_404(pk))
        if log is None:
            raise Http404
        return Response(MeritDemeritLogOutputSerializer(log).data)

    @extend_schema(
        request=MeritDemeritLogInputSerializer,
        responses={201: MeritDemeritLogOutputSerializer, **WRITE_ERRORS},
    )
    def create(self, request: Request) -> Response:
        serializer = MeritDemeritLogInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        log = services.merit_demerit_log_create(**serializer.validated_data, issued_by=request.user)
        return Response(MeritDemeritLogOutputSerializer(log).data, status=status.HTTP_201_CREATED)
