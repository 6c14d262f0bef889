from __future__ import annotations

from rest_framework import serializers


class TaskProgressOutputSerializer(serializers.Serializer):
    current = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)


class TaskErrorOutputSerializer(serializers.Serializer):
    type = serializers.CharField()
    message = serializers.CharField(allow_blank=True)


class TaskStatusOutputSerializer(serializers.Serializer):
    task_id = serializers.CharField()
    name = serializers.CharField()
    status = serializers.ChoiceField(
        choices=["PENDING", "STARTED", "RETRY", "SUCCESS", "FAILURE", "REVOKED"]
    )
    progress = TaskProgressOutputSerializer(allow_null=True)
    result = serializers.JSONField(allow_null=True)
    result_url = serializers.URLField(allow_null=True)
    error = TaskErrorOutputSerializer(allow_null=True)
    attempts = serializers.IntegerField()
    created_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
