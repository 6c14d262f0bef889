"""Content negotiation: DRF's, with the common case answered without parsing.

DRF parses and ranks the Accept header anew on every request; on a cached read that was
about a twentieth of the CPU. Nearly every client sends ``application/json``, ``*/*`` or no
Accept header at all, and for those DRF's answer is always the first renderer with its own
media type, so that answer is given at once. Anything else (a format override, parameters,
several types, a type we do not render) goes through DRF's negotiation unchanged.
"""

from __future__ import annotations

from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


class ApiContentNegotiation(DefaultContentNegotiation):
    def select_renderer(
        self, request: Request, renderers: list[BaseRenderer], format_suffix: Any = None
    ) -> tuple[BaseRenderer, str]:
        first = renderers[0]
        if (
            format_suffix is None
            and request.META.get("HTTP_ACCEPT", "*/*") in ("*/*", first.media_type)
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
        ):
            return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)
