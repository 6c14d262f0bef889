"""/api/v1/auth/: thin views over rgms.authentication.services."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.settings import api_settings as jwt_settings

from rgms.api.permissions import IsAdmin
from rgms.api.schema import ErrorBodySerializer
from rgms.authentication import services
from rgms.authentication.api import serializers as s
from rgms.authentication.client_ip import client_ip
from rgms.users.models import User

TAG = "auth"


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorBodySerializer, description=description)


E400 = _error("Invalid input (the one error body, `errors` per field).")
E401_TOKEN = _error("Token refused: invalid, expired, blacklisted, or its account is not active.")
E403_ROLE = _error("Authenticated, but not an admin.")


class PublicAuthApi(APIView):
    """Reachable without a token; a stale Authorization header is ignored, not refused."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request: Request) -> str:
        # Keeps token refusals 401 (DRF turns 401 into 403 when no header can be offered).
        return f'{jwt_settings.AUTH_HEADER_TYPES[0]} realm="api"'

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        if response.status_code == status.HTTP_401_UNAUTHORIZED:
            # Also on a failed login (RFC 9110: every 401 names its scheme).
            response.headers.setdefault(
                "WWW-Authenticate", self.get_authenticate_header(self.request)
            )
        return response


def user_output(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "username": user.username,
        "role": user.role,
        "cadet_id": user.cadet_id,
        "staff_id": user.staff_id,
        "is_profile_completed": services.profile_completed(user),
    }


class AuthLoginApi(PublicAuthApi):
    @extend_schema(
        tags=[TAG],
        summary="Log in with username (or email) and password",
        description=(
            "Returns an access token (15 min) and a refresh token (7 days). The password is "
            "used exactly as sent. 5 failed attempts per 15 minutes per (client IP, account) "
            "and 300 per client IP lock further attempts (429 with Retry-After), even with "
            "the right password."
        ),
        request=s.AuthLoginInputSerializer,
        responses={
            200: s.AuthLoginOutputSerializer,
            400: _error(
                "Invalid input, or an email shared by several accounts (use the username)."
            ),
            401: _error("Wrong username or password, or no usable password yet."),
            403: _error("Right password, but the account is archived or pending approval."),
            429: _error("Too many failed attempts; see Retry-After."),
        },
    )
    def post(self, request: Request) -> Response:
        data = s.AuthLoginInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.auth_login(
            identifier=data.validated_data["username"],
            password=data.validated_data["password"],
            ip=client_ip(request),
        )
        body = {
            "access": result.tokens.access,
            "refresh": result.tokens.refresh,
            "user": user_output(result.user),
        }
        return Response(s.AuthLoginOutputSerializer(body).data)


class AuthRefreshApi(PublicAuthApi):
    @extend_schema(
        tags=[TAG],
        summary="Rotate a refresh token",
        description="Returns a new pair; the refresh token sent is blacklisted (usable once).",
        request=s.AuthRefreshInputSerializer,
        responses={200: s.AuthTokenPairOutputSerializer, 400: E400, 401: E401_TOKEN},
    )
    def post(self, request: Request) -> Response:
        data = s.AuthRefreshInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pair = services.auth_refresh(refresh=data.validated_data["refresh"])
        return Response({"access": pair.access, "refresh": pair.refresh})


