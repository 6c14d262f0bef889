"""URL root: admin, the public health check, the versioned API and its schema, /metrics."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from rgms.core.views import health
from rgms.observability.views import debug_urlpatterns, metrics_view

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/health", health, name="health"),
    path("metrics", metrics_view, name="metrics"),
    path("api/v1/", include(("rgms.api.urls", "v1"), namespace="v1")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
if settings.OBSERVABILITY_DEBUG_VIEWS:  # test settings overlays only
    urlpatterns += debug_urlpatterns

handler404 = "rgms.api.errors.not_found"
handler500 = "rgms.api.errors.server_error"
