"""Project-wide 404 and 500 answers in the API's one error body (rgms.api.exceptions), so an
unknown URL or an unhandled error outside DRF never returns an HTML page or a traceback."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from rgms.api.exceptions import error_body


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(error_body("not_found", "Not found."), status=404)


def server_error(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body("server_error", "Internal server error."), status=500)
