"""User settings (`settings/me/`: every user, their own only) and system settings
(`system-settings/`: admins read and write every known key; other users read the
non-sensitive ones, the UI defaults, and get 403 on the sensitive cadet_list_source_url)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from rgms.api.pagination import PagePagination
from rgms.api.permissions import ReadAnyWriteAdmin
from rgms.api.schema import error_responses
from rgms.preferences import selectors, services
from rgms.preferences.api.serializers import (
    SystemSettingInputSerializer,
    SystemSettingOutputSerializer,
    UserSettingsInputSerializer,
    UserSettingsOutputSerializer,
)
from rgms.preferences.keys import SYSTEM_SETTINGS, SettingSpec
from rgms.preferences.models import SystemSetting


class UserSettingsMeApi(generics.GenericAPIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    serializer_class = UserSettingsOutputSerializer

    @extend_schema(
        summary="My settings (created with the system defaults on first read)",
        responses={200: UserSettingsOutputSerializer, **error_responses()},
    )
    def get(self, request: Request) -> Response:
        settings = services.user_settings_get_or_create(user=request.user)
        return Response(UserSettingsOutputSerializer(settings).data)

    @extend_schema(
        summary="Replace my settings",
        request=UserSettingsInputSerializer,
        responses={200: UserSettingsOutputSerializer, **error_responses(400)},
    )
    def put(self, request: Request) -> Response:
        return self._update(request, partial=False)

    @extend_schema(
        summary="Update some of my settings",
        request=UserSettingsInputSerializer,
        responses={200: UserSettingsOutputSerializer, **error_responses(400)},
    )
    def patch(self, request: Request) -> Response:
        return self._update(request, partial=True)

    def _update(self, request: Request, *, partial: bool) -> Response:
        serializer = UserSettingsInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        settings = services.user_settings_update(user=request.user, **serializer.validated_data)
        return Response(UserSettingsOutputSerializer(settings).data)


@extend_schema_view(
    list=extend_schema(
        summary="List system settings (non-admins: the non-sensitive ones)",
        responses={200: SystemSettingOutputSerializer(many=True), **error_responses()},
    ),
    retrieve=extend_schema(
        summary="Get a system setting",
        responses={200: SystemSettingOutputSerializer, **error_responses(403, 404)},
    ),
    update=extend_schema(
        summary="Set a system setting (admin)",
        request=SystemSettingInputSerializer,
        responses={200: SystemSettingOutputSerializer, **error_responses(400, 403, 404)},
    ),
    partial_update=extend_schema(
        summary="Set a system setting (admin)",
        request=SystemSettingInputSerializer,
        responses={200: SystemSettingOutputSerializer, **error_responses(400, 403, 404)},
    ),
    destroy=extend_schema(
        summary="Reset a system setting to its built-in default (admin)",
        responses={204: OpenApiResponse(description="Reset."), **error_responses(403, 404)},
    ),
)
class SystemSettingViewSet(viewsets.GenericViewSet):
    queryset = SystemSetting.objects.all()
    permission_classes = [ReadAnyWriteAdmin]
    parser_classes = [JSONParser]
    pagination_class = PagePagination
    serializer_class = SystemSettingOutputSerializer
    lookup_field = "key"
    lookup_value_regex = "[^/]+"

    def _spec(self) -> SettingSpec:
        spec = SYSTEM_SETTINGS.get(self.kwargs["key"])
        if spec is None:
            raise Http404
        if spec.sensitive and not self.request.user.is_admin:
            raise PermissionDenied("This setting is for admins only.")
        return spec

    def list(self, request: Request) -> Response:
        rows = selectors.system_setting_list(viewer=request.user)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(SystemSettingOutputSerializer(page, many=True).data)

    def retrieve(self, request: Request, key: str) -> Response:
        spec = self._spec()
        value = selectors.system_setting_get(key=spec.key)
        return Response(SystemSettingOutputSerializer(value).data)

    def update(self, request: Request, key: str, **kwargs: Any) -> Response:
        spec = self._spec()
        serializer = SystemSettingInputSerializer(data=request.data, context={"spec": spec})
        serializer.is_valid(raise_exception=True)
        services.system_setting_set(key=spec.key, value=serializer.validated_data["value"])
        value = selectors.system_setting_get(key=spec.key)
        return Response(SystemSettingOutputSerializer(value).data)

    def partial_update(self, request: Request, key: str) -> Response:
        return self.update(request, key)

    def destroy(self, request: Request, key: str) -> Response:
        spec = self._spec()
        services.system_setting_reset(key=spec.key)
        return Response(status=204)
