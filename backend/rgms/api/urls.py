"""The v1 URL root: each app contributes its own router."""

from django.urls import include, path

urlpatterns: list = [
    path("", include("rgms.activities.api.urls")),
    path("", include("rgms.notifications.api.urls")),
    path("", include("rgms.messaging.api.urls")),
    path("", include("rgms.preferences.api.urls")),
    path("", include("rgms.audit.api.urls")),
]
