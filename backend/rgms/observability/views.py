"""``GET /metrics`` (Prometheus text format, bearer token) and the test-only debug views.

/metrics is not public: with METRICS_TOKEN unset it does not exist (404, like any unknown URL);
with it set, a request without ``Authorization: Bearer <METRICS_TOKEN>`` gets 401. The token is
compared in constant time.

The debug views exist only when the settings module sets ``OBSERVABILITY_DEBUG_VIEWS = True``
(only test overlays do; no environment variable can switch them on): an unhandled error, a
slow answer naming the worker pid, a read-cache miss then hit, a task start, a tiny answer for
the overhead benchmark.
"""

from __future__ import annotations

import hmac
import os
import time
import uuid

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from rgms.observability import context, metrics


def _bearer(request: HttpRequest) -> str:
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    expected = settings.METRICS_TOKEN
    if not expected:
        raise Http404
    if not hmac.compare_digest(_bearer(request).encode(), expected.encode()):
        response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    body, content_type = metrics.exposition(request.META.get("HTTP_ACCEPT", ""))
    return HttpResponse(body, content_type=content_type)


# Test-only views (OBSERVABILITY_DEBUG_VIEWS) -----------------------------------------------


class DebugViewError(RuntimeError):
    """The unhandled error the debug error view raises on purpose."""


@csrf_exempt
def debug_error(request: HttpRequest) -> HttpResponse:
    raise DebugViewError("observability debug view: unhandled error on purpose")


def debug_ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b'{"ok":true}', content_type="application/json")


def debug_sleep(request: HttpRequest) -> JsonResponse:
    milliseconds = min(max(int(request.GET.get("ms", "0") or 0), 0), 2000)
    time.sleep(milliseconds / 1000)
    return JsonResponse({"pid": os.getpid(), "slept_ms": milliseconds})


def debug_cache(request: HttpRequest) -> JsonResponse:
    """One read-cache miss, then one hit, on a fresh key."""
    from rgms.core.cache import get_or_build

    key = uuid.uuid4().hex
    first = get_or_build(["observability-debug"], [key], lambda: {"built": key})
    second = get_or_build(["observability-debug"], [key], lambda: {"built": "again"})
    return JsonResponse({"pid": os.getpid(), "same": first == second})


@csrf_exempt
def debug_task(request: HttpRequest) -> JsonResponse:
    from rgms.observability.tasks import observability_probe

    fail = request.GET.get("fail") == "1"
    result = observability_probe.delay(fail=fail, note=context.request_id() or "")
    return JsonResponse({"task_id": result.id, "request_id": context.request_id()})


debug_urlpatterns = [
    path("__debug__/observability/error", debug_error),
    path("__debug__/observability/ok", debug_ok),
    path("__debug__/observability/sleep", debug_sleep),
    path("__debug__/observability/cache", debug_cache),
    path("__debug__/observability/task", debug_task),
]