class AuthLogoutApi(PublicAuthApi):
    @extend_schema(
        tags=[TAG],
        summary="Log out: blacklist the refresh token",
        description="Works with an expired access token: only the refresh token is needed.",
        request=s.AuthLogoutInputSerializer,
        responses={204: None, 400: E400, 401: E401_TOKEN},
    )
    def post(self, request: Request) -> Response:
        data = s.AuthLogoutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.auth_logout(
            refresh=data.validated_data["refresh"],
            all_sessions=data.validated_data["all_sessions"],
            ip=client_ip(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class AuthVerifyApi(PublicAuthApi):
    @extend_schema(
        tags=[TAG],
        summary="Check a token",
        description="200 when the token (access or refresh) would be accepted now.",
        request=s.AuthVerifyInputSerializer,
        responses={200: s.AuthVerifyOutputSerializer, 400: E400, 401: E401_TOKEN},
    )
    def post(self, request: Request) -> Response:
        data = s.AuthVerifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        verified = services.auth_verify(token=data.validated_data["token"])
        return Response(
            s.AuthVerifyOutputSerializer(
                {
                    "token_type": verified.token_type,
                    "user_id": verified.user_id,
                    "expires_at": verified.expires_at,
                }
            ).data
        )


class AuthMeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="The authenticated user",
        responses={200: s.AuthMeOutputSerializer, 401: E401_TOKEN},
    )
    def get(self, request: Request) -> Response:
        user: User = request.user
        body = {
            **user_output(user),
            "email": user.email,
            "is_approved": user.is_approved,
            "has_usable_password": user.has_usable_password(),
            "last_login": user.last_login,
        }
        return Response(s.AuthMeOutputSerializer(body).data)


class AuthPasswordChangeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=[TAG],
        summary="Change one's own password",
        description=(
            "Every earlier token of the account stops working; the response carries a new pair."
        ),
        request=s.AuthPasswordChangeInputSerializer,
        responses={
            200: s.AuthTokenPairOutputSerializer,
            400: _error("Wrong current password, or a new password the validators refuse."),
            401: E401_TOKEN,
            429: _error("Too many wrong current passwords; see Retry-After."),
        },
    )
    def post(self, request: Request) -> Response:
        data = s.AuthPasswordChangeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        pair = services.password_change(
            user=request.user,
            old_password=data.validated_data["old_password"],
            new_password=data.validated_data["new_password"],
            ip=client_ip(request),
        )
        return Response({"access": pair.access, "refresh": pair.refresh})


class AuthPasswordResetIssueApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        tags=[TAG],
        summary="Issue a one-time password reset link for an account (admin)",
        description=(
            "For accounts without a usable password (migrated placeholders) or forgotten ones. "
            "The link expires after PASSWORD_RESET_TIMEOUT and is spent by use or by a login."
        ),
        request=s.AuthPasswordResetIssueInputSerializer,
        responses={
            201: s.AuthPasswordResetIssueOutputSerializer,
            400: _error("Invalid input, or the account is archived."),
            401: E401_TOKEN,
            403: E403_ROLE,
            404: _error("No such account."),
        },
    )
    def post(self, request: Request) -> Response:
        data = s.AuthPasswordResetIssueInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        target = User.objects.filter(pk=data.validated_data["user_id"]).first()
        if target is None:
            raise NotFound("No such account.")
        issued = services.password_reset_issue(
            target=target,
            issued_by=request.user,
            send_email=data.validated_data["send_email"],
            ip=client_ip(request),
        )
        body = {
            "user_id": target.pk,
            "username": target.username,
            "uid": issued.uid,
            "token": issued.token,
            "reset_url": issued.url,
            "expires_at": issued.expires_at,
            "email_queued": issued.email_queued,
        }
        return Response(
            s.AuthPasswordResetIssueOutputSerializer(body).data, status=status.HTTP_201_CREATED
        )


RESET_REQUEST_ANSWER = (
    "If an account matches, a password reset link has been sent to its email address."
)


class AuthPasswordResetRequestApi(PublicAuthApi):
    @extend_schema(
        tags=[TAG],
        summary="Ask for a password reset email",
        description="Always 202 with the same body, whether or not an account matches.",
        request=s.AuthPasswordResetRequestInputSerializer,
        responses={202: s.AuthDetailOutputSerializer, 400: E400},
    )
    def post(self, request: Request) -> Response:
        data = s.AuthPasswordResetRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_reset_request(
            identifier=data.validated_data["identifier"], ip=client_ip(request)
        )
        return Response({"detail": RESET_REQUEST_ANSWER}, status=status.HTTP_202_ACCEPTED)


class AuthPasswordResetConfirmApi(PublicAuthApi):
    @extend_schema(
        tags=[TAG],
        summary="Set a new password with a reset link's uid and token",
        description=(
            "The uid and token come from an admin-issued or emailed reset link. The new "
            "password must pass the password validators; every earlier token of the account "
            "stops working."
        ),
        request=s.AuthPasswordResetConfirmInputSerializer,
        responses={
            204: None,
            400: _error("Invalid, used or expired link, or a password the validators refuse."),
        },
    )
    def post(self, request: Request) -> Response:
        data = s.AuthPasswordResetConfirmInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_reset_confirm(
            uid=data.validated_data["uid"],
            token=data.validated_data["token"],
            new_password=data.validated_data["new_password"],
            ip=client_ip(request),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
