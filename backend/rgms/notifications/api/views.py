"""Notifications (cursor pages, newest first) and web-push subscriptions.

Every authenticated role lists, opens, marks read and deletes the notifications it may see
(rgms.notifications.selectors says which); admins and training staff create them."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from rgms.api.caching import CachedReadsMixin
from rgms.api.pagination import PagePagination, RecentFirstCursorPagination
from rgms.api.permissions import IsStaffOrAdmin
from rgms.api.schema import error_responses
from rgms.authentication.tokens import ROLE_CLAIM
from rgms.cadets.api.support import json_bytes, json_response, query_params
from rgms.core import cache
from rgms.notifications import selectors, services
from rgms.notifications.api.serializers import (
    NotificationCreateInputSerializer,
    NotificationFilterSerializer,
    NotificationOutputSerializer,
    NotificationReadAllOutputSerializer,
    NotificationUnreadCountOutputSerializer,
    PushSubscriptionInputSerializer,
    PushSubscriptionOutputSerializer,
)
from rgms.notifications.models import Notification, PushSubscription

# Query parameters of the list; a request with any other is answered without the cache (the
# page links repeat them, so the full path is part of the key).
LIST_PARAMETERS = frozenset(
    {
        *NotificationFilterSerializer().fields,
        RecentFirstCursorPagination.cursor_query_param,
        RecentFirstCursorPagination.page_size_query_param,
    }
)


def _list_read(request: Request, user_id: int, role: str) -> cache.Read | None:
    """The list's cached read; None when a query parameter it does not know keeps it out of
    the cache."""
    if not set(request.query_params) <= LIST_PARAMETERS:
        return None
    everyone = "scope" in request.query_params or "user_id" in request.query_params
    namespaces = (
        [selectors.CACHE_NAMESPACE, selectors.ANY_USER_NAMESPACE]
        if everyone
        else selectors.viewer_namespaces(user_id)
    )
    return namespaces, ["list", user_id, role, request.get_host(), request.get_full_path()]


@extend_schema_view(
    list=extend_schema(
        summary="List notifications (newest first, cursor pages)",
        description="Own notifications plus the global ones meant for everyone; admins also "
        "see the global admin feed, and everyone's with scope=all or user_id.",
        parameters=[NotificationFilterSerializer],
        responses={200: NotificationOutputSerializer(many=True), **error_responses(400, 403)},
    ),
    retrieve=extend_schema(
        summary="Get a notification",
        responses={200: NotificationOutputSerializer, **error_responses(404)},
    ),
    create=extend_schema(
        summary="Send a notification to one user or to everyone (admin, training staff)",
        request=NotificationCreateInputSerializer,
        responses={201: NotificationOutputSerializer, **error_responses(400, 403)},
    ),
    destroy=extend_schema(
        summary="Delete a notification (own; admins any)",
        responses={204: OpenApiResponse(description="Deleted."), **error_responses(403, 404)},
    ),
)
class NotificationViewSet(
    CachedReadsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Notification.objects.all()
    serializer_class = NotificationOutputSerializer
    pagination_class = RecentFirstCursorPagination
    parser_classes = [JSONParser]

    def get_permissions(self) -> list[BasePermission]:
        if self.action == "create":
            return [IsStaffOrAdmin()]
        return [IsAuthenticated()]

    def get_queryset(self) -> Any:
        return selectors.notification_detail_queryset(viewer=self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user

        def build() -> bytes:
            # Validated here: a body is cached only under a path whose parameters were
            # valid, so a hit needs no validation, and a 400 or 403 is never cached.
            params = query_params(NotificationFilterSerializer, request)
            if not user.is_admin and (params["scope"] == "all" or params.get("user_id")):
                raise PermissionDenied("Only admins list other users' notifications.")
            page = self.paginate_queryset(selectors.notification_list(viewer=user, **params))
            rows = NotificationOutputSerializer(page, many=True).data
            return json_bytes(self.get_paginated_response(rows).data)

        read = _list_read(request, user.pk, user.role)
        if read is None:
            return json_response(build())
        return json_response(cache.get_or_build(*read, build))

    def cached_reads(self, claims: Any) -> list[cache.Read]:
        if self.action == "unread_count":
            return [selectors.unread_count_read(claims.user_id, claims[ROLE_CLAIM])]
        if self.action != "list":
            return []
        read = _list_read(self.request, claims.user_id, claims[ROLE_CLAIM])
        return [read] if read is not None else []

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = NotificationCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        notification = services.notification_create(user=data.pop("user_id"), **data)
        return Response(
            NotificationOutputSerializer(notification).data, status=status.HTTP_201_CREATED
        )

    def perform_destroy(self, instance: Notification) -> None:
        services.notification_delete(notification=instance, viewer=self.request.user)

    @extend_schema(
        summary="Mark a notification read (own; admins also global ones)",
        request=None,
        responses={200: NotificationOutputSerializer, **error_responses(403, 404)},
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = services.notification_mark_read(
            notification=self.get_object(), viewer=request.user
        )
        return Response(NotificationOutputSerializer(notification).data)

    @extend_schema(
        summary="Mark every notification I may mark read as read",
        request=None,
        responses={200: NotificationReadAllOutputSerializer, **error_responses()},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        updated = services.notification_mark_all_read(viewer=request.user)
        return Response({"updated": updated})

    @extend_schema(
        summary="How many of my notifications are unread (cached)",
        responses={200: NotificationUnreadCountOutputSerializer, **error_responses()},
    )
    @action(detail=False, methods=["get"], url_path="unread-count", pagination_class=None)
    def unread_count(self, request: Request) -> Response:
        return Response({"count": selectors.notification_unread_count(viewer=request.user)})


@extend_schema_view(
    list=extend_schema(
        summary="List my push subscriptions",
        responses={200: PushSubscriptionOutputSerializer(many=True), **error_responses()},
    ),
    create=extend_schema(
        summary="Subscribe this browser to web push (re-subscribing updates the keys)",
        request=PushSubscriptionInputSerializer,
        responses={
            200: PushSubscriptionOutputSerializer,
            201: PushSubscriptionOutputSerializer,
            **error_responses(400, 409),
        },
    ),
    destroy=extend_schema(
        summary="Unsubscribe (own subscriptions only)",
        responses={204: OpenApiResponse(description="Deleted."), **error_responses(404)},
    ),
)
class PushSubscriptionViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = PushSubscription.objects.all()
    serializer_class = PushSubscriptionOutputSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = PagePagination
    parser_classes = [JSONParser]

    def get_queryset(self) -> Any:
        return selectors.push_subscription_list(user=self.request.user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = PushSubscriptionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription, created = services.push_subscription_save(
            user=request.user, **serializer.validated_data
        )
        return Response(
            PushSubscriptionOutputSerializer(subscription).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def perform_destroy(self, instance: PushSubscription) -> None:
        services.push_subscription_delete(subscription=instance)
