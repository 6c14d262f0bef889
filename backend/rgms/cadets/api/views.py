"""Cadet endpoints: the graded roster, profiles, and their management."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from rgms.api.caching import CachedReadsMixin
from rgms.api.pagination import PagePagination
from rgms.api.permissions import IsAdmin, IsStaffOrAdmin
from rgms.api.schema import error_responses
from rgms.authentication.tokens import ROLE_CLAIM
from rgms.cadets import services
from rgms.cadets.api.serializers import (
    CadetFilterSerializer,
    CadetInputSerializer,
    CadetOutputSerializer,
    CadetProfileInputSerializer,
)
from rgms.cadets.api.support import (
    DETAIL_ERRORS,
    DETAIL_WRITE_ERRORS,
    FORCE_PARAMETER,
    READ_ERRORS,
    WRITE_ERRORS,
    ActionPermissionsMixin,
    int_or_404,
    is_forced,
    json_bytes,
    json_response,
    query_params,
)
from rgms.cadets.caching import ROSTER_NAMESPACE, TRAINING_DAYS_NAMESPACE, cadet_namespace
from rgms.cadets.models import Cadet
from rgms.cadets.selectors import (
    CadetFilters,
    cadet_get,
    cadet_profile_get,
    cadet_roster_queryset,
    roster_row,
    training_day_count,
)
from rgms.core import cache
from rgms.core.exceptions import NotAllowed
from rgms.users.models import Role

# Query parameters of the roster; a request with any other is answered without the cache.
ROSTER_PARAMETERS = frozenset(
    {
        *CadetFilterSerializer().fields,
        PagePagination.page_query_param,
        PagePagination.page_size_query_param,
    }
)


def _scope(role: str, cadet_id: int | None) -> str:
    """Whose view of the data a cached body is: admin and staff share one, a cadet has theirs."""
    return "all" if role != Role.CADET else f"cadet-{cadet_id}"


def _profile_read(scope: str, cadet_id: int) -> cache.Read:
    return [cadet_namespace(cadet_id), TRAINING_DAYS_NAMESPACE], ["profile", scope, cadet_id]


def _roster_read(request: Request, scope: str) -> cache.Read | None:
    """The roster page's cached read; None when a query parameter it does not know keeps it
    out of the cache (the body's page links repeat them, so the full path is in the key)."""
    if not set(request.query_params) <= ROSTER_PARAMETERS:
        return None
    return [ROSTER_NAMESPACE], ["roster", scope, request.get_host(), request.get_full_path()]


class CadetViewSet(CachedReadsMixin, ActionPermissionsMixin, viewsets.GenericViewSet):
    """Cadets. Admin and staff read all and create or update; a cadet reads only their own
    row (another cadet's id is 404). DELETE archives (admin); `?force=true` deletes."""

    queryset = Cadet.objects.all()  # for the schema's path parameter; reads use selectors
    pagination_class = PagePagination
    permission_classes = (IsAuthenticated,)
    action_permissions = {
        "list": (IsAuthenticated,),
        "retrieve": (IsAuthenticated,),
        "create": (IsStaffOrAdmin,),
        "update": (IsStaffOrAdmin,),
        "partial_update": (IsStaffOrAdmin,),
        "destroy": (IsAdmin,),
        "restore": (IsAdmin,),
        "approve": (IsAdmin,),
        "me": (IsAuthenticated,),
    }

    def _cadet_or_404(self, pk: Any) -> Cadet:
        cadet = cadet_get(viewer=self.request.user, cadet_id=int_or_404(pk))
        if cadet is None:
            raise Http404
        return cadet

    def _profile(self, cadet_id: int) -> dict[str, Any]:
        profile = cadet_profile_get(viewer=self.request.user, cadet_id=cadet_id)
        if profile is None:
            raise Http404
        return profile

    @extend_schema(
        parameters=[CadetFilterSerializer],
        responses={200: CadetOutputSerializer(many=True), **READ_ERRORS, **error_responses(400)},
    )
    def list(self, request: Request) -> HttpResponse:
        user = request.user

        def build() -> bytes:
            # Validated here: a body is cached only under a path whose parameters were valid,
            # so a hit needs no validation, and a bad parameter (400) is never cached.
            filters = CadetFilters(**query_params(CadetFilterSerializer, request))
            rows = self.paginate_queryset(cadet_roster_queryset(viewer=user, filters=filters))
            total_days = training_day_count()
            results = [roster_row(row, total_days=total_days) for row in rows]
            return json_bytes(self.get_paginated_response(results).data)

        read = _roster_read(request, _scope(user.role, user.cadet_id))
        if read is None:
            return json_response(build())
        return json_response(cache.get_or_build(*read, build))

    @extend_schema(responses={200: CadetOutputSerializer, **DETAIL_ERRORS})
    def retrieve(self, request: Request, pk: str | None = None) -> HttpResponse:
        cadet_id = int_or_404(pk)
        user = request.user

        def build() -> bytes:
            profile = cadet_profile_get(viewer=user, cadet_id=cadet_id)
            return json_bytes(profile) if profile is not None else b""

        body = cache.get_or_build(*_profile_read(_scope(user.role, user.cadet_id), cadet_id), build)
        if not body:
            raise Http404
        return json_response(body)

    def cached_reads(self, claims: Any) -> list[cache.Read]:
        role = claims[ROLE_CLAIM]
        if self.action == "list":
            # A cadet's roster scope needs their cadet id, which only the user row has.
            read = _roster_read(self.request, _scope(role, None)) if role != Role.CADET else None
            return [read] if read is not None else []
        if self.action == "retrieve":
            try:
                cadet_id = int(self.kwargs["pk"])
            except ValueError:
                return []
            # A cadet is taken to read their own profile (the read decides whether they do).
            return [_profile_read(_scope(role, cadet_id), cadet_id)]
        return []

    @extend_schema(
        request=CadetInputSerializer,
        responses={201: CadetOutputSerializer, **WRITE_ERRORS},
    )
    def create(self, request: Request) -> Response:
        serializer = CadetInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cadet = services.cadet_create(data=serializer.validated_data, created_by=request.user)
        return Response(self._profile(cadet.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=CadetInputSerializer,
        responses={200: CadetOutputSerializer, **DETAIL_WRITE_ERRORS},
    )
    def update(self, request: Request, pk: str | None = None) -> Response:
        return self._update(request, pk, partial=False)

    @extend_schema(
        request=CadetInputSerializer,
        responses={200: CadetOutputSerializer, **DETAIL_WRITE_ERRORS},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        return self._update(request, pk, partial=True)

    def _update(self, request: Request, pk: str | None, *, partial: bool) -> Response:
        cadet = self._cadet_or_404(pk)
        serializer = CadetInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        services.cadet_update(cadet=cadet, data=serializer.validated_data, updated_by=request.user)
        return Response(self._profile(cadet.pk))

    @extend_schema(
        parameters=[FORCE_PARAMETER],
        responses={
            204: OpenApiResponse(description="Archived (or deleted with force=true)."),
            **DETAIL_ERRORS,
        },
    )
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        cadet = self._cadet_or_404(pk)
        if is_forced(request):
            if not request.user.is_admin:
                raise NotAllowed("Only an admin may delete a cadet for good.")
            services.cadet_delete(cadet=cadet, deleted_by=request.user)
        else:
            services.cadet_archive(cadet=cadet, archived_by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: CadetOutputSerializer, **DETAIL_ERRORS})
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str | None = None) -> Response:
        """Bring an archived cadet (and their user accounts) back."""
        cadet = self._cadet_or_404(pk)
        services.cadet_restore(cadet=cadet, restored_by=request.user)
        return Response(self._profile(cadet.pk))

    @extend_schema(
        request=None,
        responses={200: CadetOutputSerializer, **DETAIL_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve the cadet's user account (admin), so it can log in once it has a password
        (an admin-issued reset link). Accounts made with a cadet start unapproved."""
        cadet = self._cadet_or_404(pk)
        services.cadet_account_approve(cadet=cadet, approved_by=request.user)
        return Response(self._profile(cadet.pk))

    @extend_schema(
        methods=["GET"],
        responses={200: CadetOutputSerializer, **error_responses(403)},
        description="The calling cadet's own graded profile.",
    )
    @extend_schema(
        methods=["PATCH"],
        request=CadetProfileInputSerializer,
        responses={200: CadetOutputSerializer, **error_responses(400, 403, 409)},
        description=(
            "A cadet edits their own profile: only the fields the legacy profile form had "
            "(anything else is 400, named). `is_profile_completed: true` completes the profile "
            "(every required field filled) and locks it; a locked profile is 403. An email "
            "another account uses is 409."
        ),
    )
    @action(detail=False, methods=["get", "patch"])
    def me(self, request: Request) -> HttpResponse | Response:
        user = request.user
        if user.role != Role.CADET or user.cadet_id is None:
            raise NotAllowed("Only a cadet account has its own cadet profile.")
        if request.method == "GET":
            return self.retrieve(request, pk=str(user.cadet_id))
        serializer = CadetProfileInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        cadet = services.cadet_profile_update(
            cadet=user.cadet, data=serializer.validated_data, updated_by=user
        )
        return Response(self._profile(cadet.pk))
