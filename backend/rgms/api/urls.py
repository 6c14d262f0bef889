"""The v1 URL root: each app contributes its own router."""

from django.urls import include, path

urlpatterns: list = [
    path("auth/", include("rgms.authentication.api.urls")),
    path("", include("rgms.activities.api.urls")),
    path("", include("rgms.notifications.api.urls")),
    path("", include("rgms.messaging.api.urls")),
    path("", include("rgms.preferences.api.urls")),
    path("", include("rgms.audit.api.urls")),
    path("", include("rgms.cadets.api.urls")),
    path("", include("rgms.staff.api.urls")),
    path("", include("rgms.grading.api.urls")),
    path("", include("rgms.attendance.api.urls")),
    path("", include("rgms.files.api.urls")),
    path("", include("rgms.reports.api.urls")),
    path("", include("rgms.jobs.api.urls")),
    path("", include("rgms.observability.api.urls")),
]
