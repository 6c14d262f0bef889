"""The v1 URL root: each app contributes its own router."""

from django.urls import include, path

urlpatterns: list = [
    path("", include("rgms.activities.api.urls")),
]
