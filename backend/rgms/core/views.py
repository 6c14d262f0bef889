"""GET /api/health: public, never cached, 200 when healthy and 503 otherwise."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from rgms.core.health import health_report


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    healthy, body = health_report()
    return JsonResponse(body, status=200 if healthy else 503)
