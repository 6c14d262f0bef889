"""TEST ONLY: a deliberately broken web service whose health check demands authentication.

``DJANGO_SETTINGS_MODULE=verification.targets.broken_health_settings`` (with the repository
root on PYTHONPATH) runs the local settings plus one middleware that answers 401 to an
unauthenticated ``/api/health``: what happens when someone puts the health check behind auth.
Render's health probe carries no credentials, so deploy-verify must say NO-GO naming
``health.web``. Never used outside the gate's own tests.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from config.settings.local import *  # noqa: F403
from config.settings.local import MIDDLEWARE


class HealthRequiresAuth:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/api/health" and "HTTP_AUTHORIZATION" not in request.META:
            return JsonResponse({"detail": "Authentication required."}, status=401)
        return self.get_response(request)


MIDDLEWARE = ["verification.targets.broken_health_settings.HealthRequiresAuth", *MIDDLEWARE]
