"""Reports and exports: admins and training staff request them (202 with a task id at once),
follow the task at /api/v1/tasks/<id>/, and download the file when it is done."""

from __future__ import annotations

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rgms.api.pagination import PagePagination
from rgms.api.permissions import IsStaffOrAdmin
from rgms.api.schema import error_responses
from rgms.core.exceptions import Conflict
from rgms.reports import selectors, services
from rgms.reports.api.serializers import (
    ReportAcceptedOutputSerializer,
    ReportInputSerializer,
    ReportOutputSerializer,
)
from rgms.reports.models import Report
from rgms.reports.services import REPORT_MEDIA_TYPES


class ReportListCreateApi(GenericAPIView):
    permission_classes = [IsStaffOrAdmin]
    pagination_class = PagePagination
    serializer_class = ReportOutputSerializer

    def get_queryset(self):  # for the schema generator; the selector scopes by viewer
        return Report.objects.none()

    @extend_schema(
        summary="List reports (admins: all; training staff: theirs and the daily ones)",
        responses={200: ReportOutputSerializer(many=True), **error_responses(403)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.report_list(viewer=request.user))
        data = ReportOutputSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Request a report or export (admin, training staff); answers 202 at once",
        request=ReportInputSerializer,
        responses={202: ReportAcceptedOutputSerializer, **error_responses(400, 403)},
    )
    def post(self, request: Request) -> Response:
        serializer = ReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.report_request(owner=request.user, **serializer.validated_data)
        status_path = reverse("v1:task-status", kwargs={"task_id": report.task_id})
        body = {
            "task_id": report.task_id,
            "status_url": request.build_absolute_uri(status_path),
            "report": ReportOutputSerializer(report, context={"request": request}).data,
        }
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ReportDetailApi(APIView):
    permission_classes = [IsStaffOrAdmin]

    @extend_schema(
        summary="Get a report",
        responses={200: ReportOutputSerializer, **error_responses(403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        report = selectors.report_get(pk=pk, viewer=request.user)
        return Response(ReportOutputSerializer(report, context={"request": request}).data)


class ReportDownloadApi(APIView):
    permission_classes = [IsStaffOrAdmin]

    @extend_schema(
        summary="Download a finished report's file",
        responses={
            **{
                (200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")
                for media_type in REPORT_MEDIA_TYPES
            },
            **error_responses(403, 404, 409),
        },
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        report = selectors.report_get(pk=pk, viewer=request.user)
        if report.status != Report.Status.DONE or not report.file:
            raise Conflict(f"The report is {report.status}; there is no file to download yet.")
        handle = report.file.open("rb")
        return FileResponse(
            handle,
            as_attachment=True,
            filename=report.file.name.rsplit("/", 1)[-1],
            content_type=report.content_type or "application/octet-stream",
        )
