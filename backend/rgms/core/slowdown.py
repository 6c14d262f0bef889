"""A deliberately slowed endpoint, for the load suite's proof that a slow API fails the run.

``TEST_RESPONSE_DELAYS`` maps a request path to seconds of extra latency. Only the test settings
install this middleware, and it removes itself (MiddlewareNotUsed) unless the environment is
"test" and a delay is configured: production and local settings can never slow a request.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse


class ResponseDelayMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        delays = getattr(settings, "TEST_RESPONSE_DELAYS", None) or {}
        if settings.ENVIRONMENT != "test" or not delays:
            raise MiddlewareNotUsed
        self.get_response = get_response
        self.delays = {str(path): float(seconds) for path, seconds in delays.items()}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        delay = self.delays.get(request.path)
        if delay:
            time.sleep(delay)
        return response
