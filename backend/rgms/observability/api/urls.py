from django.urls import path

from rgms.observability.api.views import MetricsSummaryApi

urlpatterns = [
    path("metrics/summary", MetricsSummaryApi.as_view(), name="metrics-summary"),
]
