"""OPTIONS answers for every API view: what the view is and which media types it speaks.

DRF's SimpleMetadata also describes the fields of "the" serializer for POST and PUT by calling
``view.get_serializer()`` (and ``get_object()`` for PUT). Our views keep separate input and
output serializers and often no ``serializer_class`` or ``queryset`` at all, so that
introspection raised and every such OPTIONS request answered 500. The OpenAPI schema at
/api/v1/schema/ is where the fields are documented; OPTIONS does not restate them.
"""

from __future__ import annotations

from typing import Any

from rest_framework.metadata import SimpleMetadata
from rest_framework.request import Request


class ApiMetadata(SimpleMetadata):
    def determine_actions(self, request: Request, view: Any) -> dict[str, Any]:
        return {}
