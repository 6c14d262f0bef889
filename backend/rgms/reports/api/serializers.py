from __future__ import annotations

from rest_framework import serializers

from rgms.reports.models import Report
from rgms.reports.services import report_download_path


class ReportInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Report.Kind.choices)
    params = serializers.DictField(required=False, default=dict)


class ReportOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    params = serializers.DictField()
    status = serializers.ChoiceField(choices=Report.Status.choices)
    task_id = serializers.CharField()
    owner_id = serializers.IntegerField(allow_null=True)
    content_type = serializers.CharField()
    size = serializers.IntegerField(allow_null=True)
    row_count = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, report: Report) -> str | None:
        if report.status != Report.Status.DONE:
            return None
        request = self.context["request"]
        return request.build_absolute_uri(report_download_path(report))


class ReportAcceptedOutputSerializer(serializers.Serializer):
    task_id = serializers.CharField()
    status_url = serializers.URLField()
    report = ReportOutputSerializer()
