from django.urls import path

from rgms.reports.api.views import ReportDetailApi, ReportDownloadApi, ReportListCreateApi

urlpatterns = [
    path("reports/", ReportListCreateApi.as_view(), name="report-list"),
    path("reports/<int:pk>/", ReportDetailApi.as_view(), name="report-detail"),
    path("reports/<int:pk>/download", ReportDownloadApi.as_view(), name="report-download"),
]
