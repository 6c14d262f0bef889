"""Staff chat (`messages/staff/`) and messages to the admins (`messages/admin/`).

Staff chat: training staff and admins list and post; the poster's linked training staff
record is the sender, so a user without one (an admin with no staff profile) gets 403 on
post. Admin messages: any user writes to the admins and reads their own plus broadcasts;
admins read all, reply, broadcast and delete."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from rgms.api.pagination import PagePagination
from rgms.api.permissions import IsAdmin, IsStaffOrAdmin
from rgms.api.schema import error_responses
from rgms.messaging import selectors, services
from rgms.messaging.api.serializers import (
    AdminMessageBroadcastInputSerializer,
    AdminMessageCreateInputSerializer,
    AdminMessageFilterSerializer,
    AdminMessageOutputSerializer,
    AdminMessageReplyInputSerializer,
    StaffMessageInputSerializer,
    StaffMessageOutputSerializer,
)
from rgms.messaging.models import AdminMessage, StaffMessage


@extend_schema_view(
    list=extend_schema(
        summary="List staff chat messages, newest first (training staff, admin)",
        responses={200: StaffMessageOutputSerializer(many=True), **error_responses(403)},
    ),
    create=extend_schema(
        summary="Post in the staff chat (users with a linked training staff profile)",
        request=StaffMessageInputSerializer,
        responses={201: StaffMessageOutputSerializer, **error_responses(400, 403)},
    ),
)
class StaffMessageViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = StaffMessage.objects.all()
    serializer_class = StaffMessageOutputSerializer
    permission_classes = [IsStaffOrAdmin]
    pagination_class = PagePagination
    parser_classes = [JSONParser]

    def get_queryset(self) -> Any:
        return selectors.staff_message_list()

    def create(self, request: Request) -> Response:
        serializer = StaffMessageInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.staff_message_create(sender=request.user, **serializer.validated_data)
        message = selectors.staff_message_list().get(pk=message.pk)
        return Response(StaffMessageOutputSerializer(message).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="List admin messages (admins: all; others: own and broadcasts)",
        parameters=[AdminMessageFilterSerializer],
        responses={200: AdminMessageOutputSerializer(many=True), **error_responses(400, 403)},
    ),
    retrieve=extend_schema(
        summary="Get an admin message",
        responses={200: AdminMessageOutputSerializer, **error_responses(404)},
    ),
    create=extend_schema(
        summary="Write to the admins (any user)",
        request=AdminMessageCreateInputSerializer,
        responses={201: AdminMessageOutputSerializer, **error_responses(400)},
    ),
    destroy=extend_schema(
        summary="Delete an admin message (admin)",
        responses={204: OpenApiResponse(description="Deleted."), **error_responses(403, 404)},
    ),
)
class AdminMessageViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = AdminMessage.objects.all()
    serializer_class = AdminMessageOutputSerializer
    pagination_class = PagePagination
    parser_classes = [JSONParser]

    def get_permissions(self) -> list[BasePermission]:
        if self.action in {"reply", "broadcast", "destroy"}:
            return [IsAdmin()]
        return [IsAuthenticated()]

    def get_queryset(self) -> Any:
        return selectors.admin_message_list(viewer=self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        filters = AdminMessageFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        params = filters.validated_data
        if params.get("user_id") is not None and not request.user.is_admin:
            raise PermissionDenied("Only admins list other users' messages.")
        queryset = selectors.admin_message_list(viewer=request.user, **params)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(AdminMessageOutputSerializer(page, many=True).data)

    def create(self, request: Request) -> Response:
        serializer = AdminMessageCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.admin_message_create(user=request.user, **serializer.validated_data)
        return Response(AdminMessageOutputSerializer(message).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: AdminMessage) -> None:
        services.admin_message_delete(admin_message=instance)

    @extend_schema(
        summary="Reply to a message (admin): sets the reply, resolves it, notifies the user",
        request=AdminMessageReplyInputSerializer,
        responses={200: AdminMessageOutputSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: str | None = None) -> Response:
        admin_message = self.get_object()
        serializer = AdminMessageReplyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        admin_message = services.admin_message_reply(
            admin_message=admin_message, reply=serializer.validated_data["admin_reply"]
        )
        return Response(AdminMessageOutputSerializer(admin_message).data)

    @extend_schema(
        summary="Broadcast a message to everyone (admin)",
        request=AdminMessageBroadcastInputSerializer,
        responses={201: AdminMessageOutputSerializer, **error_responses(400, 403)},
    )
    @action(detail=False, methods=["post"])
    def broadcast(self, request: Request) -> Response:
        serializer = AdminMessageBroadcastInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.admin_message_broadcast(sender=request.user, **serializer.validated_data)
        return Response(AdminMessageOutputSerializer(message).data, status=status.HTTP_201_CREATED)
