"""Activities and announcements. Every authenticated role reads; admins and training staff
write (the legacy app gave activity management to admins and to privileged staff; here every
training staff account may write, a deliberate simplification recorded in the app's docs)."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from rgms.activities import selectors, services
from rgms.activities.api.serializers import (
    ActivityFilterSerializer,
    ActivityImageInputSerializer,
    ActivityImageOutputSerializer,
    ActivityInputSerializer,
    ActivityOutputSerializer,
)
from rgms.activities.models import Activity, ActivityImage
from rgms.api.pagination import PagePagination
from rgms.api.permissions import ReadAnyWriteStaff
from rgms.api.schema import error_responses
from rgms.core import cache


@extend_schema_view(
    list=extend_schema(
        summary="List activities and announcements (newest date first)",
        parameters=[ActivityFilterSerializer],
        responses={200: ActivityOutputSerializer(many=True), **error_responses(400)},
    ),
    retrieve=extend_schema(
        summary="Get an activity",
        responses={200: ActivityOutputSerializer, **error_responses(404)},
    ),
    create=extend_schema(
        summary="Create an activity (admin, training staff)",
        request=ActivityInputSerializer,
        responses={201: ActivityOutputSerializer, **error_responses(400, 403)},
    ),
    update=extend_schema(
        summary="Replace an activity (admin, training staff)",
        request=ActivityInputSerializer,
        responses={200: ActivityOutputSerializer, **error_responses(400, 403, 404)},
    ),
    partial_update=extend_schema(
        summary="Update an activity (admin, training staff)",
        request=ActivityInputSerializer,
        responses={200: ActivityOutputSerializer, **error_responses(400, 403, 404)},
    ),
    destroy=extend_schema(
        summary="Delete an activity and its images (admin, training staff)",
        responses={204: OpenApiResponse(description="Deleted."), **error_responses(403, 404)},
    ),
)
class ActivityViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Activity.objects.all()
    permission_classes = [ReadAnyWriteStaff]
    parser_classes = [JSONParser]
    pagination_class = PagePagination
    serializer_class = ActivityOutputSerializer

    def get_queryset(self) -> Any:
        return selectors.activity_list()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        filters = ActivityFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)

        def build() -> dict[str, Any]:
            queryset = selectors.activity_list(**filters.validated_data)
            page = self.paginate_queryset(queryset)
            data = ActivityOutputSerializer(page, many=True).data
            return dict(self.get_paginated_response(list(data)).data)

        # Same body for every role, so one entry per page serves everyone. The key is built
        # from the normalised parameters (not the raw URL), so junk query strings cannot fill
        # the cache; a page that is not a number is answered (404) without caching.
        page = request.query_params.get("page", "1")
        if not page.isdigit():
            return Response(build())
        parts = [
            "list",
            request.get_host(),
            filters.validated_data.get("type"),
            int(page),
            self.paginator.get_page_size(request),
        ]
        body = cache.get_or_build([services.CACHE_NAMESPACE], parts, build)
        return Response(body)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ActivityInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        activity = services.activity_create(**serializer.validated_data)
        return Response(ActivityOutputSerializer(activity).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        activity = self.get_object()
        partial = kwargs.get("partial", False)
        serializer = ActivityInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        activity = services.activity_update(activity=activity, **serializer.validated_data)
        return Response(ActivityOutputSerializer(activity).data)

    def perform_destroy(self, instance: Activity) -> None:
        services.activity_delete(activity=instance)


@extend_schema_view(
    list=extend_schema(
        summary="List an activity's images",
        responses={200: ActivityImageOutputSerializer(many=True), **error_responses(404)},
    ),
    create=extend_schema(
        summary="Add an image URL to an activity (admin, training staff)",
        request=ActivityImageInputSerializer,
        responses={201: ActivityImageOutputSerializer, **error_responses(400, 403, 404)},
    ),
    destroy=extend_schema(
        summary="Remove an image from an activity (admin, training staff)",
        responses={204: OpenApiResponse(description="Deleted."), **error_responses(403, 404)},
    ),
)
class ActivityImageViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = ActivityImage.objects.all()
    permission_classes = [ReadAnyWriteStaff]
    parser_classes = [JSONParser]
    pagination_class = PagePagination
    serializer_class = ActivityImageOutputSerializer

    def _activity(self) -> Activity:
        return get_object_or_404(Activity, pk=self.kwargs["activity_pk"])

    def get_queryset(self) -> Any:
        return selectors.activity_image_list(activity_id=self._activity().pk)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        activity = self._activity()
        serializer = ActivityImageInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        image = services.activity_image_add(activity=activity, **serializer.validated_data)
        return Response(ActivityImageOutputSerializer(image).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ActivityImage) -> None:
        services.activity_image_delete(image=instance)
