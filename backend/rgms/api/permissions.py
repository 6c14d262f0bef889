"""Role permissions. Every view states who may read and who may write."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from rgms.users.models import Role


def _role(request: Request) -> str | None:
    user = request.user
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.role


class IsAdmin(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return _role(request) == Role.ADMIN


class IsStaffOrAdmin(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return _role(request) in {Role.ADMIN, Role.TRAINING_STAFF}


class ReadAnyWriteAdmin(BasePermission):
    """Any authenticated role reads; only admins write."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        role = _role(request)
        if role is None:
            return False
        return request.method in SAFE_METHODS or role == Role.ADMIN


class ReadAnyWriteStaff(BasePermission):
    """Any authenticated role reads; staff and admins write."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        role = _role(request)
        if role is None:
            return False
        return request.method in SAFE_METHODS or role in {Role.ADMIN, Role.TRAINING_STAFF}
