"""GET /api/v1/tasks/<id>/: the status of a background task, for its owner or an admin."""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from rgms.api.schema import error_responses
from rgms.jobs.api.serializers import TaskStatusOutputSerializer
from rgms.jobs.selectors import task_status_get


class TaskStatusApi(APIView):
    @extend_schema(
        summary="Status of a background task (its owner, or an admin)",
        responses={200: TaskStatusOutputSerializer, **error_responses(403, 404)},
    )
    def get(self, request: Request, task_id: str) -> Response:
        status = task_status_get(task_id=task_id, viewer=request.user)
        data = asdict(status)
        path = data.pop("result_path")
        data["result_url"] = request.build_absolute_uri(path) if path else None
        return Response(TaskStatusOutputSerializer(data).data)
