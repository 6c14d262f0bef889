"""The one error body ({code, message, errors}) for every 4xx/5xx, through tiny inline views
served on this module's own URLconf (DRF's style)."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import path
from rest_framework import serializers
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from conftest import bearer_client
from rgms.core.exceptions import ApplicationError, Conflict
from rgms.users.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

BODY_KEYS = {"code", "message", "errors"}
SECRET = "password=hunter2 in /srv/app/secret.py"


class _NameSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=5)
    age = serializers.IntegerField()


class ValidateView(APIView):
    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        _NameSerializer(data=request.data).is_valid(raise_exception=True)
        return Response({})


class DjangoValidateView(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        raise DjangoValidationError({"date": ["Training day is in the future."]})


class ApplicationErrorView(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        if request.query_params.get("conflict"):
            raise Conflict("Already marked.", errors={"cadet_id": ["Already marked today."]})
        raise ApplicationError("Cannot do that.", errors={"status": ["Not allowed now."]})


class PrivateView(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


class _Never(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return False


class ForbiddenView(APIView):
    permission_classes = [_Never]

    def get(self, request: Request) -> Response:
        return Response({})


class DjangoForbiddenView(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        raise DjangoPermissionDenied


class MissingView(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        raise Http404("No cadet 5 in /srv/app")


class GetOnlyView(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response({})


class CrashView(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        raise RuntimeError(SECRET)


urlpatterns = [
    path("validate/", ValidateView.as_view()),
    path("django-validate/", DjangoValidateView.as_view()),
    path("application-error/", ApplicationErrorView.as_view()),
    path("private/", PrivateView.as_view()),
    path("forbidden/", ForbiddenView.as_view()),
    path("django-forbidden/", DjangoForbiddenView.as_view()),
    path("missing/", MissingView.as_view()),
    path("get-only/", GetOnlyView.as_view()),
    path("crash/", CrashView.as_view()),
]


def test_400_names_each_field(api_client: APIClient) -> None:
    # when invalid input is posted
    response = api_client.post("/validate/", {"name": "toolong", "age": "x"}, format="json")
    # then 400 carries the one body with a reason list per field
    assert response.status_code == 400
    body = response.json()
    assert set(body) == BODY_KEYS
    assert body["code"] == "validation_error"
    assert set(body["errors"]) == {"name", "age"}
    assert all(isinstance(reason, str) for reasons in body["errors"].values() for reason in reasons)


def test_400_for_a_malformed_json_body(api_client: APIClient) -> None:
    # when the body is not JSON
    response = api_client.post("/validate/", "{not json", content_type="application/json")
    # then 400 with the one body
    assert response.status_code == 400
    assert set(response.json()) == BODY_KEYS
    assert response.json()["code"] == "parse_error"


def test_400_from_a_django_validation_error(api_client: APIClient) -> None:
    # when a service raises Django's ValidationError
    response = api_client.get("/django-validate/")
    # then it is the same 400 body naming the field
    assert response.status_code == 400
    assert response.json()["errors"] == {"date": ["Training day is in the future."]}


def test_application_errors_keep_their_status_and_fields(api_client: APIClient) -> None:
    # when services raise the application's errors
    invalid = api_client.get("/application-error/")
    conflict = api_client.get("/application-error/", {"conflict": "1"})
    # then each keeps its status, code, message and fields
    assert invalid.status_code == 400
    assert invalid.json() == {
        "code": "invalid",
        "message": "Cannot do that.",
        "errors": {"status": ["Not allowed now."]},
    }
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "conflict"
    assert conflict.json()["errors"] == {"cadet_id": ["Already marked today."]}


@pytest.mark.parametrize(
    "authorization", [None, "Bearer not-a-jwt", "Bearer a.b.c", "Token abc", "Bearer"]
)
def test_401_without_or_with_a_bad_token(api_client: APIClient, authorization: str | None) -> None:
    # given no token, or a malformed one
    if authorization is not None:
        api_client.credentials(HTTP_AUTHORIZATION=authorization)
    # when a private view is called
    response = api_client.get("/private/")
    # then 401 with the one body and a challenge
    assert response.status_code == 401
    assert set(response.json()) == BODY_KEYS
    assert response.json()["errors"] == {}
    assert "Bearer" in response.headers.get("WWW-Authenticate", "")


def test_200_with_a_real_token(cadet_user: User) -> None:
    # when a private view is called with the user's real token
    # then it answers
    assert bearer_client(cadet_user).get("/private/").status_code == 200


def test_403_when_the_role_is_not_allowed(cadet_client: APIClient, api_client: APIClient) -> None:
    # when a permission refuses an authenticated user, and when Django's PermissionDenied
    # is raised
    refused = cadet_client.get("/forbidden/")
    django_refused = api_client.get("/django-forbidden/")
    # then both are 403 with the one body
    for response in (refused, django_refused):
        assert response.status_code == 403
        assert set(response.json()) == BODY_KEYS
        assert response.json()["code"] == "permission_denied"


def test_404_hides_the_detail(api_client: APIClient) -> None:
    # when a view raises Http404 with an internal detail
    response = api_client.get("/missing/")
    # then 404 with the one body and DRF's generic message
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Not found.", "errors": {}}


def test_405_for_a_method_the_view_lacks(api_client: APIClient) -> None:
    # when a get-only view is posted to
    response = api_client.post("/get-only/", {}, format="json")
    # then 405 with the one body and the allowed methods
    assert response.status_code == 405
    assert set(response.json()) == BODY_KEYS
    assert response.json()["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_500_has_the_body_and_no_traceback(
    api_client: APIClient, caplog: pytest.LogCaptureFixture
) -> None:
    # when a view crashes with secrets in the exception
    with caplog.at_level(logging.ERROR):
        response = api_client.get("/crash/")
    # then the client gets a plain 500 body with nothing of the exception in it
    assert response.status_code == 500
    assert response.json() == {
        "code": "server_error",
        "message": "Internal server error.",
        "errors": {},
    }
    text = response.content.decode()
    for leak in ("Traceback", "RuntimeError", "hunter2", "/srv/app", "File "):
        assert leak not in text
    # and the server log has the stack trace
    assert any(record.exc_info for record in caplog.records)
