"""GET /api/v1/metrics/summary: latency, error rate and cache hit rate for admins."""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rgms.api.permissions import IsAdmin
from rgms.api.schema import error_responses
from rgms.observability.api.serializers import (
    MetricsSummaryOutputSerializer,
    MetricsSummaryQuerySerializer,
)
from rgms.observability.selectors import metrics_summary


class MetricsSummaryApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        summary="Request latency, error rate and cache hit rate over a window (admins)",
        parameters=[MetricsSummaryQuerySerializer],
        responses={200: MetricsSummaryOutputSerializer, **error_responses(400, 403)},
    )
    def get(self, request: Request) -> Response:
        query = MetricsSummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        summary = metrics_summary(minutes=query.validated_data["window"])
        data = asdict(summary)
        data["routes"] = [
            {"route": r.route, "method": r.method, **asdict(r.figures)} for r in summary.routes
        ]
        data["tasks"] = [
            {"task": t.task, "states": t.states, **asdict(t.figures)} for t in summary.tasks
        ]
        return Response(MetricsSummaryOutputSerializer(data).data)
