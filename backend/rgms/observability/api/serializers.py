"""Output of GET /api/v1/metrics/summary."""

from __future__ import annotations

from rest_framework import serializers

from rgms.observability.selectors import DEFAULT_SUMMARY_WINDOW, SUMMARY_WINDOWS_MINUTES


class MetricsSummaryQuerySerializer(serializers.Serializer):
    window = serializers.ChoiceField(
        choices=SUMMARY_WINDOWS_MINUTES,
        default=DEFAULT_SUMMARY_WINDOW,
        help_text="Window in minutes, ending now.",
    )


class LatencyFiguresOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Requests (or task runs) in the window.")
    errors = serializers.IntegerField(help_text="Of them, status >= 500 (tasks: FAILURE).")
    error_rate = serializers.FloatField(allow_null=True, help_text="errors / count; null if 0.")
    mean_ms = serializers.FloatField(allow_null=True)
    median_ms = serializers.FloatField(allow_null=True, help_text="Nearest-rank p50.")
    p95_ms = serializers.FloatField(allow_null=True, help_text="Nearest-rank p95.")
    p99_ms = serializers.FloatField(allow_null=True, help_text="Nearest-rank p99.")
    samples = serializers.IntegerField(help_text="Raw samples the figures were computed from.")
    estimated = serializers.BooleanField(
        help_text="True when a minute had more requests than the store keeps (weighted sample)."
    )


class RouteFiguresOutputSerializer(LatencyFiguresOutputSerializer):
    route = serializers.CharField(help_text="URL pattern, e.g. /api/v1/cadets/<pk>/.")
    method = serializers.CharField()


class TaskFiguresOutputSerializer(LatencyFiguresOutputSerializer):
    task = serializers.CharField()
    states = serializers.DictField(child=serializers.IntegerField())


class CacheStatsOutputSerializer(serializers.Serializer):
    hits = serializers.IntegerField()
    misses = serializers.IntegerField()
    hit_rate = serializers.FloatField(allow_null=True)


class AlertRulesOutputSerializer(serializers.Serializer):
    window_s = serializers.FloatField()
    alert_when_error_rate_above = serializers.FloatField()
    comparison = serializers.CharField()
    min_samples = serializers.IntegerField()


class AlertVerdictOutputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ok", "alert", "insufficient-data"])
    requests = serializers.IntegerField()
    errors = serializers.IntegerField()
    error_rate = serializers.FloatField(allow_null=True)
    reason = serializers.CharField()
    rules = AlertRulesOutputSerializer()


class MetricsSummaryOutputSerializer(serializers.Serializer):
    window_minutes = serializers.IntegerField()
    source = serializers.ChoiceField(
        choices=["redis", "process"],
        help_text="redis: every process sharing the Redis; process: this process only.",
    )
    since = serializers.DateTimeField()
    until = serializers.DateTimeField()
    requests = LatencyFiguresOutputSerializer()
    routes = RouteFiguresOutputSerializer(many=True)
    tasks = TaskFiguresOutputSerializer(many=True)
    cache = CacheStatsOutputSerializer(help_text="Read cache counters since they were created.")
    alert = AlertVerdictOutputSerializer(help_text="The error-rate alert over its own window.")
